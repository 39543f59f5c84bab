"""The landing-zone sensor: one run per new file version, none for a file seen before."""

from __future__ import annotations

import json
import os

import dagster as dg

from pharma_pipelines.keys import INVENTORY_KEY, raw_key
from pharma_pipelines.resources import LandingZoneResource
from pharma_pipelines.sensors import landing_zone_sensor

WORK_CENTERS = "ARBPL;WERKS;KTEXT\r\nL100;0100;Tablet press 1\r\n"


def tick(landing_dir, cursor=None) -> dg.SensorResult:
    context = dg.build_sensor_context(
        cursor=cursor, resources={"landing": LandingZoneResource(root=str(landing_dir))}
    )
    return landing_zone_sensor(context)


def test_a_new_file_gives_one_run_and_the_same_file_again_none(tmp_path):
    (tmp_path / "sap").mkdir()
    (tmp_path / "sap" / "CRHD_work_centers.csv").write_text(WORK_CENTERS, encoding="utf-8")

    first = tick(tmp_path)
    [request] = first.run_requests
    assert request.asset_selection == [INVENTORY_KEY, raw_key("sap/work_centers")]
    assert request.run_key.startswith("sap/CRHD_work_centers.csv@")

    second = tick(tmp_path, first.cursor)
    assert second.run_requests == []
    assert second.skip_reason is not None


def test_an_overwrite_and_a_late_file_with_an_old_timestamp_both_run(tmp_path):
    target = tmp_path / "work_centers.csv"
    target.write_text(WORK_CENTERS, encoding="utf-8")
    first = tick(tmp_path)

    target.write_text(WORK_CENTERS + "L200;0100;Blister line\r\n", encoding="utf-8")
    late = tmp_path / "late_work_centers.csv"
    late.write_text(WORK_CENTERS.replace("L100", "L300"), encoding="utf-8")
    os.utime(late, (0, 0))
    second = tick(tmp_path, first.cursor)
    keys = sorted(r.run_key.split("@")[0] for r in second.run_requests)
    assert keys == ["late_work_centers.csv", "work_centers.csv"]
    assert first.run_requests[0].run_key != next(
        r.run_key for r in second.run_requests if r.run_key.startswith("work_centers.csv")
    )
    assert json.loads(second.cursor)["late_work_centers.csv"]


def test_partial_files_wait_and_unknown_files_still_reach_the_inventory(tmp_path):
    (tmp_path / "stock.csv.part").write_text("half", encoding="utf-8")
    (tmp_path / "holiday_photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 not an extract")
    result = tick(tmp_path)
    [request] = result.run_requests
    assert request.run_key.startswith("holiday_photo.jpg@")
    assert request.asset_selection == [INVENTORY_KEY]
    assert "stock.csv.part" not in json.loads(result.cursor)
