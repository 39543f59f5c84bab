"""Full refresh of curated tables and typed reads back.

A curated table is rebuilt from all raw rows each time: delete then insert inside one
transaction, so a reader sees either the old table or the new one, never half of each, and
a re-run with the same raw rows writes the same table.

A table's content version is a SHA-256 over its rows as stored, lineage aside: the surrogate
``id`` and ``raw_record_ids`` change when the same data is loaded again from a new file, the
data does not. Rows are hashed in sorted order, so the version does not depend on the order
the database returns them in; the column names are hashed too, so a new column is a new
version. It is stable across runs on one database; SQLite and PostgreSQL return dates and
times differently, so the same content can carry two versions across the two.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import Engine, delete, func, insert, select
from sqlalchemy.orm import Session

from pharma_pipelines.warehouse.models import Base, CurationExclusion, CurationIssue

LINEAGE_COLUMNS = ("id", "raw_record_ids")
# pandas' nullable dtypes keep a NULL next to whole numbers (12, not 12.0) and booleans.
_NULLABLE_DTYPES = {int: "Int64", float: "Float64", bool: "boolean"}


@dataclass(frozen=True)
class TableSnapshot:
    """One read of a curated table: its rows (nullable dtypes) and their content version."""

    frame: pd.DataFrame
    version: str


def content_version(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """SHA-256 over the rows (lineage columns aside), independent of their order."""
    kept = [i for i, name in enumerate(columns) if name not in LINEAGE_COLUMNS]
    digest = hashlib.sha256(json.dumps([columns[i] for i in kept]).encode())
    lines = sorted(
        json.dumps([_canonical(row[i]) for i in kept], separators=(",", ":")) for row in rows
    )
    for line in lines:
        digest.update(b"\n" + line.encode())
    return digest.hexdigest()


def _canonical(value: Any) -> Any:
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


class CuratedRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def replace(
        self,
        table: type[Base],
        rows: Sequence[Mapping[str, Any]],
        issues: Sequence[Mapping[str, Any]] = (),
        exclusions: Sequence[Mapping[str, Any]] = (),
    ) -> int:
        """Swap in a table's new rows, the issues found and the rows left out, atomically."""
        name = table.__tablename__
        with Session(self._engine) as session, session.begin():
            session.execute(delete(table))
            session.execute(delete(CurationIssue).where(CurationIssue.curated_table == name))
            session.execute(
                delete(CurationExclusion).where(CurationExclusion.curated_table == name)
            )
            if rows:
                session.execute(insert(table), [dict(row) for row in rows])
            if issues:
                session.execute(
                    insert(CurationIssue),
                    [{**issue, "curated_table": name} for issue in issues],
                )
            if exclusions:
                session.execute(
                    insert(CurationExclusion),
                    [{**excluded, "curated_table": name} for excluded in exclusions],
                )
        return len(rows)

    def exclusions(self, table: type[Base]) -> pd.DataFrame:
        """The raw rows curation left out of ``table`` on purpose, with kind and reason."""
        columns = ["entity", "raw_record_id", "source_file", "row_number", "kind", "reason"]
        statement = (
            select(*(getattr(CurationExclusion, c) for c in columns))
            .where(CurationExclusion.curated_table == table.__tablename__)
            .order_by(CurationExclusion.id)
        )
        with Session(self._engine) as session:
            return pd.DataFrame(session.execute(statement).all(), columns=pd.Index(columns))

    def snapshot(self, table: type[Base]) -> TableSnapshot:
        """The table's rows with nullable dtypes and their content version, from one read."""
        columns, rows = self._read(table)
        frame = pd.DataFrame(rows, columns=pd.Index(columns))
        for column in table.__table__.columns:
            try:
                python_type = column.type.python_type
            except NotImplementedError:
                continue
            dtype = _NULLABLE_DTYPES.get(python_type)
            if dtype is not None:
                frame[column.name] = frame[column.name].astype(dtype)
        return TableSnapshot(frame=frame, version=content_version(columns, rows))

    def content_version(self, table: type[Base]) -> str:
        return content_version(*self._read(table))

    def _read(self, table: type[Base]) -> tuple[list[str], list[tuple[Any, ...]]]:
        columns = [column.name for column in table.__table__.columns]
        with self._engine.connect() as connection:
            rows = connection.execute(select(table.__table__)).fetchall()
        return columns, [tuple(row) for row in rows]

    def issues(self, table: type[Base]) -> pd.DataFrame:
        columns = [
            "entity",
            "source_file",
            "row_number",
            "column_name",
            "raw_value",
            "reason",
            "raw_record_id",
        ]
        statement = (
            select(*(getattr(CurationIssue, c) for c in columns))
            .where(CurationIssue.curated_table == table.__tablename__)
            .order_by(CurationIssue.id)
        )
        with Session(self._engine) as session:
            return pd.DataFrame(session.execute(statement).all(), columns=pd.Index(columns))

    def frame(self, table: type[Base]) -> pd.DataFrame:
        columns, rows = self._read(table)
        return pd.DataFrame(rows, columns=pd.Index(columns))

    def count(self, table: type[Base]) -> int:
        with Session(self._engine) as session:
            return session.scalar(select(func.count()).select_from(table)) or 0
