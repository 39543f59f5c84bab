"""The whole graph with the warehouse on a real PostgreSQL server."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text

from pharma_pipelines.resources import WarehouseResource
from pharma_pipelines.runner import EXIT_OK, materialize_all
from pharma_pipelines.warehouse.models import Base, CuratedProduct, RawRecord
from tests.conftest import SAMPLE_LANDING, skip_or_fail
from tests.integration.conftest import settings_for

pytestmark = pytest.mark.postgres


@pytest.fixture
def postgres_url() -> str:
    url = os.environ.get("PHARMA_TEST_POSTGRES_URL")
    if not url:
        skip_or_fail("PHARMA_TEST_POSTGRES_URL is not set: no PostgreSQL server for this test")
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("select 1"))
        Base.metadata.drop_all(engine)
    except Exception as error:  # any connection failure means there is no server
        skip_or_fail(f"PostgreSQL at {url} is not reachable: {error}")
    finally:
        engine.dispose()
    return url


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
