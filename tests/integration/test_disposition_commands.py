"""The ways a steward records a decision: the record_disposition job and the command line.

Both go through the same job, against the same Dagster instance as the rest (the command's
DAGSTER_HOME), and record the exact evaluation they decided on.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator

import dagster as dg
import pytest

from pharma_pipelines.assets.check_evaluations import latest_evaluation
from pharma_pipelines.assets.dispositions import (
    RECORD_JOB,
    DispositionRequest,
    disposition_run_config,
)
from pharma_pipelines.cli import main
from pharma_pipelines.definitions import build_definitions
from pharma_pipelines.keys import DISPOSITIONS_KEY
from pharma_pipelines.resources import WarehouseResource
from pharma_pipelines.runner import local_instance
from pharma_pipelines.settings import PlatformSettings
from pharma_pipelines.warehouse.disposition_repository import Decision
from tests.integration.planning_plants import a_plant, write_curated
from tests.integration.steward_support import (
    OOS_CHECK,
    OOS_TARGET,
    batch_row,
    land_batches,
    run_check,
)

BAD = [batch_row("B1", "RELEASED", 0), batch_row("B2", "RELEASED", 1)]
GOOD = [batch_row("B1", "RELEASED", 0)]
REASON = "OOS of B2 invalidated under INV-27-004 after the LIMS export; release stands"


@pytest.fixture
def settings(tmp_path, fresh_engines) -> PlatformSettings:
    return PlatformSettings(warehouse_url=f"sqlite:///{tmp_path / 'warehouse.sqlite'}")


@pytest.fixture
def home(tmp_path, monkeypatch) -> Iterator[dg.DagsterInstance]:
    """The command line's instance: DAGSTER_HOME in a temporary folder."""
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    instance = local_instance()
    yield instance
    instance.dispose()


@pytest.fixture
def failed(settings, home) -> dg.DagsterInstance:
    """The release check failed on a landed batch table, in the command line's instance."""
    warehouse = WarehouseResource(url=settings.warehouse_url)
    write_curated(warehouse.curated(), [a_plant("0100", 1001)])
    land_batches(warehouse.curated(), home, BAD)
    assert not run_check(settings, home).passed
    return home


def record_job(
    settings: PlatformSettings, instance: dg.DagsterInstance, request: DispositionRequest
) -> dg.ExecuteInProcessResult:
    job = build_definitions(settings).resolve_job_def(RECORD_JOB)
    return job.execute_in_process(
        instance=instance, run_config=disposition_run_config(request), raise_on_error=False
    )


def failure_of(result: dg.ExecuteInProcessResult) -> str:
    [failure] = result.get_step_failure_events()
    data = failure.step_failure_data.user_failure_data
    assert data is not None, failure.step_failure_data.error
    return data.description or ""


def test_the_job_records_the_latest_evaluation_and_lists_every_decision(settings, failed):
    evaluation = latest_evaluation(failed, OOS_CHECK)
    assert evaluation is not None
    assert evaluation.data is not None

    result = record_job(
        settings,
        failed,
        DispositionRequest(
            decision=Decision.ACCEPT, check=OOS_TARGET, reason=REASON, decided_by="a.nowak"
        ),
    )
    assert result.success
    [record] = WarehouseResource(url=settings.warehouse_url).dispositions().all()
    assert (record.decision, record.decided_by, record.reason) == (
        Decision.ACCEPT,
        "a.nowak",
        REASON,
    )
    assert (record.asset_key, record.check_name, record.partition_key) == (
        "curated/batches",
        "released_batches_have_no_valid_oos",
        None,
    )
    assert (record.evaluation_id, record.evaluation_run_id) == (
        evaluation.evaluation_id,
        evaluation.run_id,
    )
    assert record.materialization_storage_id == evaluation.data.storage_id
    assert record.evaluation_description == evaluation.description

    [event] = result.get_asset_materialization_events()
    metadata = event.materialization.metadata
    assert metadata["dagster/row_count"].value == 1
    assert metadata["recorded_id"].value == record.id
    table = metadata["dispositions"].value
    assert f"| {record.id} |" in table
    assert REASON in table
    assert "curated/batches:released_batches_have_no_valid_oos" in table
    [intact] = result.get_asset_check_evaluations()
    assert (intact.check_name, intact.passed) == ("records_are_intact", True)


@pytest.mark.parametrize(
    ("request_fields", "expected"),
    [
        ({"check": "no_such_check"}, "no check is named 'no_such_check'"),
        ({"check": "unit_is_stated"}, "check 'unit_is_stated' is on 2 assets"),
        (
            {"check": "batch_is_unique", "asset": "curated/batch"},
            "asset 'curated/batch' has no checks",
        ),
        ({"check": "curated/batches:batch_is_unique"}, "has no evaluation in this Dagster"),
        (
            {"check": "planning/scheduling_problem:run_times_are_plausible"},
            "is checked per plant, and no partition is not one of its partitions: give the "
            "partition (--partition), one of 0100",
        ),
        ({"check": OOS_TARGET, "partition": "0100"}, "is not partitioned"),
        ({"check": OOS_TARGET, "reason": "   "}, "the reason is '   '; a decision needs"),
        ({"check": OOS_TARGET, "decided_by": ""}, "name the person who decides"),
        ({"check": OOS_TARGET, "decision": None}, "its config gives none"),
    ],
)
def test_the_job_refuses_what_it_cannot_record_and_says_why(
    settings, failed, request_fields, expected
):
    fields = {"decision": Decision.REJECT, "reason": REASON, "decided_by": "a.nowak"}
    result = record_job(settings, failed, DispositionRequest(**{**fields, **request_fields}))
    assert not result.success
    message = failure_of(result)
    assert message.startswith("no decision recorded: ")
    assert expected in message
    assert WarehouseResource(url=settings.warehouse_url).dispositions().all() == []


def test_the_job_refuses_a_check_that_passed_naming_the_evaluation(settings, failed):
    land_batches(WarehouseResource(url=settings.warehouse_url).curated(), failed, GOOD)
    assert run_check(settings, failed).passed
    result = record_job(
        settings,
        failed,
        DispositionRequest(
            decision=Decision.ACCEPT, check=OOS_TARGET, reason=REASON, decided_by="a.nowak"
        ),
    )
    message = failure_of(result)
    evaluation = latest_evaluation(failed, OOS_CHECK)
    assert evaluation is not None
    assert f"the latest evaluation of {OOS_TARGET} passed" in message
    assert f"evaluation {evaluation.evaluation_id} in run {evaluation.run_id[:8]}" in message


def test_the_command_lists_decides_and_refuses(settings, failed, capsys):
    where = ["--warehouse", settings.warehouse_url]

    assert main(["disposition", "list", *where]) == 0
    listed = capsys.readouterr().out
    assert "1 check(s) failed in their latest evaluation, 1 awaiting a decision" in listed
    assert f"{OOS_TARGET}  (ERROR, blocking)" in listed
    assert "1 of 2 released batches have a valid OOS result" in listed
    assert "decision:   awaiting a decision" in listed

    accepted = main(["disposition", "accept", OOS_TARGET, "--reason", REASON, *where])
    out = capsys.readouterr().out
    assert accepted == 0, out
    user = getpass.getuser()
    assert f"recorded disposition #1: ACCEPT {OOS_TARGET} by {user}" in out
    evaluation = latest_evaluation(failed, OOS_CHECK)
    assert evaluation is not None
    assert f"evaluation:      {evaluation.evaluation_id} of run {evaluation.run_id}" in out

    assert main(["disposition", "list", *where]) == 0
    listed = capsys.readouterr().out
    assert "0 awaiting a decision" in listed
    assert f"decision:   accepted by {user} on" in listed
    assert "#1 " in listed
    assert repr(REASON) in listed

    rejected = main(
        [
            "disposition",
            "reject",
            "batch_is_unique",
            "--asset",
            "curated/batches",
            "--reason",
            "duplicates",
            "--by",
            "a.nowak",
            *where,
        ]
    )
    err = capsys.readouterr().err
    assert rejected == 1
    assert "curated/batches:batch_is_unique has no evaluation in this Dagster instance" in err

    [record] = WarehouseResource(url=settings.warehouse_url).dispositions().all()
    assert record.decided_by == user
    # the command ran the job: the disposition log was refreshed in the same instance
    latest = failed.get_latest_materialization_event(DISPOSITIONS_KEY)
    assert latest is not None
    assert latest.dagster_event is not None
    assert (
        latest.dagster_event.step_materialization_data.materialization.metadata["recorded_id"].value
        == record.id
    )
