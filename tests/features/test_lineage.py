"""Scenarios of lineage.feature: the lineage command on the sample plant."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from pytest_bdd import parsers, scenarios, then, when

from pharma_pipelines.catalog.units import BUILT_IN
from pharma_pipelines.resources import WarehouseResource
from pharma_pipelines.warehouse.models import CURATED_TABLES, CuratedUnit
from tests.features.support import CommandResult, run_command
from tests.plant_runs import PlantRun

scenarios("lineage.feature")


@when(
    "an auditor asks for the lineage of the first order on the plant's published schedule",
    target_fixture="command",
)
def _lineage_of_first(plant: PlantRun, capsys) -> CommandResult:
    schedule = (
        WarehouseResource(url=plant.settings.warehouse_url).planning().latest_schedule("0100")
    )
    assert schedule is not None
    assert schedule.verified
    first = min(schedule.lines, key=lambda line: (line.start_at, line.line))
    return run_command(
        capsys,
        "lineage",
        first.order,
        "--warehouse",
        plant.settings.warehouse_url,
        "--landing",
        plant.settings.landing_zone,
    )


@when(
    parsers.parse('an auditor asks for the lineage of order "{order}" of plant "{plant_key}"'),
    target_fixture="command",
)
def _lineage_of(plant: PlantRun, capsys, order: str, plant_key: str) -> CommandResult:
    return run_command(
        capsys, "lineage", order, "--plant", plant_key, "--warehouse", plant.settings.warehouse_url
    )


def _scheduled(plant: PlantRun, command: CommandResult):
    order = command.args[1]
    schedule = (
        WarehouseResource(url=plant.settings.warehouse_url).planning().latest_schedule("0100")
    )
    assert schedule is not None
    [line] = [line for line in schedule.lines if line.order == order]
    return line


@then("the lineage shows the schedule line with its line, start and end")
def _shows_schedule_line(plant: PlantRun, command: CommandResult) -> None:
    line = _scheduled(plant, command)
    assert f"lineage of production order {line.order}, plant 0100" in command.out
    assert (
        f"order {line.order} (material {line.material}) on line {line.line}, "
        f"no. {line.sequence}: {line.start_at.isoformat(timespec='minutes')} to "
        f"{line.end_at.isoformat(timespec='minutes')}"
    ) in command.out
    assert "verified by the independent checker" in command.out


@then("the lineage shows the curated production order, product, line and rate that placed it")
def _shows_curated_rows(plant: PlantRun, command: CommandResult) -> None:
    line = _scheduled(plant, command)
    out = command.out
    assert re.search(rf"curated_production_order #\d+ \(order={line.order}, plant=0100\)", out)
    assert re.search(rf"curated_product #\d+ \(material={line.material}\)", out)
    assert re.search(rf"curated_line #\d+ \(work_center={line.line}\)", out)
    assert re.search(
        rf"curated_line_eligibility #\d+ \(material={line.material}, work_center={line.line}\)",
        out,
    )
    assert "MISSING" not in out
    assert "NONE" not in out


@then("every source file in the lineage is shown with the SHA-256 of the bytes in the landing zone")
def _shows_files(plant: PlantRun, command: CommandResult) -> None:
    files = re.findall(r"^   (\S.*)\n      sha256 ([0-9a-f]{64})$", command.out, re.MULTILINE)
    assert {path for path, _digest in files} >= {
        "sap/AFKO_production_orders_20270104.txt",
        "sap/MARA_material_master_20270104.csv",
        "sap/CRHD_work_centers_20270104.txt",
        "sap/MKAL_production_versions_20270104.csv",
    }
    landing = Path(plant.settings.landing_zone)
    for path, digest in files:
        assert hashlib.sha256((landing / path).read_bytes()).hexdigest() == digest, path
    assert command.out.count("in the landing zone now with the same SHA-256") == len(files)


@then("every raw row in the lineage is shown with its file and row number")
def _shows_raw_rows(plant: PlantRun, command: CommandResult) -> None:
    shown = re.findall(r"^   #(\d+) (\S+), row (\d+) of (\S+): ", command.out, re.MULTILINE)
    assert len(shown) >= 4
    raw = WarehouseResource(url=plant.settings.warehouse_url).raw()
    for record_id, entity, row, path in shown:
        rows = raw.records_frame(entity).set_index("raw_record_id")
        assert (
            rows.loc[int(record_id), "source_file"],
            rows.loc[int(record_id), "row_number"],
        ) == (
            path,
            int(row),
        )


@then("every curated row built from landed files names at least one raw row")
def _curated_rows_name_raw_rows(plant: PlantRun) -> None:
    curated = WarehouseResource(url=plant.settings.warehouse_url).curated()
    judged = []
    for table in CURATED_TABLES:
        frame = curated.frame(table)
        if table is CuratedUnit:
            # units come from T006 rows or the built-in set, which has no raw row
            frame = frame[frame["origin"] != BUILT_IN]
        if frame.empty:
            continue  # the sample lands no extract of this kind (batch yields)
        judged.append(table.__tablename__)
        empty = frame[frame["raw_record_ids"].map(len) == 0]
        assert empty.empty, (table.__tablename__, empty.head())
    assert len(judged) >= len(CURATED_TABLES) - 1, judged


@then("every raw row a curated row names is in the raw table with its loaded file")
def _named_raw_rows_exist(plant: PlantRun) -> None:
    warehouse = WarehouseResource(url=plant.settings.warehouse_url)
    curated = warehouse.curated()
    named = {
        int(i)
        for table in CURATED_TABLES
        for ids in curated.frame(table)["raw_record_ids"]
        for i in ids
    }
    raw = warehouse.raw()
    entities = {f.entity for f in raw.loaded_files()}
    known = {int(i) for entity in entities for i in raw.lineage_frame(entity)["raw_record_id"]}
    assert named
    assert named <= known, sorted(named - known)[:10]


@then(
    parsers.parse(
        'the message says the order is not in the latest published schedule of plant "{plant_key}"'
    )
)
def _not_in_schedule(command: CommandResult, plant_key: str) -> None:
    order = command.args[1]
    assert (
        f"order {order!r} is not in the latest published schedule of plant {plant_key}"
        in command.err
    )
    assert "Traceback" not in command.err
