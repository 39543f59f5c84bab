"""The landing-zone sensor, the same for a local folder and an S3 prefix (local server).

Each test lands files, evaluates the sensor as the daemon would (with the cursor the last
tick returned) and counts the run requests per file version.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import Counter

import dagster as dg
import pytest

from pharma_pipelines.keys import INVENTORY_KEY, raw_key
from pharma_pipelines.resources import LandingZone
from pharma_pipelines.sensors import landing_zone_sensor
from pharma_pipelines.sensors.landing_zone import FILES_PER_TICK, SeenVersions, plan_tick
from tests.conftest import case_dir
from tests.instances import in_memory_instance
from tests.landing_zones import FolderZone

WORK_CENTERS = b"ARBPL;WERKS;KTEXT\r\nL100;0100;Tablet press 1\r\n"


def tick(landing: LandingZone, cursor: str | None = None) -> dg.SensorResult:
    context = dg.build_sensor_context(cursor=cursor, resources={"landing": landing})
    result = landing_zone_sensor(context)
    assert isinstance(result, dg.SensorResult)
    return result


def files_of(result: dg.SensorResult) -> list[str]:
    return sorted(str(r.run_key).split("@")[0] for r in result.run_requests)


def test_first_tick_on_an_empty_zone_requests_nothing_and_says_why(zone):
    result = tick(zone.resource())
    assert result.run_requests == []
    assert result.skip_reason is not None
    assert "0 new file versions" in str(result.skip_reason.skip_message)
    assert SeenVersions.from_cursor(result.cursor) == SeenVersions()


def test_a_new_file_gives_one_run_and_the_same_file_again_none(zone):
    zone.put("sap/CRHD_work_centers.csv", WORK_CENTERS)

    first = tick(zone.resource())
    [request] = first.run_requests
    assert request.asset_selection == [INVENTORY_KEY, raw_key("sap/work_centers")]
    assert request.run_key.startswith("sap/CRHD_work_centers.csv@")
    assert request.tags["landing/kind"] == "sap/work_centers"

    second = tick(zone.resource(), first.cursor)
    assert second.run_requests == []
    assert second.skip_reason is not None


def test_an_overwrite_and_a_late_file_with_an_old_timestamp_both_run(zone):
    zone.put("work_centers.csv", WORK_CENTERS)
    first = tick(zone.resource())

    zone.put("work_centers.csv", WORK_CENTERS + b"L200;0100;Blister line\r\n")
    # Landed now, but stamped long before the first tick (a copy that keeps its time).
    zone.put(
        "late_work_centers.csv",
        WORK_CENTERS.replace(b"L100", b"L300"),
        modified=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    )
    second = tick(zone.resource(), first.cursor)
    assert files_of(second) == ["late_work_centers.csv", "work_centers.csv"]
    [overwrite] = [r for r in second.run_requests if r.run_key.startswith("work_centers.csv@")]
    assert overwrite.run_key != first.run_requests[0].run_key

    assert tick(zone.resource(), second.cursor).run_requests == []


def test_files_with_the_same_timestamp_all_run(zone):
    same = dt.datetime(2026, 1, 4, 6, 0, tzinfo=dt.UTC)
    for n in range(5):
        zone.put(f"sap/CRHD_{n}.csv", WORK_CENTERS.replace(b"L100", f"L10{n}".encode()), same)
    first = tick(zone.resource())
    assert files_of(first) == [f"sap/CRHD_{n}.csv" for n in range(5)]
    # One more with the same stamp after the first tick is still new.
    zone.put("sap/CRHD_5.csv", WORK_CENTERS.replace(b"L100", b"L105"), same)
    assert files_of(tick(zone.resource(), first.cursor)) == ["sap/CRHD_5.csv"]


def test_partial_files_wait_and_unknown_files_still_reach_the_inventory(zone):
    zone.put("sap/MCHB_stock.csv.part", b"half")
    zone.put("sap/MCHB_stock.csv.tmp", b"half")
    zone.put("holiday_photo.jpg", b"\xff\xd8\xff\xe0 not an extract")
    result = tick(zone.resource())
    [request] = result.run_requests
    assert request.run_key.startswith("holiday_photo.jpg@")
    assert request.asset_selection == [INVENTORY_KEY]
    assert request.tags["landing/kind"] == "unknown"

    # Renamed once complete: now it runs, and only the finished name.
    zone.delete("sap/MCHB_stock.csv.part")
    zone.put("sap/MCHB_stock.csv", WORK_CENTERS)
    assert files_of(tick(zone.resource(), result.cursor)) == ["sap/MCHB_stock.csv"]


def test_a_local_file_still_growing_waits_until_a_tick_sees_it_unchanged(tmp_path):
    zone = FolderZone(tmp_path / "landing")
    zone.put("work_centers.csv", WORK_CENTERS[:20], modified=None)
    first = tick(zone.resource())
    assert first.run_requests == []
    assert "still being written" in str(first.skip_reason.skip_message)

    zone.put("work_centers.csv", WORK_CENTERS, modified=None)
    second = tick(zone.resource(), first.cursor)
    assert second.run_requests == [], "its size changed since the last tick: it waits again"

    third = tick(zone.resource(), second.cursor)
    [request] = third.run_requests
    assert request.tags["landing/kind"] == "sap/work_centers"
    assert tick(zone.resource(), third.cursor).run_requests == []


def test_past_its_time_budget_a_tick_reads_one_file_and_leaves_the_rest(zone):
    for n in range(3):
        zone.put(f"sap/CRHD_{n}.csv", WORK_CENTERS.replace(b"L100", f"L10{n}".encode()))
    cursor = None
    drained: list[str] = []
    for _ in range(3):
        plan = plan_tick(
            zone.resource(),
            SeenVersions.from_cursor(cursor),
            dt.datetime.now(dt.UTC),
            out_of_time=lambda: True,
        )
        assert len(plan.requests) == 1
        drained += [r.tags["landing/file"] for r in plan.requests]
        cursor = plan.seen.to_cursor()
    assert drained == [f"sap/CRHD_{n}.csv" for n in range(3)]


def test_a_restart_with_the_stored_cursor_runs_nothing_again(zone):
    zone.put("sap/CRHD_work_centers.csv", WORK_CENTERS)
    with in_memory_instance() as instance:
        context = dg.build_sensor_context(
            instance=instance, cursor=None, resources={"landing": zone.resource()}
        )
        first = landing_zone_sensor(context)
        stored = first.cursor
    # A new daemon: new instance, new resource objects, only the stored cursor carried over.
    zone.put("sap/CRHD_more.csv", WORK_CENTERS.replace(b"L100", b"L900"))
    with in_memory_instance() as instance:
        context = dg.build_sensor_context(
            instance=instance, cursor=stored, resources={"landing": zone.resource()}
        )
        after = landing_zone_sensor(context)
    assert files_of(after) == ["sap/CRHD_more.csv"]


def test_a_cursor_this_sensor_did_not_write_is_refused_with_what_to_do(zone):
    with pytest.raises(ValueError, match="reset the cursor"):
        tick(zone.resource(), json.dumps({"format": 2, "handled": "***", "waiting": ""}))


def test_br13_listed_twice_split_extracts_and_a_part_file(zone):
    """Case BR-13: the recorded listings of three ticks, files landed with their sizes."""
    ticks = json.loads((case_dir("BR-13") / "sensor_ticks.json").read_text())["ticks"]
    expected = {
        row.split(",")[0].removeprefix("landing/"): int(row.split(",")[3])
        for row in (case_dir("BR-13") / "expected_ingestions.csv").read_text().splitlines()[1:]
    }
    runs: Counter[str] = Counter()
    run_keys: set[str] = set()
    cursor = None
    for recorded in ticks:
        listing = [entry["path"].removeprefix("landing/") for entry in recorded["listing"]]
        for entry in recorded["listing"]:
            path = entry["path"].removeprefix("landing/")
            modified = dt.datetime.fromisoformat(entry["mtime"].replace("Z", "+00:00"))
            # Content of the recorded size, different per file and per size.
            body = (f"{path}:{entry['size']}\n".encode() * entry["size"])[: entry["size"]]
            zone.put(path, body, modified)
        for gone in {"sap/MB52_20240312_01.csv.part"} - set(listing):
            if recorded["tick"] == 2:
                zone.delete(gone)
        result = tick(zone.replayed(listing), cursor)
        cursor = result.cursor
        keys = [str(r.run_key) for r in result.run_requests]
        assert len(keys) == len(set(keys)), f"tick {recorded['tick']} launched a file twice"
        assert not run_keys & set(keys), "a file version ran again in a later tick"
        run_keys |= set(keys)
        runs.update(k.split("@")[0] for k in keys)
        if recorded["tick"] == 3:
            assert keys == []
            assert result.skip_reason is not None
    assert {path: runs[path] for path in expected} == expected


@pytest.mark.slow
def test_a_backlog_of_10000_files_drains_over_several_bounded_ticks_each_once(zone):
    total = 10_000
    zone.put_many([(f"backlog/{n:05d}.csv", f"{n}\n".encode()) for n in range(total)])
    runs: Counter[str] = Counter()
    cursor = None
    ticks = 0
    longest = 0.0
    while True:
        ticks += 1
        assert ticks <= 30, "the backlog does not drain"
        # Each tick has new resource objects and only the stored cursor, as after a restart.
        started = time.monotonic()
        result = tick(zone.resource(), cursor)
        longest = max(longest, time.monotonic() - started)
        cursor = result.cursor
        runs.update(str(r.run_key) for r in result.run_requests)
        if not result.run_requests:
            break
    assert len(runs) == total
    assert set(runs.values()) == {1}
    assert ticks > total // FILES_PER_TICK, "one tick read it all: work per tick is unbounded"
    assert longest < 30, f"a tick took {longest:.1f} s, too close to the 60 s sensor timeout"
    assert len(cursor) < 150_000
