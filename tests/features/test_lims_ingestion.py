"""Scenarios of lims_ingestion.feature."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from pharma_pipelines.keys import INVENTORY_KEY, raw_key
from pharma_pipelines.resources import WarehouseResource
from pharma_pipelines.settings import PlatformSettings
from pharma_pipelines.warehouse.models import CuratedQcResult
from tests.conftest import SAMPLE_LANDING
from tests.features.support import materialize
from tests.plant_runs import PlantRun

scenarios("lims_ingestion.feature")

RESULTS = "lims/results_20270104.csv"


@then("every curated QC result keeps the result text of the raw LIMS row it names")
def _results_keep_their_text(plant: PlantRun) -> None:
    warehouse = WarehouseResource(url=plant.settings.warehouse_url)
    raw = warehouse.raw().records_frame("lims/results").set_index("raw_record_id")
    curated = warehouse.curated().frame(CuratedQcResult)
    assert len(curated) == len(raw)
    for result in curated.itertuples():
        [record_id] = result.raw_record_ids
        assert raw.loc[record_id, "result"] == result.raw_result


@then("censored results keep their qualifier beside the text the LIMS wrote")
def _censored_results(plant: PlantRun) -> None:
    curated = WarehouseResource(url=plant.settings.warehouse_url).curated()
    results = curated.frame(CuratedQcResult)
    censored = results[results["censored"].astype(bool)]
    assert not censored.empty
    for result in censored.itertuples():
        assert result.qualifier in ("<", ">", "<=", ">=")
        assert result.raw_result.strip().startswith(result.qualifier)
        written = result.raw_result.strip().removeprefix(result.qualifier).strip()
        assert float(written.replace(",", ".")) == result.value


@then("every curated QC result has a specification verdict")
def _verdicts(plant: PlantRun) -> None:
    curated = WarehouseResource(url=plant.settings.warehouse_url).curated()
    verdicts = curated.frame(CuratedQcResult)["verdict"]
    assert verdicts.notna().all()
    assert (verdicts.str.len() > 0).all()


@pytest.fixture
def lims_landing(tmp_path: Path) -> Path:
    return tmp_path / "landing"


@given(
    parsers.parse(
        'a landing zone holding the sample\'s LIMS results with line {line:d} dated "{date}"'
    ),
    target_fixture="settings",
)
def _lims_landing(lims_landing: Path, tmp_path: Path, line: int, date: str) -> PlatformSettings:
    lines = (SAMPLE_LANDING / RESULTS).read_text(encoding="utf-8").splitlines()[:line]
    fields = lines[line - 1].split(",")
    fields[7] = date  # Result Date
    lines[line - 1] = ",".join(fields)
    target = lims_landing / RESULTS
    target.parent.mkdir(parents=True)
    target.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return PlatformSettings(
        landing_zone=str(lims_landing), warehouse_url=f"sqlite:///{tmp_path / 'w.sqlite'}"
    )


@when("the LIMS results of that landing zone are materialized", target_fixture="run")
def _materialize_results(settings: PlatformSettings, instance: dg.DagsterInstance):
    return materialize(settings, instance, [INVENTORY_KEY, raw_key("lims/results")])


@then(
    parsers.parse("the results file is loaded with {loaded:d} rows and {rejected:d} rejected row")
)
def _results_file_counts(settings: PlatformSettings, run, loaded: int, rejected: int) -> None:
    assert run.success
    raw = WarehouseResource(url=settings.warehouse_url).raw()
    [account] = raw.accounting("lims/results").to_dict("records")
    assert (account["status"], account["rows_loaded"], account["rows_rejected"]) == (
        "loaded",
        loaded,
        rejected,
    )
    assert account["rows_read"] == loaded + rejected


@then(
    parsers.parse(
        'line {line:d} is rejected at column "{column}" with the value "{value}" and the reason '
        "names the calendar"
    )
)
def _rejected_date(settings: PlatformSettings, line: int, column: str, value: str) -> None:
    raw = WarehouseResource(url=settings.warehouse_url).raw()
    [reject] = raw.rejects_frame("lims/results").to_dict("records")
    assert (reject["row"], reject["column"], reject["raw_value"]) == (line, column, value)
    assert "not a calendar date" in reject["reason"]
