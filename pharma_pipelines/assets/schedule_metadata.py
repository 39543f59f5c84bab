"""Metadata sections of the production schedule: KPIs, Gantt picture, what moved, least-bad plan.

The numbers come from :mod:`pharma_pipelines.reporting`; this module only shapes them into
Dagster metadata, so that the asset function reads as the steps it takes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pandas as pd

from pharma_pipelines.assets.checks_support import markdown_table
from pharma_pipelines.reporting.changes import ScheduleChanges
from pharma_pipelines.reporting.deadlines import LeastBadPlan, miss_rows
from pharma_pipelines.reporting.gantt import GanttPicture, draw_gantt
from pharma_pipelines.reporting.kpis import KPI_DEFINITIONS, ScheduleKpis, schedule_kpis
from pharma_pipelines.scheduling import Schedule, SchedulingProblem
from pharma_pipelines.warehouse.planning_repository import ScheduleLineToStore

NO_SCHEDULE = "_no schedule_"
KPI_SERIES = (
    "weighted_tardiness_hours",
    "on_time_share",
    "changeover_hours",
    "makespan_hours",
    "utilisation",
)
"""Headline KPIs also given as plain numbers, which the UI plots across materializations."""


def kpi_metadata(kpis: ScheduleKpis | None) -> dict[str, dg.RawMetadataValue]:
    if kpis is None:
        return {
            "kpis": dg.MetadataValue.json({}),
            "kpi_definitions": KPI_DEFINITIONS,
            "line_use": dg.MetadataValue.md(NO_SCHEDULE),
        }
    values = kpis.as_dict()
    return {
        "kpis": dg.MetadataValue.json(values),
        "kpi_definitions": KPI_DEFINITIONS,
        "line_use": dg.MetadataValue.md(markdown_table(pd.DataFrame(kpis.line_rows()))),
        **{f"kpi/{name}": float(values[name]) for name in KPI_SERIES if values[name] is not None},
    }


def keep_picture(
    context: dg.AssetExecutionContext, picture: GanttPicture | None, name: str
) -> Path | None:
    """Write the chart under the instance's storage folder, where a user can open it."""
    if picture is None:
        return None
    folder = Path(context.instance.storage_directory()) / "planning" / "gantt"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{context.run.run_id}.png"
    path.write_bytes(picture.png)
    return path


def gantt_metadata(
    picture: GanttPicture | None, path: Path | None, key: str = "gantt"
) -> dict[str, dg.RawMetadataValue]:
    if picture is None:
        return {key: dg.MetadataValue.md(NO_SCHEDULE)}
    return {
        key: dg.MetadataValue.md(picture.markdown(f"{key.replace('_', ' ')} chart")),
        **({f"{key}_png": dg.MetadataValue.path(str(path))} if path else {}),
    }


def changes_metadata(
    changes: ScheduleChanges | None, compared_with: str, timezone: str
) -> dict[str, dg.RawMetadataValue]:
    """What moved against the last published schedule: counts and one row per changed order."""
    if changes is None:
        return {
            "compared_with": compared_with,
            "changes": dg.MetadataValue.json({}),
            "what_moved": dg.MetadataValue.md(f"_{compared_with}_"),
        }
    rows = pd.DataFrame(changes.rows(timezone))
    return {
        "compared_with": compared_with,
        "changes": dg.MetadataValue.json(changes.counts()),
        "what_moved": dg.MetadataValue.md(
            markdown_table(rows) if not rows.empty else "_nothing moved_"
        ),
    }


def schedule_table(lines: Sequence[ScheduleLineToStore]) -> str:
    table = pd.DataFrame(
        [
            {
                "order": line.order,
                "material": line.material,
                "line": line.line,
                "start": line.start_at.isoformat(timespec="minutes"),
                "end": line.end_at.isoformat(timespec="minutes"),
                "changeover_min": line.changeover_minutes,
                "tardiness_min": line.tardiness_minutes,
            }
            for line in lines
        ]
    )
    return markdown_table(table)


def least_bad_metadata(
    context: dg.AssetExecutionContext,
    problem: SchedulingProblem,
    plan: LeastBadPlan,
    timezone: str,
) -> dict[str, dg.RawMetadataValue]:
    """The least-bad plan, marked as such: what it is, the deadlines it misses, its chart.

    Its KPIs are measured against the real problem (due dates as they are), so they can be
    set beside those of an earlier published schedule.
    """
    summary = dg.MetadataValue.json(plan.summary())
    if plan.schedule is None:
        return {
            "least_bad_plan": dg.MetadataValue.md(f"**No least-bad plan**: {plan.note}."),
            "least_bad_plan_summary": summary,
        }
    schedule = plan.schedule
    misses = pd.DataFrame(miss_rows(problem, list(plan.misses), timezone))
    banner = (
        f"LEAST-BAD PLAN, NOT A VALID SCHEDULE: deadlines softened, "
        f"{len(plan.misses)} missed (outlined red where late against the due date)"
    )
    picture = draw_gantt(
        problem, schedule, timezone=timezone, title=f"{problem.name}: INFEASIBLE", banner=banner
    )
    path = keep_picture(context, picture, "least_bad_plan")
    text = "\n\n".join(
        [
            "**Least-bad plan: not a valid schedule.** The hard deadlines cannot all be met, "
            "so no schedule is published. This plan treats each deadline as a due date that "
            "outweighs everything else, so it misses the deadlines by as little as the "
            "solver found; every other rule holds. Deadlines it misses:",
            markdown_table(misses),
            "The plan:",
            markdown_table(pd.DataFrame(plan_rows(problem, schedule, timezone))),
        ]
    )
    return {
        "least_bad_plan": dg.MetadataValue.md(text),
        "least_bad_plan_summary": summary,
        "least_bad_plan_kpis": dg.MetadataValue.json(schedule_kpis(problem, schedule).as_dict()),
        **gantt_metadata(picture, path, key="least_bad_plan_gantt"),
    }


def plan_rows(problem: SchedulingProblem, schedule: Schedule, timezone: str) -> list[dict]:
    zone = ZoneInfo(timezone)

    def at(minute: int) -> str:
        return problem.to_datetime(minute).astimezone(zone).isoformat(timespec="minutes")

    rows = []
    for item in sorted(schedule.assignments, key=lambda a: (a.line, a.start)):
        order = problem.order(item.order)
        rows.append(
            {
                "order": item.order,
                "line": item.line,
                "start": at(item.start),
                "end": at(item.end),
                "changeover_min": item.setup_before,
                "tardiness_min": max(0, item.end - order.due),
                "deadline": "" if order.deadline is None else at(order.deadline),
                "deadline_missed_by_min": (
                    max(0, item.end - order.deadline) if order.deadline is not None else ""
                ),
            }
        )
    return rows
