"""The latest result of a check, and exactly which data it judged, read from the Dagster instance.

A blocking check stops downstream steps only inside its own run; an asset built in a later run
has to look the results up itself. Two things make the public
``DagsterInstance.get_latest_asset_check_evaluation_record`` unfit for that: its latest
record may be a check only planned (a run still going, or one whose check step was skipped),
which would hide the failure before it; and it cannot ask for one plant's partition. So the
lookups below read the event log storage's check history with a status and partition filter.

Each evaluation is tied to the materialization it judged: Dagster records that materialization
with the evaluation (``target_materialization_data``), except for an unpartitioned check run
in a partitioned run, where it looks in the run's partition and finds nothing. Checks read the
warehouse as it stands, so the judged data is then the asset's latest materialization before
the evaluation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import dagster as dg
from dagster._core.event_api import PartitionKeyFilter
from dagster._core.storage.asset_check_execution_record import (
    COMPLETED_ASSET_CHECK_EXECUTION_RECORD_STATUSES,
)

DATA_VERSION_TAG = "dagster/data_version"


@dataclass(frozen=True)
class JudgedData:
    """One materialization of an asset (of one partition): the data a check evaluation read."""

    storage_id: int
    run_id: str
    materialized_at: dt.datetime
    data_version: str | None

    def is_same_data(self, other: JudgedData) -> bool:
        """Same event, or a later one Dagster gave the same data version."""
        if (self.storage_id, self.run_id) == (other.storage_id, other.run_id):
            return True
        return self.data_version is not None and self.data_version == other.data_version

    def describe(self, asset: str) -> str:
        run = f"run {self.run_id[:8]}" if self.run_id else "reported outside a run"
        version = f", data version {self.data_version[:12]}" if self.data_version else ""
        return f"materialization #{self.storage_id} of {asset} ({run}{version})"


@dataclass(frozen=True)
class CheckEvaluation:
    """The outcome of one completed evaluation of a check, and the data it judged."""

    key: dg.AssetCheckKey
    partition: str | None
    evaluation_id: int
    run_id: str
    evaluated_at: dt.datetime
    passed: bool
    severity: dg.AssetCheckSeverity
    description: str | None
    data: JudgedData | None

    @property
    def asset(self) -> str:
        return self.key.asset_key.to_user_string()

    @property
    def target(self) -> str:
        """``asset:check``, with ``[partition]`` after a partitioned asset."""
        asset = f"{self.asset}[{self.partition}]" if self.partition else self.asset
        return f"{asset}:{self.key.name}"

    def describe(self) -> str:
        data = self.data.describe(self.asset) if self.data else "no materialization"
        when = self.evaluated_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        return f"evaluation {self.evaluation_id} in run {self.run_id[:8]} at {when}, on {data}"


def latest_evaluation(
    instance: dg.DagsterInstance, key: dg.AssetCheckKey, partition: str | None = None
) -> CheckEvaluation | None:
    """The latest completed evaluation of ``key`` (for ``partition``), or ``None``."""
    records = instance.event_log_storage.get_asset_check_execution_history(
        key,
        limit=1,
        status=COMPLETED_ASSET_CHECK_EXECUTION_RECORD_STATUSES,
        partition_filter=PartitionKeyFilter(key=partition) if partition else None,
    )
    if not records:
        return None
    record = records[0]
    evaluation = record.evaluation
    if not isinstance(evaluation, dg.AssetCheckEvaluation) or record.event is None:
        return None
    evaluated_at = dt.datetime.fromtimestamp(record.event.timestamp, dt.UTC)
    return CheckEvaluation(
        key=key,
        partition=partition,
        evaluation_id=record.id,
        run_id=record.run_id,
        evaluated_at=evaluated_at,
        passed=evaluation.passed,
        severity=evaluation.severity,
        description=evaluation.description,
        data=_judged_data(instance, key.asset_key, partition, evaluation, record.event.timestamp),
    )


def latest_materialization(
    instance: dg.DagsterInstance,
    asset_key: dg.AssetKey,
    partition: str | None = None,
    *,
    storage_id: int | None = None,
    before_timestamp: float | None = None,
) -> JudgedData | None:
    """The asset's latest materialization (of ``partition``), or the one with ``storage_id``,
    or the latest before ``before_timestamp``."""
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(
            asset_key=asset_key,
            asset_partitions=[partition] if partition else None,
            storage_ids=[storage_id] if storage_id is not None else None,
            before_timestamp=before_timestamp,
        ),
        limit=1,
    ).records
    if not records:
        return None
    record = records[0]
    materialization = record.asset_materialization
    tags = materialization.tags if materialization and materialization.tags else {}
    return JudgedData(
        storage_id=record.storage_id,
        run_id=record.run_id,
        materialized_at=dt.datetime.fromtimestamp(record.timestamp, dt.UTC),
        data_version=tags.get(DATA_VERSION_TAG),
    )


def _judged_data(
    instance: dg.DagsterInstance,
    asset_key: dg.AssetKey,
    partition: str | None,
    evaluation: dg.AssetCheckEvaluation,
    evaluated_at: float,
) -> JudgedData | None:
    target = evaluation.target_materialization_data
    if target is not None:
        return latest_materialization(
            instance, asset_key, partition, storage_id=target.storage_id
        ) or JudgedData(
            storage_id=target.storage_id,
            run_id=target.run_id,
            materialized_at=dt.datetime.fromtimestamp(target.timestamp, dt.UTC),
            data_version=None,
        )
    return latest_materialization(instance, asset_key, partition, before_timestamp=evaluated_at)
