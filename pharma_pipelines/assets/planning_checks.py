"""Checks of the planning assets, each on one plant's partition, and of plant coverage.

No ``from __future__ import annotations`` here: Dagster reads the ``context`` annotation of
a check function at definition time and needs the class, not its name. The check functions
are plain here; :func:`pharma_pipelines.assets.planning.
planning_definitions` attaches them to the assets with the plants' partitions, because the
partitions come from settings. Each reads the warehouse rows of its own plant only.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Sequence

import dagster as dg
import pandas as pd

from pharma_pipelines.assets.checks_support import policy_args, to_check_result
from pharma_pipelines.keys import curated_key
from pharma_pipelines.quality.freshness import (
    InputExtract,
    extract_time,
    inputs_are_fresh,
    resolve_plan_time,
)
from pharma_pipelines.quality.policy import CheckFamily
from pharma_pipelines.quality.rules import RuleOutcome, ratio_at_most
from pharma_pipelines.resources import FreshnessResource, WarehouseResource
from pharma_pipelines.scheduling import Schedule, ScheduleStatus, SchedulingProblem, check_schedule
from pharma_pipelines.warehouse.models import (
    Base,
    CuratedChangeover,
    CuratedLine,
    CuratedLineEligibility,
    CuratedProduct,
    CuratedProductionOrder,
    PlanningSchedule,
)

SOLVED = (ScheduleStatus.OPTIMAL, ScheduleStatus.FEASIBLE)
MAX_RUN_DAYS = 31
LATE_SHARE_TOLERATED = 0.1
INPUT_TABLES: dict[str, type[Base]] = {
    "sap/production_orders": CuratedProductionOrder,
    "sap/material_master": CuratedProduct,
    "sap/work_centers": CuratedLine,
    "sap/production_versions": CuratedLineEligibility,
    "sap/changeovers": CuratedChangeover,
}
"""The curated table each raw input of the problem feeds: its rows name the extracts used."""


def schedule_version(problem_hash: str, schedule: Schedule) -> str:
    """A schedule's content version: its problem, status, objective and placements.

    Solve time and solver messages stay out: the same plan solved twice is the same data.
    """
    placements = sorted(
        (a.order, a.line, a.start, a.end, a.setup_before) for a in schedule.assignments
    )
    content = [problem_hash, schedule.status.value, schedule.objective, placements]
    return hashlib.sha256(json.dumps(content, default=str).encode()).hexdigest()


def latest_problem(warehouse: WarehouseResource, plant: str) -> SchedulingProblem:
    stored = warehouse.planning().latest_problem(plant)
    if stored is None:
        raise dg.Failure(
            description=f"no scheduling problem of plant {plant} has been materialized yet"
        )
    return SchedulingProblem.model_validate(stored.problem)


def latest_schedule(
    warehouse: WarehouseResource, plant: str
) -> tuple[SchedulingProblem, Schedule, PlanningSchedule]:
    """The plant's latest schedule with the problem it solved (by hash, not the latest one)."""
    planning = warehouse.planning()
    stored = planning.latest_schedule(plant)
    if stored is None:
        raise dg.Failure(
            description=f"no production schedule of plant {plant} has been materialized yet"
        )
    stored_problem = planning.problem_by_hash(plant, stored.problem_hash)
    if stored_problem is None:
        raise dg.Failure(
            description=f"the problem {stored.problem_hash[:12]} of schedule #{stored.id} "
            f"(plant {plant}) is not in the warehouse"
        )
    problem = SchedulingProblem.model_validate(stored_problem.problem)
    return problem, Schedule.model_validate(stored.schedule), stored


def _open_orders(warehouse: WarehouseResource) -> pd.DataFrame:
    orders = warehouse.curated().frame(CuratedProductionOrder)
    return orders[orders["is_open"].astype(bool)] if not orders.empty else orders


def all_open_orders_are_schedulable(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    plant = context.partition_key
    problem = latest_problem(warehouse, plant)
    open_orders = _open_orders(warehouse)
    open_orders = open_orders[open_orders["plant"] == plant]
    included = {order.id for order in problem.orders}
    missing = open_orders[~open_orders["order"].isin(included)][["order", "material"]]
    return to_check_result(
        ratio_at_most(
            f"every open order of plant {plant} is in its problem",
            missing,
            len(open_orders),
            0.0,
            "open orders left out",
        ),
        CheckFamily.SCHEDULE_FEASIBILITY,
        problem.content_hash(),
    )


def run_times_are_plausible(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    problem = latest_problem(warehouse, context.partition_key)
    limit = MAX_RUN_DAYS * 24 * 60
    too_long = pd.DataFrame(
        [
            {
                "order": order.id,
                "product": order.product,
                "quantity": order.quantity,
                "fastest_run_days": round(min(order.proc.values()) / 1440, 1),
            }
            for order in problem.orders
            if min(order.proc.values()) > limit
        ],
        columns=pd.Index(["order", "product", "quantity", "fastest_run_days"]),
    )
    return to_check_result(
        ratio_at_most(
            "order run times are plausible",
            too_long,
            len(problem.orders),
            0.0,
            "orders run implausibly long",
        ),
        CheckFamily.SCHEDULE_FEASIBILITY,
        problem.content_hash(),
    )


def schedule_is_feasible(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    problem, schedule, stored = latest_schedule(warehouse, context.partition_key)
    if schedule.status not in SOLVED:
        measured = f"no schedule to verify (status {schedule.status.value}: {schedule.message})"
        misses = pd.DataFrame((stored.least_bad_plan or {}).get("deadline_misses") or [])
        if not misses.empty:
            measured += (
                f"; the least-bad plan in the metadata (least_bad_plan) misses {len(misses)} "
                "hard deadline(s) and is not a valid schedule"
            )
        outcome = RuleOutcome(
            rule="schedule verified by the independent checker",
            passed=False,
            measured=measured,
            expected="a verified schedule",
            failed_count=len(problem.orders),
            total=len(problem.orders),
            failing_rows=misses.head(20),
        )
        return to_check_result(
            outcome,
            CheckFamily.SCHEDULE_FEASIBILITY,
            schedule_version(stored.problem_hash, schedule),
        )
    report = check_schedule(problem, schedule)
    violations = pd.DataFrame(
        [
            {"rule": v.rule.value, "order": v.order, "line": v.line, "message": v.message}
            for v in report.violations
        ]
    )
    outcome = RuleOutcome(
        rule="schedule verified by the independent checker",
        passed=report.feasible,
        measured=(
            f"{len(report.violations)} violations; objective recomputed "
            f"{report.objective} vs reported {schedule.objective}"
        ),
        expected="0 violations and the same objective",
        failed_count=len(report.violations),
        total=len(problem.orders),
        failing_rows=violations.head(20),
    )
    return to_check_result(
        outcome, CheckFamily.SCHEDULE_FEASIBILITY, schedule_version(stored.problem_hash, schedule)
    )


def orders_finish_on_time(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    problem, schedule, stored = latest_schedule(warehouse, context.partition_key)
    late = pd.DataFrame(
        [
            {
                "order": a.order,
                "line": a.line,
                "late_hours": round((a.end - problem.order(a.order).due) / 60, 1),
            }
            for a in schedule.assignments
            if a.end > problem.order(a.order).due
        ]
    )
    return to_check_result(
        ratio_at_most(
            "orders finish on time",
            late,
            len(schedule.assignments),
            LATE_SHARE_TOLERATED,
            "orders late",
        ),
        CheckFamily.TREND,
        schedule_version(stored.problem_hash, schedule),
    )


def open_orders_outside(open_orders: pd.DataFrame, plants: Sequence[str]) -> pd.DataFrame:
    """Open orders whose plant is not one of ``plants`` (or not known), as failing rows."""
    outside = open_orders[~open_orders["plant"].isin(list(plants))]
    rows = outside[["order", "material", "plant"]].copy()
    rows["plant"] = rows["plant"].fillna("(none)")
    return rows


def plant_coverage_check(plants: Sequence[str]) -> dg.AssetChecksDefinition:
    """Open orders of a plant that is not planned fail this check, by name.

    Family coverage (ERROR, not blocking): the plans of the configured plants stay right
    without those orders, but the orders would otherwise never be scheduled unnoticed.
    """
    planned = ", ".join(plants)

    @dg.asset_check(
        asset=curated_key("production_orders"),
        name="open_orders_belong_to_a_planned_plant",
        description=(
            f"Every open production order belongs to a planned plant (PHARMA_PLANTS: "
            f"{planned}); the planning assets are partitioned by plant, so an order of any "
            "other plant, or of none, would never be scheduled."
        ),
        **policy_args(CheckFamily.COVERAGE),
    )
    def open_orders_belong_to_a_planned_plant(
        warehouse: WarehouseResource,
    ) -> dg.AssetCheckResult:
        open_orders = _open_orders(warehouse)
        outside = open_orders_outside(open_orders, plants)
        return to_check_result(
            ratio_at_most(
                f"every open order belongs to a planned plant ({planned})",
                outside,
                len(open_orders),
                0.0,
                "open orders of a plant that is not planned",
            ),
            CheckFamily.COVERAGE,
            warehouse.curated().content_version(CuratedProductionOrder),
        )

    return open_orders_belong_to_a_planned_plant


def inputs_are_fresh_check(
    context: dg.AssetCheckExecutionContext,
    warehouse: WarehouseResource,
    freshness: FreshnessResource,
) -> dg.AssetCheckResult:
    """The extracts the plant's problem was built from are recent enough to plan on."""
    problem = latest_problem(warehouse, context.partition_key)
    inputs = [
        input_extract(warehouse, entity, freshness.timezone)
        for entity in sorted(freshness.limits_hours)
    ]
    plan_time = resolve_plan_time(
        freshness.plan_time, inputs, dt.datetime.now(dt.UTC), freshness.timezone
    )
    for item in inputs:
        context.log.info(
            "%s: %s extracted %s (%s)",
            item.input,
            item.file,
            item.extracted.at.isoformat() if item.extracted else "never",
            item.extracted.source if item.extracted else "no file",
        )
    return to_check_result(
        inputs_are_fresh(inputs, freshness.limits_hours, plan_time),
        CheckFamily.INPUT_FRESHNESS,
        problem.content_hash(),
    )


def input_extract(warehouse: WarehouseResource, entity: str, timezone: str) -> InputExtract:
    """The oldest extract of ``entity`` whose rows are still in use, and when it was made.

    In use means: named in the lineage of a row of the curated table the entity feeds (a
    row of an old file that no newer extract superseded is still planned with); an entity
    without a curated table counts every current file with rows.
    """
    raw = warehouse.raw()
    lineage = raw.lineage_frame(entity)
    table = INPUT_TABLES.get(entity)
    if table is not None and not lineage.empty:
        used = {int(i) for ids in warehouse.curated().frame(table)["raw_record_ids"] for i in ids}
        lineage = lineage[lineage["raw_record_id"].isin(used)]
    files = raw.file_times(entity)
    files = files[files["file_id"].isin(set(lineage["file_id"]))]
    if files.empty:
        return InputExtract(entity, None, None)
    times = [
        (extract_time(path, landed, timezone), path)
        for path, landed in zip(files["relative_path"], files["first_seen_at"], strict=True)
    ]
    oldest, path = min(times, key=lambda pair: pair[0].at)
    return InputExtract(entity, path, oldest)
