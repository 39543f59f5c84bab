"""Every insertion position of a run of orders, priced at once with numpy.

On a line where no order waits for its release and no downtime interrupts
the work, times are additive: each order ends at the previous end plus its
changeover plus its processing. Inserting a run of orders at position q then
shifts every later order by the same amount, and the cost of the line after
the move follows from the cached timing without walking the sequence again.
The local search uses this to price all positions of a run in one array
expression, which is what makes it fast enough for long single-line
sequences; lines with releases or downtimes keep the exact step-by-step
evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]

NO_PREVIOUS = -1


@dataclass(frozen=True)
class LineArrays:
    """A timed line sequence of m orders as arrays.

    ``ready`` and ``previous`` have m + 1 entries: the line's end and last
    product just before each position (``NO_PREVIOUS`` before the first).
    The other arrays describe the order at each position; ``tardy`` is the
    weighted tardiness ``w * max(0, end - due)`` without the objective weight.
    """

    ready: IntArray
    previous: IntArray
    products: IntArray
    setups: IntArray
    ends: IntArray
    weights: IntArray
    dues: IntArray
    limits: IntArray
    tardy: IntArray
    total: int

    @property
    def size(self) -> int:
        return len(self.products)

    @property
    def end(self) -> int:
        """When the line's last order ends (0 for an empty line)."""
        return int(self.ends[-1]) if self.size else 0


@dataclass(frozen=True)
class Run:
    """Orders moved together, in sequence, with their data on the target line."""

    products: IntArray
    procs: IntArray
    weights: IntArray
    dues: IntArray
    limits: IntArray


@dataclass(frozen=True)
class LineCosts:
    """Changeover tables of one line and the objective weights."""

    matrix: IntArray
    initial: IntArray
    w_tardiness: int
    w_setup: int


@dataclass(frozen=True)
class Insertions:
    """Line cost, line end and feasibility of the run at each position 0..m."""

    cost: IntArray
    end: IntArray
    feasible: npt.NDArray[np.bool_]


def price_insertions(line: LineArrays, run: Run, costs: LineCosts) -> Insertions:
    """Cost and end of ``line`` with ``run`` inserted at every position."""
    m = line.size
    previous = line.previous
    entry = np.where(
        previous == NO_PREVIOUS,
        costs.initial[run.products[0]],
        costs.matrix[np.maximum(previous, 0), run.products[0]],
    )
    inner_setups = costs.matrix[run.products[:-1], run.products[1:]]
    offsets = np.cumsum(run.procs + np.concatenate(([0], inner_setups)))
    starts = line.ready + entry
    member_ends = starts[:, None] + offsets[None, :]
    run_tardy = (run.weights * np.maximum(0, member_ends - run.dues)).sum(axis=1)
    feasible = (member_ends <= run.limits).all(axis=1)
    run_end = starts + offsets[-1]
    setup_change = entry + int(inner_setups.sum())
    tardy_change = run_tardy.copy()
    end = run_end.copy()
    if m:
        shifted = _shift_following(line, run, costs, run_end[:m])
        setup_change[:m] += shifted.setup_change
        tardy_change[:m] += shifted.tardy_change
        end[:m] = line.ends[-1] + shifted.shift
        feasible[:m] &= shifted.feasible
    cost = line.total + costs.w_setup * setup_change + costs.w_tardiness * tardy_change
    return Insertions(cost=cost, end=end, feasible=feasible)


@dataclass(frozen=True)
class _Shift:
    shift: IntArray
    setup_change: IntArray
    tardy_change: IntArray
    feasible: npt.NDArray[np.bool_]


def _shift_following(line: LineArrays, run: Run, costs: LineCosts, run_end: IntArray) -> _Shift:
    """What happens to the orders after the run, for the m positions that have any.

    They all move by the same amount, so one suffix minimum of their slack
    decides feasibility; tardiness needs the full triangle only when it is
    part of the objective.
    """
    m = line.size
    new_setup = costs.matrix[run.products[-1], line.products]
    shift = run_end - line.ready[:m] + new_setup - line.setups
    slack = np.minimum.accumulate((line.limits - line.ends)[::-1])[::-1]
    tardy_change = np.zeros(m, dtype=np.int64)
    if costs.w_tardiness:
        moved_ends = line.ends[None, :] + shift[:, None]
        moved_tardy = line.weights * np.maximum(0, moved_ends - line.dues)
        tardy_change = np.triu(moved_tardy).sum(axis=1) - np.cumsum(line.tardy[::-1])[::-1]
    return _Shift(
        shift=shift,
        setup_change=new_setup - line.setups,
        tardy_change=tardy_change,
        feasible=shift <= slack,
    )


def remove_run(line: LineArrays, position: int, length: int, costs: LineCosts) -> LineArrays | None:
    """``line`` without the ``length`` orders from ``position``; None if a later order overruns."""
    after = position + length
    before = line.previous[position]
    ready = line.ready
    keep = np.r_[0:position, after : line.size]
    setups = line.setups[keep]
    ends = line.ends[keep]
    if after < line.size:
        follower = line.products[after]
        entry = costs.initial[follower] if before == NO_PREVIOUS else costs.matrix[before, follower]
        shift = ready[position] + entry - ready[after] - line.setups[after]
        setups[position] = entry
        ends[position:] += shift
    limits = line.limits[keep]
    if (ends > limits).any():
        return None
    weights, dues = line.weights[keep], line.dues[keep]
    tardy = weights * np.maximum(0, ends - dues)
    products = line.products[keep]
    total = (
        line.total
        + costs.w_setup * int(setups.sum() - line.setups.sum())
        + costs.w_tardiness * int(tardy.sum() - line.tardy.sum())
    )
    return LineArrays(
        ready=np.concatenate((ready[:1], ends)),
        previous=np.concatenate((line.previous[:1], products)),
        products=products,
        setups=setups,
        ends=ends,
        weights=weights,
        dues=dues,
        limits=limits,
        tardy=tardy,
        total=total,
    )
