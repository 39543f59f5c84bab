"""The whole graph on production storage, read back through a second instance opened on the
same storage: runs, materializations, check evaluations and the landing-zone sensor's cursor.
"""

from __future__ import annotations

import logging
import os
import sys

import dagster as dg
import pytest
from dagster._core.definitions.run_request import InstigatorType
from dagster._core.remote_origin import InProcessCodeLocationOrigin
from dagster._core.test_utils import create_test_daemon_workspace_context
from dagster._core.types.loadable_target_origin import LoadableTargetOrigin
from dagster._core.workspace.load_target import InProcessWorkspaceLoadTarget
from dagster._daemon.sensor import execute_sensor_iteration
from sqlalchemy import create_engine, make_url, text

from pharma_pipelines.runner import EXIT_OK, materialize_all
from pharma_pipelines.sensors.landing_zone import SeenVersions, landing_zone_sensor
from tests.conftest import PROJECT_ROOT, SAMPLE_LANDING
from tests.integration.conftest import settings_for

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


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
