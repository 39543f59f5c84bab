"""Scenarios of landing_zone_sensor.feature: the sensor evaluated, its requests executed."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from pharma_pipelines.definitions import build_definitions
from pharma_pipelines.ingestion import content_hash
from pharma_pipelines.keys import INVENTORY_KEY, raw_key
from pharma_pipelines.resources import LandingZoneResource, WarehouseResource
from pharma_pipelines.sensors import landing_zone_sensor
from pharma_pipelines.sensors.landing_zone import SETTLE_SECONDS, SeenVersions
from pharma_pipelines.settings import PlatformSettings
from tests.conftest import SAMPLE_LANDING
from tests.features.support import QUIET

scenarios("landing_zone_sensor.feature")

WORK_CENTERS = "sap/CRHD_work_centers_20270104.txt"


@dataclass
class Landing:
    """A landing zone under the scenario's folder and the sensor's view of it."""

    root: Path
    settings: PlatformSettings
    cursor: str | None = None
    ticks: list[dg.SensorResult] = field(default_factory=list)

    @property
    def last(self) -> dg.SensorResult:
        return self.ticks[-1]

    def tick(self) -> dg.SensorResult:
        context = dg.build_sensor_context(
            cursor=self.cursor, resources={"landing": LandingZoneResource(root=str(self.root))}
        )
        result = landing_zone_sensor(context)
        assert isinstance(result, dg.SensorResult)
        self.cursor = result.cursor
        self.ticks.append(result)
        return result


@pytest.fixture
def landing(tmp_path: Path) -> Landing:
    root = tmp_path / "landing"
    root.mkdir()
    return Landing(
        root,
        PlatformSettings(
            landing_zone=str(root), warehouse_url=f"sqlite:///{tmp_path / 'w.sqlite'}"
        ),
    )


def _settled(path: Path) -> None:
    """Date the file past the sensor's settle time: its sender finished writing it."""
    written = time.time() - SETTLE_SECONDS - 60
    os.utime(path, (written, written))


@given("a landing zone holding the sample's work centers extract")
def _work_centers(landing: Landing) -> None:
    (landing.root / "sap").mkdir()
    (landing.root / WORK_CENTERS).write_bytes((SAMPLE_LANDING / WORK_CENTERS).read_bytes())
    _settled(landing.root / WORK_CENTERS)


@given(parsers.parse('a landing zone holding only a partly written file "{name}"'))
def _partial(landing: Landing, name: str) -> None:
    (landing.root / name).parent.mkdir(parents=True, exist_ok=True)
    (landing.root / name).write_bytes((SAMPLE_LANDING / WORK_CENTERS).read_bytes()[:40])


@given("the sensor has ticked")
@when("the sensor ticks")
@when("the sensor ticks again with its cursor")
def _tick(landing: Landing) -> None:
    landing.tick()


@then(
    parsers.parse(
        'it requests one run of the inventory and "{asset}", keyed by the file and its SHA-256'
    )
)
def _one_request(landing: Landing, asset: str) -> None:
    [request] = landing.last.run_requests
    assert request.asset_selection == [INVENTORY_KEY, dg.AssetKey(asset.split("/"))]
    digest = content_hash((landing.root / WORK_CENTERS).read_bytes())
    assert request.run_key == f"{WORK_CENTERS}@{digest}"
    seen = SeenVersions.from_cursor(landing.last.cursor)
    assert (len(seen.handled), len(seen.waiting)) == (1, 0), "one version handled, none waiting"


@when("that run is executed")
@when("the same run is executed once more")
def _execute(landing: Landing, instance: dg.DagsterInstance) -> None:
    request = next(tick for tick in landing.ticks if tick.run_requests).run_requests[0]
    job = build_definitions(landing.settings).resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(
        instance=instance,
        asset_selection=list(request.asset_selection or []),
        tags={**request.tags, "dagster/run_key": request.run_key or ""},
        raise_on_error=False,
        run_config=QUIET,
    )
    assert result.success


@then("the extract's rows are loaded")
@then("the extract's rows are still loaded once")
def _loaded_once(landing: Landing) -> None:
    raw = WarehouseResource(url=landing.settings.warehouse_url).raw()
    loads = [f for f in raw.loaded_files() if f.entity == "sap/work_centers"]
    assert [(f.relative_path, f.status) for f in loads] == [(WORK_CENTERS, "loaded")]
    rows = raw.records_frame("sap/work_centers")
    assert len(rows) == loads[0].rows_loaded > 0


@then("it requests no run and says why")
def _no_request(landing: Landing) -> None:
    assert landing.last.run_requests == []
    assert landing.last.skip_reason is not None
    assert "no new file versions" in (landing.last.skip_reason.skip_message or "")


@when("the extract is overwritten with one more work center")
def _overwrite(landing: Landing) -> None:
    path = landing.root / WORK_CENTERS
    text = path.read_text(encoding="utf-8").rstrip("\r\n").splitlines()
    extra = text[-1].split("\t")
    extra[0] = "ZZZ-99"
    path.write_text("\n".join([*text, "\t".join(extra)]) + "\n", encoding="utf-8")
    _settled(path)


@when("a late extract with a file time in 1970 lands")
def _late(landing: Landing) -> None:
    late = landing.root / "sap" / "CRHD_work_centers_late.txt"
    late.write_bytes((SAMPLE_LANDING / WORK_CENTERS).read_bytes().replace(b"ASE-04", b"ASE-09"))
    os.utime(late, (0, 0))


@then("it requests one run for each of the two files")
def _two_requests(landing: Landing) -> None:
    keys = sorted(request.run_key or "" for request in landing.last.run_requests)
    assert [key.split("@")[0] for key in keys] == [
        "sap/CRHD_work_centers_20270104.txt",
        "sap/CRHD_work_centers_late.txt",
    ]
    first = landing.ticks[0].run_requests[0].run_key
    assert first not in keys  # the overwritten file is a new version with a new key
    for request in landing.last.run_requests:
        assert raw_key("sap/work_centers") in (request.asset_selection or [])
