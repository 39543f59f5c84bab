"""What moved between two schedules of the same plant.

Two schedules may come from different problems (new orders arrived, the plan start moved
to a later day), so integer minutes of one mean nothing in the other. Placements are
compared as calendar instants instead: each schedule's minutes are turned into aware
datetimes through its own problem's ``plan_start``.

Per order, the first that applies:

- *new*: in the current schedule only;
- *dropped*: in the previous schedule only (finished, cancelled, or left out);
- *moved to another line*: on another line now (its start shift is still reported);
- *start shifted*: same line, start differs by more than the tolerance;
- otherwise unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from pharma_pipelines.scheduling import Schedule, SchedulingProblem


class ChangeKind(StrEnum):
    NEW = "new"
    DROPPED = "dropped"
    MOVED_LINE = "moved to another line"
    SHIFTED = "start shifted"


@dataclass(frozen=True)
class Placement:
    """Where and when one order runs, as calendar instants."""

    order: str
    line: str
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class OrderChange:
    order: str
    kind: ChangeKind
    previous_line: str | None
    line: str | None
    previous_start: dt.datetime | None
    start: dt.datetime | None

    @property
    def shift_hours(self) -> float | None:
        """Hours the start moved (positive: later); ``None`` for new and dropped orders."""
        if self.previous_start is None or self.start is None:
            return None
        return round((self.start - self.previous_start).total_seconds() / 3600, 2)


@dataclass(frozen=True)
class ScheduleChanges:
    changes: tuple[OrderChange, ...]
    unchanged: int

    def count(self, kind: ChangeKind) -> int:
        return sum(1 for change in self.changes if change.kind is kind)

    def counts(self) -> dict[str, int]:
        return {
            "new": self.count(ChangeKind.NEW),
            "dropped": self.count(ChangeKind.DROPPED),
            "moved_line": self.count(ChangeKind.MOVED_LINE),
            "start_shifted": self.count(ChangeKind.SHIFTED),
            "unchanged": self.unchanged,
        }

    def rows(self, timezone: str | None = None) -> list[dict[str, Any]]:
        """One row per changed order, for a table; times in ``timezone`` when given."""
        return [
            {
                "order": change.order,
                "change": change.kind.value,
                "previous_line": change.previous_line or "",
                "line": change.line or "",
                "previous_start": _show(change.previous_start, timezone),
                "start": _show(change.start, timezone),
                "shift_hours": "" if change.shift_hours is None else change.shift_hours,
            }
            for change in self.changes
        ]


def placements(problem: SchedulingProblem, schedule: Schedule) -> list[Placement]:
    """The schedule's placements as calendar instants (the problem needs a ``plan_start``)."""
    return [
        Placement(
            order=item.order,
            line=item.line,
            start=problem.to_datetime(item.start),
            end=problem.to_datetime(item.end),
        )
        for item in schedule.assignments
    ]


def compare_placements(
    previous: Sequence[Placement],
    current: Sequence[Placement],
    tolerance: dt.timedelta = dt.timedelta(0),
) -> ScheduleChanges:
    """What changed from ``previous`` to ``current``; a start shift within ``tolerance`` is none.

    Changes are listed new first, then dropped, moved and shifted, each by order number.
    """
    before = {placement.order: placement for placement in previous}
    after = {placement.order: placement for placement in current}
    changes: list[OrderChange] = []
    unchanged = 0
    for order in sorted(before.keys() | after.keys()):
        old, new = before.get(order), after.get(order)
        kind = _kind(old, new, tolerance)
        if kind is None:
            unchanged += 1
            continue
        changes.append(
            OrderChange(
                order=order,
                kind=kind,
                previous_line=old.line if old else None,
                line=new.line if new else None,
                previous_start=old.start if old else None,
                start=new.start if new else None,
            )
        )
    rank = list(ChangeKind)
    changes.sort(key=lambda change: (rank.index(change.kind), change.order))
    return ScheduleChanges(tuple(changes), unchanged)


def _kind(
    old: Placement | None, new: Placement | None, tolerance: dt.timedelta
) -> ChangeKind | None:
    if old is None:
        return ChangeKind.NEW
    if new is None:
        return ChangeKind.DROPPED
    if old.line != new.line:
        return ChangeKind.MOVED_LINE
    if abs(new.start - old.start) > tolerance:
        return ChangeKind.SHIFTED
    return None


def _show(instant: dt.datetime | None, timezone: str | None) -> str:
    if instant is None:
        return ""
    if timezone is not None:
        instant = instant.astimezone(ZoneInfo(timezone))
    return instant.isoformat(timespec="minutes")
