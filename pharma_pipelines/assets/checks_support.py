"""Turn a quality rule's outcome into a Dagster asset check result.

Every check reports the same shape: rule, severity, measured against expected, failed count
and total, and at most twenty failing rows as a table.
"""

from __future__ import annotations

import dagster as dg
import pandas as pd

from pharma_pipelines.quality.rules import RuleOutcome

ERROR = dg.AssetCheckSeverity.ERROR
WARN = dg.AssetCheckSeverity.WARN


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


def to_check_result(outcome: RuleOutcome, severity: dg.AssetCheckSeverity) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=outcome.passed,
        severity=severity,
        description=outcome.description,
        metadata={
            "rule": outcome.rule,
            "severity": severity.value,
            "measured": outcome.measured,
            "expected": outcome.expected,
            "failed_count": outcome.failed_count,
            "total": outcome.total,
            "failing_rows": dg.MetadataValue.md(markdown_table(outcome.failing_rows)),
        },
    )
