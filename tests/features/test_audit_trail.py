"""Scenarios of audit_trail.feature."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pytest
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from pharma_pipelines.assets.check_evaluations import latest_evaluation
from pharma_pipelines.keys import DISPOSITIONS_KEY
from pharma_pipelines.warehouse.append_only import trigger_statements
from pharma_pipelines.warehouse.disposition_repository import Disposition
from pharma_pipelines.warehouse.models import CheckDisposition
from tests.features.support import (
    CommandResult,
    SmallPlant,
    check_target,
    failing_rows,
    run_check,
    run_command,
)

scenarios("audit_trail.feature")

TABLE = CheckDisposition.__tablename__


@given(
    parsers.parse('a data steward "{who}" has accepted it with the reason "{reason}"'),
    target_fixture="command",
)
def _accepted(small: SmallPlant, capsys, who: str, reason: str) -> CommandResult:
    command = run_command(
        capsys,
        "disposition",
        "accept",
        "curated/batches:released_batches_have_no_valid_oos",
        "--reason",
        reason,
        "--by",
        who,
        "--warehouse",
        small.settings.warehouse_url,
    )
    assert command.exit_code == 0, command.err
    return command


@pytest.fixture
def recorded(small: SmallPlant) -> Disposition:
    [record] = small.warehouse.dispositions().all()
    return record


@then(
    "the recorded decision holds the steward, the time in UTC, the reason, the evaluation and "
    "the data it was about"
)
def _holds(small: SmallPlant, recorded: Disposition, command: CommandResult) -> None:
    target = check_target(command.args[2])
    evaluation = latest_evaluation(small.instance, target.key)
    assert evaluation is not None
    assert evaluation.data is not None
    assert recorded.decided_by == "qa.steward"
    assert recorded.decided_at.tzinfo is not None
    assert recorded.decided_at.utcoffset() == dt.timedelta(0)
    assert abs(dt.datetime.now(dt.UTC) - recorded.decided_at) < dt.timedelta(minutes=10)
    assert recorded.reason == "OOS traced to a mis-set column oven, INV-2027-004"
    assert (recorded.asset_key, recorded.check_name) == (
        "curated/batches",
        "released_batches_have_no_valid_oos",
    )
    assert recorded.evaluation_id == evaluation.evaluation_id
    assert recorded.materialization_storage_id == evaluation.data.storage_id


@then("its SHA-256 matches its content")
def _hash(recorded: Disposition) -> None:
    assert len(recorded.content_hash) == 64
    assert recorded.intact


@then(parsers.parse('the check "{target}" passed in the decision\'s run'))
def _intact_in_decision_run(small: SmallPlant, target: str) -> None:
    record = small.instance.get_latest_materialization_event(DISPOSITIONS_KEY)
    assert record is not None
    [evaluation] = [
        e.dagster_event.event_specific_data
        for e in small.instance.all_logs(
            record.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
        )
        if e.dagster_event is not None
    ]
    assert isinstance(evaluation, dg.AssetCheckEvaluation)
    assert f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}" == target
    assert evaluation.passed, evaluation.description


@pytest.fixture
def refusals() -> list[Exception]:
    return []


@when("someone tries to change the decision's reason directly in the database")
def _try_update(small: SmallPlant, recorded: Disposition, refusals: list[Exception]) -> None:
    refusals.append(
        _refused(small, f"UPDATE {TABLE} SET reason = 'nothing' WHERE id = {recorded.id}")
    )


@when("someone tries to delete the decision directly in the database")
def _try_delete(small: SmallPlant, recorded: Disposition, refusals: list[Exception]) -> None:
    refusals.append(_refused(small, f"DELETE FROM {TABLE} WHERE id = {recorded.id}"))


def _refused(small: SmallPlant, statement: str) -> Exception:
    with pytest.raises(DBAPIError) as raised, small.warehouse.engine().begin() as connection:
        connection.execute(text(statement))
    return raised.value


@then("both are refused by the database")
def _both_refused(refusals: list[Exception]) -> None:
    assert len(refusals) == 2
    for refusal in refusals:
        assert "append-only" in str(refusal), refusal


@then("the decision reads back unchanged")
def _unchanged(small: SmallPlant, recorded: Disposition) -> None:
    assert small.warehouse.dispositions().all() == [recorded]


@when(
    "someone drops the table's update trigger, changes the decision to REJECT and restores "
    "the trigger"
)
def _alter_behind_back(small: SmallPlant, recorded: Disposition) -> None:
    with small.warehouse.engine().begin() as connection:
        connection.execute(text(f"DROP TRIGGER {TABLE}_no_update"))
        connection.execute(text(f"UPDATE {TABLE} SET decision = 'REJECT' WHERE id = {recorded.id}"))
        for statement in trigger_statements(TABLE, "sqlite"):
            if "_no_update" in statement:
                connection.execute(text(statement))


@when(parsers.parse('the check "{target}" runs'), target_fixture="evaluation")
def _runs(small: SmallPlant, target: str) -> dg.AssetCheckEvaluation:
    return run_check(small.settings, small.instance, target)


@then("that check failed as ERROR")
def _failed_error(evaluation: dg.AssetCheckEvaluation) -> None:
    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR


@then("its failing rows name the altered decision")
def _names_altered(evaluation: dg.AssetCheckEvaluation, recorded: Disposition) -> None:
    rows = failing_rows(evaluation.metadata["failing_rows"].value)
    assert [row.get("id") for row in rows] == [str(recorded.id)], rows
