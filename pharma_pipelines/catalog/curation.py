"""Curated product tables built from raw extract rows.

Each function takes the raw rows of one or more extract kinds (text plus lineage) and returns
typed rows ready for the warehouse, each with the ids of the raw rows it came from.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import pandas as pd

from pharma_pipelines.catalog.conform import (
    OUT_OF_SCOPE,
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
from pharma_pipelines.catalog.units import (
    ANY_CODE,
    SAP_CODES,
    T006,
    CodeKind,
    Unit,
    UnitError,
    UnitTable,
    convert_quantity,
    overlay,
    rate_in,
    unit_row,
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


def _current_rows(
    result: Curated, entity: str, frame: pd.DataFrame, key: list[str], fields: list[str]
) -> pd.DataFrame:
    """Like :func:`_current` for the rows of ``result``'s table: superseded rows are recorded."""
    frame = ensure_columns(frame, fields)
    return collapse_identical(result.newest(entity, frame, key), fields)


def curate_products(material_master: pd.DataFrame) -> Curated:
    """Finished products: the newest master row of each material, family = material group."""
    entity = "sap/material_master"
    fields = ["material", "description", "material_type", "material_group", "base_unit", "plant"]
    result = Curated()
    newest = result.newest(
        entity, ensure_columns(material_master, [*fields, "shelf_life_days"]), ["material"]
    )
    types = newest["material_type"].fillna("").astype(str).str.strip().str.upper()
    finished = types.isin(FINISHED_PRODUCT_TYPES)
    result.leave_out(
        entity,
        newest[~finished],
        OUT_OF_SCOPE,
        f"not a finished product: material type not one of "
        f"{', '.join(sorted(t or '(blank)' for t in FINISHED_PRODUCT_TYPES))}",
    )
    frame = collapse_identical(newest[finished], [*fields, "shelf_life_days"])
    formats = column_formats(frame, ["shelf_life_days"])
    for _, row in frame.iterrows():
        material_type = text(row, "material_type").strip().upper()
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


def curate_production_orders(
    orders: pd.DataFrame, units: UnitTable, base_units: Mapping[str, frozenset[str]]
) -> Curated:
    """Production orders with typed quantity and dates; closed orders are marked, not dropped.

    The quantity is kept as ordered and also stated in the material's base unit
    (``base_units``: the material master's base units, see :func:`base_unit_index`),
    converted exactly; see :func:`_in_base_unit` for the rules.
    """
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
    result = Curated()
    frame = _current_rows(result, entity, orders, ["order"], fields)
    formats = column_formats(frame, ["quantity", "priority"])
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
                "quantity": _decimal(formats, file_id, "quantity"),
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
        quantities = _in_base_unit(
            entity, row, typed["quantity"], units, SAP_CODES, base_units, result.issues
        )
        if quantities is None:
            continue
        status = text(row, "system_status").strip().upper()
        result.rows.append(
            {
                "order": text(row, "order").strip(),
                "material": text(row, "material").strip(),
                "plant": optional_text(row, "plant"),
                **quantities,
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
    result = Curated()
    frame = _current_rows(result, entity, work_centers, ["work_center"], [*fields, "hours_per_day"])
    formats = column_formats(frame, ["hours_per_day"])
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


def curate_line_eligibility(
    production_versions: pd.DataFrame, units: UnitTable, base_units: Mapping[str, frozenset[str]]
) -> Curated:
    """Rates per hour, also stated per base unit of the material (what the schedule divides by).

    A rate without a unit is per base unit; a rate in another unit of the same dimension is
    converted exactly (``500 G`` an hour is ``0.5 KG`` an hour); a counted unit other than the
    base unit, or an unknown one, is an issue.
    """
    entity = "sap/production_versions"
    fields = ["material", "work_center", "rate_per_hour"]
    result = Curated()
    frame = _current_rows(
        result, entity, production_versions, ["material", "work_center"], [*fields, "unit"]
    )
    formats = column_formats(frame, ["rate_per_hour"])
    for _, row in frame.iterrows():
        if required_missing(entity, row, fields, result.issues):
            continue
        typed = _convert_all(
            entity,
            row,
            {"rate_per_hour": _decimal(formats, int(row["file_id"]), "rate_per_hour")},
            result.issues,
        )
        if typed is None:
            continue
        rate: Decimal = typed["rate_per_hour"]
        material = text(row, "material").strip()
        stated = optional_text(row, "unit")
        try:
            base = _base_unit(material, base_units, units)
        except UnitError as error:
            result.issues.append(issue_at(entity, row, "material", str(error)))
            continue
        try:
            unit = units.find(stated, SAP_CODES) if stated else None
            target = base or unit
            base_rate = rate_in(rate, unit, target) if unit and target else rate
        except UnitError as error:
            result.issues.append(issue_at(entity, row, "unit", str(error)))
            continue
        result.rows.append(
            {
                "material": material,
                "work_center": text(row, "work_center").strip(),
                "rate_per_hour": float(rate),
                "unit": stated,
                "base_rate_per_hour": float(base_rate),
                "base_unit": target.key if target else None,
                "raw_record_ids": _ids(row),
            }
        )
    return result


def curate_changeovers(changeovers: pd.DataFrame) -> Curated:
    entity = "sap/changeovers"
    fields = ["work_center", "from_group", "to_group", "minutes"]
    result = Curated()
    frame = _current_rows(
        result, entity, changeovers, ["work_center", "from_group", "to_group"], fields
    )
    formats = column_formats(frame, ["minutes"])
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


def curate_demand(
    order_lines: pd.DataFrame, units: UnitTable, base_units: Mapping[str, frozenset[str]]
) -> Curated:
    """Customer order lines from e-mail attachments; a later mail repeats, not adds.

    Customers write units as they like, so SAP keys, English commercial codes and ISO codes
    are all accepted; a code that names two different units is an issue, never a guess.
    """
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
                "quantity": _decimal(formats, file_id, "quantity"),
                "requested_date": _date,
            },
            result.issues,
        )
        if typed is None:
            continue
        if typed["requested_date"] is None:
            result.issues.append(
                issue_at(entity, row, "requested_date", "the requested date is empty (00000000)")
            )
            continue
        quantities = _in_base_unit(
            entity, row, typed["quantity"], units, ANY_CODE, base_units, result.issues
        )
        if quantities is None:
            continue
        result.rows.append(
            {
                "customer": optional_text(row, "customer"),
                "po_number": optional_text(row, "po_number"),
                "item": optional_text(row, "item"),
                "material": text(row, "material").strip(),
                **quantities,
                "requested_date": typed["requested_date"],
                "message_id": optional_text(row, "message_id"),
                "attachment": optional_text(row, "attachment"),
                "raw_record_ids": _ids(row),
            }
        )
    return result


# --- units of measure ------------------------------------------------------------------


def curate_units(raw_units: pd.DataFrame) -> Curated:
    """The unit table in force: landed T006 rows laid over the built-in set, key by key.

    Of each client's unit the newest extract counts. Clients that define a unit the same way
    share one row; a unit defined differently (by two clients, or twice in one file) is left
    out of the table altogether, with an issue per row, rather than one definition guessed.
    Without a landed T006 the table is the built-in set.
    """
    entity = "sap/units"
    fields = [
        "client",
        "unit",
        "rounding_decimals",
        "dimension",
        "numerator",
        "denominator",
        "exponent",
        "additive_constant",
        "iso_code",
        "primary_iso_flag",
    ]
    result = Curated()
    frame = result.newest(entity, ensure_columns(raw_units, fields), ["client", "unit"])
    numbers = ["rounding_decimals", "numerator", "denominator", "exponent", "additive_constant"]
    formats = column_formats(frame, numbers)
    definitions: dict[str, list[tuple[pd.Series, Unit]]] = {}
    for _, row in frame.iterrows():
        if required_missing(
            entity, row, ["unit", "dimension", "numerator", "denominator"], result.issues
        ):
            continue
        unit = _t006_unit(entity, row, formats, result.issues)
        if unit is not None:
            definitions.setdefault(unit.key, []).append((row, unit))
    landed: list[Unit] = []
    withheld: list[str] = []
    for key, found in definitions.items():
        variants = {_definition(unit) for _, unit in found}
        if len(variants) == 1:
            ids = tuple(sorted(i for _, unit in found for i in unit.raw_record_ids))
            landed.append(replace(found[0][1], raw_record_ids=ids))
            continue
        withheld.append(key)
        places = ", ".join(
            f"client {text(r, 'client').strip()} line {int(r['row_number'])}" for r, _ in found
        )
        result.issues.extend(
            issue_at(
                entity,
                row,
                "unit",
                f"unit {key!r} is defined differently in {places}; it is left out of the unit "
                "table rather than one definition guessed",
            )
            for row, _ in found
        )
    result.rows.extend(unit_row(unit) for unit in overlay(landed, withheld).units)
    return result


def _t006_unit(
    entity: str,
    row: pd.Series,
    formats: dict[tuple[int, str], NumberFormat],
    issues: list[ConformanceIssue],
) -> Unit | None:
    file_id = int(row["file_id"])
    typed = _convert_all(
        entity,
        row,
        {
            "rounding_decimals": _integer(formats, file_id, "rounding_decimals"),
            "numerator": _integer(formats, file_id, "numerator"),
            "denominator": _integer(formats, file_id, "denominator"),
            "exponent": _integer(formats, file_id, "exponent"),
            "additive_constant": _decimal(formats, file_id, "additive_constant"),
        },
        issues,
    )
    if typed is None:
        return None
    for column, rule in (
        ("numerator", "is 0: a unit needs a non-zero conversion factor (ZAEHL)"),
        ("denominator", "is 0: a unit needs a non-zero conversion factor (NENNR)"),
    ):
        if typed[column] == 0:
            issues.append(issue_at(entity, row, column, rule))
            return None
    decimals = typed["rounding_decimals"] or 0
    if decimals < 0:
        issues.append(issue_at(entity, row, "rounding_decimals", "is negative (ANDEC)"))
        return None
    return Unit(
        key=text(row, "unit").strip(),
        dimension=text(row, "dimension").strip().upper(),
        numerator=typed["numerator"],
        denominator=typed["denominator"],
        exponent=typed["exponent"] or 0,
        additive=typed["additive_constant"] or Decimal(0),
        decimals=decimals,
        iso_code=optional_text(row, "iso_code"),
        iso_primary=text(row, "primary_iso_flag").strip().upper() == "X",
        origin=T006,
        raw_record_ids=(int(row["raw_record_id"]),),
    )


def _definition(unit: Unit) -> tuple[object, ...]:
    """What makes two T006 rows of one key the same unit (lineage aside)."""
    return (
        unit.dimension,
        unit.factor,
        unit.additive,
        unit.decimals,
        unit.iso_code,
        unit.iso_primary,
    )


def base_unit_index(material_master: pd.DataFrame) -> dict[str, frozenset[str]]:
    """The base units the newest material master extract states for each material.

    Usually one; none when the master leaves it blank; several when repeated master rows
    disagree (the unique-key check on products reports those).
    """
    frame = _current(material_master, ["material"], ["material", "base_unit"])
    index: dict[str, set[str]] = {}
    for _, row in frame.iterrows():
        stated = index.setdefault(text(row, "material").strip(), set())
        if text(row, "base_unit").strip():
            stated.add(text(row, "base_unit").strip())
    return {material: frozenset(units) for material, units in index.items()}


def _base_unit(
    material: str, base_units: Mapping[str, frozenset[str]], units: UnitTable
) -> Unit | None:
    """The material's base unit; None when the master lacks the material or states none."""
    stated = base_units.get(material, frozenset())
    if len(stated) > 1:
        raise UnitError(
            material,
            f"has {len(stated)} base units in the material master ({', '.join(sorted(stated))})",
            "one base unit per material",
        )
    if not stated:
        return None
    [code] = stated
    try:
        return units.find(code, SAP_CODES)
    except UnitError as error:
        raise UnitError(
            material,
            f"has the base unit {code!r} in the material master, which {error.rule}",
            "a base unit the unit table knows",
        ) from error


def _in_base_unit(
    entity: str,
    row: pd.Series,
    quantity: Decimal,
    units: UnitTable,
    kinds: frozenset[CodeKind],
    base_units: Mapping[str, frozenset[str]],
    issues: list[ConformanceIssue],
) -> dict[str, Any] | None:
    """The quantity as stated and in the material's base unit; None after recording an issue.

    - The unit must be one the unit table knows, and the quantity may have no more decimals
      than that unit's ANDEC (``2.5 ST`` or ``0.0000001 ST`` are issues).
    - The base-unit quantity is exact: a result with more decimals than the base unit allows
      is an issue, never rounded; counted units other than the base unit are issues too.
    - A blank unit means the base unit (the ``unit_is_stated`` check lists such rows); a
      material whose master states no base unit keeps the row's own unit as its base. A
      material missing from the master gets no base quantity (its own check reports it).
    """
    material = text(row, "material").strip()
    stated = optional_text(row, "unit")
    try:
        unit = units.find(stated, kinds) if stated else None
    except UnitError as error:
        issues.append(issue_at(entity, row, "unit", str(error)))
        return None
    try:
        base = _base_unit(material, base_units, units)
    except UnitError as error:
        issues.append(issue_at(entity, row, "material", str(error)))
        return None
    measured_in = unit or base
    try:
        if measured_in is not None:
            measured_in.check_precision(quantity)
    except UnitError as error:
        issues.append(issue_at(entity, row, "quantity", str(error)))
        return None
    target = base or measured_in
    base_quantity: Decimal | None = None
    if material in base_units and measured_in is not None and target is not None:
        try:
            base_quantity = convert_quantity(quantity, measured_in, target).value
        except UnitError as error:
            issues.append(issue_at(entity, row, "unit", str(error)))
            return None
    try:
        return {
            "quantity": _stored(quantity),
            "unit": stated,
            "base_quantity": None if base_quantity is None else _stored(base_quantity),
            "base_unit": target.key if base_quantity is not None and target else None,
        }
    except ValueRuleError as error:
        issues.append(issue_at(entity, row, "quantity", str(error)))
        return None


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
    result = Curated()
    long_from_wide = long_results_from_wide(results_wide)
    _leave_out_wide_rows_without_results(result, results_wide, long_from_wide)
    frame = pd.concat(
        [ensure_columns(results, ["sample_id", "batch", "test", "result"]), long_from_wide],
        ignore_index=True,
    )
    frame = ensure_columns(frame, _RESULT_FIELDS)
    spec_index = _specification_index(specifications)
    sample_index = _samples_by_id(samples)
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


def _leave_out_wide_rows_without_results(
    result: Curated, results_wide: pd.DataFrame, long_from_wide: pd.DataFrame
) -> None:
    """Wide LIMS rows that give no result at all: every test cell blank, or no batch column."""
    if results_wide.empty:
        return
    used = set(long_from_wide["raw_record_id"]) if not long_from_wide.empty else set()
    unused = results_wide[~results_wide["raw_record_id"].isin(used)]
    reason = (
        "no test column holds a result in this row"
        if "batch" in results_wide.columns
        else "the wide results table has no batch column"
    )
    result.leave_out("lims/results_wide", unused, OUT_OF_SCOPE, reason)


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
    result = Curated()
    frame = _current_rows(result, entity, batches, ["batch", "material"], fields)
    decided = _dispositions(dispositions)
    summaries = _qc_by_batch(qc_results)
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


def curate_batch_yields(yields: pd.DataFrame) -> Curated:
    """Per batch the containers filled and the yield in %, each also as the report wrote it.

    A value that is not a number (``n.a.``, ``12 Fässer``) does not cost the batch its row:
    the typed column is NULL and ``<column>_raw`` keeps the text verbatim, for the checks to
    name. A blank cell is NULL in both. The newest extract wins per batch and material.
    """
    entity = "sap/batch_yields"
    fields = ["batch", "material", "container_count", "yield_pct"]
    result = Curated()
    frame = _current_rows(result, entity, yields, ["batch", "material"], fields)
    formats = column_formats(frame, ["container_count", "yield_pct"])
    for _, row in frame.iterrows():
        if required_missing(entity, row, ["batch"], result.issues):
            continue
        file_id = int(row["file_id"])
        count_raw = _verbatim(row, "container_count")
        yield_raw = _verbatim(row, "yield_pct")
        result.rows.append(
            {
                "batch": text(row, "batch").strip(),
                "material": optional_text(row, "material"),
                "container_count": _lenient(
                    _integer(formats, file_id, "container_count"), count_raw
                ),
                "container_count_raw": count_raw,
                "yield_pct": _lenient(_number(formats, file_id, "yield_pct"), yield_raw),
                "yield_pct_raw": yield_raw,
                "raw_record_ids": _ids(row),
            }
        )
    return result


def _verbatim(row: pd.Series, column: str) -> str | None:
    """The cell exactly as written; None when it is blank."""
    raw = text(row, column)
    return raw if raw.strip() else None


def _lenient(parse: Callable[[str], Any], raw: str | None) -> Any:
    """The parsed value, or None when there is none or it is not one (the raw text stays)."""
    if raw is None:
        return None
    try:
        return parse(raw)
    except ValueRuleError:
        return None


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


def _decimal(
    formats: dict[tuple[int, str], NumberFormat], file_id: int, column: str
) -> Callable[[str], Decimal | None]:
    """Like :func:`_number`, but the exact decimal, for quantities that must not drift."""
    number_format = formats.get((file_id, column), DECIMAL_POINT)
    return lambda raw: parse_sap_number(raw, number_format)


_FLOAT_DIGITS = 15


def _stored(value: Decimal) -> float:
    """The warehouse column's float; refused when it would not read back as the same decimal.

    Up to 15 significant digits a float reads back exactly, which covers every quantity a
    unit's rounding decimals allow short of a billion-tonne order.
    """
    stored = float(value)
    if Decimal(repr(stored)) != value:
        raise ValueRuleError(
            format(value, "f"),
            f"has more significant digits than a stored quantity keeps ({_FLOAT_DIGITS})",
            f"a quantity of at most {_FLOAT_DIGITS} significant digits",
        )
    return stored


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
