"""Metadata sections of the production schedule asset: KPIs, Gantt picture, what moved.

The numbers come from :mod:`pharma_pipelines.reporting`; this module only shapes them into
Dagster metadata, so that the asset function reads as the steps it takes.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pandas as pd

from pharma_pipelines.assets.checks_support import markdown_table
from pharma_pipelines.reporting.changes import ScheduleChanges
from pharma_pipelines.reporting.gantt import GanttPicture
from pharma_pipelines.reporting.kpis import KPI_DEFINITIONS, ScheduleKpis

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
