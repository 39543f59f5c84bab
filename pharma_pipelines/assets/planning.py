"""Planning assets: each plant's scheduling problem and its optimised production schedule.

``planning/scheduling_problem`` turns the curated tables into a validated problem per plant
(kept in the warehouse by plant and content hash); ``planning/production_schedule`` solves
it with CBC and publishes the schedule only after an independent checker has verified it.

Both are partitioned by plant (SAP WERKS) with a static partitions definition built from
the ``PHARMA_PLANTS`` setting, so each plant is solved in a run of its own and plants can be
solved in parallel runs. Static rather than dynamic partitions: the set of plants a planner
owns changes by decision, not by what lands in an extract, and a mistyped plant key in one
file must not become a partition of its own. The check
``curated/production_orders:open_orders_belong_to_a_planned_plant`` names every open order
of a plant that is not planned, so none vanishes silently.

Both refuse to build while a blocking check upstream of them has most recently failed and no
data steward accepted that failure for the data it judged (``dispositions.holds``): a plant
is planned in a run of its own, after the run that rebuilt the curated tables, and Dagster's
blocking stops steps only inside one run.
"""

import datetime as dt
import warnings
from collections.abc import Callable, Sequence

import dagster as dg
import pandas as pd
from pydantic import ValidationError

from pharma_pipelines.assets import planning_checks as checks
from pharma_pipelines.assets.automation import problem_condition, schedule_condition
from pharma_pipelines.assets.checks_support import markdown_table, policy_args
from pharma_pipelines.assets.dispositions import Guard, Hold, held_back_message, holds
from pharma_pipelines.assets.planning_checks import SOLVED, latest_problem, schedule_version
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
from pharma_pipelines.quality.policy import CheckFamily
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
)
from pharma_pipelines.warehouse.planning_repository import (
    PlanningRepository,
    ScheduleLineToStore,
)

# curated/batches feeds no number into the problem: the model has no material availability
# (no bill of materials is read, so released stock constrains nothing). It is an input all
# the same, so that a batch table failing its blocking release checks holds the plan back,
# in the same run and in later ones: a plant must not be planned while its quality records
# say a batch was released against a standing out-of-specification result.
DEFAULT_PLANNING_CRON = "0 5 * * *"
SOLVE_POOL = "planning_solve"

PROBLEM_DEPS = [
    curated_key("production_orders"),
    curated_key("products"),
    curated_key("lines"),
    curated_key("line_eligibility"),
    curated_key("changeovers"),
    curated_key("batches"),
]


def _guarded(
    subject: str,
    build: Callable[..., dg.MaterializeResult],
    guards: Sequence[Guard],
) -> Callable[..., dg.MaterializeResult]:
    """``build``, refusing to run while one of ``guards`` holds the plant back."""

    def guarded(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, solver: SolverResource
    ) -> dg.MaterializeResult:
        found = holds(context.instance, warehouse.dispositions(), guards, context.partition_key)
        if found:
            raise dg.Failure(
                description=held_back_message(
                    f"the {subject} of plant {context.partition_key}", found
                ),
                metadata={
                    "held_back_by": [hold.evaluation.target for hold in found],
                    "evaluations": dg.MetadataValue.md(_holds_table(found)),
                },
            )
        return build(context, warehouse, solver)

    return guarded


def _holds_table(found: Sequence[Hold]) -> str:
    rows = pd.DataFrame(
        [
            {
                "check": hold.evaluation.target,
                "evaluation": hold.evaluation.describe(),
                "result": hold.evaluation.description,
                "why held": hold.why,
                "to accept": hold.command(),
            }
            for hold in found
        ]
    )
    return markdown_table(rows)


def build_problem(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, solver: SolverResource
) -> dg.MaterializeResult:
    plant = context.partition_key
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
            plant=plant,
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
        plant, digest, problem.model_dump(mode="json"), len(problem.orders), context.run.run_id
    )
    context.log.info(
        "plant %s, problem %s: %d orders on %d lines, %d products, horizon %d min, "
        "%d orders excluded",
        plant,
        digest[:12],
        len(problem.orders),
        len(problem.lines),
        len(problem.products),
        problem.horizon,
        len(translation.excluded),
    )
    excluded = pd.DataFrame([vars(e) for e in translation.excluded])
    return dg.MaterializeResult(
        data_version=dg.DataVersion(digest),
        metadata={
            "plant": plant,
            "content_hash": digest,
            "plan_start": translation.plan_start.isoformat(),
            "orders": len(problem.orders),
            "lines": len(problem.lines),
            "products": len(problem.products),
            "horizon_minutes": problem.horizon,
            "orders_excluded": len(translation.excluded),
            "excluded": dg.MetadataValue.md(markdown_table(excluded)),
        },
    )


def production_schedule(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, solver: SolverResource
) -> dg.MaterializeResult:
    plant = context.partition_key
    problem = latest_problem(warehouse, plant)
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
        plant=plant,
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
    changes, compared_with = _what_moved(planning, plant, schedule_id, problem, schedule, verified)
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
    gantt_png = keep_picture(context, picture, f"production_schedule-{plant}")
    return dg.MaterializeResult(
        data_version=dg.DataVersion(schedule_version(problem.content_hash(), schedule)),
        metadata={
            "plant": plant,
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
        },
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
    plant: str,
    schedule_id: int,
    problem: SchedulingProblem,
    schedule: Schedule,
    verified: bool,
) -> tuple[ScheduleChanges | None, str]:
    """The changes against the plant's schedule published before this one, and which that was."""
    previous = planning.published_before(plant, schedule_id)
    if previous is None:
        return None, "no earlier published schedule"
    when = previous.created_at.isoformat(timespec="minutes")
    compared_with = f"schedule #{previous.id} of run {previous.run_id}, saved {when}"
    if not verified:
        return None, f"no new schedule to compare; the last published is {compared_with}"
    stored_problem = planning.problem_by_hash(plant, previous.problem_hash)
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


def planning_definitions(
    plants: Sequence[str],
    upstream_checks: Sequence[dg.AssetsDefinition] = (),
    cron: str = DEFAULT_PLANNING_CRON,
    timezone: str = "Europe/Berlin",
) -> tuple[list[dg.AssetsDefinition], list[dg.AssetChecksDefinition]]:
    """The planning assets and their checks, partitioned by ``plants``.

    Automation rebuilds each plant's problem on ``cron`` (in ``timezone``) and when the
    production orders change, and solves each new problem (``assets.automation``).

    The problem refuses to build while a blocking check among ``upstream_checks`` on one of
    its inputs has most recently failed, unless a data steward accepted that failure; the
    schedule likewise, and also on the problem's own blocking checks for its plant (a run may
    solve the stored problem without building it again).
    """
    partitions = dg.StaticPartitionsDefinition(list(plants))
    with warnings.catch_warnings():
        # Partitioned asset checks are a preview in Dagster 1.13 and warn when defined. We
        # opt in on purpose, so that each plant has its own check results; drop this guard
        # once Dagster no longer marks AssetCheckSpec.partitions_def as preview.
        warnings.filterwarnings("ignore", category=dg.PreviewWarning)
        plant_checks = [
            dg.asset_check(
                asset=PROBLEM_KEY,
                partitions_def=partitions,
                description="Every open production order of the plant made it into its problem.",
                **policy_args(CheckFamily.SCHEDULE_FEASIBILITY),
            )(checks.all_open_orders_are_schedulable),
            dg.asset_check(
                asset=PROBLEM_KEY,
                name="inputs_are_fresh",
                partitions_def=partitions,
                description=(
                    "The extracts the problem was built from are recent enough: for each input "
                    "(production orders, material master, work centers, production versions, "
                    "changeover matrix by default) the oldest extract whose rows are still in "
                    "use is at most its limit (PHARMA_FRESHNESS_LIMITS_HOURS) older than the "
                    "plan time (PHARMA_PLAN_TIME; by default the newest extract among the "
                    "inputs). A stale input holds the solve back."
                ),
                **policy_args(CheckFamily.INPUT_FRESHNESS),
            )(checks.inputs_are_fresh_check),
            dg.asset_check(
                asset=PROBLEM_KEY,
                partitions_def=partitions,
                description=(
                    f"Every order runs at most {checks.MAX_RUN_DAYS} days on its fastest line: "
                    "a longer run means a mistyped quantity or rate, and would distort the "
                    "whole plan."
                ),
                **policy_args(CheckFamily.SCHEDULE_FEASIBILITY),
            )(checks.run_times_are_plausible),
            dg.asset_check(
                asset=SCHEDULE_KEY,
                partitions_def=partitions,
                description=(
                    "The independent checker finds no violation: every order once on an "
                    "eligible line, releases, changeovers, calendars, deadlines and horizon "
                    "respected, objective recomputed. A least-bad plan (deadlines softened) "
                    "never passes: it is not a schedule."
                ),
                **policy_args(CheckFamily.SCHEDULE_FEASIBILITY),
            )(checks.schedule_is_feasible),
            dg.asset_check(
                asset=SCHEDULE_KEY,
                partitions_def=partitions,
                description=(
                    "Orders finish by their due date (late orders are listed with their delay)."
                ),
                **policy_args(CheckFamily.TREND),
            )(checks.orders_finish_on_time),
        ]
    problem_guards = sorted(
        (
            Guard(spec.key, partitioned=False)
            for definition in upstream_checks
            for spec in definition.check_specs
            if spec.blocking and spec.asset_key in PROBLEM_DEPS
        ),
        key=lambda guard: guard.key.to_user_string(),
    )
    schedule_guards = [
        *problem_guards,
        *(
            Guard(spec.key, partitioned=True)
            for definition in plant_checks
            for spec in definition.check_specs
            if spec.blocking and spec.asset_key == PROBLEM_KEY
        ),
    ]
    problem_asset = dg.asset(
        key=PROBLEM_KEY,
        deps=PROBLEM_DEPS,
        partitions_def=partitions,
        automation_condition=problem_condition(cron, timezone),
        group_name="planning",
        kinds={"python", "pydantic"},
        owners=[OWNER],
        tags={"layer": "planning"},
        description=(
            "A plant's production scheduling problem built from the curated tables: its open "
            "orders with release and due times, its eligible lines with processing times, "
            "sequence-dependent changeovers and line calendars, as a validated model kept by "
            "plant and content hash. One partition per plant (SAP WERKS, PHARMA_PLANTS). "
            "Not built while a blocking check on these inputs (the batch release table "
            "included) has most recently failed and no data steward accepted the failure."
        ),
    )(_guarded("problem", build_problem, problem_guards))
    schedule_asset = dg.asset(
        key=SCHEDULE_KEY,
        deps=[PROBLEM_KEY],
        partitions_def=partitions,
        automation_condition=schedule_condition(),
        # Solves share one pool: `dagster instance concurrency set planning_solve N` caps
        # how many run at once on an instance; one per plant is the run queue's rule.
        pool=SOLVE_POOL,
        group_name="planning",
        kinds={"python", "mip"},
        owners=[OWNER],
        tags={"layer": "planning"},
        description=(
            "A plant's optimised production schedule: for each open order its line, start, "
            "end and the changeover before it, solved by CBC (python-mip) minimising weighted "
            "tardiness plus changeover time, verified by an independent checker. Metadata "
            "carries the solver status, objective, bound and gap, the KPIs with their "
            "definitions (kpi_definitions), a Gantt chart as a picture (a PNG copy under the "
            "Dagster instance's storage folder, gantt_png) and as text, and what moved "
            "against the plant's previously published schedule. When hard deadlines make "
            "the problem INFEASIBLE, least_bad_plan shows the plan with the deadlines "
            "softened, marked as not a valid schedule and never published. Not solved while "
            "a blocking check upstream has most recently failed without a steward's accept."
        ),
    )(_guarded("schedule", production_schedule, schedule_guards))
    return [problem_asset, schedule_asset], [*plant_checks, checks.plant_coverage_check(plants)]
