"""Realistic bad input on a copy of the sample plant: reported, kept aside, never silent."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pharma_pipelines.resources import WarehouseResource
from pharma_pipelines.runner import EXIT_CHECK_FAILED, RunSummary, materialize_all
from pharma_pipelines.warehouse.models import (
    CuratedChangeover,
    CuratedDemand,
    CuratedProductionOrder,
)
from tests.conftest import BROKEN_LANDING, SAMPLE_LANDING
from tests.integration.conftest import settings_for

pytestmark = pytest.mark.slow  # each test materializes the whole graph

CHANGEOVERS = "sap/ZPP_changeover_matrix_20270104.csv"
WORK_CENTERS = "sap/CRHD_work_centers_20270104.txt"
VERSIONS = "sap/MKAL_production_versions_20270104.csv"
ORDERS = "sap/AFKO_production_orders_20270104.txt"


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    target = tmp_path / "landing"
    shutil.copytree(SAMPLE_LANDING, target)
    return target


def edit(landing: Path, name: str, old: str, new: str, encoding: str = "utf-8") -> None:
    path = landing / name
    content = path.read_text(encoding=encoding)
    assert old in content, f"{old!r} not in {name}"
    path.write_text(content.replace(old, new, 1), encoding=encoding, newline="")


def failed_checks(summary: RunSummary) -> set[tuple[str, str]]:
    return {(c.asset, c.check) for c in summary.checks if not c.passed}


def test_an_untypeable_value_is_a_curation_issue_not_a_crash(landing, memory_settings, instance):
    edit(landing, CHANGEOVERS, "BLI-01,00100,00100,80", "BLI-01,00100,00100,37.5")
    settings = settings_for(landing, memory_settings)
    summary = materialize_all(settings, instance)
    assert summary.errors == []
    assert ("curated/changeovers", "raw_rows_conform") in failed_checks(summary)
    assert ("curated/changeovers", "matrix_is_complete") in failed_checks(summary)
    issues = WarehouseResource(url=settings.warehouse_url).curated().issues(CuratedChangeover)
    [issue] = issues.to_dict("records")
    assert (issue["row_number"], issue["column_name"], issue["raw_value"]) == (2, "minutes", "37.5")
    assert summary.exit_code == EXIT_CHECK_FAILED


def test_a_line_without_capacity_and_a_second_rate_are_errors(landing, memory_settings, instance):
    edit(landing, WORK_CENTERS, "20190101\t99991231\t16.00", "20190101\t99991231\t0.00", "cp1252")
    edit(
        landing,
        VERSIONS,
        "000000000000011878;0100;0001;BLI-02;9800.00;ST;20250101;99991231",
        "000000000000011878;0100;0001;BLI-02;9800.00;ST;20250101;99991231\r\n"
        "000000000000011878;0100;0003;BLI-02;98.00;ST;20250101;99991231",
    )
    summary = materialize_all(settings_for(landing, memory_settings), instance)
    failed = failed_checks(summary)
    assert ("curated/lines", "hours_per_day_in_range") in failed
    assert ("curated/line_eligibility", "version_is_unique") in failed
    assert "planning/production_schedule[0100]" in summary.assets_not_materialized
    assert summary.errors == []


def test_a_negative_changeover_fails_a_check_not_the_run(landing, memory_settings, instance):
    edit(landing, CHANGEOVERS, "BLI-01,00100,00200,370", "BLI-01,00100,00200,-300")
    summary = materialize_all(settings_for(landing, memory_settings), instance)
    assert ("curated/changeovers", "minutes_in_range") in failed_checks(summary)
    assert "planning/production_schedule[0100]" in summary.assets_not_materialized
    assert summary.errors == []


def test_a_mistyped_quantity_holds_the_schedule_back(landing, memory_settings, instance):
    edit(
        landing,
        ORDERS,
        "000001002121\t000000000000031152\t0100\t100000.000",
        "000001002121\t000000000000031152\t0100\t100000000000.000",
    )
    summary = materialize_all(settings_for(landing, memory_settings), instance)
    assert ("planning/scheduling_problem", "run_times_are_plausible") in failed_checks(summary)
    assert "planning/production_schedule[0100]" in summary.assets_not_materialized
    assert summary.errors == []
    assert summary.exit_code == EXIT_CHECK_FAILED


def test_an_unknown_unit_or_an_impossible_fraction_keeps_the_order_out(
    landing, memory_settings, instance
):
    # 0.0000001 pieces used to pass and become a one-minute production run
    edit(landing, ORDERS, "0100\t100000.000\tST\t20270101", "0100\t0.0000001\tST\t20270101")
    edit(landing, ORDERS, "\tST\t", "\tStk\t")
    settings = settings_for(landing, memory_settings)
    summary = materialize_all(settings, instance)

    assert summary.errors == []
    assert ("curated/production_orders", "raw_rows_conform") in failed_checks(summary)
    curated = WarehouseResource(url=settings.warehouse_url).curated()
    issues = curated.issues(CuratedProductionOrder).to_dict("records")
    assert [(i["row_number"], i["column_name"], i["raw_value"]) for i in issues] == [
        (2, "unit", "Stk"),
        (31, "quantity", "0.0000001"),
    ]
    assert "is not a unit of measure" in issues[0]["reason"]
    assert "has 7 decimals but unit ST allows 0" in issues[1]["reason"]
    orders = curated.frame(CuratedProductionOrder)
    assert "000001002121" not in set(orders["order"])
    assert (orders["base_quantity"] == orders["quantity"]).all()
    assert set(orders["base_unit"]) == {"ST"}


def test_the_broken_set_reports_its_unknown_unit(memory_settings, instance):
    settings = settings_for(BROKEN_LANDING, memory_settings)
    summary = materialize_all(settings, instance)

    failed = failed_checks(summary)
    assert ("curated/demand", "raw_rows_conform") in failed
    # reading units and base units must not hold back the checks beside them
    assert ("curated/production_orders", "material_is_a_known_product") in failed
    assert ("curated/demand", "material_is_a_known_product") in failed
    assert all(check.startswith("planning/") for check in summary.checks_not_run)
    curated = WarehouseResource(url=settings.warehouse_url).curated()
    [issue] = curated.issues(CuratedDemand).to_dict("records")
    assert (issue["row_number"], issue["column_name"], issue["raw_value"]) == (2, "unit", "Stk")
    assert issue["source_file"] == "outlook/20270103_order_KLINIKUMSUED.eml"
    demand = curated.frame(CuratedDemand)
    assert set(demand.loc[demand["unit"] == "PCE", "base_unit"]) == {"ST"}


def test_an_overwritten_extract_withdraws_its_old_rows(landing, memory_settings, instance):
    settings = settings_for(landing, memory_settings)
    first = materialize_all(settings, instance)
    assert first.exit_code == 0
    orders_file = landing / ORDERS
    lines = orders_file.read_text(encoding="utf-8").splitlines(keepends=True)
    dropped = lines[-1].split("\t")[0]
    orders_file.write_text("".join(lines[:-1]), encoding="utf-8", newline="")

    second = materialize_all(settings, instance)
    assert second.errors == []
    curated = WarehouseResource(url=settings.warehouse_url).curated()
    orders = curated.frame(CuratedProductionOrder)
    assert dropped not in set(orders["order"])
    assert len(orders) == len(lines) - 2


def test_links_and_copies_are_accounted_for(landing, memory_settings, instance):
    (landing / "sap" / "link_to_versions.csv").symlink_to(landing / VERSIONS)
    shutil.copy(landing / VERSIONS, landing / "sap" / "copy of versions.csv")
    summary = materialize_all(settings_for(landing, memory_settings), instance)
    by_file = {f.file: f for f in summary.files}
    assert by_file["sap/link_to_versions.csv"].status == "quarantined"
    assert "symbolic link" in (by_file["sap/link_to_versions.csv"].quarantine_reason or "")
    copies = {by_file["sap/copy of versions.csv"].status, by_file[VERSIONS].status}
    assert copies == {"loaded", "duplicate"}
    assert summary.errors == []


def test_an_empty_landing_zone_exits_2_saying_so(tmp_path, memory_settings, instance):
    (tmp_path / "empty").mkdir()
    summary = materialize_all(settings_for(tmp_path / "empty", memory_settings), instance)
    assert summary.exit_code == 2
    assert "holds no files" in summary.errors[0]
