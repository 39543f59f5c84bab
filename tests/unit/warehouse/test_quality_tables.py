"""Typed reads, content versions, exclusions and kept validations in the warehouse."""

import pytest
from sqlalchemy import text

from pharma_pipelines.warehouse.curated_repository import CuratedRepository
from pharma_pipelines.warehouse.database import make_engine
from pharma_pipelines.warehouse.models import CuratedBatchYield, CuratedProduct
from pharma_pipelines.warehouse.quality_repository import QualityRepository
from pharma_pipelines.warehouse.raw_repository import FileLoad, RawRepository, RowToStore
from pharma_pipelines.warehouse.schema import prepare_schema
from tests.unit.warehouse.test_repositories import a_load


@pytest.fixture
def engine(warehouse_engine):
    return warehouse_engine


@pytest.fixture
def sqlite_engine():
    engine = make_engine("sqlite://")
    prepare_schema(engine)
    yield engine
    engine.dispose()


YIELDS = [
    {"batch": "B1", "container_count": 12, "yield_pct": 98.4, "raw_record_ids": [1]},
    {"batch": "B2", "container_count": None, "yield_pct": 97.9, "raw_record_ids": [2]},
    {"batch": "B3", "container_count": 10, "yield_pct": None, "raw_record_ids": [3]},
]


def test_a_nullable_integer_is_read_as_int64(engine):
    repository = CuratedRepository(engine)
    repository.replace(CuratedBatchYield, YIELDS)
    frame = repository.snapshot(CuratedBatchYield).frame
    assert str(frame["container_count"].dtype) == "Int64"
    assert frame["container_count"].tolist()[0] == 12
    assert frame["container_count"].isna().tolist() == [False, True, False]
    assert str(frame["yield_pct"].dtype) == "Float64"


def test_sqlite_stores_a_nullable_integer_as_integer(sqlite_engine):
    # SQLite types values, not columns: a NULL beside whole numbers must not make them REAL.
    repository = CuratedRepository(sqlite_engine)
    repository.replace(CuratedBatchYield, YIELDS)
    with sqlite_engine.connect() as connection:
        stored = connection.execute(
            text("SELECT typeof(container_count) FROM curated_batch_yield ORDER BY batch")
        ).scalars()
        assert list(stored) == ["integer", "null", "integer"]


def test_the_content_version_ignores_row_order_and_lineage_but_not_values(engine):
    repository = CuratedRepository(engine)
    repository.replace(CuratedBatchYield, YIELDS)
    first = repository.content_version(CuratedBatchYield)
    relinked = [{**row, "raw_record_ids": [row["raw_record_ids"][0] + 100]} for row in YIELDS]
    repository.replace(CuratedBatchYield, list(reversed(relinked)))
    assert repository.content_version(CuratedBatchYield) == first
    assert repository.snapshot(CuratedBatchYield).version == first
    repository.replace(CuratedBatchYield, [{**YIELDS[0], "container_count": 13}, *YIELDS[1:]])
    assert repository.content_version(CuratedBatchYield) != first


def test_exclusions_are_replaced_with_their_table(engine):
    repository = CuratedRepository(engine)
    excluded = {
        "entity": "sap/material_master",
        "raw_record_id": 7,
        "source_file": "f.csv",
        "row_number": 9,
        "kind": "superseded",
        "reason": "a newer extract holds the same (material)",
    }
    row = {"material": "M1", "family": "F1", "raw_record_ids": [1]}
    repository.replace(CuratedProduct, [row], [], [excluded])
    assert repository.exclusions(CuratedProduct).to_dict("records") == [excluded]
    repository.replace(CuratedProduct, [row])
    assert repository.exclusions(CuratedProduct).empty


def test_a_raw_entity_s_version_changes_with_a_new_file_only(engine):
    repository = RawRepository(engine)
    repository.store(a_load("h1"), "run-1")
    first = repository.entity_version("sap/material_master")
    repository.store(a_load("h1"), "run-2")
    assert repository.entity_version("sap/material_master") == first
    repository.store(a_load("h2"), "run-3")
    assert repository.entity_version("sap/material_master") != first


def test_lineage_and_file_times_of_the_current_rows(engine):
    repository = RawRepository(engine)
    repository.record_landing_file("sap/MARA.csv", "h1", 10, "sap/material_master", "", "run-1")
    repository.store(a_load("h1"), "run-1")
    lineage = repository.lineage_frame("sap/material_master")
    assert lineage[["source_file", "row_number", "entity"]].values.tolist() == [
        ["sap/MARA.csv", 2, "sap/material_master"],
        ["sap/MARA.csv", 3, "sap/material_master"],
    ]
    times = repository.file_times("sap/material_master")
    assert times["relative_path"].tolist() == ["sap/MARA.csv"]
    assert times["first_seen_at"].notna().all()
    unlisted = FileLoad(
        entity="sap/stock",
        relative_path="sap/stock.csv",
        content_hash="h9",
        encoding="utf-8",
        layout="csv",
        rows=[RowToStore(2, {"material": "M"})],
    )
    repository.store(unlisted, "run-2")
    # a file the inventory never listed counts from its load
    assert repository.file_times("sap/stock")["first_seen_at"].notna().all()


def test_a_validation_is_kept_by_run(engine):
    repository = QualityRepository(engine)
    kept = repository.save_validation(
        run_id="run-1",
        asset_key="curated/batch_yields",
        suite="curated_batch_yields",
        suite_version=1,
        data_version="abc",
        success=False,
        expectations=7,
        failed=2,
        result={"success": False, "results": []},
    )
    [record] = repository.validations("run-1")
    assert (record.id, record.suite_version, record.failed) == (kept, 1, 2)
    assert record.result == {"success": False, "results": []}
    assert repository.validations("run-2") == []
