"""Dispatching rules and left-shifted timing: the plan that always exists.

Why it exists: the search and CBC need a first plan to improve and prune
with, and when both have to be stopped the plant still needs a valid plan.
The rules here are plain Python and take well under a second even for a few
hundred orders, so the solver always has this plan before it starts anything
that could be cut short. They never claim optimality.

Why sequences are enough: every objective term is regular (never better when
an order ends later) and changeovers depend only on the sequence, so for a
fixed sequence per line the best timing is the left-shifted one, where each
order starts as early as the previous order, its release, the line window and
the downtimes allow. Plans are therefore exchanged as sequences per line and
timed greedily (:func:`time_sequences`).

The rules: ATCS-style apparent tardiness cost with setups (two scalings),
earliest due date on the cheapest line, and earliest completion (which suits
makespan objectives). :func:`construct` keeps the best of them; it is also
the "plain dispatching rule" the benchmark compares the optimiser with.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pharma_pipelines.scheduling.problem import SchedulingProblem
from pharma_pipelines.scheduling.schedule import ScheduledOrder

logger = logging.getLogger(__name__)

ATCS_SETTINGS = ((2.0, 0.5), (0.5, 1.0))
"""(look-ahead on slack, scale of setups) pairs of the ATCS rule that are tried."""

_NO_PREVIOUS = -1


@dataclass(frozen=True)
class HeuristicResult:
    """A complete schedule found by the heuristic, as sequences per line."""

    sequences: dict[str, list[str]]
    objective: int
    rule: str
    improvements: int
    iterations: int
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
            downtimes=[merged_downtimes(problem.line(line).downtimes) for line in line_ids],
            matrix=[[list(row) for row in table.matrix] for table in tables],
            initial=[
                list(table.initial) if table.initial is not None else [0] * products
                for table in tables
            ],
            w_tardiness=problem.objective.weighted_tardiness,
            w_setup=problem.objective.setup_time,
            w_makespan=problem.objective.makespan,
        )

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


def merged_downtimes(downtimes: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
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

    @property
    def total(self) -> int:
        return self.cost[-1]

    @property
    def makespan(self) -> int:
        return self.ready[-1] if self.sequence else 0


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
    """The best schedule of the dispatching rules, or None if no rule finds one.

    Frozen orders are pinned first. None does not prove that no schedule
    exists: the rules append orders at line ends and insert the rest greedily.
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
        logger.info("no dispatching rule found a feasible schedule for %s", problem.name)
        return None
    value, name, sequences = best
    named = {
        data.line_ids[k]: [data.order_ids[j] for j in sequence]
        for k, sequence in enumerate(sequences)
    }
    return HeuristicResult(named, value, name, 0, 0, time.monotonic() - started)


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
