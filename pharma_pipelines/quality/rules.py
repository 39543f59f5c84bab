"""Data-quality rules as pure functions over tables.

Each rule returns a ``RuleOutcome``: whether it held, what was measured against what was
expected, how many rows failed out of how many, and a sample of the failing rows (at most
``SAMPLE_SIZE``) so a data steward sees which rows, not just that some did.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

SAMPLE_SIZE = 20


@dataclass(frozen=True)
class RuleOutcome:
    rule: str
    passed: bool
    measured: str
    expected: str
    failed_count: int
    total: int
    failing_rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    details: Mapping[str, Any] = field(default_factory=dict)
    """Further figures of this rule (counts by category, unexpected values), JSON-ready."""

    @property
    def description(self) -> str:
        return f"{self.rule}: measured {self.measured}; expected {self.expected}"


def _outcome(rule: str, failing: pd.DataFrame, total: int, expected: str, what: str) -> RuleOutcome:
    count = len(failing)
    return RuleOutcome(
        rule=rule,
        passed=count == 0,
        measured=f"{count} of {total} {what}",
        expected=expected,
        failed_count=count,
        total=total,
        failing_rows=failing.head(SAMPLE_SIZE).reset_index(drop=True),
    )


def unique_key(frame: pd.DataFrame, key: Sequence[str], columns: Sequence[str] = ()) -> RuleOutcome:
    """No two rows share a business key."""
    rule = f"unique key ({', '.join(key)})"
    if frame.empty:
        return _outcome(rule, frame, 0, "0 duplicated rows", "rows share a key")
    duplicated = frame[frame.duplicated(list(key), keep=False)]
    shown = duplicated[[*key, *columns]] if columns else duplicated[list(key)]
    return _outcome(
        rule, shown.sort_values(list(key)), len(frame), "0 duplicated rows", "rows share a key"
    )


def not_null(frame: pd.DataFrame, columns: Sequence[str], key: Sequence[str]) -> RuleOutcome:
    """Required columns hold a value in every row."""
    rule = f"required values ({', '.join(columns)})"
    if frame.empty:
        return _outcome(rule, frame, 0, "0 rows with a blank", "rows with a blank")
    missing = frame[list(columns)].isna().any(axis=1)
    return _outcome(
        rule,
        frame.loc[missing, [*key, *columns]],
        len(frame),
        "0 rows with a blank",
        "rows with a blank",
    )


def references(
    child: pd.DataFrame,
    child_key: Sequence[str],
    parent: pd.DataFrame,
    parent_key: Sequence[str],
    parent_name: str,
    shown: Sequence[str] = (),
) -> RuleOutcome:
    """Every child row points at an existing parent row (no orphans)."""
    rule = f"({', '.join(child_key)}) exists in {parent_name}"
    if child.empty:
        return _outcome(rule, child, 0, "0 orphans", "rows are orphans")
    known = (
        set(map(tuple, parent[list(parent_key)].astype(str).to_numpy())) if len(parent) else set()
    )
    keys = child[list(child_key)].astype(str).apply(tuple, axis=1)
    orphans = child[~keys.isin(known)]
    return _outcome(
        rule,
        orphans[[*shown, *child_key]] if shown else orphans[list(child_key)],
        len(child),
        "0 orphans",
        "rows are orphans",
    )


def within_range(
    frame: pd.DataFrame,
    column: str,
    minimum: float | None,
    maximum: float | None,
    key: Sequence[str],
) -> RuleOutcome:
    """Numeric values lie inside [minimum, maximum]; missing values are not range failures."""
    bounds = f"[{'-inf' if minimum is None else minimum}, {'inf' if maximum is None else maximum}]"
    rule = f"{column} within {bounds}"
    if frame.empty:
        return _outcome(rule, frame, 0, f"all values in {bounds}", "values outside")
    values = pd.to_numeric(frame[column], errors="coerce")
    present = values.notna()
    outside = pd.Series(False, index=frame.index)
    if minimum is not None:
        outside |= present & (values < minimum)
    if maximum is not None:
        outside |= present & (values > maximum)
    return _outcome(
        rule,
        frame.loc[outside, [*key, column]],
        int(present.sum()),
        f"all values in {bounds}",
        "values outside",
    )


def rows_reconcile(accounting: pd.DataFrame) -> RuleOutcome:
    """For every file: rows read = rows loaded + rows rejected."""
    rule = "rows read = rows loaded + rows rejected"
    if accounting.empty:
        return _outcome(rule, accounting, 0, "every file reconciles", "files do not reconcile")
    broken = accounting[
        accounting["rows_read"] != accounting["rows_loaded"] + accounting["rows_rejected"]
    ]
    return _outcome(
        rule, broken, len(accounting), "every file reconciles", "files do not reconcile"
    )


def ratio_at_most(
    rule: str, failing: pd.DataFrame, total: int, max_ratio: float, what: str
) -> RuleOutcome:
    """A tolerated share of problem rows: passes while failing/total <= max_ratio."""
    count = len(failing)
    ratio = count / total if total else 0.0
    return RuleOutcome(
        rule=rule,
        passed=ratio <= max_ratio,
        measured=f"{count} of {total} {what} ({ratio:.1%})",
        expected=f"at most {max_ratio:.1%}",
        failed_count=count,
        total=total,
        failing_rows=failing.head(SAMPLE_SIZE).reset_index(drop=True),
    )


def released_batches_without_failures(batches: pd.DataFrame) -> RuleOutcome:
    """A batch the quality unit released has no failed release-relevant result."""
    rule = "no RELEASED batch has a failed release-relevant result"
    if batches.empty:
        return _outcome(rule, batches, 0, "0 such batches", "released batches failed")
    released = batches[batches["disposition"] == "RELEASED"]
    bad = released[released["results_failed"] > 0]
    return _outcome(
        rule,
        bad[["batch", "material", "results_failed", "results_total"]],
        len(released),
        "0 released batches with failures",
        "released batches have failed results",
    )


def released_batches_have_results(batches: pd.DataFrame) -> RuleOutcome:
    """A released batch has release-relevant results: no release without evidence.

    A file of results that failed to load, or results booked to a mistyped batch number,
    would otherwise leave a released batch with nothing to fail on.
    """
    rule = "every RELEASED batch has release-relevant results"
    if batches.empty:
        return _outcome(rule, batches, 0, "0 such batches", "released batches lack results")
    released = batches[batches["disposition"] == "RELEASED"]
    lacking = released["results_total"] == 0
    shown = ["batch", "material", "disposition", "results_total"]
    if "tests_not_evaluable" in released.columns:
        # A test whose every run was invalidated is no evidence either.
        lacking |= released["tests_not_evaluable"] > 0
        shown.append("tests_not_evaluable")
    return _outcome(
        rule,
        released.loc[lacking, shown],
        len(released),
        "0 released batches without results",
        "released batches lack a valid release-relevant result",
    )


def released_batches_without_valid_oos(batches: pd.DataFrame) -> RuleOutcome:
    """A released batch has no valid out-of-specification result.

    An OOS is set aside only by a documented assignable cause (invalidated with a reason);
    a passing retest alone does not, so a batch released on the strength of one shows here.
    """
    rule = "no RELEASED batch has a valid OOS result"
    if batches.empty:
        return _outcome(rule, batches, 0, "0 such batches", "released batches have a valid OOS")
    released = batches[batches["disposition"] == "RELEASED"]
    bad = released[released["valid_oos"] > 0]
    return _outcome(
        rule,
        bad[["batch", "material", "valid_oos", "results_failed", "qc_status"]],
        len(released),
        "0 released batches with a valid OOS",
        "released batches have a valid OOS result",
    )


def invalidations_have_a_reason(results: pd.DataFrame) -> RuleOutcome:
    """Every invalidated result names its assignable cause (GMP: documented invalidation)."""
    rule = "every INVALIDATED result has an invalidation reason"
    what = "invalidated results have no reason"
    if results.empty:
        return _outcome(rule, results, 0, "0 without a reason", what)
    invalidated = results[results["status"] == "INVALIDATED"]
    reason = invalidated["invalidation_reason"].fillna("").astype(str).str.strip()
    shown = ["batch", "test", "sample_id", "run", "raw_result", "verdict", "raw_record_ids"]
    return _outcome(
        rule, invalidated.loc[reason == "", shown], len(invalidated), "0 without a reason", what
    )


SUPERSEDED = "superseded"
OUT_OF_SCOPE = "out_of_scope"


def raw_rows_accounted_for(
    raw: pd.DataFrame,
    traced: Iterable[int],
    with_issue: Iterable[int],
    excluded: pd.DataFrame,
    curated_rows: int,
    built_in_rows: int = 0,
) -> RuleOutcome:
    """Every raw row of a curated table's inputs is accounted for, none vanishes silently.

    ``raw`` holds the current raw rows that feed the table (``raw_record_id``, ``entity``,
    ``source_file``, ``row_number``). A raw row is accounted for when the lineage of a
    curated row names it (``traced``: kept, or merged with identical repeats into one row),
    when a curation issue names it (``with_issue``: a value could not be typed), or when
    curation recorded why it left it out (``excluded``, with ``kind`` SUPERSEDED by a
    newer extract of its key or OUT_OF_SCOPE, and a ``reason``). Any other raw row failed.
    ``built_in_rows`` counts curated rows that come from no raw row (built-in units).
    """
    rule = "every raw row is in a curated row, a curation issue or a recorded exclusion"
    ids = set(raw["raw_record_id"].astype(int)) if not raw.empty else set()
    in_table = ids & {int(i) for i in traced}
    issued = (ids - in_table) & {int(i) for i in with_issue}
    kinds = (
        dict(zip(excluded["raw_record_id"].astype(int), excluded["kind"], strict=True))
        if not excluded.empty
        else {}
    )
    left = ids - in_table - issued
    superseded = {i for i in left if kinds.get(i) == SUPERSEDED}
    out_of_scope = {i for i in left if kinds.get(i) == OUT_OF_SCOPE}
    missing = left - superseded - out_of_scope
    columns = ["entity", "source_file", "row_number", "raw_record_id"]
    failing = (
        raw[raw["raw_record_id"].astype(int).isin(missing)][columns].sort_values(columns)
        if missing
        else pd.DataFrame(columns=pd.Index(columns))
    )
    measured = (
        f"{len(ids)} raw rows: {len(in_table)} in the {curated_rows - built_in_rows} curated "
        f"rows drawn from raw rows, {len(issued)} with a curation issue, {len(superseded)} "
        f"superseded by a newer extract of their key, {len(out_of_scope)} out of scope; "
        f"{len(missing)} unaccounted"
    )
    return RuleOutcome(
        rule=rule,
        passed=not missing,
        measured=measured,
        expected="0 raw rows unaccounted",
        failed_count=len(missing),
        total=len(ids),
        failing_rows=failing.head(SAMPLE_SIZE).reset_index(drop=True),
        details={
            "raw_rows": len(ids),
            "in_curated_rows": len(in_table),
            "curated_rows": curated_rows,
            "built_in_rows": built_in_rows,
            "with_curation_issue": len(issued),
            "superseded": len(superseded),
            "out_of_scope": len(out_of_scope),
            "unaccounted": len(missing),
        },
    )


def demand_covered_by_orders(demand: pd.DataFrame, orders: pd.DataFrame) -> RuleOutcome:
    """Per material, the open production orders cover what customers ask for.

    Both sides in the product's base unit: the base quantity of every demand line against
    the base quantity of every open production order of the same material. A demand line
    without a base quantity (its material or unit is unknown) cannot be compared and fails
    on its own. Production beyond demand is allowed (stock, forecasts); a shortfall is not.
    """
    rule = "open production orders cover customer demand per material (base unit)"
    columns = ["material", "base_unit", "demanded", "in_open_orders", "shortfall", "reason"]
    if demand.empty:
        empty = pd.DataFrame(columns=pd.Index(columns))
        return _outcome(rule, empty, 0, "0 materials short", "demanded materials not covered")
    open_orders = orders[orders["is_open"].astype(bool)] if not orders.empty else orders
    comparable = demand[demand["base_quantity"].notna()]
    unknown = demand[demand["base_quantity"].isna()]
    asked = comparable.groupby(["material", "base_unit"], dropna=False)["base_quantity"].sum()
    made = (
        open_orders[open_orders["base_quantity"].notna()]
        .groupby(["material", "base_unit"], dropna=False)["base_quantity"]
        .sum()
        if not open_orders.empty
        else pd.Series(dtype=float)
    )
    rows = []
    for (material, unit), wanted in asked.items():
        planned = float(made.get((material, unit), 0.0))
        # Quantities are exact decimals stored as floats: a relative slack absorbs the sum.
        if wanted > planned * (1 + 1e-9):
            rows.append(
                {
                    "material": material,
                    "base_unit": unit,
                    "demanded": round(float(wanted), 6),
                    "in_open_orders": round(planned, 6),
                    "shortfall": round(float(wanted) - planned, 6),
                    "reason": "demand exceeds open production"
                    if planned
                    else "no open production order for this material",
                }
            )
    rows.extend(
        {
            "material": line["material"],
            "base_unit": None,
            "demanded": None,
            "in_open_orders": None,
            "shortfall": None,
            "reason": f"order line {line.get('po_number')}/{line.get('item')} has no quantity "
            "in the product's base unit",
        }
        for _, line in unknown.iterrows()
    )
    failing = pd.DataFrame(rows, columns=pd.Index(columns))
    total = len(asked) + len(unknown)
    return _outcome(rule, failing, total, "0 materials short", "demanded materials not covered")
