"""Every check in the definitions declares a family and is judged as the policy says."""

from __future__ import annotations

import dagster as dg
import pandas as pd
import pytest

from pharma_pipelines.assets.checks_support import policy_args, to_check_result
from pharma_pipelines.definitions import build_definitions
from pharma_pipelines.quality.policy import POLICY, CheckFamily
from pharma_pipelines.quality.rules import RuleOutcome
from pharma_pipelines.settings import PlatformSettings
from tests.unit.quality.test_policy import documented_policy

defs = build_definitions(PlatformSettings(plants=["0100"]))


def declared_checks() -> dict[str, dg.AssetCheckSpec]:
    graph = defs.resolve_asset_graph()
    return {key.to_user_string(): graph.get_check_spec(key) for key in graph.asset_check_keys}


def test_every_check_declares_a_family_of_the_policy():
    for name, spec in declared_checks().items():
        family = spec.metadata.get("family")
        assert family in {f.value for f in CheckFamily}, f"{name} declares family {family!r}"


def test_every_check_blocks_and_is_as_severe_as_the_documented_policy_says():
    documented = documented_policy()
    for name, spec in declared_checks().items():
        severity, blocks, _covers = documented[spec.metadata["family"]]
        assert spec.blocking is blocks, f"{name}: blocking {spec.blocking}, policy {blocks}"
        assert spec.metadata["severity"] == severity, name


def test_every_family_of_the_policy_is_used_by_a_check():
    used = {spec.metadata["family"] for spec in declared_checks().values()}
    assert used == {family.value for family in POLICY}


@pytest.mark.parametrize(
    ("family", "severity"),
    [(CheckFamily.COMPLETENESS, "WARN"), (CheckFamily.COVERAGE, "ERROR")],
)
def test_a_result_takes_its_severity_from_the_family_and_names_its_data_version(family, severity):
    outcome = RuleOutcome(
        rule="a rule",
        passed=False,
        measured="1 of 2 rows",
        expected="0 rows",
        failed_count=1,
        total=2,
        failing_rows=pd.DataFrame([{"order": "1"}]),
        details={"by_kind": {"a": 1}},
    )
    result = to_check_result(outcome, family, "v1")
    assert result.severity.value == severity
    assert result.metadata["data_version"].value == "v1"
    assert result.metadata["family"].value == family.value
    assert result.metadata["by_kind"].value == {"a": 1}
    assert "| 1 |" in result.metadata["failing_rows"].value
    assert policy_args(family)["blocking"] is POLICY[family].blocking
