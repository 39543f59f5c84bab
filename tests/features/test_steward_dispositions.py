"""Scenarios of steward_dispositions.feature: decisions through the command line."""

from __future__ import annotations

import dagster as dg
from pytest_bdd import given, parsers, scenarios, then

from pharma_pipelines.assets.check_evaluations import latest_evaluation
from tests.features.support import CommandResult, SmallPlant, check_target, failure_message
from tests.integration.steward_support import batch_row, land_batches

scenarios("steward_dispositions.feature")


@given("the batch table is corrected so that no released batch has a valid OOS result")
def _corrected(small: SmallPlant) -> None:
    land_batches(
        small.warehouse.curated(),
        small.instance,
        [batch_row("B1", "RELEASED", 0), batch_row("B2", "QUARANTINE", 1)],
    )


@then(
    "the decision is recorded with the steward, the reason, the evaluation it decided on and "
    "the data that evaluation judged"
)
def _recorded(small: SmallPlant, command: CommandResult) -> None:
    [record] = small.warehouse.dispositions().all()
    target = check_target(command.args[2])
    evaluation = latest_evaluation(small.instance, target.key)
    assert evaluation is not None
    assert evaluation.data is not None
    assert (record.decision.value, record.decided_by, record.reason) == (
        "ACCEPT",
        command.args[command.args.index("--by") + 1],
        command.args[command.args.index("--reason") + 1],
    )
    assert (record.evaluation_id, record.evaluation_run_id) == (
        evaluation.evaluation_id,
        evaluation.run_id,
    )
    assert record.materialization_storage_id == evaluation.data.storage_id
    assert f"recorded disposition #{record.id}: ACCEPT {target.label}" in command.out


@then(parsers.parse('the run says the failure was rejected by "{who}"'))
def _rejected_by(planning: dg.ExecuteInProcessResult, who: str) -> None:
    message = failure_message(planning)
    assert f"rejected by {who} on" in message, message


@then(parsers.parse('its message says the latest evaluation of "{target}" passed'))
def _says_passed(command: CommandResult, target: str) -> None:
    assert f"the latest evaluation of {target} passed" in command.err, command.err


@then("no decision is recorded")
def _none_recorded(small: SmallPlant) -> None:
    assert small.warehouse.dispositions().all() == []
