"""Planning assets: the scheduling problem and the optimised production schedule.

``planning/scheduling_problem`` turns the curated tables into a validated problem (kept in
the warehouse by content hash); ``planning/production_schedule`` solves it with CBC and
publishes the schedule only after an independent checker has verified it.
"""

import datetime as dt
from collections.abc import Sequence

import dagster as dg
import pandas as pd
from pydantic import ValidationError

from pharma_pipelines.assets.checks_support import ERROR, WARN, markdown_table, to_check_result
from pharma_pipelines.assets.raw import OWNER
from pharma_pipelines.assets.schedule_metadata import (
    NO_SCHEDULE,
    changes_metadata,
    gantt_metadata,
    keep_picture,
    kpi_metadata,
    least_bad_metadata,
    schedule_table,
)
from pharma_pipelines.keys import PROBLEM_KEY, SCHEDULE_KEY, curated_key
from pharma_pipelines.quality.rules import RuleOutcome, ratio_at_most
from pharma_pipelines.reporting.changes import ScheduleChanges, compare_placements, placements
from pharma_pipelines.reporting.deadlines import LeastBadPlan, deadline_misses
from pharma_pipelines.reporting.gantt import draw_gantt, text_gantt
from pharma_pipelines.reporting.kpis import schedule_kpis
from pharma_pipelines.resources import SolverResource, WarehouseResource
from pharma_pipelines.scheduling import (
    Schedule,
    ScheduleStatus,
    SchedulingProblem,
    check_schedule,
    solve,
)
from pharma_pipelines.translation.curated_to_problem import TranslationError, build_instance
from pharma_pipelines.warehouse.models import (
    CuratedChangeover,
    CuratedLine,
    CuratedLineEligibility,
    CuratedProduct,
    CuratedProductionOrder,
    PlanningSchedule,
)
from pharma_pipelines.warehouse.planning_repository import (
    PlanningRepository,
    ScheduleLineToStore,
)

SOLVED = (ScheduleStatus.OPTIMAL, ScheduleStatus.FEASIBLE)
MAX_RUN_DAYS = 31


@dg.asset(
    key=PROBLEM_KEY,
    deps=[
        curated_key("production_orders"),
        curated_key("products"),
        curated_key("lines"),
        curated_key("line_eligibility"),
        curated_key("changeovers"),
    ],
    group_name="planning",
    kinds={"python", "pydantic"},
    owners=[OWNER],
    tags={"layer": "planning"},
    description=(
        "The production scheduling problem built from the curated tables: open orders with "
        "release and due times, eligible lines with processing times, sequence-dependent "
        "changeovers and line calendars, as a validated model kept by content hash."
    ),
)
def scheduling_problem(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, solver: SolverResource
) -> dg.MaterializeResult:
    curated = warehouse.curated()
    try:
        translation = build_instance(
            orders=curated.frame(CuratedProductionOrder),
            products=curated.frame(CuratedProduct),
            lines=curated.frame(CuratedLine),
            eligibility=curated.frame(CuratedLineEligibility),
            changeovers=curated.frame(CuratedChangeover),
            timezone=solver.plant_timezone,
            horizon_slack_days=solver.horizon_slack_days,
        )
    except TranslationError as error:
        raise dg.Failure(
            description=f"the curated tables do not form a scheduling problem: {error}"
        ) from error
    try:
        problem = SchedulingProblem.model_validate(
            {**translation.instance, "plan_start": translation.plan_start}
        )
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in e['loc'])}: {e['msg']}" for e in error.errors()[:5]
        )
        raise dg.Failure(
            description=f"the curated tables give an invalid scheduling problem: {problems}"
        ) from error
    digest = problem.content_hash()
    warehouse.planning().save_problem(
        digest, problem.model_dump(mode="json"), len(problem.orders), context.run.run_id
    )
    context.log.info(
        "problem %s: %d orders on %d lines, %d products, horizon %d min, %d orders excluded",
        digest[:12],
        len(problem.orders),
        len(problem.lines),
        len(problem.products),
        problem.horizon,
        len(translation.excluded),
    )
    excluded = pd.DataFrame([vars(e) for e in translation.excluded])
    return dg.MaterializeResult(
        metadata={
            "content_hash": digest,
            "plan_start": translation.plan_start.isoformat(),
            "orders": len(problem.orders),
            "lines": len(problem.lines),
            "products": len(problem.products),
            "horizon_minutes": problem.horizon,
            "orders_excluded": len(translation.excluded),
            "excluded": dg.MetadataValue.md(markdown_table(excluded)),
        }
    )


def _latest_problem(warehouse: WarehouseResource) -> SchedulingProblem:
    stored = warehouse.planning().latest_problem()
    if stored is None:
        raise dg.Failure(description="no scheduling problem has been materialized yet")
    return SchedulingProblem.model_validate(stored.problem)


@dg.asset_check(
    asset=PROBLEM_KEY,
    blocking=True,
    description="Every open production order made it into the problem (none excluded).",
)
def all_open_orders_are_schedulable(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    problem = _latest_problem(warehouse)
    orders = warehouse.curated().frame(CuratedProductionOrder)
    open_orders = orders[orders["is_open"].astype(bool)] if not orders.empty else orders
    included = {order.id for order in problem.orders}
    missing = open_orders[~open_orders["order"].isin(included)][["order", "material"]]
    return to_check_result(
        ratio_at_most(
            "every open order is in the problem",
            missing,
            len(open_orders),
            0.0,
            "open orders left out",
        ),
        ERROR,
    )


@dg.asset_check(
    asset=PROBLEM_KEY,
    blocking=True,
    description=(
        f"Every order runs at most {MAX_RUN_DAYS} days on its fastest line: a longer run "
        "means a mistyped quantity or rate, and would distort the whole plan."
    ),
)
def run_times_are_plausible(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    problem = _latest_problem(warehouse)
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
        ERROR,
    )


@dg.asset(
    key=SCHEDULE_KEY,
    deps=[PROBLEM_KEY],
    group_name="planning",
    kinds={"python", "mip"},
    owners=[OWNER],
    tags={"layer": "planning"},
    description=(
        "The optimised production schedule: for each open order its line, start, end and "
        "the changeover before it, solved by CBC (python-mip) minimising weighted "
        "tardiness plus changeover time, verified by an independent checker. Metadata "
        "carries the solver status, objective, bound and gap, the KPIs with their "
        "definitions, and a Gantt chart as a picture (a PNG copy is kept under the Dagster "
        "instance's storage folder, `gantt_png`) and as text."
    ),
)
def production_schedule(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, solver: SolverResource
) -> dg.MaterializeResult:
    problem = _latest_problem(warehouse)
    schedule = _solve(context, problem, solver)
    report = check_schedule(problem, schedule) if schedule.status in SOLVED else None
    verified = report is not None and report.feasible
    context.log.info(
        "status %s, objective %s, bound %s, gap %s, %.1f s, verified %s",
        schedule.status.value,
        schedule.objective,
        schedule.bound,
        schedule.gap,
        schedule.solve_seconds,
        verified,
    )

    least_bad = None
    if schedule.status is ScheduleStatus.INFEASIBLE:
        least_bad = _least_bad_plan(context, problem, solver)
        context.log.info("least-bad plan: %s", least_bad.note)

    lines = _schedule_lines(problem, schedule) if verified else []
    planning = warehouse.planning()
    schedule_id = planning.save_schedule(
        problem_hash=problem.content_hash(),
        status=schedule.status.value,
        objective=schedule.objective,
        bound=schedule.bound,
        gap=schedule.gap,
        solve_seconds=schedule.solve_seconds,
        verified=verified,
        schedule=schedule.model_dump(mode="json"),
        lines=lines,
        run_id=context.run.run_id,
        least_bad_plan=least_bad.to_json() if least_bad else None,
    )
    changes, compared_with = _what_moved(planning, schedule_id, problem, schedule, verified)
    context.log.info("compared with %s", compared_with)

    kpis = schedule_kpis(problem, schedule) if verified else None
    picture = (
        draw_gantt(
            problem,
            schedule,
            timezone=solver.plant_timezone,
            title=f"{problem.name}: {schedule.status.value}, objective {schedule.objective}",
        )
        if verified
        else None
    )
    gantt_png = keep_picture(context, picture, "production_schedule")
    return dg.MaterializeResult(
        metadata={
            "status": schedule.status.value,
            "verified": verified,
            "objective": schedule.objective,
            "bound": schedule.bound,
            "gap": schedule.gap,
            "solve_seconds": round(schedule.solve_seconds, 2),
            "time_limit_s": schedule.time_limit_s,
            "threads": schedule.threads,
            "seed": schedule.seed,
            "solver": schedule.solver,
            "message": schedule.message,
            "problem_hash": problem.content_hash(),
            **kpi_metadata(kpis),
            **gantt_metadata(picture, gantt_png),
            "gantt_text": dg.MetadataValue.md(
                text_gantt(problem, schedule) if verified else NO_SCHEDULE
            ),
            "schedule": dg.MetadataValue.md(schedule_table(lines)),
            **changes_metadata(changes, compared_with, solver.plant_timezone),
            **(
                least_bad_metadata(context, problem, least_bad, solver.plant_timezone)
                if least_bad
                else {}
            ),
            "dagster/row_count": len(lines),
        }
    )


def _solve(
    context: dg.AssetExecutionContext, problem: SchedulingProblem, solver: SolverResource
) -> Schedule:
    context.log.info(
        "solving %s: %d orders on %d lines, limit %.1f s, %d thread(s), seed %d",
        problem.name,
        len(problem.orders),
        len(problem.lines),
        solver.time_limit_s,
        solver.threads,
        solver.seed,
    )
    return solve(
        problem, time_limit_s=solver.time_limit_s, threads=solver.threads, seed=solver.seed
    )


def _least_bad_plan(
    context: dg.AssetExecutionContext, problem: SchedulingProblem, solver: SolverResource
) -> LeastBadPlan:
    """The plan with the deadlines softened, when that may help; the note says why not."""
    if not solver.soften_deadlines:
        return LeastBadPlan.without("not tried: softening deadlines is switched off")
    if not problem.has_deadlines():
        return LeastBadPlan.without(
            "not tried: the problem has no hard deadline to soften, so the conflict lies in "
            "capacity, eligibility, line windows or the horizon (see the message)"
        )
    softened = problem.with_soft_deadlines()
    schedule = _solve(context, softened, solver)
    if not schedule.status.has_schedule:
        return LeastBadPlan.without(
            f"none found: with the deadlines softened the solve ends {schedule.status.value} "
            f"({schedule.message})",
            softened,
        )
    report = check_schedule(softened, schedule)
    if not report.feasible:
        return LeastBadPlan.without(
            f"none found: the softened plan fails the checker: {report.summary()}", softened
        )
    misses = deadline_misses(problem, schedule)
    return LeastBadPlan(
        note=f"found: it misses {len(misses)} hard deadline(s) ({schedule.status.value})",
        softened=softened,
        schedule=schedule,
        misses=tuple(misses),
    )


def _what_moved(
    planning: PlanningRepository,
    schedule_id: int,
    problem: SchedulingProblem,
    schedule: Schedule,
    verified: bool,
) -> tuple[ScheduleChanges | None, str]:
    """The changes against the schedule published before this one, and which one that was."""
    previous = planning.published_before(schedule_id)
    if previous is None:
        return None, "no earlier published schedule"
    when = previous.created_at.isoformat(timespec="minutes")
    compared_with = f"schedule #{previous.id} of run {previous.run_id}, saved {when}"
    if not verified:
        return None, f"no new schedule to compare; the last published is {compared_with}"
    stored_problem = planning.problem_by_hash(previous.problem_hash)
    if stored_problem is None:
        return None, f"the problem of {compared_with} is no longer in the warehouse"
    previous_problem = SchedulingProblem.model_validate(stored_problem.problem)
    previous_schedule = Schedule.model_validate(previous.schedule)
    changes = compare_placements(
        placements(previous_problem, previous_schedule), placements(problem, schedule)
    )
    return changes, compared_with


def _at(problem: SchedulingProblem, minute: int) -> dt.datetime:
    start = problem.plan_start or dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return start + dt.timedelta(minutes=minute)


def _schedule_lines(problem: SchedulingProblem, schedule: Schedule) -> list[ScheduleLineToStore]:
    orders = {order.id: order for order in problem.orders}
    rows: list[ScheduleLineToStore] = []
    by_line: dict[str, list] = {}
    for item in sorted(schedule.assignments, key=lambda a: (a.line, a.start)):
        by_line.setdefault(item.line, []).append(item)
    for line, items in by_line.items():
        for sequence, item in enumerate(items, start=1):
            order = orders[item.order]
            rows.append(
                ScheduleLineToStore(
                    order=item.order,
                    material=order.product,
                    line=line,
                    sequence=sequence,
                    start_at=_at(problem, item.start),
                    end_at=_at(problem, item.end),
                    changeover_minutes=item.setup_before,
                    due_at=_at(problem, order.due),
                    tardiness_minutes=max(0, item.end - order.due),
                )
            )
    return rows


def _latest_schedule_check(
    warehouse: WarehouseResource,
) -> tuple[SchedulingProblem, Schedule, PlanningSchedule]:
    """The latest schedule with the problem it solved (by its hash, not the latest problem)."""
    planning = warehouse.planning()
    stored = planning.latest_schedule()
    if stored is None:
        raise dg.Failure(description="no production schedule has been materialized yet")
    stored_problem = planning.problem_by_hash(stored.problem_hash)
    if stored_problem is None:
        raise dg.Failure(
            description=f"the problem {stored.problem_hash[:12]} of schedule #{stored.id} is "
            "not in the warehouse"
        )
    problem = SchedulingProblem.model_validate(stored_problem.problem)
    return problem, Schedule.model_validate(stored.schedule), stored


@dg.asset_check(
    asset=SCHEDULE_KEY,
    blocking=True,
    description=(
        "The independent checker finds no violation: every order once on an eligible "
        "line, releases, changeovers, calendars, deadlines and horizon respected, objective "
        "recomputed. A least-bad plan (deadlines softened) never passes: it is not a schedule."
    ),
)
def schedule_is_feasible(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    problem, schedule, stored = _latest_schedule_check(warehouse)
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
        return to_check_result(outcome, ERROR)
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
    return to_check_result(outcome, ERROR)


@dg.asset_check(
    asset=SCHEDULE_KEY,
    description="Orders finish by their due date (late orders are listed with their delay).",
)
def orders_finish_on_time(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    problem, schedule, _stored = _latest_schedule_check(warehouse)
    orders = {order.id: order for order in problem.orders}
    late = pd.DataFrame(
        [
            {
                "order": a.order,
                "line": a.line,
                "late_hours": round((a.end - orders[a.order].due) / 60, 1),
            }
            for a in schedule.assignments
            if a.end > orders[a.order].due
        ]
    )
    return to_check_result(
        ratio_at_most("orders finish on time", late, len(schedule.assignments), 0.1, "orders late"),
        WARN,
    )


planning_assets: Sequence[dg.AssetsDefinition] = [scheduling_problem, production_schedule]
planning_checks = [
    all_open_orders_are_schedulable,
    run_times_are_plausible,
    schedule_is_feasible,
    orders_finish_on_time,
]
