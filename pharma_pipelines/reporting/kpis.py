"""Key figures of one schedule.

Definitions, stated once (the asset's metadata and the README quote them):

- Tardiness of an order is ``max(0, end - due)``; weighted tardiness multiplies it by the
  order's weight (from the SAP priority) and sums over orders, the same term the solver
  minimises.
- On-time share is the share of scheduled orders that end by their due time.
- Changeover hours sum the changeover before every order, the first of each line included.
- Makespan is the end of the last order, counted from the plan start (time 0).
- The planned span is ``[0, makespan)``. A line's available time is the part of its
  availability window inside the planned span minus its downtimes there; its utilisation is
  its processing time over that available time. Changeovers are not processing. A line
  that works fewer than 24 hours a day has its runs stretched by its shift pauses (see the
  translation), so its processing time is elapsed time and includes those pauses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pharma_pipelines.scheduling import Schedule, SchedulingProblem

KPI_DEFINITIONS = (
    "Tardiness = max(0, end - due); weighted tardiness sums it times the order's priority "
    "weight. On-time share = orders ending by their due time / scheduled orders. Changeover "
    "hours sum every changeover, the first of each line included. Makespan = end of the last "
    "order after the plan start. Utilisation of a line = its processing time / its available "
    "time in the planned span [plan start, makespan), where available time is the line's "
    "availability window inside that span minus its downtimes; changeovers do not count as "
    "processing, and a line working < 24 h a day counts its shift pauses inside its runs. "
    "`utilisation` is the same ratio over all lines together."
)


@dataclass(frozen=True)
class LineUse:
    """How one line spends the planned span, in minutes."""

    line: str
    orders: int
    processing_minutes: int
    changeover_minutes: int
    available_minutes: int

    @property
    def utilisation(self) -> float | None:
        """Processing over available time; ``None`` when the line is not available at all."""
        if self.available_minutes <= 0:
            return None
        return self.processing_minutes / self.available_minutes


@dataclass(frozen=True)
class ScheduleKpis:
    """The figures a planner reads first; all times in minutes."""

    orders: int
    late_orders: int
    weighted_tardiness_minutes: int
    total_tardiness_minutes: int
    max_tardiness_minutes: int
    changeovers: int
    changeover_minutes: int
    makespan_minutes: int
    lines: tuple[LineUse, ...]

    @property
    def on_time_orders(self) -> int:
        return self.orders - self.late_orders

    @property
    def on_time_share(self) -> float:
        """Share of orders on time; 1.0 for an empty schedule (nothing is late)."""
        return self.on_time_orders / self.orders if self.orders else 1.0

    @property
    def utilisation(self) -> float | None:
        """Processing over available time, all lines together."""
        available = sum(line.available_minutes for line in self.lines)
        if available <= 0:
            return None
        return sum(line.processing_minutes for line in self.lines) / available

    def as_dict(self) -> dict[str, Any]:
        """The KPIs as plain JSON values, hours rounded to 0.01 and shares to 0.0001."""
        return {
            "orders": self.orders,
            "on_time_orders": self.on_time_orders,
            "late_orders": self.late_orders,
            "on_time_share": round(self.on_time_share, 4),
            "weighted_tardiness_minutes": self.weighted_tardiness_minutes,
            "weighted_tardiness_hours": _hours(self.weighted_tardiness_minutes),
            "total_tardiness_hours": _hours(self.total_tardiness_minutes),
            "max_tardiness_hours": _hours(self.max_tardiness_minutes),
            "changeovers": self.changeovers,
            "changeover_hours": _hours(self.changeover_minutes),
            "makespan_hours": _hours(self.makespan_minutes),
            "utilisation": _share(self.utilisation),
            "utilisation_by_line": {line.line: _share(line.utilisation) for line in self.lines},
        }

    def line_rows(self) -> list[dict[str, Any]]:
        """One row per line for a table: orders, hours and utilisation."""
        return [
            {
                "line": line.line,
                "orders": line.orders,
                "processing_hours": _hours(line.processing_minutes),
                "changeover_hours": _hours(line.changeover_minutes),
                "available_hours": _hours(line.available_minutes),
                "utilisation": _share(line.utilisation),
            }
            for line in self.lines
        ]


def schedule_kpis(problem: SchedulingProblem, schedule: Schedule) -> ScheduleKpis:
    """The KPIs of ``schedule``, a solution of ``problem`` (see the module docstring)."""
    tardiness = {
        item.order: max(0, item.end - problem.order(item.order).due)
        for item in schedule.assignments
    }
    makespan = max((item.end for item in schedule.assignments), default=0)
    lines = tuple(_line_use(problem, schedule, line.id, makespan) for line in problem.lines)
    return ScheduleKpis(
        orders=len(schedule.assignments),
        late_orders=sum(1 for minutes in tardiness.values() if minutes > 0),
        weighted_tardiness_minutes=sum(
            problem.order(order).weight * minutes for order, minutes in tardiness.items()
        ),
        total_tardiness_minutes=sum(tardiness.values()),
        max_tardiness_minutes=max(tardiness.values(), default=0),
        changeovers=sum(1 for item in schedule.assignments if item.setup_before > 0),
        changeover_minutes=sum(item.setup_before for item in schedule.assignments),
        makespan_minutes=makespan,
        lines=lines,
    )


def _line_use(
    problem: SchedulingProblem, schedule: Schedule, line_id: str, span_end: int
) -> LineUse:
    items = [item for item in schedule.assignments if item.line == line_id]
    return LineUse(
        line=line_id,
        orders=len(items),
        processing_minutes=sum(item.end - item.start for item in items),
        changeover_minutes=sum(item.setup_before for item in items),
        available_minutes=available_minutes(problem, line_id, 0, span_end),
    )


def available_minutes(problem: SchedulingProblem, line_id: str, start: int, end: int) -> int:
    """Minutes of ``[start, end)`` inside the line's window and outside its downtimes."""
    window_start, window_end = problem.line_window(line_id)
    first, last = max(start, window_start), min(end, window_end)
    if last <= first:
        return 0
    down = sum(
        max(0, min(last, stop) - max(first, begin))
        for begin, stop in merged_downtimes(problem, line_id)
    )
    return last - first - down


def merged_downtimes(problem: SchedulingProblem, line_id: str) -> list[tuple[int, int]]:
    """The line's downtimes with overlapping ones joined, so no minute counts twice."""
    merged: list[tuple[int, int]] = []
    for begin, stop in sorted(problem.line(line_id).downtimes):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
        else:
            merged.append((begin, stop))
    return merged


def _hours(minutes: int) -> float:
    return round(minutes / 60, 2)


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
