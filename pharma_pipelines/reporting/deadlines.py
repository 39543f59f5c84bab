"""Which hard deadlines a plan misses, and by how much.

Only a least-bad plan (solved with the deadlines softened) can miss one: a published
schedule has passed the checker, which holds every deadline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from pharma_pipelines.scheduling import Schedule, SchedulingProblem


@dataclass(frozen=True)
class DeadlineMiss:
    order: str
    line: str
    deadline: int
    end: int

    @property
    def minutes_late(self) -> int:
        return self.end - self.deadline


def deadline_misses(problem: SchedulingProblem, schedule: Schedule) -> list[DeadlineMiss]:
    """Orders of ``schedule`` that end after their deadline in ``problem``, latest miss first."""
    misses = [
        DeadlineMiss(item.order, item.line, deadline, item.end)
        for item in schedule.assignments
        if (deadline := problem.order(item.order).deadline) is not None and item.end > deadline
    ]
    return sorted(misses, key=lambda miss: (-miss.minutes_late, miss.order))


def miss_rows(
    problem: SchedulingProblem, misses: list[DeadlineMiss], timezone: str
) -> list[dict[str, Any]]:
    """One row per missed deadline for a table, times in the plant's zone."""
    zone = ZoneInfo(timezone)
    return [
        {
            "order": miss.order,
            "line": miss.line,
            "deadline": _at(problem, miss.deadline, zone),
            "planned_end": _at(problem, miss.end, zone),
            "hours_late": round(miss.minutes_late / 60, 2),
        }
        for miss in misses
    ]


def _at(problem: SchedulingProblem, minute: int, zone: ZoneInfo) -> str:
    if problem.plan_start is None:
        return str(minute)
    instant: dt.datetime = problem.to_datetime(minute).astimezone(zone)
    return instant.isoformat(timespec="minutes")


@dataclass(frozen=True)
class LeastBadPlan:
    """What softening the deadlines of an infeasible problem gave.

    ``schedule`` is ``None`` when no plan came of it; ``note`` says what happened either way.
    The plan is a solution of ``softened``, never of the hard problem, so it is shown, not
    published.
    """

    note: str
    softened: SchedulingProblem | None = None
    schedule: Schedule | None = None
    misses: tuple[DeadlineMiss, ...] = ()

    @classmethod
    def without(cls, note: str, softened: SchedulingProblem | None = None) -> LeastBadPlan:
        return cls(note=note, softened=softened)

    def to_json(self) -> dict[str, Any]:
        """What the warehouse keeps of it: the note, the plan and the missed deadlines."""
        return {
            "note": self.note,
            "softened_problem_hash": self.softened.content_hash() if self.softened else None,
            "schedule": self.schedule.model_dump(mode="json") if self.schedule else None,
            "deadline_misses": [
                {
                    "order": miss.order,
                    "line": miss.line,
                    "deadline": miss.deadline,
                    "end": miss.end,
                    "minutes_late": miss.minutes_late,
                }
                for miss in self.misses
            ],
        }

    def summary(self) -> dict[str, Any]:
        """A few plain values for a run summary."""
        return {
            "note": self.note,
            "status": self.schedule.status.value if self.schedule else None,
            "orders": len(self.schedule.assignments) if self.schedule else 0,
            "deadlines_missed": len(self.misses),
            "worst_miss_hours": round(
                max((m.minutes_late for m in self.misses), default=0) / 60, 2
            ),
        }
