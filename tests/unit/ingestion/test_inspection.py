"""`inspect`: one file as the raw layer reads it, typed the way the curated layer will."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from pharma_pipelines.ingestion import REJECT_RULES
from pharma_pipelines.ingestion.inspection import (
    inspect_bytes,
    inspect_file,
    landed_name,
    render,
    write_outputs,
)
from pharma_pipelines.ingestion.parse import UnknownKindError

from .conftest import REALDATA

STOCK = (
    "MATNR;WERKS;LGORT;CHARG;CLABS;MEINS;HSDAT;Lagerplatz\r\n"
    "000000000000012345;0100;0001;0000012345;1.234,56-;KG;20240305;Kühlraum 2–8 °C\r\n"
    "000000000000000042;0100;0001;0000000077;12,5;ST;00000000;\r\n"
    "000000000000067890;0100;0002;0000009001;12.5,0;KG;99991231;\r\n"
    "API-7788-X;0200;0001;B-1;0,750;KG;31.12.2024;Halle „B“\r\n"
)


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_typed_rows_keep_identifiers_exact_and_type_numbers_and_dates(tmp_path) -> None:
    inspection = inspect_bytes("sap/MCHB.csv", STOCK.encode("cp1252"))
    [typed] = inspection.typed
    assert typed.entity == "sap/stock"
    assert (inspection.rows_read, inspection.rows_loaded, inspection.rows_rejected) == (4, 3, 1)
    assert typed.table.column("unrestricted").to_pylist() == [
        Decimal("-1234.56"),
        Decimal("12.5"),
        Decimal("0.750"),
    ]
    rows, rejects = write_outputs(inspection, tmp_path)
    written = _read(rows)
    assert [r["material"] for r in written] == [
        "000000000000012345",
        "000000000000000042",
        "API-7788-X",
    ]
    assert [r["plant"] for r in written] == ["0100", "0100", "0200"]
    # Numbers are plain decimals at the column's scale: exact, and read back as numbers.
    assert [Decimal(r["unrestricted"]) for r in written] == [
        Decimal("-1234.56"),
        Decimal("12.5"),
        Decimal("0.750"),
    ]
    assert all("E" not in r["unrestricted"] for r in written)
    assert [r["manufactured_on"] for r in written] == ["2024-03-05", "", "2024-12-31"]
    assert [r["row_number"] for r in written] == ["2", "3", "5"]
    assert [r["Lagerplatz"] for r in written] == ["Kühlraum 2–8 °C", "", "Halle „B“"]
    assert {r["content_hash"] for r in written} == {inspection.parsed.content_hash}
    [reject] = _read(rejects)
    assert (reject["line"], reject["column"], reject["value"], reject["rule"]) == (
        "4",
        "CLABS",
        "12.5,0",
        "value.number",
    )
    assert reject["rule"] in REJECT_RULES
    assert "de-DE" in reject["message"]
    assert inspection.exit_code == 1


def test_report_names_kind_encoding_layout_counts_and_rejects() -> None:
    report = render(inspect_bytes("sap/MCHB.csv", STOCK.encode("cp1252")))
    assert "== sap/stock" in report
    assert "encoding:  Windows-1252" in report
    assert "csv sep=';' decimal=','" in report
    assert "read 4 = loaded 3 + rejected 1" in report
    assert "line 4 column 'CLABS' [value.number]" in report
    assert "material <- 'MATNR' (identifier)" in report


def test_a_quarantined_file_is_one_reject_row_with_its_reason(tmp_path) -> None:
    inspection = inspect_bytes("sap/notes.txt", b"just some words\nand more\n")
    assert inspection.quarantined
    assert inspection.exit_code == 1
    _, rejects = write_outputs(inspection, tmp_path)
    [row] = _read(rejects)
    assert row["rule"] == "file.quarantined"
    assert "no header" in row["message"]
    assert "QUARANTINED" in render(inspection)


def test_a_clean_file_exits_zero() -> None:
    clean = STOCK.replace("12.5,0", "12,0")
    assert inspect_bytes("sap/MCHB.csv", clean.encode()).exit_code == 0


def test_kind_forces_the_reading_and_says_what_is_missing() -> None:
    as_stock = inspect_bytes("sap/MCHB.csv", STOCK.encode(), kind="sap/stock")
    assert as_stock.rows_loaded == 3
    as_orders = inspect_bytes("sap/MCHB.csv", STOCK.encode(), kind="sap/production_orders")
    assert as_orders.quarantined
    reason = as_orders.parsed.quarantine_reason or ""
    assert "sap/production_orders" in reason
    assert "lacks required" in reason
    with pytest.raises(UnknownKindError, match="sap/stock"):
        inspect_bytes("sap/MCHB.csv", STOCK.encode(), kind="sap/nonsense")


def test_the_source_folder_of_a_path_names_the_landed_file(tmp_path) -> None:
    path = tmp_path / "landing" / "lims" / "results.csv"
    path.parent.mkdir(parents=True)
    path.write_text("x")
    assert landed_name(path) == "lims/results.csv"
    assert landed_name(tmp_path / "loose.csv") == "loose.csv"


def test_every_real_file_inspects_without_error_and_reconciles(tmp_path) -> None:
    files = sorted(p for p in REALDATA.rglob("*") if p.is_file()) if REALDATA.is_dir() else []
    if not files:
        pytest.skip(f"{REALDATA} is not available")
    for number, path in enumerate(files):
        inspection = inspect_file(path)
        assert inspection.rows_read == inspection.rows_loaded + inspection.rows_rejected
        assert inspection.typing_problems == [], path
        assert render(inspection)
        rows, rejects = write_outputs(inspection, tmp_path / str(number))
        written = len(_read(rows))
        assert written == inspection.rows_loaded, path
        assert len(_read(rejects)) == (1 if inspection.quarantined else inspection.rows_rejected)
