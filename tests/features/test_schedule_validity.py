"""Scenarios of schedule_validity.feature."""

from __future__ import annotations

import dagster as dg
from pytest_bdd import given, parsers, scenarios, then, when

from pharma_pipelines.keys import PROBLEM_KEY, SCHEDULE_KEY
from pharma_pipelines.resources import WarehouseResource
from pharma_pipelines.scheduling import Schedule
from tests.features.support import SmallPlant, failing_rows, failure_message, materialize, run_check
from tests.integration.planning_plants import a_plant, write_curated
from tests.plant_runs import PlantRun

scenarios("schedule_validity.feature")


@then(parsers.parse('the schedule of plant "{plant_key}" is verified by the independent checker'))
def _verified(plant: PlantRun, plant_key: str) -> None:
    schedule = plant.summary.schedules[plant_key]
    assert schedule["status"] in ("OPTIMAL", "FEASIBLE")
    assert schedule["verified"] is True


@then(
    parsers.parse(
        'the published schedule of plant "{plant_key}" holds a line for every scheduled order'
    )
)
def _lines_published(plant: PlantRun, plant_key: str) -> None:
    stored = (
        WarehouseResource(url=plant.settings.warehouse_url).planning().latest_schedule(plant_key)
    )
    assert stored is not None
    assert stored.verified
    placed = Schedule.model_validate(stored.schedule).assignments
    assert sorted(line.order for line in stored.lines) == sorted(a.order for a in placed)
    assert len(placed) == plant.summary.schedules[plant_key]["kpis"]["orders"]


@given(parsers.parse('a small plant "{plant_key}" that has been planned'), target_fixture="small")
def _small_planned(plant_key: str, small_settings, command_line_instance) -> SmallPlant:
    small = SmallPlant(small_settings, command_line_instance, a_plant(plant_key, 1001))
    write_curated(small.warehouse.curated(), [small.data])
    result = materialize(small.settings, small.instance, [PROBLEM_KEY, SCHEDULE_KEY], plant_key)
    assert result.success, failure_message(result)
    return small


@when(
    "its schedule is stored again with the second order of a line moved onto the first",
    target_fixture="moved",
)
def _tamper(small: SmallPlant) -> str:
    planning = small.warehouse.planning()
    stored = planning.latest_schedule(small.data.plant)
    assert stored is not None
    assert stored.verified
    schedule = Schedule.model_validate(stored.schedule)
    by_line: dict[str, list] = {}
    for placed in sorted(schedule.assignments, key=lambda a: a.start):
        by_line.setdefault(placed.line, []).append(placed)
    first, second = next(placed for placed in by_line.values() if len(placed) >= 2)[:2]
    moved = second.model_copy(
        update={"start": first.start, "end": first.start + second.end - second.start}
    )
    tampered = schedule.model_copy(
        update={"assignments": tuple(moved if a is second else a for a in schedule.assignments)}
    )
    planning.save_schedule(
        plant=stored.plant,
        problem_hash=stored.problem_hash,
        status=stored.status,
        objective=stored.objective,
        bound=stored.bound,
        gap=stored.gap,
        solve_seconds=stored.solve_seconds,
        verified=True,
        schedule=tampered.model_dump(mode="json"),
        lines=[],
        run_id="stored-by-hand",
    )
    return second.order


@when(
    parsers.parse('the check "{target}" runs for plant "{plant_key}"'),
    target_fixture="evaluation",
)
def _check_for_plant(small: SmallPlant, target: str, plant_key: str) -> dg.AssetCheckEvaluation:
    return run_check(small.settings, small.instance, target, plant_key)


@then("that check failed as ERROR")
def _failed_error(evaluation: dg.AssetCheckEvaluation) -> None:
    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR


@then(parsers.parse('its failing rows name the rule "{rule}" and the moved order'))
def _names_rule(evaluation: dg.AssetCheckEvaluation, moved: str, rule: str) -> None:
    rows = failing_rows(evaluation.metadata["failing_rows"].value)
    assert (rule, moved) in {(row.get("rule"), row.get("order")) for row in rows}, rows
