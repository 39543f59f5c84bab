"""Scenarios of sap_ingestion.feature."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pytest_bdd import parsers, scenarios, then

from pharma_pipelines.resources import WarehouseResource
from tests.plant_runs import PlantRun

scenarios("sap_ingestion.feature")

LINEAGE_COLUMNS = {"raw_record_id", "file_id", "source_file", "row_number", "layout"}
LINEAGE_COLUMNS |= {"decimal_separator"}


@then(
    parsers.parse(
        'every raw row of "{entity}" names its file, the file\'s SHA-256, its row number, '
        "its load time and its run"
    )
)
def _raw_rows_have_lineage(plant: PlantRun, entity: str) -> None:
    raw = WarehouseResource(url=plant.settings.warehouse_url).raw()
    rows = raw.records_frame(entity)
    assert not rows.empty
    files = {loaded.id: loaded for loaded in raw.loaded_files()}
    landing = Path(plant.settings.landing_zone)
    for file_id, group in rows.groupby("file_id"):
        loaded = files[int(file_id)]
        assert set(group["source_file"]) == {loaded.relative_path}
        landed = (landing / loaded.relative_path).read_bytes()
        assert loaded.content_hash == hashlib.sha256(landed).hexdigest()
        assert loaded.loaded_at is not None
        assert plant.instance.get_run_by_id(loaded.run_id) is not None, loaded.run_id
        assert group["row_number"].is_unique
        assert (group["row_number"] > 1).all()  # line 1 is the header


@then(
    parsers.parse(
        'the raw row of production order "{order}" is line {line:d} of "{path}" with every '
        "value as the file writes it"
    )
)
def _raw_row_is_the_line(plant: PlantRun, order: str, line: int, path: str) -> None:
    raw = WarehouseResource(url=plant.settings.warehouse_url).raw()
    rows = raw.records_frame("sap/production_orders")
    [row] = rows[rows["order"] == order].to_dict("records")
    assert (row["source_file"], row["row_number"]) == (path, line)
    text = (Path(plant.settings.landing_zone) / path).read_text(encoding="utf-8")
    fields = text.splitlines()[line - 1].split("\t")
    values = [str(v) for k, v in row.items() if k not in LINEAGE_COLUMNS and v not in (None, "")]
    assert values
    assert set(values) <= set(fields), (values, fields)


@then(
    parsers.parse(
        'line {line:d} of "{path}" is rejected at column "{column}" with the value "{value}" '
        "and the reason names the number format"
    )
)
def _row_rejected(plant: PlantRun, line: int, path: str, column: str, value: str) -> None:
    rejected = [r for r in plant.summary.rejected_rows if r.file == path]
    assert [(r.row, r.column, r.raw_value) for r in rejected] == [(line, column, value)]
    assert "number format" in rejected[0].reason
    assert f"{path} line {line}" in rejected[0].reason


@then(parsers.parse('the other rows of "{path}" are loaded'))
def _other_rows_loaded(plant: PlantRun, path: str) -> None:
    [account] = [a for a in plant.summary.files if a.file == path]
    assert account.rows_rejected == 1
    assert account.rows_loaded == account.rows_read - 1 > 0
    raw = WarehouseResource(url=plant.settings.warehouse_url).raw()
    rows = raw.records_frame(account.entity)
    assert (rows["source_file"] == path).sum() == account.rows_loaded
