"""Compiled inner loops of the schedule search: timing, move evaluation, local search.

Why compiled: the iterated greedy search of :mod:`~pharma_pipelines.scheduling.search`
evaluates millions of candidate sequences per solve, and each evaluation is a
short loop over integers. Interpreted Python manages about a thousand times
fewer of them in the same time; numba compiles these functions to machine
code once (cached on disk) and calls them at the speed of C.

Why every move is evaluated by re-timing: objective terms are regular, so the
left-shifted timing of a sequence is its best timing (see the heuristic
module), and releases, downtimes and hard limits make the timing of the rest
of a line depend on everything before it. A move therefore re-times the
changed line from the first changed position; as soon as an unchanged order
ends exactly when it did before, the rest of the line is unchanged too and
its cached cost is reused.

Data layout (all int64): ``n`` orders, ``m`` lines, ``P`` products. A line's
sequence sits in ``seq[k, :size[k]]``; ``ready[k, i]``, ``prev[k, i]`` and
``cost[k, i]`` describe line k just before position i (when the line is free,
the product last run or ``NO_PRODUCT``, and the line cost so far), so index
``size[k]`` holds the whole line. The line cost is the line-separable part of
the objective: ``W_T * w_j * tardiness_j + W_S * setup_j`` summed over its
orders; the makespan term is added over all lines.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from numba import njit

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

NO_PRODUCT = -1
INFEASIBLE = -1
"""A walk's cost when the new sequence breaks a hard limit or exceeds its cutoff."""
NEVER = np.iinfo(np.int64).max // 4
"""Larger than any objective or time; small enough that adding two never overflows."""


class Instance(NamedTuple):
    """The problem as arrays; see :func:`pharma_pipelines.scheduling.search.instance_arrays`."""

    product: IntArray
    """[n] product index of each order."""
    proc: IntArray
    """[n, m] processing time, 0 where the line is not eligible."""
    limit: IntArray
    """[n, m] latest end: horizon, deadline and line close, whichever is first."""
    release: IntArray
    due: IntArray
    tardy_weight: IntArray
    """[n] W_T times the order's weight."""
    opens: IntArray
    """[m] when each line becomes available."""
    setup: IntArray
    """[m, P, P] changeover when the second product follows the first."""
    initial: IntArray
    """[m, P] changeover before a line's first order."""
    down_start: IntArray
    """[m, D] merged, sorted downtimes, padded; ``down_count`` says how many are real."""
    down_end: IntArray
    down_count: IntArray
    setup_weight: int
    makespan_weight: int


class State(NamedTuple):
    """Sequences and their cached left-shifted timing (module docstring)."""

    seq: IntArray
    size: IntArray
    ready: IntArray
    prev: IntArray
    cost: IntArray
    line_of: IntArray
    pos_of: IntArray


@njit(cache=True)
def retime(inst: Instance, st: State, k: int, first: int) -> bool:
    """Recompute line k's cached timing from position ``first``; False if a limit breaks.

    The placement rule is written out here and in :func:`walk` rather than
    shared: a helper taking arrays, called once per order, costs numba a
    reference-count round trip per array per call, which made the loops
    twenty times slower.
    """
    product, proc, release, opens = inst.product, inst.proc, inst.release, inst.opens
    setup_m, initial, limit, due = inst.setup, inst.initial, inst.limit, inst.due
    weight, w_s = inst.tardy_weight, inst.setup_weight
    down_start, down_end, downs = inst.down_start, inst.down_end, inst.down_count[k]
    seq, ready_at, prev_at, cost_at = st.seq, st.ready, st.prev, st.cost
    ready = ready_at[k, first]
    previous = prev_at[k, first]
    cost = cost_at[k, first]
    for i in range(first, st.size[k]):
        j = seq[k, i]
        p_j = product[j]
        setup = initial[k, p_j] if previous == NO_PRODUCT else setup_m[k, previous, p_j]
        duration = proc[j, k]
        start = max(ready + setup, release[j], opens[k] + setup)
        for d in range(downs):
            if start - setup < down_end[k, d] and down_start[k, d] < start + duration:
                start = down_end[k, d] + setup
        end = start + duration
        if end > limit[j, k]:
            return False
        cost += weight[j] * max(0, end - due[j]) + w_s * setup
        ready = end
        previous = p_j
        ready_at[k, i + 1] = ready
        prev_at[k, i + 1] = previous
        cost_at[k, i + 1] = cost
        st.line_of[j] = k
        st.pos_of[j] = i
    return True


@njit(cache=True)
def walk(
    inst: Instance,
    st: State,
    k: int,
    q: int,
    head: IntArray,
    head_len: int,
    r0: int,
    r1: int,
    back: IntArray,
    back_len: int,
    tail_from: int,
    cutoff: int,
) -> tuple[int, int]:
    """(cost, end) of line k changed to a new sequence made of five segments.

    The new sequence is ``seq[:q] + head[:head_len] + seq[r0:r1] +
    back[:back_len] + seq[tail_from:]``, which expresses every move of the
    search without copying: an insertion (head = the run), a removal (all
    segments empty but the tail), a relocation within the line (the run in
    front of or behind a range of the line) and an exchange.

    Cost is ``INFEASIBLE`` when a limit breaks or the cost is sure to pass
    ``cutoff``: costs only grow along a line, and once an order of the range
    or the tail ends no earlier than it did before, every order after it in
    the same segment ends no earlier either (left-shifted timing is monotone
    in the start), so it costs at least its cached cost. Once an order of the
    unchanged tail ends when it did before, the cached rest is reused. An
    empty line ends at 0.
    """
    product, proc, release, opens = inst.product, inst.proc, inst.release, inst.opens
    setup_m, initial, limit, due = inst.setup, inst.initial, inst.limit, inst.due
    weight, w_s = inst.tardy_weight, inst.setup_weight
    down_start, down_end, downs = inst.down_start, inst.down_end, inst.down_count[k]
    seq, ready_at, cost_at = st.seq, st.ready, st.cost
    size = st.size[k]
    ready = ready_at[k, q]
    previous = st.prev[k, q]
    cost = cost_at[k, q]
    range_len = r1 - r0
    changed = head_len + range_len + back_len
    length = changed + max(0, size - tail_from)
    if q == 0 and length == 0:
        return 0, 0
    for index in range(length):
        old = tail_from + index - changed
        if index < head_len:
            j = head[index]
        elif index < head_len + range_len:
            j = seq[k, r0 + index - head_len]
        elif index < changed:
            j = back[index - head_len - range_len]
        else:
            j = seq[k, old]
        p_j = product[j]
        setup = initial[k, p_j] if previous == NO_PRODUCT else setup_m[k, previous, p_j]
        duration = proc[j, k]
        start = max(ready + setup, release[j], opens[k] + setup)
        for d in range(downs):
            if start - setup < down_end[k, d] and down_start[k, d] < start + duration:
                start = down_end[k, d] + setup
        end = start + duration
        if end > limit[j, k]:
            return INFEASIBLE, 0
        cost += weight[j] * max(0, end - due[j]) + w_s * setup
        ready = end
        previous = p_j
        if index >= changed:
            if ready == ready_at[k, old + 1]:
                return cost + cost_at[k, size] - cost_at[k, old + 1], ready_at[k, size]
            # Later than before: the rest of the tail costs at least what it did.
            if (
                ready > ready_at[k, old + 1]
                and cost + cost_at[k, size] - cost_at[k, old + 1] > cutoff
            ):
                return INFEASIBLE, 0
        elif head_len <= index < head_len + range_len:
            at = r0 + index - head_len
            # The range keeps its order, so the same holds for the rest of it.
            if ready >= ready_at[k, at + 1] and cost + cost_at[k, r1] - cost_at[k, at + 1] > cutoff:
                return INFEASIBLE, 0
        if cost > cutoff:
            return INFEASIBLE, 0
    return cost, ready


@njit(cache=True)
def rewrite(
    inst: Instance,
    st: State,
    k: int,
    q: int,
    head: IntArray,
    head_len: int,
    r0: int,
    r1: int,
    back: IntArray,
    back_len: int,
    tail_from: int,
) -> bool:
    """Make line k the sequence :func:`walk` describes and re-time it; False if a limit breaks."""
    size = st.size[k]
    tail_len = max(0, size - tail_from)
    new = np.empty(head_len + (r1 - r0) + back_len + tail_len, dtype=np.int64)
    count = 0
    for i in range(head_len):
        new[count] = head[i]
        count += 1
    for i in range(r0, r1):
        new[count] = st.seq[k, i]
        count += 1
    for i in range(back_len):
        new[count] = back[i]
        count += 1
    for i in range(tail_from, size):
        new[count] = st.seq[k, i]
        count += 1
    for i in range(count):
        st.seq[k, q + i] = new[i]
    st.size[k] = q + count
    return retime(inst, st, k, q)


@njit(cache=True)
def line_end(st: State, k: int) -> int:
    """When line k's last order ends; 0 for an empty line."""
    return st.ready[k, st.size[k]] if st.size[k] > 0 else 0


@njit(cache=True)
def line_cost(st: State, k: int) -> int:
    return st.cost[k, st.size[k]]


@njit(cache=True)
def totals(inst: Instance, st: State) -> tuple[int, float]:
    """(objective, spread) of the whole state.

    The spread, the sum of the squared line ends, breaks ties between plans
    of equal objective. A makespan objective is flat for most moves (a line
    that is not the longest can change without changing it); the squares
    favour the plan that frees time on the longest lines, which is what the
    next improvement of the makespan needs.
    """
    cost = 0
    spread = 0.0
    longest = 0
    for k in range(st.size.shape[0]):
        cost += st.cost[k, st.size[k]]
        end = st.ready[k, st.size[k]] if st.size[k] > 0 else 0
        spread += float(end) * end
        longest = max(longest, end)
    return cost + inst.makespan_weight * longest, spread


@njit(cache=True)
def _line_summary(st: State) -> tuple[IntArray, FloatArray, int, float]:
    """Each line's cost and share of the spread (its squared end), and their sums.

    The spread is a float: squared ends of long horizons would overflow int64,
    and it only breaks ties.
    """
    m = st.size.shape[0]
    costs = np.empty(m, dtype=np.int64)
    spreads = np.empty(m, dtype=np.float64)
    for k in range(m):
        costs[k] = st.cost[k, st.size[k]]
        end = st.ready[k, st.size[k]] if st.size[k] > 0 else 0
        spreads[k] = float(end) * end
    return costs, spreads, costs.sum(), spreads.sum()


@njit(cache=True)
def _top_ends(st: State) -> tuple[int, int, int, int, int, int]:
    """The three largest line ends with their lines (-1 where there are fewer lines)."""
    e1 = e2 = e3 = -1
    k1 = k2 = k3 = -1
    for k in range(st.size.shape[0]):
        end = line_end(st, k)
        if end > e1:
            e3, k3 = e2, k2
            e2, k2 = e1, k1
            e1, k1 = end, k
        elif end > e2:
            e3, k3 = e2, k2
            e2, k2 = end, k
        elif end > e3:
            e3, k3 = end, k
    return e1, k1, e2, k2, e3, k3


@njit(cache=True)
def _max_end_without(top: tuple[int, int, int, int, int, int], a: int, b: int) -> int:
    e1, k1, e2, k2, e3, k3 = top
    if k1 != a and k1 != b:
        return max(e1, 0)
    if k2 != a and k2 != b:
        return max(e2, 0)
    if k3 != a and k3 != b:
        return max(e3, 0)
    return 0


@njit(cache=True)
def _better(obj: int, spread: float, best_obj: int, best_spread: float) -> bool:
    return obj < best_obj or (obj == best_obj and spread < best_spread)


@njit(cache=True)
def _within_line(qs: int, length: int, qt: int) -> tuple[int, int, int, bool, int]:
    """Segments of moving the run at ``qs`` (``length`` orders) in front of old position ``qt``.

    Returns (q, r0, r1, run_in_front, tail_from) for :func:`walk`: the new
    line is ``seq[:q]``, then the run in front of or behind ``seq[r0:r1]``,
    then ``seq[tail_from:]``.
    """
    if qt <= qs:
        return qt, qt, qs, True, qs + length
    return qs, qs + length, qt, False, qt


@njit(cache=True)
def best_relocation(
    inst: Instance, st: State, k_src: int, qs: int, length: int, run: IntArray
) -> tuple[int, float, int, int]:
    """Best place for the run of ``length`` orders at (k_src, qs).

    Returns (objective, spread, target line, target position) of the best
    move, with target line -1 when no move is strictly better than now (in
    objective, then in the spread, see :func:`totals`). The target position is an old
    position of the target line, in front of which the run goes.
    """
    m = st.size.shape[0]
    size = st.size[k_src]
    for i in range(length):
        run[i] = st.seq[k_src, qs + i]
    costs, spreads, total_cost, total_spread = _line_summary(st)
    top = _top_ends(st)
    current_obj, current_spread = totals(inst, st)
    best_obj, best_spread, best_k, best_q = current_obj, current_spread, -1, -1
    w_c = inst.makespan_weight
    removed_cost, removed_end = walk(inst, st, k_src, qs, run, 0, 0, 0, run, 0, qs + length, NEVER)
    for kt in range(m):
        eligible = True
        for i in range(length):
            if inst.proc[run[i], kt] == 0:
                eligible = False
        if not eligible:
            continue
        others_end = _max_end_without(top, k_src, kt)
        if kt == k_src:
            base_cost = total_cost - costs[k_src]
            base_spread = total_spread - spreads[k_src]
            for qt in range(size + 1):
                if qs <= qt <= qs + length:
                    continue
                q, r0, r1, in_front, tail_from = _within_line(qs, length, qt)
                head_len = length if in_front else 0
                back_len = 0 if in_front else length
                cutoff = NEVER if w_c else best_obj - base_cost
                cost, end = walk(
                    inst, st, k_src, q, run, head_len, r0, r1, run, back_len, tail_from, cutoff
                )
                if cost == INFEASIBLE:
                    continue
                obj = base_cost + cost + w_c * max(others_end, end)
                spread = base_spread + float(end) * end
                if _better(obj, spread, best_obj, best_spread):
                    best_obj, best_spread, best_k, best_q = obj, spread, kt, qt
            continue
        if removed_cost == INFEASIBLE:
            continue
        base_cost = total_cost - costs[k_src] - costs[kt] + removed_cost
        base_spread = total_spread - spreads[k_src] - spreads[kt] + float(removed_end) * removed_end
        for qt in range(st.size[kt] + 1):
            cutoff = NEVER if w_c else best_obj - base_cost
            cost, end = walk(inst, st, kt, qt, run, length, 0, 0, run, 0, qt, cutoff)
            if cost == INFEASIBLE:
                continue
            obj = base_cost + cost + w_c * max(others_end, end, removed_end)
            spread = base_spread + float(end) * end
            if _better(obj, spread, best_obj, best_spread):
                best_obj, best_spread, best_k, best_q = obj, spread, kt, qt
    return best_obj, best_spread, best_k, best_q


@njit(cache=True)
def apply_relocation(
    inst: Instance, st: State, k_src: int, qs: int, length: int, kt: int, qt: int
) -> bool:
    """Carry out a move found by :func:`best_relocation`."""
    run = st.seq[k_src, qs : qs + length].copy()
    if kt == k_src:
        q, r0, r1, in_front, tail_from = _within_line(qs, length, qt)
        head_len = length if in_front else 0
        back_len = 0 if in_front else length
        return rewrite(inst, st, k_src, q, run, head_len, r0, r1, run, back_len, tail_from)
    if not rewrite(inst, st, k_src, qs, run, 0, 0, 0, run, 0, qs + length):
        return False
    return rewrite(inst, st, kt, qt, run, length, 0, 0, run, 0, qt)


@njit(cache=True)
def best_swap_partner(
    inst: Instance, st: State, k1: int, q1: int, pair: IntArray
) -> tuple[int, float, int, int]:
    """Best exchange partner after (k1, q1) in line order (see :func:`_best_swap`)."""
    return _best_swap(inst, st, k1, q1, pair, True)


@njit(cache=True)
def _best_swap(
    inst: Instance, st: State, k1: int, q1: int, pair: IntArray, after_only: bool
) -> tuple[int, float, int, int]:
    """Best order to exchange places with the order at (k1, q1).

    Returns (objective, spread, line, position) of the partner, line -1 when
    no exchange is strictly better. With ``after_only`` only partners after
    (k1, q1) in line order are tried, so each pair is looked at once per
    pass. ``pair`` is scratch space for two orders.
    """
    m = st.size.shape[0]
    j1 = st.seq[k1, q1]
    costs, spreads, total_cost, total_spread = _line_summary(st)
    top = _top_ends(st)
    current_obj, current_spread = totals(inst, st)
    best_obj, best_spread, best_k, best_q = current_obj, current_spread, -1, -1
    w_c = inst.makespan_weight
    first = pair[0:1]
    second = pair[1:2]
    for k2 in range(k1 if after_only else 0, m):
        start = q1 + 1 if k2 == k1 and after_only else 0
        for q2 in range(start, st.size[k2]):
            if k2 == k1 and q2 == q1:
                continue
            j2 = st.seq[k2, q2]
            first[0] = j2
            second[0] = j1
            if k2 == k1 and q2 < q1:
                first[0] = j1
                second[0] = j2
                base_cost = total_cost - costs[k1]
                cutoff = NEVER if w_c else best_obj - base_cost
                cost, end = walk(inst, st, k1, q2, first, 1, q2 + 1, q1, second, 1, q1 + 1, cutoff)
                if cost == INFEASIBLE:
                    continue
                obj = base_cost + cost + w_c * max(_max_end_without(top, k1, k1), end)
                spread = total_spread - spreads[k1] + float(end) * end
            elif k2 == k1:
                base_cost = total_cost - costs[k1]
                cutoff = NEVER if w_c else best_obj - base_cost
                cost, end = walk(inst, st, k1, q1, first, 1, q1 + 1, q2, second, 1, q2 + 1, cutoff)
                if cost == INFEASIBLE:
                    continue
                obj = base_cost + cost + w_c * max(_max_end_without(top, k1, k1), end)
                spread = total_spread - spreads[k1] + float(end) * end
            else:
                if inst.proc[j2, k1] == 0 or inst.proc[j1, k2] == 0:
                    continue
                base_cost = total_cost - costs[k1] - costs[k2]
                cutoff = NEVER if w_c else best_obj - base_cost
                cost1, end1 = walk(inst, st, k1, q1, first, 1, 0, 0, first, 0, q1 + 1, cutoff)
                if cost1 == INFEASIBLE:
                    continue
                cutoff2 = NEVER if w_c else cutoff - cost1
                cost2, end2 = walk(inst, st, k2, q2, second, 1, 0, 0, second, 0, q2 + 1, cutoff2)
                if cost2 == INFEASIBLE:
                    continue
                others_end = _max_end_without(top, k1, k2)
                obj = base_cost + cost1 + cost2 + w_c * max(others_end, end1, end2)
                spread = (
                    total_spread
                    - spreads[k1]
                    - spreads[k2]
                    + float(end1) * end1
                    + float(end2) * end2
                )
            if _better(obj, spread, best_obj, best_spread):
                best_obj, best_spread, best_k, best_q = obj, spread, k2, q2
    return best_obj, best_spread, best_k, best_q


@njit(cache=True)
def apply_swap(inst: Instance, st: State, k1: int, q1: int, k2: int, q2: int) -> bool:
    j1 = st.seq[k1, q1]
    j2 = st.seq[k2, q2]
    st.seq[k1, q1] = j2
    st.seq[k2, q2] = j1
    if not retime(inst, st, k1, q1):
        return False
    return retime(inst, st, k2, q2)


@njit(cache=True)
def descend(inst: Instance, st: State, max_moves: int, use_swaps: bool, max_length: int) -> int:
    """Best-improvement moves per run and order until none improves or ``max_moves`` are made.

    Moves: relocate a run of 1 to ``max_length`` consecutive orders to the
    best place on any line that can make all of them, then exchange two
    orders. Returns the number of moves made; the caller calls again while
    its budget lasts.
    """
    m = st.size.shape[0]
    run = np.empty(max(1, max_length), dtype=np.int64)
    pair = np.empty(2, dtype=np.int64)
    moves = 0
    improved = True
    while improved and moves < max_moves:
        improved = False
        for length in range(1, max_length + 1):
            for k in range(m):
                q = 0
                while q + length <= st.size[k] and moves < max_moves:
                    _, _, kt, qt = best_relocation(inst, st, k, q, length, run)
                    if kt >= 0:
                        if not apply_relocation(inst, st, k, q, length, kt, qt):
                            raise RuntimeError("an accepted relocation broke a hard limit")
                        moves += 1
                        improved = True
                    else:
                        q += 1
        if not use_swaps:
            continue
        for k in range(m):
            q = 0
            while q < st.size[k] and moves < max_moves:
                _, _, k2, q2 = best_swap_partner(inst, st, k, q, pair)
                if k2 >= 0:
                    if not apply_swap(inst, st, k, q, k2, q2):
                        raise RuntimeError("an accepted exchange broke a hard limit")
                    moves += 1
                    improved = True
                q += 1
    return moves


@njit(cache=True)
def remove_orders(inst: Instance, st: State, orders: IntArray) -> int:
    """Take ``orders`` out of their lines, skipping any whose removal breaks a limit.

    Returns how many were removed; they are moved to the front of ``orders``.
    """
    removed = 0
    for index in range(orders.shape[0]):
        j = orders[index]
        k = st.line_of[j]
        q = st.pos_of[j]
        cost, _ = walk(inst, st, k, q, orders, 0, 0, 0, orders, 0, q + 1, NEVER)
        if cost == INFEASIBLE:
            continue
        rewrite(inst, st, k, q, orders, 0, 0, 0, orders, 0, q + 1)
        st.line_of[j] = -1
        orders[removed] = j
        removed += 1
    return removed


@njit(cache=True)
def insert_greedily(inst: Instance, st: State, orders: IntArray, count: int) -> bool:
    """Insert each of the first ``count`` orders where the objective grows least.

    Ties go to the smaller spread (:func:`totals`). False when an order fits nowhere.
    """
    m = st.size.shape[0]
    one = np.empty(1, dtype=np.int64)
    w_c = inst.makespan_weight
    for index in range(count):
        j = orders[index]
        one[0] = j
        costs, spreads, total_cost, total_spread = _line_summary(st)
        top = _top_ends(st)
        best_obj, best_spread, best_k, best_q = NEVER, np.inf, -1, -1
        for k in range(m):
            if inst.proc[j, k] == 0:
                continue
            base_cost = total_cost - costs[k]
            others_end = _max_end_without(top, k, k)
            for q in range(st.size[k] + 1):
                cutoff = NEVER if w_c or best_obj == NEVER else best_obj - base_cost
                cost, end = walk(inst, st, k, q, one, 1, 0, 0, one, 0, q, cutoff)
                if cost == INFEASIBLE:
                    continue
                obj = base_cost + cost + w_c * max(others_end, end)
                spread = total_spread - spreads[k] + float(end) * end
                if _better(obj, spread, best_obj, best_spread):
                    best_obj, best_spread, best_k, best_q = obj, spread, k, q
        if best_k < 0:
            return False
        rewrite(inst, st, best_k, best_q, one, 1, 0, 0, one, 0, best_q)
    return True
