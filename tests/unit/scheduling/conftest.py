"""Fixtures for the scheduling unit tests: tiny instances and an exhaustive optimum.

The brute force below is written for the tests alone, straight from
FORMAT.md: it enumerates every assignment of orders to eligible lines and
every order of each line, times each sequence as early as possible and keeps
the cheapest. Left-shifted timing is optimal for a fixed sequence because all
objective terms are non-decreasing in the end times, so the enumeration is
exact. It is far too slow for anything but a handful of orders.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pharma_pipelines.scheduling import SchedulingProblem
from tests.conftest import BENCH, CASES


@pytest.fixture
def bench_dir() -> Path:
    if not BENCH.is_dir():
        pytest.skip(f"shared bench instances not found at {BENCH}")
    return BENCH


@pytest.fixture
def cases_dir() -> Path:
    if not CASES.is_dir():
        pytest.skip(f"shared cases not found at {CASES}")
    return CASES


def small_plant(**changes: Any) -> dict[str, Any]:
    """A hand-made two-line plant with a downtime, windows, setups and a deadline.

    Its left-shifted schedule is worked out in ``test_scheduling_checker``.
    """
    data: dict[str, Any] = {
        "name": "small-plant",
        "horizon": 100,
        "objective": {"weighted_tardiness": 1, "setup_time": 1, "makespan": 0},
        "products": [{"id": "A", "family": "F1"}, {"id": "B", "family": "F2", "potency": 3}],
        "lines": [
            {"id": "L1", "downtimes": [[50, 60]]},
            {"id": "L2", "available_from": 10, "available_to": 90},
        ],
        "setup": {
            "by_line": {"L1": {"matrix": [[1, 4], [3, 2]], "initial": [2, 5]}},
            "default": {"matrix": [[0, 6], [6, 0]], "initial": [1, 1]},
        },
        "orders": [
            {
                "id": "O1",
                "product": "A",
                "release": 0,
                "due": 20,
                "weight": 2,
                "proc": {"L1": 10, "L2": 12},
            },
            {"id": "O2", "product": "B", "release": 15, "due": 30, "weight": 1, "proc": {"L1": 8}},
            {
                "id": "O3",
                "product": "A",
                "release": 0,
                "due": 25,
                "weight": 3,
                "deadline": 80,
                "proc": {"L2": 10},
            },
        ],
    }
    data.update(changes)
    return data


@pytest.fixture
def plant() -> SchedulingProblem:
    return SchedulingProblem.model_validate(small_plant())


def random_tiny_problem(seed: int, orders: int, lines: int) -> SchedulingProblem:
    """A seeded tiny instance: setups, releases, a downtime per line, mixed eligibility."""
    rng = random.Random(seed)
    products = ["A", "B", "C"][: rng.randint(2, 3)]
    line_ids = [f"L{k + 1}" for k in range(lines)]

    def matrix() -> list[list[int]]:
        return [
            [rng.randint(0, 3) if a == b else rng.randint(4, 15) for b in products]
            for a in products
        ]

    line_rows = []
    for line in line_ids:
        start = rng.randint(20, 60)
        line_rows.append({"id": line, "downtimes": [[start, start + rng.randint(5, 15)]]})
    order_rows = []
    for j in range(orders):
        eligible = line_ids if lines == 1 or rng.random() < 0.6 else [rng.choice(line_ids)]
        order_rows.append(
            {
                "id": f"O{j + 1}",
                "product": rng.choice(products),
                "release": rng.choice([0, 0, rng.randint(0, 40)]),
                "due": rng.randint(15, 90),
                "weight": rng.randint(0, 4),
                "proc": {line: rng.randint(5, 25) for line in eligible},
            }
        )
    return SchedulingProblem.model_validate(
        {
            "name": f"tiny-{seed}",
            "horizon": 400,
            "objective": {"weighted_tardiness": 1, "setup_time": 1, "makespan": rng.choice([0, 1])},
            "products": [{"id": p} for p in products],
            "lines": line_rows,
            "setup": {
                "by_line": {
                    line: {"matrix": matrix(), "initial": [rng.randint(0, 8) for _ in products]}
                    for line in line_ids
                },
            },
            "orders": order_rows,
        }
    )


def _time_line(
    problem: SchedulingProblem, line: str, sequence: tuple[str, ...]
) -> list[tuple[int, int]] | None:
    """(end, setup) of each order, as early as possible; None if a hard limit is broken."""
    opens, closes = problem.line_window(line)
    ready, previous, placed = opens, None, []
    for order_id in sequence:
        order = problem.order(order_id)
        setup = problem.setup_time(line, previous, order.product)
        start = max(ready + setup, order.release, opens + setup)
        moved = True
        while moved:
            moved = False
            for low, high in problem.line(line).downtimes:
                if start - setup < high and low < start + order.proc[line]:
                    start, moved = high + setup, True
        frozen = order.frozen
        if frozen is not None:
            # A frozen order may wait for its start but never start earlier or later.
            if frozen.line != line or start > frozen.start:
                return None
            start = frozen.start
            if any(
                start - setup < high and low < start + order.proc[line]
                for low, high in problem.line(line).downtimes
            ):
                return None
        end = start + order.proc[line]
        if end > closes or (order.deadline is not None and end > order.deadline):
            return None
        placed.append((end, setup))
        ready, previous = end, order.product
    return placed


def brute_force(problem: SchedulingProblem) -> tuple[int, dict[str, tuple[str, ...]]] | None:
    """Exhaustive optimum (objective, sequences), or None when nothing is feasible."""
    weights = problem.objective
    best: tuple[int, dict[str, tuple[str, ...]]] | None = None
    ids = [order.id for order in problem.orders]
    for lines in itertools.product(*(sorted(problem.order(o).proc) for o in ids)):
        groups = {
            line.id: [o for o, chosen in zip(ids, lines, strict=True) if chosen == line.id]
            for line in problem.lines
        }
        for sequences in itertools.product(*(itertools.permutations(g) for g in groups.values())):
            value = 0
            ends: list[int] = []
            for line, sequence in zip(groups, sequences, strict=True):
                timed = _time_line(problem, line, sequence)
                if timed is None:
                    value = -1
                    break
                for order_id, (end, setup) in zip(sequence, timed, strict=True):
                    order = problem.order(order_id)
                    value += weights.weighted_tardiness * order.weight * max(0, end - order.due)
                    value += weights.setup_time * setup
                    ends.append(end)
            if value < 0:
                continue
            value += weights.makespan * max(ends, default=0)
            if best is None or value < best[0]:
                best = (value, dict(zip(groups, sequences, strict=True)))
    return best


@pytest.fixture
def optimum() -> Callable[[SchedulingProblem], tuple[int, dict[str, tuple[str, ...]]] | None]:
    return brute_force


@pytest.fixture
def plant_data() -> Callable[..., dict[str, Any]]:
    return small_plant


@pytest.fixture
def tiny_problem() -> Callable[[int, int, int], SchedulingProblem]:
    return random_tiny_problem


@pytest.fixture(autouse=True)
def _search_compiled(compiled_search: float) -> None:
    """Every scheduling test starts with the search kernels compiled (see ``compiled_search``)."""
