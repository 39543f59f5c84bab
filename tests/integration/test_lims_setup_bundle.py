"""A SENAITE setup workbook is one landed file that loads into three raw LIMS kinds."""

from __future__ import annotations

import io
from pathlib import Path

import dagster as dg
from openpyxl import Workbook

from pharma_pipelines.assets.raw import file_inventory, raw_assets
from pharma_pipelines.definitions import build_resources
from pharma_pipelines.keys import INVENTORY_KEY, raw_key
from pharma_pipelines.resources import LandingZoneResource, WarehouseResource
from pharma_pipelines.runner import materialize_all
from pharma_pipelines.sensors import landing_zone_sensor
from tests.integration.conftest import settings_for

BUNDLE = ("lims/specifications", "lims/analysis_services", "lims/sample_types")


def _setup_workbook() -> bytes:
    workbook = Workbook()
    services = workbook.active
    assert services is not None
    services.title = "Analysis Services"
    for row in (
        ["title", "Keyword", "Unit", "LowerDetectionLimit"],
        ["Analysis Services"],
        ["Title", "Keyword", "Unit", "LDL"],
        ["Calcium", "Ca", "mg/l", 0.05],
        ["Iron", "Fe", "mg/l", 0.01],
    ):
        services.append(row)
    specs = workbook.create_sheet("Analysis Specifications")
    for row in (
        ["Title", "Client_title", "SampleType_title", "service", "min", "max", "error"],
        ["Analysis Specifications"],
        ["Title", "Client", "Sample type", "Analysis service", "Minimum", "Maximum", "Tolerance %"],
        ["Water", None, "Water", "Calcium", 9, 11, 10],
        ["Water", None, "Water", "Iron", "x", 11, 10],
    ):
        specs.append(row)
    contacts = workbook.create_sheet("Lab Contacts")
    for row in (
        ["Firstname", "Surname"],
        ["Lab contacts"],
        ["First name", "Surname"],
        ["Ann", "X"],
    ):
        contacts.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _landing(tmp_path: Path) -> Path:
    landing = tmp_path / "landing"
    (landing / "lims").mkdir(parents=True)
    (landing / "lims" / "setup.xlsx").write_bytes(_setup_workbook())
    return landing


def test_the_sensor_requests_every_raw_kind_of_the_bundle(tmp_path):
    landing = _landing(tmp_path)
    resources = {"landing": LandingZoneResource(root=str(landing))}
    # Written a moment ago: the first tick lets it settle, the next one takes it.
    settling = landing_zone_sensor(dg.build_sensor_context(resources=resources))
    assert settling.run_requests == []
    context = dg.build_sensor_context(cursor=settling.cursor, resources=resources)
    [request] = landing_zone_sensor(context).run_requests
    assert request.asset_selection == [INVENTORY_KEY, *(raw_key(e) for e in BUNDLE)]
    assert request.tags["landing/kind"] == "lims/setup_workbook"


def test_each_raw_kind_loads_its_sheet_of_the_workbook(tmp_path, memory_settings, instance):
    settings = settings_for(_landing(tmp_path), memory_settings)
    selected = [a for a in raw_assets if a.key in {raw_key(e) for e in BUNDLE}]
    result = dg.materialize(
        [file_inventory, *selected], resources=build_resources(settings), instance=instance
    )
    assert result.success
    raw = WarehouseResource(url=settings.warehouse_url).raw()
    assert raw.entity_counts(list(BUNDLE)) == {
        "lims/specifications": 1,
        "lims/analysis_services": 2,
        "lims/sample_types": 0,
    }
    for entity in BUNDLE:
        [account] = raw.accounting(entity).to_dict("records")
        assert account["status"] == "loaded"
        assert account["rows_read"] == account["rows_loaded"] + account["rows_rejected"]
    [reject] = raw.rejects_frame("lims/specifications").to_dict("records")
    assert (reject["row"], reject["column"], reject["raw_value"]) == (5, "min", "x")


def test_the_run_report_names_the_sheets_it_skipped(tmp_path, memory_settings, instance):
    summary = materialize_all(settings_for(_landing(tmp_path), memory_settings), instance)
    accounts = {f.entity: f for f in summary.files if f.file == "lims/setup.xlsx"}
    assert set(accounts) == set(BUNDLE)
    assert accounts["lims/specifications"].kind == "lims/setup_workbook"
    notes = " ".join(accounts["lims/sample_types"].notes)
    assert "sheet 'Analysis Services' -> lims/analysis_services" in notes
    assert "1 setup sheets skipped, their tables are no extract kind: 'Lab Contacts'" in notes
