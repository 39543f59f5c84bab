"""The requirements register names only what is built: every reference resolves."""

from __future__ import annotations

import argparse
import importlib.util
from fnmatch import fnmatchcase

import pytest

from pharma_pipelines.cli import build_parser
from pharma_pipelines.definitions import build_definitions
from pharma_pipelines.settings import PlatformSettings
from pharma_pipelines.traceability import load_register
from tests.conftest import PROJECT_ROOT

REGISTER = load_register(PROJECT_ROOT / "requirements" / "urs.toml")


@pytest.fixture(scope="module")
def built() -> dict[str, set[str]]:
    definitions = build_definitions(PlatformSettings())
    graph = definitions.resolve_asset_graph()
    [commands] = [
        action.choices
        for action in build_parser()._actions
        if isinstance(action, argparse._SubParsersAction)
    ]
    return {
        "assets": {key.to_user_string() for key in graph.get_all_asset_keys()},
        "checks": {
            f"{key.asset_key.to_user_string()}:{key.name}" for key in graph.asset_check_keys
        },
        "jobs": {job.name for job in definitions.resolve_all_job_defs()},
        "sensors": {sensor.name for sensor in definitions.sensors or []},
        "commands": set(commands),
    }


@pytest.mark.parametrize("requirement", REGISTER.requirements, ids=lambda r: r.id)
def test_every_reference_of_a_requirement_names_something_built(requirement, built):
    for kind, names in requirement.implemented_by.by_kind().items():
        for name in names:
            if kind == "modules":
                assert importlib.util.find_spec(name) is not None, f"{requirement.id}: {name}"
                continue
            matches = [found for found in built[kind] if fnmatchcase(found, name)]
            assert matches, f"{requirement.id}: {kind} {name!r} matches nothing built"
