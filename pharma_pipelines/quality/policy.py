"""The severity policy: every check belongs to one family, and the family decides.

A check never picks its own severity. It names the family of rule it applies, and the
family says how severe a failure is and whether it holds back what is built downstream.
``docs/quality-policy.md`` holds the same table with the reasoning behind each row; a test
compares the two and every check the definitions declare.

Three outcomes are possible, not two:

- ERROR and blocking: the failure makes what is built downstream wrong (a duplicated key
  doubles an order, a stale extract plans yesterday's orders), so nothing downstream runs.
- ERROR, not blocking: rows are left behind that someone must act on today, yet what is
  built from the other rows stays right (an open order of a plant nobody plans).
- WARN: worth a look, wrong nothing (trends, plausibility, completeness ratios).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "ERROR"
    WARN = "WARN"


class CheckFamily(StrEnum):
    SCHEMA_CONTRACT = "schema_contract"
    REQUIRED_FIELD = "required_field"
    UNIQUE_KEY = "unique_key"
    REFERENTIAL_INTEGRITY = "referential_integrity"
    SPECIFICATION_VERDICT = "specification_verdict"
    RECONCILIATION = "reconciliation"
    INPUT_FRESHNESS = "input_freshness"
    SCHEDULE_FEASIBILITY = "schedule_feasibility"
    AUDIT_TRAIL = "audit_trail"
    COVERAGE = "coverage"
    COMPLETENESS = "completeness"
    PLAUSIBILITY = "plausibility"
    OPEN_REVIEW = "open_review"
    TREND = "trend"


@dataclass(frozen=True)
class FamilyPolicy:
    """How a failure of any check of one family is judged."""

    family: CheckFamily
    severity: Severity
    blocking: bool
    covers: str


_POLICIES = (
    FamilyPolicy(
        CheckFamily.SCHEMA_CONTRACT,
        Severity.ERROR,
        True,
        "a table's contract: its columns, their types, and the domain each value must lie in "
        "(a quantity is positive, a line works at most 24 hours a day, a number is a number)",
    ),
    FamilyPolicy(
        CheckFamily.REQUIRED_FIELD,
        Severity.ERROR,
        True,
        "fields a row cannot do without (a product's family, a batch number)",
    ),
    FamilyPolicy(
        CheckFamily.UNIQUE_KEY,
        Severity.ERROR,
        True,
        "business keys: no two rows share a material, order, line or version",
    ),
    FamilyPolicy(
        CheckFamily.REFERENTIAL_INTEGRITY,
        Severity.ERROR,
        True,
        "references between curated tables: an order's product exists, a line is known, "
        "every changeover a line may need has a time",
    ),
    FamilyPolicy(
        CheckFamily.SPECIFICATION_VERDICT,
        Severity.ERROR,
        True,
        "specification verdicts on release-relevant LIMS tests against the batch's disposition",
    ),
    FamilyPolicy(
        CheckFamily.RECONCILIATION,
        Severity.ERROR,
        True,
        "counts and quantities that must agree between layers and sources: rows read against "
        "rows stored, raw rows against curated rows, demand against production",
    ),
    FamilyPolicy(
        CheckFamily.INPUT_FRESHNESS,
        Severity.ERROR,
        True,
        "the extracts a schedule is built from are recent enough for the plan time",
    ),
    FamilyPolicy(
        CheckFamily.SCHEDULE_FEASIBILITY,
        Severity.ERROR,
        True,
        "the problem can be planned and the plan is valid: every open order in the problem, "
        "no run beyond a month, the independent checker finds no violation",
    ),
    FamilyPolicy(
        CheckFamily.AUDIT_TRAIL,
        Severity.ERROR,
        True,
        "records that must never change: every steward's decision still matches the SHA-256 "
        "taken when it was recorded",
    ),
    FamilyPolicy(
        CheckFamily.COVERAGE,
        Severity.ERROR,
        False,
        "rows downstream leaves behind: open orders of a plant that is not planned, QC "
        "results of a batch SAP does not know",
    ),
    FamilyPolicy(
        CheckFamily.COMPLETENESS,
        Severity.WARN,
        False,
        "completeness ratios: rows rejected or left out, files quarantined, values or "
        "specifications missing where the row still counts",
    ),
    FamilyPolicy(
        CheckFamily.PLAUSIBILITY,
        Severity.WARN,
        False,
        "values that are allowed but unlikely (a yield above 100 %, an ISO code shared by "
        "two units)",
    ),
    FamilyPolicy(
        CheckFamily.OPEN_REVIEW,
        Severity.WARN,
        False,
        "results that wait for a person before they count (REVIEW, INDETERMINATE)",
    ),
    FamilyPolicy(
        CheckFamily.TREND,
        Severity.WARN,
        False,
        "shares and KPIs watched over time (late orders in a schedule)",
    ),
)

POLICY: dict[CheckFamily, FamilyPolicy] = {policy.family: policy for policy in _POLICIES}


def policy_for(family: CheckFamily | str) -> FamilyPolicy:
    """The policy of ``family``; an unknown family is refused with the known ones listed."""
    try:
        return POLICY[CheckFamily(family)]
    except ValueError as error:
        known = ", ".join(f.value for f in CheckFamily)
        raise ValueError(
            f"check family {family!r} is not in the severity policy; a check must name one "
            f"of: {known} (pharma_pipelines/quality/policy.py, docs/quality-policy.md)"
        ) from error
