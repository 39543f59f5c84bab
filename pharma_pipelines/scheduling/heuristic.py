"""Dispatching rules plus local search: the warm start and the fallback.

Why it exists: CBC needs a good incumbent to prune with, and when CBC runs out
of time or has to be stopped the plant still needs a valid plan. This module
never claims optimality; the solver labels its results as heuristic.

Why sequences are enough: every objective term is regular (never better when
an order ends later) and changeovers depend only on the sequence, so for a
fixed sequence per line the best timing is the left-shifted one, where each
order starts as early as the previous order, its release, the line window and
the downtimes allow. The search therefore works on sequences and times them
greedily (:func:`time_sequences`).

Steps:

1. several constructive rules (ATCS-style apparent tardiness cost with
   setups, earliest due date with the cheapest line, earliest completion)
   build complete schedules; the best one is kept;
2. local search with best-improvement relocation of single orders and of
   short runs (2-3 consecutive orders, i.e. campaigns), and swaps of two
   orders, within and between lines. On lines where times are additive
   (no release waits, no downtimes) every insertion position of a run is
   priced at once (:mod:`~pharma_pipelines.scheduling.insertion`) and swaps
   are left out: relocation then covers them at a fraction of the cost;
   a makespan objective breaks ties by the sum of line ends;
3. a bounded number of seeded random kicks followed by local search again
   (iterated local search), within the time budget.

Everything is deterministic for a given seed as long as the budget does not
cut the search short.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from pharma_pipelines.scheduling.insertion import (
    IntArray,
    LineArrays,
    LineCosts,
    Run,
    price_insertions,
    remove_run,
)
from pharma_pipelines.scheduling.problem import SchedulingProblem
from pharma_pipelines.scheduling.schedule import ScheduledOrder

logger = logging.getLogger(__name__)

KICKS = 40
"""Random kicks of the iterated local search; bounds the work for determinism."""

RUN_LENGTHS = (1, 2, 3)
"""Lengths of consecutive runs the relocation move tries to move together."""

ATCS_SETTINGS = ((2.0, 0.5), (0.5, 1.0))
"""(look-ahead on slack, scale of setups) pairs of the ATCS rule that are tried."""

_NO_PREVIOUS = -1
_NEVER = np.iinfo(np.int64).max


@dataclass(frozen=True)
class HeuristicResult:
    """A complete schedule found by the heuristic, as sequences per line."""

    sequences: dict[str, list[str]]
    objective: int
    rule: str
    improving_moves: int
    kicks: int
    seconds: float


@dataclass
class _Data:
    """Integer-indexed copy of the problem for the inner loops."""

    order_ids: list[str]
    line_ids: list[str]
    product: list[int]
    release: list[int]
    due: list[int]
    weight: list[int]
    proc: list[dict[int, int]]
    limit: list[dict[int, int]]
    opens: list[int]
    downtimes: list[list[tuple[int, int]]]
    matrix: list[list[list[int]]]
    initial: list[list[int]]
    w_tardiness: int
    w_setup: int
    w_makespan: int
    tie_scale: int
    """Exceeds any sum of line ends, so scaled objectives never trade against ties."""
    additive: list[bool] = field(default_factory=list)
    """Per line: whether :mod:`~pharma_pipelines.scheduling.insertion` may price moves there."""
    costs: list[LineCosts] = field(default_factory=list)
    product_array: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    weight_array: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    due_array: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    proc_arrays: list[IntArray] = field(default_factory=list)
    limit_arrays: list[IntArray] = field(default_factory=list)

    @classmethod
    def of(cls, problem: SchedulingProblem) -> _Data:
        """The arrays of ``problem`` with its frozen orders pinned in place."""
        problem = problem.pinned()
        line_ids = [line.id for line in problem.lines]
        line_index = {line: k for k, line in enumerate(line_ids)}
        windows = [problem.line_window(line) for line in line_ids]
        proc = [
            {line_index[line]: time for line, time in order.proc.items()}
            for order in problem.orders
        ]
        limit = [
            {k: min(windows[k][1], problem.latest_end(order.id)) for k in proc[j]}
            for j, order in enumerate(problem.orders)
        ]
        tables = [problem.setup_table(line) for line in line_ids]
        products = len(problem.products)
        return cls(
            order_ids=[order.id for order in problem.orders],
            line_ids=line_ids,
            product=[problem.product_index(order.product) for order in problem.orders],
            release=[order.release for order in problem.orders],
            due=[order.due for order in problem.orders],
            weight=[order.weight for order in problem.orders],
            proc=proc,
            limit=limit,
            opens=[window[0] for window in windows],
            downtimes=[_merged(problem.line(line).downtimes) for line in line_ids],
            matrix=[[list(row) for row in table.matrix] for table in tables],
            initial=[
                list(table.initial) if table.initial is not None else [0] * products
                for table in tables
            ],
            w_tardiness=problem.objective.weighted_tardiness,
            w_setup=problem.objective.setup_time,
            w_makespan=problem.objective.makespan,
            tie_scale=len(line_ids) * problem.horizon + 1,
        )

    def __post_init__(self) -> None:
        self.costs = [
            LineCosts(
                matrix=np.array(self.matrix[k], dtype=np.int64),
                initial=np.array(self.initial[k], dtype=np.int64),
                w_tardiness=self.w_tardiness,
                w_setup=self.w_setup,
            )
            for k in range(self.lines)
        ]
        self.product_array = np.array(self.product, dtype=np.int64)
        self.weight_array = np.array(self.weight, dtype=np.int64)
        self.due_array = np.array(self.due, dtype=np.int64)
        self.proc_arrays = [
            np.array([p.get(k, 0) for p in self.proc], dtype=np.int64) for k in range(self.lines)
        ]
        self.limit_arrays = [
            np.array([limit.get(k, -1) for limit in self.limit], dtype=np.int64)
            for k in range(self.lines)
        ]
        in_range = self._scores_fit_in_int64()
        self.additive = [in_range and self._times_are_additive(k) for k in range(self.lines)]

    def _times_are_additive(self, k: int) -> bool:
        """No order on k waits for its release and no downtime interrupts k."""
        eligible = [j for j in range(self.orders) if k in self.proc[j]]
        return not self.downtimes[k] and all(self.release[j] <= self.opens[k] for j in eligible)

    def _scores_fit_in_int64(self) -> bool:
        """Whether every scaled score stays far inside numpy's int64."""
        horizon = max((max(limits.values(), default=0) for limits in self.limit), default=0)
        largest_setup = max((v for table in self.matrix for row in table for v in row), default=0)
        largest_setup = max(largest_setup, *(max(row, default=0) for row in self.initial))
        bound = (
            self.w_tardiness * sum(self.weight) * horizon
            + self.w_setup * self.orders * largest_setup
            + self.w_makespan * horizon
        )
        return (bound + 1) * self.tie_scale < 2**60

    @property
    def orders(self) -> int:
        return len(self.order_ids)

    @property
    def lines(self) -> int:
        return len(self.line_ids)

    def place(self, k: int, ready: int, previous: int, j: int) -> tuple[int, int, int] | None:
        """Earliest (start, end, setup) of j after ``ready`` on line k; None if it cannot fit."""
        setup = (
            self.initial[k][self.product[j]]
            if previous == _NO_PREVIOUS
            else self.matrix[k][previous][self.product[j]]
        )
        duration = self.proc[j][k]
        start = max(ready + setup, self.release[j], self.opens[k] + setup)
        for down_start, down_end in self.downtimes[k]:
            if start - setup < down_end and down_start < start + duration:
                start = down_end + setup
        end = start + duration
        if end > self.limit[j][k]:
            return None
        return start, end, setup

    def cost_of(self, j: int, end: int, setup: int) -> int:
        """The line-separable part of the objective contributed by order j."""
        return self.w_tardiness * self.weight[j] * max(0, end - self.due[j]) + self.w_setup * setup


def _merged(downtimes: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, non-overlapping downtimes, so one forward pass can skip them."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(downtimes):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


@dataclass
class _LineState:
    """One line's sequence with its left-shifted timing, cached by position.

    ``ready[i]``, ``previous[i]`` and ``cost[i]`` describe the line just before
    position i; index ``len(sequence)`` is the state after the last order.
    """

    sequence: list[int]
    ready: list[int] = field(default_factory=list)
    previous: list[int] = field(default_factory=list)
    cost: list[int] = field(default_factory=list)

    _arrays: LineArrays | None = None

    @property
    def total(self) -> int:
        return self.cost[-1]

    @property
    def makespan(self) -> int:
        return self.ready[-1] if self.sequence else 0

    def arrays(self, data: _Data, k: int) -> LineArrays:
        """The sequence as arrays for :func:`price_insertions` (line k must be additive)."""
        if self._arrays is None:
            ready = np.array(self.ready, dtype=np.int64)
            ends = ready[1:]
            order = self.sequence
            procs = np.array([data.proc[j][k] for j in order], dtype=np.int64)
            weights = np.array([data.weight[j] for j in order], dtype=np.int64)
            dues = np.array([data.due[j] for j in order], dtype=np.int64)
            self._arrays = LineArrays(
                ready=ready,
                previous=np.array(self.previous, dtype=np.int64),
                products=np.array([data.product[j] for j in order], dtype=np.int64),
                setups=ends - procs - ready[:-1],
                ends=ends,
                weights=weights,
                dues=dues,
                limits=np.array([data.limit[j][k] for j in order], dtype=np.int64),
                tardy=weights * np.maximum(0, ends - dues),
                total=self.total,
            )
        return self._arrays


def _timed(data: _Data, k: int, sequence: list[int]) -> _LineState | None:
    state = _LineState(list(sequence), [data.opens[k]], [_NO_PREVIOUS], [0])
    for j in sequence:
        placed = data.place(k, state.ready[-1], state.previous[-1], j)
        if placed is None:
            return None
        _, end, setup = placed
        state.ready.append(end)
        state.previous.append(data.product[j])
        state.cost.append(state.cost[-1] + data.cost_of(j, end, setup))
    return state


def _evaluate(
    data: _Data,
    k: int,
    base: _LineState,
    new: list[int],
    first: int,
    stable_from: int,
    cutoff: float,
) -> tuple[int, int] | None:
    """(cost, makespan) of line k with sequence ``new``, reusing ``base`` where possible.

    ``new`` equals ``base.sequence`` before ``first``; from ``stable_from`` on
    it equals the base shifted by ``len(new) - len(base)``. Once the timing of
    the stable tail meets the base timing again, the rest is copied. Returns
    None when infeasible or when the cost exceeds ``cutoff``.
    """
    offset = len(new) - len(base.sequence)
    ready, previous, cost = base.ready[first], base.previous[first], base.cost[first]
    for position in range(first, len(new)):
        j = new[position]
        placed = data.place(k, ready, previous, j)
        if placed is None:
            return None
        _, ready, setup = placed
        previous = data.product[j]
        cost += data.cost_of(j, ready, setup)
        if cost > cutoff:
            return None
        if position >= stable_from:
            index = position - offset + 1
            if base.ready[index] == ready:
                return cost + base.total - base.cost[index], base.makespan
    return cost, (ready if new else 0)


class _Search:
    """Local search state: one :class:`_LineState` per line and the total objective."""

    def __init__(self, data: _Data, sequences: list[list[int]], deadline: float) -> None:
        self.data = data
        self.deadline = deadline
        self.lines: list[_LineState] = []
        for k, sequence in enumerate(sequences):
            state = _timed(data, k, sequence)
            if state is None:
                raise ValueError(f"sequence on line {data.line_ids[k]} is not feasible")
            self.lines.append(state)
        self.moves = 0

    @property
    def total(self) -> int:
        """The objective of the current sequences."""
        makespan = max((line.makespan for line in self.lines), default=0)
        return sum(line.total for line in self.lines) + self.data.w_makespan * makespan

    @property
    def score(self) -> int:
        """The objective with the tie-break of :meth:`_score` folded in."""
        return self._score(
            sum(line.total for line in self.lines),
            max((line.makespan for line in self.lines), default=0),
            sum(line.makespan for line in self.lines),
        )

    def _score(self, cost: int, makespan: int, spread: int) -> int:
        """Objective scaled so that, among equal objectives, less total line time wins.

        A makespan objective is flat for most moves: shortening a line that
        is not the longest changes nothing. The sum of line ends breaks those
        ties, so the search keeps freeing time on the critical lines.
        """
        objective = cost + self.data.w_makespan * makespan
        if self.data.w_makespan == 0:
            return objective
        return objective * self.data.tie_scale + spread

    def out_of_time(self) -> bool:
        return time.monotonic() >= self.deadline

    def sequences(self) -> list[list[int]]:
        return [list(line.sequence) for line in self.lines]

    def _others(self, changed: set[int]) -> tuple[int, int, int]:
        """(cost, makespan, sum of line ends) of the lines outside ``changed``."""
        kept = [line for k, line in enumerate(self.lines) if k not in changed]
        return (
            sum(line.total for line in kept),
            max((line.makespan for line in kept), default=0),
            sum(line.makespan for line in kept),
        )

    def _apply(self, k: int, sequence: list[int]) -> None:
        state = _timed(self.data, k, sequence)
        if state is None:
            raise RuntimeError(f"an accepted move made line {self.data.line_ids[k]} infeasible")
        self.lines[k] = state

    def descend(self) -> None:
        """Apply improving moves until none is left or the budget is spent."""
        improved = True
        while improved and not self.out_of_time():
            improved = False
            for length in RUN_LENGTHS:
                improved |= self._relocate_runs(length)
            improved |= self._swaps()

    def _relocate_runs(self, length: int) -> bool:
        improved = False
        for source in range(self.data.lines):
            position = 0
            while position + length <= len(self.lines[source].sequence):
                if self.out_of_time():
                    return improved
                if self._relocate_best(source, position, length):
                    improved = True
                else:
                    position += 1
        return improved

    def _relocate_best(self, source: int, position: int, length: int) -> bool:
        """Move the run at ``position`` of line ``source`` to its best place, if that improves."""
        data = self.data
        base = self.lines[source]
        run = base.sequence[position : position + length]
        targets = [k for k in range(data.lines) if all(k in data.proc[j] for j in run)]
        rest = base.sequence[:position] + base.sequence[position + length :]
        rest_arrays: LineArrays | None = None
        if data.additive[source]:
            rest_arrays = remove_run(
                base.arrays(data, source), position, length, data.costs[source]
            )
            removed = None if rest_arrays is None else (rest_arrays.total, rest_arrays.end)
        else:
            removed = _evaluate(data, source, base, rest, position, position, math.inf)
        best: tuple[int, int] | None = None
        best_score = self.score
        for target in targets:
            cost, makespan, spread = self._others({source, target})
            if target == source and rest_arrays is not None:
                found = self._best_insertion_priced(
                    target, rest_arrays, run, best_score, (cost, makespan, spread)
                )
            elif target == source:
                found = self._best_insertion(
                    target, _timed(data, target, rest), run, best_score, (cost, makespan, spread)
                )
            elif removed is not None:
                found = self._best_insertion(
                    target,
                    self.lines[target],
                    run,
                    best_score,
                    (cost + removed[0], max(makespan, removed[1]), spread + removed[1]),
                )
            else:
                found = None
            if found is not None and found[0] < best_score:
                best_score, best = found[0], (target, found[1])
        if best is None:
            return False
        target, insert_at = best
        if target != source:
            self._apply(source, rest)
            destination = self.lines[target].sequence
        else:
            destination = rest
        self._apply(target, destination[:insert_at] + run + destination[insert_at:])
        self.moves += 1
        return True

    def _cutoff(self, limit: int, fixed: tuple[int, int, int]) -> float:
        """The largest line cost that can still score below ``limit`` next to ``fixed``."""
        cost, makespan, _ = fixed
        if self.data.w_makespan == 0:
            return limit - cost
        return limit // self.data.tie_scale - cost - self.data.w_makespan * makespan

    def _best_insertion(
        self,
        k: int,
        base: _LineState | None,
        run: list[int],
        limit: int,
        fixed: tuple[int, int, int],
    ) -> tuple[int, int] | None:
        """Best (score, position) to insert ``run`` into line k, if below ``limit``.

        ``fixed`` is (cost, makespan, sum of line ends) of every other line.
        """
        if base is None:
            return None
        if self.data.additive[k]:
            return self._best_insertion_priced(k, base.arrays(self.data, k), run, limit, fixed)
        best: tuple[int, int] | None = None
        sequence = base.sequence
        cost, makespan, spread = fixed
        for position in range(len(sequence) + 1):
            new = sequence[:position] + run + sequence[position:]
            cutoff = self._cutoff(limit, fixed)
            result = _evaluate(self.data, k, base, new, position, position + len(run), cutoff)
            if result is None:
                continue
            score = self._score(cost + result[0], max(makespan, result[1]), spread + result[1])
            if score < limit:
                limit, best = score, (score, position)
        return best

    def _best_insertion_priced(
        self, k: int, line: LineArrays, run: list[int], limit: int, fixed: tuple[int, int, int]
    ) -> tuple[int, int] | None:
        """:meth:`_best_insertion` on an additive line, all positions priced at once."""
        data = self.data
        members = np.array(run, dtype=np.int64)
        priced = price_insertions(
            line,
            Run(
                products=data.product_array[members],
                procs=data.proc_arrays[k][members],
                weights=data.weight_array[members],
                dues=data.due_array[members],
                limits=data.limit_arrays[k][members],
            ),
            data.costs[k],
        )
        cost, makespan, spread = fixed
        objective = cost + priced.cost + data.w_makespan * np.maximum(makespan, priced.end)
        scores = objective
        if data.w_makespan:
            scores = objective * data.tie_scale + spread + priced.end
        scores = np.where(priced.feasible, scores, _NEVER)
        position = int(np.argmin(scores))
        score = int(scores[position])
        if not priced.feasible[position] or score >= limit:
            return None
        return score, position

    def _swaps(self) -> bool:
        if all(self.data.additive):
            return False
        improved = False
        slots = [(k, i) for k, line in enumerate(self.lines) for i in range(len(line.sequence))]
        for a in range(len(slots)):
            for b in range(a + 1, len(slots)):
                if self.out_of_time():
                    return improved
                if self._try_swap(slots[a], slots[b]):
                    improved = True
        return improved

    def _try_swap(self, first: tuple[int, int], second: tuple[int, int]) -> bool:
        data = self.data
        (k1, i1), (k2, i2) = first, second
        j1, j2 = self.lines[k1].sequence[i1], self.lines[k2].sequence[i2]
        if k2 not in data.proc[j1] or k1 not in data.proc[j2]:
            return False
        if data.additive[k1] and data.additive[k2]:
            return False
        current = self.score
        fixed = self._others({k1, k2})
        cost, makespan, spread = fixed
        budget = self._cutoff(current, fixed)
        if k1 == k2:
            new = list(self.lines[k1].sequence)
            new[i1], new[i2] = j2, j1
            result = _evaluate(data, k1, self.lines[k1], new, i1, i2 + 1, budget)
            if result is None:
                return False
            score = self._score(cost + result[0], max(makespan, result[1]), spread + result[1])
            if score >= current:
                return False
            self._apply(k1, new)
        else:
            new1 = list(self.lines[k1].sequence)
            new2 = list(self.lines[k2].sequence)
            new1[i1], new2[i2] = j2, j1
            result1 = _evaluate(data, k1, self.lines[k1], new1, i1, i1 + 1, budget)
            if result1 is None:
                return False
            result2 = _evaluate(data, k2, self.lines[k2], new2, i2, i2 + 1, budget - result1[0])
            if result2 is None:
                return False
            score = self._score(
                cost + result1[0] + result2[0],
                max(makespan, result1[1], result2[1]),
                spread + result1[1] + result2[1],
            )
            if score >= current:
                return False
            self._apply(k1, new1)
            self._apply(k2, new2)
        self.moves += 1
        return True

    def kick(self, rng: random.Random, size: int) -> None:
        """Move ``size`` random orders to random feasible places (a perturbation, may worsen)."""
        data = self.data
        for _ in range(size):
            filled = [k for k, line in enumerate(self.lines) if line.sequence]
            if not filled:
                return
            source = rng.choice(filled)
            position = rng.randrange(len(self.lines[source].sequence))
            j = self.lines[source].sequence[position]
            target = rng.choice(sorted(data.proc[j]))
            rest = (
                self.lines[source].sequence[:position] + self.lines[source].sequence[position + 1 :]
            )
            destination = rest if target == source else self.lines[target].sequence
            insert_at = rng.randrange(len(destination) + 1)
            new = [*destination[:insert_at], j, *destination[insert_at:]]
            if _timed(data, target, new) is None or (
                target != source and _timed(data, source, rest) is None
            ):
                continue
            if target != source:
                self._apply(source, rest)
            self._apply(target, new)


def _atcs_rule(look_ahead: float, setup_scale: float) -> Callable[[_Data], list[list[int]] | None]:
    """ATCS (apparent tardiness cost with setups) list scheduling with the given scaling."""

    def build(data: _Data) -> list[list[int]] | None:
        mean_proc = sum(min(p.values()) for p in data.proc if p) / max(1, data.orders)
        mean_setup = _mean_setup(data)

        def score(j: int, k: int, ready: int, placed: tuple[int, int, int]) -> float:
            _, end, setup = placed
            slack = max(0, data.due[j] - data.proc[j][k] - ready)
            urgency = (data.weight[j] * data.w_tardiness + 1e-3) / data.proc[j][k]
            return (
                urgency
                * math.exp(-slack / (look_ahead * mean_proc))
                * math.exp(-setup / (setup_scale * mean_setup))
                - end * 1e-12
            )

        return _list_schedule(data, score)

    return build


def _earliest_completion(data: _Data) -> list[list[int]] | None:
    """Always dispatch the order that can finish first; suits makespan objectives."""
    return _list_schedule(data, lambda j, k, ready, placed: -float(placed[1]) - placed[2] * 1e-6)


def _mean_setup(data: _Data) -> float:
    values = [value for table in data.matrix for row in table for value in row]
    return max(1.0, sum(values) / len(values)) if values else 1.0


def _list_schedule(
    data: _Data, score: Callable[[int, int, int, tuple[int, int, int]], float]
) -> list[list[int]] | None:
    """Append, one at a time, the (order, line) pair of highest score.

    Candidates are cached per line and recomputed only for the line that
    changed, which keeps a step linear in the number of orders.
    """
    sequences: list[list[int]] = [[] for _ in range(data.lines)]
    ready = list(data.opens)
    previous = [_NO_PREVIOUS] * data.lines
    waiting = set(range(data.orders))
    best_value = [-math.inf] * data.lines
    best_order = [_NO_PREVIOUS] * data.lines

    def refresh(k: int) -> None:
        best_value[k], best_order[k] = -math.inf, _NO_PREVIOUS
        for j in sorted(waiting):
            if k in data.proc[j]:
                placed = data.place(k, ready[k], previous[k], j)
                if placed is not None:
                    value = score(j, k, ready[k], placed)
                    if best_order[k] == _NO_PREVIOUS or value > best_value[k]:
                        best_value[k], best_order[k] = value, j

    for k in range(data.lines):
        refresh(k)
    while waiting:
        options = [(best_value[k], -k) for k in range(data.lines) if best_order[k] != _NO_PREVIOUS]
        if not options:
            return _insert_rest(data, sequences, sorted(waiting))
        line = -max(options)[1]
        j = best_order[line]
        placed = data.place(line, ready[line], previous[line], j)
        if placed is None:
            raise RuntimeError(
                f"cached candidate {data.order_ids[j]} no longer fits on {data.line_ids[line]}"
            )
        sequences[line].append(j)
        ready[line], previous[line] = placed[1], data.product[j]
        waiting.discard(j)
        for k in range(data.lines):
            if k == line or best_order[k] == j:
                refresh(k)
    return sequences


def _earliest_due_date(data: _Data) -> list[list[int]] | None:
    """Orders by hard limit, due date and weight, each appended where it is cheapest."""
    order = sorted(
        range(data.orders),
        key=lambda j: (min(data.limit[j].values(), default=0), data.due[j], -data.weight[j], j),
    )
    sequences: list[list[int]] = [[] for _ in range(data.lines)]
    ready = list(data.opens)
    previous = [_NO_PREVIOUS] * data.lines
    makespan = 0
    stuck: list[int] = []
    for j in order:
        choice: tuple[int, int, int, int] | None = None
        for k in sorted(data.proc[j]):
            placed = data.place(k, ready[k], previous[k], j)
            if placed is None:
                continue
            _, end, setup = placed
            value = data.cost_of(j, end, setup) + data.w_makespan * max(0, end - makespan)
            if choice is None or (value, end) < (choice[0], choice[1]):
                choice = (value, end, k, setup)
        if choice is None:
            stuck.append(j)
            continue
        _, end, k, _ = choice
        sequences[k].append(j)
        ready[k], previous[k], makespan = end, data.product[j], max(makespan, end)
    return _insert_rest(data, sequences, stuck) if stuck else sequences


def _insert_rest(
    data: _Data, sequences: list[list[int]], orders: list[int]
) -> list[list[int]] | None:
    """Insert orders that no line end could take at their cheapest feasible position anywhere."""
    for j in orders:
        best: tuple[int, int, int] | None = None
        for k in sorted(data.proc[j]):
            before = _timed(data, k, sequences[k])
            base_cost = before.total if before is not None else 0
            for position in range(len(sequences[k]) + 1):
                state = _timed(data, k, [*sequences[k][:position], j, *sequences[k][position:]])
                if state is not None and (best is None or state.total - base_cost < best[0]):
                    best = (state.total - base_cost, k, position)
        if best is None:
            return None
        _, k, position = best
        sequences[k].insert(position, j)
    return sequences


def _rules() -> list[tuple[str, Callable[[_Data], list[list[int]] | None]]]:
    rules: list[tuple[str, Callable[[_Data], list[list[int]] | None]]] = [
        (f"atcs(k1={look},k2={scale})", _atcs_rule(look, scale)) for look, scale in ATCS_SETTINGS
    ]
    rules.append(("edd-cheapest-line", _earliest_due_date))
    rules.append(("earliest-completion", _earliest_completion))
    return rules


def _total(data: _Data, sequences: list[list[int]]) -> int | None:
    states = [_timed(data, k, sequence) for k, sequence in enumerate(sequences)]
    if any(state is None for state in states):
        return None
    makespan = max((state.makespan for state in states if state is not None), default=0)
    return sum(state.total for state in states if state is not None) + data.w_makespan * makespan


def construct(problem: SchedulingProblem) -> HeuristicResult | None:
    """The best schedule of the constructive rules alone, or None if none finds one."""
    return improve(problem, time_budget_s=0.0, kicks=0)


def improve(
    problem: SchedulingProblem,
    time_budget_s: float = 5.0,
    seed: int = 0,
    kicks: int | None = KICKS,
) -> HeuristicResult | None:
    """Construct, then improve by local search within ``time_budget_s``.

    ``kicks`` bounds the iterated local search, which makes the result the
    same on any machine fast enough to finish them; ``None`` kicks until the
    budget is spent, which is what a solve under a time limit wants.

    Returns None when no rule finds a feasible schedule (which does not prove
    that none exists).
    """
    started = time.monotonic()
    data = _Data.of(problem)
    best: tuple[int, str, list[list[int]]] | None = None
    for name, rule in _rules():
        sequences = rule(data)
        value = None if sequences is None else _total(data, sequences)
        logger.debug("rule %s: objective %s", name, value)
        if sequences is not None and value is not None and (best is None or value < best[0]):
            best = (value, name, sequences)
    if best is None:
        logger.info("no constructive rule found a feasible schedule for %s", problem.name)
        return None
    _, rule_name, sequences = best
    search = _Search(data, sequences, started + time_budget_s)
    done_kicks = _iterate(search, random.Random(seed), kicks) if time_budget_s > 0 else 0
    result = _result(
        data, search.sequences(), rule_name, search.moves, done_kicks, time.monotonic() - started
    )
    logger.info(
        "heuristic for %s: rule %s, objective %d after %d moves and %d kicks in %.2f s",
        problem.name,
        rule_name,
        result.objective,
        result.improving_moves,
        done_kicks,
        result.seconds,
    )
    return result


def _iterate(search: _Search, rng: random.Random, kicks: int | None) -> int:
    """Descend, then kick and descend again, keeping the best sequences seen.

    A kicked descent that ends no worse than the best is accepted as the new
    base, so the search can walk across plateaus; a worse one is undone.
    """
    search.descend()
    best_score, best_sequences = search.score, search.sequences()
    done = 0
    while (kicks is None or done < kicks) and not search.out_of_time():
        search.kick(rng, size=2 + done % 3)
        search.descend()
        done += 1
        if search.score <= best_score:
            best_score, best_sequences = search.score, search.sequences()
        else:
            search.lines = [
                _restored(search.data, k, sequence) for k, sequence in enumerate(best_sequences)
            ]
    search.lines = [
        _restored(search.data, k, sequence) for k, sequence in enumerate(best_sequences)
    ]
    return done


def _restored(data: _Data, k: int, sequence: list[int]) -> _LineState:
    state = _timed(data, k, sequence)
    if state is None:
        raise RuntimeError(f"a stored sequence of line {data.line_ids[k]} is no longer feasible")
    return state


def _result(
    data: _Data, sequences: list[list[int]], rule: str, moves: int, kicks: int, seconds: float
) -> HeuristicResult:
    value = _total(data, sequences)
    if value is None:
        raise RuntimeError("the heuristic produced an infeasible sequence")
    named = {
        data.line_ids[k]: [data.order_ids[j] for j in sequence]
        for k, sequence in enumerate(sequences)
    }
    return HeuristicResult(named, value, rule, moves, kicks, seconds)


def time_sequences(
    problem: SchedulingProblem, sequences: dict[str, list[str]]
) -> list[ScheduledOrder] | None:
    """Left-shifted timing of given line sequences, or None if a sequence cannot be timed feasibly.

    Lines are listed in problem order and each line's orders in sequence, as
    the solution format expects.
    """
    data = _Data.of(problem)
    order_index = {order_id: j for j, order_id in enumerate(data.order_ids)}
    placed: list[ScheduledOrder] = []
    for k, line_id in enumerate(data.line_ids):
        ready, previous = data.opens[k], _NO_PREVIOUS
        for order_id in sequences.get(line_id, []):
            j = order_index[order_id]
            if k not in data.proc[j]:
                return None
            slot = data.place(k, ready, previous, j)
            if slot is None:
                return None
            start, ready, setup = slot
            previous = data.product[j]
            placed.append(
                ScheduledOrder(
                    order=order_id, line=line_id, start=start, end=ready, setup_before=setup
                )
            )
    return placed
