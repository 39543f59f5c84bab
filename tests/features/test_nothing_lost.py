"""Scenarios of nothing_lost.feature."""

from __future__ import annotations

from pathlib import Path

from pytest_bdd import parsers, scenarios, then

from tests.features.support import landed_files
from tests.plant_runs import PlantRun

scenarios("nothing_lost.feature")


@then("every file in the landing zone is accounted for, and each was loaded")
def _every_file_loaded(plant: PlantRun) -> None:
    _every_file_accounted(plant)
    assert {a.status for a in plant.summary.files} == {"loaded"}


@then("every file in the landing zone is accounted for")
def _every_file_accounted(plant: PlantRun) -> None:
    landed = landed_files(Path(plant.settings.landing_zone))
    assert {a.file for a in plant.summary.files} == landed
    assert "not loaded" not in {a.status for a in plant.summary.files}


@then("for every file the rows read equal its rows loaded plus rejected")
def _rows_reconcile(plant: PlantRun) -> None:
    for account in plant.summary.files:
        assert account.rows_read == account.rows_loaded + account.rows_rejected, account


@then(parsers.parse('every check "{name}" passed'))
def _every_check_passed(plant: PlantRun, name: str) -> None:
    found = [c for c in plant.summary.checks if c.check == name]
    assert found
    assert [c.target for c in found if not c.passed] == []


@then(parsers.parse('"{path}" is quarantined with a reason that says no extract kind matches'))
def _quarantined(plant: PlantRun, path: str) -> None:
    [account] = [a for a in plant.summary.files if a.file == path]
    assert account.status == "quarantined"
    assert "maps to an extract kind" in (account.quarantine_reason or "")
    assert (account.rows_loaded, account.rows_rejected) == (0, 0)


@then("every rejected row is kept with its file, line, column, rule and reason")
def _rejects_kept(plant: PlantRun) -> None:
    rejected = plant.summary.rejected_rows
    assert rejected
    assert sum(a.rows_rejected for a in plant.summary.files) == len(rejected)
    for row in rejected:
        assert row.file
        assert row.row > 1
        assert row.column
        assert row.rule
        assert f"{row.file} line {row.row}" in row.reason, row
