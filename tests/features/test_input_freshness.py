"""Scenarios of input_freshness.feature."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from pytest_bdd import given, parsers, scenarios, then, when

from pharma_pipelines.keys import PROBLEM_KEY, SCHEDULE_KEY
from pharma_pipelines.settings import PlatformSettings
from tests.features.support import failing_rows, materialize, materialized
from tests.plant_runs import PlantRun, copy_warehouse

scenarios("input_freshness.feature")


@given("a copy of the sample plant's warehouse", target_fixture="settings")
def _copy(sample_plant: PlantRun, tmp_path: Path) -> PlatformSettings:
    url = copy_warehouse(sample_plant, tmp_path / "warehouse.sqlite")
    return sample_plant.settings.model_copy(update={"warehouse_url": url})


@when(
    parsers.parse('plant "{plant}" is planned with the plan time "{plan_time}"'),
    target_fixture="run",
)
def _plan_at(
    settings: PlatformSettings, instance: dg.DagsterInstance, plant: str, plan_time: str
) -> dg.ExecuteInProcessResult:
    at = settings.model_copy(update={"plan_time": plan_time})
    return materialize(at, instance, [PROBLEM_KEY, SCHEDULE_KEY], plant)


@then(parsers.parse('its failing rows name the input "{entity}"'))
def _names_input(run: dg.ExecuteInProcessResult, entity: str) -> None:
    [evaluation] = [
        e for e in run.get_asset_check_evaluations() if e.check_name == "inputs_are_fresh"
    ]
    rows = failing_rows(evaluation.metadata["failing_rows"].value)
    assert entity in [row.get("input") for row in rows], rows


@then("no schedule was materialized in that run")
def _no_schedule(run: dg.ExecuteInProcessResult) -> None:
    assert "planning/scheduling_problem" in materialized(run)
    assert "planning/production_schedule" not in materialized(run)
