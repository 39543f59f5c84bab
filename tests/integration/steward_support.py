"""Shared steps of the stewardship tests: a curated batch table, a check run, a planning run.

The batch table is written straight into the warehouse, as the curated asset would write it,
and Dagster is told it was materialized (a runless materialization, as an external system
reports one); the check then judges that materialization like any other.
"""

from __future__ import annotations

import datetime as dt

import dagster as dg

from pharma_pipelines.definitions import build_definitions
from pharma_pipelines.keys import PROBLEM_KEY, SCHEDULE_KEY, curated_key
from pharma_pipelines.settings import PlatformSettings
from pharma_pipelines.warehouse.curated_repository import CuratedRepository
from pharma_pipelines.warehouse.models import CuratedBatch

BATCHES = curated_key("batches")
OOS_CHECK = dg.AssetCheckKey(BATCHES, "released_batches_have_no_valid_oos")
OOS_TARGET = "curated/batches:released_batches_have_no_valid_oos"


def batch_row(batch: str, disposition: str, valid_oos: int) -> dict:
    return {
        "batch": batch,
        "material": "P1",
        "plant": "0100",
        "manufactured_on": dt.date(2026, 12, 1),
        "expires_on": dt.date(2028, 12, 1),
        "disposition": disposition,
        "qc_status": disposition,
        "results_total": 3,
        "results_failed": 0,
        "results_open": 0,
        "tests_not_evaluable": 0,
        "results_invalidated": 0,
        "had_oos": valid_oos > 0,
        "valid_oos": valid_oos,
        "raw_record_ids": [],
    }


def land_batches(
    curated: CuratedRepository, instance: dg.DagsterInstance, rows: list[dict]
) -> None:
    """Write the batch table and report it materialized, as a new version of the data."""
    curated.replace(CuratedBatch, rows)
    instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=BATCHES))


def run_check(
    settings: PlatformSettings, instance: dg.DagsterInstance, key: dg.AssetCheckKey = OOS_CHECK
) -> dg.AssetCheckEvaluation:
    job = build_definitions(settings).resolve_implicit_global_asset_job_def()
    result = job.get_subset(asset_selection=set(), asset_check_selection={key}).execute_in_process(
        instance=instance, raise_on_error=False
    )
    [evaluation] = result.get_asset_check_evaluations()
    return evaluation


def plan(
    settings: PlatformSettings,
    instance: dg.DagsterInstance,
    selection: tuple[dg.AssetKey, ...] = (PROBLEM_KEY, SCHEDULE_KEY),
    plant: str = "0100",
) -> dg.ExecuteInProcessResult:
    job = build_definitions(settings).resolve_implicit_global_asset_job_def()
    return job.execute_in_process(
        instance=instance,
        asset_selection=list(selection),
        partition_key=plant,
        raise_on_error=False,
    )


def materialized(result: dg.ExecuteInProcessResult) -> set[str]:
    return {
        event.asset_key.to_user_string()
        for event in result.get_asset_materialization_events()
        if event.asset_key is not None
    }


def held_back_message(result: dg.ExecuteInProcessResult) -> str:
    """The description of the guard's failure in ``result``."""
    [failure] = result.get_step_failure_events()
    data = failure.step_failure_data.user_failure_data
    assert data is not None, failure.step_failure_data.error
    return data.description or ""
