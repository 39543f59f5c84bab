"""Scenarios of non_blocking_checks.feature."""

from __future__ import annotations

from pytest_bdd import scenarios, then

from tests.plant_runs import PlantRun

scenarios("non_blocking_checks.feature")


@then("no failed WARN check held planning back")
def _warnings_hold_nothing(plant: PlantRun) -> None:
    warned = [c for c in plant.summary.checks if not c.passed and c.severity == "WARN"]
    assert warned
    held = plant.summary.planning_held_back or ""
    for check in warned:
        assert check.details["blocking"] is False, check.target
        assert check.target not in held, check.target
