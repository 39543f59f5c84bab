"""Why no weekly plan exists, in terms a planner can act on (BR-19).

CBC only says "infeasible". A planner needs the orders, deadlines and line
weeks that clash, and nothing else: naming an order that is not part of the
clash sends someone to renegotiate the wrong due date. Two tools:

* :func:`precheck`, cheap necessary conditions tried before any solve. An
  order with no (line, period) it may use, and capacity clashes: a set of
  buckets S (one line over a run of periods, or every line over a run of
  periods) and the orders that can only go into S, whose hours (each at its
  shortest) plus one setup per family among them exceed the hours S offers.
  Every family present runs somewhere in S, so it pays its setup at least
  once: the condition is a proof, never a false alarm. The orders named are
  cut down to a set where each one is needed for the overload.
* :func:`isolate_conflict`, a deletion filter for clashes the pre-checks
  miss (orders that fit in total but not bucket by bucket). It drops orders,
  then lifts the capacity of buckets, one at a time, keeping each change
  under which the rest stays provably infeasible. What is left is a set of
  orders and bucket capacities that cannot hold together, and, when every
  test was conclusive, one in which each member is needed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from pharma_pipelines.scheduling.weekly.problem import (
    TOLERANCE,
    Slot,
    WeeklyOrder,
    WeeklyProblem,
    number,
)

logger = logging.getLogger(__name__)


class ConflictKind(StrEnum):
    NO_BUCKET = "no line and period the order may use"
    CAPACITY = "line-period capacity"
    CONFLICT_SET = "conflicting orders and capacities"


@dataclass(frozen=True)
class WeeklyConflict:
    """One proven reason why no plan exists, with what it involves."""

    kind: ConflictKind
    orders: tuple[str, ...]
    buckets: tuple[Slot, ...]
    message: str


def _hours(value: float) -> str:
    return f"{number(value)} h"


def _span(problem: WeeklyProblem, first: int, last: int) -> str:
    if first == last:
        return problem.periods[first]
    return f"{problem.periods[first]}-{problem.periods[last]}"


def precheck(problem: WeeklyProblem) -> list[WeeklyConflict]:
    """Every pre-check conflict of ``problem``; empty when none applies."""
    found: list[WeeklyConflict] = []
    slots: dict[str, list[Slot]] = {}
    for order in problem.orders:
        usable = problem.slots(order.id)
        if usable:
            slots[order.id] = usable
        else:
            found.append(_no_bucket(problem, order))
    found.extend(_capacity_clashes(problem, slots))
    return found


def _no_bucket(problem: WeeklyProblem, order: WeeklyOrder) -> WeeklyConflict:
    first, last = problem.window(order.id)
    family = problem.family(order.family)
    if not order.hours:
        reason = f"order {order.id} has no eligible line: its hours name none"
    elif first > last:
        reason = (
            f"order {order.id} is released in {order.release} but has deadline {order.deadline}"
        )
    else:
        span = _span(problem, first, last)
        details = "; ".join(
            f"on {line} it needs {_hours(hours)} + {family.id} setup "
            f"{_hours(family.setup_hours)} = {_hours(hours + family.setup_hours)}, but {line} has "
            f"at most {_hours(_most_hours(problem, line, first, last))} in any period of {span}"
            for line, hours in order.hours.items()
        )
        reason = (
            f"order {order.id} fits in no line-period it may use ({span}) even alone: {details}"
        )
    return WeeklyConflict(ConflictKind.NO_BUCKET, (order.id,), (), reason)


def _most_hours(problem: WeeklyProblem, line: str, first: int, last: int) -> float:
    return max(problem.capacity(line, problem.periods[t]) for t in range(first, last + 1))


@dataclass(frozen=True)
class _Region:
    """A set of buckets checked for a clash: some lines over periods first..last."""

    lines: tuple[str, ...]
    first: int
    last: int

    def buckets(self, problem: WeeklyProblem) -> tuple[Slot, ...]:
        return tuple(
            (line, problem.periods[t])
            for line in self.lines
            for t in range(self.first, self.last + 1)
        )


def _capacity_clashes(problem: WeeklyProblem, slots: dict[str, list[Slot]]) -> list[WeeklyConflict]:
    """Regions whose confined orders need more hours than the region has, smallest first."""
    line_ids = [line.id for line in problem.lines]
    periods = len(problem.periods)
    reach = {
        order: (
            {line for line, _ in usable},
            min(problem.period_index(p) for _, p in usable),
            max(problem.period_index(p) for _, p in usable),
        )
        for order, usable in slots.items()
    }
    regions = [
        _Region(lines, first, first + length)
        for length in range(periods)
        for lines in [(line,) for line in line_ids]
        + ([tuple(line_ids)] if len(line_ids) > 1 else [])
        for first in range(periods - length)
    ]
    reported: list[set[Slot]] = []
    found: list[WeeklyConflict] = []
    for region in regions:
        buckets = set(region.buckets(problem))
        if any(earlier <= buckets for earlier in reported):
            continue
        confined = [
            order
            for order, (lines, first, last) in reach.items()
            if lines <= set(region.lines) and region.first <= first and last <= region.last
        ]
        clash = _overload(problem, slots, region, confined)
        if clash is not None:
            reported.append(buckets)
            found.append(clash)
    return found


def _need(problem: WeeklyProblem, slots: dict[str, list[Slot]], orders: Sequence[str]) -> float:
    """Least hours the orders take in their buckets: shortest hours plus one setup per family."""
    work = sum(_shortest(problem, slots, order) for order in orders)
    families = {problem.order(order).family for order in orders}
    return work + sum(problem.family(family).setup_hours for family in families)


def _shortest(problem: WeeklyProblem, slots: dict[str, list[Slot]], order: str) -> float:
    return min(problem.order(order).hours[line] for line, _ in slots[order])


def _overload(
    problem: WeeklyProblem,
    slots: dict[str, list[Slot]],
    region: _Region,
    confined: list[str],
) -> WeeklyConflict | None:
    capacity = sum(problem.capacity(*bucket) for bucket in region.buckets(problem))
    if not confined or _need(problem, slots, confined) <= capacity + TOLERANCE:
        return None
    # Drop orders the overload does not need, smallest first, so that no
    # bystander is named; fewer orders never need more, so each drop that
    # keeps the overload can stay.
    members = list(confined)
    for order in sorted(confined, key=lambda o: (_shortest(problem, slots, o), o)):
        trial = [other for other in members if other != order]
        if trial and _need(problem, slots, trial) > capacity + TOLERANCE:
            members = trial
    position = {order.id: j for j, order in enumerate(problem.orders)}
    members.sort(key=position.__getitem__)
    return _capacity_conflict(problem, slots, region, members, capacity)


def _capacity_conflict(
    problem: WeeklyProblem,
    slots: dict[str, list[Slot]],
    region: _Region,
    members: list[str],
    capacity: float,
) -> WeeklyConflict:
    span = _span(problem, region.first, region.last)
    work = sum(_shortest(problem, slots, order) for order in members)
    families = list(dict.fromkeys(problem.order(order).family for order in members))
    setups = ", ".join(
        f"{family} {_hours(problem.family(family).setup_hours)}" for family in families
    )
    need = _need(problem, slots, members)
    if len(region.lines) == 1:
        place = f"line {region.lines[0]} in {span} has"
        where = f"on {region.lines[0]} in {span}"
    else:
        place = f"lines {', '.join(region.lines)} in {span} have"
        where = f"on these lines in {span}"
    shortest = " at their shortest" if len(region.lines) > 1 else ""
    together = " in total" if len(region.lines) * (region.last - region.first + 1) > 1 else ""
    facts = "; ".join(_order_facts(problem, slots, order) for order in members)
    message = (
        f"{place} {_hours(capacity)}{together}; orders {', '.join(members)} may only run "
        f"{where} and need {_hours(need)} including changeovers "
        f"({_hours(work)} of orders{shortest} + setups {setups}): {facts}"
    )
    return WeeklyConflict(ConflictKind.CAPACITY, tuple(members), region.buckets(problem), message)


def _order_facts(problem: WeeklyProblem, slots: dict[str, list[Slot]], order_id: str) -> str:
    """What confines an order: its family and hours, eligible lines and window."""
    order = problem.order(order_id)
    usable = slots[order_id]
    lines = sorted({line for line, _ in usable}, key=list(order.hours).index)
    hours = ", ".join(f"{_hours(order.hours[line])} on {line}" for line in lines)
    limits: list[str] = []
    if set(lines) == set(order.hours):
        limits.append(f"only {lines[0]}" if len(lines) == 1 else f"lines {', '.join(lines)}")
    else:
        limits.append(f"room only on {', '.join(lines)}")
    first, last = problem.window(order_id)
    if order.release is not None and first > 0:
        limits.append(f"released {order.release}")
    if order.deadline is not None and last < len(problem.periods) - 1:
        limits.append(f"deadline {order.deadline}")
    used = sorted({problem.period_index(period) for _, period in usable})
    if used[0] > first or used[-1] < last:
        limits.append(f"room only in {_span(problem, used[0], used[-1])}")
    return f"{order_id} ({order.family}, {hours}; {', '.join(limits)})"


Oracle = Callable[[WeeklyProblem, float], bool | None]
"""Feasibility test: True feasible, False proven infeasible, None unknown in the time given."""


@dataclass(frozen=True)
class ConflictSet:
    """Result of the deletion filter: orders and bucket capacities that cannot hold together."""

    orders: tuple[str, ...]
    buckets: tuple[Slot, ...]
    minimal: bool
    seconds: float


def isolate_conflict(problem: WeeklyProblem, oracle: Oracle, budget_s: float) -> ConflictSet | None:
    """Shrink an infeasible problem to a conflict, within ``budget_s``.

    A dropped order or a lifted capacity that leaves the rest provably
    infeasible stays dropped or lifted; one whose removal makes the rest
    feasible, or not provably infeasible in its time, is part of the
    conflict. ``minimal`` says every member was tested with a clear answer.
    Returns None when the budget ran out before the first test.
    """
    started = time.monotonic()
    kept = [order.id for order in problem.orders]
    lifted: set[Slot] = set()
    tested = 0
    conclusive = True

    def remaining() -> float:
        return budget_s - (time.monotonic() - started)

    def test(orders: list[str], relaxed: set[Slot], left: int) -> bool:
        nonlocal tested, conclusive
        answer = oracle(problem.restricted(orders, relaxed), remaining() / max(1, left))
        tested += 1
        conclusive = conclusive and answer is not None
        return answer is False

    all_tests = len(kept) + len(problem.lines) * len(problem.periods)
    for position, order in enumerate(list(kept)):
        if remaining() <= 0:
            break
        trial = [other for other in kept if other != order]
        if trial and test(trial, lifted, all_tests - position):
            kept = trial
    orders_done = tested == len(problem.orders)
    candidates = _buckets_of(problem, kept) if orders_done else []
    for position, bucket in enumerate(candidates):
        if remaining() <= 0:
            break
        if test(kept, lifted | {bucket}, len(candidates) - position):
            lifted.add(bucket)
    if tested == 0:
        return None
    complete = orders_done and tested == len(problem.orders) + len(candidates)
    seconds = time.monotonic() - started
    logger.info(
        "deletion filter kept %d of %d orders and %d buckets after %d tests in %.2f s",
        len(kept),
        len(problem.orders),
        len(candidates) - len(lifted),
        tested,
        seconds,
    )
    buckets = tuple(bucket for bucket in candidates if bucket not in lifted)
    return ConflictSet(tuple(kept), buckets, complete and conclusive, seconds)


def _buckets_of(problem: WeeklyProblem, orders: list[str]) -> list[Slot]:
    """Buckets any of ``orders`` may use if capacity were no limit, in plan order."""
    wanted: set[Slot] = set()
    for order_id in orders:
        first, last = problem.window(order_id)
        for line in problem.order(order_id).hours:
            wanted.update((line, problem.periods[t]) for t in range(first, last + 1))
    return [
        (line.id, period)
        for line in problem.lines
        for period in problem.periods
        if (line.id, period) in wanted
    ]


def describe_conflict_set(problem: WeeklyProblem, conflict: ConflictSet) -> WeeklyConflict:
    """A planner-facing account of a deletion-filter result."""
    named = [
        f"{line} in {period} ({_hours(problem.capacity(line, period))})"
        for line, period in conflict.buckets
    ]
    capacities = ", ".join(named[:-1]) + " and " + named[-1] if len(named) > 1 else "".join(named)
    noun = "capacities" if len(named) > 1 else "capacity"
    facts = "; ".join(_window_facts(problem, order) for order in conflict.orders)
    qualifier = (
        "dropping any one of these orders or giving any of these line-periods more hours "
        "lets the rest be planned"
        if conflict.minimal
        else "the search for a smaller set did not finish in the time limit, so it may hold "
        "more than the clash"
    )
    message = (
        f"orders {', '.join(conflict.orders)} cannot all be planned within the {noun} of "
        f"{capacities or 'their line-periods'} ({qualifier}): {facts}"
    )
    return WeeklyConflict(ConflictKind.CONFLICT_SET, conflict.orders, conflict.buckets, message)


def _window_facts(problem: WeeklyProblem, order_id: str) -> str:
    order = problem.order(order_id)
    first, last = problem.window(order_id)
    hours = ", ".join(f"{_hours(value)} on {line}" for line, value in order.hours.items())
    return f"{order_id} ({order.family}, {hours}; periods {_span(problem, first, last)})"


def summarise(conflicts: Sequence[WeeklyConflict]) -> str:
    """One message for several conflicts, one clause each."""
    return "no plan meets every hard rule: " + " | ".join(c.message for c in conflicts)
