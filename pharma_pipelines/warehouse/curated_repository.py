"""Full refresh of curated tables and typed reads back.

A curated table is rebuilt from all raw rows each time: delete then insert inside one
transaction, so a reader sees either the old table or the new one, never half of each, and
a re-run with the same raw rows writes the same table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Engine, delete, func, insert, select
from sqlalchemy.orm import Session

from pharma_pipelines.warehouse.models import Base, CurationIssue


class CuratedRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def replace(
        self,
        table: type[Base],
        rows: Sequence[Mapping[str, Any]],
        issues: Sequence[Mapping[str, Any]] = (),
    ) -> int:
        """Swap in a table's new rows and the issues found building it, atomically."""
        name = table.__tablename__
        with Session(self._engine) as session, session.begin():
            session.execute(delete(table))
            session.execute(delete(CurationIssue).where(CurationIssue.curated_table == name))
            if rows:
                session.execute(insert(table), [dict(row) for row in rows])
            if issues:
                session.execute(
                    insert(CurationIssue),
                    [{**issue, "curated_table": name} for issue in issues],
                )
        return len(rows)

    def issues(self, table: type[Base]) -> pd.DataFrame:
        columns = ["entity", "source_file", "row_number", "column_name", "raw_value", "reason"]
        statement = (
            select(*(getattr(CurationIssue, c) for c in columns))
            .where(CurationIssue.curated_table == table.__tablename__)
            .order_by(CurationIssue.id)
        )
        with Session(self._engine) as session:
            return pd.DataFrame(session.execute(statement).all(), columns=pd.Index(columns))

    def frame(self, table: type[Base]) -> pd.DataFrame:
        columns = [column.name for column in table.__table__.columns]
        with self._engine.connect() as connection:
            result = connection.execute(select(table.__table__))
            return pd.DataFrame(result.fetchall(), columns=pd.Index(columns))

    def count(self, table: type[Base]) -> int:
        with Session(self._engine) as session:
            return session.scalar(select(func.count()).select_from(table)) or 0
