"""Read check evaluations, with their metadata, back from a Dagster instance."""

from __future__ import annotations

from collections.abc import Iterable
from io import StringIO

import dagster as dg
import pandas as pd

from pharma_pipelines.runner import RunSummary


def evaluations(
    instance: dg.DagsterInstance, run_ids: Iterable[str]
) -> dict[str, dg.AssetCheckEvaluation]:
    """``asset:check`` -> its evaluation, over the given runs (later runs win)."""
    found: dict[str, dg.AssetCheckEvaluation] = {}
    for run_id in run_ids:
        for record in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION):
            event = record.dagster_event
            assert event is not None
            evaluation = event.event_specific_data
            assert isinstance(evaluation, dg.AssetCheckEvaluation)
            found[f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"] = evaluation
    return found


def summary_evaluations(
    instance: dg.DagsterInstance, summary: RunSummary
) -> dict[str, dg.AssetCheckEvaluation]:
    return evaluations(instance, [summary.run_id, *summary.plant_runs.values()])


def value(evaluation: dg.AssetCheckEvaluation, name: str):
    return evaluation.metadata[name].value


def failing_rows(evaluation: dg.AssetCheckEvaluation) -> pd.DataFrame:
    """The Markdown table of failing rows as a frame of text (empty when none failed)."""
    text = value(evaluation, "failing_rows")
    if not text.startswith("|"):
        return pd.DataFrame()
    lines = [line for i, line in enumerate(text.splitlines()) if i != 1]
    table = "\n".join(line.strip().strip("|") for line in lines)
    frame = pd.read_csv(StringIO(table), sep="|", dtype=str, keep_default_na=False)
    frame.columns = [c.strip() for c in frame.columns]
    return frame.apply(lambda column: column.str.strip())
