"""Scenarios of outlook_ingestion.feature."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from pytest_bdd import given, parsers, scenarios, then, when

from pharma_pipelines.keys import INVENTORY_KEY, OUTLOOK_ENTITIES, raw_key
from pharma_pipelines.resources import WarehouseResource
from pharma_pipelines.settings import PlatformSettings
from pharma_pipelines.warehouse.models import CuratedDemand
from tests.conftest import SAMPLE_LANDING
from tests.features.support import materialize
from tests.plant_runs import PlantRun

scenarios("outlook_ingestion.feature")


@then(parsers.parse('every curated demand line names its message and raw rows of "{entity}"'))
def _demand_names_its_message(plant: PlantRun, entity: str) -> None:
    warehouse = WarehouseResource(url=plant.settings.warehouse_url)
    lines = warehouse.raw().records_frame(entity).set_index("raw_record_id")
    demand = warehouse.curated().frame(CuratedDemand)
    assert not demand.empty
    for row in demand.itertuples():
        assert row.message_id, row
        assert row.raw_record_ids, row
        for record_id in row.raw_record_ids:
            assert lines.loc[record_id, "message_id"] == row.message_id


@given(
    parsers.parse(
        'a landing zone holding the sample\'s mail "{original}" and the same mail saved again '
        'as "{copy}"'
    ),
    target_fixture="settings",
)
def _mail_twice(tmp_path: Path, original: str, copy: str) -> PlatformSettings:
    landing = tmp_path / "landing"
    mail = (SAMPLE_LANDING / original).read_bytes()
    for name, data in ((original, mail), (copy, b"X-Saved-By: Outlook\r\n" + mail)):
        (landing / name).parent.mkdir(parents=True, exist_ok=True)
        (landing / name).write_bytes(data)
    return PlatformSettings(
        landing_zone=str(landing), warehouse_url=f"sqlite:///{tmp_path / 'w.sqlite'}"
    )


@when("the mail of that landing zone is materialized", target_fixture="run")
def _materialize_mail(settings: PlatformSettings, instance: dg.DagsterInstance):
    keys = [INVENTORY_KEY, *(raw_key(entity) for entity in OUTLOOK_ENTITIES)]
    return materialize(settings, instance, keys)


@then(parsers.parse('"{copy}" is recorded as a duplicate that names "{original}"'))
def _recorded_duplicate(settings: PlatformSettings, run, copy: str, original: str) -> None:
    assert run.success
    raw = WarehouseResource(url=settings.warehouse_url).raw()
    loads = [f for f in raw.loaded_files() if f.relative_path == copy]
    assert {f.entity for f in loads} == set(OUTLOOK_ENTITIES)
    for load in loads:
        assert (load.status, load.rows_loaded) == ("duplicate", 0), load.entity
        assert f"as '{original}'" in (load.quarantine_reason or "")
        assert "loaded once" in (load.quarantine_reason or "")


@then("the order lines of the mail are loaded once")
def _lines_once(settings: PlatformSettings) -> None:
    raw = WarehouseResource(url=settings.warehouse_url).raw()
    lines = raw.records_frame("outlook/order_lines")
    [original] = [
        f for f in raw.loaded_files() if f.entity == "outlook/order_lines" and f.status == "loaded"
    ]
    assert original.rows_loaded > 0
    assert len(lines) == original.rows_loaded
    assert set(lines["source_file"]) == {original.relative_path}
