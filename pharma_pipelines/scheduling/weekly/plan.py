"""What a weekly solve returns: a status, the plan if there is one, and how sure we are.

The statuses are the scheduling context's :class:`ScheduleStatus`, with the
same promise: INFEASIBLE only with a proof, OPTIMAL only with CBC's proof,
FEASIBLE for a verified plan without one, NO_SOLUTION_FOUND when time ran
out before any plan. Only OPTIMAL and FEASIBLE carry an assignment.
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pharma_pipelines.scheduling.schedule import ScheduleStatus
from pharma_pipelines.scheduling.weekly.problem import Slot


class WeeklyPlan(BaseModel):
    """A solve result; ``assignment`` maps each order to its (line, period)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    status: ScheduleStatus
    objective: float | None = None
    bound: float | None = None
    gap: float | None = Field(default=None, ge=0)
    tardiness_cost: float | None = None
    setup_cost: float | None = None
    opening_cost: float | None = None
    assignment: dict[str, Slot] = Field(default_factory=dict)
    message: str = ""
    solver: str = ""
    solve_seconds: float = Field(default=0.0, ge=0)
    time_limit_s: float | None = None
    threads: int = 1
    seed: int = 0
    instance: str = ""
    problem_hash: str | None = None

    @model_validator(mode="after")
    def _status_matches_content(self) -> Self:
        if self.status.has_schedule and self.objective is None:
            raise ValueError(f"a {self.status} plan needs an objective value; got none")
        if not self.status.has_schedule and (self.assignment or self.objective is not None):
            raise ValueError(
                f"a {self.status} result must carry no assignment and no objective; got "
                f"{len(self.assignment)} assigned orders and objective {self.objective}"
            )
        if self.status is ScheduleStatus.OPTIMAL and self.bound is None:
            raise ValueError("an OPTIMAL plan needs the bound that proves it; got none")
        return self

    def gap_text(self) -> str:
        """The gap as a planner reads it: a percentage, or 'no bound'."""
        if self.gap is None:
            return "no bound" if self.status.has_schedule else "none"
        return f"{100 * self.gap:.2f}%"

    def by_bucket(self) -> dict[Slot, list[str]]:
        """Orders per (line, period), buckets sorted by line then period as given."""
        grouped: dict[Slot, list[str]] = {}
        for order, slot in self.assignment.items():
            grouped.setdefault(slot, []).append(order)
        return grouped

    def to_document(self) -> dict[str, Any]:
        """The solution file: status, objective, bound, gap, assignment, message, provenance."""
        return {
            "instance": self.instance,
            "problem_hash": self.problem_hash,
            "status": self.status.value,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "gap_text": self.gap_text(),
            "costs": {
                "tardiness": self.tardiness_cost,
                "setup": self.setup_cost,
                "opening": self.opening_cost,
            },
            "assignment": {
                order: [line, period] for order, (line, period) in self.assignment.items()
            },
            "message": self.message,
            "solver": self.solver,
            "solve_seconds": self.solve_seconds,
            "time_limit_s": self.time_limit_s,
            "threads": self.threads,
            "seed": self.seed,
        }
