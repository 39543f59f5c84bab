"""Why a weekly plan is impossible: pre-checks with their numbers, and the deletion filter,
each claim re-proved by the test's own brute force."""

from __future__ import annotations

import re
from typing import Any

import pytest

from pharma_pipelines.scheduling.schedule import ScheduleStatus
from pharma_pipelines.scheduling.weekly import WeeklyProblem, precheck, solve_weekly
from pharma_pipelines.scheduling.weekly.diagnosis import ConflictKind, isolate_conflict
from tests.unit.scheduling.weekly_support import brute_force, tiny_plant


def _words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z0-9]+", text))


def _plant(orders: list[dict[str, Any]], capacity: dict[str, dict[str, float]]) -> dict[str, Any]:
    return {
        "name": "diagnosis",
        "periods": ["W1", "W2", "W3"],
        "lines": [{"id": line, "capacity_hours": hours} for line, hours in capacity.items()],
        "families": [
            {"id": "A", "setup_hours": 5, "setup_cost": 100},
            {"id": "B", "setup_hours": 0, "setup_cost": 10},
            {"id": "C", "setup_hours": 3, "setup_cost": 30},
        ],
        "orders": orders,
    }


ROOMY = {"W1": 40, "W2": 40, "W3": 40}


def _order(name: str, family: str, hours: dict[str, float], **extra: str) -> dict[str, Any]:
    return {"id": name, "family": family, "due": "W1", "hours": hours, **extra}


def test_an_order_with_no_line_is_named() -> None:
    document = _plant([_order("N1", "A", {})], {"L1": ROOMY})
    [conflict] = precheck(WeeklyProblem.model_validate(document))
    assert conflict.kind is ConflictKind.NO_BUCKET
    assert conflict.message == "order N1 has no eligible line: its hours name none"


def test_a_release_after_the_deadline_is_named() -> None:
    document = _plant([_order("N1", "A", {"L1": 5}, release="W3", deadline="W2")], {"L1": ROOMY})
    [conflict] = precheck(WeeklyProblem.model_validate(document))
    assert conflict.message == "order N1 is released in W3 but has deadline W2"


def test_an_order_too_big_for_every_bucket_is_named_with_its_numbers() -> None:
    document = _plant(
        [_order("N1", "A", {"L1": 38, "L2": 30}, deadline="W2"), _order("N2", "B", {"L1": 1})],
        {"L1": ROOMY, "L2": {"W1": 20, "W2": 34, "W3": 80}},
    )
    [conflict] = precheck(WeeklyProblem.model_validate(document))
    assert conflict.orders == ("N1",)
    assert conflict.message == (
        "order N1 fits in no line-period it may use (W1-W2) even alone: "
        "on L1 it needs 38 h + A setup 5 h = 43 h, but L1 has at most 40 h in any period of "
        "W1-W2; on L2 it needs 30 h + A setup 5 h = 35 h, but L2 has at most 34 h in any period "
        "of W1-W2"
    )


def test_a_capacity_clash_drops_the_bystander_in_the_same_bucket() -> None:
    document = _plant(
        [
            _order("A1", "A", {"L1": 20}, deadline="W1"),
            _order("A2", "A", {"L1": 20}, deadline="W1"),
            _order("B1", "B", {"L1": 1}, deadline="W1"),
            _order("B2", "B", {"L1": 3, "L2": 3}),
        ],
        {"L1": ROOMY, "L2": ROOMY},
    )
    [conflict] = precheck(WeeklyProblem.model_validate(document))
    assert conflict.kind is ConflictKind.CAPACITY
    assert conflict.orders == ("A1", "A2")
    assert conflict.buckets == (("L1", "W1"),)
    assert conflict.message.startswith(
        "line L1 in W1 has 40 h; orders A1, A2 may only run on L1 in W1 and need 45 h "
        "including changeovers (40 h of orders + setups A 5 h)"
    )
    assert not _words(conflict.message) & {"B1", "B2", "L2", "W2"}


def test_a_clash_over_several_weeks_counts_each_family_once() -> None:
    document = _plant(
        [
            _order("A1", "A", {"L1": 32}, deadline="W2"),
            _order("A2", "A", {"L1": 32}, deadline="W2"),
            _order("C1", "C", {"L1": 10}, deadline="W2"),
            _order("C2", "C", {"L1": 4}, release="W3"),
        ],
        {"L1": {"W1": 40, "W2": 40, "W3": 40}},
    )
    [conflict] = precheck(WeeklyProblem.model_validate(document))
    assert conflict.buckets == (("L1", "W1"), ("L1", "W2"))
    assert conflict.orders == ("A1", "A2", "C1")
    assert conflict.message.startswith(
        "line L1 in W1-W2 has 80 h in total; orders A1, A2, C1 may only run on L1 in W1-W2 "
        "and need 82 h including changeovers (74 h of orders + setups A 5 h, C 3 h)"
    )
    assert "C2" not in _words(conflict.message)


def test_a_clash_across_lines() -> None:
    document = _plant(
        [
            _order("A1", "A", {"L1": 18, "L2": 16}, deadline="W1"),
            _order("A2", "A", {"L1": 18, "L2": 16}, deadline="W1"),
            _order("A3", "A", {"L1": 18, "L2": 16}, deadline="W1"),
        ],
        {"L1": {"W1": 25, "W2": 40, "W3": 40}, "L2": {"W1": 25, "W2": 40, "W3": 40}},
    )
    [conflict] = precheck(WeeklyProblem.model_validate(document))
    assert conflict.buckets == (("L1", "W1"), ("L2", "W1"))
    assert conflict.message.startswith(
        "lines L1, L2 in W1 have 50 h in total; orders A1, A2, A3 may only run on these lines "
        "in W1 and need 53 h"
    )


@pytest.mark.parametrize("seed", range(60))
def test_precheck_never_fires_on_a_feasible_plant(seed: int) -> None:
    document = tiny_plant(seed)
    if precheck(WeeklyProblem.model_validate(document)):
        assert brute_force(document) is None


PACKING = _plant(
    [
        _order("X1", "A", {"L1": 12}, deadline="W2"),
        _order("X2", "A", {"L1": 12}, deadline="W2"),
        _order("X3", "C", {"L1": 14}, deadline="W2"),
        _order("X4", "A", {"L2": 10}, deadline="W2"),
        _order("X5", "C", {"L1": 30, "L2": 10}),
    ],
    {"L1": {"W1": 25, "W2": 25, "W3": 25}, "L2": ROOMY},
)
"""X1-X3 fit in total (41 of 50 h in W1-W2) but only one per week; X4 and X5 are bystanders."""


def _restricted(document: dict[str, Any], orders: set[str], keep: set[tuple[str, str]]):
    """The document with only ``orders`` and every capacity outside ``keep`` made unlimited."""
    copy = {**document, "orders": [o for o in document["orders"] if o["id"] in orders]}
    copy["lines"] = [
        {
            **line,
            "capacity_hours": {
                period: hours if (line["id"], period) in keep else 10_000
                for period, hours in line["capacity_hours"].items()
            },
        }
        for line in document["lines"]
    ]
    return copy


def test_the_deletion_filter_isolates_what_the_prechecks_miss() -> None:
    problem = WeeklyProblem.model_validate(PACKING)
    assert precheck(problem) == []
    assert brute_force(PACKING) is None
    plan = solve_weekly(problem, time_limit_s=20.0)
    assert plan.status is ScheduleStatus.INFEASIBLE, plan.message
    assert plan.message.startswith(
        "no plan meets every hard rule: orders X1, X2, X3 cannot all be planned within the "
        "capacities of L1 in W1 (25 h) and L1 in W2 (25 h) (dropping any one of these orders "
        "or giving any of these line-periods more hours lets the rest be planned)"
    )
    assert "CBC proved" in plan.message
    assert not _words(plan.message) & {"X4", "X5", "L2", "W3"}


def test_the_isolated_conflict_is_irreducible_by_brute_force() -> None:
    orders = {"X1", "X2", "X3"}
    keep = {("L1", "W1"), ("L1", "W2")}
    assert brute_force(_restricted(PACKING, orders, keep)) is None
    for order in orders:
        assert brute_force(_restricted(PACKING, orders - {order}, keep)) is not None
    for bucket in keep:
        assert brute_force(_restricted(PACKING, orders, keep - {bucket})) is not None


def test_the_deletion_filter_with_an_oracle_that_cannot_tell() -> None:
    problem = WeeklyProblem.model_validate(PACKING)
    found = isolate_conflict(problem, lambda subproblem, seconds: None, 10.0)
    assert found is not None
    assert not found.minimal
    assert found.orders == ("X1", "X2", "X3", "X4", "X5")


def test_the_deletion_filter_without_time_gives_nothing() -> None:
    problem = WeeklyProblem.model_validate(PACKING)
    assert isolate_conflict(problem, lambda subproblem, seconds: False, 0.0) is None


def test_the_deletion_filter_with_the_brute_force_as_oracle() -> None:
    problem = WeeklyProblem.model_validate(PACKING)

    def oracle(subproblem: WeeklyProblem, seconds: float) -> bool | None:
        return brute_force(subproblem.to_document()) is not None

    found = isolate_conflict(problem, oracle, 60.0)
    assert found is not None
    assert found.minimal
    assert found.orders == ("X1", "X2", "X3")
    assert found.buckets == (("L1", "W1"), ("L1", "W2"))
