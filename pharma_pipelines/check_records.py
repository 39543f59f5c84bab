"""Asset check evaluations read from the Dagster instance, as plain ``CheckFailure`` records.

Shared by the alert sensor (every evaluation after a storage id, in order) and the steward
digest (each check's latest evaluation and how long it has been failing).

Two storage methods used here are not part of Dagster's public API, for want of a public
one in Dagster 1.13:

- ``EventLogStorage.get_logs_for_all_runs_by_log_id`` for the evaluations after a storage
  id. The public ``DagsterInstance.get_event_records`` with an ``EventRecordsFilter`` of
  type ``ASSET_CHECK_EVALUATION`` reads the per-run databases on the default SQLite
  storage: its storage ids are per run (two runs both give id 16) and it refuses a storage
  id as cursor. Check evaluations are also copied to the cross-run index with a global,
  increasing id, and this method reads exactly that copy (on PostgreSQL there is only one
  table), so the cursor is a storage id on every storage Dagster offers.
- ``EventLogStorage.get_asset_check_execution_history`` (with its ``PartitionKeyFilter``
  and record statuses) for a check's recent evaluations of one partition. The public
  ``DagsterInstance.get_latest_asset_check_evaluation_record`` gives only the latest
  evaluation across all partitions, and no history to tell when a check began failing.

The integration tests call both against a real instance (test_check_alerts,
test_steward_digest), so a Dagster upgrade that changes them fails there first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import dagster as dg
from dagster._core.event_api import PartitionKeyFilter
from dagster._core.storage.asset_check_execution_record import (
    COMPLETED_ASSET_CHECK_EXECUTION_RECORD_STATUSES,
    AssetCheckExecutionRecordStatus,
)

from pharma_pipelines.alerting.dispatch import Evaluation
from pharma_pipelines.alerting.links import check_url, run_url
from pharma_pipelines.alerting.model import (
    CheckFailure,
    FailingRows,
    first_rows,
    rows_from_markdown,
)

# How far back the digest looks for the start of a check's current run of failures.
FAILING_SINCE_LOOKBACK = 50


def evaluations_after(
    instance: dg.DagsterInstance, after: int, limit: int, ui_base_url: str | None
) -> list[Evaluation]:
    """Up to ``limit`` check evaluations stored after storage id ``after``, oldest first.

    Each comes with its ``CheckFailure`` when it is a failure of ERROR severity (the ones
    that are announced), ``None`` otherwise.
    """
    entries = instance.event_log_storage.get_logs_for_all_runs_by_log_id(
        after_cursor=after,
        dagster_event_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION,
        limit=limit,
    )
    evaluations: list[Evaluation] = []
    for storage_id, entry in sorted(entries.items()):
        evaluation = _evaluation(entry)
        announce = (
            evaluation is not None
            and not evaluation.passed
            and evaluation.severity == dg.AssetCheckSeverity.ERROR
        )
        failure = (
            to_failure(evaluation, entry, ui_base_url, storage_id=storage_id)
            if announce and evaluation is not None
            else None
        )
        evaluations.append((storage_id, failure))
    return evaluations


def latest_failures(
    instance: dg.DagsterInstance,
    checks: Mapping[dg.AssetCheckKey, Sequence[str | None]],
    ui_base_url: str | None,
) -> list[CheckFailure]:
    """For each check and partition, its latest evaluation when that one failed.

    ``checks`` maps each check to its partitions (``[None]`` for an unpartitioned check).
    ``failing_since`` is the time of the oldest failure in the run of failures that ends
    with the latest evaluation (looking back at most ``FAILING_SINCE_LOOKBACK`` of them).
    """
    failures = []
    storage = instance.event_log_storage
    for key, partitions in checks.items():
        for partition in partitions:
            history = storage.get_asset_check_execution_history(
                key,
                limit=FAILING_SINCE_LOOKBACK,
                status=COMPLETED_ASSET_CHECK_EXECUTION_RECORD_STATUSES,
                partition_filter=PartitionKeyFilter(key=partition),
            )
            streak = []
            for record in history:
                if record.status != AssetCheckExecutionRecordStatus.FAILED:
                    break
                streak.append(record)
            if not streak or streak[0].event is None:
                continue
            latest = streak[0].event
            evaluation = _evaluation(latest)
            if evaluation is None:
                continue
            oldest = next((r.event for r in reversed(streak) if r.event is not None), latest)
            failures.append(
                to_failure(evaluation, latest, ui_base_url, failing_since=_at(oldest.timestamp))
            )
    return failures


def to_failure(
    evaluation: dg.AssetCheckEvaluation,
    entry: dg.EventLogEntry,
    ui_base_url: str | None,
    storage_id: int | None = None,
    failing_since: dt.datetime | None = None,
) -> CheckFailure:
    """The plain record of one failed evaluation (``entry`` is its event log entry)."""
    metadata = evaluation.metadata
    target = evaluation.target_materialization_data
    asset_path = list(evaluation.asset_key.path)
    return CheckFailure(
        asset=evaluation.asset_key.to_user_string(),
        check=evaluation.check_name,
        severity=evaluation.severity.value,
        run_id=entry.run_id,
        evaluated_at=_at(entry.timestamp),
        description=evaluation.description or "",
        partition=evaluation.partition,
        measured=_text(metadata, "measured"),
        expected=_text(metadata, "expected"),
        failed_count=_int(metadata, "failed_count"),
        total=_int(metadata, "total"),
        failing_rows=_rows(metadata.get("failing_rows")),
        family=_text(metadata, "family"),
        data_version=_text(metadata, "data_version"),
        target_materialization_storage_id=target.storage_id if target else None,
        storage_id=storage_id,
        failing_since=failing_since,
        check_url=check_url(ui_base_url, asset_path, evaluation.check_name),
        run_url=run_url(ui_base_url, entry.run_id),
    )


def _evaluation(entry: dg.EventLogEntry) -> dg.AssetCheckEvaluation | None:
    event = entry.dagster_event
    data = event.event_specific_data if event is not None else None
    return data if isinstance(data, dg.AssetCheckEvaluation) else None


def _at(timestamp: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC)


def _text(metadata: Mapping[str, Any], key: str) -> str | None:
    value = metadata.get(key)
    if value is None:
        return None
    raw = getattr(value, "value", value)
    return None if raw is None else str(raw)


def _int(metadata: Mapping[str, Any], key: str) -> int | None:
    value = metadata.get(key)
    raw = getattr(value, "value", value)
    if isinstance(raw, bool) or raw is None:
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def _rows(value: Any) -> FailingRows:
    """The failing rows from a Markdown table or a table metadata value."""
    if isinstance(value, dg.TableMetadataValue):
        return first_rows([dict(record.data) for record in value.records])
    raw = getattr(value, "value", value)
    if isinstance(raw, str):
        return rows_from_markdown(raw)
    return FailingRows()
