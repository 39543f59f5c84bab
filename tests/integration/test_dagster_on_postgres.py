"""Production storage end to end: Dagster's runs, events and schedules on PostgreSQL (the
storage section of deploy/dagster.production.yaml, read from the DAGSTER_PG_ variables), the
warehouse in another database on the same server, under its migrations.

The whole graph is materialized, and the runs, materializations, check evaluations and the
landing-zone sensor's cursor are read back through a second instance opened on the same
storage. Then every session on the test's two databases is ended in the middle of a load,
as a server restart would end them (BR-17; other databases on the shared server are left
alone): the run fails with an error that names the lost connection and makes no claim about
migrations, no run is left hanging, and the next run loads the file exactly once.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import dagster as dg
import pytest
import yaml
from dagster._core.definitions.run_request import InstigatorType
from dagster._core.remote_origin import InProcessCodeLocationOrigin
from dagster._core.test_utils import create_test_daemon_workspace_context
from dagster._core.types.loadable_target_origin import LoadableTargetOrigin
from dagster._core.workspace.load_target import InProcessWorkspaceLoadTarget
from dagster._daemon.sensor import execute_sensor_iteration
from sqlalchemy import create_engine, make_url, text

from benchmarks.ingest import write_extract
from pharma_pipelines.runner import EXIT_OK, materialize_all
from pharma_pipelines.sensors.landing_zone import SeenVersions, landing_zone_sensor
from pharma_pipelines.warehouse.database import make_engine
from pharma_pipelines.warehouse.schema import upgrade
from tests.conftest import PROJECT_ROOT, SAMPLE_LANDING
from tests.integration.conftest import settings_for

pytestmark = pytest.mark.postgres

INSTANCE_FILE = PROJECT_ROOT / "deploy" / "dagster.production.yaml"
TERMINAL = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE}


@pytest.fixture
def dagster_home(
    new_postgres_database: Callable[[], str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """DAGSTER_HOME with the production storage, pointed at a database of its own."""
    url = make_url(new_postgres_database())
    for variable, value in {
        "DAGSTER_PG_HOST": url.host or "127.0.0.1",
        "DAGSTER_PG_PORT": str(url.port or 5432),
        "DAGSTER_PG_DB": url.database or "",
        "DAGSTER_PG_USER": url.username or "",
        "DAGSTER_PG_PASSWORD": url.password or "",
    }.items():
        monkeypatch.setenv(variable, value)
    config = yaml.safe_load(INSTANCE_FILE.read_text(encoding="utf-8"))
    # The throwaway server has no certificate; ECS tasks and S3 need AWS (tested elsewhere).
    config["storage"]["postgres"]["postgres_db"]["params"]["sslmode"] = "prefer"
    del config["run_launcher"], config["compute_logs"]
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return home


@pytest.fixture
def warehouse(postgres_database: str) -> str:
    engine = make_engine(postgres_database)
    upgrade(engine)
    engine.dispose()
    return postgres_database


@pytest.fixture
def instance(dagster_home: Path) -> Iterator[dg.DagsterInstance]:
    with dg.DagsterInstance.from_config(str(dagster_home)) as opened:
        yield opened


def _tick_the_sensor(instance: dg.DagsterInstance) -> None:
    """One iteration of the real sensor daemon over the product's code location."""
    origin = InProcessCodeLocationOrigin(
        loadable_target_origin=LoadableTargetOrigin(
            executable_path=sys.executable,
            module_name="pharma_pipelines.definitions",
            working_directory=str(PROJECT_ROOT),
        ),
        location_name="pharma_pipelines",
    )
    with create_test_daemon_workspace_context(
        InProcessWorkspaceLoadTarget(origin), instance
    ) as context:
        location = context.create_request_context().get_code_location("pharma_pipelines")
        [repository] = location.get_repositories().values()
        instance.start_sensor(repository.get_sensor(landing_zone_sensor.name))
        list(execute_sensor_iteration(context, logging.getLogger("sensor"), None, None))


def test_the_whole_graph_is_stored_in_postgres_and_reads_back(
    dagster_home, instance, warehouse, memory_settings, fresh_engines
):
    settings = settings_for(SAMPLE_LANDING, memory_settings).model_copy(
        update={"warehouse_url": warehouse}
    )
    summary = materialize_all(settings, instance)
    assert summary.errors == []
    assert summary.exit_code == EXIT_OK
    _tick_the_sensor(instance)

    # A second instance on the same storage sees everything: it lives in the database.
    with dg.DagsterInstance.from_config(str(dagster_home)) as reopened:
        runs = {run.run_id: run for run in reopened.get_runs()}
        executed = {summary.run_id, *summary.plant_runs.values()}
        assert {runs[run_id].status for run_id in executed} == {dg.DagsterRunStatus.SUCCESS}
        # The sensor's run requests wait in the queue of the production run coordinator.
        queued = [run for run_id, run in runs.items() if run_id not in executed]
        assert queued
        assert {run.status for run in queued} == {dg.DagsterRunStatus.QUEUED}

        for key in (k for k in summary.assets_materialized if "[" not in k):
            event = reopened.get_latest_materialization_event(dg.AssetKey.from_user_string(key))
            assert event is not None, f"{key}: no materialization read back"
            assert event.run_id == summary.run_id
        plans = reopened.get_materialized_partitions(
            dg.AssetKey.from_user_string("planning/production_schedule")
        )
        assert plans == set(settings.plants)

        evaluations = {
            f"{c.asset_key.to_user_string()}:{c.name}": record
            for c, record in reopened.event_log_storage.get_latest_asset_check_execution_by_key(
                [
                    dg.AssetCheckKey(dg.AssetKey.from_user_string(c.asset), c.check)
                    for c in summary.checks
                    if c.partition is None
                ]
            ).items()
            if record is not None
        }
        assert set(evaluations) == {
            f"{c.asset}:{c.check}" for c in summary.checks if c.partition is None
        }

        [state] = reopened.all_instigator_state(instigator_type=InstigatorType.SENSOR)
        seen = SeenVersions.from_cursor(state.instigator_data.cursor)
        landed = [p for p in SAMPLE_LANDING.rglob("*") if p.is_file()]
        assert len(seen.handled) + len(seen.waiting) == len(landed)

    server = create_engine(make_url(warehouse).set(database=os.environ["DAGSTER_PG_DB"]))
    with server.connect() as connection:
        stored_runs = connection.execute(text("SELECT count(*) FROM runs")).scalar()
        events = connection.execute(
            text(
                "SELECT count(*) FROM event_logs WHERE dagster_event_type = 'ASSET_MATERIALIZATION'"
            )
        ).scalar()
    server.dispose()
    assert stored_runs == len(runs)
    assert events >= len(summary.assets_materialized)


# --- BR-17: the connections drop in the middle of a run -----------------------------------


STOCK_ROWS = 150_000


def _drop_every_connection_during_the_copy(
    server_url: str, databases: list[str], stop: threading.Event
) -> list[int]:
    """Wait until a product session is copying the large extract, then end every session
    on this test's own ``databases`` (warehouse and Dagster storage) but this one, the way a
    restart does; other databases on the shared server are left alone. Returns the ended
    sessions' ids."""
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    ended: list[int] = []
    with engine.connect() as connection:
        while not stop.is_set():
            # Only the large extract's COPY gets this far: the sample's files are small.
            copying = connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_progress_copy p JOIN pg_class c "
                    "ON c.oid = p.relid WHERE p.datname = ANY(:databases) "
                    "AND c.relname = 'raw_record' AND p.tuples_processed > :rows"
                ),
                {"databases": databases, "rows": STOCK_ROWS // 10},
            ).scalar()
            if copying:
                # Pick the sessions first and end them one by one: in a single statement
                # PostgreSQL may call pg_terminate_backend before it filters on the database,
                # and so end sessions of other databases on the shared server.
                sessions = connection.execute(
                    text(
                        "SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                        "AND datname = ANY(:databases) AND backend_type = 'client backend'"
                    ),
                    {"databases": databases},
                ).scalars()
                ended = [
                    pid
                    for pid in list(sessions)
                    if connection.execute(
                        text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}
                    ).scalar()
                ]
                break
            stop.wait(0.02)
    engine.dispose()
    return ended


def _loads_of_the_large_extract(warehouse: str) -> tuple[int, int, int]:
    """(loads recorded, rows they claim, raw rows stored) for the large stock extract."""
    engine = create_engine(warehouse)
    with engine.connect() as connection:
        loads, claimed = connection.execute(
            text(
                "SELECT count(*), coalesce(sum(rows_loaded), 0) FROM loaded_file "
                "WHERE relative_path = 'sap/MCHB_stock_large.csv'"
            )
        ).one()
        rows = connection.execute(
            text(
                "SELECT count(*) FROM raw_record r JOIN loaded_file f ON f.id = r.file_id "
                "WHERE f.relative_path = 'sap/MCHB_stock_large.csv'"
            )
        ).scalar()
    engine.dispose()
    return loads, claimed, rows or 0


def test_connections_dropped_mid_run_are_reported_retried_and_load_the_file_once(
    instance, warehouse, memory_settings, fresh_engines, tmp_path
):
    landing = tmp_path / "landing"
    shutil.copytree(SAMPLE_LANDING, landing)
    write_extract(landing / "sap" / "MCHB_stock_large.csv", STOCK_ROWS, seed=5)
    settings = settings_for(landing, memory_settings).model_copy(
        update={"warehouse_url": warehouse}
    )

    own = [make_url(warehouse).database or "", os.environ["DAGSTER_PG_DB"]]
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=1) as pool:
        # A future, so that an error in the dropping thread fails the test with its cause.
        dropping = pool.submit(_drop_every_connection_during_the_copy, warehouse, own, stop)
        try:
            interrupted = materialize_all(settings, instance)
        finally:
            stop.set()
        ended = dropping.result()
    assert ended, "no COPY was seen to interrupt"

    # BR-17 allows either ending, as long as the cause is told truthfully: the raw step's
    # retry policy normally rescues the run; if every attempt failed, the run says why.
    told = interrupted.retries if interrupted.success else interrupted.errors
    message = "\n".join(told)
    assert "lost the connection to the warehouse" in message
    assert "MCHB_stock_large.csv" in message
    assert "none of it was stored" in message
    assert "migrat" not in message.lower()  # BR-17: no false claim that the schema is old
    assert {run.status for run in instance.get_runs()} <= TERMINAL
    loads, claimed, rows = _loads_of_the_large_extract(warehouse)
    assert loads == (1 if interrupted.success else 0)
    assert rows == claimed

    again = materialize_all(settings, instance)
    assert again.errors == []
    assert again.success
    loads, claimed, rows = _loads_of_the_large_extract(warehouse)
    assert loads == 1
    assert rows == claimed > STOCK_ROWS * 0.99
    assert {run.status for run in instance.get_runs()} <= TERMINAL
