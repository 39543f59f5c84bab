"""Fixtures for the sample landing zone: one clean and one broken set per test session."""

from __future__ import annotations

import pytest

from pharma_pipelines.sample import generate_landing_zone
from tests.unit.sample.landing_reader import Landing


@pytest.fixture(scope="session")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Landing:
    root = tmp_path_factory.mktemp("clean") / "landing"
    return Landing(root, generate_landing_zone(root, seed=7))


@pytest.fixture(scope="session")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Landing:
    root = tmp_path_factory.mktemp("broken") / "landing"
    return Landing(root, generate_landing_zone(root, seed=7, defects=True))
