"""Planning across runs: a failed blocking check holds it back until a steward accepts it.

An accept releases exactly the data the failed evaluation judged; a newer materialization is
checked afresh, a reject keeps the hold, and the latest decision about the data counts.
"""

from __future__ import annotations

import dagster as dg
import pytest

from pharma_pipelines.assets.check_evaluations import latest_evaluation
from pharma_pipelines.assets.dispositions import (
    CheckCatalog,
    DispositionRequest,
    failed_checks,
    record_disposition,
)
from pharma_pipelines.definitions import build_definitions
from pharma_pipelines.keys import PROBLEM_KEY, SCHEDULE_KEY
from pharma_pipelines.resources import WarehouseResource
from pharma_pipelines.settings import PlatformSettings
from pharma_pipelines.warehouse.disposition_repository import Decision, Disposition
from tests.conftest import SOLVE_LIMIT_S
from tests.integration.planning_plants import OrderRow, a_plant, write_curated
from tests.integration.steward_support import (
    OOS_CHECK,
    OOS_TARGET,
    batch_row,
    held_back_message,
    land_batches,
    materialized,
    plan,
    run_check,
)

GOOD = [batch_row("B1", "RELEASED", 0), batch_row("B2", "QUARANTINE", 1)]
BAD = [batch_row("B1", "RELEASED", 0), batch_row("B2", "RELEASED", 1)]


@pytest.fixture
def settings(tmp_path, fresh_engines) -> PlatformSettings:
    # The curated tables are written directly, with no extract behind them, so no input has
    # an extraction time to judge: freshness is left out here (its own tests judge it).
    return PlatformSettings(
        warehouse_url=f"sqlite:///{tmp_path / 'warehouse.sqlite'}",
        solver_time_limit_s=SOLVE_LIMIT_S,
        freshness_limits_hours={},
    )


@pytest.fixture
def warehouse(settings) -> WarehouseResource:
    warehouse = WarehouseResource(url=settings.warehouse_url)
    write_curated(warehouse.curated(), [a_plant("0100", 1001)])
    return warehouse


def catalog_of(settings: PlatformSettings) -> CheckCatalog:
    graph = build_definitions(settings).resolve_asset_graph()
    return CheckCatalog.from_specs(graph.get_check_spec(k) for k in graph.asset_check_keys)


def decide(
    settings: PlatformSettings,
    instance: dg.DagsterInstance,
    decision: Decision,
    check: str = OOS_TARGET,
    partition: str | None = None,
) -> Disposition:
    return record_disposition(
        instance,
        WarehouseResource(url=settings.warehouse_url).dispositions(),
        catalog_of(settings),
        DispositionRequest(
            decision=decision,
            check=check,
            partition=partition,
            reason=f"{decision.value.lower()}ed after review of deviation DEV-27-001",
            decided_by="qa.steward",
        ),
    )


def test_a_failed_release_check_holds_planning_back_until_accepted_for_that_data(
    settings, warehouse, instance
):
    land_batches(warehouse.curated(), instance, BAD)
    evaluation = run_check(settings, instance)
    assert not evaluation.passed

    held = plan(settings, instance)
    assert not held.success
    assert materialized(held) == set()
    message = held_back_message(held)
    assert "the problem of plant 0100 is held back" in message
    assert OOS_TARGET in message
    assert "1 of 2 released batches have a valid OOS result" in message
    assert "no data steward has decided on it" in message
    assert f"pharma-pipelines disposition accept {OOS_TARGET}" in message

    accepted = decide(settings, instance, Decision.ACCEPT)
    latest = latest_evaluation(instance, OOS_CHECK)
    assert latest is not None
    assert latest.data is not None
    assert (accepted.evaluation_id, accepted.evaluation_run_id) == (
        latest.evaluation_id,
        latest.run_id,
    )
    assert accepted.materialization_storage_id == latest.data.storage_id
    released = plan(settings, instance)
    assert released.success
    assert materialized(released) == {"planning/scheduling_problem", "planning/production_schedule"}

    # the same table landed again is a new materialization: checked afresh, held again
    land_batches(warehouse.curated(), instance, BAD)
    assert not run_check(settings, instance).passed
    again = plan(settings, instance)
    assert not again.success
    assert "no data steward has decided on it" in held_back_message(again)

    # corrected data passes and needs no decision
    land_batches(warehouse.curated(), instance, GOOD)
    assert run_check(settings, instance).passed
    assert plan(settings, instance).success


def test_a_reject_keeps_the_hold_and_the_latest_decision_counts(settings, warehouse, instance):
    land_batches(warehouse.curated(), instance, BAD)
    run_check(settings, instance)

    rejected = decide(settings, instance, Decision.REJECT)
    held = plan(settings, instance)
    assert not held.success
    assert "rejected by qa.steward on" in held_back_message(held)
    assert f"(disposition #{rejected.id}), which holds it" in held_back_message(held)

    decide(settings, instance, Decision.ACCEPT)
    assert plan(settings, instance, (PROBLEM_KEY,)).success

    decide(settings, instance, Decision.REJECT)
    assert not plan(settings, instance, (PROBLEM_KEY,)).success


def test_an_accept_does_not_cover_data_materialized_since_without_the_check(
    settings, warehouse, instance
):
    land_batches(warehouse.curated(), instance, BAD)
    run_check(settings, instance)
    accepted = decide(settings, instance, Decision.ACCEPT)

    land_batches(warehouse.curated(), instance, BAD)
    held = plan(settings, instance, (PROBLEM_KEY,))
    assert not held.success
    message = held_back_message(held)
    assert "accepted by qa.steward" in message
    assert f"(disposition #{accepted.id})" in message
    assert "curated/batches was materialized again since" in message
    assert "that data has not been checked" in message

    repository = WarehouseResource(url=settings.warehouse_url).dispositions()
    [listed] = failed_checks(instance, repository, catalog_of(settings))
    assert listed.status.startswith("accepted by qa.steward on ")
    assert "; but curated/batches was materialized again since" in listed.status


def test_the_schedule_alone_is_held_back_by_its_plants_failed_problem_check(
    settings, warehouse, instance
):
    plant = a_plant("0100", 1001)
    plant.orders[0] = OrderRow(plant.orders[0].order, "P1", 0, 2, quantity=4800.0 * 400)
    write_curated(warehouse.curated(), [plant])
    first = plan(settings, instance)
    assert materialized(first) == {"planning/scheduling_problem"}
    [failed] = [e for e in first.get_asset_check_evaluations() if not e.passed]
    assert failed.check_name == "run_times_are_plausible"

    alone = plan(settings, instance, (SCHEDULE_KEY,))
    assert not alone.success
    message = held_back_message(alone)
    assert "the schedule of plant 0100 is held back" in message
    assert "planning/scheduling_problem[0100]:run_times_are_plausible" in message
    assert "--partition 0100" in message

    decide(
        settings,
        instance,
        Decision.ACCEPT,
        check="planning/scheduling_problem:run_times_are_plausible",
        partition="0100",
    )
    assert materialized(plan(settings, instance, (SCHEDULE_KEY,))) == {
        "planning/production_schedule"
    }
