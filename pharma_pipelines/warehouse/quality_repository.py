"""Writes and reads of the expectation-suite validations kept with their runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from pharma_pipelines.warehouse.models import QualityValidation


class QualityRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def save_validation(
        self,
        *,
        run_id: str,
        asset_key: str,
        suite: str,
        suite_version: int,
        data_version: str,
        success: bool,
        expectations: int,
        failed: int,
        result: dict[str, Any],
    ) -> int:
        """Keep one validation's full result; returns its id."""
        record = QualityValidation(
            run_id=run_id,
            asset_key=asset_key,
            suite=suite,
            suite_version=suite_version,
            data_version=data_version,
            success=success,
            expectations=expectations,
            failed=failed,
            result=result,
            created_at=dt.datetime.now(dt.UTC),
        )
        with Session(self._engine, expire_on_commit=False) as session:
            session.add(record)
            session.commit()
            return record.id

    def validations(self, run_id: str | None = None) -> list[QualityValidation]:
        """Every validation kept, or those of one run, oldest first."""
        statement = select(QualityValidation).order_by(QualityValidation.id)
        if run_id is not None:
            statement = statement.where(QualityValidation.run_id == run_id)
        with Session(self._engine) as session:
            return list(session.scalars(statement))
