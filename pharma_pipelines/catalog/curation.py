"""Curated product tables built from raw extract rows.

Each function takes the raw rows of one or more extract kinds (text plus lineage) and returns
typed rows ready for the warehouse, each with the ids of the raw rows it came from.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from pharma_pipelines.catalog.conform import (
    ConformanceIssue,
    Curated,
    collapse_identical,
    column_formats,
    convert,
    ensure_columns,
    issue_at,
    latest_extract,
    optional_text,
    required_missing,
    text,
)
from pharma_pipelines.catalog.qc_results import (
    ResultRun,
    ResultStatus,
    Verdict,
    batch_verdict,
    is_yes,
    parse_limit,
    parse_result,
    resolve_history,
    result_moment,
    result_status,
    run_number,
    verdict,
)
from pharma_pipelines.values import (
    DECIMAL_POINT,
    NumberFormat,
    ValueRuleError,
    parse_sap_date,
    parse_sap_number,
)

FINISHED_PRODUCT_TYPES = frozenset({"FERT", "HAWA", ""})
CLOSED_ORDER_STATUSES = ("TECO", "DLV", "CLSD", "DLFL", "DLT")
DEFAULT_HOURS_PER_DAY = 24.0
UNASSIGNED_FAMILY = "#"


def _ids(row: pd.Series) -> list[int]:
    return list(row["raw_record_ids"])


def _current(frame: pd.DataFrame, key: list[str], fields: list[str]) -> pd.DataFrame:
    """The newest extract's rows per key, identical repeats merged, every field present."""
    frame = ensure_columns(frame, fields)
    return collapse_identical(latest_extract(frame, key), fields)


def curate_products(material_master: pd.DataFrame) -> Curated:
    """Finished products: the newest master row of each material, family = material group."""
    entity = "sap/material_master"
    fields = ["material", "description", "material_type", "material_group", "base_unit", "plant"]
    frame = _current(material_master, ["material"], [*fields, "shelf_life_days"])
    formats = column_formats(frame, ["shelf_life_days"])
    result = Curated()
    for _, row in frame.iterrows():
        material_type = text(row, "material_type").strip().upper()
        if material_type not in FINISHED_PRODUCT_TYPES:
            continue
        if required_missing(entity, row, ["material"], result.issues):
            continue
        typed = _convert_all(
            entity,
            row,
            {"shelf_life_days": _integer(formats, int(row["file_id"]), "shelf_life_days")},
            result.issues,
        )
        if typed is None:
            continue
        shelf_life = typed["shelf_life_days"]
        result.rows.append(
            {
                "material": text(row, "material").strip(),
                "description": optional_text(row, "description"),
                "material_type": material_type or None,
                "family": text(row, "material_group").strip() or UNASSIGNED_FAMILY,
                "base_unit": optional_text(row, "base_unit"),
                "plant": optional_text(row, "plant"),
                "shelf_life_days": shelf_life,
                "raw_record_ids": _ids(row),
            }
        )
    return result


def curate_production_orders(orders: pd.DataFrame) -> Curated:
    """Production orders with typed quantity and dates; closed orders are marked, not dropped."""
    entity = "sap/production_orders"
    fields = [
        "order",
        "material",
        "plant",
        "quantity",
        "unit",
        "start_date",
        "finish_date",
        "priority",
        "system_status",
    ]
    frame = _current(orders, ["order"], fields)
    formats = column_formats(frame, ["quantity", "priority"])
    result = Curated()
    for _, row in frame.iterrows():
        if required_missing(
            entity,
            row,
            ["order", "material", "quantity", "start_date", "finish_date"],
            result.issues,
        ):
            continue
        file_id = int(row["file_id"])
        typed = _convert_all(
            entity,
            row,
            {
                "quantity": _number(formats, file_id, "quantity"),
                "start_date": _date,
                "finish_date": _date,
                "priority": _integer(formats, file_id, "priority"),
            },
            result.issues,
        )
        if typed is None:
            continue
        if typed["start_date"] is None or typed["finish_date"] is None:
            result.issues.append(
                issue_at(entity, row, "start_date", "order dates are empty (00000000)")
            )
            continue
        status = text(row, "system_status").strip().upper()
        result.rows.append(
            {
                "order": text(row, "order").strip(),
                "material": text(row, "material").strip(),
                "plant": optional_text(row, "plant"),
                "quantity": typed["quantity"],
                "unit": optional_text(row, "unit"),
                "start_date": typed["start_date"],
                "finish_date": typed["finish_date"],
                "priority": typed["priority"] if typed["priority"] is not None else 0,
                "system_status": status or None,
                "is_open": not any(code in status.split() for code in CLOSED_ORDER_STATUSES),
                "raw_record_ids": _ids(row),
            }
        )
    return result


def curate_lines(work_centers: pd.DataFrame) -> Curated:
    entity = "sap/work_centers"
    fields = ["work_center", "plant", "description", "available_from", "available_to"]
    frame = _current(work_centers, ["work_center"], [*fields, "hours_per_day"])
    formats = column_formats(frame, ["hours_per_day"])
    result = Curated()
    for _, row in frame.iterrows():
        if required_missing(entity, row, ["work_center"], result.issues):
            continue
        file_id = int(row["file_id"])
        typed = _convert_all(
            entity,
            row,
            {
                "available_from": _date,
                "available_to": _date,
                "hours_per_day": _number(formats, file_id, "hours_per_day"),
            },
            result.issues,
        )
        if typed is None:
            continue
        hours = typed["hours_per_day"]
        result.rows.append(
            {
                "work_center": text(row, "work_center").strip(),
                "plant": optional_text(row, "plant"),
                "description": optional_text(row, "description"),
                "available_from": typed["available_from"],
                "available_to": typed["available_to"],
                "hours_per_day": DEFAULT_HOURS_PER_DAY if hours is None else hours,
                "raw_record_ids": _ids(row),
            }
        )
    return result


def curate_line_eligibility(production_versions: pd.DataFrame) -> Curated:
    entity = "sap/production_versions"
    fields = ["material", "work_center", "rate_per_hour"]
    frame = _current(production_versions, ["material", "work_center"], fields)
    formats = column_formats(frame, ["rate_per_hour"])
    result = Curated()
    for _, row in frame.iterrows():
        if required_missing(entity, row, fields, result.issues):
            continue
        typed = _convert_all(
            entity,
            row,
            {"rate_per_hour": _number(formats, int(row["file_id"]), "rate_per_hour")},
            result.issues,
        )
        if typed is None:
            continue
        rate = typed["rate_per_hour"]
        result.rows.append(
            {
                "material": text(row, "material").strip(),
                "work_center": text(row, "work_center").strip(),
                "rate_per_hour": rate,
                "raw_record_ids": _ids(row),
            }
        )
    return result


def curate_changeovers(changeovers: pd.DataFrame) -> Curated:
    entity = "sap/changeovers"
    fields = ["work_center", "from_group", "to_group", "minutes"]
    frame = _current(changeovers, ["work_center", "from_group", "to_group"], fields)
    formats = column_formats(frame, ["minutes"])
    result = Curated()
    for _, row in frame.iterrows():
        if required_missing(entity, row, fields, result.issues):
            continue
        typed = _convert_all(
            entity,
            row,
            {"minutes": _integer(formats, int(row["file_id"]), "minutes")},
            result.issues,
        )
        if typed is None:
            continue
        minutes = typed["minutes"]
        result.rows.append(
            {
                "work_center": text(row, "work_center").strip(),
                "from_family": text(row, "from_group").strip(),
                "to_family": text(row, "to_group").strip(),
                "minutes": minutes,
                "raw_record_ids": _ids(row),
            }
        )
    return result


def curate_demand(order_lines: pd.DataFrame) -> Curated:
    """Customer order lines from e-mail attachments; a later mail repeats, not adds."""
    entity = "outlook/order_lines"
    fields = [
        "customer",
        "po_number",
        "item",
        "material",
        "quantity",
        "unit",
        "requested_date",
        "message_id",
        "attachment",
    ]
    frame = ensure_columns(order_lines, fields)
    frame = collapse_identical(
        frame, ["customer", "po_number", "item", "material", "quantity", "unit", "requested_date"]
    )
    formats = column_formats(frame, ["quantity"])
    result = Curated()
    for _, row in frame.iterrows():
        if required_missing(entity, row, ["material", "quantity", "requested_date"], result.issues):
            continue
        file_id = int(row["file_id"])
        typed = _convert_all(
            entity,
            row,
            {
                "quantity": _number(formats, file_id, "quantity"),
                "requested_date": _date,
            },
            result.issues,
        )
        if typed is None or typed["requested_date"] is None:
            continue
        result.rows.append(
            {
                "customer": optional_text(row, "customer"),
                "po_number": optional_text(row, "po_number"),
                "item": optional_text(row, "item"),
                "material": text(row, "material").strip(),
                "quantity": typed["quantity"],
                "unit": optional_text(row, "unit"),
                "requested_date": typed["requested_date"],
                "message_id": optional_text(row, "message_id"),
                "attachment": optional_text(row, "attachment"),
                "raw_record_ids": _ids(row),
            }
        )
    return result


# --- quality control -------------------------------------------------------------------

_WIDE_DESCRIPTOR = re.compile(r"(^|_)(batch|code|id|size|start|strength|date|month)$", re.I)


def long_results_from_wide(results_wide: pd.DataFrame) -> pd.DataFrame:
    """One row per (batch, test) from a wide LIMS table (one column per test).

    Descriptor columns (codes, sizes, dates, other batch references) are not tests; a column
    counts as a test when at least one of its values reads as a result number.
    """
    if results_wide.empty or "batch" not in results_wide.columns:
        return pd.DataFrame()
    lineage = ["raw_record_id", "file_id", "source_file", "row_number", "layout"]
    candidates = [
        column
        for column in results_wide.columns
        if column not in (*lineage, "batch", "material", "sample_id")
        and not _WIDE_DESCRIPTOR.search(column)
    ]
    tests = [
        column
        for column in candidates
        if results_wide[column].dropna().astype(str).map(_reads_as_number).any()
    ]
    keep = [column for column in (*lineage, "batch", "material") if column in results_wide]
    long = results_wide.melt(id_vars=keep, value_vars=tests, var_name="test", value_name="result")
    long = long[long["result"].fillna("").astype(str).str.strip() != ""]
    return long.reset_index(drop=True)


def _reads_as_number(value: str) -> bool:
    return parse_result(value).value is not None


_RESULT_FIELDS = [
    "sample_id",
    "batch",
    "material",
    "test",
    "result",
    "unit",
    "spec_min",
    "spec_max",
    "text_spec",
    "release_relevant",
    "result_date",
    "status",
    "valid",
    "invalidated",
    "invalidation_reason",
    "result_id",
    "run",
    "retest",
    "retest_of",
    "sample_type",
]


def curate_qc_results(
    results: pd.DataFrame,
    results_wide: pd.DataFrame,
    specifications: pd.DataFrame,
    samples: pd.DataFrame,
    batch_materials: dict[str, str],
) -> Curated:
    """Typed LIMS results joined to their specification, each with its verdict.

    The specification comes from the result row itself when the LIMS exported it there,
    otherwise from the specification extract for the result's material and test. The
    material is the result's own, else its sample's, else its batch's in SAP.

    Every run of a test is kept, invalidated and cancelled ones too. Per batch and test
    (test codes compared without case) the runs are resolved by the rules of
    :mod:`pharma_pipelines.catalog.qc_results`: ``is_final`` marks the one valid result that
    decides, ``superseded_by`` points earlier valid ones at its raw record id, and every run
    carries the test's verdict (``test_verdict``) and OOS history (``had_oos``); ``valid_oos``
    marks an out-of-specification result that no documented cause set aside. Wide tables
    carry no status or sequence: their results are valid, with no date or run.
    """
    entity = "lims/results"
    frame = pd.concat(
        [
            ensure_columns(results, ["sample_id", "batch", "test", "result"]),
            long_results_from_wide(results_wide),
        ],
        ignore_index=True,
    )
    frame = ensure_columns(frame, _RESULT_FIELDS)
    spec_index = _specification_index(specifications)
    sample_index = _samples_by_id(samples)
    result = Curated()
    runs: dict[tuple[str, str], list[ResultRun]] = {}
    for _, row in frame.iterrows():
        if required_missing(entity, row, ["batch", "test", "result"], result.issues):
            continue
        converted, moment = convert(entity, row, "result_date", result_moment, result.issues)
        if not converted:
            continue
        batch = text(row, "batch").strip()
        test = text(row, "test").strip()
        sample_id = optional_text(row, "sample_id")
        sample_material, sample_type = sample_index.get(sample_id or "", (None, None))
        material = optional_text(row, "material") or sample_material or batch_materials.get(batch)
        spec = _row_specification(row) or spec_index.get((material or "", test.lower()), {})
        parsed = parse_result(text(row, "result"))
        judged = verdict(parsed, spec.get("spec_min"), spec.get("spec_max"), spec.get("text_spec"))
        status = result_status(text(row, "status"), text(row, "valid"), text(row, "invalidated"))
        run = run_number(text(row, "run"))
        retest = text(row, "retest")
        is_retest = is_yes(retest) or bool(run_number(retest)) or bool(text(row, "retest_of"))
        reason = optional_text(row, "invalidation_reason")
        runs.setdefault((batch, test.casefold()), []).append(
            ResultRun(
                ref=len(result.rows),
                status=status,
                verdict=judged,
                result_date=moment[0],
                result_time=moment[1],
                run=run,
                is_retest=is_retest,
                reason=reason,
                source_file=text(row, "source_file"),
                row_number=int(row["row_number"]),
            )
        )
        result.rows.append(
            {
                "sample_id": sample_id,
                "batch": batch,
                "material": material,
                "test": test,
                "raw_result": text(row, "result"),
                "qualifier": parsed.qualifier,
                "value": float(parsed.value) if parsed.value is not None else None,
                "censored": parsed.censored,
                "text_result": parsed.text,
                "unit": optional_text(row, "unit") or spec.get("unit"),
                "spec_min": _limit_float(spec.get("spec_min")),
                "spec_max": _limit_float(spec.get("spec_max")),
                "text_spec": spec.get("text_spec") or None,
                "release_relevant": _truthy(spec.get("release_relevant", "")),
                "verdict": judged.value,
                "result_id": optional_text(row, "result_id"),
                "sample_type": optional_text(row, "sample_type") or sample_type,
                "run": run,
                "is_retest": is_retest,
                "retest_of": optional_text(row, "retest_of"),
                "result_date": moment[0],
                "result_time": moment[1],
                "status": status.value,
                "invalidation_reason": reason,
                "raw_record_ids": [int(row["raw_record_id"])],
            }
        )
    for group in runs.values():
        _apply_history(result.rows, group)
    return result


def _apply_history(rows: list[dict[str, Any]], group: list[ResultRun]) -> None:
    """Write one batch and test's resolved history onto each of its rows."""
    history = resolve_history(group)
    final_id = rows[history.final]["raw_record_ids"][0] if history.final is not None else None
    for run in group:
        rows[run.ref].update(
            {
                "is_final": run.ref == history.final,
                "superseded_by": final_id if run.ref in history.superseded else None,
                "test_verdict": history.verdict.value,
                "had_oos": history.had_oos,
                "valid_oos": run.ref in history.valid_oos,
            }
        )


def _row_specification(row: pd.Series) -> dict[str, str] | None:
    spec = {key: text(row, key).strip() for key in ("spec_min", "spec_max", "text_spec")}
    if not any(spec.values()):
        return None
    return {**spec, "release_relevant": text(row, "release_relevant") or "yes"}


def _specification_index(specifications: pd.DataFrame) -> dict[tuple[str, str], dict[str, str]]:
    frame = ensure_columns(
        specifications,
        ["material", "test", "spec_min", "spec_max", "text_spec", "unit", "release_relevant"],
    )
    frame = latest_extract(frame, ["material", "test"])
    index: dict[tuple[str, str], dict[str, str]] = {}
    for _, row in frame.iterrows():
        key = (text(row, "material").strip(), text(row, "test").strip().lower())
        index[key] = {
            name: text(row, name).strip()
            for name in ("spec_min", "spec_max", "text_spec", "unit", "release_relevant")
        }
    return index


def _samples_by_id(samples: pd.DataFrame) -> dict[str, tuple[str | None, str | None]]:
    """Material and sample type (original, re-sample, retain...) of each LIMS sample."""
    frame = ensure_columns(samples, ["sample_id", "material", "sample_type"])
    return {
        text(row, "sample_id").strip(): (
            optional_text(row, "material"),
            optional_text(row, "sample_type"),
        )
        for _, row in frame.iterrows()
        if text(row, "sample_id").strip()
    }


def _limit_float(limit: str | None) -> float | None:
    value = parse_limit(limit)
    return float(value) if value is not None else None


def _truthy(raw: str) -> bool:
    return raw.strip().lower() in {"1", "x", "y", "yes", "true", "ja", "j"}


def curate_batches(
    batches: pd.DataFrame, dispositions: pd.DataFrame, qc_results: pd.DataFrame
) -> Curated:
    """SAP batches with the LIMS disposition and a QC status derived from their results.

    Only release-relevant results count, one verdict per test: the test's verdict from its
    runs (see ``curate_qc_results``). QC status: REJECTED or RELEASED when the quality unit
    decided so; otherwise FAILED when a test failed, IN_REVIEW when one needs a person (an
    OOS that only a passing retest stands against counts here), PENDING when results are
    missing, still open or all invalidated for a test, and PASSED when every test passed.
    ``results_total`` counts tests with a valid result, ``results_failed`` and
    ``results_open`` those failed or awaiting review; ``had_oos`` says a test was ever out of
    specification, ``valid_oos`` counts OOS results no documented cause set aside.
    """
    entity = "sap/batches"
    fields = ["batch", "material", "plant", "manufactured_on", "expires_on"]
    frame = _current(batches, ["batch", "material"], fields)
    decided = _dispositions(dispositions)
    summaries = _qc_by_batch(qc_results)
    result = Curated()
    for _, row in frame.iterrows():
        if required_missing(entity, row, ["batch"], result.issues):
            continue
        typed = _convert_all(
            entity,
            row,
            {"manufactured_on": _date, "expires_on": _date},
            result.issues,
        )
        if typed is None:
            continue
        batch = text(row, "batch").strip()
        disposition, disposition_ids = decided.get(batch, (None, []))
        qc = summaries.get(batch, _BatchQc())
        tests = qc.test_verdicts
        result.rows.append(
            {
                "batch": batch,
                "material": optional_text(row, "material"),
                "plant": optional_text(row, "plant"),
                "manufactured_on": typed["manufactured_on"],
                "expires_on": typed["expires_on"],
                "disposition": disposition,
                "qc_status": _qc_status(disposition, tests),
                "results_total": sum(v is not Verdict.NOT_EVALUABLE for v in tests),
                "results_failed": sum(v is Verdict.FAIL for v in tests),
                "results_open": sum(v in (Verdict.REVIEW, Verdict.INDETERMINATE) for v in tests),
                "tests_not_evaluable": sum(v is Verdict.NOT_EVALUABLE for v in tests),
                "results_invalidated": qc.invalidated,
                "had_oos": qc.had_oos,
                "valid_oos": qc.valid_oos,
                "raw_record_ids": [*_ids(row), *disposition_ids],
            }
        )
    return result


def _dispositions(dispositions: pd.DataFrame) -> dict[str, tuple[str, list[int]]]:
    frame = ensure_columns(dispositions, ["batch", "disposition", "decided_on"])
    frame = latest_extract(frame, ["batch"])
    decided: dict[str, tuple[str, list[int]]] = {}
    for _, row in frame.sort_values(["file_id", "row_number"]).iterrows():
        batch = text(row, "batch").strip()
        value = _normalise_disposition(text(row, "disposition"))
        if batch and value:
            decided[batch] = (value, [int(row["raw_record_id"])])
    return decided


_DISPOSITION_WORDS = {
    "RELEASED": "RELEASED",
    "RELEASE": "RELEASED",
    "FREIGEGEBEN": "RELEASED",
    "A": "RELEASED",
    "REJECTED": "REJECTED",
    "REJECT": "REJECTED",
    "GESPERRT": "REJECTED",
    "R": "REJECTED",
    "QUARANTINE": "QUARANTINE",
    "QUARANTINED": "QUARANTINE",
    "Q": "QUARANTINE",
}


def _normalise_disposition(raw: str) -> str | None:
    word = raw.strip().upper()
    return _DISPOSITION_WORDS.get(word, word or None)


@dataclass
class _BatchQc:
    """The release-relevant QC of one batch: one verdict per test, and its OOS record."""

    test_verdicts: list[Verdict] = field(default_factory=list)
    invalidated: int = 0
    had_oos: bool = False
    valid_oos: int = 0


def _qc_by_batch(qc_results: pd.DataFrame) -> dict[str, _BatchQc]:
    summaries: dict[str, _BatchQc] = {}
    if qc_results.empty:
        return summaries
    relevant = qc_results[qc_results["release_relevant"].astype(bool)]
    relevant = relevant.assign(test_key=relevant["test"].astype(str).str.casefold())
    for (batch, _test), runs in relevant.groupby(["batch", "test_key"], sort=True):
        qc = summaries.setdefault(str(batch), _BatchQc())
        qc.test_verdicts.append(Verdict(str(runs["test_verdict"].iloc[0])))
        qc.invalidated += int((runs["status"] == ResultStatus.INVALIDATED.value).sum())
        qc.had_oos = qc.had_oos or bool(runs["had_oos"].astype(bool).any())
        qc.valid_oos += int(runs["valid_oos"].astype(bool).sum())
    return summaries


def _qc_status(disposition: str | None, verdicts: list[Verdict]) -> str:
    if disposition in ("RELEASED", "REJECTED"):
        return disposition
    summary = batch_verdict(verdicts)
    if summary is Verdict.FAIL:
        return "FAILED"
    if summary is Verdict.REVIEW:
        return "IN_REVIEW"
    if not verdicts or summary in (Verdict.NO_SPEC, Verdict.NOT_EVALUABLE):
        return "PENDING"
    return "PASSED"


# --- helpers ---------------------------------------------------------------------------


def _number(
    formats: dict[tuple[int, str], NumberFormat], file_id: int, column: str
) -> Callable[[str], float | None]:
    """A parser for one file column, in the number format detected for it."""
    number_format = formats.get((file_id, column), DECIMAL_POINT)

    def parse(raw: str) -> float | None:
        value = parse_sap_number(raw, number_format)
        return None if value is None else float(value)

    return parse


def _integer(
    formats: dict[tuple[int, str], NumberFormat], file_id: int, column: str
) -> Callable[[str], int | None]:
    number_format = formats.get((file_id, column), DECIMAL_POINT)

    def parse(raw: str) -> int | None:
        value = parse_sap_number(raw, number_format)
        if value is None:
            return None
        if value != value.to_integral_value():
            raise ValueRuleError(raw, "is not a whole number", "digits without decimals")
        return int(value)

    return parse


def _date(raw: str) -> dt.date | None:
    return parse_sap_date(raw).value


def _convert_all(
    entity: str,
    row: pd.Series,
    parsers: dict[str, Any],
    issues: list[ConformanceIssue],
) -> dict[str, Any] | None:
    typed: dict[str, Any] = {}
    ok_all = True
    for column, parser in parsers.items():
        ok, value = convert(entity, row, column, parser, issues)
        ok_all = ok_all and ok
        typed[column] = value
    return typed if ok_all else None


def batch_material_index(batches: pd.DataFrame) -> dict[str, str]:
    """Material of each SAP batch number, for results that do not name their material."""
    frame = ensure_columns(batches, ["batch", "material"])
    return {
        text(row, "batch").strip(): text(row, "material").strip()
        for _, row in frame.iterrows()
        if text(row, "material").strip()
    }
