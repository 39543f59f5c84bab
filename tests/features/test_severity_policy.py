"""Scenarios of severity_policy.feature."""

from __future__ import annotations

import re

import dagster as dg
import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from pharma_pipelines.definitions import build_definitions
from pharma_pipelines.quality.policy import POLICY, CheckFamily, policy_for
from pharma_pipelines.settings import PlatformSettings
from tests.conftest import PROJECT_ROOT
from tests.plant_runs import PlantRun

scenarios("severity_policy.feature")

_ROW = re.compile(r"^\| `(?P<family>[a-z_]+)` \| (?P<severity>ERROR|WARN) \| (?P<blocks>yes|no) \|")


@given("the checks of the platform's definitions", target_fixture="specs")
def _specs() -> list[dg.AssetCheckSpec]:
    graph = build_definitions(PlatformSettings()).resolve_asset_graph()
    return [graph.get_check_spec(key) for key in graph.asset_check_keys]


@then("every check names a family of the severity policy")
def _families_known(specs: list[dg.AssetCheckSpec]) -> None:
    assert len(specs) > 100
    for spec in specs:
        assert CheckFamily(spec.metadata["family"]) in POLICY, spec.key


@then("every check blocks exactly when its family's policy says so")
def _blocking_by_policy(specs: list[dg.AssetCheckSpec]) -> None:
    for spec in specs:
        policy = policy_for(spec.metadata["family"])
        assert spec.blocking is policy.blocking, spec.key
        assert spec.metadata["severity"] == policy.severity.value, spec.key


@then(parsers.parse('the policy table in "{doc}" is the policy in code'))
def _documented(doc: str) -> None:
    written = {
        m["family"]: (m["severity"], m["blocks"] == "yes")
        for line in (PROJECT_ROOT / doc).read_text(encoding="utf-8").splitlines()
        if (m := _ROW.match(line))
    }
    coded = {p.family.value: (p.severity.value, p.blocking) for p in POLICY.values()}
    assert written == coded


@then("every failed check reported its family's severity")
def _failed_by_policy(plant: PlantRun) -> None:
    failed = [c for c in plant.summary.checks if not c.passed]
    assert len(failed) > 5
    for check in failed:
        policy = policy_for(check.details["family"])
        assert check.severity == policy.severity.value, check.target
        assert check.details["blocking"] is policy.blocking, check.target


@when(
    parsers.parse('the policy is asked for the check family "{family}"'), target_fixture="refusal"
)
def _ask(family: str) -> ValueError:
    with pytest.raises(ValueError, match="is not in the severity policy") as raised:
        policy_for(family)
    return raised.value


@then("it is refused with a message that lists the families allowed")
def _refused(refusal: ValueError) -> None:
    message = str(refusal)
    assert "'gut_feeling' is not in the severity policy" in message
    for family in CheckFamily:
        assert family.value in message
