from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from pharma_pipelines.resources import warehouse as warehouse_resource
from pharma_pipelines.runner import RunSummary
from pharma_pipelines.settings import PlatformSettings
from tests.conftest import SOLVE_LIMIT_S, migrated
from tests.instances import in_memory_instance
from tests.landing_zones import FolderZone, S3Zone


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
        solver_time_limit_s=SOLVE_LIMIT_S,
    )


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with in_memory_instance() as test_instance:
        yield test_instance


@pytest.fixture
def stored_instance() -> Iterator[dg.DagsterInstance]:
    """An instance on disk, for tests that open it again the way a restarted daemon does."""
    with dg.instance_for_test() as test_instance:
        yield test_instance


def settings_for(landing: Path, base: PlatformSettings) -> PlatformSettings:
    return base.model_copy(update={"landing_zone": str(landing)})


@pytest.fixture
def postgres_url(postgres_database: str) -> str:
    """A warehouse database of this test's own on the test server, migrated to head."""
    return migrated(postgres_database)


@pytest.fixture(autouse=True)
def _search_compiled(compiled_search: float) -> None:
    """Materializing tests solve schedules: the search kernels are compiled before any of them."""


@pytest.fixture(scope="session")
def broken_instance(broken_plant) -> tuple[dg.DagsterInstance, PlatformSettings, RunSummary]:
    """The broken landing zone materialized once, shared by the tests that only add to it
    what does not change its failed ERROR checks (alert and digest tests): the session's run
    of tests/plant_runs.py, which other tests and the feature scenarios read too."""
    return broken_plant.instance, broken_plant.settings, broken_plant.summary


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.s3)])
def zone(request: pytest.FixtureRequest, tmp_path: Path) -> FolderZone | S3Zone:
    """An empty landing zone: a local folder, then an S3 prefix on the local server."""
    if request.param == "local":
        return FolderZone(tmp_path / "landing")
    return S3Zone(request.getfixturevalue("s3_endpoint"), request.getfixturevalue("s3_bucket"))
