"""The whole asset graph on the bundled sample landing zone, into in-memory SQLite."""

from __future__ import annotations

import pytest

from pharma_pipelines.assets.curated import CURATED_MODELS, ROW_ENTITIES
from pharma_pipelines.keys import curated_key
from pharma_pipelines.quality.policy import policy_for
from pharma_pipelines.quality.suites import load_suites
from pharma_pipelines.resources import WarehouseResource
from pharma_pipelines.runner import EXIT_OK, materialize_all
from pharma_pipelines.warehouse.models import (
    CuratedBatch,
    CuratedDemand,
    CuratedLine,
    CuratedProduct,
    CuratedProductionOrder,
    CuratedQcResult,
)
from tests.conftest import SAMPLE_LANDING
from tests.integration.check_results import summary_evaluations, value


@pytest.fixture(scope="module")
def module_instance(sample_plant):
    return sample_plant.instance


@pytest.fixture(scope="module")
def sample_run(sample_plant):
    """The session's materialization of the sample (tests/plant_runs.py), shared with others."""
    return sample_plant.settings, sample_plant.summary, list(sample_plant.progress)


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
    # the same content gives the same data version, run after run
    for name in CURATED_MODELS:
        records = module_instance.fetch_materializations(curated_key(name), limit=2).records
        versions = {r.asset_materialization.tags["dagster/data_version"] for r in records}
        assert len(records) == 2
        assert len(versions) == 1, name


def test_every_check_reports_family_severity_and_the_data_version_it_judged(
    sample_run, module_instance
):
    settings, summary, _progress = sample_run
    found = summary_evaluations(module_instance, summary)
    assert len(found) == len(summary.checks)
    curated = WarehouseResource(url=settings.warehouse_url).curated()
    for name, evaluation in found.items():
        policy = policy_for(value(evaluation, "family"))
        assert evaluation.severity.value == policy.severity.value, name
        assert value(evaluation, "blocking") is policy.blocking, name
        assert value(evaluation, "measured"), name
        assert value(evaluation, "expected"), name
        version = value(evaluation, "data_version")
        asset = evaluation.asset_key
        if asset.path[0] == "curated":
            materialized = module_instance.get_latest_materialization_event(asset)
            assert materialized is not None
            assert materialized.asset_materialization.tags["dagster/data_version"] == version
            assert curated.content_version(CURATED_MODELS[asset.path[1]]) == version, name


def test_each_suite_keeps_its_full_validation_with_the_run(sample_run, module_instance):
    settings, summary, _progress = sample_run
    warehouse = WarehouseResource(url=settings.warehouse_url)
    kept = {v.asset_key: v for v in warehouse.quality().validations(summary.run_id)}
    suites = load_suites()
    assert set(kept) == {f"curated/{table}" for table in suites}
    for table, suite in suites.items():
        record = kept[f"curated/{table}"]
        assert (record.suite, record.suite_version, record.success) == (suite.name, 1, True)
        assert record.data_version == warehouse.curated().content_version(CURATED_MODELS[table])
        assert len(record.result["results"]) == len(suite.expectations) == record.expectations
    found = summary_evaluations(module_instance, summary)
    check = found["curated/products:material_is_present"]
    assert value(check, "validation_id") == kept["curated/products"].id


def test_every_raw_row_reconciles_and_production_covers_demand(sample_run, module_instance):
    _settings, summary, _progress = sample_run
    found = summary_evaluations(module_instance, summary)
    accounted = {
        name: value(evaluation, "unaccounted")
        for name, evaluation in found.items()
        if name.endswith(":raw_rows_are_accounted_for")
    }
    assert accounted == {f"curated/{table}:raw_rows_are_accounted_for": 0 for table in ROW_ENTITIES}
    products = found["curated/products:raw_rows_are_accounted_for"]
    # the material master also lists packaging and raw materials: out of the product table
    assert value(products, "raw_rows") == 17
    assert (value(products, "in_curated_rows"), value(products, "out_of_scope")) == (12, 5)
    demand = found["curated/production_orders:orders_cover_demand"]
    assert demand.passed
    assert value(demand, "total") == 12


def test_the_sample_s_inputs_are_one_snapshot_and_fresh(sample_run, module_instance):
    _settings, summary, _progress = sample_run
    fresh = summary_evaluations(module_instance, summary)[
        "planning/scheduling_problem:inputs_are_fresh"
    ]
    assert fresh.passed
    assert value(fresh, "plan_time") == "2027-01-04T00:00:00+01:00"
    ages = {row["input"]: row["age_hours"] for row in value(fresh, "inputs")}
    assert ages == {
        "sap/changeovers": 0.0,
        "sap/material_master": 0.0,
        "sap/production_orders": 0.0,
        "sap/production_versions": 0.0,
        "sap/work_centers": 0.0,
    }
