"""The independent evaluator of weekly plans: broken plans by rule, costs by hand, and the
cases' own checker as an outside judge."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from pharma_pipelines.scheduling.weekly import PlanRule, WeeklyProblem, evaluate_plan
from tests.unit.scheduling.weekly_support import brute_force, case_judge, plant, tiny_plant

GOOD = {"P1": ("L1", "W1"), "P2": ("L1", "W2"), "P3": ("L2", "W2")}
"""A valid plan of ``plant()``: costs worked out in the test below."""


@pytest.fixture
def problem() -> WeeklyProblem:
    return WeeklyProblem.model_validate(plant())


def test_a_valid_plan_is_priced_by_hand(problem: WeeklyProblem) -> None:
    check = evaluate_plan(problem, GOOD)
    assert check.feasible, check.summary()
    # Setups: A on L1/W1 (100), B on L1/W2 (50), A on L2/W2 (100); opening L2/W2 (70);
    # no order is late (P2 is due W1 but released W2 and costs nothing per period).
    assert check.setup_cost == 250
    assert check.opening_cost == 70
    assert check.tardiness_cost == 0
    assert check.cost == 320


def test_late_orders_pay_per_period(problem: WeeklyProblem) -> None:
    check = evaluate_plan(problem, {**GOOD, "P1": ("L1", "W2")})
    assert check.feasible
    assert check.tardiness_cost == 30
    # P1 joins P2 on L1/W2, so the A setup moves there: A + B on L1/W2, A on L2/W2.
    assert check.setup_cost == 250
    assert check.cost == 350


def test_one_setup_per_family_and_bucket(problem: WeeklyProblem) -> None:
    document = plant()
    document["orders"][2]["hours"] = {"L1": 12}
    both_a = WeeklyProblem.model_validate(document)
    check = evaluate_plan(both_a, {**GOOD, "P3": ("L1", "W1")})
    assert check.feasible
    assert check.setup_cost == 150


def _rules(problem: WeeklyProblem, plan: dict[str, Any]) -> list[PlanRule]:
    check = evaluate_plan(problem, plan)
    assert not check.feasible
    assert check.cost is None
    return [violation.rule for violation in check.violations]


def test_over_capacity_counts_setups(problem: WeeklyProblem) -> None:
    document = plant()
    document["lines"][0]["capacity_hours"]["W2"] = 9
    tight = WeeklyProblem.model_validate(document)
    # P2 alone takes 8 h plus the 2-h B setup: 10 h in a 9-h bucket.
    check = evaluate_plan(tight, GOOD)
    assert [v.rule for v in check.violations] == [PlanRule.OVER_CAPACITY]
    assert check.violations[0].message == "L1 in W2 needs 10 h (orders and setups of B) but has 9 h"


def test_ineligible_line(problem: WeeklyProblem) -> None:
    assert _rules(problem, {**GOOD, "P3": ("L1", "W2")}) == [PlanRule.INELIGIBLE_LINE]


def test_before_release(problem: WeeklyProblem) -> None:
    assert _rules(problem, {**GOOD, "P2": ("L1", "W1")}) == [PlanRule.BEFORE_RELEASE]


def test_after_deadline() -> None:
    document = plant()
    document["orders"][2]["deadline"] = "W1"
    problem = WeeklyProblem.model_validate(document)
    assert _rules(problem, GOOD) == [PlanRule.AFTER_DEADLINE]


def test_missing_and_unknown_orders(problem: WeeklyProblem) -> None:
    plan = {key: value for key, value in GOOD.items() if key != "P2"}
    assert _rules(problem, plan) == [PlanRule.MISSING_ORDER]
    assert _rules(problem, {**GOOD, "P9": ("L1", "W1")}) == [PlanRule.UNKNOWN_ORDER]


def test_unknown_line_period_and_malformed(problem: WeeklyProblem) -> None:
    assert _rules(problem, {**GOOD, "P1": ("L9", "W1")}) == [PlanRule.UNKNOWN_LINE]
    assert _rules(problem, {**GOOD, "P1": ("L1", "W7")}) == [PlanRule.UNKNOWN_PERIOD]
    assert _rules(problem, {**GOOD, "P1": ("L1",)}) == [PlanRule.MALFORMED]
    assert _rules(problem, {**GOOD, "P1": "L1"}) == [PlanRule.MALFORMED]


def test_every_violation_is_reported(problem: WeeklyProblem) -> None:
    plan = {"P2": ("L1", "W1"), "P3": ("L1", "W2")}
    assert _rules(problem, plan) == [
        PlanRule.MISSING_ORDER,
        PlanRule.BEFORE_RELEASE,
        PlanRule.INELIGIBLE_LINE,
    ]


def test_agrees_with_the_brute_force_optimum() -> None:
    for seed in range(12):
        document = tiny_plant(seed)
        best = brute_force(document)
        if best is None:
            continue
        check = evaluate_plan(WeeklyProblem.model_validate(document), best[1])
        assert check.feasible, (seed, check.summary())
        assert check.cost == pytest.approx(best[0])


def _random_plan(rng: random.Random, document: dict[str, Any]) -> dict[str, list[str]]:
    lines = [line["id"] for line in document["lines"]]
    return {
        order["id"]: [rng.choice(lines), rng.choice(document["periods"])]
        for order in document["orders"]
        if rng.random() < 0.95
    }


def test_agrees_with_the_cases_checker_on_random_plans(cases_dir: Path) -> None:
    judge = case_judge(cases_dir, "BR-18")
    rng = random.Random(5)
    documents = [tiny_plant(seed) for seed in range(20)]
    documents.append(json.loads((cases_dir / "BR-18" / "instance.json").read_text("utf-8")))
    agreed = {True: 0, False: 0}
    for document in documents:
        problem = WeeklyProblem.model_validate(document)
        for _ in range(30):
            plan = _random_plan(rng, document)
            feasible, cost, _ = judge.evaluate(document, plan)
            check = evaluate_plan(problem, plan)
            assert check.feasible == feasible, (document["name"], plan, check.summary())
            if feasible:
                assert check.cost == pytest.approx(cost)
            agreed[feasible] += 1
    assert agreed[True] > 0
    assert agreed[False] > 0
