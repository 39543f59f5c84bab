"""Each labelled defect of the broken set is really in its file, at the line it names."""

from __future__ import annotations

import csv
import io
import re

import pytest

from pharma_pipelines.sample import Defect
from tests.unit.sample.landing_reader import DE_NUMBER, Landing, attachments, documented_variants

EXPECTED_CODES = {
    "duplicate_material_key",
    "order_for_unknown_material",
    "blank_required_field",
    "unparsable_quantity",
    "released_batch_out_of_spec",
    "oos_invalidated_without_reason",
    "undecodable_byte",
    "mail_line_for_unknown_material",
    "unknown_unit",
    "unclassifiable_file",
}
MARA = "sap/MARA_"


def _defect(broken: Landing, code: str) -> Defect:
    return next(defect for defect in broken.summary.defects if defect.code == code)


def _row(broken: Landing, defect: Defect, encoding: str, separator: str) -> dict[str, str]:
    rows = broken.rows(defect.file, encoding, separator)
    return next(row for row in rows if row["_line"] == str(defect.row))


def _known_materials(broken: Landing) -> set[str]:
    return {row["Materialnummer"] for row in broken.rows(MARA, "cp1252", ";")}


def test_clean_set_has_no_defects(clean: Landing) -> None:
    assert clean.summary.defects == ()


def test_broken_set_lists_each_fault_class_once(broken: Landing) -> None:
    codes = [defect.code for defect in broken.summary.defects]

    assert sorted(codes) == sorted(EXPECTED_CODES)
    assert all(defect.description for defect in broken.summary.defects)


def test_broken_set_is_the_same_plant_outside_the_defective_files(
    clean: Landing, broken: Landing
) -> None:
    defective = {defect.file for defect in broken.summary.defects}
    clean_files = {f.path: f.sha256 for f in clean.summary.files}
    for written in broken.summary.files:
        if written.path not in defective:
            assert clean_files[written.path] == written.sha256, written.path
    assert broken.summary.counts == clean.summary.counts


def test_duplicate_material_key(broken: Landing) -> None:
    defect = _defect(broken, "duplicate_material_key")
    rows = broken.rows(MARA, "cp1252", ";")

    assert _row(broken, defect, "cp1252", ";")["Materialnummer"] == defect.value
    assert sum(row["Materialnummer"] == defect.value for row in rows) == 2


def test_order_for_unknown_material(broken: Landing) -> None:
    defect = _defect(broken, "order_for_unknown_material")
    row = _row(broken, defect, "utf-8", "\t")

    assert row["MATNR"] == defect.value
    assert defect.value not in _known_materials(broken)
    assert row["STTXT"].split()[0] in ("CRTD", "REL")


def test_blank_required_field(broken: Landing) -> None:
    defect = _defect(broken, "blank_required_field")

    assert _row(broken, defect, "utf-8", ",")[defect.column or ""] == ""


def test_unparsable_quantity(broken: Landing) -> None:
    defect = _defect(broken, "unparsable_quantity")
    value = _row(broken, defect, "utf-8", ";")[defect.column or ""]

    assert value == defect.value
    assert not DE_NUMBER.match(value)


def test_released_batch_out_of_spec(broken: Landing) -> None:
    defect = _defect(broken, "released_batch_out_of_spec")
    row = _row(broken, defect, "utf-8", ",")
    decision = {
        r["Lot"]: r["Disposition"] for r in broken.rows("lims/batch_disposition_", "utf-8", ",")
    }
    samples = {r["Sample ID"]: r["Material"] for r in broken.rows("lims/samples_", "utf-8", ",")}
    spec = next(
        s
        for s in broken.rows("lims/specifications_", "utf-8", ",")
        if s["Material"] == samples[row["Sample ID"]] and s["Test"] == row["Test"]
    )

    assert row["Result"] == defect.value
    assert decision[row["Batch"]] == "RELEASED"
    assert spec["Release Relevant"] == "Y"
    assert float(row["Result"]) < float(spec["Min"])


def test_oos_invalidated_without_reason(broken: Landing, clean: Landing) -> None:
    defect = _defect(broken, "oos_invalidated_without_reason")
    row = _row(broken, defect, "utf-8", ",")
    before = next(
        r for r in clean.rows(defect.file, "utf-8", ",") if r["Result ID"] == row["Result ID"]
    )

    assert row["Result Status"] == "Invalidated"
    assert row["Invalidation Reason"] == ""
    assert before["Invalidation Reason"].startswith("Sampling error")
    assert before["Invalidation Reason"] in defect.description


def test_undecodable_byte(broken: Landing) -> None:
    defect = _defect(broken, "undecodable_byte")
    data = broken.raw(defect.file)

    with pytest.raises(UnicodeDecodeError) as error:
        data.decode("utf-8")
    offset = error.value.start
    assert data[offset : offset + 1] == bytes.fromhex(defect.value.removeprefix("0x"))
    assert data[:offset].count(b"\n") + 1 == defect.row
    assert f"offset {offset}" in defect.description


def test_mail_line_for_unknown_material(broken: Landing) -> None:
    defect = _defect(broken, "mail_line_for_unknown_material")
    files = attachments(broken.mail(defect.file))
    text = files[defect.attachment or ""].decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, line = rows[0], rows[(defect.row or 0) - 1]

    assert line[header.index(defect.column or "")] == defect.value
    assert defect.value not in _known_materials(broken)


def test_unknown_unit(broken: Landing) -> None:
    defect = _defect(broken, "unknown_unit")
    files = attachments(broken.mail(defect.file))
    text = files[defect.attachment or ""].decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    header, line = rows[0], rows[(defect.row or 0) - 1]
    t006 = [row.split(",") for row in broken.raw("sap/T006_").decode("utf-8").splitlines()]
    codes = {code.upper() for row in t006 for code in (row[1], row[16])}

    assert line[header.index(defect.column or "")] == defect.value
    assert defect.value.upper() not in codes


def test_unclassifiable_file(broken: Landing) -> None:
    defect = _defect(broken, "unclassifiable_file")
    header = broken.raw(defect.file).decode("utf-8").splitlines()[0].split("\t")
    every_variant = set().union(*documented_variants().values())

    assert defect.row is None
    assert header == defect.value.split("\t")
    assert not {column.lower() for column in header} & every_variant
    assert re.fullmatch(r"sap/ZQM_\w+\.txt", defect.file)
