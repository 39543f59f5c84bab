"""The MIP against exhaustive search on tiny instances (solved in-process, without warm start).

Solving cold isolates the model: an optimum found here comes from CBC and
the formulation, not from the heuristic.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pharma_pipelines.scheduling import SchedulingProblem, check_assignments, read_instance
from pharma_pipelines.scheduling.heuristic import time_sequences
from pharma_pipelines.scheduling.mip import Formulation, solve_mip

OBJECTIVE_TOLERANCE = 1e-6
"""CBC returns floats; the exact objective is an integer."""

TIME_LIMIT_S = 20.0
"""Far above what these instances need (under 2 s each)."""

TINY_SEEDS = [(3, 6, 2), (7, 6, 2), (10, 5, 1), (15, 6, 2), (18, 5, 1), (23, 6, 2), (4, 3, 1)]
"""(seed, orders, lines) of seeded tiny instances, see ``random_tiny_problem``."""

Optimum = Callable[[SchedulingProblem], tuple[int, dict[str, tuple[str, ...]]] | None]


def _downtime_bites() -> SchedulingProblem:
    """One line, a downtime that splits the early period, releases that make waiting worth it."""
    return SchedulingProblem.model_validate(
        {
            "name": "downtime-bites",
            "horizon": 200,
            "products": [{"id": "A"}, {"id": "B"}],
            "lines": [{"id": "L1", "downtimes": [[10, 30]]}],
            "setup": {"default": {"matrix": [[1, 3], [3, 1]], "initial": [2, 2]}},
            "orders": [
                {"id": "O1", "product": "A", "due": 10, "weight": 1, "proc": {"L1": 8}},
                {
                    "id": "O2",
                    "product": "B",
                    "release": 5,
                    "due": 20,
                    "weight": 5,
                    "proc": {"L1": 8},
                },
                {
                    "id": "O3",
                    "product": "A",
                    "release": 12,
                    "due": 45,
                    "weight": 2,
                    "proc": {"L1": 6},
                },
                {"id": "O4", "product": "B", "due": 40, "weight": 1, "proc": {"L1": 5}},
            ],
        }
    )


def _assert_optimal(problem: SchedulingProblem, expected: int, **options: Any) -> None:
    result = solve_mip(problem, TIME_LIMIT_S, **options)
    assert result.status == "OPTIMAL"
    assert result.objective is not None
    assert result.bound is not None
    assert result.sequences is not None
    assert result.objective == pytest.approx(expected, abs=OBJECTIVE_TOLERANCE)
    assert result.bound == pytest.approx(expected, abs=OBJECTIVE_TOLERANCE)
    placed = time_sequences(problem, result.sequences)
    assert placed is not None
    report = check_assignments(problem, placed)
    assert report.feasible, report.summary()
    assert report.objective == expected
    assert sorted(a.order for a in placed) == sorted(o.id for o in problem.orders)


@pytest.mark.parametrize(("seed", "orders", "lines"), TINY_SEEDS)
def test_line_arcs_reaches_the_exhaustive_optimum(
    tiny_problem: Callable[[int, int, int], SchedulingProblem],
    optimum: Optimum,
    seed: int,
    orders: int,
    lines: int,
) -> None:
    problem = tiny_problem(seed, orders, lines)
    best = optimum(problem)
    assert best is not None
    _assert_optimal(problem, best[0])


def test_downtime_and_releases_are_modelled(optimum: Optimum) -> None:
    problem = _downtime_bites()
    best = optimum(problem)
    assert best is not None
    _assert_optimal(problem, best[0])


def test_plant_with_window_deadline_and_two_tables(
    plant: SchedulingProblem, optimum: Optimum
) -> None:
    best = optimum(plant)
    assert best is not None
    assert best[0] == 7
    _assert_optimal(plant, 7)


@pytest.mark.parametrize(("seed", "orders", "lines"), TINY_SEEDS[:3])
def test_shared_arcs_reaches_the_same_optimum(
    tiny_problem: Callable[[int, int, int], SchedulingProblem],
    optimum: Optimum,
    seed: int,
    orders: int,
    lines: int,
) -> None:
    problem = tiny_problem(seed, orders, lines)
    best = optimum(problem)
    assert best is not None
    _assert_optimal(problem, best[0], formulation=Formulation.SHARED_ARCS)


def test_warm_start_and_cutoff_keep_the_optimum(
    tiny_problem: Callable[[int, int, int], SchedulingProblem], optimum: Optimum
) -> None:
    problem = tiny_problem(15, 6, 2)
    best = optimum(problem)
    assert best is not None
    warm = time_sequences(problem, {line: list(seq) for line, seq in best[1].items()})
    assert warm is not None
    _assert_optimal(problem, best[0], warm_start=warm, cutoff=best[0])


def test_deadline_that_forces_an_order_first(
    plant_data: Callable[..., dict[str, Any]], optimum: Optimum
) -> None:
    data = plant_data()
    data["orders"][1]["deadline"] = 15
    data["orders"][1]["release"] = 0
    data["orders"][0]["proc"] = {"L1": 10}
    problem = SchedulingProblem.model_validate(data)
    best = optimum(problem)
    assert best is not None
    assert best[1]["L1"][0] == "O2"
    _assert_optimal(problem, best[0])


def test_feasibility_mode_finds_a_valid_schedule(plant: SchedulingProblem) -> None:
    result = solve_mip(plant, TIME_LIMIT_S, feasibility_only=True)
    assert result.sequences is not None
    placed = time_sequences(plant, result.sequences)
    assert placed is not None
    assert check_assignments(plant, placed).feasible


def test_impossible_deadlines_are_proven_infeasible(
    plant_data: Callable[..., dict[str, Any]],
) -> None:
    data = plant_data()
    for order in data["orders"]:
        order["proc"] = {"L1": 20}
        order["deadline"] = 45
    result = solve_mip(SchedulingProblem.model_validate(data), TIME_LIMIT_S)
    assert result.status == "INFEASIBLE"
    assert result.sequences is None
    assert result.objective is None


def test_no_bound_is_claimed_when_cbc_stops_without_a_solution(bench_dir: Path) -> None:
    """Asked for a plan better than a poor one and stopped at once, CBC has found nothing.

    Its objective bound then reflects the cutoff, not a proof; passing it on once made
    a makespan of 111 look optimal where 102 exists.
    """
    problem = read_instance(bench_dir / "vr" / "json" / "I_50_10_S_1-9_1.json")
    result = solve_mip(problem, time_limit_s=0.01, better_than=100)
    assert result.sequences is None
    assert result.bound is None
    assert not result.proves_infeasible(0.01)
