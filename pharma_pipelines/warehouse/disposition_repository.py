"""Data stewards' decisions on failed checks: recorded once, read many times, never changed.

The repository can add a decision and query them; it has no update and no delete, and the
table's triggers refuse both to anyone else. Times are stored in UTC and come back as aware
UTC datetimes whatever the database returns (SQLite keeps no offset, PostgreSQL answers in
the session's time zone), so a record's content hash can be recomputed on any database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import json
from dataclasses import asdict, dataclass, fields

from sqlalchemy import Engine, and_, or_, select
from sqlalchemy.orm import Session

from pharma_pipelines.warehouse.models import CheckDisposition

MAX_NAME_LENGTH = 128


class Decision(enum.StrEnum):
    """What a data steward decided about a failed check evaluation."""

    ACCEPT = "ACCEPT"
    REJECT = "REJECT"


class InvalidDisposition(ValueError):
    """A decision that cannot be recorded as given; the message says what is wrong."""


@dataclass(frozen=True)
class DispositionToRecord:
    """A decision about one check evaluation and the materialization it judged."""

    decision: Decision
    reason: str
    decided_by: str
    asset_key: str
    check_name: str
    partition_key: str | None
    evaluation_id: int
    evaluation_run_id: str
    evaluated_at: dt.datetime
    evaluation_description: str | None
    materialization_storage_id: int
    materialization_run_id: str
    materialized_at: dt.datetime
    data_version: str | None


@dataclass(frozen=True)
class Disposition(DispositionToRecord):
    """A recorded decision: what was decided, by whom, when, and its content hash."""

    id: int
    decided_at: dt.datetime
    content_hash: str

    @property
    def check(self) -> str:
        """``asset:check``, with ``[partition]`` after a partitioned asset."""
        asset = f"{self.asset_key}[{self.partition_key}]" if self.partition_key else self.asset_key
        return f"{asset}:{self.check_name}"

    @property
    def intact(self) -> bool:
        """Whether the stored content still matches the hash taken when it was recorded."""
        return content_hash(self, self.decided_at) == self.content_hash


def content_hash(record: DispositionToRecord, decided_at: dt.datetime) -> str:
    """SHA-256 of the decision's fields and its time, in a canonical JSON form."""
    values = {field.name: getattr(record, field.name) for field in fields(DispositionToRecord)}
    canonical = json.dumps(
        {name: _canonical(value) for name, value in {**values, "decided_at": decided_at}.items()},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class DispositionRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, request: DispositionToRecord) -> Disposition:
        """Record a decision now; refuses one without a reason or a name."""
        valid = _validated(request)
        decided_at = _utc(dt.datetime.now(dt.UTC))
        with Session(self._engine) as session, session.begin():
            row = CheckDisposition(
                **{**asdict(valid), "decision": valid.decision.value},
                decided_at=decided_at,
                content_hash=content_hash(valid, decided_at),
            )
            session.add(row)
            session.flush()
            return _from_row(row)

    def all(self) -> list[Disposition]:
        """Every decision, oldest first."""
        with Session(self._engine) as session:
            rows = session.scalars(select(CheckDisposition).order_by(CheckDisposition.id))
            return [_from_row(row) for row in rows]

    def get(self, disposition_id: int) -> Disposition | None:
        with Session(self._engine) as session:
            row = session.get(CheckDisposition, disposition_id)
            return _from_row(row) if row is not None else None

    def latest(self, limit: int) -> list[Disposition]:
        """The ``limit`` most recent decisions, newest first."""
        with Session(self._engine) as session:
            rows = session.scalars(
                select(CheckDisposition).order_by(CheckDisposition.id.desc()).limit(limit)
            )
            return [_from_row(row) for row in rows]

    def about(
        self,
        asset_key: str,
        check_name: str,
        partition_key: str | None,
        *,
        storage_id: int,
        run_id: str,
        data_version: str | None,
    ) -> list[Disposition]:
        """Decisions on this check about this materialization, newest first.

        A materialization is the same data when it is the same event (storage id and run:
        storage ids alone restart with a new Dagster instance) or carries the same data
        version.
        """
        same_event = and_(
            CheckDisposition.materialization_storage_id == storage_id,
            CheckDisposition.materialization_run_id == run_id,
        )
        same_data = (
            or_(same_event, CheckDisposition.data_version == data_version)
            if data_version
            else same_event
        )
        partition = (
            CheckDisposition.partition_key.is_(None)
            if partition_key is None
            else CheckDisposition.partition_key == partition_key
        )
        statement = (
            select(CheckDisposition)
            .where(
                CheckDisposition.asset_key == asset_key,
                CheckDisposition.check_name == check_name,
                partition,
                same_data,
            )
            .order_by(CheckDisposition.id.desc())
        )
        with Session(self._engine) as session:
            return [_from_row(row) for row in session.scalars(statement)]


def _validated(request: DispositionToRecord) -> DispositionToRecord:
    reason = request.reason.strip()
    by = request.decided_by.strip()
    where = f"decision on {request.asset_key}:{request.check_name}"
    if not reason:
        raise InvalidDisposition(
            f"{where}: the reason is {request.reason!r}; a decision needs a reason that says "
            "why the failure is acceptable or why it is rejected (a deviation or CAPA number, "
            "the investigation's conclusion)"
        )
    if not by:
        raise InvalidDisposition(
            f"{where}: decided_by is {request.decided_by!r}; name the person who decides"
        )
    if len(by) > MAX_NAME_LENGTH:
        raise InvalidDisposition(
            f"{where}: decided_by {by[:40]!r}... has {len(by)} characters; at most "
            f"{MAX_NAME_LENGTH} are allowed"
        )
    for name in ("evaluated_at", "materialized_at"):
        value = getattr(request, name)
        if value.tzinfo is None:
            raise InvalidDisposition(
                f"{where}: {name} {value.isoformat()} has no time zone; give an aware datetime"
            )
    return dataclasses.replace(
        request,
        decision=Decision(request.decision),
        reason=reason,
        decided_by=by,
        evaluated_at=_utc(request.evaluated_at),
        materialized_at=_utc(request.materialized_at),
    )


def _from_row(row: CheckDisposition) -> Disposition:
    return Disposition(
        decision=Decision(row.decision),
        reason=row.reason,
        decided_by=row.decided_by,
        asset_key=row.asset_key,
        check_name=row.check_name,
        partition_key=row.partition_key,
        evaluation_id=row.evaluation_id,
        evaluation_run_id=row.evaluation_run_id,
        evaluated_at=_utc(row.evaluated_at),
        evaluation_description=row.evaluation_description,
        materialization_storage_id=row.materialization_storage_id,
        materialization_run_id=row.materialization_run_id,
        materialized_at=_utc(row.materialized_at),
        data_version=row.data_version,
        id=row.id,
        decided_at=_utc(row.decided_at),
        content_hash=row.content_hash,
    )


def _utc(value: dt.datetime) -> dt.datetime:
    """Aware UTC; a naive value from the database is UTC, as it was stored."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _canonical(value: object) -> object:
    if isinstance(value, dt.datetime):
        return _utc(value).isoformat(timespec="microseconds")
    if isinstance(value, enum.Enum):
        return value.value
    return value


def as_dict(record: Disposition) -> dict[str, object]:
    """The record as plain values, times in ISO 8601 UTC (for reports and metadata)."""
    return {name: _canonical(value) for name, value in asdict(record).items()}
