"""Scenarios of planning_hold.feature."""

from __future__ import annotations

import dagster as dg
from pytest_bdd import parsers, scenarios, then, when

from tests.features.support import SmallPlant, failure_message
from tests.integration.planning_plants import write_curated

scenarios("planning_hold.feature")


@then(parsers.parse('the run says the problem of plant "{plant}" is held back by "{target}"'))
def _held_back(planning: dg.ExecuteInProcessResult, plant: str, target: str) -> None:
    message = failure_message(planning)
    assert f"the problem of plant {plant} is held back" in message, message
    assert target in message, message


@then("the run names the command that would accept the failure")
def _names_command(planning: dg.ExecuteInProcessResult) -> None:
    message = failure_message(planning)
    assert "pharma-pipelines disposition accept curated/production_orders:order_is_unique" in (
        message
    ), message


@when("the duplicate order is removed")
def _remove_duplicate(small: SmallPlant) -> None:
    small.data.orders.pop()
    write_curated(small.warehouse.curated(), [small.data])
