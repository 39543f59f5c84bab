"""The whole graph with the warehouse on a real PostgreSQL server."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from pharma_pipelines.resources import WarehouseResource
from pharma_pipelines.runner import EXIT_OK, materialize_all
from pharma_pipelines.warehouse.models import CuratedProduct, RawRecord
from tests.conftest import SAMPLE_LANDING
from tests.integration.conftest import settings_for

pytestmark = pytest.mark.postgres


def test_whole_graph_on_postgres(postgres_url, fresh_engines, memory_settings, instance):
    settings = settings_for(SAMPLE_LANDING, memory_settings).model_copy(
        update={"warehouse_url": postgres_url}
    )
    summary = materialize_all(settings, instance)
    assert summary.errors == []
    assert [c for c in summary.checks if not c.passed] == []
    assert summary.exit_code == EXIT_OK

    warehouse = WarehouseResource(url=postgres_url)
    assert warehouse.curated().count(CuratedProduct) == 12
    materials = warehouse.curated().frame(CuratedProduct)["material"]
    assert all(len(m) == 18 and m.startswith("0") for m in materials)
    with warehouse.engine().connect() as connection:
        query = text(f"select count(*) from {RawRecord.__tablename__}")
        stored = connection.execute(query).scalar()
    assert stored == sum(f.rows_loaded for f in summary.files)
