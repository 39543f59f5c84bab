"""BR-12 (nullable integers, one text value in a numeric column) and a stale extract,
each beside the sample plant, through the real assets and checks."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
from sqlalchemy import text

from pharma_pipelines.resources import WarehouseResource
from pharma_pipelines.resources import warehouse as warehouse_resource
from pharma_pipelines.runner import materialize_all
from pharma_pipelines.settings import PlatformSettings
from pharma_pipelines.warehouse.models import CuratedBatchYield
from tests.conftest import SAMPLE_LANDING, SOLVE_LIMIT_S, case_dir
from tests.instances import in_memory_instance
from tests.integration.check_results import failing_rows, summary_evaluations, value
from tests.integration.conftest import settings_for

WORK_CENTERS = "sap/CRHD_work_centers_20270104.txt"


@contextmanager
def materialized(landing: Path) -> Iterator[tuple]:
    """Settings, run summary and check evaluations of the whole graph on ``landing``."""
    warehouse_resource._engine_for.cache_clear()
    settings = settings_for(
        landing, PlatformSettings(warehouse_url="sqlite://", solver_time_limit_s=SOLVE_LIMIT_S)
    )
    try:
        with in_memory_instance() as instance:
            summary = materialize_all(settings, instance)
            yield settings, summary, summary_evaluations(instance, summary)
    finally:
        warehouse_resource._engine_for.cache_clear()


@pytest.fixture(scope="module")
def br12(tmp_path_factory):
    folder = case_dir("BR-12")
    landing = tmp_path_factory.mktemp("br12") / "landing"
    shutil.copytree(SAMPLE_LANDING, landing)
    (landing / "sap" / "cases").mkdir()
    shutil.copy(folder / "batch_yield.csv", landing / "sap" / "cases" / "batch_yield.csv")
    expected = list(csv.DictReader((folder / "expected.csv").open(encoding="utf-8")))
    with materialized(landing) as run:
        yield expected, *run


def check(br12, name: str) -> dg.AssetCheckEvaluation:
    return br12[3][f"curated/batch_yields:{name}"]


def test_br12_the_curated_table_is_the_expected_one(br12):
    expected, settings, summary, _found = br12
    assert summary.errors == []
    warehouse = WarehouseResource(url=settings.warehouse_url)
    frame = warehouse.curated().snapshot(CuratedBatchYield).frame.sort_values("batch")
    # the row with the bad value is not dropped: 5 rows in, 5 rows out
    assert frame["batch"].tolist() == [row["batch"] for row in expected]
    assert frame["material"].tolist() == [row["material"] for row in expected]
    assert str(frame["container_count"].dtype) == "Int64"
    counts = [None if pd.isna(v) else int(v) for v in frame["container_count"]]
    assert counts == [
        int(row["container_count"]) if row["container_count"] else None for row in expected
    ]
    assert counts == [12, None, 10, 11, 9]
    yields = [None if pd.isna(v) else float(v) for v in frame["yield_pct"]]
    assert yields == [float(row["yield_pct"]) if row["yield_pct"] else None for row in expected]
    assert frame["yield_pct_raw"].tolist() == [row["yield_pct_raw"] for row in expected]
    with warehouse.engine().connect() as connection:
        stored = connection.execute(
            text(
                "SELECT typeof(container_count), container_count "
                "FROM curated_batch_yield ORDER BY batch"
            )
        ).all()
    # INTEGER with one NULL, never 12.0
    assert [tuple(row) for row in stored] == [
        ("integer", 12),
        ("null", None),
        ("integer", 10),
        ("integer", 11),
        ("integer", 9),
    ]


def test_br12_container_count_is_an_integer_with_the_nullable_dtype(br12):
    evaluation = check(br12, "container_count_is_integer")
    assert evaluation.passed
    assert value(evaluation, "observed_value") == "int64"


def test_br12_the_missing_container_count_fails_naming_its_batch(br12):
    evaluation = check(br12, "container_count_is_present")
    assert not evaluation.passed
    assert value(evaluation, "unexpected_count") == 1
    assert value(evaluation, "element_count") == 5
    assert failing_rows(evaluation)["batch"].tolist() == ["B240312B"]


def test_br12_exactly_one_value_is_not_numeric(br12):
    evaluation = check(br12, "yield_pct_is_numeric")
    assert not evaluation.passed
    assert value(evaluation, "unexpected_count") == 1
    rows = failing_rows(evaluation)
    assert rows[["batch", "yield_pct_raw"]].values.tolist() == [["B240313C", "n.a."]]
    assert value(evaluation, "unexpected_values") == [{"value": "n.a.", "count": 1}]
    assert evaluation.severity.value == "ERROR"


def test_br12_the_range_passes_on_the_four_numbers_with_the_null_missing(br12):
    evaluation = check(br12, "yield_pct_within_0_100")
    assert evaluation.passed
    assert (value(evaluation, "element_count"), value(evaluation, "missing_count")) == (5, 1)
    assert value(evaluation, "unexpected_count") == 0


def test_br12_findings_per_batch_are_the_expected_ones(br12):
    expected, _settings, _summary, found = br12
    findings: dict[str, list[str]] = {}
    for name, evaluation in found.items():
        if name.startswith("curated/batch_yields:") and not evaluation.passed:
            for _, row in failing_rows(evaluation).iterrows():
                findings.setdefault(row["batch"], []).append(row["finding"])
    assert {b: "; ".join(f) for b, f in findings.items()} == {
        row["batch"]: row["dq_findings"] for row in expected if row["dq_findings"]
    }
    assert check(br12, "raw_rows_are_accounted_for").passed


@pytest.fixture(scope="module")
def stale(tmp_path_factory):
    landing = tmp_path_factory.mktemp("stale") / "landing"
    shutil.copytree(SAMPLE_LANDING, landing)
    # the work-center calendar of a month before the rest of the snapshot
    (landing / WORK_CENTERS).rename(landing / "sap" / "CRHD_work_centers_20261201.txt")
    with materialized(landing) as run:
        yield run


def test_a_stale_input_fails_freshness_with_the_reason_and_holds_the_solve_back(stale):
    _settings, summary, found = stale
    assert summary.errors == []
    fresh = found["planning/scheduling_problem:inputs_are_fresh"]
    assert not fresh.passed
    assert fresh.severity.value == "ERROR"
    [row] = failing_rows(fresh).to_dict("records")
    assert row["input"] == "sap/work_centers"
    assert row["file"] == "sap/CRHD_work_centers_20261201.txt"
    assert row["extracted_at"] == "2026-12-01T00:00:00+01:00"
    assert (row["age_hours"], row["limit_hours"]) == ("816.0", "168.0")
    assert row["reason"] == "816.0 h old, limit 168 h"
    assert "planning/production_schedule[0100]" in summary.assets_not_materialized
