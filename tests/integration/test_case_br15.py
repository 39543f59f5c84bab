"""User case BR-15: a failed release check stops the schedule, in the same run and later ones.

The case gives the curated batch release table as it would be materialized
(``batch_release.csv``): batch B240320C is RELEASED with one valid out-of-specification
result. Here that table lands as the extracts it comes from, beside the sample plant: SAP
batches (MCH1), the quality unit's dispositions, and LIMS samples, specifications and results
where each valid OOS is followed by a passing retest (a retest alone does not set an OOS
aside). The real curated asset builds the table and the real check judges it.

The case names the assets ``curated_batch_release`` and ``optimized_schedule``; here they
are ``curated/batches`` and ``planning/production_schedule`` (solved from
``planning/scheduling_problem``, which takes the batch table as an input).
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import dagster as dg
import pytest

from pharma_pipelines.assets.check_evaluations import latest_evaluation, latest_materialization
from pharma_pipelines.definitions import build_definitions
from pharma_pipelines.keys import PROBLEM_KEY, SCHEDULE_KEY, curated_key
from pharma_pipelines.resources import WarehouseResource
from pharma_pipelines.runner import materialize_all, steward_view
from pharma_pipelines.settings import PlatformSettings
from pharma_pipelines.warehouse.models import CuratedBatch
from tests.conftest import SAMPLE_LANDING, SOLVE_LIMIT_S, case_dir
from tests.integration.steward_support import held_back_message, materialized, plan

pytestmark = pytest.mark.slow

CASE_ASSETS = {
    "curated_batch_release": "curated/batches",
    "optimized_schedule": "planning/production_schedule",
}
PLANT = "0100"
SPEC_MIN, SPEC_MAX, PASSING, OUT_OF_SPEC = "95.0", "105.0", "99.4", "91.2"


def case_rows(name: str) -> list[dict[str, str]]:
    text = (case_dir("BR-15") / name).read_text(encoding="utf-8")
    delimiter = ";" if name.endswith("batch_release.csv") else ","
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def land_release_table(landing: Path, releases: list[dict[str, str]]) -> None:
    """The case's release table as the SAP and LIMS extracts that produce it."""
    sap = landing / "sap" / "cases" / "BR-15"
    lims = landing / "lims" / "cases" / "BR-15"
    write_csv(
        sap / "MCH1_batches.csv",
        ["CHARG", "MATNR", "WERKS", "HSDAT", "VFDAT", "AUFNR"],
        [[r["batch"], r["material"], PLANT, "20240301", "20270301", ""] for r in releases],
    )
    write_csv(
        lims / "batch_disposition.csv",
        ["Lot", "Product", "Disposition", "Decision Date", "Decided By"],
        [
            [r["batch"], r["material"], r["release_status"], r["release_date"], "QA BR-15"]
            for r in releases
        ],
    )
    write_csv(
        lims / "specifications.csv",
        ["Material", "Test", "Min", "Max", "Text Spec", "Unit", "Release Relevant"],
        [
            [material, "ASSAY", SPEC_MIN, SPEC_MAX, "", "%", "Y"]
            for material in sorted({r["material"] for r in releases})
        ],
    )
    write_csv(
        lims / "samples.csv",
        ["Sample ID", "Batch", "Material", "Sample Type", "Date Sampled"],
        [[f"S-{r['batch']}", r["batch"], r["material"], "Release", "2024-03-05"] for r in releases],
    )
    results = []
    for release in releases:
        runs = [OUT_OF_SPEC] * int(release["valid_oos_count"]) + [PASSING]
        for run, value in enumerate(runs, start=1):
            result_id = f"R-{release['batch']}-{run}"
            retest_of = f"R-{release['batch']}-{run - 1}" if run > 1 else ""
            results.append(result_row(result_id, release["batch"], run, value, retest_of))
    write_csv(
        lims / "results.csv",
        [
            "Result ID",
            "Sample ID",
            "Batch",
            "Test",
            "Run",
            "Result",
            "Unit",
            "Result Date",
            "Result Status",
            "Invalidation Reason",
            "Retest Of",
        ],
        results,
    )


def result_row(result_id: str, batch: str, run: int, value: str, retest_of: str) -> list[str]:
    """A valid result of the release assay, in the LIMS results extract's columns."""
    return [
        result_id,
        f"S-{batch}",
        batch,
        "ASSAY",
        str(run),
        value,
        "%",
        "2024-03-08",
        "Valid",
        "",
        retest_of,
    ]


def failing_batches(evaluation: dg.AssetCheckEvaluation) -> list[str]:
    """The first column of the failing rows table in the check's metadata."""
    table = evaluation.metadata["failing_rows"].value
    assert isinstance(table, str)
    lines = [line for line in table.splitlines() if line.startswith("|")][2:]
    return [line.split("|")[1].strip() for line in lines]


def one_run(settings: PlatformSettings, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    """Everything, curated tables and the plant's schedule, in a single run."""
    job = build_definitions(settings).resolve_implicit_global_asset_job_def()
    return job.execute_in_process(
        instance=instance,
        asset_selection=list(job.asset_layer.executable_asset_keys),
        partition_key=PLANT,
        raise_on_error=False,
    )


def schedule_pointer(instance: dg.DagsterInstance) -> int:
    latest = latest_materialization(instance, SCHEDULE_KEY, PLANT)
    assert latest is not None
    return latest.storage_id


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    case_dir("BR-15")
    target = tmp_path / "landing"
    shutil.copytree(SAMPLE_LANDING, target)
    return target


def test_br15_a_failed_release_check_stops_the_schedule(landing, tmp_path, fresh_engines, instance):
    settings = PlatformSettings(
        landing_zone=str(landing),
        warehouse_url=f"sqlite:///{tmp_path / 'warehouse.sqlite'}",
        solver_time_limit_s=SOLVE_LIMIT_S,
    )
    [expected] = case_rows("expected_check.csv")
    releases = case_rows("batch_release.csv")
    assert CASE_ASSETS[expected["asset"]] == "curated/batches"

    baseline = materialize_all(settings, instance)
    assert baseline.exit_code == 0, baseline.checks
    schedule_before = schedule_pointer(instance)
    problem_before = latest_materialization(instance, PROBLEM_KEY, PLANT)

    # The case's release table lands; one run rebuilds it and would plan the plant.
    land_release_table(landing, releases)
    same = one_run(settings, instance)

    batches = WarehouseResource(url=settings.warehouse_url).curated().frame(CuratedBatch)
    case = batches[batches["batch"].isin([r["batch"] for r in releases])]
    assert sorted(case[["batch", "material", "disposition", "valid_oos"]].values.tolist()) == [
        [r["batch"], r["material"], r["release_status"], int(r["valid_oos_count"])]
        for r in sorted(releases, key=lambda r: r["batch"])
    ]

    [evaluation] = [
        e for e in same.get_asset_check_evaluations() if e.check_name == expected["check"]
    ]
    assert evaluation.asset_key == curated_key("batches")
    assert str(evaluation.passed).lower() == expected["passed"]
    assert failing_batches(evaluation) == expected["offending_batches"].split()
    assert evaluation.metadata["failed_count"].value == 1
    released = [r["batch"] for r in releases if r["release_status"] == "RELEASED"]
    passing = [batch for batch in released if batch not in failing_batches(evaluation)]
    assert passing == ["B240311A", "B240321D", "B240323F"]
    assert "B240322E" not in released

    # Same run: the run fails, on the check alone, and nothing is planned.
    assert not same.success
    failures = [e.step_failure_data.error for e in same.get_step_failure_events()]
    assert [error.cls_name for error in failures if error] == ["DagsterAssetCheckFailedError"]
    assert materialized(same).isdisjoint(
        {"planning/scheduling_problem", "planning/production_schedule"}
    )
    assert expected["downstream_optimized_schedule"].startswith("not materialized in this run")
    assert schedule_pointer(instance) == schedule_before
    # the schedule's input is still the problem built before this table version landed
    assert latest_materialization(instance, PROBLEM_KEY, PLANT) == problem_before
    bad_table = latest_materialization(instance, curated_key("batches"))
    assert bad_table is not None
    problem_event = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=PROBLEM_KEY, asset_partitions=[PLANT]), limit=1
    ).records[0]
    tags = problem_event.asset_materialization.tags or {}
    assert tags["dagster/input_event_pointer/curated/batches"] != str(bad_table.storage_id)

    # A later run of the plant, as a sensor or a planner would start it: still held back.
    later = plan(settings, instance)
    assert not later.success
    assert materialized(later) == set()
    message = held_back_message(later)
    assert f"curated/batches:{expected['check']}" in message
    assert schedule_pointer(instance) == schedule_before

    # The failure is visible to a person: the check's result and the steward's list.
    latest = latest_evaluation(
        instance, dg.AssetCheckKey(curated_key("batches"), expected["check"])
    )
    assert latest is not None
    assert not latest.passed
    [listed] = steward_view(settings, instance).failed
    assert listed.evaluation.target == f"curated/batches:{expected['check']}"
    assert listed.blocking
    assert listed.status == "awaiting a decision"

    # The quality unit withdraws the release: the corrected table passes, the plant is planned.
    write_csv(
        landing / "lims" / "cases" / "BR-15" / "batch_disposition_corrected.csv",
        ["Lot", "Product", "Disposition", "Decision Date", "Decided By"],
        [["B240320C", "000000000000012345", "QUARANTINE", "", "QA BR-15"]],
    )
    corrected = materialize_all(settings, instance)
    assert corrected.exit_code == 0, [c for c in corrected.checks if not c.passed]
    assert f"planning/production_schedule[{PLANT}]" in corrected.assets_materialized
    assert schedule_pointer(instance) != schedule_before
    assert corrected.schedules[PLANT]["verified"] is True
    assert steward_view(settings, instance).failed == []
