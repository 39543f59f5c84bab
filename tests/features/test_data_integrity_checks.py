"""Scenarios of data_integrity_checks.feature."""

from __future__ import annotations

from pytest_bdd import parsers, scenarios, then

from tests.plant_runs import PlantRun

scenarios("data_integrity_checks.feature")


def _of_families(plant: PlantRun, families: str):
    wanted = {family.strip() for family in families.split(",")}
    return [c for c in plant.summary.checks if c.details.get("family") in wanted], wanted


@then(parsers.parse('every check of the families "{families}" passed'), target_fixture="checks")
def _families_passed(plant: PlantRun, families: str):
    checks, wanted = _of_families(plant, families)
    assert {c.details["family"] for c in checks} == wanted
    assert [c.target for c in checks if not c.passed] == []
    return checks


@then("each of those checks is reported as an ERROR that blocks")
def _error_and_blocking(checks) -> None:
    for check in checks:
        assert (check.severity, check.details["blocking"]) == ("ERROR", True), check.target
