"""Scenarios of reconciliation.feature."""

from __future__ import annotations

from pytest_bdd import parsers, scenarios, then

from pharma_pipelines.assets.curated import ROW_ENTITIES
from tests.plant_runs import PlantRun

scenarios("reconciliation.feature")


@then(parsers.parse('every check "{name}" passed with 0 rows unaccounted'))
def _accounted(plant: PlantRun, name: str) -> None:
    found = {c.asset: c for c in plant.summary.checks if c.check == name}
    assert set(found) == {f"curated/{table}" for table in ROW_ENTITIES}
    for asset, check in found.items():
        assert check.passed, (asset, check.description)
        assert check.details["unaccounted"] == 0, asset
    # the sample lands no batch yield report; every other table has raw rows to account for
    empty = [asset for asset, check in found.items() if check.details["raw_rows"] == 0]
    assert empty == ["curated/batch_yields"], empty
