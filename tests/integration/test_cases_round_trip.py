"""Users' cases BR-01, BR-03, BR-04 and BR-05 through the real raw and curated assets.

The case files land beside the sample plant; after the main job their values must come
back from the warehouse exactly as the cases expect, on SQLite and on PostgreSQL: keys
with every leading zero, German and trailing-minus numbers, Windows-1252 and UTF-16 text.
"""

from __future__ import annotations

import csv
import io
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from pharma_pipelines.resources import WarehouseResource
from pharma_pipelines.runner import materialize_all
from pharma_pipelines.values import DECIMAL_COMMA, DECIMAL_POINT, parse_sap_number
from pharma_pipelines.warehouse.models import CuratedProduct
from tests.conftest import CASES, SAMPLE_LANDING
from tests.integration.conftest import settings_for

pytestmark = pytest.mark.slow  # each test materializes the whole graph

CASE_FILES = {
    "BR-01": ("material_master.csv", "batch_stock.csv"),
    "BR-03": ("stock_de.csv",),
    "BR-04": ("goods_movements.txt",),
    "BR-05": ("material_texts_utf16.txt", "batch_notes_cp1252.csv", "batch_notes_corrupt.csv"),
}


def _expected(case: str, name: str) -> list[dict[str, str]]:
    text = (CASES / case / name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    if not CASES.is_dir():
        pytest.skip(f"{CASES} is not available")
    target = tmp_path / "landing"
    shutil.copytree(SAMPLE_LANDING, target)
    for case, names in CASE_FILES.items():
        folder = target / "sap" / "cases" / case
        folder.mkdir(parents=True)
        for name in names:
            shutil.copy(CASES / case / name, folder / name)
    return target


def _rows(warehouse: WarehouseResource, entity: str, case: str, name: str) -> list[dict]:
    frame = warehouse.raw().records_frame(entity)
    mine = frame[frame["source_file"] == f"sap/cases/{case}/{name}"].sort_values("row_number")
    return mine.fillna("").to_dict("records")


def _check_round_trip(warehouse: WarehouseResource) -> None:
    master = _rows(warehouse, "sap/material_master", "BR-01", "material_master.csv")
    expected = _expected("BR-01", "expected.csv")
    assert [(r["material"], r["plant"], r["material_group"]) for r in master] == [
        (e["MATNR"], e["WERKS"], e["MATKL"]) for e in expected
    ]
    products = warehouse.curated().frame(CuratedProduct)
    paracetamol = products[products["material"] == "000000000000012345"]
    assert paracetamol[["plant", "family"]].values.tolist() == [["0100", "01010"]]

    stock = _rows(warehouse, "sap/stock", "BR-01", "batch_stock.csv")
    assert [(r["material"], r["batch"]) for r in stock] == [
        (e["MATNR"], e["CHARG"]) for e in _expected("BR-01", "expected_join.csv")
    ]
    materials = {r["material"] for r in master}
    assert all(r["material"] in materials for r in stock)

    german = _rows(warehouse, "sap/stock", "BR-03", "stock_de.csv")
    assert [parse_sap_number(r["unrestricted"], DECIMAL_COMMA) for r in german] == [
        Decimal(e["unrestricted_qty"])
        for e in _expected("BR-03", "expected.csv")
        if e["unrestricted_qty"]
    ]
    [reject] = (
        warehouse.raw()
        .rejects_frame("sap/stock")
        .query("file.str.contains('BR-03')")
        .to_dict("records")
    )
    assert (reject["row"], reject["column"], reject["raw_value"], reject["rule"]) == (
        6,
        "Frei verwendbar",
        "1,234.5",
        "value.number",
    )

    movements = _rows(warehouse, "sap/goods_movements", "BR-04", "goods_movements.txt")
    assert [parse_sap_number(r["quantity"], DECIMAL_POINT) for r in movements] == [
        Decimal(e["MENGE"]) for e in _expected("BR-04", "expected.csv")
    ]

    texts = _rows(warehouse, "sap/material_texts", "BR-05", "material_texts_utf16.txt")
    assert [r["description"] for r in texts] == [
        e["Materialkurztext"] for e in _expected("BR-05", "expected_material_texts.csv")
    ]
    notes = _rows(warehouse, "sap/batch_notes", "BR-05", "batch_notes_cp1252.csv")
    assert [(r["batch"], r["note"], r["value_text"]) for r in notes] == [
        (e["Charge"], e["Bemerkung"], e["Wert"])
        for e in _expected("BR-05", "expected_batch_notes.csv")
    ]
    damaged = _rows(warehouse, "sap/batch_notes", "BR-05", "batch_notes_corrupt.csv")
    assert [r["row_number"] for r in damaged] == [2, 4]
    notes_rejects = warehouse.raw().rejects_frame("sap/batch_notes").to_dict("records")
    assert [(r["row"], r["rule"]) for r in notes_rejects] == [(3, "encoding.undecodable")]
    assert "byte offset 117" in notes_rejects[0]["reason"]


def test_cases_round_trip_through_sqlite(landing, tmp_path, memory_settings, instance):
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    settings = settings_for(landing, memory_settings).model_copy(update={"warehouse_url": url})
    summary = materialize_all(settings, instance)
    assert summary.errors == []
    _check_round_trip(WarehouseResource(url=url))


@pytest.mark.postgres
def test_cases_round_trip_through_postgres(landing, postgres_url, memory_settings, instance):
    settings = settings_for(landing, memory_settings).model_copy(
        update={"warehouse_url": postgres_url}
    )
    summary = materialize_all(settings, instance)
    assert summary.errors == []
    _check_round_trip(WarehouseResource(url=postgres_url))
