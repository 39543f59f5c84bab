"""Great Expectations suites, one per curated table, kept as versioned JSON in this package.

A suite file is Great Expectations' own suite document (``name``, ``expectations`` with
``type``, ``kwargs`` and ``meta``) with our fields in the ``meta`` blocks: the suite's
``version`` (raise it with every change, the version goes into each result), the curated
``table`` it judges and the ``row_key`` columns that name a failing row; each expectation's
``check`` (the asset check it surfaces as), its ``family`` in the severity policy, what it
``expected`` in words and the ``finding`` a failing row gets.

Suites run in an ephemeral Great Expectations context (Great Expectations 1.x: a pandas
data source, a whole-dataframe batch definition, an ``ExpectationSuite`` and a
``ValidationDefinition``), built afresh per validation and kept nowhere: the files are the
only source of truth, so there is no GE project folder to drift from them.

Types are judged on the frame as the warehouse returns it, with integer columns as pandas'
nullable ``Int64``. Great Expectations 1.x compares a pandas column by its scalar type,
which is ``int64`` for both ``int64`` and ``Int64``: so a suite says ``int64`` and a
nullable integer column with NULLs passes, while a column widened to ``float64`` (12.0)
does not. A text value in a numeric column is caught on the column that keeps the verbatim
text (``<column>_raw``): one unexpected value, not the whole column.

Great Expectations is imported only when a suite runs: importing it takes seconds, and
loading the definitions (to list the checks) must not pay for that.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pharma_pipelines.quality.policy import CheckFamily, policy_for
from pharma_pipelines.quality.rules import SAMPLE_SIZE, RuleOutcome

SUITES_DIR = Path(__file__).resolve().parent / "expectations"
_CHECK_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_EXPECTATION_META = ("check", "family", "expected", "finding")


class SuiteError(ValueError):
    """A suite file breaks the format described in this module."""


@dataclass(frozen=True)
class SuiteExpectation:
    """One expectation of a suite and the asset check it surfaces as."""

    check: str
    family: CheckFamily
    type: str
    kwargs: Mapping[str, Any]
    expected: str
    finding: str
    meta: Mapping[str, Any]

    def describe(self) -> str:
        return f"{self.expected} (Great Expectations: {self.type})"


@dataclass(frozen=True)
class Suite:
    name: str
    version: int
    table: str
    row_key: tuple[str, ...]
    about: str
    expectations: tuple[SuiteExpectation, ...]
    path: Path

    def expectation(self, check: str) -> SuiteExpectation:
        return next(e for e in self.expectations if e.check == check)


def load_suite(path: Path) -> Suite:
    """Read and validate one suite file; the error names the file and the entry at fault."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise SuiteError(f"{path}: not a readable JSON suite ({error})") from error
    meta = document.get("meta") or {}
    for key in ("version", "table", "row_key"):
        if key not in meta:
            raise SuiteError(
                f"{path}: meta.{key} is missing; a suite's meta states version, table, row_key"
            )
    if not isinstance(meta["version"], int) or meta["version"] < 1:
        raise SuiteError(f"{path}: meta.version is {meta['version']!r}; allowed: an integer >= 1")
    expectations: list[SuiteExpectation] = []
    for position, entry in enumerate(document.get("expectations") or [], start=1):
        where = f"{path}, expectation {position}"
        own = entry.get("meta") or {}
        lacking = [key for key in _EXPECTATION_META if not own.get(key)]
        if lacking or "type" not in entry:
            missing = ", ".join(["type"] * ("type" not in entry) + [f"meta.{k}" for k in lacking])
            raise SuiteError(f"{where}: lacks {missing}")
        if not _CHECK_NAME.match(own["check"]):
            raise SuiteError(
                f"{where}: check name {own['check']!r} is not snake_case (a-z, 0-9, _)"
            )
        try:
            family = policy_for(own["family"]).family
        except ValueError as error:
            raise SuiteError(f"{where}: {error}") from error
        expectations.append(
            SuiteExpectation(
                check=own["check"],
                family=family,
                type=entry["type"],
                kwargs=dict(entry.get("kwargs") or {}),
                expected=own["expected"],
                finding=own["finding"],
                meta=own,
            )
        )
    names = [e.check for e in expectations]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise SuiteError(f"{path}: check names repeat ({', '.join(repeated)}); each must be unique")
    if not expectations:
        raise SuiteError(f"{path}: the suite has no expectations")
    return Suite(
        name=str(document.get("name") or path.stem),
        version=int(meta["version"]),
        table=str(meta["table"]),
        row_key=tuple(meta["row_key"]),
        about=str(meta.get("about", "")),
        expectations=tuple(expectations),
        path=path,
    )


def load_suites(folder: Path = SUITES_DIR) -> dict[str, Suite]:
    """Every suite in ``folder``, by the curated table it judges (one suite per table)."""
    suites: dict[str, Suite] = {}
    for path in sorted(folder.glob("*.json")):
        suite = load_suite(path)
        if suite.table in suites:
            raise SuiteError(
                f"{path} and {suites[suite.table].path} both judge table {suite.table!r}; "
                "one suite per table"
            )
        suites[suite.table] = suite
    return suites


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: SuiteExpectation
    outcome: RuleOutcome


@dataclass(frozen=True)
class SuiteValidation:
    """A suite's run over one table: per expectation an outcome, and GE's full result."""

    suite: Suite
    success: bool
    outcomes: tuple[ExpectationOutcome, ...]
    result: dict[str, Any] = field(default_factory=dict)

    def outcome(self, check: str) -> RuleOutcome:
        return next(o.outcome for o in self.outcomes if o.expectation.check == check)


def validate(suite: Suite, frame: pd.DataFrame) -> SuiteValidation:
    """Run ``suite`` over ``frame`` in a fresh ephemeral Great Expectations context."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    context = gx.get_context(
        mode="ephemeral",
        project_config=DataContextConfig(
            store_backend_defaults=InMemoryStoreBackendDefaults(),
            analytics_enabled=False,
            progress_bars=ProgressBarsConfig(globally=False),
        ),
    )
    asset = context.data_sources.add_pandas("warehouse").add_dataframe_asset(suite.table)
    batch = asset.add_batch_definition_whole_dataframe("whole table")
    gx_suite = gx.ExpectationSuite(
        name=suite.name, meta={"version": suite.version, "table": suite.table}
    )
    for expectation in suite.expectations:
        configuration = ExpectationConfiguration(
            type=expectation.type, kwargs=dict(expectation.kwargs), meta=dict(expectation.meta)
        )
        gx_suite.add_expectation(configuration.to_domain_obj())
    gx_suite = context.suites.add(gx_suite)
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=f"{suite.name} v{suite.version}", data=batch, suite=gx_suite)
    )
    key = [column for column in suite.row_key if column in frame.columns]
    result = definition.run(
        batch_parameters={"dataframe": frame},
        result_format={
            "result_format": "SUMMARY",
            "unexpected_index_column_names": key,
            "partial_unexpected_count": SAMPLE_SIZE,
        },
    )
    document = _json_ready(result.to_json_dict())
    by_check = {
        entry["expectation_config"]["meta"].get("check"): entry for entry in document["results"]
    }
    outcomes = tuple(
        ExpectationOutcome(expectation, _outcome(expectation, by_check[expectation.check]))
        for expectation in suite.expectations
    )
    return SuiteValidation(
        suite=suite,
        success=bool(document["success"]),
        outcomes=outcomes,
        result=document,
    )


def _outcome(expectation: SuiteExpectation, entry: Mapping[str, Any]) -> RuleOutcome:
    """One GE expectation result in the shape every check reports."""
    rule = f"{expectation.check}: {expectation.expected}"
    result = entry.get("result") or {}
    details: dict[str, Any] = {
        "expectation": expectation.type,
        "kwargs": {k: v for k, v in expectation.kwargs.items() if k != "batch_id"},
    }
    error = _exception(entry.get("exception_info"))
    if error is not None:
        return RuleOutcome(
            rule=rule,
            passed=False,
            measured=f"the expectation could not run: {error}",
            expected=expectation.describe(),
            failed_count=0,
            total=0,
            failing_rows=pd.DataFrame([{"error": error}]),
            details=details,
        )
    passed = bool(entry.get("success"))
    if "unexpected_count" in result:
        return _map_outcome(expectation, rule, passed, result, details)
    observed = result.get("observed_value")
    details["observed_value"] = observed
    mismatched = (result.get("details") or {}).get("mismatched") or {}
    rows = [
        {"column": column, "problem": f"{problem} against the contract"}
        for problem, columns in mismatched.items()
        for column in columns
    ] or ([] if passed else [{"observed": str(observed), "expected": expectation.expected}])
    return RuleOutcome(
        rule=rule,
        passed=passed,
        measured=f"observed {observed}",
        expected=expectation.describe(),
        failed_count=0 if passed else max(1, len(rows)),
        total=1,
        failing_rows=pd.DataFrame(rows),
        details=details,
    )


def _map_outcome(
    expectation: SuiteExpectation,
    rule: str,
    passed: bool,
    result: Mapping[str, Any],
    details: dict[str, Any],
) -> RuleOutcome:
    """An expectation judged row by row: counts, the failing rows and their values."""
    unexpected = int(result.get("unexpected_count") or 0)
    elements = int(result.get("element_count") or 0)
    missing = result.get("missing_count")
    measured = f"{unexpected} of {elements} values unexpected"
    if missing is not None:
        measured += f"; {missing} missing, not judged"
    rows = [dict(row) for row in result.get("partial_unexpected_index_list") or []]
    failing = pd.DataFrame(rows)
    if not failing.empty:
        failing["finding"] = expectation.finding
    details.update(
        element_count=elements,
        unexpected_count=unexpected,
        unexpected_percent=result.get("unexpected_percent"),
        missing_count=missing,
        unexpected_values=list(result.get("partial_unexpected_counts") or []),
    )
    return RuleOutcome(
        rule=rule,
        passed=passed,
        measured=measured,
        expected=expectation.describe(),
        failed_count=unexpected,
        total=elements,
        failing_rows=failing.head(SAMPLE_SIZE),
        details=details,
    )


def _json_ready(value: Any) -> Any:
    """GE's result with NaN and infinities as None: strict JSON, which PostgreSQL requires."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(v) for v in value]
    return value


def _exception(info: Any) -> str | None:
    """The message of an expectation that raised, in either shape GE reports it."""
    if not isinstance(info, Mapping):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message") or "unknown error")
    nested = [v for v in info.values() if isinstance(v, Mapping) and v.get("raised_exception")]
    return str(nested[0].get("exception_message") or "unknown error") if nested else None


def findings_by_row(validation: SuiteValidation, key: Sequence[str]) -> dict[tuple, list[str]]:
    """The findings of every failing row, by its key: what a steward reads per row."""
    found: dict[tuple, list[str]] = {}
    for item in validation.outcomes:
        rows = item.outcome.failing_rows
        if rows.empty or not set(key) <= set(rows.columns):
            continue
        for row in rows.to_dict("records"):
            found.setdefault(tuple(row[k] for k in key), []).append(item.expectation.finding)
    return found
