"""Shared test set-up: where the shared material is, and servers that must not skip in CI."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

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


# Markers of tests that need nothing from ../shared, so that in CI any skip of theirs, from
# skip_or_fail or from anywhere else (an import, a helper), means a missing server or tool.
MUST_RUN_IN_CI = ("e2e",)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator:
    report = yield
    must_run = [name for name in MUST_RUN_IN_CI if item.get_closest_marker(name)]
    if report.skipped and must_run and servers_required() and not hasattr(report, "wasxfail"):
        # A skip's report holds (file, line, "Skipped: <reason>").
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        reason = str(reason).removeprefix("Skipped: ")
        report.outcome = "failed"
        report.longrepr = (
            f"skipped ({reason}), but a test marked {must_run[0]} must run where "
            "PHARMA_REQUIRE_SERVERS=1"
        )
    return report


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
