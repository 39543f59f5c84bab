import pytest

from pharma_pipelines.warehouse.curated_repository import CuratedRepository
from pharma_pipelines.warehouse.database import make_engine
from pharma_pipelines.warehouse.models import CuratedProduct
from pharma_pipelines.warehouse.raw_repository import (
    FileLoad,
    RawRepository,
    RejectToStore,
    RowToStore,
)
from pharma_pipelines.warehouse.schema import prepare_schema


@pytest.fixture
def engine(warehouse_engine):
    """Every repository test runs on in-memory SQLite and on PostgreSQL: they must agree."""
    return warehouse_engine


def a_load(content_hash: str = "h1") -> FileLoad:
    return FileLoad(
        entity="sap/material_master",
        relative_path="sap/MARA.csv",
        content_hash=content_hash,
        encoding="cp1252",
        layout="csv sep=';'",
        rows=[
            RowToStore(2, {"material": "000000000000012345", "material_group": "00200"}),
            RowToStore(3, {"material": "000000000000000042", "material_group": "00200"}),
        ],
        rejects=[
            RejectToStore(4, "material", "", "required value 'material' is blank", "value.required")
        ],
    )


def test_a_file_version_is_stored_once(engine):
    repository = RawRepository(engine)
    first = repository.store(a_load(), "run-1")
    again = repository.store(a_load(), "run-2")
    assert (first.rows_loaded, first.rows_rejected, first.already_loaded) == (2, 1, False)
    assert again.already_loaded is True
    assert again.rows_loaded == 2
    assert len(repository.records_frame("sap/material_master")) == 2
    accounting = repository.accounting("sap/material_master")
    assert accounting[["rows_read", "rows_loaded", "rows_rejected"]].values.tolist() == [[3, 2, 1]]


def test_identifiers_survive_the_round_trip_as_text(engine):
    repository = RawRepository(engine)
    repository.store(a_load(), "run-1")
    frame = repository.records_frame("sap/material_master")
    assert frame["material"].tolist() == ["000000000000012345", "000000000000000042"]
    assert frame["source_file"].unique().tolist() == ["sap/MARA.csv"]
    rejects = repository.rejects_frame("sap/material_master")
    assert rejects[["row", "column"]].values.tolist() == [[4, "material"]]


def test_a_landing_file_version_is_recorded_once(engine):
    repository = RawRepository(engine)
    assert repository.record_landing_file("sap/MARA.csv", "h1", 10, "k", "", "run-1") is True
    assert repository.record_landing_file("sap/MARA.csv", "h1", 10, "k", "", "run-2") is False
    assert repository.record_landing_file("sap/MARA.csv", "h2", 11, "k", "", "run-2") is True
    inventory = repository.landing_files()
    assert sorted((f.content_hash, f.run_id) for f in inventory) == [
        ("h1", "run-1"),
        ("h2", "run-2"),
    ]


def test_a_new_version_of_the_same_path_withdraws_the_old_rows(engine):
    repository = RawRepository(engine)
    repository.store(a_load("h1"), "run-1")
    second = repository.store(a_load("h2"), "run-2")
    assert second.already_loaded is False
    current = repository.records_frame("sap/material_master")
    assert len(current) == 2
    assert set(current["file_id"]) == {2}
    assert repository.entity_counts(["sap/material_master"]) == {"sap/material_master": 4}


def test_curated_replace_swaps_rows_and_issues_together(engine):
    repository = CuratedRepository(engine)
    row = {"material": "M1", "family": "F1", "raw_record_ids": [1]}
    issue = {
        "entity": "sap/material_master",
        "source_file": "f.csv",
        "row_number": 3,
        "column_name": "shelf_life_days",
        "raw_value": "x",
        "reason": "not a number",
    }
    repository.replace(CuratedProduct, [row, {**row, "material": "M2"}], [issue])
    repository.replace(CuratedProduct, [row], [])
    assert repository.count(CuratedProduct) == 1
    assert repository.issues(CuratedProduct).empty


def test_a_warehouse_without_migration_history_is_refused_and_left_as_it_was():
    from sqlalchemy import text

    from pharma_pipelines.warehouse.database import WarehouseSchemaError

    engine = make_engine("sqlite://")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE raw_reject (id INTEGER PRIMARY KEY, kept TEXT)"))
        connection.execute(text("INSERT INTO raw_reject (kept) VALUES ('yes')"))
    with pytest.raises(WarehouseSchemaError, match=r"raw_reject.*no migration history"):
        prepare_schema(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT kept FROM raw_reject")).scalar() == "yes"
        tables = connection.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))
        assert tables.scalars().all() == ["raw_reject"]
    engine.dispose()


def save_a_schedule(
    repository, problem_hash: str, verified: bool, run_id: str, plant: str = "0100"
) -> int:
    return repository.save_schedule(
        plant=plant,
        problem_hash=problem_hash,
        status="FEASIBLE" if verified else "INFEASIBLE",
        objective=1.0 if verified else None,
        bound=None,
        gap=None,
        solve_seconds=0.1,
        verified=verified,
        schedule={"status": "FEASIBLE" if verified else "INFEASIBLE"},
        lines=[],
        run_id=run_id,
    )


def test_the_previously_published_schedule_is_the_last_verified_one_before(engine):
    from pharma_pipelines.warehouse.planning_repository import PlanningRepository

    repository = PlanningRepository(engine)
    first = save_a_schedule(repository, "p1", verified=True, run_id="run-1")
    failed = save_a_schedule(repository, "p2", verified=False, run_id="run-2")
    other_plant = save_a_schedule(repository, "q1", verified=True, run_id="run-3", plant="0200")
    current = save_a_schedule(repository, "p3", verified=True, run_id="run-4")

    previous = repository.published_before("0100", current)
    assert previous is not None
    assert (previous.id, previous.run_id) == (first, "run-1")
    assert repository.published_before("0100", failed).id == first
    assert repository.published_before("0100", first) is None
    assert repository.published_before("0200", current).id == other_plant
    assert repository.latest_schedule("0200").id == other_plant


def test_problems_are_kept_per_plant(engine):
    from pharma_pipelines.warehouse.planning_repository import PlanningRepository

    repository = PlanningRepository(engine)
    repository.save_problem("0100", "h1", {"name": "a"}, 1, "run-1")
    repository.save_problem("0200", "h1", {"name": "a"}, 1, "run-1")
    repository.save_problem("0200", "h2", {"name": "b"}, 2, "run-2")
    assert repository.latest_problem("0100").content_hash == "h1"
    assert repository.latest_problem("0200").content_hash == "h2"
    assert repository.latest_problem("0300") is None
    assert repository.problem_by_hash("0200", "h1").plant == "0200"


def test_the_same_problem_again_becomes_the_latest_once_more_and_is_kept_once(engine):
    from sqlalchemy import func, select

    from pharma_pipelines.warehouse.models import PlanningProblem
    from pharma_pipelines.warehouse.planning_repository import PlanningRepository

    repository = PlanningRepository(engine)
    repository.save_problem("0100", "h1", {"name": "a"}, 1, "run-1")
    repository.save_problem("0100", "h2", {"name": "b"}, 2, "run-2")
    repository.save_problem("0100", "h1", {"name": "a"}, 1, "run-3")
    latest = repository.latest_problem("0100")
    assert (latest.content_hash, latest.run_id) == ("h1", "run-3")
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(PlanningProblem)).scalar() == 2


def test_text_with_copy_s_delimiters_and_escapes_survives_the_round_trip(engine):
    # On PostgreSQL rows go in by COPY, whose text format gives tab, newline, carriage
    # return and backslash a meaning; \N is its NULL. Each must come back as written.
    awkward = {
        "tab": "a\tb",
        "lines": "a\nb\r\nc",
        "backslash": "C:\\landing\\MARA.csv",
        "null_marker": "\\N",
        "quotes": 'say "yes"',
        "umlaut": "Köln-Süd 2–8 °C",
        "empty": "",
    }
    load = FileLoad(
        entity="sap/material_master",
        relative_path="sap/MARA\tweird.csv",
        content_hash="h1",
        encoding="utf-8",
        layout="csv",
        rows=[RowToStore(2, awkward)],
        rejects=[RejectToStore(3, "material", "\\N\t\n", "odd value", "value.required")],
    )
    repository = RawRepository(engine)
    repository.store(load, "run-1")
    [record] = repository.records_frame("sap/material_master").to_dict("records")
    assert {key: record[key] for key in awkward} == awkward
    assert record["source_file"] == "sap/MARA\tweird.csv"
    [reject] = repository.rejects_frame("sap/material_master").to_dict("records")
    assert reject["raw_value"] == "\\N\t\n"
