"""The steward's digest asset: on the broken landing zone, and on checks made for the test."""

import datetime as dt
import re
import warnings

import dagster as dg
import pytest
from dagster._core.events import DagsterEventType

from pharma_pipelines.assets.steward_digest import (
    DECIDED_IN_TIME,
    checks_by_partition,
    plant_schedules,
    steward_digest_asset,
)
from pharma_pipelines.check_records import latest_failures
from pharma_pipelines.definitions import build_definitions
from pharma_pipelines.keys import STEWARD_DIGEST_KEY
from pharma_pipelines.resources import WarehouseResource


def digest_run(settings, instance) -> dg.ExecuteInProcessResult:
    """The digest materialized by the code location's own job, as its schedule does."""
    return (
        build_definitions(settings)
        .resolve_implicit_global_asset_job_def()
        .execute_in_process(instance=instance, asset_selection=[STEWARD_DIGEST_KEY])
    )


def digest_metadata(result: dg.ExecuteInProcessResult) -> dict:
    [materialization] = result.asset_materializations_for_node("quality__steward_digest")
    return {key: getattr(value, "value", value) for key, value in materialization.metadata.items()}


@pytest.mark.slow
def test_on_the_broken_landing_zone_every_failed_error_check_awaits_a_decision(broken_instance):
    instance, settings, summary = broken_instance
    failed = sorted(
        (c.check, c.asset) for c in summary.checks if not c.passed and c.severity == "ERROR"
    )

    result = digest_run(settings, instance)
    metadata = digest_metadata(result)
    text = metadata["digest"]
    section = text.split("## Failures awaiting a decision")[1].split("## Stale inputs")[0]
    rows = re.findall(r"^\| (\w+) \| ([\w/]+) \| \d{4}-", section, re.MULTILINE)
    assert sorted(rows) == failed
    assert metadata["awaiting_decision"] == len(failed)
    assert f"## Failures awaiting a decision ({len(failed)})" in text
    assert "None has waited longer than 2 d 0 h" in text
    assert "_No freshness check failed on its latest evaluation._" in text
    assert "| 0100 | never solved |" in text, "planning was held back by the failed checks"
    assert metadata["decisions_from"] == "check_disposition"
    [check] = result.get_asset_check_evaluations()
    assert (check.check_name, check.passed) == (DECIDED_IN_TIME, True)


@pytest.mark.slow
def test_a_failure_past_the_decision_limit_is_overdue_and_fails_the_warn_check(broken_instance):
    instance, settings, _summary = broken_instance
    # A limit of a few microseconds: every failure, made by an earlier run, is past it.
    strict = settings.model_copy(update={"digest_decision_limit_hours": 1e-9})
    result = digest_run(strict, instance)
    metadata = digest_metadata(result)
    assert metadata["overdue"] == metadata["awaiting_decision"] > 0
    assert metadata["digest"].count("**overdue**") == metadata["overdue"]
    [check] = result.get_asset_check_evaluations()
    assert not check.passed
    assert check.severity == dg.AssetCheckSeverity.WARN
    assert check.metadata["failed_count"].value == metadata["overdue"]


# --- checks made for the test: a freshness family, a run of failures, partitions ---------

STATE = {"stock_fresh": False, "plant_ok": {"0100": True, "0200": False}}
PLANTS = dg.StaticPartitionsDefinition(["0100", "0200"])


@dg.asset(key=["raw", "sap", "stock"])
def stock() -> None:
    """Stands in for the stock extract."""


@dg.asset_check(asset=stock)
def stock_is_fresh() -> dg.AssetCheckResult:
    fresh = STATE["stock_fresh"]
    return dg.AssetCheckResult(
        passed=fresh,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "family": "input_freshness",
            "measured": "extracted 30.5 h before the plan time",
            "expected": "at most 24 h old",
            "failed_count": 0 if fresh else 1,
            "total": 1,
        },
    )


@dg.asset(key=["planning", "plant_table"], partitions_def=PLANTS)
def plant_table() -> None:
    """Stands in for a table partitioned by plant."""


with warnings.catch_warnings():
    warnings.filterwarnings("ignore", category=dg.PreviewWarning)

    @dg.asset_check(asset=plant_table, partitions_def=PLANTS)
    def plant_rows_are_complete(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        plant = context.partition_key
        ok = STATE["plant_ok"][plant]
        return dg.AssetCheckResult(
            passed=ok,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={"failed_count": 0 if ok else 3, "total": 10},
        )


def evaluation_times(instance: dg.DagsterInstance, run_id: str) -> list:
    """When the run's check evaluations were stored, to the microsecond a datetime keeps."""
    return [
        pytest.approx(entry.timestamp, abs=1e-5)
        for entry in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION)
    ]


def test_failing_since_is_the_start_of_the_current_run_of_failures(instance):
    STATE["stock_fresh"] = False
    first = dg.materialize([stock, stock_is_fresh], instance=instance)
    second = dg.materialize([stock, stock_is_fresh], instance=instance)
    key = stock_is_fresh.check_key
    [failure] = latest_failures(instance, {key: [None]}, "http://127.0.0.1:3000")
    assert failure.failing_since.timestamp() == evaluation_times(instance, first.run_id)[0]
    assert failure.evaluated_at.timestamp() == evaluation_times(instance, second.run_id)[0]
    assert (failure.run_id, failure.family, failure.failed_count) == (
        second.run_id,
        "input_freshness",
        1,
    )

    STATE["stock_fresh"] = True
    dg.materialize([stock, stock_is_fresh], instance=instance)
    assert latest_failures(instance, {key: [None]}, None) == []

    STATE["stock_fresh"] = False
    fourth = dg.materialize([stock, stock_is_fresh], instance=instance)
    [again] = latest_failures(instance, {key: [None]}, None)
    assert again.failing_since.timestamp() == evaluation_times(instance, fourth.run_id)[0]


def test_partitions_are_judged_one_by_one(instance):
    for plant in ("0100", "0200"):
        dg.materialize(
            [plant_table, plant_rows_are_complete], instance=instance, partition_key=plant
        )
    checks = checks_by_partition([plant_rows_are_complete])
    assert checks == {plant_rows_are_complete.check_key: ["0100", "0200"]}
    failures = latest_failures(instance, checks, None)
    assert [(f.target, f.failed_of_total) for f in failures] == [
        ("planning/plant_table[0200]:plant_rows_are_complete", "3 of 10")
    ]


def test_the_digest_lists_a_failed_freshness_check_as_a_stale_input(instance, fresh_engines):
    STATE["stock_fresh"] = False
    dg.materialize([stock, stock_is_fresh], instance=instance)
    digest = steward_digest_asset(
        checks_by_partition([stock_is_fresh]), ["0100"], "Europe/Berlin", 48, None
    )
    result = dg.materialize(
        [stock, stock_is_fresh, digest],
        instance=instance,
        selection=[STEWARD_DIGEST_KEY],
        resources={"warehouse": WarehouseResource(url="sqlite://")},
    )
    text = digest_metadata(result)["digest"]
    stale = text.split("## Stale inputs (1)")[1].split("## Schedules")[0]
    assert "| raw/sap/stock | stock_is_fresh | extracted 30.5 h before the plan time |" in stale
    assert "| stock_is_fresh | raw/sap/stock |" in text.split("## Stale inputs")[0]


def test_each_plant_shows_its_last_solve_from_the_warehouse(fresh_engines):
    warehouse = WarehouseResource(url="sqlite://")
    planning = warehouse.planning()
    for status, objective, verified in (("FEASIBLE", 990.0, True), ("OPTIMAL", 955.0, True)):
        planning.save_schedule(
            plant="0100",
            problem_hash="a" * 64,
            status=status,
            objective=objective,
            bound=955.0,
            gap=(objective - 955.0) / objective,
            solve_seconds=4.2,
            verified=verified,
            schedule={},
            lines=[],
            run_id=f"run-{status.lower()}",
        )
    latest = planning.latest_schedule("0100")
    assert latest is not None
    [solved, unsolved] = plant_schedules(warehouse, ["0100", "0200"])
    assert (solved.status, solved.objective, solved.gap, solved.verified, solved.run_id) == (
        "OPTIMAL",
        955.0,
        0.0,
        True,
        "run-optimal",
    )
    assert solved.solved_at is not None
    assert solved.solved_at.utcoffset() == dt.timedelta(0)
    assert solved.solved_at.replace(tzinfo=None) == latest.created_at.replace(tzinfo=None)
    assert (unsolved.plant, unsolved.status) == ("0200", None)
