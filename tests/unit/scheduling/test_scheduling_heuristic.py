"""Dispatching rules and the search: always valid, never below the optimum, left-shifted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pharma_pipelines.scheduling import SchedulingProblem, check_assignments, read_instance
from pharma_pipelines.scheduling.heuristic import construct, time_sequences
from pharma_pipelines.scheduling.search import improve

Optimum = Callable[[SchedulingProblem], tuple[int, dict[str, tuple[str, ...]]] | None]

HEURISTIC_QUALITY = 1.10
"""The local search must come within 10 % of the proven optimum of pharma_small_s1."""

BUDGET_S = 2.0
# A handful of orders: the search has tried every move long before this.
TINY_BUDGET_S = 0.5


@pytest.mark.parametrize("seed", range(1, 13))
def test_result_is_valid_and_not_below_the_optimum(
    tiny_problem: Callable[[int, int, int], SchedulingProblem], optimum: Optimum, seed: int
) -> None:
    problem = tiny_problem(seed, 3 + seed % 4, 1 + seed % 2)
    result = improve(problem, time_budget_s=TINY_BUDGET_S, seed=seed)
    best = optimum(problem)
    assert result is not None
    assert best is not None
    placed = time_sequences(problem, result.sequences)
    assert placed is not None
    report = check_assignments(problem, placed)
    assert report.feasible, report.summary()
    assert report.objective == result.objective >= best[0]


def test_timing_is_left_shifted(plant: SchedulingProblem) -> None:
    placed = time_sequences(plant, {"L1": ["O1", "O2"], "L2": ["O3"]})
    assert placed is not None
    assert [(a.order, a.start, a.end, a.setup_before) for a in placed] == [
        ("O1", 2, 12, 2),
        ("O2", 16, 24, 4),
        ("O3", 11, 21, 1),
    ]


def test_timing_jumps_a_downtime_with_the_changeover(
    plant_data: Callable[..., dict[str, Any]],
) -> None:
    data = plant_data()
    data["orders"][1]["release"] = 45
    placed = time_sequences(
        SchedulingProblem.model_validate(data), {"L1": ["O1", "O2"], "L2": ["O3"]}
    )
    assert placed is not None
    second = placed[1]
    assert (second.start - second.setup_before, second.start, second.end) == (60, 64, 72)


def test_timing_refuses_an_ineligible_line(plant: SchedulingProblem) -> None:
    assert time_sequences(plant, {"L1": ["O1"], "L2": ["O2", "O3"]}) is None


def test_timing_reports_a_broken_deadline(plant: SchedulingProblem) -> None:
    assert time_sequences(plant, {"L1": ["O1", "O2"], "L2": ["O3"]}) is not None
    data = plant.model_dump()
    data["orders"][2]["deadline"] = 20
    assert (
        time_sequences(SchedulingProblem.model_validate(data), {"L1": ["O1", "O2"], "L2": ["O3"]})
        is None
    )


def test_construct_alone_is_valid(plant: SchedulingProblem) -> None:
    result = construct(plant)
    assert result is not None
    assert result.iterations == 0
    placed = time_sequences(plant, result.sequences)
    assert placed is not None
    assert check_assignments(plant, placed).feasible


def test_same_seed_same_schedule(
    tiny_problem: Callable[[int, int, int], SchedulingProblem],
) -> None:
    problem = tiny_problem(11, 6, 2)
    first = improve(problem, time_budget_s=60.0, seed=4, iterations=50)
    second = improve(problem, time_budget_s=60.0, seed=4, iterations=50)
    assert first is not None
    assert second is not None
    assert first.sequences == second.sequences


def test_no_schedule_when_deadlines_cannot_be_met(
    plant_data: Callable[..., dict[str, Any]],
) -> None:
    data = plant_data()
    for order in data["orders"]:
        order["proc"] = {"L1": 20}
        order["deadline"] = 45
    assert improve(SchedulingProblem.model_validate(data), time_budget_s=BUDGET_S) is None


def test_pharma_small_is_close_to_its_optimum(bench_dir: Path) -> None:
    problem = read_instance(bench_dir / "pharma" / "pharma_small_s1.json")
    result = improve(problem, time_budget_s=BUDGET_S)
    reference = problem.reference_objective()
    assert result is not None
    assert reference is not None
    assert reference <= result.objective <= HEURISTIC_QUALITY * reference
