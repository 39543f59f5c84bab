"""Automation conditions, evaluated on an instance as the automation sensor evaluates them.

Materializations and check results are reported to a test instance; the conditions of the
real definitions then decide what would be requested.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterable

import dagster as dg
import pytest

from pharma_pipelines.definitions import build_definitions
from pharma_pipelines.keys import PROBLEM_KEY, SCHEDULE_KEY, curated_key, raw_key
from pharma_pipelines.settings import PlatformSettings
from tests.instances import in_memory_instance

ORDERS_RAW = raw_key("sap/production_orders")
ORDERS = curated_key("production_orders")
PLANTS = ["0100", "0200"]
BERLIN = dt.timezone(dt.timedelta(hours=1))  # plant time in winter


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    return build_definitions(
        PlatformSettings(warehouse_url="sqlite://", plants=PLANTS, planning_cron="0 5 * * *")
    )


class Reporter:
    """Reports materializations and check results of the real graph to an instance."""

    def __init__(self, defs: dg.Definitions, instance: dg.DagsterInstance) -> None:
        self.instance = instance
        self.graph = defs.resolve_asset_graph()
        self.blocking: dict[dg.AssetKey, list[dg.AssetCheckKey]] = {}
        for check in self.graph.asset_check_keys:
            if self.graph.get_check_spec(check).blocking:
                self.blocking.setdefault(check.asset_key, []).append(check)

    def keys(self, *layers: str) -> list[dg.AssetKey]:
        return sorted(
            (k for k in self.graph.get_all_asset_keys() if k.path[0] in layers),
            key=lambda k: k.to_user_string(),
        )

    def materialized(
        self,
        keys: Iterable[dg.AssetKey],
        checks_pass: bool | None = True,
        partition: str | None = None,
    ) -> None:
        """Materializations of ``keys``, each followed by its blocking checks' results
        (none when ``checks_pass`` is None: the instance keeps one result per check,
        partition and run, and reported results share one empty run id)."""
        for key in keys:
            self.instance.report_runless_asset_event(
                dg.AssetMaterialization(key, partition=partition)
            )
            for check in self.blocking.get(key, []) if checks_pass is not None else []:
                self.instance.report_runless_asset_event(
                    dg.AssetCheckEvaluation(
                        key, check.name, passed=checks_pass, partition=partition
                    )
                )


def requested(result, defs: dg.Definitions) -> dict[str, set[str | None]]:
    graph = defs.resolve_asset_graph()
    return {
        key.to_user_string(): set(result.get_requested_partitions(key))
        for key in graph.get_all_asset_keys()
        if result.get_requested_partitions(key)
    }


def evaluate(defs, instance, cursor=None, at: dt.datetime | None = None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.BetaWarning)
        return dg.evaluate_automation_conditions(defs, instance, cursor=cursor, evaluation_time=at)


def test_curated_tables_refresh_when_their_raw_inputs_change_and_not_again(defs):
    with in_memory_instance() as instance:
        report = Reporter(defs, instance)
        first = evaluate(defs, instance)
        assert first.total_requested == 0, "nothing landed, nothing to refresh"

        report.materialized(report.keys("landing", "raw"))
        second = evaluate(defs, instance, first.cursor)
        curated = {k.to_user_string() for k in report.keys("curated")}
        asked = set(requested(second, defs))
        assert asked <= curated, "only curated tables follow raw inputs"
        assert ORDERS.to_user_string() in asked
        assert len(asked) >= len(curated) - 1

        report.materialized(report.keys("curated"))
        third = evaluate(defs, instance, second.cursor)
        assert ORDERS.to_user_string() not in requested(third, defs)

        # A new production-orders extract: its curated table refreshes, nothing else curated.
        report.materialized([ORDERS_RAW])
        fourth = evaluate(defs, instance, third.cursor)
        assert {k for k in requested(fourth, defs) if k.startswith("curated/")} == {
            ORDERS.to_user_string()
        }


def test_a_failed_blocking_check_on_a_raw_input_holds_its_curated_table_back(defs):
    with in_memory_instance() as instance:
        report = Reporter(defs, instance)
        report.materialized(report.keys("landing", "raw", "curated"))
        settled = evaluate(defs, instance)

        report.materialized([ORDERS_RAW], checks_pass=False)
        held = evaluate(defs, instance, settled.cursor)
        assert ORDERS.to_user_string() not in requested(held, defs)

        # The check passes again (a corrected extract was loaded): the table refreshes.
        report.materialized([ORDERS_RAW])
        freed = evaluate(defs, instance, held.cursor)
        assert ORDERS.to_user_string() in requested(freed, defs)


def planning(result, defs) -> dict[str, set[str | None]]:
    return {k: v for k, v in requested(result, defs).items() if k.startswith("planning/")}


def test_each_plant_is_planned_on_the_cron_in_plant_time_and_when_orders_change(defs):
    monday = dt.datetime(2026, 12, 7, tzinfo=BERLIN)
    both = set(PLANTS)
    with in_memory_instance() as instance:
        report = Reporter(defs, instance)
        report.materialized(report.keys("landing", "raw", "curated"))
        settled = evaluate(defs, instance, at=monday.replace(hour=3))
        for plant in PLANTS:
            report.materialized([PROBLEM_KEY, SCHEDULE_KEY], checks_pass=None, partition=plant)
        before = evaluate(defs, instance, settled.cursor, at=monday.replace(hour=4, minute=59))
        assert planning(before, defs) == {}

        # 05:00 plant time: every plant's problem is rebuilt (its schedule follows once the
        # problem's checks have passed in a real run: test_landing_to_schedule).
        on_cron = evaluate(defs, instance, before.cursor, at=monday.replace(hour=5, minute=1))
        assert planning(on_cron, defs) == {PROBLEM_KEY.to_user_string(): both}
        for plant in PLANTS:
            report.materialized([PROBLEM_KEY], checks_pass=None, partition=plant)
        after = evaluate(defs, instance, on_cron.cursor, at=monday.replace(hour=5, minute=30))
        assert PROBLEM_KEY.to_user_string() not in planning(after, defs)

        # New orders in the afternoon: planned again without waiting for the next morning.
        report.materialized([ORDERS])
        orders = evaluate(defs, instance, after.cursor, at=monday.replace(hour=14))
        assert planning(orders, defs)[PROBLEM_KEY.to_user_string()] == both

        # Changed products alone wait for the cron.
        for plant in PLANTS:
            report.materialized([PROBLEM_KEY, SCHEDULE_KEY], checks_pass=None, partition=plant)
        settled = evaluate(defs, instance, orders.cursor, at=monday.replace(hour=14, minute=5))
        report.materialized([curated_key("products")])
        products = evaluate(defs, instance, settled.cursor, at=monday.replace(hour=15))
        assert planning(products, defs) == {}


def test_no_plant_is_planned_while_a_blocking_check_on_its_inputs_fails(defs):
    monday = dt.datetime(2026, 12, 7, tzinfo=BERLIN)
    with in_memory_instance() as instance:
        report = Reporter(defs, instance)
        report.materialized(report.keys("landing", "raw", "curated"))
        settled = evaluate(defs, instance, at=monday.replace(hour=3))
        report.materialized([ORDERS], checks_pass=False)
        held = evaluate(defs, instance, settled.cursor, at=monday.replace(hour=5, minute=1))
        assert planning(held, defs) == {}
