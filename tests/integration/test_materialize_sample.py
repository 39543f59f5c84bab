"""The whole asset graph on the bundled sample landing zone, into in-memory SQLite."""

from __future__ import annotations

import dagster as dg
import pytest

from pharma_pipelines.resources import WarehouseResource
from pharma_pipelines.resources import warehouse as warehouse_resource
from pharma_pipelines.runner import EXIT_OK, materialize_all
from pharma_pipelines.settings import PlatformSettings
from pharma_pipelines.warehouse.models import (
    CuratedBatch,
    CuratedDemand,
    CuratedLine,
    CuratedProduct,
    CuratedProductionOrder,
    CuratedQcResult,
)
from tests.conftest import SAMPLE_LANDING
from tests.integration.conftest import settings_for


@pytest.fixture(scope="module")
def module_instance():
    with dg.instance_for_test() as test_instance:
        yield test_instance


@pytest.fixture(scope="module")
def sample_run(module_instance):
    """One materialization shared by the tests of this module (it takes seconds)."""
    warehouse_resource._engine_for.cache_clear()
    settings = settings_for(
        SAMPLE_LANDING, PlatformSettings(warehouse_url="sqlite://", solver_time_limit_s=5.0)
    )
    progress: list[str] = []
    summary = materialize_all(settings, module_instance, on_event=progress.append)
    yield settings, summary, progress
    warehouse_resource._engine_for.cache_clear()


def test_every_asset_materializes_and_every_check_passes(sample_run):
    _settings, summary, progress = sample_run
    assert summary.errors == []
    assert summary.assets_not_materialized == []
    failing = [(c.asset, c.check, c.description) for c in summary.checks if not c.passed]
    assert failing == []
    assert summary.exit_code == EXIT_OK
    assert any(line.startswith("materialized planning/production_schedule") for line in progress)


def test_the_schedule_is_solved_and_verified(sample_run):
    _settings, summary, _progress = sample_run
    assert summary.schedules["0100"]["status"] in ("OPTIMAL", "FEASIBLE")
    assert summary.schedules["0100"]["verified"] is True
    assert summary.schedules["0100"]["gap"] is not None
    kpis = summary.schedules["0100"]["kpis"]
    assert kpis["orders"] == 40


def test_every_file_is_accounted_and_counts_reconcile(sample_run):
    _settings, summary, _progress = sample_run
    landed = {
        p.relative_to(SAMPLE_LANDING).as_posix() for p in SAMPLE_LANDING.rglob("*") if p.is_file()
    }
    assert {f.file for f in summary.files} == landed
    for account in summary.files:
        assert account.status == "loaded", account
        assert account.rows_read == account.rows_loaded + account.rows_rejected


def test_curated_tables_hold_the_plant(sample_run):
    settings, _summary, _progress = sample_run
    curated = WarehouseResource(url=settings.warehouse_url).curated()
    assert curated.count(CuratedProduct) == 12
    assert curated.count(CuratedLine) == 4
    orders = curated.frame(CuratedProductionOrder)
    assert int(orders["is_open"].sum()) == 40
    assert curated.count(CuratedBatch) > 0
    assert curated.count(CuratedDemand) > 0
    results = curated.frame(CuratedQcResult)
    assert results["censored"].any()
    assert (results["text_result"] == "Complies").any()
    assert all(len(m) == 18 for m in curated.frame(CuratedProduct)["material"])


def test_retests_invalidations_and_the_oos_history_reach_the_curated_tables(sample_run):
    settings, summary, _progress = sample_run
    curated = WarehouseResource(url=settings.warehouse_url).curated()
    results = curated.frame(CuratedQcResult)
    assert (results["status"] == "INVALIDATED").sum() == 2
    assert results["superseded_by"].notna().sum() == 3
    assert (results["is_final"] & (results["sample_type"] == "Resample")).sum() == 1
    finals = results[results["is_final"]].groupby(["batch", "test"]).size()
    assert (finals == 1).all()
    batches = curated.frame(CuratedBatch).set_index("batch")
    retested = batches[batches["had_oos"] & (batches["disposition"] != "REJECTED")]
    outcome = zip(
        retested["disposition"], retested["qc_status"], retested["valid_oos"], strict=True
    )
    assert sorted(outcome) == [
        ("QUARANTINE", "IN_REVIEW", 1),
        ("RELEASED", "RELEASED", 0),
    ]
    checks = {(c.asset, c.check): c.passed for c in summary.checks}
    assert checks[("curated/batches", "released_batches_have_no_valid_oos")] is True
    assert checks[("curated/qc_results", "invalidations_have_a_reason")] is True


def test_a_second_run_loads_nothing_twice(sample_run, module_instance):
    settings, first, _progress = sample_run
    second = materialize_all(settings, module_instance)
    raw = WarehouseResource(url=settings.warehouse_url).raw()
    assert {(f.file, f.entity, f.rows_loaded) for f in second.files} == {
        (f.file, f.entity, f.rows_loaded) for f in first.files
    }
    loaded = raw.loaded_files()
    assert len(loaded) == len({(f.entity, f.content_hash) for f in loaded})
    assert second.exit_code == EXIT_OK
