"""What a solve returns: a status, the placed orders, and how sure we are.

The status vocabulary is deliberately small and honest. ``INFEASIBLE`` means
proven impossible (by a pre-check or by the solver finishing its proof), never
"the solver ran out of time"; that case is ``NO_SOLUTION_FOUND`` when nothing
is known, or ``FEASIBLE`` when a verified schedule exists without an
optimality proof.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator


class ScheduleStatus(StrEnum):
    """Outcome of a solve."""

    OPTIMAL = "OPTIMAL"
    FEASIBLE = "FEASIBLE"
    NO_SOLUTION_FOUND = "NO_SOLUTION_FOUND"
    INFEASIBLE = "INFEASIBLE"

    @property
    def has_schedule(self) -> bool:
        """Whether a schedule of this status carries placed orders."""
        return self in (ScheduleStatus.OPTIMAL, ScheduleStatus.FEASIBLE)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ObjectiveComponents(_Frozen):
    """The three unweighted objective terms of FORMAT.md section 3."""

    weighted_tardiness: int = Field(ge=0)
    total_setup: int = Field(ge=0)
    makespan: int = Field(ge=0)


class ScheduledOrder(_Frozen):
    """One placed order: changeover ``[start - setup_before, start)``, then ``[start, end)``."""

    order: str
    line: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    setup_before: int = Field(ge=0)


class Schedule(_Frozen):
    """A solve result; ``assignments`` are grouped by line, each line in time order."""

    status: ScheduleStatus
    objective: int | None = None
    bound: float | None = None
    gap: float | None = Field(default=None, ge=0)
    components: ObjectiveComponents | None = None
    solve_seconds: float = Field(default=0.0, ge=0)
    time_limit_s: float | None = None
    threads: int = 1
    seed: int = 0
    solver: str = ""
    assignments: tuple[ScheduledOrder, ...] = ()
    message: str = ""
    instance: str = ""
    problem_hash: str | None = None

    @model_validator(mode="after")
    def _status_matches_content(self) -> Self:
        if self.status.has_schedule and self.objective is None:
            raise ValueError(f"a {self.status} schedule needs an objective value; got none")
        if not self.status.has_schedule and (self.assignments or self.objective is not None):
            raise ValueError(
                f"a {self.status} result must carry no assignments and no objective; "
                f"got {len(self.assignments)} assignments and objective {self.objective}"
            )
        return self

    def by_line(self) -> dict[str, tuple[ScheduledOrder, ...]]:
        """Each line's sequence, in the order the assignments list it."""
        grouped: dict[str, list[ScheduledOrder]] = {}
        for item in self.assignments:
            grouped.setdefault(item.line, []).append(item)
        return {line: tuple(items) for line, items in grouped.items()}

    def sequences(self) -> dict[str, list[str]]:
        """Order ids per line, in sequence."""
        return {line: [item.order for item in items] for line, items in self.by_line().items()}
