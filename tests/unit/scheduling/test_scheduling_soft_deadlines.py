"""Softened deadlines: the least-bad plan's problem, and that its deadlines come first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pharma_pipelines.scheduling import SchedulingProblem
from tests.unit.scheduling.conftest import _time_line, brute_force, random_tiny_problem

PlantData = Callable[..., dict[str, Any]]


def test_a_deadline_becomes_a_heavily_weighted_due_date(plant: SchedulingProblem) -> None:
    soft = plant.with_soft_deadlines()
    o3 = soft.order("O3")
    assert (o3.deadline, o3.due) == (None, 80)
    assert o3.weight == plant.deadline_weight() * 3
    assert soft.order("O1") == plant.order("O1")
    assert soft.order("O2") == plant.order("O2")
    assert soft.source["softened_deadlines"] == {"O3": 80}
    assert soft.name == "small-plant (deadlines softened)"
    assert not soft.has_deadlines()
    assert soft.latest_end("O3") == soft.horizon


def test_the_weight_exceeds_everything_else_a_plan_can_cost(plant: SchedulingProblem) -> None:
    # Ordinary tardiness at most: O1 2 * (100 - 20) + O2 1 * (100 - 30) = 230.
    # Longest changeover into O1 (A on L1 or L2) 6, O2 (B on L1) 5, O3 (A on L2) 6: 17.
    assert plant.deadline_weight() == 1 + 230 + 17


def test_a_problem_without_deadlines_is_returned_as_it_is(plant_data: PlantData) -> None:
    data = plant_data()
    del data["orders"][2]["deadline"]
    problem = SchedulingProblem.model_validate(data)
    assert problem.with_soft_deadlines() is problem


def test_without_a_tardiness_term_only_the_deadlines_weigh(plant_data: PlantData) -> None:
    problem = SchedulingProblem.model_validate(
        plant_data(objective={"weighted_tardiness": 0, "setup_time": 1, "makespan": 0})
    )
    soft = problem.with_soft_deadlines()
    assert soft.objective.weighted_tardiness == 1
    assert [soft.order(o).weight for o in ("O1", "O2")] == [0, 0]
    assert soft.order("O3").weight == problem.deadline_weight() * 3


def test_the_softened_problem_round_trips_and_hashes_apart(plant: SchedulingProblem) -> None:
    soft = plant.with_soft_deadlines()
    assert SchedulingProblem.from_json(soft.to_json()) == soft
    assert soft.content_hash() != plant.content_hash()


def conflicting(seed: int) -> SchedulingProblem:
    """A tiny plant where three orders' deadlines cannot all be met (checked below)."""
    base = random_tiny_problem(seed, 5, 2)
    orders = tuple(
        order.model_copy(update={"deadline": order.release + min(order.proc.values()) + 12})
        if index < 3
        else order
        for index, order in enumerate(base.orders)
    )
    return SchedulingProblem.model_validate(base.with_orders(orders).model_dump())


def weighted_deadline_miss(hard: SchedulingProblem, sequences: dict[str, tuple[str, ...]]) -> int:
    """Weighted time past the hard deadlines when the sequences run as early as they can."""
    soft = hard.with_soft_deadlines()
    miss = 0
    for line, sequence in sequences.items():
        timed = _time_line(soft, line, sequence)
        assert timed is not None
        for order_id, (end, _setup) in zip(sequence, timed, strict=True):
            order = hard.order(order_id)
            if order.deadline is not None:
                miss += max(1, order.weight) * max(0, end - order.deadline)
    return miss


@pytest.mark.parametrize("seed", [2, 3, 5])
def test_the_least_bad_plan_misses_the_deadlines_by_as_little_as_possible(seed: int) -> None:
    hard = conflicting(seed)
    assert brute_force(hard) is None, "the hard problem must be infeasible for this test"
    soft = hard.with_soft_deadlines()
    found = brute_force(soft)
    assert found is not None
    # The fewest weighted minutes past the deadlines any plan can achieve: the same plant
    # with nothing but the deadline misses in the objective.
    with_deadline = {order.id for order in hard.orders if order.deadline is not None}
    only_deadlines = soft.with_orders(
        tuple(
            order if order.id in with_deadline else order.model_copy(update={"weight": 0})
            for order in soft.orders
        )
    ).model_copy(
        update={"objective": soft.objective.model_copy(update={"setup_time": 0, "makespan": 0})}
    )
    least = brute_force(only_deadlines)
    assert least is not None
    best_miss = weighted_deadline_miss(hard, least[1])
    assert weighted_deadline_miss(hard, found[1]) == best_miss
    assert best_miss > 0
