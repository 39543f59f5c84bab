"""The compiled search: every move priced as the checker would, local optima, bounds.

The kernels price a move by re-timing only the changed part of a line and
reusing cached costs; these tests compare each priced move with the
checker's verdict on the whole changed plan, on seeded problems with
releases, downtimes, deadlines and a makespan term.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable

import numpy as np
import pytest

from pharma_pipelines.scheduling import SchedulingProblem, check_assignments, kernels, search
from pharma_pipelines.scheduling.bounds import lower_bound
from pharma_pipelines.scheduling.heuristic import time_sequences
from tests.unit.scheduling.conftest import random_tiny_problem

Optimum = Callable[[SchedulingProblem], tuple[int, dict[str, tuple[str, ...]]] | None]
TinyProblem = Callable[[int, int, int], SchedulingProblem]


def _checked(problem: SchedulingProblem, sequences: list[list[int]]) -> int | None:
    """The checker's objective of index sequences, or None if they break a rule."""
    named = {
        line.id: [problem.orders[j].id for j in sequence]
        for line, sequence in zip(problem.lines, sequences, strict=True)
    }
    placed = time_sequences(problem, named)
    if placed is None:
        return None
    report = check_assignments(problem, placed)
    return report.objective if report.feasible else None


def _plan(problem: SchedulingProblem, seed: int) -> kernels.State:
    inst = search.instance_arrays(problem)
    order = np.random.default_rng(seed).permutation(len(problem.orders)).astype(np.int64)
    state = search.greedy_insertion(inst, order)
    assert state is not None
    return state


@pytest.mark.parametrize("seed", range(8))
def test_every_relocation_is_priced_as_the_checker_prices_it(
    tiny_problem: TinyProblem, seed: int
) -> None:
    problem = tiny_problem(100 + seed, 7, 2)
    inst = search.instance_arrays(problem)
    state = _plan(problem, seed)
    sequences = search.sequences_of(state)
    costs, _, _, _ = kernels._line_summary(state)
    ends = [kernels.line_end(state, k) for k in range(len(problem.lines))]
    makespan_weight = problem.objective.makespan
    compared = 0
    for k_src, line in enumerate(sequences):
        for qs, length in itertools.product(range(len(line)), (1, 2)):
            if qs + length > len(line):
                continue
            run = line[qs : qs + length]
            rest = line[:qs] + line[qs + length :]
            for kt in range(len(sequences)):
                base = rest if kt == k_src else sequences[kt]
                for qt in range(len(base) + 1):
                    changed = [list(s) for s in sequences]
                    changed[k_src] = rest
                    changed[kt] = base[:qt] + run + base[qt:]
                    expected = _checked(problem, changed)
                    if kt == k_src:
                        old_qt = qt if qt <= qs else qt + length
                        q, r0, r1, front, tail = kernels._within_line(qs, length, old_qt)
                        runs = np.array(run, dtype=np.int64)
                        cost, end = kernels.walk(
                            inst,
                            state,
                            kt,
                            q,
                            runs,
                            length if front else 0,
                            r0,
                            r1,
                            runs,
                            0 if front else length,
                            tail,
                            kernels.NEVER,
                        )
                        others = [e for k, e in enumerate(ends) if k != kt]
                        other_cost = int(costs.sum() - costs[kt])
                    else:
                        runs = np.array(run, dtype=np.int64)
                        empty = np.empty(0, dtype=np.int64)
                        out_cost, out_end = kernels.walk(
                            inst,
                            state,
                            k_src,
                            qs,
                            empty,
                            0,
                            0,
                            0,
                            empty,
                            0,
                            qs + length,
                            kernels.NEVER,
                        )
                        cost, end = kernels.walk(
                            inst, state, kt, qt, runs, length, 0, 0, runs, 0, qt, kernels.NEVER
                        )
                        if out_cost == kernels.INFEASIBLE:
                            cost = kernels.INFEASIBLE
                        others = [e for k, e in enumerate(ends) if k not in (kt, k_src)]
                        others.append(out_end)
                        other_cost = int(costs.sum() - costs[kt] - costs[k_src] + out_cost)
                    if any(problem.orders[j].proc.get(problem.lines[kt].id) is None for j in run):
                        continue
                    if cost == kernels.INFEASIBLE:
                        assert expected is None, (k_src, qs, length, kt, qt)
                        continue
                    priced = other_cost + cost + makespan_weight * max([*others, end])
                    assert priced == expected, (k_src, qs, length, kt, qt)
                    compared += 1
    assert compared > 20


@pytest.mark.parametrize("seed", range(6))
def test_descent_ends_where_no_single_relocation_or_exchange_improves(
    tiny_problem: TinyProblem, seed: int
) -> None:
    problem = tiny_problem(200 + seed, 8, 2)
    inst = search.instance_arrays(problem)
    state = _plan(problem, seed)
    search.descend(inst, state, time.monotonic() + 30)
    sequences = search.sequences_of(state)
    reached = _checked(problem, sequences)
    assert reached == search.objective_of(inst, state)
    assert reached is not None
    slots = [(k, q) for k, line in enumerate(sequences) for q in range(len(line))]
    for k, q in slots:
        order = sequences[k][q]
        rest = [list(s) for s in sequences]
        del rest[k][q]
        for kt, target in enumerate(rest):
            for qt in range(len(target) + 1):
                moved = [list(s) for s in rest]
                moved[kt].insert(qt, order)
                value = _checked(problem, moved)
                assert value is None or value >= reached
    for (k1, q1), (k2, q2) in itertools.combinations(slots, 2):
        swapped = [list(s) for s in sequences]
        swapped[k1][q1], swapped[k2][q2] = swapped[k2][q2], swapped[k1][q1]
        value = _checked(problem, swapped)
        assert value is None or value >= reached


@pytest.mark.parametrize("seed", range(1, 9))
def test_search_finds_the_brute_force_optimum_of_tiny_plants(
    tiny_problem: TinyProblem, optimum: Optimum, seed: int
) -> None:
    problem = tiny_problem(300 + seed, 3 + seed % 4, 1 + seed % 2)
    best = optimum(problem)
    result = search.improve(problem, time_budget_s=30.0, seed=seed, iterations=200)
    assert best is not None
    assert result is not None
    assert result.objective == best[0]


def test_same_seed_and_iterations_give_the_same_plan(tiny_problem: TinyProblem) -> None:
    problem = tiny_problem(17, 9, 2)
    first = search.improve(problem, time_budget_s=60.0, seed=3, iterations=40)
    second = search.improve(problem, time_budget_s=60.0, seed=3, iterations=40)
    assert first is not None
    assert second is not None
    assert (first.sequences, first.objective) == (second.sequences, second.objective)


def test_the_search_never_ends_worse_than_its_start(tiny_problem: TinyProblem) -> None:
    problem = tiny_problem(23, 10, 2)
    inst = search.instance_arrays(problem)
    start = _plan(problem, 5)
    begun = search.objective_of(inst, start)
    outcome = search.iterated_greedy(inst, start, time.monotonic() + 30, seed=1, max_iterations=30)
    assert outcome.objective <= begun
    assert _checked(problem, outcome.sequences) == outcome.objective


def test_the_search_stops_at_its_target(tiny_problem: TinyProblem) -> None:
    problem = tiny_problem(29, 8, 2)
    inst = search.instance_arrays(problem)
    start = _plan(problem, 2)
    outcome = search.iterated_greedy(
        inst, start, time.monotonic() + 30, seed=1, target=10**9, max_iterations=500
    )
    assert outcome.iterations == 0


@pytest.mark.parametrize(
    ("seed", "lines"),
    [(400 + n, 1 + n % 2) for n in range(1, 13)] + [(600 + n, 1 + n % 3) for n in range(13, 31)],
)
def test_lower_bound_never_exceeds_the_optimum(
    tiny_problem: TinyProblem, optimum: Optimum, seed: int, lines: int
) -> None:
    problem = tiny_problem(seed, 3 + seed % 4, lines)
    best = optimum(problem)
    assert best is not None
    assert 0 <= lower_bound(problem) <= best[0]


def test_load_bound_on_identical_lines() -> None:
    """Ten orders of 10 on three lines, no changeovers: at least 34 (ceil 100 / 3)."""
    problem = SchedulingProblem.model_validate(
        {
            "name": "load",
            "horizon": 1000,
            "objective": {"weighted_tardiness": 0, "setup_time": 0, "makespan": 1},
            "products": [{"id": "P"}],
            "lines": [{"id": f"L{k}"} for k in range(3)],
            "setup": {"default": {"matrix": [[0]], "initial": [0]}},
            "orders": [
                {"id": f"O{j}", "product": "P", "proc": {f"L{k}": 10 for k in range(3)}}
                for j in range(10)
            ],
        }
    )
    assert lower_bound(problem) == 34


def test_a_line_that_opens_late_adds_less_capacity() -> None:
    """Lines open at 0 and 90; 100 units of work: C with C + (C - 90) >= 100 is 95."""
    problem = SchedulingProblem.model_validate(
        {
            "name": "late line",
            "horizon": 1000,
            "objective": {"weighted_tardiness": 0, "setup_time": 0, "makespan": 1},
            "products": [{"id": "P"}],
            "lines": [{"id": "L1"}, {"id": "L2", "available_from": 90}],
            "setup": {"default": {"matrix": [[0]], "initial": [0]}},
            "orders": [
                {"id": f"O{j}", "product": "P", "proc": {"L1": 10, "L2": 10}} for j in range(10)
            ],
        }
    )
    assert lower_bound(problem) == 95


@pytest.mark.parametrize(("lines", "expected"), [(1, 20), (2, 10)])
def test_only_one_order_per_line_is_changed_over_from_the_clean_start(
    lines: int, expected: int
) -> None:
    """Three products, 10 minutes between any two, clean lines: every order but the first
    on each line pays 10 (one line: 20; two lines: 10), not the 0 of the clean start."""
    problem = SchedulingProblem.model_validate(
        {
            "name": "changeovers",
            "horizon": 1000,
            "objective": {"weighted_tardiness": 0, "setup_time": 1, "makespan": 0},
            "products": [{"id": "A"}, {"id": "B"}, {"id": "C"}],
            "lines": [{"id": f"L{k}"} for k in range(lines)],
            "setup": {
                "default": {
                    "matrix": [[0, 10, 10], [10, 0, 10], [10, 10, 0]],
                    "initial": [0, 0, 0],
                }
            },
            "orders": [
                {"id": f"O{p}", "product": p, "proc": {f"L{k}": 5 for k in range(lines)}}
                for p in "ABC"
            ],
        }
    )
    assert lower_bound(problem) == expected


def test_random_problems_keep_the_bound_below_every_plan_the_search_finds() -> None:
    rng = random.Random(5)
    for seed in range(5):
        problem = random_tiny_problem(500 + seed, rng.randint(6, 12), rng.randint(1, 3))
        result = search.improve(problem, time_budget_s=30.0, seed=seed, iterations=20)
        if result is not None:
            assert lower_bound(problem) <= result.objective
