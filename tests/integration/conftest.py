from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
from sqlalchemy import create_engine, text

from pharma_pipelines.resources import warehouse as warehouse_resource
from pharma_pipelines.runner import RunSummary
from pharma_pipelines.settings import PlatformSettings
from pharma_pipelines.warehouse.models import Base
from tests.conftest import skip_or_fail


@pytest.fixture
def fresh_engines() -> Iterator[None]:
    """Each test gets its own in-memory database: engines are cached per URL."""
    warehouse_resource._engine_for.cache_clear()
    yield
    warehouse_resource._engine_for.cache_clear()


@pytest.fixture
def memory_settings(fresh_engines: None) -> PlatformSettings:
    return PlatformSettings(
        warehouse_url="sqlite://",
        solver_time_limit_s=5.0,
    )


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as test_instance:
        yield test_instance


def settings_for(landing: Path, base: PlatformSettings) -> PlatformSettings:
    return base.model_copy(update={"landing_zone": str(landing)})


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


@pytest.fixture(autouse=True)
def _search_compiled(compiled_search: float) -> None:
    """Materializing tests solve schedules: the search kernels are compiled before any of them."""


@pytest.fixture(scope="session")
def broken_instance(broken_plant) -> tuple[dg.DagsterInstance, PlatformSettings, RunSummary]:
    """The broken landing zone materialized once, shared by the tests that only add to it
    what does not change its failed ERROR checks (alert and digest tests): the session's run
    of tests/plant_runs.py, which other tests and the feature scenarios read too."""
    return broken_plant.instance, broken_plant.settings, broken_plant.summary
