"""A first weekly plan without CBC: greedy placement, then improving moves.

Why it exists: CBC needs a process start and a model build before its first
plan, so under a short time limit this is what a planner gets instead of
nothing, and on longer limits it gives CBC a warm start and a cost to prune
buckets with. It is never needed for correctness: it may fail to find a plan
(it says so by returning None), and every plan it returns is still checked
by the evaluator before anyone sees it.

Greedy: the orders with the fewest buckets go first (largest first among
equals), each to the bucket where it adds the least cost and still fits.
Then, while one improves the cost: move one order, swap two orders, or move
every order of one family out of one bucket into another (which is what
saves a setup). Moves are tried in a fixed order, so the result is the same
on every run.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from pharma_pipelines.scheduling.weekly.problem import TOLERANCE, Slot, WeeklyProblem

MAX_ROUNDS = 200
"""Improvement rounds at most; each round applies every improving move it finds."""

_EPSILON = 1e-9


class _State:
    """A (possibly partial) plan with the load and the families of every bucket."""

    def __init__(self, problem: WeeklyProblem) -> None:
        self.problem = problem
        self.where: dict[str, Slot] = {}
        self.hours: dict[Slot, float] = {}
        self.families: dict[Slot, dict[str, int]] = {}

    def place(self, order: str, slot: Slot) -> None:
        item = self.problem.order(order)
        self.where[order] = slot
        self.hours[slot] = self.hours.get(slot, 0.0) + item.hours[slot[0]]
        counts = self.families.setdefault(slot, {})
        counts[item.family] = counts.get(item.family, 0) + 1

    def remove(self, order: str) -> Slot:
        item = self.problem.order(order)
        slot = self.where.pop(order)
        self.hours[slot] -= item.hours[slot[0]]
        counts = self.families[slot]
        counts[item.family] -= 1
        if counts[item.family] == 0:
            del counts[item.family]
        return slot

    def fits(self, slot: Slot) -> bool:
        setups = sum(self.problem.family(f).setup_hours for f in self.families.get(slot, {}))
        used = self.hours.get(slot, 0.0) + setups
        return used <= self.problem.capacity(*slot) + TOLERANCE

    def bucket_cost(self, slot: Slot) -> float:
        running = self.families.get(slot, {})
        if not running:
            return 0.0
        setups = sum(self.problem.family(f).setup_cost for f in running)
        return setups + self.problem.open_cost(*slot)

    def order_cost(self, order: str) -> float:
        return self.problem.lateness_cost(order, self.where[order][1])


def construct(problem: WeeklyProblem) -> dict[str, Slot] | None:
    """A greedy plan, or None when the greedy order leaves some order without room."""
    state = _State(problem)
    options = {order.id: problem.slots(order.id) for order in problem.orders}

    def priority(order_id: str) -> tuple[int, float, str]:
        hours = problem.order(order_id).hours.values()
        return len(options[order_id]), -max(hours, default=0.0), order_id

    for order_id in sorted(options, key=priority):
        best: tuple[float, int, Slot] | None = None
        for rank, slot in enumerate(options[order_id]):
            before = state.bucket_cost(slot)
            state.place(order_id, slot)
            if state.fits(slot):
                added = state.bucket_cost(slot) - before + state.order_cost(order_id)
                if best is None or added < best[0] - _EPSILON:
                    best = (added, rank, slot)
            state.remove(order_id)
        if best is None:
            return None
        state.place(order_id, best[2])
    return dict(state.where)


def improve(problem: WeeklyProblem, plan: dict[str, Slot], budget_s: float) -> dict[str, Slot]:
    """``plan`` after improving moves, stopping when none is left or ``budget_s`` is spent."""
    state = _State(problem)
    for order, slot in plan.items():
        state.place(order, slot)
    options = {order.id: problem.slots(order.id) for order in problem.orders}
    stop = time.monotonic() + budget_s
    for _ in range(MAX_ROUNDS):
        improved = False
        for move in _moves(state, options):
            if time.monotonic() > stop:
                return dict(state.where)
            improved |= _apply_if_better(state, move)
        if not improved:
            break
    return dict(state.where)


Move = list[tuple[str, Slot]]
"""Orders and the buckets they would move to."""


def _moves(state: _State, options: dict[str, list[Slot]]) -> Iterator[Move]:
    orders = sorted(options)
    for order in orders:
        for slot in options[order]:
            if slot != state.where[order]:
                yield [(order, slot)]
    for i, first in enumerate(orders):
        for second in orders[i + 1 :]:
            a, b = state.where[first], state.where[second]
            if a != b and b in options[first] and a in options[second]:
                yield [(first, b), (second, a)]
    groups: dict[tuple[str, Slot], list[str]] = {}
    for order in orders:
        groups.setdefault((state.problem.order(order).family, state.where[order]), []).append(order)
    for (_, source), members in sorted(groups.items()):
        shared = set(options[members[0]]).intersection(*(options[m] for m in members[1:]))
        for target in sorted(shared - {source}):
            yield [(member, target) for member in members]


def _apply_if_better(state: _State, move: Move) -> bool:
    """Make ``move`` if it keeps every bucket within capacity and lowers the cost."""
    if any(state.where[order] == target for order, target in move):
        return False
    touched = {state.where[order] for order, _ in move} | {target for _, target in move}
    before = sum(state.bucket_cost(s) for s in touched)
    before += sum(state.order_cost(order) for order, _ in move)
    origins = [(order, state.remove(order)) for order, _ in move]
    for order, target in move:
        state.place(order, target)
    after = sum(state.bucket_cost(s) for s in touched)
    after += sum(state.order_cost(order) for order, _ in move)
    if after < before - _EPSILON and all(state.fits(s) for s in touched):
        return True
    for order, _ in move:
        state.remove(order)
    for order, origin in origins:
        state.place(order, origin)
    return False
