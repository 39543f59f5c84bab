"""docs/quality-policy.md and the severity policy in code must not drift apart."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pharma_pipelines.quality.policy import POLICY, CheckFamily, Severity, policy_for

DOC = Path(__file__).resolve().parents[3] / "docs" / "quality-policy.md"
_ROW = re.compile(
    r"^\| `(?P<family>[a-z_]+)` \| (?P<severity>ERROR|WARN) \| (?P<blocks>yes|no) "
    r"\| (?P<covers>.+) \|$"
)


def documented_policy() -> dict[str, tuple[str, bool, str]]:
    """The severity table of the docs: family -> (severity, blocks downstream, covers)."""
    rows: dict[str, tuple[str, bool, str]] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if match := _ROW.match(line):
            assert match["family"] not in rows, f"{match['family']} is listed twice in {DOC}"
            rows[match["family"]] = (
                match["severity"],
                match["blocks"] == "yes",
                match["covers"],
            )
    return rows


def test_the_documented_table_is_the_policy_in_code():
    coded = {
        policy.family.value: (policy.severity.value, policy.blocking, policy.covers)
        for policy in POLICY.values()
    }
    assert documented_policy() == coded


def test_every_family_has_a_policy():
    assert set(POLICY) == set(CheckFamily)


def test_the_issue_families_block_and_the_rest_warns():
    # the issue's written policy: these are ERROR and blocking, trends and ratios warn
    for family in (
        CheckFamily.SCHEMA_CONTRACT,
        CheckFamily.REQUIRED_FIELD,
        CheckFamily.UNIQUE_KEY,
        CheckFamily.REFERENTIAL_INTEGRITY,
        CheckFamily.SPECIFICATION_VERDICT,
        CheckFamily.RECONCILIATION,
        CheckFamily.SCHEDULE_FEASIBILITY,
        CheckFamily.INPUT_FRESHNESS,
    ):
        assert (policy_for(family).severity, policy_for(family).blocking) == (Severity.ERROR, True)
    for family in (CheckFamily.TREND, CheckFamily.PLAUSIBILITY, CheckFamily.COMPLETENESS):
        assert (policy_for(family).severity, policy_for(family).blocking) == (Severity.WARN, False)


def test_an_unknown_family_is_refused_naming_the_known_ones():
    with pytest.raises(ValueError, match="'severe_ish' is not in the severity policy") as error:
        policy_for("severe_ish")
    assert "schema_contract" in str(error.value)
