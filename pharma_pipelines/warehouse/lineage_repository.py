"""Row-level lineage of a scheduled production order, read from the warehouse.

The chain an auditor follows: a line of the plant's latest published schedule (the order,
its line and times) -> the curated rows that placed it there (the production order, its
product, the line and the product's rate on that line) -> the raw rows each curated row names
in ``raw_record_ids`` -> the loaded file of each raw row, with its path and SHA-256.

Curated tables are rebuilt by every materialization, so the curated rows are those in force
now; :attr:`OrderLineage.schedule` says when the schedule was saved, to compare.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from pharma_pipelines.warehouse.models import (
    Base,
    CuratedLine,
    CuratedLineEligibility,
    CuratedProduct,
    CuratedProductionOrder,
    LoadedFile,
    PlanningSchedule,
    PlanningScheduleLine,
    RawRecord,
)
from pharma_pipelines.warehouse.planning_repository import ScheduleLineToStore


class OrderNotScheduled(LookupError):
    """The order is in no published schedule of the plant(s) asked about."""


@dataclass(frozen=True)
class SourceFile:
    """One load of one file version: where it lay, its SHA-256, when and by which run."""

    id: int
    relative_path: str
    content_hash: str
    entity: str
    status: str
    loaded_at: dt.datetime
    run_id: str


@dataclass(frozen=True)
class RawRow:
    id: int
    entity: str
    row_number: int
    payload: dict[str, Any]
    file: SourceFile


@dataclass(frozen=True)
class CuratedRow:
    """A curated row that placed the order, with the raw rows it names."""

    table: str
    id: int
    key: dict[str, Any]
    raw_rows: tuple[RawRow, ...]
    missing_raw_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class ScheduleRef:
    id: int
    plant: str
    status: str
    verified: bool
    problem_hash: str
    created_at: dt.datetime
    run_id: str


@dataclass(frozen=True)
class OrderLineage:
    schedule: ScheduleRef
    line: ScheduleLineToStore
    curated: tuple[CuratedRow, ...]

    def files(self) -> list[SourceFile]:
        """Every source file in the chain, once, in the order first met."""
        seen: dict[int, SourceFile] = {}
        for row in self.curated:
            for raw in row.raw_rows:
                seen.setdefault(raw.file.id, raw.file)
        return list(seen.values())


class LineageRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def published_plants(self) -> list[str]:
        with Session(self._engine) as session:
            plants = session.scalars(
                select(PlanningSchedule.plant).where(PlanningSchedule.verified).distinct()
            )
            return sorted(plants)

    def order(self, order: str, plant: str | None = None) -> OrderLineage:
        """The chain of ``order`` in the latest published schedule of ``plant`` (or of the
        one plant whose latest published schedule has it)."""
        plants = [plant] if plant else self.published_plants()
        with Session(self._engine) as session:
            found = []
            for candidate in plants:
                schedule = _latest_published(session, candidate)
                if schedule is None:
                    continue
                line = session.scalar(
                    select(PlanningScheduleLine).where(
                        PlanningScheduleLine.schedule_id == schedule.id,
                        PlanningScheduleLine.order == order,
                    )
                )
                if line is not None:
                    found.append((schedule, line))
            if not found:
                raise OrderNotScheduled(_not_found(session, order, plant, plants))
            if len(found) > 1:
                names = ", ".join(schedule.plant for schedule, _line in found)
                raise OrderNotScheduled(
                    f"order {order!r} is in the published schedules of plants {names}; "
                    "name one with --plant"
                )
            [(schedule, line)] = found
            curated = self._curated_rows(session, schedule.plant, line)
        return OrderLineage(
            schedule=ScheduleRef(
                id=schedule.id,
                plant=schedule.plant,
                status=schedule.status,
                verified=schedule.verified,
                problem_hash=schedule.problem_hash,
                created_at=schedule.created_at,
                run_id=schedule.run_id,
            ),
            line=ScheduleLineToStore(
                order=line.order,
                material=line.material,
                line=line.line,
                sequence=line.sequence,
                start_at=line.start_at,
                end_at=line.end_at,
                changeover_minutes=line.changeover_minutes,
                due_at=line.due_at,
                tardiness_minutes=line.tardiness_minutes,
            ),
            curated=curated,
        )

    def _curated_rows(
        self, session: Session, plant: str, line: PlanningScheduleLine
    ) -> tuple[CuratedRow, ...]:
        wanted: list[tuple[type[Base], dict[str, Any]]] = [
            (CuratedProductionOrder, {"order": line.order, "plant": plant}),
            (CuratedProduct, {"material": line.material}),
            (CuratedLine, {"work_center": line.line}),
            (CuratedLineEligibility, {"material": line.material, "work_center": line.line}),
        ]
        rows: list[CuratedRow] = []
        for table, key in wanted:
            columns = table.__table__.c
            statement = (
                select(columns["id"], columns["raw_record_ids"])
                .where(*(columns[column] == value for column, value in key.items()))
                .order_by(columns["id"])
            )
            for row_id, raw_record_ids in session.execute(statement).all():
                ids = [int(i) for i in raw_record_ids]
                raw = _raw_rows(session, ids)
                rows.append(
                    CuratedRow(
                        table=table.__tablename__,
                        id=int(row_id),
                        key=key,
                        raw_rows=raw,
                        missing_raw_ids=tuple(sorted(set(ids) - {r.id for r in raw})),
                    )
                )
        return tuple(rows)


def _latest_published(session: Session, plant: str) -> PlanningSchedule | None:
    return session.scalar(
        select(PlanningSchedule)
        .where(PlanningSchedule.plant == plant, PlanningSchedule.verified)
        .order_by(PlanningSchedule.id.desc())
        .limit(1)
    )


def _raw_rows(session: Session, ids: Sequence[int]) -> tuple[RawRow, ...]:
    if not ids:
        return ()
    statement = (
        select(RawRecord, LoadedFile)
        .join(LoadedFile, LoadedFile.id == RawRecord.file_id)
        .where(RawRecord.id.in_(list(ids)))
        .order_by(RawRecord.id)
    )
    return tuple(
        RawRow(
            id=record.id,
            entity=record.entity,
            row_number=record.row_number,
            payload=dict(record.payload),
            file=SourceFile(
                id=loaded.id,
                relative_path=loaded.relative_path,
                content_hash=loaded.content_hash,
                entity=loaded.entity,
                status=loaded.status,
                loaded_at=loaded.loaded_at,
                run_id=loaded.run_id,
            ),
        )
        for record, loaded in session.execute(statement).all()
    )


def _not_found(session: Session, order: str, plant: str | None, plants: Sequence[str]) -> str:
    if not plants:
        return "no schedule has been published yet: materialize the planning assets first"
    where = f"plant {plants[0]}" if len(plants) == 1 else f"plants {', '.join(plants)}"
    published = [p for p in plants if _latest_published(session, p) is not None]
    if not published:
        return f"{where} has no published schedule: materialize its planning assets first"
    curated = session.scalar(
        select(CuratedProductionOrder).where(CuratedProductionOrder.order == order).limit(1)
    )
    known = (
        f"; the curated production orders have it (plant {curated.plant}, open "
        f"{curated.is_open}), so it was left out of the plan or belongs to another plant"
        if curated is not None
        else "; no curated production order has that number either"
    )
    return f"order {order!r} is not in the latest published schedule of {where}{known}"
