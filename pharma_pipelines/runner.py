"""Materialize the whole asset graph in process and summarise what happened.

Used by the command line; the UI runs the same definitions through the webserver. The
summary is what a user needs after a run: which assets were materialized, how the checks
came out, how every landed file was accounted for, and each plant's schedule and KPIs.

The graph runs in several runs: one for everything that is not partitioned (landing, raw,
curated), then one per planned plant for the planning assets, which are partitioned by
plant. A blocking check stops downstream steps only inside its own run, so before the
plant runs start this module looks at the first run itself: when an asset upstream of
planning was not materialized or failed a blocking check, the plants are not planned.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg

from pharma_pipelines.assets.dispositions import (
    RECORD_JOB,
    CheckCatalog,
    DispositionRefused,
    DispositionRequest,
    FailedCheck,
    disposition_run_config,
    failed_checks,
)
from pharma_pipelines.definitions import build_definitions, landing_zone
from pharma_pipelines.resources import LandingZone, WarehouseResource
from pharma_pipelines.settings import DEFAULT_DATA_DIR, PlatformSettings
from pharma_pipelines.warehouse.database import WarehouseSchemaError
from pharma_pipelines.warehouse.disposition_repository import Disposition

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_RUN_FAILED = 2


@dataclass
class CheckSummary:
    """One check's result; ``details`` holds its metadata (family, measured, expected,
    failed count and total, failing rows as a Markdown table, data version)."""

    asset: str
    check: str
    severity: str
    passed: bool
    description: str
    partition: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def target(self) -> str:
        """``asset:check``, with ``[plant]`` after a partitioned asset."""
        return f"{_with_partition(self.asset, self.partition)}:{self.check}"


@dataclass
class FileAccount:
    file: str
    kind: str | None
    entity: str
    status: str
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    quarantine_reason: str | None
    loaded_in_this_run: bool = False
    notes: list[str] = field(default_factory=list)


@dataclass
class RejectedRow:
    file: str
    entity: str
    row: int
    column: str | None
    raw_value: str | None
    rule: str
    reason: str


@dataclass
class RunSummary:
    run_id: str
    success: bool
    landing_zone: str
    warehouse: str
    assets_materialized: list[str] = field(default_factory=list)
    assets_not_materialized: list[str] = field(default_factory=list)
    checks: list[CheckSummary] = field(default_factory=list)
    checks_not_run: list[str] = field(default_factory=list)
    files: list[FileAccount] = field(default_factory=list)
    rejected_rows: list[RejectedRow] = field(default_factory=list)
    plant_runs: dict[str, str] = field(default_factory=dict)
    schedules: dict[str, dict[str, Any]] = field(default_factory=dict)
    planning_held_back: str | None = None
    errors: list[str] = field(default_factory=list)
    retries: list[str] = field(default_factory=list)

    @property
    def checks_passed(self) -> int:
        return sum(1 for c in self.checks if c.passed)

    @property
    def checks_warned(self) -> int:
        return sum(1 for c in self.checks if not c.passed and c.severity == "WARN")

    @property
    def checks_failed(self) -> int:
        return sum(1 for c in self.checks if not c.passed and c.severity == "ERROR")

    @property
    def exit_code(self) -> int:
        if self.errors or not any(f.status == "loaded" for f in self.files):
            return EXIT_RUN_FAILED
        if self.checks_failed:
            return EXIT_CHECK_FAILED
        return EXIT_OK

    def to_json(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "totals": {
                "assets_materialized": len(self.assets_materialized),
                "checks_passed": self.checks_passed,
                "checks_warned": self.checks_warned,
                "checks_failed": self.checks_failed,
                "files": len({f.file for f in self.files}),
                "rows_loaded": sum(f.rows_loaded for f in self.files),
                "rows_rejected": sum(f.rows_rejected for f in self.files),
                "files_quarantined": len({f.file for f in self.files if f.status == "quarantined"}),
            },
            "exit_code": self.exit_code,
        }


def local_instance() -> dg.DagsterInstance:
    """The instance under DAGSTER_HOME, or a local one in the data folder."""
    home = Path(os.environ.get("DAGSTER_HOME") or DEFAULT_DATA_DIR / "dagster_home")
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home.resolve())
    return dg.DagsterInstance.get()


def materialize_all(
    settings: PlatformSettings,
    instance: dg.DagsterInstance,
    on_event: Callable[[str], None] = lambda _message: None,
    console_log_level: str = "CRITICAL",
) -> RunSummary:
    landing = landing_zone(settings)
    warehouse = WarehouseResource(url=settings.warehouse_url)
    summary = RunSummary(
        run_id="",
        success=False,
        landing_zone=settings.landing_zone,
        warehouse=settings.warehouse_url,
    )
    try:
        landing.describe()
        first_file = next(iter(landing.entries()), None)
    except OSError as error:
        # A folder that is not there, a bucket that is not there or refuses the listing.
        summary.errors.append(str(error))
        return summary
    if first_file is None:
        summary.errors.append(
            f"the landing zone {landing.describe()!r} holds no files: nothing could be read"
        )
        return summary

    try:
        warehouse.engine()
    except WarehouseSchemaError as error:
        summary.errors.append(str(error))
        return summary

    definitions = build_definitions(settings)
    job = definitions.resolve_implicit_global_asset_job_def()
    graph = definitions.resolve_asset_graph()
    executable = set(job.asset_layer.executable_asset_keys)
    partitioned = {key for key in executable if graph.get(key).partitions_def is not None}

    def execute(selection: set[dg.AssetKey], plant: str | None) -> dg.ExecuteInProcessResult:
        run_id = str(uuid.uuid4())
        instance.add_event_listener(run_id, lambda entry: _report_progress(entry, on_event))
        return job.execute_in_process(
            instance=instance,
            run_id=run_id,
            asset_selection=sorted(selection, key=lambda key: key.to_user_string()),
            partition_key=plant,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": console_log_level}}}},
        )

    first = execute(executable - partitioned, None)
    summary.run_id = first.run_id
    runs: list[tuple[str | None, dg.ExecuteInProcessResult]] = [(None, first)]
    summary.planning_held_back = _held_back(graph, executable, partitioned, first)
    if summary.planning_held_back is None:
        for plant in settings.plants:
            on_event(f"planning plant {plant}")
            result = execute(partitioned, plant)
            summary.plant_runs[plant] = result.run_id
            runs.append((plant, result))
    summary.success = all(result.success for _plant, result in runs)

    materialized = {
        _with_partition(event.asset_key.to_user_string(), plant)
        for plant, result in runs
        for event in result.get_asset_materialization_events()
        if event.asset_key is not None
    }
    all_keys = {key.to_user_string() for key in executable - partitioned} | {
        _with_partition(key.to_user_string(), plant)
        for key in partitioned
        for plant in settings.plants
    }
    summary.assets_materialized = sorted(materialized)
    summary.assets_not_materialized = sorted(all_keys - materialized)
    summary.checks = [
        CheckSummary(
            asset=evaluation.asset_key.to_user_string(),
            check=evaluation.check_name,
            severity=evaluation.severity.value,
            passed=evaluation.passed,
            description=evaluation.description or "",
            partition=plant if evaluation.asset_key in partitioned else None,
            details={name: _plain(entry) for name, entry in evaluation.metadata.items()},
        )
        for plant, result in runs
        for evaluation in result.get_asset_check_evaluations()
    ]
    evaluated = {check.target for check in summary.checks}
    every_check = {
        f"{_with_partition(key.asset_key.to_user_string(), plant)}:{key.name}"
        for key in job.asset_layer.asset_graph.asset_check_keys
        for plant in (settings.plants if key.asset_key in partitioned else [None])
    }
    summary.checks_not_run = sorted(every_check - evaluated)
    summary.errors = [
        f"plant {plant}: {error}" if plant else error
        for plant, result in runs
        for error in _genuine_step_errors(result)
    ]
    summary.retries = [
        f"plant {plant}: {retry}" if plant else retry
        for plant, result in runs
        for retry in _step_retries(result)
    ]
    summary.files = _file_accounts(landing, warehouse, first.run_id)
    summary.rejected_rows = _rejected_rows(warehouse, summary.files)
    summary.schedules = {
        plant: _schedule_summary(result) for plant, result in runs if plant is not None
    }
    return summary


def _with_partition(key: str, partition: str | None) -> str:
    return f"{key}[{partition}]" if partition else key


def _held_back(
    graph: Any,
    executable: set[dg.AssetKey],
    partitioned: set[dg.AssetKey],
    first: dg.ExecuteInProcessResult,
) -> str | None:
    """Why the plants must not be planned after ``first``, or ``None`` when they may be.

    What one run would have done: steps downstream of an asset that was not materialized,
    or of a failed blocking ERROR check, do not run.
    """
    upstream: set[dg.AssetKey] = set()
    pending = list(partitioned)
    while pending:
        for parent in graph.get(pending.pop()).parent_keys:
            if parent not in upstream and parent not in partitioned:
                upstream.add(parent)
                pending.append(parent)
    materialized = {event.asset_key for event in first.get_asset_materialization_events()}
    missing = sorted(key.to_user_string() for key in (upstream & executable) - materialized)
    blocked = sorted(
        f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
        for evaluation in first.get_asset_check_evaluations()
        if not evaluation.passed
        and evaluation.severity == dg.AssetCheckSeverity.ERROR
        and evaluation.asset_key in upstream
        and graph.get_check_spec(
            dg.AssetCheckKey(evaluation.asset_key, evaluation.check_name)
        ).blocking
    )
    reasons = []
    if missing:
        reasons.append(f"not materialized: {', '.join(missing)}")
    if blocked:
        reasons.append(f"blocking checks failed: {', '.join(blocked)}")
    return "; ".join(reasons) or None


def _report_progress(entry: Any, on_event: Callable[[str], None]) -> None:
    event = entry.dagster_event
    if event is None:
        return
    if event.is_step_materialization:
        key = event.asset_key.to_user_string() if event.asset_key else event.step_key
        on_event(f"materialized {_with_partition(key, event.partition)}")
    elif event.event_type_value == "ASSET_CHECK_EVALUATION":
        data = event.event_specific_data
        evaluation = getattr(data, "evaluation", data)
        verdict = "passed" if evaluation.passed else f"FAILED ({evaluation.severity.value})"
        target = _with_partition(evaluation.asset_key.to_user_string(), evaluation.partition)
        on_event(f"check {target}:{evaluation.check_name} {verdict}")
    elif event.is_step_failure:
        on_event(f"step {event.step_key} failed")
    elif event.is_step_skipped:
        on_event(f"step {event.step_key} skipped (an upstream step or blocking check failed)")
    elif event.is_step_up_for_retry:
        data = event.step_retry_data
        on_event(
            f"step {event.step_key} failed and is retried in {data.seconds_to_wait or 0:.0f} s: "
            f"{_step_error(data.error)}"
        )


def _genuine_step_errors(result: dg.ExecuteInProcessResult) -> list[str]:
    """Step failures other than a blocking check doing its job."""
    errors = []
    for event in result.get_step_failure_events():
        error = event.step_failure_data.error
        if error is not None and error.cls_name == "DagsterAssetCheckFailedError":
            continue
        errors.append(f"{event.step_key}: {_step_error(error)}")
    return errors


def _step_retries(result: dg.ExecuteInProcessResult) -> list[str]:
    """Attempts that failed and were retried, whatever the later attempt did: a run that
    succeeded after a lost connection still says so."""
    return [
        f"{event.step_key}: {_step_error(event.step_retry_data.error)}"
        for event in result.all_events
        if event.is_step_up_for_retry
    ]


# What Dagster wraps a step's own error in: its step errors, and the request to retry that
# a retry policy makes of an error.
_WRAPPERS = ("Dagster", "RetryRequested")


def _step_error(error: Any) -> str:
    """The message of what the step raised, from under the errors Dagster wraps it in.

    Dagster's wrappers (``Dagster*`` classes) say only that a step failed. The error below
    them is the product's own or a library's; where the product chained a cause to its
    error, its message already says what was being done and what went wrong, so the
    unwrapping stops there rather than at the bare driver error underneath.
    """
    if error is None:
        return "unknown error"
    while error.cause is not None and error.cls_name.startswith(_WRAPPERS):
        error = error.cause
    return error.message.strip()


def _rejected_rows(warehouse: WarehouseResource, files: list[FileAccount]) -> list[RejectedRow]:
    """Every rejected row of the files now in the landing zone, with its reason."""
    current = {(f.file, f.entity) for f in files if f.rows_rejected}
    rows: list[RejectedRow] = []
    for entity in sorted({entity for _file, entity in current}):
        for reject in warehouse.raw().rejects_frame(entity).to_dict("records"):
            if (reject["file"], entity) in current:
                rows.append(
                    RejectedRow(
                        file=str(reject["file"]),
                        entity=entity,
                        row=int(reject["row"]),
                        column=reject["column"],
                        raw_value=reject["raw_value"],
                        rule=str(reject["rule"]),
                        reason=str(reject["reason"]),
                    )
                )
    return rows


def _file_accounts(
    landing: LandingZone, warehouse: WarehouseResource, run_id: str = ""
) -> list[FileAccount]:
    """How each file now in the landing zone was accounted for, in whichever run."""
    repository = warehouse.raw()
    present = {entry.relative_path for entry in landing.entries()}
    kinds = {
        (f.relative_path, f.content_hash): f.kind
        for f in repository.landing_files()
        if f.relative_path in present
    }
    current_hash = dict(kinds.keys())
    loaded_files = repository.loaded_files()
    accounts = [
        FileAccount(
            file=loaded.relative_path,
            kind=kinds.get((loaded.relative_path, loaded.content_hash)),
            entity=loaded.entity,
            status=loaded.status,
            rows_read=loaded.rows_read,
            rows_loaded=loaded.rows_loaded,
            rows_rejected=loaded.rows_rejected,
            quarantine_reason=loaded.quarantine_reason,
            loaded_in_this_run=loaded.run_id == run_id,
            notes=list(loaded.notes or []),
        )
        for loaded in loaded_files
        if current_hash.get(loaded.relative_path) == loaded.content_hash
    ]
    accounted = {a.file for a in accounts}
    # A file whose bytes were already loaded under another path is a copy, not a gap.
    loaded_by_hash: dict[str, set[tuple[str, str]]] = {}
    for loaded in loaded_files:
        loaded_by_hash.setdefault(loaded.content_hash, set()).add(
            (loaded.entity, loaded.relative_path)
        )
    for path in sorted(present - accounted):
        twins = sorted(
            (entity, original)
            for entity, original in loaded_by_hash.get(current_hash.get(path, ""), set())
            if original != path
        )
        accounts.extend(
            FileAccount(
                file=path,
                kind=kinds.get((path, current_hash[path])),
                entity=entity,
                status="duplicate",
                rows_read=0,
                rows_loaded=0,
                rows_rejected=0,
                quarantine_reason=f"same bytes as {original!r}, which is loaded once",
            )
            for entity, original in twins
        )
        if twins:
            accounted.add(path)
    accounts.extend(
        FileAccount(
            file=path,
            kind=kinds.get((path, current_hash.get(path, ""))),
            entity="",
            status="not loaded",
            rows_read=0,
            rows_loaded=0,
            rows_rejected=0,
            quarantine_reason="the run did not reach this file's raw asset",
        )
        for path in sorted(present - accounted)
    )
    return sorted(accounts, key=lambda a: (a.file, a.entity))


def _schedule_summary(result: dg.ExecuteInProcessResult) -> dict[str, Any]:
    for event in result.get_asset_materialization_events():
        if event.asset_key and event.asset_key.path == ["planning", "production_schedule"]:
            metadata = event.materialization.metadata
            return {
                name: _plain(metadata[name])
                for name in (
                    "status",
                    "verified",
                    "objective",
                    "bound",
                    "gap",
                    "solve_seconds",
                    "time_limit_s",
                    "solver",
                    "message",
                    "kpis",
                    "compared_with",
                    "changes",
                    "least_bad_plan_summary",
                    "gantt_png",
                )
                if name in metadata
            }
    return {}


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)


def default_report_path() -> Path:
    return DEFAULT_DATA_DIR / "last_run.json"


@dataclass
class StewardView:
    """What a data steward needs to decide: failed checks and the latest decisions."""

    failed: list[FailedCheck]
    latest: list[Disposition]


def steward_view(
    settings: PlatformSettings, instance: dg.DagsterInstance, latest: int = 10
) -> StewardView:
    """Every check whose latest evaluation failed, with its decision, and recent decisions."""
    graph = build_definitions(settings).resolve_asset_graph()
    catalog = CheckCatalog.from_specs(graph.get_check_spec(key) for key in graph.asset_check_keys)
    repository = WarehouseResource(url=settings.warehouse_url).dispositions()
    return StewardView(
        failed=failed_checks(instance, repository, catalog), latest=repository.latest(latest)
    )


def record_decision(
    settings: PlatformSettings, instance: dg.DagsterInstance, request: DispositionRequest
) -> Disposition:
    """Record a steward's decision by running the record_disposition job, as the UI does.

    Raises :class:`DispositionRefused` with the job's reason when nothing was recorded.
    """
    job = build_definitions(settings).resolve_job_def(RECORD_JOB)
    config = disposition_run_config(
        request, loggers={"console": {"config": {"log_level": "CRITICAL"}}}
    )
    result = job.execute_in_process(instance=instance, run_config=config, raise_on_error=False)
    if not result.success:
        reasons = [
            failure.user_failure_data.description
            if failure.user_failure_data is not None and failure.user_failure_data.description
            else _step_error(failure.error)
            for failure in (event.step_failure_data for event in result.get_step_failure_events())
        ]
        raise DispositionRefused("; ".join(reasons) or f"run {result.run_id} failed")
    [materialization] = result.get_asset_materialization_events()
    recorded = _plain(materialization.materialization.metadata.get("recorded_id"))
    stored = (
        WarehouseResource(url=settings.warehouse_url).dispositions().get(recorded)
        if isinstance(recorded, int)
        else None
    )
    if stored is None:
        raise DispositionRefused(
            f"run {result.run_id} reported disposition {recorded!r}, which the warehouse at "
            f"{settings.warehouse_url} does not hold"
        )
    return stored
