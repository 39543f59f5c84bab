"""Planning problems and solved schedules, per plant.

Every read names its plant: each plant is planned in runs of its own, and one plant's
latest problem or last published schedule says nothing about another's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from pharma_pipelines.warehouse.bulk import upsert
from pharma_pipelines.warehouse.models import (
    PlanningProblem,
    PlanningSchedule,
    PlanningScheduleLine,
    table_of,
)


@dataclass(frozen=True)
class ScheduleLineToStore:
    order: str
    material: str
    line: str
    sequence: int
    start_at: dt.datetime
    end_at: dt.datetime
    changeover_minutes: int
    due_at: dt.datetime
    tardiness_minutes: int


class PlanningRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def save_problem(
        self,
        plant: str,
        content_hash: str,
        problem: dict[str, Any],
        order_count: int,
        run_id: str,
    ) -> None:
        """Keep a plant's problem; the same problem again only becomes the latest once more."""
        table = table_of(PlanningProblem)
        now = _now()
        with self._engine.begin() as connection:
            statement = upsert(connection, table).values(
                plant=plant,
                content_hash=content_hash,
                problem=problem,
                order_count=order_count,
                created_at=now,
                run_id=run_id,
            )
            connection.execute(
                statement.on_conflict_do_update(
                    index_elements=["plant", "content_hash"],
                    set_={"created_at": now, "run_id": run_id},
                )
            )

    def latest_problem(self, plant: str) -> PlanningProblem | None:
        with Session(self._engine) as session:
            return session.scalar(
                select(PlanningProblem)
                .where(PlanningProblem.plant == plant)
                .order_by(PlanningProblem.created_at.desc(), PlanningProblem.id.desc())
                .limit(1)
            )

    def save_schedule(
        self,
        *,
        plant: str,
        problem_hash: str,
        status: str,
        objective: float | None,
        bound: float | None,
        gap: float | None,
        solve_seconds: float,
        verified: bool,
        schedule: dict[str, Any],
        lines: Sequence[ScheduleLineToStore],
        run_id: str,
        least_bad_plan: dict[str, Any] | None = None,
    ) -> int:
        with Session(self._engine) as session, session.begin():
            row = PlanningSchedule(
                plant=plant,
                problem_hash=problem_hash,
                status=status,
                objective=objective,
                bound=bound,
                gap=gap,
                solve_seconds=solve_seconds,
                verified=verified,
                schedule=schedule,
                least_bad_plan=least_bad_plan,
                created_at=_now(),
                run_id=run_id,
                lines=[PlanningScheduleLine(**vars(line)) for line in lines],
            )
            session.add(row)
            session.flush()
            return row.id

    def latest_schedule(self, plant: str) -> PlanningSchedule | None:
        with Session(self._engine) as session:
            return session.scalar(
                select(PlanningSchedule)
                .where(PlanningSchedule.plant == plant)
                .order_by(PlanningSchedule.id.desc())
                .limit(1)
            )

    def published_before(self, plant: str, schedule_id: int) -> PlanningSchedule | None:
        """The plant's last published (verified) schedule saved before ``schedule_id``.

        Asking relative to a saved schedule, not for "the latest verified one", keeps the
        answer the previous plan even after the current one has been saved.
        """
        with Session(self._engine) as session:
            return session.scalar(
                select(PlanningSchedule)
                .where(
                    PlanningSchedule.plant == plant,
                    PlanningSchedule.verified,
                    PlanningSchedule.id < schedule_id,
                )
                .order_by(PlanningSchedule.id.desc())
                .limit(1)
            )

    def problem_by_hash(self, plant: str, content_hash: str) -> PlanningProblem | None:
        with Session(self._engine) as session:
            return session.scalar(
                select(PlanningProblem).where(
                    PlanningProblem.plant == plant, PlanningProblem.content_hash == content_hash
                )
            )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
