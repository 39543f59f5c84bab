"""The public entry points: classification by content, quarantine, never raising."""

from __future__ import annotations

import random

import pytest

from pharma_pipelines.ingestion import ENTITIES, classify, content_hash, parse_file

from .builders import message, tnef, xlsx
from .conftest import assert_storable, only_extract

STOCK = "MATNR;WERKS;CLABS\n0001;0100;12,5\n"


@pytest.mark.parametrize(
    "path", ["sap/stock.csv", "lims/stock.csv", "outlook/stock.csv", "x/y/z.dat"]
)
def test_kind_comes_from_content_wherever_the_file_lies(path: str) -> None:
    classification = classify(path, STOCK.encode())
    assert classification.kind == "sap/stock"
    assert classification.reason.startswith(f"{path}: UTF-8; header at line 1 maps to sap/stock")


def test_classify_and_parse_agree() -> None:
    data = STOCK.encode()
    parsed = parse_file("stock.csv", data)
    assert parsed.kind == classify("stock.csv", data).kind
    assert parsed.content_hash == content_hash(data)
    assert parsed.extracts[0].entity in ENTITIES


def test_email_workbook_and_tnef_are_classified_by_content() -> None:
    assert classify("anything.bin", message("Hello").as_bytes()).kind == "outlook/email"
    assert (
        classify("winmail.dat", tnef(subject="x", rtf_body=None, attachments=[])).kind
        == "outlook/email"
    )
    book = xlsx([["MATNR", "MATKL"], ["0001", "01010"]], title="Materials")
    classification = classify("book.xlsx", book)
    assert classification.kind == "sap/material_master"
    assert "sheet 'Materials'" in classification.reason
    parsed = parse_file("book.xlsx", book)
    assert parsed.extracts[0].part == "Materials"
    assert parsed.extracts[0].rows[0].values["material"] == "0001"


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "the file is empty"),
        (b"%PDF-1.4 ...", "a PDF document"),
        (b"\x00\x01\x02\x03binary\x00\x00\x07", "a binary file"),
        (b"PK\x03\x04not really a zip", "a ZIP archive that is not an XLSX workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "not a readable message"),
    ],
)
def test_unreadable_files_are_quarantined_with_a_reason(data: bytes, fragment: str) -> None:
    parsed = parse_file("landing/file", data)
    assert parsed.extracts == []
    assert parsed.quarantine_reason is not None
    assert parsed.quarantine_reason.startswith("landing/file: ")
    assert fragment in parsed.quarantine_reason
    assert classify("landing/file", data).kind is None


def _mutations(seed: int) -> list[bytes]:
    rng = random.Random(seed)
    samples = [
        STOCK.encode(),
        message("Fuzz").as_bytes(),
        tnef(
            subject="fuzz", rtf_body=b"{\\rtf1\\ansi x}", attachments=[("A.CSV", "a.csv", b"a;b\n")]
        ),
        b'{"value": [{"ManufacturingOrder": "1"}]}',
        xlsx([["MATNR", "MATKL"], ["1", "2"]]),
    ]
    mutated: list[bytes] = []
    for sample in samples:
        for _ in range(20):
            data = bytearray(sample)
            for _ in range(rng.randint(1, 8)):
                if data:
                    data[rng.randrange(len(data))] = rng.randrange(256)
            cut = rng.randint(0, len(data))
            mutated.append(bytes(data[:cut] if rng.random() < 0.3 else data))
    return mutated


@pytest.mark.parametrize("seed", [20240318, 7, 11])
def test_parse_file_never_raises_and_counts_reconcile(seed: int) -> None:
    """Damaged inputs are quarantined or rejected by a reader, not by the last-resort guard."""
    for data in _mutations(seed):
        parsed = parse_file("fuzz/input", data)
        assert parsed.quarantine_reason is not None or parsed.extracts
        assert "reading failed" not in (parsed.quarantine_reason or "")
        for extract in parsed.extracts:
            assert extract.rows_read == len(extract.rows) + len(extract.rejects)
        assert_storable(parsed)
        classification = classify("fuzz/input", data)
        assert "reading failed" not in classification.reason


def test_nul_inside_a_text_file_rejects_its_row() -> None:
    body = "".join(f"{n:04d};Tablet {n};01\n" for n in range(400))
    data = f"MATNR;MAKTX;MATKL\n{body}".encode() + b"9999;Bad\x00text;01\n"
    extract = only_extract(parse_file("sap/mm.csv", data))
    assert len(extract.rows) == 400
    [reject] = extract.rejects
    assert reject.row_number == 402
    assert "NUL character" in reject.reason
    assert reject.raw_value == "Bad\\x00text"


def test_a_stray_nul_byte_rejects_its_row_not_the_file() -> None:
    parsed = parse_file("sap/mm.csv", b"MATNR;MATKL\n0001;0\x001\n0002;00200\n")
    assert parsed.quarantine_reason is None
    [extract] = parsed.extracts
    assert [row.values["material"] for row in extract.rows] == ["0002"]
    assert [reject.row_number for reject in extract.rejects] == [2]
