"""The digest reads stewards' decisions from the warehouse: a decided failure no longer awaits.

The release check fails on a landed batch table; a steward's accept or reject takes it off the
list of failures awaiting a decision, and new data makes it wait again.
"""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg
import pytest

from pharma_pipelines.assets.dispositions import DispositionRequest, disposition_run_config
from pharma_pipelines.assets.steward_digest import (
    RecordedDecisions,
    steward_digest_asset,
)
from pharma_pipelines.check_records import latest_failures
from pharma_pipelines.definitions import build_definitions
from pharma_pipelines.resources import WarehouseResource
from pharma_pipelines.settings import PlatformSettings
from pharma_pipelines.warehouse.disposition_repository import Decision
from tests.instances import in_memory_instance
from tests.integration.planning_plants import a_plant, write_curated
from tests.integration.steward_support import (
    OOS_CHECK,
    OOS_TARGET,
    batch_row,
    land_batches,
    run_check,
)

BAD = [batch_row("B1", "RELEASED", 0), batch_row("B2", "RELEASED", 1)]
WORSE = [batch_row("B1", "RELEASED", 1), batch_row("B2", "RELEASED", 1)]


@pytest.fixture
def settings(tmp_path, fresh_engines) -> PlatformSettings:
    return PlatformSettings(warehouse_url=f"sqlite:///{tmp_path / 'warehouse.sqlite'}")


@pytest.fixture
def instance(settings) -> Iterator[dg.DagsterInstance]:
    """An instance in which the release check failed on a landed batch table."""
    with in_memory_instance() as instance:
        warehouse = WarehouseResource(url=settings.warehouse_url)
        write_curated(warehouse.curated(), [a_plant("0100", 1001)])
        land_batches(warehouse.curated(), instance, BAD)
        assert not run_check(settings, instance).passed
        yield instance


def awaiting(settings: PlatformSettings, instance: dg.DagsterInstance) -> list[str]:
    """The checks the digest lists as awaiting a decision, by ``asset:check``."""
    warehouse = WarehouseResource(url=settings.warehouse_url)
    failures = latest_failures(instance, {OOS_CHECK: [None]}, None)
    decisions = RecordedDecisions(instance, warehouse.dispositions())
    return [f.target for f in failures if not decisions.decisions_for(f)]


def decide(settings: PlatformSettings, instance: dg.DagsterInstance, decision: Decision) -> None:
    request = DispositionRequest(
        decision=decision,
        check=OOS_TARGET,
        reason="OOS of B2 invalidated under INV-27-004; release stands",
        decided_by="a.nowak",
    )
    job = build_definitions(settings).resolve_job_def("record_disposition")
    assert job.execute_in_process(
        instance=instance, run_config=disposition_run_config(request)
    ).success


def test_an_accept_takes_the_failure_off_the_list_until_new_data_fails(settings, instance):
    assert awaiting(settings, instance) == [OOS_TARGET]

    decide(settings, instance, Decision.ACCEPT)
    assert awaiting(settings, instance) == []

    warehouse = WarehouseResource(url=settings.warehouse_url)
    land_batches(warehouse.curated(), instance, WORSE)
    assert awaiting(settings, instance) == [OOS_TARGET], "new data is not covered by the accept"
    assert not run_check(settings, instance).passed
    assert awaiting(settings, instance) == [OOS_TARGET]


def test_a_reject_is_a_decision_too(settings, instance):
    decide(settings, instance, Decision.REJECT)
    assert awaiting(settings, instance) == []


def test_the_digest_asset_counts_only_undecided_failures(settings, instance):
    digest = steward_digest_asset({OOS_CHECK: [None]}, ["0100"], "Europe/Berlin", 48.0, None)
    resources = {"warehouse": WarehouseResource(url=settings.warehouse_url)}

    def counted() -> int:
        result = dg.materialize([digest], instance=instance, resources=resources)
        [materialization] = result.asset_materializations_for_node("quality__steward_digest")
        return materialization.metadata["awaiting_decision"].value

    assert counted() == 1
    decide(settings, instance, Decision.ACCEPT)
    assert counted() == 0
