"""Bulk pricing of insertions agrees with timing the changed sequence order by order."""

from __future__ import annotations

import random

import numpy as np
import pytest

from pharma_pipelines.scheduling import SchedulingProblem
from pharma_pipelines.scheduling.heuristic import _Data, _timed
from pharma_pipelines.scheduling.insertion import Run, price_insertions, remove_run


def _additive_line(seed: int) -> tuple[_Data, list[int]]:
    """A line whose random sequence fits, drawn by :func:`_draw_line` until one does."""
    rng = random.Random(seed)
    while True:
        data, sequence = _draw_line(rng)
        if _timed(data, 0, sequence) is not None and _timed(data, 0, sequence[2:]) is not None:
            return data, sequence


def _draw_line(rng: random.Random) -> tuple[_Data, list[int]]:
    """One line, no releases or downtimes, random setups (triangle inequality not assumed).

    Some orders get a deadline, so that moves can also be infeasible.
    """
    products = 4
    orders = rng.randint(2, 12)
    problem = SchedulingProblem.model_validate(
        {
            "name": "additive",
            "horizon": 100_000,
            "objective": {"weighted_tardiness": rng.randint(0, 2), "setup_time": rng.randint(0, 2)},
            "products": [{"id": f"P{i}"} for i in range(products)],
            "lines": [{"id": "L1", "available_from": rng.randint(0, 30)}],
            "setup": {
                "default": {
                    "matrix": [
                        [rng.randint(0, 30) for _ in range(products)] for _ in range(products)
                    ],
                    "initial": [rng.randint(0, 9) for _ in range(products)],
                }
            },
            "orders": [
                {
                    "id": f"O{j}",
                    "product": f"P{rng.randrange(products)}",
                    "due": rng.randint(0, 250),
                    "weight": rng.randint(0, 5),
                    "proc": {"L1": rng.randint(1, 40)},
                    **({"deadline": rng.randint(150, 500)} if rng.random() < 0.3 else {}),
                }
                for j in range(orders)
            ],
        }
    )
    data = _Data.of(problem)
    assert data.additive == [True]
    sequence = list(range(orders))
    rng.shuffle(sequence)
    return data, sequence


def _priced_run(data: _Data, run: list[int]) -> Run:
    members = np.array(run, dtype=np.int64)
    return Run(
        products=data.product_array[members],
        procs=data.proc_arrays[0][members],
        weights=data.weight_array[members],
        dues=data.due_array[members],
        limits=data.limit_arrays[0][members],
    )


@pytest.mark.parametrize("seed", range(40))
def test_every_insertion_matches_step_by_step_timing(seed: int) -> None:
    data, sequence = _additive_line(seed)
    run, rest = sequence[:2], sequence[2:]
    base = _timed(data, 0, rest)
    assert base is not None
    priced = price_insertions(base.arrays(data, 0), _priced_run(data, run), data.costs[0])
    for position in range(len(rest) + 1):
        timed = _timed(data, 0, rest[:position] + run + rest[position:])
        assert bool(priced.feasible[position]) == (timed is not None)
        if timed is not None:
            assert int(priced.cost[position]) == timed.total
            assert int(priced.end[position]) == timed.makespan


@pytest.mark.parametrize("seed", range(40))
def test_removing_a_run_matches_step_by_step_timing(seed: int) -> None:
    data, sequence = _additive_line(seed)
    base = _timed(data, 0, sequence)
    assert base is not None
    position = seed % len(sequence)
    length = min(1 + seed % 3, len(sequence) - position)
    removed = remove_run(base.arrays(data, 0), position, length, data.costs[0])
    timed = _timed(data, 0, sequence[:position] + sequence[position + length :])
    assert (removed is None) == (timed is None)
    if removed is not None and timed is not None:
        assert removed.total == timed.total
        assert removed.end == timed.makespan
        assert removed.ready.tolist() == timed.ready
        assert removed.previous.tolist() == timed.previous


def test_a_line_with_waiting_or_downtime_is_not_additive() -> None:
    problem = SchedulingProblem.model_validate(
        {
            "name": "not additive",
            "horizon": 1000,
            "products": [{"id": "P"}],
            "lines": [{"id": "L1"}, {"id": "L2", "downtimes": [[100, 200]]}],
            "setup": {"default": {"matrix": [[0]]}},
            "orders": [
                {"id": "O1", "product": "P", "release": 50, "proc": {"L1": 10}},
                {"id": "O2", "product": "P", "proc": {"L2": 10}},
            ],
        }
    )
    assert _Data.of(problem).additive == [False, False]


def test_the_random_lines_include_infeasible_insertions() -> None:
    """Guards the two tests above against drawing only easy cases."""
    infeasible = 0
    for seed in range(40):
        data, sequence = _additive_line(seed)
        run, rest = sequence[:2], sequence[2:]
        base = _timed(data, 0, rest)
        assert base is not None
        priced = price_insertions(base.arrays(data, 0), _priced_run(data, run), data.costs[0])
        infeasible += int((~priced.feasible).sum())
    assert infeasible > 0
