"""Why a plan is impossible, in words a planner can act on.

CBC answers only "infeasible". Planners need to know which orders, deadlines
or line capacities clash, so this module offers two sound tools:

* :func:`precheck` runs cheap necessary conditions before any solve. Each
  failure is a proof of infeasibility with the numbers behind it: an order
  with no eligible line, a release after the horizon, a deadline before
  release plus shortest processing, an order that fits on none of its lines
  even alone, and a capacity clash where the orders that can only run on one
  line and must end by a time T need more processing plus changeover than
  the line offers before T.
* :func:`find_conflict_set` is a deletion filter for what the pre-checks
  miss: it drops orders one by one and keeps a drop whenever the rest stays
  provably infeasible, ending with a set of orders that cannot all be
  planned together. It needs a feasibility oracle (the MIP) and a budget.

Every bound used is a relaxation (shortest changeover into an order, time
minus downtimes), so a reported conflict is never a false alarm.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from pharma_pipelines.scheduling.problem import Order, SchedulingProblem

logger = logging.getLogger(__name__)


class ConflictKind(StrEnum):
    """The kind of evidence behind a conflict."""

    NO_ELIGIBLE_LINE = "no eligible line"
    RELEASE_AFTER_HORIZON = "release after horizon"
    DEADLINE_TOO_EARLY = "deadline before release plus processing"
    FITS_NO_LINE = "fits on none of its lines"
    LINE_CAPACITY = "line capacity"
    CONFLICT_SET = "conflicting set of orders"


@dataclass(frozen=True)
class Conflict:
    """One proven reason why no schedule exists."""

    kind: ConflictKind
    orders: tuple[str, ...]
    lines: tuple[str, ...]
    message: str


def precheck(problem: SchedulingProblem) -> list[Conflict]:
    """All pre-check conflicts of ``problem``; empty when none of them applies."""
    setups = {line.id: _LineSetups(problem, line.id) for line in problem.lines}
    found: list[Conflict] = []
    fitting: dict[str, list[str]] = {}
    for order in problem.orders:
        conflict = _order_conflict(problem, order)
        if conflict is None:
            fitting[order.id] = [
                line for line in order.proc if _fits_alone(problem, setups[line], order, line)
            ]
            if not fitting[order.id]:
                conflict = _fits_no_line(problem, setups, order)
        if conflict is not None:
            found.append(conflict)
    for line in problem.lines:
        bound = [order for order in problem.orders if fitting.get(order.id) == [line.id]]
        conflict = _first_overload(problem, setups[line.id], bound)
        if conflict is not None:
            found.append(conflict)
    return found


class _LineSetups:
    """Shortest changeovers into each product on one line, from the predecessors that exist.

    ``others[b]`` allows the initial state and any product other than b;
    ``with_self[b]`` also allows b itself (another order of b on the line).
    """

    def __init__(self, problem: SchedulingProblem, line: str) -> None:
        self.problem, self.line = problem, line
        self.count: dict[str, int] = {}
        self.by_proc: dict[str, list[tuple[int, str]]] = {}
        for order in problem.orders:
            if line in order.proc:
                self.count[order.product] = self.count.get(order.product, 0) + 1
                self.by_proc.setdefault(order.product, []).append((order.proc[line], order.id))
        for entries in self.by_proc.values():
            entries.sort()
        self.others: dict[str, int] = {}
        self.with_self: dict[str, int] = {}
        table = problem.setup_table(line)
        present = [problem.product_index(product) for product in self.count]
        for product in self.count:
            b = problem.product_index(product)
            options = [table.matrix[a][b] for a in present if a != b]
            options.append(problem.setup_time(line, None, product))
            self.others[product] = min(options)
            self.with_self[product] = min(self.others[product], table.matrix[b][b])

    def into(self, product: str, same_product_elsewhere: bool) -> int:
        """Shortest changeover into ``product``.

        ``same_product_elsewhere`` allows a predecessor of the same product.
        """
        return self.with_self[product] if same_product_elsewhere else self.others[product]

    def alone(self, order: Order) -> int:
        return self.into(order.product, self.count[order.product] > 1)

    def first_in_window(self, product: str, members: set[str]) -> int:
        """Changeover plus borrowed processing before the first member of ``product`` in a window.

        When the window starts at the line opening, a same-product
        predecessor that is not a member also runs inside the window, so its
        processing counts against the window as well.
        """
        outside = [proc for proc, order_id in self.by_proc[product] if order_id not in members]
        if not outside:
            return self.others[product]
        return min(
            self.others[product], self.problem.setup_time(self.line, product, product) + outside[0]
        )


def _order_conflict(problem: SchedulingProblem, order: Order) -> Conflict | None:
    unit, horizon = problem.time_unit, problem.horizon
    if not order.proc:
        return Conflict(
            ConflictKind.NO_ELIGIBLE_LINE,
            (order.id,),
            (),
            f"order {order.id} has no eligible line: its proc lists no line",
        )
    shortest = min(order.proc.values())
    if order.release + shortest > horizon:
        return Conflict(
            ConflictKind.RELEASE_AFTER_HORIZON,
            (order.id,),
            (),
            f"order {order.id} cannot end by the horizon {horizon}: "
            f"release {order.release} + shortest "
            f"processing {shortest} = {order.release + shortest} {unit}",
        )
    if order.deadline is not None and order.release + shortest > order.deadline:
        return Conflict(
            ConflictKind.DEADLINE_TOO_EARLY,
            (order.id,),
            (),
            f"order {order.id} has deadline {order.deadline} but "
            f"release {order.release} + shortest "
            f"processing {shortest} = {order.release + shortest} {unit}",
        )
    return None


def _earliest_alone(
    problem: SchedulingProblem, setups: _LineSetups, order: Order, line: str
) -> int:
    """Earliest end of ``order`` alone on ``line`` with its shortest possible changeover."""
    setup = setups.alone(order)
    opens, _ = problem.line_window(line)
    start = max(order.release, opens + setup)
    for down_start, down_end in sorted(problem.line(line).downtimes):
        if start - setup < down_end and down_start < start + order.proc[line]:
            start = down_end + setup
    return start + order.proc[line]


def _latest_end_on(problem: SchedulingProblem, order: Order, line: str) -> int:
    return min(problem.latest_end(order.id), problem.line_window(line)[1])


def _fits_alone(problem: SchedulingProblem, setups: _LineSetups, order: Order, line: str) -> bool:
    return _earliest_alone(problem, setups, order, line) <= _latest_end_on(problem, order, line)


def _fits_no_line(
    problem: SchedulingProblem, setups: dict[str, _LineSetups], order: Order
) -> Conflict:
    details = "; ".join(
        f"on {line} it ends at {_earliest_alone(problem, setups[line], order, line)} "
        "at the earliest, after its "
        f"limit {_latest_end_on(problem, order, line)}"
        for line in order.proc
    )
    return Conflict(
        ConflictKind.FITS_NO_LINE,
        (order.id,),
        tuple(order.proc),
        f"order {order.id} fits on none of its lines even alone: {details}",
    )


MAX_WINDOW_STARTS = 50
"""Distinct release times tried as window starts per line; bounds the pre-check's work."""


def _first_overload(
    problem: SchedulingProblem, setups: _LineSetups, bound: list[Order]
) -> Conflict | None:
    """The earliest window [r0, T) in which ``bound`` orders overload the line, if any.

    T runs over the orders' end limits, r0 over the line opening and their
    releases; the members of a window are the bound orders released at or
    after r0 that must end by T.
    """
    line = setups.line
    opens, _ = problem.line_window(line)
    limits = sorted({_latest_end_on(problem, order, line) for order in bound})
    starts = sorted({opens} | {order.release for order in bound if order.release > opens})[
        :MAX_WINDOW_STARTS
    ]
    for limit in limits:
        for window_start in starts:
            members = [
                order
                for order in bound
                if _latest_end_on(problem, order, line) <= limit and order.release >= window_start
            ]
            if members and window_start < limit:
                conflict = _overload(problem, setups, members, window_start, limit)
                if conflict is not None:
                    return conflict
    return None


def _overload(
    problem: SchedulingProblem,
    setups: _LineSetups,
    members: list[Order],
    window_start: int,
    limit: int,
) -> Conflict | None:
    line = setups.line
    opens, _ = problem.line_window(line)
    begin = max(window_start, opens)
    processing = sum(order.proc[line] for order in members)
    bounds = _setup_lower_bounds(setups, members, window_start <= opens)
    changeover = sum(bounds)
    if window_start > opens:
        changeover -= max(bounds)
    available = _available(problem, line, begin, limit)
    ids = tuple(order.id for order in members)
    unit = problem.time_unit
    lead = (
        f"line {line} is over capacity between {begin} and {limit}: orders {', '.join(ids)} "
        f"can only run on {line}, are released at or after {window_start} and must end by "
        f"{limit} ({_why_by(problem, line, members, limit)})"
    )
    if processing + changeover > available:
        return Conflict(
            ConflictKind.LINE_CAPACITY,
            ids,
            (line,),
            f"{lead}; they need {processing} {unit} processing + at least {changeover} {unit} "
            f"changeover before them = {processing + changeover} {unit}, but {line} is "
            f"available for only {available} {unit} in that window",
        )
    packing = _packing_shortfall(problem, setups, members, begin, limit, window_start <= opens)
    if packing is None:
        return None
    return Conflict(ConflictKind.LINE_CAPACITY, ids, (line,), f"{lead}; {packing}")


def _why_by(problem: SchedulingProblem, line: str, members: list[Order], limit: int) -> str:
    """Which hard limit makes ``limit`` the end of the window."""
    if any(order.deadline is not None and order.deadline <= limit for order in members):
        return "their deadlines"
    if limit < problem.horizon and problem.line_window(line)[1] == limit:
        return f"{line} is available only until {limit}"
    return f"the horizon {problem.horizon}"


def _packing_shortfall(
    problem: SchedulingProblem,
    setups: _LineSetups,
    members: list[Order],
    begin: int,
    limit: int,
    from_opening: bool,
) -> str | None:
    """Why the members cannot be packed into the free periods between downtimes, if they cannot.

    An order and its changeover form one block that no downtime may cut, so
    each block sits inside one free period. A period of length g holds at most
    as many blocks as the shortest ones that add up to no more than g, and at
    most g or the sum of that many of the longest blocks that fit, whichever
    is less. Changeovers count only when the window starts at the opening
    (otherwise the first block's changeover may lie before the window).
    """
    line, unit = setups.line, problem.time_unit
    changeovers = (
        _setup_lower_bounds(setups, members, False) if from_opening else [0] * len(members)
    )
    loads = sorted(
        order.proc[line] + setup for order, setup in zip(members, changeovers, strict=True)
    )
    gaps = _free_gaps(problem, line, begin, limit)
    counts = [_most_blocks(loads, gap) for gap in gaps]
    if sum(counts) < len(loads):
        longest = max(gaps, default=0)
        return (
            f"no downtime may cut an order, and the {len(gaps)} free periods of {line} in that "
            f"window (the longest {longest} {unit}) hold at most {sum(counts)} of these "
            f"{len(loads)} orders"
        )
    usable = sum(
        min(gap, sum(sorted(load for load in loads if load <= gap)[-count:])) if count else 0
        for gap, count in zip(gaps, counts, strict=True)
    )
    if usable < sum(loads):
        return (
            f"no downtime may cut an order, and the free periods of {line} in that window can "
            f"take at most {usable} {unit} of these orders' {sum(loads)} {unit} of work"
        )
    return None


def _most_blocks(loads: list[int], gap: int) -> int:
    """How many of the (sorted) ``loads`` fit into one free period of length ``gap`` at most."""
    total, count = 0, 0
    for load in loads:
        total += load
        if total > gap:
            break
        count += 1
    return count


def _free_gaps(problem: SchedulingProblem, line: str, start: int, end: int) -> list[int]:
    """Lengths of the periods in [start, end) that no downtime of ``line`` touches."""
    gaps: list[int] = []
    cursor = start
    for down_start, down_end in sorted(problem.line(line).downtimes):
        if down_start >= end:
            break
        if down_start > cursor:
            gaps.append(down_start - cursor)
        cursor = max(cursor, down_end)
    if end > cursor:
        gaps.append(end - cursor)
    return gaps


def _setup_lower_bounds(setups: _LineSetups, members: list[Order], from_opening: bool) -> list[int]:
    """A lower bound on the time each member needs besides its own processing.

    The first member of a product follows either a non-member of that product
    or another product; later members of a product may follow anything,
    including an earlier member. ``from_opening`` says the window starts when
    the line opens, so a non-member predecessor's processing is inside it.
    """
    ids = {order.id for order in members}
    bounds: list[int] = []
    seen: set[str] = set()
    for order in members:
        if order.product in seen:
            bounds.append(setups.into(order.product, True))
        elif from_opening:
            bounds.append(setups.first_in_window(order.product, ids))
        else:
            outside = setups.count[order.product] > sum(
                1 for other in members if other.product == order.product
            )
            bounds.append(setups.into(order.product, outside))
        seen.add(order.product)
    return bounds


def _available(problem: SchedulingProblem, line: str, start: int, end: int) -> int:
    """Length of [start, end) minus the downtimes of ``line``."""
    blocked = 0
    cursor = start
    for down_start, down_end in sorted(problem.line(line).downtimes):
        low, high = max(down_start, cursor), min(down_end, end)
        if high > low:
            blocked += high - low
            cursor = high
    return max(0, end - start - blocked)


Oracle = Callable[[SchedulingProblem, float], bool | None]
"""Feasibility test: True feasible, False proven infeasible, None unknown in the time given."""


@dataclass(frozen=True)
class ConflictSet:
    """Result of the deletion filter."""

    orders: tuple[str, ...]
    minimal: bool
    seconds: float


def find_conflict_set(
    problem: SchedulingProblem, oracle: Oracle, budget_s: float
) -> ConflictSet | None:
    """Shrink the orders of an infeasible problem to a set that still cannot be planned.

    ``minimal`` is True when every order left was tested: dropping any one
    of them makes the rest feasible or at least not provably infeasible.
    Returns None when the budget ran out before the first test.
    """
    started = time.monotonic()
    keep = list(problem.orders)
    tested = 0
    for order in list(problem.orders):
        remaining = budget_s - (time.monotonic() - started)
        if remaining <= 0:
            break
        trial = [other for other in keep if other.id != order.id]
        per_test = remaining / max(1, len(problem.orders) - tested)
        if trial and oracle(problem.with_orders(tuple(trial)), per_test) is False:
            keep = trial
        tested += 1
    if tested == 0:
        return None
    seconds = time.monotonic() - started
    logger.info(
        "deletion filter kept %d of %d orders after %d tests in %.2f s",
        len(keep),
        len(problem.orders),
        tested,
        seconds,
    )
    return ConflictSet(tuple(order.id for order in keep), tested == len(problem.orders), seconds)


def describe_conflict_set(problem: SchedulingProblem, conflict: ConflictSet) -> Conflict:
    """A planner-facing explanation of a deletion-filter result."""
    orders = [problem.order(order_id) for order_id in conflict.orders]
    lines = tuple(sorted({line for order in orders for line in order.proc}))
    facts = "; ".join(_order_facts(problem, order) for order in orders)
    qualifier = (
        "removing any one of them lets the rest be planned or at least not be proven impossible"
        if conflict.minimal
        else "the search for a smaller set ran out of time"
    )
    message = (
        f"orders {', '.join(conflict.orders)} cannot all be planned together "
        f"on lines {', '.join(lines)} "
        f"({qualifier}): {facts}"
    )
    return Conflict(ConflictKind.CONFLICT_SET, conflict.orders, lines, message)


def _order_facts(problem: SchedulingProblem, order: Order) -> str:
    limit = (
        f"deadline {order.deadline}" if order.deadline is not None else f"horizon {problem.horizon}"
    )
    proc = ", ".join(f"{line} {time}" for line, time in order.proc.items())
    return f"{order.id} ({order.product}) released {order.release}, {limit}, processing {proc}"


def summarise(conflicts: Sequence[Conflict]) -> str:
    """One message for several conflicts, each on its own clause."""
    return "no feasible schedule exists: " + " | ".join(conflict.message for conflict in conflicts)
