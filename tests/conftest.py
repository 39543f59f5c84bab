"""Shared test set-up: where the shared material is, and servers that must not skip in CI."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# The traceability report and its gate come with every run; pytester runs the gate's own tests.
pytest_plugins = ("tests.traceability", "pytester")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED = PROJECT_ROOT.parent / "shared"
REALDATA = SHARED / "realdata"
CASES = SHARED / "cases"
BENCH = SHARED / "bench-instances"
SAMPLE_LANDING = PROJECT_ROOT / "examples" / "landing"
BROKEN_LANDING = PROJECT_ROOT / "tests" / "fixtures" / "landing_broken"


def servers_required() -> bool:
    """In CI a missing server is a failure, not a skip."""
    return os.environ.get("PHARMA_REQUIRE_SERVERS") == "1"


def skip_or_fail(reason: str) -> None:
    if servers_required():
        pytest.fail(f"{reason} (PHARMA_REQUIRE_SERVERS=1: this test must run here)")
    pytest.skip(reason)


def case_dir(name: str) -> Path:
    folder = CASES / name
    if not folder.is_dir():
        pytest.skip(f"shared case {name} is not available at {folder}")
    return folder


@pytest.fixture
def realdata() -> Path:
    if not REALDATA.is_dir():
        pytest.skip(f"real exports are not available at {REALDATA}")
    return REALDATA


@pytest.fixture(scope="session")
def compiled_search() -> float:
    """Compile the schedule search once per session, so no test pays for it inside a time limit."""
    from pharma_pipelines.scheduling.search import warm_up

    return warm_up()


@pytest.fixture(scope="session")
def sample_plant(tmp_path_factory, compiled_search) -> Iterator:
    """The bundled sample landing zone materialized once per session (tests read, not change)."""
    from tests.plant_runs import plant_run

    with plant_run(SAMPLE_LANDING, tmp_path_factory.mktemp("sample_plant")) as run:
        yield run


@pytest.fixture(scope="session")
def broken_plant(tmp_path_factory, compiled_search) -> Iterator:
    """The broken landing zone materialized once per session (tests read, not change)."""
    from tests.plant_runs import plant_run

    with plant_run(BROKEN_LANDING, tmp_path_factory.mktemp("broken_plant")) as run:
        yield run
