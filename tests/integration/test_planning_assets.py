"""The planning assets alone, on a hand-made curated warehouse, through the real definitions."""

from __future__ import annotations

import dagster as dg
import pytest

from pharma_pipelines.definitions import build_definitions
from pharma_pipelines.keys import PROBLEM_KEY, SCHEDULE_KEY
from pharma_pipelines.resources import WarehouseResource
from pharma_pipelines.scheduling import SchedulingProblem
from pharma_pipelines.settings import PlatformSettings
from tests.conftest import SOLVE_LIMIT_S
from tests.integration.planning_plants import OrderRow, a_plant, write_curated


@pytest.fixture
def settings(tmp_path, fresh_engines) -> PlatformSettings:
    # The curated tables are written by hand: no extract files whose age could be judged.
    return PlatformSettings(
        warehouse_url=f"sqlite:///{tmp_path / 'warehouse.sqlite'}",
        solver_time_limit_s=SOLVE_LIMIT_S,
        freshness_limits_hours={},
    )


def plan(
    settings: PlatformSettings, instance: dg.DagsterInstance, plant: str = "0100"
) -> dg.ExecuteInProcessResult:
    job = build_definitions(settings).resolve_implicit_global_asset_job_def()
    return job.execute_in_process(
        instance=instance,
        asset_selection=[PROBLEM_KEY, SCHEDULE_KEY],
        partition_key=plant,
        raise_on_error=False,
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


def a_problem(name: str, deadline: int | None) -> SchedulingProblem:
    """Three 5-hour orders on one line; with a deadline at 6 h for all, two must miss it."""
    return SchedulingProblem.model_validate(
        {
            "name": name,
            "horizon": 3000,
            "products": [{"id": "P1", "family": "F1"}],
            "lines": [{"id": "MIX-0100-1"}],
            "setup": {"default": {"matrix": [[0]]}},
            "orders": [
                {
                    "id": f"00000000300{i}",
                    "product": "P1",
                    "due": 360,
                    "weight": 1,
                    "proc": {"MIX-0100-1": 300},
                    **({"deadline": deadline} if deadline is not None else {}),
                }
                for i in range(3)
            ],
            "plan_start": "2027-01-04T00:00:00+01:00",
        }
    )


def store(settings: PlatformSettings, problem: SchedulingProblem) -> None:
    planning = WarehouseResource(url=settings.warehouse_url).planning()
    planning.save_problem(
        "0100", problem.content_hash(), problem.model_dump(mode="json"), len(problem.orders), "t"
    )


def solve_schedule(settings, instance) -> dg.ExecuteInProcessResult:
    job = build_definitions(settings).resolve_implicit_global_asset_job_def()
    return job.execute_in_process(
        instance=instance,
        asset_selection=[SCHEDULE_KEY],
        partition_key="0100",
        raise_on_error=False,
    )


def check_passed(result: dg.ExecuteInProcessResult, name: str) -> bool:
    [evaluation] = [e for e in result.get_asset_check_evaluations() if e.check_name == name]
    return evaluation.passed


def test_a_least_bad_plan_is_shown_but_neither_valid_nor_published(settings, instance):
    store(settings, a_problem("no deadlines", None))
    published = solve_schedule(settings, instance)
    assert check_passed(published, "schedule_is_feasible")

    store(settings, a_problem("tight deadlines", 360))
    infeasible = solve_schedule(settings, instance)
    metadata = schedule_metadata(infeasible)
    assert metadata["status"] == "INFEASIBLE"
    assert metadata["verified"] is False
    assert metadata["least_bad_plan_summary"]["deadlines_missed"] == 2
    assert metadata["least_bad_plan"].startswith("**Least-bad plan: not a valid schedule.**")
    assert "data:image/png;base64," in metadata["least_bad_plan_gantt"]
    assert metadata["least_bad_plan_kpis"]["orders"] == 3
    assert metadata["gantt"] == "_no schedule_"
    assert not check_passed(infeasible, "schedule_is_feasible")
    [evaluation] = [
        e
        for e in infeasible.get_asset_check_evaluations()
        if e.check_name == "schedule_is_feasible"
    ]
    assert "misses 2 hard deadline(s)" in evaluation.metadata["measured"].value

    store(settings, a_problem("no deadlines", None))
    again = solve_schedule(settings, instance)
    assert check_passed(again, "schedule_is_feasible")
    assert schedule_metadata(again)["compared_with"].startswith(
        f"schedule #1 of run {published.run_id}"
    )


def test_softening_can_be_switched_off(settings, instance):
    settings = settings.model_copy(update={"solver_soften_deadlines": False})
    store(settings, a_problem("tight deadlines", 360))
    metadata = schedule_metadata(solve_schedule(settings, instance))
    assert metadata["status"] == "INFEASIBLE"
    assert metadata["least_bad_plan"] == (
        "**No least-bad plan**: not tried: softening deadlines is switched off."
    )
    assert "least_bad_plan_gantt" not in metadata


def run_check(settings, instance, asset: str, name: str) -> dg.AssetCheckEvaluation:
    job = build_definitions(settings).resolve_implicit_global_asset_job_def()
    key = dg.AssetCheckKey(dg.AssetKey(asset.split("/")), name)
    result = job.get_subset(asset_selection=set(), asset_check_selection={key}).execute_in_process(
        instance=instance, raise_on_error=False
    )
    [evaluation] = result.get_asset_check_evaluations()
    return evaluation


def test_a_failed_blocking_check_on_an_input_holds_the_problem_back_in_a_later_run(
    settings, instance
):
    curated = WarehouseResource(url=settings.warehouse_url).curated()
    plant = a_plant("0100", 1001)
    plant.orders.append(plant.orders[0])
    write_curated(curated, [plant])
    assert not run_check(settings, instance, "curated/production_orders", "order_is_unique").passed

    held = plan(settings, instance)
    assert not held.success
    [failure] = held.get_step_failure_events()
    description = failure.step_failure_data.user_failure_data.description
    assert "held back" in description
    assert "curated/production_orders:order_is_unique" in description

    plant.orders.pop()
    write_curated(curated, [plant])
    assert run_check(settings, instance, "curated/production_orders", "order_is_unique").passed
    assert plan(settings, instance).success
