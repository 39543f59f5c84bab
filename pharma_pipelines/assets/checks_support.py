"""Turn a quality rule's outcome into a Dagster asset check result, severity by policy.

Every check reports the same shape: rule, family, severity, measured against expected,
failed count and total, at most twenty failing rows as a table, and the data version it
checked. Severity and blocking come from the family's row of the severity policy
(``pharma_pipelines.quality.policy``), never from the check: a check declares its family
with ``policy_args`` where it is defined and names it again when it reports.

Data versions are content hashes, so a steward can tell whether two evaluations judged the
same data: a curated table's is the hash of its stored rows (lineage aside), a raw asset's
the file versions loaded into it, the problem's its content hash, a schedule's its
placements. Assets emit the same versions as ``dg.DataVersion`` with their
materializations, so the UI can relate a check result to the materialization it judged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
import pandas as pd

from pharma_pipelines.quality.policy import CheckFamily, policy_for
from pharma_pipelines.quality.rules import RuleOutcome

FAMILY = "family"


def markdown_table(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "_no failing rows_"
    shown = frame.astype(str)
    header = "| " + " | ".join(shown.columns) + " |"
    rule = "| " + " | ".join("---" for _ in shown.columns) + " |"
    body = [
        "| " + " | ".join(value.replace("|", "\\|").replace("\n", " ") for value in row) + " |"
        for row in shown.itertuples(index=False)
    ]
    return "\n".join([header, rule, *body])


def policy_args(family: CheckFamily) -> dict[str, Any]:
    """``blocking`` and ``metadata`` for an asset check or check spec of ``family``."""
    policy = policy_for(family)
    return {
        "blocking": policy.blocking,
        "metadata": {FAMILY: policy.family.value, "severity": policy.severity.value},
    }


def severity_of(family: CheckFamily) -> dg.AssetCheckSeverity:
    return dg.AssetCheckSeverity(policy_for(family).severity.value)


def to_check_result(
    outcome: RuleOutcome,
    family: CheckFamily,
    data_version: str,
    *,
    asset_key: dg.AssetKey | None = None,
    check_name: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dg.AssetCheckResult:
    policy = policy_for(family)
    severity = severity_of(family)
    return dg.AssetCheckResult(
        passed=outcome.passed,
        asset_key=asset_key,
        check_name=check_name,
        severity=severity,
        description=outcome.description,
        metadata={
            "rule": outcome.rule,
            FAMILY: policy.family.value,
            "severity": severity.value,
            "blocking": policy.blocking,
            "measured": outcome.measured,
            "expected": outcome.expected,
            "failed_count": outcome.failed_count,
            "total": outcome.total,
            "failing_rows": dg.MetadataValue.md(markdown_table(outcome.failing_rows)),
            "data_version": data_version,
            **_metadata(outcome.details),
            **_metadata(extra or {}),
        },
    )


def _metadata(values: Mapping[str, Any]) -> dict[str, Any]:
    """Plain values as they are, lists and mappings as JSON; absent values left out."""
    converted: dict[str, Any] = {}
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(value, Mapping | list | tuple):
            converted[name] = dg.MetadataValue.json(value)
        else:
            converted[name] = value
    return converted
