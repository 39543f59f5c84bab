"""The warehouse as a Dagster resource: one engine per URL, its schema checked (or, for SQLite,
migrated) on first use."""

from __future__ import annotations

from functools import lru_cache

import dagster as dg
from sqlalchemy import Engine

from pharma_pipelines.warehouse.curated_repository import CuratedRepository
from pharma_pipelines.warehouse.database import make_engine
from pharma_pipelines.warehouse.disposition_repository import DispositionRepository
from pharma_pipelines.warehouse.lineage_repository import LineageRepository
from pharma_pipelines.warehouse.planning_repository import PlanningRepository
from pharma_pipelines.warehouse.quality_repository import QualityRepository
from pharma_pipelines.warehouse.raw_repository import RawRepository
from pharma_pipelines.warehouse.schema import prepare_schema


@lru_cache(maxsize=8)
def _engine_for(url: str) -> Engine:
    # One engine per URL and process: an in-memory SQLite database lives only as long as
    # its engine, so every step of an in-process run must share the same one.
    engine = make_engine(url)
    prepare_schema(engine)
    return engine


class WarehouseResource(dg.ConfigurableResource):
    """SQLAlchemy URL of the warehouse (SQLite file by default, PostgreSQL in production)."""

    url: str

    def engine(self) -> Engine:
        return _engine_for(self.url)

    def raw(self) -> RawRepository:
        return RawRepository(self.engine())

    def curated(self) -> CuratedRepository:
        return CuratedRepository(self.engine())

    def planning(self) -> PlanningRepository:
        return PlanningRepository(self.engine())

    def dispositions(self) -> DispositionRepository:
        return DispositionRepository(self.engine())

    def quality(self) -> QualityRepository:
        return QualityRepository(self.engine())

    def lineage(self) -> LineageRepository:
        return LineageRepository(self.engine())

    def describe(self) -> str:
        return self.engine().url.render_as_string(hide_password=True)
