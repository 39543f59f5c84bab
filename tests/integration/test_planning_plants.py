"""Plants are planned apart: two plants in two concurrent runs, each to its own schedule.

The runs are started the way a deployment would start them, as separate processes of the
``dagster`` command sharing one instance and one warehouse, at the same time.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from pharma_pipelines.definitions import build_definitions
from pharma_pipelines.keys import SCHEDULE_KEY, curated_key
from pharma_pipelines.resources import WarehouseResource
from pharma_pipelines.settings import PlatformSettings
from tests.conftest import PROJECT_ROOT
from tests.integration.planning_plants import a_plant, write_curated

PLANTS = {"0100": 1001, "0200": 2001}


@pytest.fixture
def warehouse_url(tmp_path: Path, fresh_engines: None) -> str:
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    plants = [a_plant(plant, first) for plant, first in PLANTS.items()]
    write_curated(WarehouseResource(url=url).curated(), plants)
    return url


def materialize_plant(plant: str, home: Path, warehouse_url: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "PHARMA_WAREHOUSE_URL": warehouse_url,
        "PHARMA_PLANTS": ",".join(PLANTS),
        "PHARMA_SOLVER_TIME_LIMIT_S": "3",
        # curated tables written by hand: no extract files whose age could be judged
        "PHARMA_FRESHNESS_LIMITS_HOURS": "{}",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dagster",
            "asset",
            "materialize",
            "-m",
            "pharma_pipelines.definitions",
            "--select",
            "planning/scheduling_problem,planning/production_schedule",
            "--partition",
            plant,
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.mark.slow
def test_two_plants_solve_in_parallel_runs_each_to_its_own_verified_schedule(
    tmp_path, warehouse_url
):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    # The instance's storage exists before runs start, as in a deployment: two processes
    # creating a fresh SQLite instance at once race on its tables.
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert instance.get_runs() == []

    started = [materialize_plant(plant, home, warehouse_url) for plant in PLANTS]
    outputs = [process.communicate(timeout=600)[0] for process in started]
    for process, output in zip(started, outputs, strict=True):
        assert process.returncode == 0, output[-3000:]

    planning = WarehouseResource(url=warehouse_url).planning()
    runs = set()
    for plant, first in PLANTS.items():
        stored = planning.latest_schedule(plant)
        assert stored is not None
        assert (stored.plant, stored.verified) == (plant, True)
        placed = stored.schedule["assignments"]
        assert {a["order"] for a in placed} == {f"{first + i:012d}" for i in range(4)}
        assert {a["line"] for a in placed} <= {f"MIX-{plant}-1", f"MIX-{plant}-2"}
        runs.add(stored.run_id)
    assert len(runs) == 2

    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert instance.get_materialized_partitions(SCHEDULE_KEY) == set(PLANTS)
        for plant in PLANTS:
            [record] = instance.fetch_materializations(
                dg.AssetRecordsFilter(asset_key=SCHEDULE_KEY, asset_partitions=[plant]), limit=1
            ).records
            metadata = record.asset_materialization.metadata
            assert metadata["plant"].value == plant
            assert metadata["verified"].value is True


def test_open_orders_of_a_plant_that_is_not_planned_fail_a_check_by_name(warehouse_url, instance):
    settings = PlatformSettings(warehouse_url=warehouse_url, plants=["0100"])
    job = build_definitions(settings).resolve_implicit_global_asset_job_def()
    check = dg.AssetCheckKey(
        curated_key("production_orders"), "open_orders_belong_to_a_planned_plant"
    )
    result = job.get_subset(
        asset_selection=set(), asset_check_selection={check}
    ).execute_in_process(instance=instance, raise_on_error=False)
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.passed is False
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR
    failing = evaluation.metadata["failing_rows"].value
    assert all(f"{2001 + i:012d}" in failing for i in range(4))
    assert "0200" in failing
    assert (
        "4 of 8 open orders of a plant that is not planned" in evaluation.metadata["measured"].value
    )
