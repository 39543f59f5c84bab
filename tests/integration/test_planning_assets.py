"""The planning assets alone, on a hand-made curated warehouse, through the real definitions."""

from __future__ import annotations

import dagster as dg
import pytest

from pharma_pipelines.definitions import build_definitions
from pharma_pipelines.keys import PROBLEM_KEY, SCHEDULE_KEY
from pharma_pipelines.resources import WarehouseResource
from pharma_pipelines.settings import PlatformSettings
from tests.integration.planning_plants import OrderRow, a_plant, write_curated


@pytest.fixture
def settings(tmp_path, fresh_engines) -> PlatformSettings:
    return PlatformSettings(
        warehouse_url=f"sqlite:///{tmp_path / 'warehouse.sqlite'}", solver_time_limit_s=5.0
    )


def plan(settings: PlatformSettings, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    job = build_definitions(settings).resolve_implicit_global_asset_job_def()
    return job.execute_in_process(
        instance=instance, asset_selection=[PROBLEM_KEY, SCHEDULE_KEY], raise_on_error=False
    )


def schedule_metadata(result: dg.ExecuteInProcessResult) -> dict:
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key == SCHEDULE_KEY]
    return {name: getattr(v, "value", v) for name, v in event.materialization.metadata.items()}


def test_what_moved_is_measured_against_the_previous_published_schedule(settings, instance):
    curated = WarehouseResource(url=settings.warehouse_url).curated()
    plant = a_plant("0100", 1001)
    write_curated(curated, [plant])
    first = plan(settings, instance)
    assert first.success
    metadata = schedule_metadata(first)
    assert metadata["verified"] is True
    assert metadata["compared_with"] == "no earlier published schedule"

    dropped = plant.orders.pop()
    plant.orders.append(OrderRow("000000002001", "P2", 1, 5))
    write_curated(curated, [plant])
    second = plan(settings, instance)
    assert second.success
    metadata = schedule_metadata(second)
    assert first.run_id in metadata["compared_with"]
    counts = metadata["changes"]
    assert (counts["new"], counts["dropped"]) == (1, 1)
    assert counts["unchanged"] + counts["moved_line"] + counts["start_shifted"] == 3
    assert "000000002001 | new" in metadata["what_moved"]
    assert f"{dropped.order} | dropped" in metadata["what_moved"]

    third = plan(settings, instance)
    assert schedule_metadata(third)["compared_with"].startswith("schedule #2 of run")
