"""Reads and writes of the landing and raw tables.

A file version is loaded into an entity at most once: the unique (entity, content hash)
constraint makes a second load of the same bytes a no-op, even when two runs race (the
loser's ``INSERT ... ON CONFLICT DO NOTHING`` waits for the winner and then inserts
nothing), and the rows of one file land in one transaction, all or nothing. Rows go in by
COPY on PostgreSQL (``bulk``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, Select, func, insert, select
from sqlalchemy.orm import Session

from pharma_pipelines.warehouse.bulk import ProgressCallback, insert_rows, upsert
from pharma_pipelines.warehouse.database import connection_loss_explained
from pharma_pipelines.warehouse.models import (
    LandingFile,
    LoadedFile,
    RawAttachment,
    RawRecord,
    RawReject,
    table_of,
)

LOADED = "loaded"
QUARANTINED = "quarantined"
DUPLICATE = "duplicate"


@dataclass(frozen=True)
class RowToStore:
    row_number: int
    values: dict[str, str]


@dataclass(frozen=True)
class RejectToStore:
    row_number: int
    column: str | None
    raw_value: str | None
    reason: str
    rule: str


@dataclass(frozen=True)
class AttachmentToStore:
    attachment_number: int
    message_id: str
    container_path: str
    file_name: str
    content_type: str
    sha256: str
    content: bytes


@dataclass(frozen=True)
class FileLoad:
    """Everything one file contributes to one raw entity.

    ``duplicate_reason`` marks a file that is not loaded because its content was loaded
    from another file already (it carries no rows then).
    """

    entity: str
    relative_path: str
    content_hash: str
    encoding: str | None
    layout: str | None
    decimal_separator: str | None = None
    notes: Sequence[str] = ()
    rows: Sequence[RowToStore] = ()
    rejects: Sequence[RejectToStore] = ()
    attachments: Sequence[AttachmentToStore] = ()
    quarantine_reason: str | None = None
    duplicate_reason: str | None = None


@dataclass(frozen=True)
class FirstLoad:
    """The file a message was first loaded from."""

    relative_path: str
    content_hash: str
    run_id: str
    loaded_at: dt.datetime


@dataclass(frozen=True)
class LoadOutcome:
    entity: str
    relative_path: str
    status: str
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    quarantine_reason: str | None
    already_loaded: bool


class RawRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # --- landing -----------------------------------------------------------------------

    def record_landing_file(
        self,
        relative_path: str,
        content_hash: str,
        size_bytes: int,
        kind: str | None,
        classification: str,
        run_id: str,
    ) -> bool:
        """Record a file version; returns False when it was already known."""
        table = table_of(LandingFile)
        with self._engine.begin() as connection:
            statement = (
                upsert(connection, table)
                .values(
                    relative_path=relative_path,
                    content_hash=content_hash,
                    size_bytes=size_bytes,
                    kind=kind,
                    classification=classification,
                    first_seen_at=_now(),
                    run_id=run_id,
                )
                .on_conflict_do_nothing(index_elements=["relative_path", "content_hash"])
                .returning(table.c.id)
            )
            return connection.execute(statement).first() is not None

    def loaded_hashes(self, entity: str) -> set[str]:
        with Session(self._engine) as session:
            return set(
                session.scalars(select(LoadedFile.content_hash).where(LoadedFile.entity == entity))
            )

    # --- raw ---------------------------------------------------------------------------

    def store(
        self, load: FileLoad, run_id: str, on_progress: ProgressCallback | None = None
    ) -> LoadOutcome:
        """Store one file's rows, rejects and attachments in one transaction.

        All or nothing: a failure, or a process killed half-way, leaves none of the file's
        rows. Of two runs storing the same file version at once, one stores it and the
        other waits on the unique (entity, content hash) index, then reports the first
        one's load. ``on_progress`` hears how many rows have been sent, as they go.
        """
        rows_loaded = len(load.rows)
        rows_rejected = len(load.rejects)
        status = (
            QUARANTINED
            if load.quarantine_reason is not None
            else DUPLICATE
            if load.duplicate_reason is not None
            else LOADED
        )
        reason = load.quarantine_reason or load.duplicate_reason
        files = table_of(LoadedFile)
        doing = f"storing {load.relative_path} into {load.entity}"
        with connection_loss_explained(self._engine, doing), self._engine.begin() as connection:
            claimed = connection.execute(
                upsert(connection, files)
                .values(
                    entity=load.entity,
                    relative_path=load.relative_path,
                    content_hash=load.content_hash,
                    status=status,
                    quarantine_reason=reason,
                    encoding=load.encoding,
                    layout=load.layout,
                    decimal_separator=load.decimal_separator,
                    notes=list(load.notes),
                    rows_read=rows_loaded + rows_rejected,
                    rows_loaded=rows_loaded,
                    rows_rejected=rows_rejected,
                    loaded_at=_now(),
                    run_id=run_id,
                )
                .on_conflict_do_nothing(index_elements=["entity", "content_hash"])
                .returning(files.c.id)
            ).scalar()
            if claimed is None:
                # Another run stored this file version first: report what it stored.
                return self._outcome_of_existing(connection, load)
            insert_rows(
                connection,
                table_of(RawRecord),
                (
                    (claimed, load.entity, row.row_number, row.values, load.content_hash)
                    for row in load.rows
                ),
                ("file_id", "entity", "row_number", "payload", "file_hash"),
                on_progress,
            )
            insert_rows(
                connection,
                table_of(RawReject),
                (
                    (
                        claimed,
                        load.entity,
                        reject.row_number,
                        reject.column,
                        reject.raw_value,
                        reject.rule,
                        reject.reason,
                    )
                    for reject in load.rejects
                ),
                ("file_id", "entity", "row_number", "column_name", "raw_value", "rule", "reason"),
            )
            if load.attachments:
                connection.execute(
                    insert(RawAttachment),
                    [
                        {
                            "file_id": claimed,
                            "attachment_number": attachment.attachment_number,
                            "message_id": attachment.message_id,
                            "container_path": attachment.container_path,
                            "file_name": attachment.file_name,
                            "content_type": attachment.content_type,
                            "size_bytes": len(attachment.content),
                            "sha256": attachment.sha256,
                            "content": attachment.content,
                        }
                        for attachment in load.attachments
                    ],
                )
        return LoadOutcome(
            entity=load.entity,
            relative_path=load.relative_path,
            status=status,
            rows_read=rows_loaded + rows_rejected,
            rows_loaded=rows_loaded,
            rows_rejected=rows_rejected,
            quarantine_reason=reason,
            already_loaded=False,
        )

    @staticmethod
    def _outcome_of_existing(connection: Connection, load: FileLoad) -> LoadOutcome:
        existing = connection.execute(
            select(table_of(LoadedFile)).where(
                LoadedFile.entity == load.entity, LoadedFile.content_hash == load.content_hash
            )
        ).one()
        return LoadOutcome(
            entity=existing.entity,
            relative_path=existing.relative_path,
            status=existing.status,
            rows_read=existing.rows_read,
            rows_loaded=existing.rows_loaded,
            rows_rejected=existing.rows_rejected,
            quarantine_reason=existing.quarantine_reason,
            already_loaded=True,
        )

    # --- e-mail duplicates -------------------------------------------------------------
    # Only the current version of another path counts as a first occurrence: an older
    # version of the same path is withdrawn by the newer one (see records_frame), so
    # pointing at it would leave the lines nowhere.

    @staticmethod
    def _current_files(entity: str, other_than_path: str) -> Any:
        return (
            select(func.max(LoadedFile.id))
            .where(LoadedFile.entity == entity, LoadedFile.relative_path != other_than_path)
            .group_by(LoadedFile.relative_path)
        )

    def first_load_of_message(self, message_id: str, other_than_path: str) -> FirstLoad | None:
        """The earliest current other file whose own (outermost) message has ``message_id``."""
        statement = (
            select(
                LoadedFile.relative_path,
                LoadedFile.content_hash,
                LoadedFile.run_id,
                LoadedFile.loaded_at,
            )
            .join(RawRecord, RawRecord.file_id == LoadedFile.id)
            .where(
                RawRecord.entity == "outlook/messages",
                RawRecord.row_number == 1,
                RawRecord.payload["message_id"].as_string() == message_id,
                LoadedFile.id.in_(self._current_files("outlook/messages", other_than_path)),
            )
            .order_by(LoadedFile.id)
            .limit(1)
        )
        with Session(self._engine) as session:
            row = session.execute(statement).first()
        return None if row is None else FirstLoad(*row)

    def first_attachment(self, sha256: str, other_than_path: str) -> str | None:
        """Where these attachment bytes were stored first (``file: container > name``)."""
        statement = (
            select(LoadedFile.relative_path, RawAttachment.container_path, RawAttachment.file_name)
            .join(LoadedFile, LoadedFile.id == RawAttachment.file_id)
            .where(
                RawAttachment.sha256 == sha256,
                LoadedFile.id.in_(self._current_files("outlook/attachments", other_than_path)),
            )
            .order_by(RawAttachment.id)
            .limit(1)
        )
        with Session(self._engine) as session:
            row = session.execute(statement).first()
        return None if row is None else f"{row[0]}: {row[1]} > {row[2]}"

    def attachment_hashes(self, content_hash: str) -> set[str]:
        """The SHA-256 of every attachment stored from one mail file version."""
        statement = (
            select(RawAttachment.sha256)
            .join(LoadedFile, LoadedFile.id == RawAttachment.file_id)
            .where(LoadedFile.content_hash == content_hash)
        )
        with Session(self._engine) as session:
            return set(session.scalars(statement))

    @staticmethod
    def records_statement(entity: str) -> Select[Any]:
        """The query behind :meth:`records_frame`, the read of every curated table.

        It is served by ``ix_raw_record_entity_file`` (entity, then file) and
        ``ix_loaded_file_entity``; the test suite asserts that plan on a large table.
        """
        newest = (
            select(func.max(LoadedFile.id))
            .where(LoadedFile.entity == entity)
            .group_by(LoadedFile.relative_path)
        )
        return (
            select(
                RawRecord.id,
                RawRecord.file_id,
                RawRecord.row_number,
                RawRecord.payload,
                LoadedFile.relative_path,
                LoadedFile.layout,
                LoadedFile.decimal_separator,
            )
            .join(LoadedFile, LoadedFile.id == RawRecord.file_id)
            .where(RawRecord.entity == entity, RawRecord.file_id.in_(newest))
            .order_by(RawRecord.file_id, RawRecord.row_number)
        )

    @staticmethod
    def lineage_statement(raw_record_ids: Iterable[int]) -> Select[Any]:
        """The query behind :meth:`lineage`: raw rows by id, with the load they came in."""
        return (
            select(
                RawRecord.id.label("raw_record_id"),
                RawRecord.entity,
                LoadedFile.relative_path.label("source_file"),
                RawRecord.file_hash,
                RawRecord.row_number,
                LoadedFile.loaded_at,
                LoadedFile.run_id,
                RawRecord.payload,
            )
            .join(LoadedFile, LoadedFile.id == RawRecord.file_id)
            .where(RawRecord.id.in_(sorted(set(raw_record_ids))))
            .order_by(RawRecord.id)
        )

    def lineage(self, raw_record_ids: Iterable[int]) -> pd.DataFrame:
        """Where curated rows came from: for each raw row id (a curated row's
        ``raw_record_ids``), its entity, source file and SHA-256, row number, when and in
        which run it was loaded, and the original values."""
        statement = self.lineage_statement(raw_record_ids)
        with self._engine.connect() as connection:
            result = connection.execute(statement)
            return pd.DataFrame(result.all(), columns=pd.Index(list(result.keys())))

    def records_frame(self, entity: str) -> pd.DataFrame:
        """The current raw rows of an entity as text columns plus lineage.

        Current means: of each file path, only its newest loaded version; a file that was
        overwritten withdraws the rows of its earlier versions (they stay in the table for
        lineage). Lineage columns: ``raw_record_id``, ``file_id`` (ascending in load order,
        so a larger id is a newer extract), ``source_file``, ``row_number``, ``layout`` and
        the file's ``decimal_separator`` as the raw layer decided it.
        """
        statement = self.records_statement(entity)
        records: list[dict[str, Any]] = []
        with Session(self._engine) as session:
            rows = session.execute(statement).all()
            for record_id, file_id, row_number, payload, path, layout, decimal in rows:
                records.append(
                    {
                        **payload,
                        "raw_record_id": record_id,
                        "file_id": file_id,
                        "source_file": path,
                        "row_number": row_number,
                        "layout": layout or "",
                        "decimal_separator": decimal or "",
                    }
                )
        return pd.DataFrame.from_records(records)

    def lineage_frame(self, entity: str) -> pd.DataFrame:
        """The current raw rows of an entity by lineage only (no values), as records_frame."""
        newest = (
            select(func.max(LoadedFile.id))
            .where(LoadedFile.entity == entity)
            .group_by(LoadedFile.relative_path)
        )
        statement = (
            select(RawRecord.id, RawRecord.file_id, LoadedFile.relative_path, RawRecord.row_number)
            .join(LoadedFile, LoadedFile.id == RawRecord.file_id)
            .where(RawRecord.entity == entity, RawRecord.file_id.in_(newest))
            .order_by(RawRecord.file_id, RawRecord.row_number)
        )
        columns = ["raw_record_id", "file_id", "source_file", "row_number"]
        with Session(self._engine) as session:
            frame = pd.DataFrame(session.execute(statement).all(), columns=pd.Index(columns))
        return frame.assign(entity=entity)

    def file_times(self, entity: str) -> pd.DataFrame:
        """Each loaded file version of an entity with when it was first seen landed (UTC)."""
        statement = (
            select(
                LoadedFile.id,
                LoadedFile.relative_path,
                LoadedFile.content_hash,
                # a file loaded before the inventory kept landing times counts from its load
                func.coalesce(func.min(LandingFile.first_seen_at), LoadedFile.loaded_at),
            )
            .join(
                LandingFile,
                (LandingFile.relative_path == LoadedFile.relative_path)
                & (LandingFile.content_hash == LoadedFile.content_hash),
                isouter=True,
            )
            .where(LoadedFile.entity == entity)
            .group_by(
                LoadedFile.id,
                LoadedFile.relative_path,
                LoadedFile.content_hash,
                LoadedFile.loaded_at,
            )
            .order_by(LoadedFile.id)
        )
        columns = ["file_id", "relative_path", "content_hash", "first_seen_at"]
        with Session(self._engine) as session:
            return pd.DataFrame(session.execute(statement).all(), columns=pd.Index(columns))

    def entity_version(self, entity: str) -> str:
        """A content version of a raw entity: the file versions loaded into it and how.

        Raw tables are append-only and a file version loads once, so the set of loads is
        the table's content; it changes exactly when a new file version is loaded.
        """
        statement = select(
            LoadedFile.relative_path,
            LoadedFile.content_hash,
            LoadedFile.status,
            LoadedFile.rows_loaded,
            LoadedFile.rows_rejected,
        ).where(LoadedFile.entity == entity)
        with Session(self._engine) as session:
            rows = session.execute(statement).all()
        return _version(entity, rows)

    def inventory_version(self) -> str:
        """A content version of the landing inventory: every file version and its kind."""
        statement = select(LandingFile.relative_path, LandingFile.content_hash, LandingFile.kind)
        with Session(self._engine) as session:
            rows = session.execute(statement).all()
        return _version("landing", rows)

    def entity_counts(self, entities: Iterable[str]) -> dict[str, int]:
        wanted = list(entities)
        with Session(self._engine) as session:
            rows = session.execute(
                select(RawRecord.entity, func.count())
                .where(RawRecord.entity.in_(wanted))
                .group_by(RawRecord.entity)
            ).all()
        counted = {str(entity): int(count) for entity, count in rows}
        return {entity: counted.get(entity, 0) for entity in wanted}

    def accounting(self, entity: str) -> pd.DataFrame:
        """Per file of an entity: what was read, and what the tables hold for it."""
        stored = (
            select(RawRecord.file_id, func.count().label("n"))
            .where(RawRecord.entity == entity)
            .group_by(RawRecord.file_id)
            .subquery()
        )
        rejected = (
            select(RawReject.file_id, func.count().label("n"))
            .where(RawReject.entity == entity)
            .group_by(RawReject.file_id)
            .subquery()
        )
        statement = (
            select(
                LoadedFile.relative_path,
                LoadedFile.content_hash,
                LoadedFile.status,
                LoadedFile.quarantine_reason,
                LoadedFile.rows_read,
                func.coalesce(stored.c.n, 0),
                func.coalesce(rejected.c.n, 0),
            )
            .outerjoin(stored, stored.c.file_id == LoadedFile.id)
            .outerjoin(rejected, rejected.c.file_id == LoadedFile.id)
            .where(LoadedFile.entity == entity)
            .order_by(LoadedFile.id)
        )
        columns = [
            "relative_path",
            "content_hash",
            "status",
            "quarantine_reason",
            "rows_read",
            "rows_loaded",
            "rows_rejected",
        ]
        with Session(self._engine) as session:
            return pd.DataFrame(session.execute(statement).all(), columns=pd.Index(columns))

    def rows_read(self, entity: str) -> int:
        with Session(self._engine) as session:
            total = session.scalar(
                select(func.sum(LoadedFile.rows_read)).where(LoadedFile.entity == entity)
            )
        return int(total or 0)

    def rejects_frame(self, entity: str) -> pd.DataFrame:
        statement = (
            select(
                LoadedFile.relative_path,
                RawReject.row_number,
                RawReject.column_name,
                RawReject.raw_value,
                RawReject.rule,
                RawReject.reason,
            )
            .join(LoadedFile, LoadedFile.id == RawReject.file_id)
            .where(RawReject.entity == entity)
            .order_by(RawReject.id)
        )
        columns = ["file", "row", "column", "raw_value", "rule", "reason"]
        with Session(self._engine) as session:
            return pd.DataFrame(session.execute(statement).all(), columns=pd.Index(columns))

    def loaded_files(self) -> list[LoadedFile]:
        with Session(self._engine) as session:
            return list(session.scalars(select(LoadedFile).order_by(LoadedFile.id)))

    def landing_files(self) -> list[LandingFile]:
        with Session(self._engine) as session:
            return list(session.scalars(select(LandingFile).order_by(LandingFile.id)))

    def rejects(self, entity: str | None = None) -> list[RawReject]:
        statement = select(RawReject).order_by(RawReject.id)
        if entity is not None:
            statement = statement.where(RawReject.entity == entity)
        with Session(self._engine) as session:
            return list(session.scalars(statement))


def _version(name: str, rows: Iterable[Sequence[Any]]) -> str:
    lines = sorted(json.dumps(list(row), default=str) for row in rows)
    return hashlib.sha256("\n".join([name, *lines]).encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
