"""Scenarios of warehouse_storage.feature."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dagster as dg
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from pharma_pipelines.ingestion import content_hash
from pharma_pipelines.keys import INVENTORY_KEY, raw_key
from pharma_pipelines.resources import WarehouseResource
from pharma_pipelines.settings import PlatformSettings
from pharma_pipelines.warehouse.database import make_engine
from pharma_pipelines.warehouse.disposition_repository import Decision, DispositionToRecord
from pharma_pipelines.warehouse.models import LandingFile, LoadedFile, RawRecord
from pharma_pipelines.warehouse.schema import upgrade
from tests.conftest import SAMPLE_LANDING, migrated
from tests.features.support import CommandResult, materialize, run_command

scenarios("warehouse_storage.feature")

WORK_CENTERS = "sap/CRHD_work_centers_20270104.txt"


@given(parsers.parse("an empty warehouse on {database}"), target_fixture="settings")
def _empty_warehouse(database: str, tmp_path: Path, request) -> PlatformSettings:
    if database == "SQLite":
        url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    else:
        assert database == "PostgreSQL", database
        # A server warehouse is migrated before use.
        url = migrated(request.getfixturevalue("postgres_warehouse_url"))
    landing = tmp_path / "landing"
    (landing / "sap").mkdir(parents=True)
    (landing / WORK_CENTERS).write_bytes((SAMPLE_LANDING / WORK_CENTERS).read_bytes())
    return PlatformSettings(landing_zone=str(landing), warehouse_url=url)


@when("the sample's work centers extract is materialized into it", target_fixture="run")
def _materialize(settings: PlatformSettings, instance: dg.DagsterInstance):
    result = materialize(settings, instance, [INVENTORY_KEY, raw_key("sap/work_centers")])
    assert result.success
    return result


@then("its raw rows read back with their file and the file's SHA-256")
def _rows_read_back(settings: PlatformSettings) -> None:
    raw = WarehouseResource(url=settings.warehouse_url).raw()
    [loaded] = [f for f in raw.loaded_files() if f.entity == "sap/work_centers"]
    data = (SAMPLE_LANDING / WORK_CENTERS).read_bytes()
    assert (loaded.relative_path, loaded.content_hash) == (WORK_CENTERS, content_hash(data))
    rows = raw.records_frame("sap/work_centers")
    lines = data.decode("utf-8").splitlines()
    assert len(rows) == loaded.rows_loaded == len(lines) - 1
    for row in rows.itertuples():
        assert lines[row.row_number - 1].startswith(f"{row.work_center}\t{row.plant}\t")


@then("a steward's decision written to it reads back intact with its SHA-256")
def _decision_round_trip(settings: PlatformSettings) -> None:
    repository = WarehouseResource(url=settings.warehouse_url).dispositions()
    recorded = repository.add(
        DispositionToRecord(
            decision=Decision.ACCEPT,
            reason="OOS traced to a mis-set column oven, INV-2027-004",
            decided_by="qa.steward",
            asset_key="curated/batches",
            check_name="released_batches_have_no_valid_oos",
            partition_key=None,
            evaluation_id=7,
            evaluation_run_id="run-of-the-check",
            evaluated_at=dt.datetime(2027, 1, 5, 10, 30, tzinfo=dt.UTC),
            evaluation_description="1 of 2 released batches have a valid OOS result",
            materialization_storage_id=3,
            materialization_run_id="run-of-the-asset",
            materialized_at=dt.datetime(2027, 1, 5, 9, 0, tzinfo=dt.UTC),
            data_version="0f3a",
        )
    )
    [stored] = repository.all()
    assert stored == recorded
    assert stored.intact
    assert len(stored.content_hash) == 64


@given(
    parsers.parse('a SQLite warehouse whose append-only table "{table}" lost its triggers'),
    target_fixture="old_url",
)
def _untriggered_warehouse(tmp_path: Path, table: str) -> str:
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as connection:
        names = connection.execute(
            text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :table"),
            {"table": table},
        ).scalars()
        for name in list(names):
            connection.execute(text(f'DROP TRIGGER "{name}"'))
    engine.dispose()
    return url


@given(
    parsers.parse('a PostgreSQL warehouse migrated only to revision "{revision}"'),
    target_fixture="old_url",
)
def _older_revision(revision: str, request) -> str:
    url = request.getfixturevalue("postgres_warehouse_url")
    engine = make_engine(url)
    upgrade(engine, revision)
    engine.dispose()
    return url


@when("the sample plant is materialized into it with the command line", target_fixture="command")
def _materialize_old(old_url: str, capsys, command_line_instance) -> CommandResult:
    return run_command(
        capsys, "materialize", "--landing", str(SAMPLE_LANDING), "--warehouse", old_url
    )


@then(parsers.parse('the message says "{table}" is without its triggers'))
def _says_untriggered(command: CommandResult, table: str) -> None:
    assert "append-only table without its triggers" in command.out, command.out[-2000:]
    assert f"{table} lacks" in command.out


@then(parsers.parse('the message names the command "{command_name}"'))
def _names_command(command: CommandResult, command_name: str) -> None:
    assert command_name in command.out, command.out[-2000:]
    assert "nothing was read or written" in command.out


@then("nothing was loaded into it")
def _nothing_loaded(old_url: str) -> None:
    engine = make_engine(old_url)
    with Session(engine) as session:
        for model in (LandingFile, RawRecord):
            assert session.scalar(select(func.count()).select_from(model)) == 0
        assert (
            session.execute(text(f"select count(*) from {LoadedFile.__tablename__}")).scalar() == 0
        )
    engine.dispose()
