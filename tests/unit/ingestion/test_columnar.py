"""The columnar reader gives exactly what the record-by-record reader gives.

Every test reads the same bytes both ways (``read_delimited`` with and without
``columnar``) and compares the whole outcome: kind, reason, rows with their values and
row numbers, rejects with their reasons, counters, layout. Typed values are compared
with what :mod:`pharma_pipelines.values` makes of the row path's text. Inputs: the
sample landing zone, the broken fixture, the shared user cases, and generated files
that pile up every quirk of SAP flat files.
"""

from __future__ import annotations

import codecs
import io
import random
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.csv
import pytest

from pharma_pipelines.ingestion import ParsedExtract, parse_file
from pharma_pipelines.ingestion import columnar as columnar_module
from pharma_pipelines.ingestion.columnar import (
    ColumnarRead,
    NotColumnarError,
    TypedExtract,
    read_columnar,
    read_typed,
    typed_extract,
)
from pharma_pipelines.ingestion.kinds import HEADER_SPECS, SPECS_BY_ENTITY, path_hint
from pharma_pipelines.ingestion.readers import Outcome, read_delimited
from pharma_pipelines.ingestion.schema import FieldKind
from pharma_pipelines.values import NumberFormat, parse_sap_date, parse_sap_number

from .conftest import shared_file

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "examples" / "landing"
BROKEN = ROOT / "tests" / "fixtures" / "landing_broken"


def _both(relative_path: str, data: bytes) -> tuple[Outcome, Outcome]:
    hint = path_hint(relative_path)
    fast = read_delimited(relative_path, data, HEADER_SPECS, hint=hint, with_rows=True)
    slow = read_delimited(
        relative_path, data, HEADER_SPECS, hint=hint, with_rows=True, columnar=False
    )
    return fast, slow


def _expected_typed(extract: ParsedExtract, fmt: NumberFormat) -> list[dict[str, object]]:
    """The row path's text values as values.py reads them; blank is None."""
    fields = {f.name: f for f in SPECS_BY_ENTITY[extract.entity].fields}
    rows = []
    for row in extract.rows:
        typed: dict[str, object] = {}
        for key, value in row.values.items():
            spec = fields.get(key)
            if spec is None or spec.kind in (FieldKind.TEXT, FieldKind.IDENTIFIER):
                typed[key] = value or None
            elif spec.kind is FieldKind.NUMBER:
                typed[key] = parse_sap_number(value, fmt)
            else:
                typed[key] = parse_sap_date(value).value
        typed["row_number"] = row.row_number
        rows.append(typed)
    return rows


def _typed_rows(typed: TypedExtract) -> list[dict[str, object]]:
    return typed.table.drop_columns(["source_file", "content_hash"]).to_pylist()


def assert_same(relative_path: str, data: bytes, *, columnar: bool = True) -> ParsedExtract | None:
    """Both readers agree; with ``columnar`` the columnar reader must have read the file."""
    read = read_columnar(relative_path, data, HEADER_SPECS, hint=path_hint(relative_path))
    assert isinstance(read, ColumnarRead) is columnar, getattr(read, "reason", "read")
    fast, slow = _both(relative_path, data)
    assert (fast.kind, fast.reason) == (slow.kind, slow.reason)
    assert fast.extracts == slow.extracts
    if not columnar or not slow.extracts:
        return None
    [extract] = slow.extracts
    typed = read_typed(relative_path, data)
    assert typed.rejects == extract.rejects
    assert typed.rows_read == extract.rows_read
    assert _typed_rows(typed) == _expected_typed(extract, typed.number_format)
    again = typed_extract(extract, source_file=relative_path)
    assert _typed_rows(again) == _typed_rows(typed)
    return extract


def _landing_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".csv", ".txt"))


HEADERLESS = {"T006_units_20270104.csv"}
"""Sample files without a header row: the row path reads them by column position."""


@pytest.mark.parametrize("path", _landing_files(SAMPLE), ids=lambda p: p.name)
def test_sample_landing_zone_reads_the_same(path: Path) -> None:
    relative = str(path.relative_to(SAMPLE))
    assert_same(relative, path.read_bytes(), columnar=path.name not in HEADERLESS)


UNRECOGNISED = {"ZQM_notifications_20270104.txt", *HEADERLESS}
"""Broken-fixture files the columnar reader leaves to the row path: no kind fits by header."""


@pytest.mark.parametrize("path", _landing_files(BROKEN), ids=lambda p: p.name)
def test_broken_landing_zone_reads_the_same(path: Path) -> None:
    relative = str(path.relative_to(BROKEN))
    assert_same(relative, path.read_bytes(), columnar=path.name not in UNRECOGNISED)


def test_broken_landing_zone_rejects_come_from_the_columnar_reader() -> None:
    extracts = [
        assert_same(str(path.relative_to(BROKEN)), path.read_bytes())
        for path in _landing_files(BROKEN)
        if path.name not in UNRECOGNISED
    ]
    assert sum(len(e.rejects) for e in extracts if e is not None) >= 3


@pytest.mark.parametrize(
    ("case", "name", "columnar"),
    [
        ("BR-01", "material_master.csv", True),
        ("BR-01", "batch_stock.csv", True),
        ("BR-03", "stock_de.csv", True),
        ("BR-04", "goods_movements.txt", True),
        ("BR-05", "material_texts_utf16.txt", True),
        ("BR-05", "batch_notes_cp1252.csv", True),
        ("BR-05", "batch_notes_corrupt.csv", True),
    ],
)
def test_shared_cases_read_the_same(case: str, name: str, columnar: bool) -> None:
    path = shared_file("cases", case, name)
    assert_same(f"{case}/{name}", path.read_bytes(), columnar=columnar)


# ---------------------------------------------------------------- generated quirks

HEADERS = (
    ("MATNR", "WERKS", "LGORT", "CHARG", "CLABS", "CINSM", "MEINS", "HSDAT", "VFDAT", "Bemerkung"),
    (
        "Material",
        "Werk",
        "Lagerort",
        "Charge",
        "Frei verwendbar",
        "Qualitätsprüfung",
        "Basismengeneinheit",
        "Herstelldatum",
        "Verfallsdatum",
        "Bemerkung",
    ),
)
REQUIRED = (0, 1, 4)
NUMBERS = {
    ",": ["1.234,56", "1.234,56-", "-12,5", "0,5", "12", "7.000.000,125", " 12,5 ", "3,"],
    ".": ["1,234.56", "1,234.56-", "-12.5", "0.5", "12", "7,000,000.125", "+4.25", ".5"],
    " ": ["1 234,56", "1\u00a0234,56-", "0,5", "12", "7 000 000,125"],
}
BAD_NUMBERS = ["1.23,4", "12,5,6", "--5", "5-5", "abc", "1,2.3.4", "١٢"]
DATES = ["20270104", "04.01.2027", "4.1.2027", "2027-01-04", "2027-01-04T10:00:00+01:00"]
DATES += ["00000000", "99991231", "", "20270104101500"]
BAD_DATES = ["20250231", "3/9/2014", "2027-13-01", "0000-01-01x"]
TEXTS = ["", "plain", "Lösung 2–8 °C", "with;semicolon", "two\nlines", 'a "quoted" word']
TEXTS += ["tab\there", "comma, here", "pipe | here", "µm € „XL“", "  padded  ", "\u00a0"]


@dataclass(frozen=True)
class Quirks:
    """One generated file's choices."""

    separator: str
    encoding: str
    newline: str
    decimal: str
    seed: int


def _quote(value: str, separator: str) -> str:
    if any(c in value for c in (separator, '"', "\n", "\r")) or value != value.strip(" "):
        return '"' + value.replace('"', '""') + '"'
    return value


def _value(rng: random.Random, column: int, decimal: str) -> str:
    if column in (0, 3):
        return f"{rng.randint(1, 10**6):0{rng.choice((10, 18))}d}"
    if column == 1:
        return rng.choice(("0100", "1000", "DE01"))
    if column == 2:
        return rng.choice(("FG01", "", "RM01"))
    if column in (4, 5):
        if rng.random() < 0.05:
            return rng.choice(BAD_NUMBERS)
        return rng.choice(NUMBERS[decimal])
    if column == 6:
        return rng.choice(("ST", "KG", ""))
    if column in (7, 8):
        return rng.choice(BAD_DATES) if rng.random() < 0.05 else rng.choice(DATES)
    return rng.choice(TEXTS)


def _record(rng: random.Random, quirks: Quirks, width: int) -> list[str]:
    fields = [_value(rng, i, quirks.decimal) for i in range(width)]
    roll = rng.random()
    if roll < 0.03:
        fields[rng.choice(REQUIRED)] = rng.choice(("", "  "))
    elif roll < 0.06:
        fields = fields[: rng.randint(2, width - 1)]  # short: maybe a required field missing
    elif roll < 0.08:
        fields += ["", ""] if rng.random() < 0.5 else ["extra", ""]
    return fields


def quirky_file(quirks: Quirks, rows: int = 60) -> bytes:
    """A stock extract with every quirk, encoded as ``quirks`` says."""
    rng = random.Random(quirks.seed)
    header = list(rng.choice(HEADERS))
    if quirks.separator in header[9]:
        header[9] = "Note"
    lines: list[str] = []
    if rng.random() < 0.3:
        lines += ["Bestandsliste Werk 0100", ""]
    lines.append(quirks.separator.join(header))
    for _ in range(rows):
        roll = rng.random()
        if roll < 0.04:
            lines.append(rng.choice(("", "   ", quirks.separator * 3)))
            continue
        if roll < 0.05:
            lines.append(quirks.separator.join(header))
            continue
        fields = _record(rng, quirks, len(header))
        lines.append(quirks.separator.join(_quote(f, quirks.separator) for f in fields))
    text = quirks.newline.join(lines) + (quirks.newline if rng.random() < 0.8 else "")
    boms = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}
    return boms.get(quirks.encoding, b"") + text.encode(quirks.encoding, "replace")


def _spoil(data: bytes, quirks: Quirks, rng: random.Random) -> bytes:
    """Undecodable bytes, a NUL, a stray BOM or UTF-8 read as Windows-1252, in some row."""
    if quirks.encoding.startswith("utf-16"):
        return data
    lines = data.split(b"\n")
    target = rng.randrange(len(lines) // 2, len(lines))
    spoilers = {
        "cp1252": [b"\x81", b"\x00", "ü".encode()],
        "utf-8": [b"\xff", b"\x00", "\ufeff".encode()],
        "utf-8-sig": [b"\xfe", b"\x00", "\ufeff".encode()],
    }[quirks.encoding]
    lines[target] = lines[target][:3] + rng.choice(spoilers) + lines[target][3:]
    return b"\n".join(lines)


QUIRKS = [
    Quirks(separator, encoding, newline, decimal, seed)
    for seed, (separator, encoding, newline, decimal) in enumerate(
        (s, e, n, d)
        for s in (";", ",", "\t", "|")
        for e in ("utf-8", "utf-8-sig", "cp1252", "utf-16-le", "utf-16-be")
        for n in ("\r\n", "\n")
        for d in (",", ".", " ")
    )
]


@pytest.mark.parametrize("quirks", QUIRKS[::5], ids=str)
def test_generated_quirks_read_the_same(quirks: Quirks) -> None:
    assert_same("sap/stock.csv", quirky_file(quirks))


@pytest.mark.parametrize("quirks", QUIRKS[1::7], ids=str)
def test_generated_damage_reads_the_same(quirks: Quirks) -> None:
    data = _spoil(quirky_file(quirks), quirks, random.Random(quirks.seed))
    assert_same("sap/stock.csv", data)


def test_undecodable_byte_is_a_reject_naming_offset_and_line() -> None:
    data = "MATNR;WERKS;CLABS;Text\r\n0001;0100;1,5;ok\r\n0002;0100;2,5;Z".encode("cp1252")
    data += b"\x81hlung\r\n0003;0100;3,5;ok\r\n"
    extract = assert_same("sap/stock.csv", data)
    assert extract is not None
    [reject] = extract.rejects
    assert reject.row_number == 3
    assert "byte 0x81 at byte offset 57 (line 3) is not valid Windows-1252" in reject.reason
    assert (reject.column, reject.raw_value) == ("Text", "Z\\x81hlung")
    assert [r.row_number for r in extract.rows] == [2, 4]


def test_quoted_line_breaks_keep_physical_line_numbers() -> None:
    text = 'MATNR;WERKS;CLABS;Text\n0001;0100;1,5;"two\nlines"\n\n0002;0100;2,5;"x;y"\n'
    text += '0003;0100;"3,5-";"say ""hi"""\n'
    extract = assert_same("sap/stock.csv", text.encode())
    assert extract is not None
    assert [r.row_number for r in extract.rows] == [2, 5, 6]
    assert extract.rows[0].values["Text"] == "two\nlines"
    assert extract.rows[2].values["Text"] == 'say "hi"'
    typed = read_typed("sap/stock.csv", text.encode())
    assert [str(v) for v in typed.table.column("unrestricted").to_pylist()] == [
        "1.5",
        "2.5",
        "-3.5",
    ]


def test_many_records_and_small_blocks_read_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    # Past the records the header search decodes, and over many pyarrow chunks.
    monkeypatch.setattr(columnar_module, "BLOCK_SIZE", 4096)
    for quirks in (Quirks(";", "cp1252", "\r\n", ",", 101), Quirks("\t", "utf-8", "\n", ".", 7)):
        data = _spoil(quirky_file(quirks, rows=1500), quirks, random.Random(3))
        assert_same("sap/stock.csv", data)


def test_lone_carriage_returns_end_lines() -> None:
    assert_same("sap/stock.csv", b"MATNR;WERKS;CLABS\r0001;0100;1,5\r\r0002;0100;2,5-\r")


def test_typed_columns_follow_the_field_kinds() -> None:
    text = "MATNR;WERKS;CLABS;HSDAT;VFDAT\n000012;0100;1.234,5-;20270104;99991231\n"
    text += "000013;0100;0,25;00000000;\n"
    typed = read_typed("sap/stock.csv", text.encode("cp1252"))
    schema = typed.table.schema
    assert schema.field("material").type == pa.string()
    assert schema.field("unrestricted").type == pa.decimal32(6, 2)
    assert schema.field("manufactured_on").type == pa.date32()
    assert typed.table.column("material").to_pylist() == ["000012", "000013"]
    rows = typed.table.to_pylist()
    assert rows[0]["expires_on"].isoformat() == "9999-12-31"
    assert rows[1]["manufactured_on"] is None
    assert rows[1]["expires_on"] is None
    assert [r["row_number"] for r in rows] == [2, 3]
    assert {r["source_file"] for r in rows} == {"sap/stock.csv"}
    assert typed.kinds["unrestricted"] is FieldKind.NUMBER
    written = io.BytesIO()
    pyarrow.csv.write_csv(typed.table, written)  # what an inspection writes as rows.csv
    lines = written.getvalue().decode().splitlines()
    assert lines[1].startswith('"000012","0100",-1234.50,2027-01-04,9999-12-31,"sap/stock.csv"')


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b'MATNR;WERKS;CLABS;Text\n0001;0100;1,5;12" pipe, 3" tube\n', "quote character"),
        (b'MATNR;WERKS;CLABS\n0001;0100;"1,5\n', "never closed"),
        (b"|MATNR |WERKS|CLABS|\n|-----|-----|-----|\n|0001 |0100 |1,5 |\n", "SAP list"),
        (b"just some words\nand more\n", "single column"),
    ],
)
def test_what_the_columnar_reader_declines_the_row_path_reads(data: bytes, why: str) -> None:
    assert_same("sap/stock.csv", data, columnar=False)
    with pytest.raises(NotColumnarError, match=why):
        read_typed("sap/stock.csv", data)


def test_typed_extract_types_a_json_extract() -> None:
    data = b'{"d": {"results": [{"Material": "0001", "Plant": "0100", '
    data += b'"MatlWrhsStkQtyInMatlBaseUnit": "12.500", "MaterialBaseUnit": "KG"}]}}'
    parsed = parse_file("sap/stock.json", data)
    [extract] = parsed.extracts
    typed = typed_extract(extract, source_file="sap/stock.json", content_hash=parsed.content_hash)
    [row] = typed.table.to_pylist()
    assert str(row["unrestricted"]) == "12.500"
    assert row["content_hash"] == parsed.content_hash
    with pytest.raises(NotColumnarError, match="JSON"):
        read_typed("sap/stock.json", data)


def test_typed_extract_moves_untypable_rows_to_rejects() -> None:
    extract = parse_file("sap/stock.csv", b"MATNR;WERKS;CLABS\n0001;0100;1,5\n").extracts[0]
    extract.rows[0].values["unrestricted"] = "1,5,5"
    typed = typed_extract(extract)
    assert typed.rows_loaded == 0
    [reject] = typed.rejects
    assert (reject.row_number, reject.column, reject.raw_value) == (2, "CLABS", "1,5,5")


def test_numbers_past_76_digits_keep_their_exact_decimal_text() -> None:
    huge = "1" * 80
    text = f"MATNR;WERKS;CLABS\n0001;0100;{huge},5-\n0002;0100;2,5\n"
    typed = read_typed("sap/stock.csv", text.encode())
    assert typed.table.schema.field("unrestricted").type == pa.string()
    assert typed.table.column("unrestricted").to_pylist() == [f"-{huge}.5", "2.5"]


def test_a_file_cut_off_inside_its_last_record_rejects_that_record() -> None:
    data = (
        b"MATNR;WERKS;LGORT;CHARG;CLABS;MEINS\r\n"
        b"000000000000012345;0100;0001;B1;12,5;KG\r\n"
        b"000000000000012346;0100;0001;B2;3,0;KG\r\n"
        b"000000000000012347;0100;0001;B3;7,5"
    )
    extract = assert_same("sap/stock.csv", data)
    assert extract is not None
    assert [r.row_number for r in extract.rows] == [2, 3]
    [reject] = extract.rejects
    assert (reject.row_number, reject.rule) == (4, "record.truncated")
    # The same short record with a line break after it only leaves out optional columns.
    whole = assert_same("sap/stock.csv", data + b"\r\n")
    assert whole is not None
    assert whole.rejects == []
    assert whole.short_records == 1


def test_identifiers_that_hold_a_list_or_a_line_break_are_rejected_by_both_readers() -> None:
    data = (
        b"MATNR;WERKS;LGORT;CHARG;CLABS\r\n"
        b"000000000000012345;0100;0001;B1;1\r\n"
        b'"[""A"",""B""]";0100;0001;B2;2\r\n'
        b'"0000012347\r\n";0100;0001;B3;3\r\n'
        b"000000000000012348;0100;0001;{B4};4\r\n"
    )
    extract = assert_same("sap/stock.csv", data)
    assert extract is not None
    assert [r.row_number for r in extract.rows] == [2, 6]
    assert [(r.row_number, r.rule) for r in extract.rejects] == [
        (3, "value.identifier"),
        (4, "value.identifier"),
    ]
