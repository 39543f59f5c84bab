"""A lower bound on the objective that needs no solver.

Why: a planner reads the gap as "how far this plan may still be from the
best possible". CBC gives a bound only for models it can build, and its LP
bound on a makespan is weak; these three bounds cost microseconds, hold for
every size, and prove a plan optimal outright when it meets them (a plan
without tardiness or changeovers, say).

Each order j needs a changeover before it and can end no earlier than on its
best line. With ``s_jk`` the smallest changeover into j on line k (from the
line's initial state or from any other order eligible there), ``a_k`` the
line's opening and ``p_jk`` the processing time:

* ``e_jk = max(r_j, a_k + s_jk) + p_jk`` and ``e_j = min_k e_jk`` bound the
  end of j; downtimes only make it later;
* tardiness: ``sum_j w_j max(0, e_j - d_j)``;
* changeovers: each line has one first order, so at most ``L`` orders (one
  per line) take their changeover from a line's initial state; every other
  order follows another order. With ``f_j`` the smallest changeover into j
  from another order and ``g_j`` the smallest from a line's initial state,
  ``sum_j f_j`` less the ``L`` largest savings ``max(0, f_j - g_j)`` (an
  order that can follow no other order counts ``g_j`` and saves nothing);
* makespan: ``max_j e_j``, and the load bound: the lines used must hold the
  work ``W = sum_j min_k (p_jk + s_jk)`` between their openings and the
  makespan ``C``, so ``sum_k max(0, C - a_k) >= W``.

Each term bounds its own part of the objective, so their weighted sum bounds
the whole.
"""

from __future__ import annotations

import math
from collections import Counter

from pharma_pipelines.scheduling.problem import SchedulingProblem


def lower_bound(problem: SchedulingProblem) -> int:
    """A valid lower bound on the objective of every feasible schedule of ``problem``."""
    work = problem.pinned()
    weights = work.objective
    on_line: dict[str, Counter[int]] = {line.id: Counter() for line in work.lines}
    for order in work.orders:
        for line in order.proc:
            on_line[line][work.product_index(order.product)] += 1
    tardiness = setups = latest_end = total_work = 0
    savings: list[int] = []
    for order in work.orders:
        target = work.product_index(order.product)
        ends: list[int] = []
        after_order: list[int] = []
        at_start: list[int] = []
        work_floor: list[int] = []
        for line, duration in order.proc.items():
            start, following = _smallest_changeovers_into(work, line, target, on_line[line])
            smallest = start if following is None else min(start, following)
            opens = work.line_window(line)[0]
            ends.append(max(order.release, opens + smallest) + duration)
            at_start.append(start)
            if following is not None:
                after_order.append(following)
            work_floor.append(smallest + duration)
        if not ends:
            continue
        earliest = min(ends)
        tardiness += order.weight * max(0, earliest - order.due)
        first = min(at_start)
        follows = min(after_order) if after_order else first
        setups += follows
        savings.append(max(0, follows - first))
        latest_end = max(latest_end, earliest)
        total_work += min(work_floor)
    setups -= sum(sorted(savings, reverse=True)[: len(work.lines)])
    openings = sorted(work.line_window(line.id)[0] for line in work.lines)
    makespan = max(latest_end, _load_bound(openings, total_work))
    return (
        weights.weighted_tardiness * tardiness
        + weights.setup_time * setups
        + weights.makespan * makespan
    )


def _smallest_changeovers_into(
    problem: SchedulingProblem, line: str, target: int, products: Counter[int]
) -> tuple[int, int | None]:
    """Smallest changeovers before an order of product ``target`` on ``line``: as the
    line's first order (from its initial state), and after another order (from every
    product with an order eligible on the line; the order's own product only when another
    order of that product may run there too), ``None`` when no other order may precede it.
    """
    table = problem.setup_table(line)
    start = 0 if table.initial is None else table.initial[target]
    following = [
        table.matrix[product][target]
        for product, count in products.items()
        if product != target or count > 1
    ]
    return start, min(following) if following else None


def _load_bound(openings: list[int], total_work: int) -> int:
    """Smallest C with ``sum_k max(0, C - a_k) >= total_work`` (lines sorted by opening)."""
    if total_work <= 0 or not openings:
        return 0
    opened = 0
    for count, opening in enumerate(openings, start=1):
        opened += opening
        candidate = math.ceil((total_work + opened) / count)
        following = openings[count] if count < len(openings) else None
        if following is None or candidate <= following:
            return candidate
    return 0
