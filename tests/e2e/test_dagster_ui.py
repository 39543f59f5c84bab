"""The Dagster UI as planners and stewards use it, driven in headless Chromium.

A planner opens the asset graph, materializes everything with one click through the launch
dialog (the plant's planning partition and every unpartitioned asset in one run), waits for
the run to succeed and reads the schedule's KPIs and Gantt chart. A data steward does the
same on the deliberately broken landing zone and finds the failing rows of a failed check.
What the browser shows is compared with what the run stored and with the fixture's files.
Each step leaves a screenshot in reports/e2e/.
"""

from __future__ import annotations

import csv
import json
import re
import struct
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from pharma_pipelines.definitions import build_definitions
from pharma_pipelines.resources import WarehouseResource
from pharma_pipelines.sample.defects import UNKNOWN_ORDER_MATERIAL
from pharma_pipelines.settings import PlatformSettings
from tests.conftest import BROKEN_LANDING, SAMPLE_LANDING
from tests.e2e import dagster_pages as ui

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PLANT = "0100"
HEADLINE_KPIS = (
    "weighted_tardiness_hours",
    "on_time_share",
    "changeover_hours",
    "makespan_hours",
    "utilisation",
)
ORDERS_FILE = "sap/AFKO_production_orders_20270104.txt"
CLOSED_STATUSES = {"TECO", "DLV", "CLSD"}
UNKNOWN_MATERIAL_CHECK = "material_is_a_known_product"


def asset_groups() -> dict[str, str]:
    """Asset key -> group, as the server builds the definitions for one plant."""
    graph = build_definitions(PlatformSettings(plants=[PLANT])).resolve_asset_graph()
    return {key.to_user_string(): graph.get(key).group_name for key in graph.get_all_asset_keys()}


def materialize_everything(page: Page, base_url: str, screenshots, step: str) -> str:
    """Click 'Materialize all…' on the graph and launch one run; returns its id."""
    ui.open_asset_graph(page, base_url)
    ui.materialize_all_button(page).click()
    dialog = ui.launch_dialog(page)
    expect(dialog).to_contain_text(f"Launch runs to materialize {len(asset_groups())} assets")
    # The planning assets are partitioned by plant and this server plans one plant: 'All' is
    # that one partition, and with one partition the dialog launches a single run for every
    # asset (more partitions would make a backfill, which needs the daemon).
    dialog.get_by_role("button", name="All", exact=True).click()
    expect(dialog).to_contain_text("1 partition")
    launch = dialog.get_by_role("button", name="Launch 1 run")
    expect(launch).to_be_enabled()
    ui.wait_until_loaded(dialog)
    screenshots.take(page, step)
    launch.click()
    return ui.follow_launched_run(page)


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header chunk."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def open_orders_for_material(landing: Path, material: str) -> list[str]:
    """Open orders of the landed SAP order file (tab-separated AFKO) for ``material``."""
    with (landing / ORDERS_FILE).open(encoding="utf-8", newline="") as extract:
        rows = csv.DictReader(extract, delimiter="\t")
        return [
            row["AUFNR"]
            for row in rows
            if row["MATNR"] == material and not CLOSED_STATUSES & set(row["STTXT"].split())
        ]


def test_a_planner_materializes_everything_and_reads_the_schedule(
    page: Page, dagster_ui, screenshots
):
    server = dagster_ui(SAMPLE_LANDING)

    # The asset graph: the landing inventory, one raw group per source, curated, planning.
    ui.open_asset_graph(page, server.url)
    groups = sorted(set(asset_groups().values()))
    assert {"curated", "planning"} <= set(groups)
    assert [group for group in groups if group.startswith("raw_")]
    for group in groups:
        expect(ui.group_box(page, group)).to_be_visible()
    ui.wait_for_statuses(page)
    screenshots.take(page, "01-asset-graph")

    run_id = materialize_everything(page, server.url, screenshots, "02-materialize-all")
    status = ui.wait_for_run_end(page)
    screenshots.take(page, f"03-run-{status.lower()}")
    assert status == "Success"

    # The schedule's page shows what the run stored: status, objective, KPIs.
    schedule = WarehouseResource(url=server.warehouse_url).planning().latest_schedule(PLANT)
    assert schedule is not None, "the run succeeded but stored no schedule"
    assert schedule.run_id == run_id
    assert schedule.verified
    page.goto(f"{server.url}/assets/planning/production_schedule")
    assert ui.metadata_value(page, "plant") == PLANT
    assert ui.metadata_value(page, "status") == schedule.status
    assert float(ui.metadata_value(page, "objective")) == pytest.approx(schedule.objective)
    kpis = json.loads(ui.metadata_value(page, "kpis"))
    lines = schedule.lines
    assert kpis["orders"] == len(lines)
    assert kpis["late_orders"] == sum(1 for line in lines if line.tardiness_minutes > 0)
    assert kpis["total_tardiness_hours"] == pytest.approx(
        sum(line.tardiness_minutes for line in lines) / 60, abs=0.01
    )
    assert kpis["changeover_hours"] == pytest.approx(
        sum(line.changeover_minutes for line in lines) / 60, abs=0.01
    )
    for name in HEADLINE_KPIS:
        assert float(ui.metadata_value(page, f"kpi/{name}")) == pytest.approx(kpis[name]), name
    ui.metadata_row(page, "kpis").scroll_into_view_if_needed()
    screenshots.take(page, "04-schedule-kpis")

    # The Gantt chart opens as a picture, the one the run wrote next to the instance.
    written = Path(ui.metadata_value(page, "gantt_png"))
    assert written.is_relative_to(server.home), f"{written} is not in {server.home}"
    dialog = ui.show_markdown(page, ui.metadata_row(page, "gantt"))
    picture = dialog.get_by_role("img", name="gantt chart")
    expect(picture).to_be_visible()
    shown = picture.evaluate("image => [image.naturalWidth, image.naturalHeight]")
    assert tuple(shown) == png_size(written), "the browser shows another picture than the PNG"
    screenshots.take(page, "05-gantt-chart")
    ui.close_dialog(dialog)


def test_a_steward_finds_the_failing_rows_of_a_bad_landing_zone(
    page: Page, dagster_ui, screenshots
):
    server = dagster_ui(BROKEN_LANDING)

    materialize_everything(page, server.url, screenshots, "01-materialize-all")
    # Blocking checks fail on the broken extracts: planning is skipped and the run fails.
    status = ui.wait_for_run_end(page)
    screenshots.take(page, f"02-run-{status.lower()}")
    assert status == "Failure"

    # From the asset's page to its checks, then to the failed one.
    page.goto(f"{server.url}/assets/curated/production_orders")
    page.get_by_role("tab", name="Checks").click()
    page.get_by_text(UNKNOWN_MATERIAL_CHECK, exact=True).first.click()
    expect(page).to_have_url(re.compile(rf"[?&]checkDetail={UNKNOWN_MATERIAL_CHECK}$"))
    expect(page.get_by_text("This is a blocking asset check.")).to_be_visible()
    expect(ui.check_result(page)).to_contain_text("Failed")
    assert ui.metadata_value(page, "severity") == "ERROR"
    expected_orders = open_orders_for_material(BROKEN_LANDING, UNKNOWN_ORDER_MATERIAL)
    assert expected_orders, f"the fixture has no order for {UNKNOWN_ORDER_MATERIAL}"
    assert int(ui.metadata_value(page, "failed_count")) == len(expected_orders)
    screenshots.take(page, "03-failed-check")

    dialog = ui.show_markdown(page, ui.metadata_row(page, "failing_rows"))
    rows = ui.table_rows(dialog.locator("table"))
    assert sorted(rows, key=lambda row: row["order"]) == [
        {"order": order, "material": UNKNOWN_ORDER_MATERIAL} for order in sorted(expected_orders)
    ]
    screenshots.take(page, "04-failing-rows")
    ui.close_dialog(dialog)
