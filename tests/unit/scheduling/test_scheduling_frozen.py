"""Frozen orders: started or planner-fixed orders keep their line and start."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pharma_pipelines.scheduling import (
    FrozenPlacement,
    Rule,
    ScheduleStatus,
    SchedulingProblem,
    check_assignments,
    check_schedule,
    solve,
)
from pharma_pipelines.scheduling.bench_format import instance_from_dict, instance_to_dict
from pharma_pipelines.scheduling.heuristic import time_sequences
from pharma_pipelines.scheduling.search import improve

Optimum = Callable[[SchedulingProblem], tuple[int, dict[str, tuple[str, ...]]] | None]
PlantData = Callable[..., dict[str, Any]]


def _freeze(problem: SchedulingProblem, order_id: str, line: str, start: int) -> SchedulingProblem:
    orders = tuple(
        order.model_copy(update={"frozen": FrozenPlacement(line=line, start=start)})
        if order.id == order_id
        else order
        for order in problem.orders
    )
    return problem.with_orders(orders)


def test_a_frozen_order_must_be_frozen_on_an_eligible_line(plant_data: PlantData) -> None:
    data = plant_data()
    data["orders"][1]["frozen"] = {"line": "L2", "start": 20}
    with pytest.raises(ValueError, match="O2 is frozen on line L2, which is not among its"):
        SchedulingProblem.model_validate(data)


def test_the_checker_rejects_a_moved_frozen_order(plant: SchedulingProblem) -> None:
    frozen = _freeze(plant, "O1", "L1", 30)
    result = improve(frozen.pinned(), time_budget_s=1.0, iterations=5)
    assert result is not None
    placed = time_sequences(frozen, result.sequences)
    assert placed is not None
    assert check_assignments(frozen, placed).feasible
    shifted = [
        a.model_copy(update={"start": a.start + 1, "end": a.end + 1}) if a.order == "O1" else a
        for a in placed
    ]
    report = check_assignments(frozen, shifted)
    assert not report.feasible
    assert any(v.rule is Rule.FROZEN and v.order == "O1" for v in report.violations)


@pytest.mark.parametrize("seed", range(6))
def test_solve_keeps_frozen_orders_and_reaches_the_exhaustive_optimum(
    tiny_problem: Callable[[int, int, int], SchedulingProblem], optimum: Optimum, seed: int
) -> None:
    problem = tiny_problem(seed, 5, 2)
    free = optimum(problem)
    assert free is not None
    first = problem.orders[0]
    line = sorted(first.proc)[0]
    # Freeze the first order later than it would run, so freezing changes the plan.
    frozen = _freeze(problem, first.id, line, 120)
    expected = optimum(frozen)
    assert expected is not None
    schedule = solve(frozen, time_limit_s=20.0)
    assert schedule.status is ScheduleStatus.OPTIMAL, schedule.message
    assert schedule.objective == expected[0]
    report = check_schedule(frozen, schedule)
    assert report.feasible, report.summary()
    placed = next(a for a in schedule.assignments if a.order == first.id)
    assert (placed.line, placed.start) == (line, 120)


def test_a_frozen_order_that_misses_its_deadline_is_named(plant: SchedulingProblem) -> None:
    frozen = _freeze(plant, "O3", "L2", 75)
    schedule = solve(frozen, time_limit_s=5.0)
    assert schedule.status is ScheduleStatus.INFEASIBLE
    assert "O3" in schedule.message


def test_frozen_placements_survive_the_instance_round_trip(plant: SchedulingProblem) -> None:
    frozen = _freeze(plant, "O1", "L2", 40)
    again = instance_from_dict(instance_to_dict(frozen))
    assert again == frozen
    assert again.content_hash() == frozen.content_hash() != plant.content_hash()
