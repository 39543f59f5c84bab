"""Scenarios of infeasible_plans.feature: problems stored for a plant, solved by the asset."""

from __future__ import annotations

import dagster as dg
from pytest_bdd import given, parsers, scenarios, then, when

from pharma_pipelines.keys import SCHEDULE_KEY
from pharma_pipelines.resources import WarehouseResource
from pharma_pipelines.scheduling import SchedulingProblem
from pharma_pipelines.settings import PlatformSettings
from tests.features.support import materialize

scenarios("infeasible_plans.feature")

LINE = "MIX-0100-1"


def _problem(
    name: str, orders: list[dict], horizon: int, line: dict | None = None
) -> SchedulingProblem:
    return SchedulingProblem.model_validate(
        {
            "name": name,
            "horizon": horizon,
            "products": [{"id": "P1", "family": "F1"}],
            "lines": [line or {"id": LINE}],
            "setup": {"default": {"matrix": [[0]]}},
            "orders": orders,
            "plan_start": "2027-01-04T00:00:00+01:00",
        }
    )


def _store(settings: PlatformSettings, plant: str, problem: SchedulingProblem) -> SchedulingProblem:
    WarehouseResource(url=settings.warehouse_url).planning().save_problem(
        plant, problem.content_hash(), problem.model_dump(mode="json"), len(problem.orders), "given"
    )
    return problem


@given(
    parsers.parse(
        'a stored problem for plant "{plant}" of three 5-hour orders on one line, all due by a '
        "hard deadline after 6 hours"
    ),
    target_fixture="problem",
)
def _deadlines(small_settings: PlatformSettings, plant: str) -> SchedulingProblem:
    orders = [
        {
            "id": f"00000000300{i}",
            "product": "P1",
            "due": 360,
            "weight": 1,
            "deadline": 360,
            "proc": {LINE: 300},
        }
        for i in range(3)
    ]
    return _store(small_settings, plant, _problem("tight deadlines", orders, 3000))


@given(
    parsers.parse(
        'a stored problem for plant "{plant}" with an order of {hours:d} hours on a line open '
        "for {open_hours:d} hours"
    ),
    target_fixture="problem",
)
def _too_long(
    small_settings: PlatformSettings, plant: str, hours: int, open_hours: int
) -> SchedulingProblem:
    orders = [
        {"id": "000000004001", "product": "P1", "due": 600, "weight": 1, "proc": {LINE: 60}},
        {
            "id": "000000004002",
            "product": "P1",
            "due": 600,
            "weight": 1,
            "proc": {LINE: hours * 60},
        },
    ]
    line = {"id": LINE, "available_to": open_hours * 60}
    return _store(small_settings, plant, _problem("order too long", orders, 10_000, line))


@when(parsers.parse('the schedule of plant "{plant}" is solved'), target_fixture="run")
def _solve(small_settings: PlatformSettings, instance: dg.DagsterInstance, plant: str):
    return materialize(small_settings, instance, [SCHEDULE_KEY], plant)


def _metadata(run: dg.ExecuteInProcessResult) -> dict:
    [event] = [e for e in run.get_asset_materialization_events() if e.asset_key == SCHEDULE_KEY]
    return {name: getattr(v, "value", v) for name, v in event.materialization.metadata.items()}


@then("the schedule is INFEASIBLE and not verified")
def _infeasible(run: dg.ExecuteInProcessResult) -> None:
    metadata = _metadata(run)
    assert (metadata["status"], metadata["verified"]) == ("INFEASIBLE", False)


@then("no schedule line is published")
def _nothing_published(small_settings: PlatformSettings, problem: SchedulingProblem) -> None:
    stored = WarehouseResource(url=small_settings.warehouse_url).planning().latest_schedule("0100")
    assert stored is not None
    assert stored.problem_hash == problem.content_hash()
    assert (stored.verified, stored.lines) == (False, [])


@then(
    parsers.parse(
        "the least-bad plan misses {count:d} hard deadlines and is marked as not a valid schedule"
    )
)
def _least_bad(run: dg.ExecuteInProcessResult, count: int) -> None:
    metadata = _metadata(run)
    assert metadata["least_bad_plan_summary"]["deadlines_missed"] == count
    assert metadata["least_bad_plan"].startswith("**Least-bad plan: not a valid schedule.**")
    assert metadata["gantt"] == "_no schedule_"


@then(
    parsers.parse(
        'the check "{name}" failed in that run, saying the least-bad plan misses {count:d} hard '
        "deadlines"
    )
)
def _check_says(run: dg.ExecuteInProcessResult, name: str, count: int) -> None:
    [evaluation] = [e for e in run.get_asset_check_evaluations() if e.check_name == name]
    assert not evaluation.passed
    assert f"misses {count} hard deadline(s)" in evaluation.metadata["measured"].value


@then("its message names the order and the line")
def _message_names(run: dg.ExecuteInProcessResult) -> None:
    message = _metadata(run)["message"]
    assert f"order 000000004002 fits on none of its lines even alone: on {LINE}" in message
    assert "000000004001" not in message, message
