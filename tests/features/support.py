"""Helpers of the feature steps: run the product as its users do and read what it recorded.

Everything here goes through the product's own entry points (the definitions' jobs, the
command line's ``main``, the warehouse repositories) and reads the records they leave.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from pharma_pipelines.cli import main
from pharma_pipelines.definitions import build_definitions
from pharma_pipelines.resources import WarehouseResource
from pharma_pipelines.runner import CheckSummary
from pharma_pipelines.settings import PlatformSettings
from tests.integration.planning_plants import PlantData
from tests.plant_runs import PlantRun

QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
"""Run config that keeps Dagster's console log to warnings: the scenarios read the records."""
_TARGET = re.compile(r"^(?P<asset>[^:\[\]]+)(?:\[(?P<partition>[^\]]+)\])?:(?P<check>[^:]+)$")


@dataclass(frozen=True)
class CheckTarget:
    key: dg.AssetCheckKey
    partition: str | None

    @property
    def label(self) -> str:
        asset = self.key.asset_key.to_user_string()
        where = f"{asset}[{self.partition}]" if self.partition else asset
        return f"{where}:{self.key.name}"


def check_target(text: str) -> CheckTarget:
    """``curated/batches:batch_is_unique`` or ``planning/x[0100]:check`` as a check key."""
    match = _TARGET.match(text)
    assert match, f"{text!r} is not asset:check or asset[partition]:check"
    asset = dg.AssetKey(match["asset"].split("/"))
    return CheckTarget(dg.AssetCheckKey(asset, match["check"]), match["partition"])


def summary_check(run: PlantRun, target: str) -> CheckSummary:
    """The check's result in the run's summary (its first run, or its plant's run)."""
    found = [c for c in run.summary.checks if c.target == check_target(target).label]
    assert len(found) == 1, f"{target}: {len(found)} results in the run summary"
    return found[0]


def failing_rows(details_or_markdown: object) -> list[dict[str, str]]:
    """The failing rows a check reported (a Markdown table), as dictionaries of text."""
    text = str(details_or_markdown)
    lines = [line.strip() for line in text.splitlines() if line.strip().startswith("|")]
    if len(lines) < 2:
        return []
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = []
    for line in lines[2:]:
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip("|"))]
        rows.append(dict(zip(header, cells, strict=False)))
    return rows


def global_job(settings: PlatformSettings) -> dg.JobDefinition:
    return build_definitions(settings).resolve_implicit_global_asset_job_def()


def materialize(
    settings: PlatformSettings,
    instance: dg.DagsterInstance,
    keys: list[dg.AssetKey],
    partition: str | None = None,
    tags: dict[str, str] | None = None,
) -> dg.ExecuteInProcessResult:
    """Materialize ``keys`` (with their checks) through the definitions' global job."""
    return global_job(settings).execute_in_process(
        instance=instance,
        asset_selection=keys,
        partition_key=partition,
        tags=tags,
        raise_on_error=False,
        run_config=QUIET,
    )


def run_check(
    settings: PlatformSettings,
    instance: dg.DagsterInstance,
    target: str,
    partition: str | None = None,
) -> dg.AssetCheckEvaluation:
    """Evaluate one check alone, as the UI's "execute check" does."""
    key = check_target(target).key
    job = global_job(settings).get_subset(asset_selection=set(), asset_check_selection={key})
    result = job.execute_in_process(
        instance=instance, partition_key=partition, raise_on_error=False, run_config=QUIET
    )
    [evaluation] = result.get_asset_check_evaluations()
    return evaluation


def materialized(result: dg.ExecuteInProcessResult) -> set[str]:
    return {
        event.asset_key.to_user_string()
        for event in result.get_asset_materialization_events()
        if event.asset_key is not None
    }


def failure_message(result: dg.ExecuteInProcessResult) -> str:
    """What the run's failed step said (the description of the failure it raised)."""
    messages = []
    for event in result.get_step_failure_events():
        data = event.step_failure_data
        if data.user_failure_data is not None and data.user_failure_data.description:
            messages.append(data.user_failure_data.description)
        elif data.error is not None:
            messages.append(data.error.to_string())
    return "\n".join(messages)


@dataclass(frozen=True)
class CommandResult:
    args: tuple[str, ...]
    exit_code: int
    out: str
    err: str


def run_command(capsys: pytest.CaptureFixture[str], *args: str) -> CommandResult:
    """``pharma-pipelines ARGS`` in this process, with what it printed."""
    capsys.readouterr()
    code = main(list(args))
    printed = capsys.readouterr()
    return CommandResult(tuple(args), code, printed.out, printed.err)


def landed_files(landing: Path) -> set[str]:
    return {p.relative_to(landing).as_posix() for p in landing.rglob("*") if p.is_file()}


@dataclass
class SmallPlant:
    """A hand-made curated warehouse of one small plant and the instance it is checked in."""

    settings: PlatformSettings
    instance: dg.DagsterInstance
    data: PlantData

    @property
    def warehouse(self) -> WarehouseResource:
        return WarehouseResource(url=self.settings.warehouse_url)
