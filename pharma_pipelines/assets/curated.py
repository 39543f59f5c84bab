"""Curated assets: typed, deduplicated, conformed product tables and their checks.

Each asset rebuilds its table from all raw rows of its inputs (a full refresh in one
transaction), so a re-run over the same raw rows writes the same table. Raw rows whose values
cannot be typed are left out and listed as curation issues; rows left out on purpose
(superseded by a newer extract, out of the table's scope) are recorded as exclusions; the
check ``raw_rows_are_accounted_for`` verifies that these and the curated rows' lineage
account for every raw row. Each materialization carries the table's content hash as its
data version (see ``checks_support``).
"""

from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any

import dagster as dg
import pandas as pd

from pharma_pipelines.assets.automation import curated_condition
from pharma_pipelines.assets.checks_support import markdown_table, policy_args, to_check_result
from pharma_pipelines.assets.expectation_checks import suite_checks
from pharma_pipelines.assets.raw import OWNER
from pharma_pipelines.catalog.conform import ConformanceIssue, Curated
from pharma_pipelines.catalog.curation import (
    base_unit_index,
    batch_material_index,
    curate_batch_yields,
    curate_batches,
    curate_changeovers,
    curate_demand,
    curate_line_eligibility,
    curate_lines,
    curate_production_orders,
    curate_products,
    curate_qc_results,
    curate_units,
)
from pharma_pipelines.catalog.units import UnitTable, table_from_rows
from pharma_pipelines.keys import curated_key, raw_key
from pharma_pipelines.quality.policy import CheckFamily
from pharma_pipelines.quality.rules import (
    RuleOutcome,
    demand_covered_by_orders,
    invalidations_have_a_reason,
    not_null,
    ratio_at_most,
    raw_rows_accounted_for,
    references,
    released_batches_have_results,
    released_batches_without_failures,
    released_batches_without_valid_oos,
    unique_key,
    within_range,
)
from pharma_pipelines.quality.suites import load_suites
from pharma_pipelines.resources import WarehouseResource
from pharma_pipelines.warehouse.models import (
    Base,
    CuratedBatch,
    CuratedBatchYield,
    CuratedChangeover,
    CuratedDemand,
    CuratedLine,
    CuratedLineEligibility,
    CuratedProduct,
    CuratedProductionOrder,
    CuratedQcResult,
    CuratedUnit,
)

MAX_CHANGEOVER_MINUTES = 7 * 24 * 60
MAX_ISSUE_RATIO = 0.0
MIN_HOURS_PER_DAY = 0.01
PAIR_COLUMNS = ["work_center", "from_family", "to_family"]
MAX_NO_SPEC_RATIO = 0.05


def _issue_row(issue: ConformanceIssue) -> dict[str, object]:
    row = asdict(issue)
    row["column_name"] = row.pop("column")
    return row


def _store(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    table: type[Base],
    curated: Curated,
    rows_in: int,
    extra: dict[str, Any] | None = None,
) -> dg.MaterializeResult:
    repository = warehouse.curated()
    issues = [_issue_row(issue) for issue in curated.issues]
    excluded = [asdict(left) for left in curated.left_out]
    written = repository.replace(table, curated.rows, issues, excluded)
    version = repository.content_version(table)
    context.log.info(
        "%s: %d raw rows in, %d curated rows out, %d left out with issues, %d excluded "
        "(superseded or out of scope); content version %s",
        table.__tablename__,
        rows_in,
        written,
        len(curated.issues),
        len(excluded),
        version[:12],
    )
    preview = curated.frame().drop(columns=["raw_record_ids"], errors="ignore").head(10)
    return dg.MaterializeResult(
        data_version=dg.DataVersion(version),
        metadata={
            "table": table.__tablename__,
            "raw_rows_in": rows_in,
            "dagster/row_count": written,
            "rows_with_issues": len(curated.issues),
            "rows_excluded": len(excluded),
            "preview": dg.MetadataValue.md(markdown_table(preview)),
            **(extra or {}),
        },
    )


def _curated_asset(
    name: str,
    inputs: Sequence[dg.AssetKey],
    description: str,
) -> Callable[[Callable[..., dg.MaterializeResult]], dg.AssetsDefinition]:
    return dg.asset(
        key=curated_key(name),
        deps=list(inputs),
        group_name="curated",
        kinds={"python", "sql"},
        owners=[OWNER],
        tags={"layer": "curated"},
        description=description,
        automation_condition=curated_condition(),
    )


def _single_source_asset(
    name: str,
    entity: str,
    table: type[Base],
    curate: Callable[[pd.DataFrame], Curated],
    description: str,
) -> dg.AssetsDefinition:
    """A curated table built from the raw rows of one extract kind."""

    @_curated_asset(name, [raw_key(entity)], description)
    def _asset(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        raw = warehouse.raw().records_frame(entity)
        return _store(context, warehouse, table, curate(raw), len(raw))

    return _asset


def _unit_aware_asset(
    name: str,
    entity: str,
    table: type[Base],
    curate: Callable[[pd.DataFrame, UnitTable, dict[str, frozenset[str]]], Curated],
    description: str,
) -> dg.AssetsDefinition:
    """A table of quantities: one extract kind, read with the unit table and base units.

    The unit table and base units are built from raw rows (as curated/units is), not read
    from curated tables. Checks such as matrix_is_complete read sibling curated tables and
    run one step after every raw-fed curated asset; a curated input would move this asset
    into that step, where such a check could read it before it is rebuilt. And a blocking
    failure on products (a duplicated material) would hold back every order.
    """
    inputs = [raw_key(entity), raw_key("sap/units"), raw_key("sap/material_master")]

    @_curated_asset(name, inputs, description)
    def _asset(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        raw = warehouse.raw()
        rows = raw.records_frame(entity)
        units = table_from_rows(curate_units(raw.records_frame("sap/units")).rows)
        base_units = base_unit_index(raw.records_frame("sap/material_master"))
        context.log.info(
            "%s: unit table %s, base units of %d materials", name, units.source, len(base_units)
        )
        return _store(context, warehouse, table, curate(rows, units, base_units), len(rows))

    return _asset


units = _single_source_asset(
    "units",
    "sap/units",
    CuratedUnit,
    curate_units,
    "Units of measure in force: each with its SAP key, dimension, conversion factor to the "
    "dimension's SI unit (numerator / denominator * 10^exponent, plus an additive constant "
    "for temperatures), rounding decimals and ISO code. Rows of a landed SAP T006 replace "
    "the built-in standard set key by key; origin says which.",
)
products = _single_source_asset(
    "products",
    "sap/material_master",
    CuratedProduct,
    curate_products,
    "Finished products (SAP material type FERT), one row per material number with its "
    "description, base unit and product family (the SAP material group). Material "
    "numbers keep their leading zeros. Newest extract wins per material.",
)
production_orders = _unit_aware_asset(
    "production_orders",
    "sap/production_orders",
    CuratedProductionOrder,
    curate_production_orders,
    "SAP production orders with quantity and unit as ordered, the quantity in the "
    "product's base unit (converted exactly), basic start (release) and finish (due) "
    "dates, priority and system status; orders with status TECO, DLV or CLSD are closed "
    "and are not scheduled. An order in a unit the unit table does not know, or with more "
    "decimals than its unit allows, is left out as a curation issue.",
)
lines = _single_source_asset(
    "lines",
    "sap/work_centers",
    CuratedLine,
    curate_lines,
    "Production lines, one row per SAP work center (CRHD extract) with its plant, "
    "description, availability window and hours per day (24 when the extract gives none). "
    "Newest extract wins per work center.",
)
line_eligibility = _unit_aware_asset(
    "line_eligibility",
    "sap/production_versions",
    CuratedLineEligibility,
    curate_line_eligibility,
    "Which product may run on which line and at what rate per hour, from SAP production "
    "versions: the rate as stated and per base unit of the product.",
)
changeovers = _single_source_asset(
    "changeovers",
    "sap/changeovers",
    CuratedChangeover,
    curate_changeovers,
    "Changeover (cleaning and set-up) minutes per line from one product family to the "
    "next; the diagonal is the batch-to-batch clean within a family.",
)
batch_yields = _single_source_asset(
    "batch_yields",
    "sap/batch_yields",
    CuratedBatchYield,
    curate_batch_yields,
    "Batch yields from the yield report, one row per batch and material: containers filled "
    "(a whole number) and yield in % of theoretical, each also as the report wrote it "
    "(container_count_raw, yield_pct_raw). A cell that is not a number stays in the row "
    "as text with the typed value NULL, so no batch is lost; the expectation suite names "
    "such values. Newest extract wins per batch.",
)
demand = _unit_aware_asset(
    "demand",
    "outlook/order_lines",
    CuratedDemand,
    curate_demand,
    "Customer demand: order lines read from CSV and XLSX attachments of customer e-mails "
    "(PO number, item, material, quantity and unit as written, the quantity in the "
    "product's base unit, requested date), traced to the message. A unit may be a SAP key, "
    "ISO code or English commercial code; unknown or ambiguous units are curation issues.",
)


@_curated_asset(
    "qc_results",
    [
        raw_key("lims/results"),
        raw_key("lims/results_wide"),
        raw_key("lims/specifications"),
        raw_key("lims/samples"),
        raw_key("sap/batches"),
    ],
    "LIMS results, one row per run of a test on a batch: the raw result verbatim, its "
    "qualifier and value (censored values such as <0.05 kept as a bound and a flag), text "
    "results, the specification and the verdict (PASS, FAIL, INDETERMINATE, REVIEW, "
    "NO_SPEC). Retests and re-samples stay as rows: the latest valid run is final "
    "(is_final) and supersedes earlier ones; invalidated and cancelled runs are kept with "
    "their reason but never decide; test_verdict is the test's outcome for the batch, and "
    "had_oos keeps an out-of-specification result on record even after a passing retest.",
)
def qc_results(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    raw = warehouse.raw()
    long_results = raw.records_frame("lims/results")
    wide_results = raw.records_frame("lims/results_wide")
    curated = curate_qc_results(
        long_results,
        wide_results,
        raw.records_frame("lims/specifications"),
        raw.records_frame("lims/samples"),
        batch_material_index(raw.records_frame("sap/batches")),
    )
    frame = curated.frame()
    history: dict[str, Any] = {}
    if not frame.empty:
        context.log.info(
            "qc_results: %d runs are retests, %d superseded, %d invalidated or cancelled",
            int(frame["is_retest"].sum()),
            int(frame["superseded_by"].notna().sum()),
            int((frame["status"] != "VALID").sum()),
        )
        history = {
            "retests": int(frame["is_retest"].sum()),
            "superseded": int(frame["superseded_by"].notna().sum()),
            "invalidated_or_cancelled": int((frame["status"] != "VALID").sum()),
            "tests_with_oos_history": int(
                frame[frame["had_oos"]].groupby(["batch", "test"]).ngroups
            ),
        }
    return _store(
        context,
        warehouse,
        CuratedQcResult,
        curated,
        len(long_results) + len(wide_results),
        history,
    )


@_curated_asset(
    "batches",
    [raw_key("sap/batches"), raw_key("lims/batch_disposition"), curated_key("qc_results")],
    "Produced batches from SAP with the quality unit's disposition from the LIMS and a QC "
    "status derived from their release-relevant results, one verdict per test after "
    "retests. had_oos flags a batch whose test was ever out of specification; valid_oos "
    "counts OOS results no documented invalidation set aside (such a batch is IN_REVIEW "
    "however its retests came out).",
)
def batches(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    raw = warehouse.raw().records_frame("sap/batches")
    curated = curate_batches(
        raw,
        warehouse.raw().records_frame("lims/batch_disposition"),
        warehouse.curated().frame(CuratedQcResult),
    )
    frame = curated.frame()
    oos = frame[frame["had_oos"]] if not frame.empty else frame
    shown = ["batch", "material", "disposition", "qc_status", "valid_oos", "results_invalidated"]
    history: dict[str, Any] = {
        "batches_with_oos_history": len(oos),
        "oos_history": dg.MetadataValue.md(markdown_table(oos[shown] if len(oos) else oos)),
    }
    return _store(context, warehouse, CuratedBatch, curated, len(raw), history)


curated_assets = [
    units,
    products,
    production_orders,
    lines,
    line_eligibility,
    changeovers,
    demand,
    qc_results,
    batches,
    batch_yields,
]

CURATED_MODELS: dict[str, type[Base]] = {
    "units": CuratedUnit,
    "products": CuratedProduct,
    "production_orders": CuratedProductionOrder,
    "lines": CuratedLine,
    "line_eligibility": CuratedLineEligibility,
    "changeovers": CuratedChangeover,
    "demand": CuratedDemand,
    "qc_results": CuratedQcResult,
    "batches": CuratedBatch,
    "batch_yields": CuratedBatchYield,
}
"""Each curated asset (by name) and the warehouse table it writes."""

ROW_ENTITIES: dict[str, tuple[str, ...]] = {
    "units": ("sap/units",),
    "products": ("sap/material_master",),
    "production_orders": ("sap/production_orders",),
    "lines": ("sap/work_centers",),
    "line_eligibility": ("sap/production_versions",),
    "changeovers": ("sap/changeovers",),
    "demand": ("outlook/order_lines",),
    "qc_results": ("lims/results", "lims/results_wide"),
    "batches": ("sap/batches",),
    "batch_yields": ("sap/batch_yields",),
}
"""The raw entities whose rows become a curated table's rows (others only inform them)."""


# --- checks ----------------------------------------------------------------------------


def _check(
    name: str,
    asset: str,
    description: str,
    family: CheckFamily,
    rule: Callable[[WarehouseResource], RuleOutcome],
) -> dg.AssetChecksDefinition:
    """A check on a curated asset, judged by its family's row of the severity policy."""

    @dg.asset_check(
        asset=curated_key(asset),
        name=name,
        description=description,
        **policy_args(family),
    )
    def _evaluate(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        version = warehouse.curated().content_version(CURATED_MODELS[asset])
        return to_check_result(rule(warehouse), family, version)

    return _evaluate


def _frame(table: type[Base]) -> Callable[[WarehouseResource], pd.DataFrame]:
    return lambda warehouse: warehouse.curated().frame(table)


def _issues_rule(table: type[Base]) -> Callable[[WarehouseResource], RuleOutcome]:
    def rule(warehouse: WarehouseResource) -> RuleOutcome:
        issues = warehouse.curated().issues(table)
        total = warehouse.curated().count(table) + len(issues)
        return ratio_at_most(
            "every raw row conforms to the curated types",
            issues,
            total,
            MAX_ISSUE_RATIO,
            "rows left out",
        )

    return rule


def _conformance_check(asset: str, table: type[Base]) -> dg.AssetChecksDefinition:
    return _check(
        "raw_rows_conform",
        asset,
        "Every raw row could be typed (dates, numbers); rows that could not are listed.",
        CheckFamily.COMPLETENESS,
        _issues_rule(table),
    )


def _accounting_rule(asset: str) -> Callable[[WarehouseResource], RuleOutcome]:
    def rule(warehouse: WarehouseResource) -> RuleOutcome:
        table = CURATED_MODELS[asset]
        raw = pd.concat(
            [warehouse.raw().lineage_frame(entity) for entity in ROW_ENTITIES[asset]],
            ignore_index=True,
        )
        curated = warehouse.curated()
        lineage = curated.frame(table)["raw_record_ids"]
        issues = curated.issues(table)["raw_record_id"].dropna()
        return raw_rows_accounted_for(
            raw,
            traced=(int(i) for ids in lineage for i in ids),
            with_issue=(int(i) for i in issues),
            excluded=curated.exclusions(table),
            curated_rows=len(lineage),
            built_in_rows=sum(1 for ids in lineage if not ids),
        )

    return rule


def _accounting_check(asset: str) -> dg.AssetChecksDefinition:
    entities = ", ".join(ROW_ENTITIES[asset])
    return _check(
        "raw_rows_are_accounted_for",
        asset,
        f"Every current raw row of {entities} is accounted for: in a curated row (kept, or "
        "merged with identical repeats; its lineage names it), in a curation issue, or "
        "recorded as left out (superseded by a newer extract of its key, out of the "
        "table's scope). A raw row in none of these vanished silently.",
        CheckFamily.RECONCILIATION,
        _accounting_rule(asset),
    )


units_frame = _frame(CuratedUnit)
products_frame = _frame(CuratedProduct)
orders_frame = _frame(CuratedProductionOrder)
lines_frame = _frame(CuratedLine)
eligibility_frame = _frame(CuratedLineEligibility)
changeovers_frame = _frame(CuratedChangeover)
demand_frame = _frame(CuratedDemand)
results_frame = _frame(CuratedQcResult)
batches_frame = _frame(CuratedBatch)


def _open_orders(warehouse: WarehouseResource) -> pd.DataFrame:
    orders = orders_frame(warehouse)
    return orders[orders["is_open"].astype(bool)] if not orders.empty else orders


def _open_orders_without_line(warehouse: WarehouseResource) -> RuleOutcome:
    return references(
        _open_orders(warehouse),
        ["material"],
        eligibility_frame(warehouse),
        ["material"],
        "curated/line_eligibility",
        shown=["order"],
    )


def _family_pairs_missing(warehouse: WarehouseResource) -> RuleOutcome:
    """Every (line, from family, to family) the schedule may need has a changeover time."""
    eligibility = eligibility_frame(warehouse)
    families = products_frame(warehouse)
    if eligibility.empty or families.empty:
        needed = pd.DataFrame(columns=pd.Index(PAIR_COLUMNS))
    else:
        joined = eligibility.merge(families[["material", "family"]], on="material")
        per_line = joined.groupby("work_center")["family"].agg(lambda f: sorted(set(f)))
        needed = pd.DataFrame(
            [
                {"work_center": line, "from_family": a, "to_family": b}
                for line, fams in per_line.items()
                for a in fams
                for b in fams
            ],
            columns=pd.Index(PAIR_COLUMNS),
        )
    return references(
        needed,
        ["work_center", "from_family", "to_family"],
        changeovers_frame(warehouse),
        ["work_center", "from_family", "to_family"],
        "curated/changeovers",
    )


def _ambiguous_iso_codes(warehouse: WarehouseResource) -> RuleOutcome:
    frame = units_frame(warehouse)
    table = table_from_rows(frame.to_dict("records"))
    shared = pd.DataFrame(
        [
            {"iso_code": code, "unit": unit.key, "iso_primary": unit.iso_primary}
            for code, found in table.ambiguous_iso_codes().items()
            for unit in found
        ],
        columns=pd.Index(["iso_code", "unit", "iso_primary"]),
    )
    return ratio_at_most(
        "each ISO code names one unit (or one flagged primary)",
        shared,
        len(frame),
        0.0,
        "units share an ISO code without one primary",
    )


def _unit_stated(
    frame: Callable[[WarehouseResource], pd.DataFrame], shown: list[str]
) -> Callable[[WarehouseResource], RuleOutcome]:
    def rule(warehouse: WarehouseResource) -> RuleOutcome:
        rows = frame(warehouse)
        blank = rows[rows["unit"].isna()][[*shown, "quantity", "base_unit"]] if len(rows) else rows
        return ratio_at_most(
            "every quantity states its unit", blank, len(rows), 0.0, "rows without a unit"
        )

    return rule


curated_checks = [
    *(
        _conformance_check(asset, table)
        for asset, table in (
            ("units", CuratedUnit),
            ("products", CuratedProduct),
            ("production_orders", CuratedProductionOrder),
            ("lines", CuratedLine),
            ("line_eligibility", CuratedLineEligibility),
            ("changeovers", CuratedChangeover),
            ("demand", CuratedDemand),
            ("qc_results", CuratedQcResult),
            ("batches", CuratedBatch),
            ("batch_yields", CuratedBatchYield),
        )
    ),
    *(_accounting_check(asset) for asset in CURATED_MODELS),
    _check(
        "orders_cover_demand",
        "production_orders",
        "Per material, the open production orders cover what customers ordered by e-mail, "
        "both in the product's base unit (sum of demand lines <= sum of open orders). A "
        "shortfall means an order is missing from the SAP extract or a demand line is "
        "wrong, and the plan would leave demand unmade; production beyond demand is "
        "allowed. A demand line without a base quantity cannot be compared and is listed.",
        CheckFamily.RECONCILIATION,
        # Demand is built from raw assets only, like the orders, so a run rebuilds it in the
        # same wave of steps, before this check. Declaring it a dependency instead would
        # skip this check whenever a blocking check on demand failed.
        lambda w: demand_covered_by_orders(demand_frame(w), orders_frame(w)),
    ),
    *suite_checks(load_suites(), CURATED_MODELS),
    _check(
        "iso_codes_are_unambiguous",
        "units",
        "Each ISO code belongs to one unit, or T006 flags one of its units primary; an "
        "ambiguous ISO code is refused when a customer writes it.",
        CheckFamily.PLAUSIBILITY,
        _ambiguous_iso_codes,
    ),
    _check(
        "unit_is_stated",
        "production_orders",
        "Every order states its unit; an order without one is read in the product's base unit.",
        CheckFamily.COMPLETENESS,
        _unit_stated(orders_frame, ["order", "material"]),
    ),
    _check(
        "unit_is_stated",
        "demand",
        "Every order line states its unit; a line without one is read in the product's base unit.",
        CheckFamily.COMPLETENESS,
        _unit_stated(demand_frame, ["po_number", "item", "material"]),
    ),
    _check(
        "material_is_unique",
        "products",
        "No two products share a material number.",
        CheckFamily.UNIQUE_KEY,
        lambda w: unique_key(products_frame(w), ["material"], ["description", "family"]),
    ),
    _check(
        "family_is_set",
        "products",
        "Every product has a family (material group): changeover times depend on it.",
        CheckFamily.REQUIRED_FIELD,
        lambda w: not_null(products_frame(w), ["family"], ["material"]),
    ),
    _check(
        "order_is_unique",
        "production_orders",
        "No two production orders share an order number.",
        CheckFamily.UNIQUE_KEY,
        lambda w: unique_key(orders_frame(w), ["order"], ["material", "quantity"]),
    ),
    _check(
        "material_is_a_known_product",
        "production_orders",
        "Every open production order makes a product in curated/products.",
        CheckFamily.REFERENTIAL_INTEGRITY,
        lambda w: references(
            _open_orders(w),
            ["material"],
            products_frame(w),
            ["material"],
            "curated/products",
            shown=["order"],
        ),
    ),
    _check(
        "quantity_is_positive",
        "production_orders",
        "Order quantities are positive.",
        CheckFamily.SCHEMA_CONTRACT,
        lambda w: within_range(orders_frame(w), "quantity", 1e-9, None, ["order"]),
    ),
    _check(
        "work_center_is_unique",
        "lines",
        "No two lines share a work center id.",
        CheckFamily.UNIQUE_KEY,
        lambda w: unique_key(lines_frame(w), ["work_center"], ["description"]),
    ),
    _check(
        "hours_per_day_in_range",
        "lines",
        "A line works more than 0 and at most 24 hours a day (0 would mean never).",
        CheckFamily.SCHEMA_CONTRACT,
        lambda w: within_range(
            lines_frame(w), "hours_per_day", MIN_HOURS_PER_DAY, 24, ["work_center"]
        ),
    ),
    _check(
        "line_is_known",
        "line_eligibility",
        "Every production version points at a known line.",
        CheckFamily.REFERENTIAL_INTEGRITY,
        lambda w: references(
            eligibility_frame(w),
            ["work_center"],
            lines_frame(w),
            ["work_center"],
            "curated/lines",
            shown=["material"],
        ),
    ),
    _check(
        "version_is_unique",
        "line_eligibility",
        "One production version per product and line: two rates for the same pair "
        "leave the processing time ambiguous.",
        CheckFamily.UNIQUE_KEY,
        lambda w: unique_key(eligibility_frame(w), ["material", "work_center"], ["rate_per_hour"]),
    ),
    _check(
        "pair_is_unique",
        "changeovers",
        "One changeover time per line and family pair.",
        CheckFamily.UNIQUE_KEY,
        lambda w: unique_key(
            changeovers_frame(w), ["work_center", "from_family", "to_family"], ["minutes"]
        ),
    ),
    _check(
        "finish_not_before_start",
        "production_orders",
        "An order's basic finish date is not before its basic start date.",
        CheckFamily.SCHEMA_CONTRACT,
        lambda w: _finish_before_start(orders_frame(w)),
    ),
    _check(
        "rate_is_positive",
        "line_eligibility",
        "Production rates are positive.",
        CheckFamily.SCHEMA_CONTRACT,
        lambda w: within_range(
            eligibility_frame(w), "rate_per_hour", 1e-9, None, ["material", "work_center"]
        ),
    ),
    _check(
        "open_orders_have_a_line",
        "line_eligibility",
        "Every open production order's product may run on at least one line.",
        CheckFamily.REFERENTIAL_INTEGRITY,
        _open_orders_without_line,
    ),
    _check(
        "line_is_known",
        "changeovers",
        "Every changeover belongs to a known line.",
        CheckFamily.REFERENTIAL_INTEGRITY,
        lambda w: references(
            changeovers_frame(w), ["work_center"], lines_frame(w), ["work_center"], "curated/lines"
        ),
    ),
    _check(
        "matrix_is_complete",
        "changeovers",
        "Each line has a changeover time for every pair of families it can run.",
        CheckFamily.REFERENTIAL_INTEGRITY,
        _family_pairs_missing,
    ),
    _check(
        "minutes_in_range",
        "changeovers",
        f"Changeovers take between 0 and {MAX_CHANGEOVER_MINUTES} minutes (a week).",
        CheckFamily.SCHEMA_CONTRACT,
        lambda w: within_range(
            changeovers_frame(w),
            "minutes",
            0,
            MAX_CHANGEOVER_MINUTES,
            ["work_center", "from_family", "to_family"],
        ),
    ),
    _check(
        "material_is_a_known_product",
        "demand",
        "Every demanded material is a product in curated/products.",
        CheckFamily.REFERENTIAL_INTEGRITY,
        lambda w: references(
            demand_frame(w),
            ["material"],
            products_frame(w),
            ["material"],
            "curated/products",
            shown=["po_number", "item"],
        ),
    ),
    _check(
        "quantity_is_positive",
        "demand",
        "Demanded quantities are positive.",
        CheckFamily.SCHEMA_CONTRACT,
        lambda w: within_range(demand_frame(w), "quantity", 1e-9, None, ["po_number", "item"]),
    ),
    _check(
        "batch_is_known",
        "qc_results",
        "Every QC result belongs to a batch SAP knows. Not blocking (coverage): an orphan "
        "result attaches to no batch, so the batch table stays right and its own checks "
        "still run.",
        CheckFamily.COVERAGE,
        lambda w: references(
            results_frame(w),
            ["batch"],
            _sap_batches(w),
            ["batch"],
            "raw/sap/batches",
            shown=["test"],
        ),
    ),
    _check(
        "results_have_a_specification",
        "qc_results",
        f"At most {MAX_NO_SPEC_RATIO:.0%} of the results have no specification to judge them.",
        CheckFamily.COMPLETENESS,
        lambda w: _results_with_verdict(
            results_frame(w), ("NO_SPEC",), MAX_NO_SPEC_RATIO, "results have a specification"
        ),
    ),
    _check(
        "no_result_awaits_review",
        "qc_results",
        "No result needs a person: text results that match no rule (REVIEW) and censored "
        "results whose reporting limit is above the specification (INDETERMINATE).",
        CheckFamily.OPEN_REVIEW,
        lambda w: _results_with_verdict(
            _final_results(w), ("REVIEW", "INDETERMINATE"), 0.0, "no result awaits review"
        ),
    ),
    _check(
        "invalidations_have_a_reason",
        "qc_results",
        "Every invalidated result names its assignable cause (laboratory error, sampling "
        "error...). Warns: the batch status already treats an OOS invalidated without a "
        "reason as standing, so nothing downstream is wrong; the LIMS record is incomplete.",
        CheckFamily.COMPLETENESS,
        lambda w: invalidations_have_a_reason(results_frame(w)),
    ),
    _check(
        "batch_is_unique",
        "batches",
        "No two batches share a batch number and material.",
        CheckFamily.UNIQUE_KEY,
        lambda w: unique_key(batches_frame(w), ["batch", "material"], ["qc_status"]),
    ),
    _check(
        "released_batches_meet_specification",
        "batches",
        "No batch released by the quality unit has a failed release-relevant result.",
        CheckFamily.SPECIFICATION_VERDICT,
        lambda w: released_batches_without_failures(batches_frame(w)),
    ),
    _check(
        "released_batches_have_results",
        "batches",
        "Every batch released by the quality unit has release-relevant QC results, and a "
        "valid one for each test it was tested for (a test whose every run was invalidated "
        "is no evidence).",
        CheckFamily.SPECIFICATION_VERDICT,
        lambda w: released_batches_have_results(batches_frame(w)),
    ),
    _check(
        "released_batches_have_no_valid_oos",
        "batches",
        "No batch released by the quality unit has a valid out-of-specification result: an "
        "OOS is set aside only when invalidated with a documented cause, never by a passing "
        "retest alone.",
        CheckFamily.SPECIFICATION_VERDICT,
        lambda w: released_batches_without_valid_oos(batches_frame(w)),
    ),
]


def _finish_before_start(orders: pd.DataFrame) -> RuleOutcome:
    rule = "finish date on or after start date"
    if orders.empty:
        return ratio_at_most(rule, orders, 0, 0.0, "orders end before they start")
    backwards = orders[orders["finish_date"] < orders["start_date"]]
    shown = backwards[["order", "material", "start_date", "finish_date"]]
    return ratio_at_most(rule, shown, len(orders), 0.0, "orders end before they start")


def _sap_batches(warehouse: WarehouseResource) -> pd.DataFrame:
    raw = warehouse.raw().records_frame("sap/batches")
    if raw.empty or "batch" not in raw.columns:
        return pd.DataFrame({"batch": pd.Series(dtype=str)})
    return raw[["batch"]].assign(batch=raw["batch"].astype(str).str.strip())


def _final_results(warehouse: WarehouseResource) -> pd.DataFrame:
    """The results that decide their test: superseded and invalidated runs await nothing."""
    results = results_frame(warehouse)
    return results[results["is_final"].astype(bool)] if not results.empty else results


def _results_with_verdict(
    results: pd.DataFrame, verdicts: tuple[str, ...], max_ratio: float, rule: str
) -> RuleOutcome:
    shown = ["batch", "test", "raw_result", "spec_min", "spec_max", "text_spec", "verdict"]
    failing = results[results["verdict"].isin(verdicts)][shown] if not results.empty else results
    what = f"results are {'/'.join(verdicts)}"
    return ratio_at_most(rule, failing, len(results), max_ratio, what)
