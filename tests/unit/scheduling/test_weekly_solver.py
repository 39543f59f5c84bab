"""solve_weekly: BR-18's statuses and optimum, BR-19's explanation, optima of tiny plants,
and the paths where CBC gives nothing usable."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from pharma_pipelines.scheduling.schedule import ScheduleStatus
from pharma_pipelines.scheduling.weekly import (
    WeeklyPlan,
    WeeklyProblem,
    evaluate_plan,
    read_weekly_problem,
    solve_weekly,
)
from pharma_pipelines.scheduling.weekly import solver as solver_module
from tests.unit.scheduling.weekly_support import brute_force, case_judge, plant, tiny_plant

BR18_OPTIMUM = 4540
"""Proven by HiGHS and CBC (expected.md of BR-18)."""

GENEROUS_LIMIT_S = 60.0
"""BR-18 expectation 5; CBC stops on its proof in a second or two."""

TOLERANCE = 1e-6


def _document(cases_dir: Path, case: str) -> dict[str, Any]:
    return json.loads((cases_dir / case / "instance.json").read_text(encoding="utf-8"))


def _words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z0-9]+", text))


def _assert_published_plan_is_sound(
    cases_dir: Path, document: dict[str, Any], plan: WeeklyPlan
) -> None:
    """The case's own checker accepts the plan, at exactly the published cost."""
    judge = case_judge(cases_dir, "BR-18")
    written = plan.to_document()
    feasible, cost, violations = judge.evaluate(document, written["assignment"])
    assert feasible, violations
    assert written["objective"] == pytest.approx(cost, abs=TOLERANCE)
    assert len(written["assignment"]) == len(document["orders"])


@pytest.mark.parametrize("limit", [0.01, 0.05, 0.2, 1.0, 1.5, 3.0])
@pytest.mark.parametrize("heuristic", [True, False])
def test_br18_status_at_any_limit_is_never_infeasible(
    cases_dir: Path, limit: float, heuristic: bool
) -> None:
    """Expectations 1-4: every status is one of three, and each carries what it promises."""
    document = _document(cases_dir, "BR-18")
    problem = read_weekly_problem(cases_dir / "BR-18" / "instance.json")
    plan = solve_weekly(problem, time_limit_s=limit, heuristic=heuristic)
    assert plan.status in {
        ScheduleStatus.OPTIMAL,
        ScheduleStatus.FEASIBLE,
        ScheduleStatus.NO_SOLUTION_FOUND,
    }, plan.message
    assert plan.message
    assert plan.time_limit_s == limit
    if plan.status is ScheduleStatus.OPTIMAL:
        assert plan.objective == pytest.approx(BR18_OPTIMUM, abs=TOLERANCE)
        assert plan.bound == pytest.approx(BR18_OPTIMUM, abs=1.0)
        assert plan.gap is not None
    if plan.status is ScheduleStatus.FEASIBLE:
        assert plan.objective is not None
        assert plan.objective >= BR18_OPTIMUM - TOLERANCE
        assert (plan.gap is not None and plan.bound is not None) or (
            plan.gap_text() == "no bound" and "no bound" in plan.message
        )
        assert "not proven optimal" in plan.message
    if plan.status.has_schedule:
        _assert_published_plan_is_sound(cases_dir, document, plan)
    else:
        assert plan.assignment == {}
        assert plan.objective is None
        assert "time limit reached before a first solution" in plan.message
        assert plan.to_document()["assignment"] == {}


def test_br18_short_limit_gives_a_feasible_plan_with_no_bound(cases_dir: Path) -> None:
    """Expectation 3: below CBC's start-up time the first plan is published, marked unproven."""
    document = _document(cases_dir, "BR-18")
    plan = solve_weekly(WeeklyProblem.model_validate(document), time_limit_s=0.05)
    assert plan.status is ScheduleStatus.FEASIBLE
    assert plan.bound is None
    assert plan.gap is None
    assert plan.gap_text() == "no bound"
    assert list(plan.assignment) == [order["id"] for order in document["orders"]]
    written = plan.to_document()
    assert written["status"] == "FEASIBLE"
    assert written["gap_text"] == "no bound"
    assert "OPTIMAL" not in plan.message
    _assert_published_plan_is_sound(cases_dir, document, plan)


def test_br18_without_a_first_plan_short_limit_publishes_nothing(cases_dir: Path) -> None:
    """Expectation 4: no plan, no objective, and a clear reason."""
    problem = read_weekly_problem(cases_dir / "BR-18" / "instance.json")
    plan = solve_weekly(problem, time_limit_s=0.2, heuristic=False)
    assert plan.status is ScheduleStatus.NO_SOLUTION_FOUND
    assert plan.assignment == {}
    assert plan.objective is None
    assert plan.bound is None
    assert plan.message.startswith("time limit reached before a first solution")
    assert "infeasibility is not proven" in plan.message


@pytest.mark.parametrize("heuristic", [True, False])
def test_br18_generous_limit_is_optimal_4540(cases_dir: Path, heuristic: bool) -> None:
    """Expectations 2 and 5, with and without the first plan as a warm start."""
    document = _document(cases_dir, "BR-18")
    plan = solve_weekly(
        WeeklyProblem.model_validate(document), time_limit_s=GENEROUS_LIMIT_S, heuristic=heuristic
    )
    assert plan.status is ScheduleStatus.OPTIMAL, plan.message
    assert plan.objective == pytest.approx(BR18_OPTIMUM, abs=TOLERANCE)
    assert plan.bound == pytest.approx(BR18_OPTIMUM, abs=1.0)
    assert plan.gap == pytest.approx(0.0, abs=1e-3)
    assert plan.solver.startswith("cbc")
    assert plan.problem_hash == WeeklyProblem.model_validate(document).content_hash()
    _assert_published_plan_is_sound(cases_dir, document, plan)
    check = evaluate_plan(WeeklyProblem.model_validate(document), plan.assignment)
    assert check.cost == plan.objective
    assert plan.tardiness_cost == check.tardiness_cost
    assert plan.setup_cost == check.setup_cost


def test_br18_published_optimum_matches_the_reference_solution(cases_dir: Path) -> None:
    reference = json.loads((cases_dir / "BR-18" / "optimal_solution.json").read_text("utf-8"))
    problem = read_weekly_problem(cases_dir / "BR-18" / "instance.json")
    check = evaluate_plan(problem, reference["order_assignment"])
    assert check.feasible
    assert check.cost == reference["objective"] == BR18_OPTIMUM


def test_br19_is_infeasible_and_names_the_clash(cases_dir: Path) -> None:
    """BR-19 expectations 1-4."""
    problem = read_weekly_problem(cases_dir / "BR-19" / "instance.json")
    plan = solve_weekly(problem, time_limit_s=10.0)
    assert plan.status is ScheduleStatus.INFEASIBLE
    assert plan.assignment == {}
    assert plan.objective is None
    words = _words(plan.message)
    assert {"L1", "W10", "O1", "O2", "O3"} <= words
    assert "50 h" in plan.message
    assert "40 h" in plan.message
    assert not words & {"O4", "O5", "O6", "L2", "W11"}
    assert "SOL 8 h" in plan.message
    assert "CAP 6 h" in plan.message
    assert "deadline W10" in plan.message


def test_br19_relaxations_of_the_case_become_feasible(cases_dir: Path) -> None:
    """The case's facts: without O3's deadline the optimum is 1350, here as in its brute force."""
    document = _document(cases_dir, "BR-19")
    del document["orders"][2]["deadline"]
    judge = case_judge(cases_dir, "BR-19")
    status, optimum, _ = judge.solve(document)
    assert (status, optimum) == ("OPTIMAL", 1350)
    plan = solve_weekly(WeeklyProblem.model_validate(document), time_limit_s=20.0)
    assert plan.status is ScheduleStatus.OPTIMAL, plan.message
    assert plan.objective == pytest.approx(1350)


TINY_SEEDS = [0, 1, 2, 5, 8, 11, 13, 30]
"""Tiny plants from ``tiny_plant``; 1, 5 and 11 are infeasible."""


@pytest.mark.parametrize("seed", TINY_SEEDS)
def test_tiny_plants_reach_the_brute_force_optimum(seed: int) -> None:
    document = tiny_plant(seed)
    best = brute_force(document)
    problem = WeeklyProblem.model_validate(document)
    plan = solve_weekly(problem, time_limit_s=20.0)
    if best is None:
        assert plan.status is ScheduleStatus.INFEASIBLE, plan.message
        assert plan.message.startswith("no plan meets every hard rule")
        return
    assert plan.status is ScheduleStatus.OPTIMAL, plan.message
    assert plan.objective == pytest.approx(best[0], abs=TOLERANCE)
    check = evaluate_plan(problem, plan.assignment)
    assert check.feasible
    assert check.cost == plan.objective


def test_fractional_costs_and_hours_reach_the_brute_force_optimum() -> None:
    """No integral objective to lean on: CBC must close the gap itself."""
    document = tiny_plant(2)
    for family in document["families"]:
        family["setup_cost"] *= 0.37
        family["setup_hours"] += 0.25
    for order in document["orders"]:
        order["tardiness_cost"] *= 1.13
    best = brute_force(document)
    assert best is not None
    plan = solve_weekly(WeeklyProblem.model_validate(document), time_limit_s=20.0)
    assert plan.status is ScheduleStatus.OPTIMAL, plan.message
    assert plan.objective == pytest.approx(best[0], abs=TOLERANCE)


def test_hand_made_plant_matches_the_cases_brute_force(cases_dir: Path) -> None:
    judge = case_judge(cases_dir, "BR-18")
    document = plant()
    status, optimum, _ = judge.solve(document)
    plan = solve_weekly(WeeklyProblem.model_validate(document), time_limit_s=20.0)
    assert status == "OPTIMAL"
    assert plan.status is ScheduleStatus.OPTIMAL
    assert plan.objective == pytest.approx(optimum)
    feasible, cost, _ = judge.evaluate(document, plan.to_document()["assignment"])
    assert feasible
    assert cost == pytest.approx(plan.objective)


def test_no_orders_is_an_empty_optimal_plan() -> None:
    document = {**plant(), "orders": []}
    plan = solve_weekly(WeeklyProblem.model_validate(document), time_limit_s=1.0)
    assert plan.status is ScheduleStatus.OPTIMAL
    assert plan.objective == 0
    assert plan.assignment == {}


# The paths below need CBC to misbehave, which a real run cannot be made to do on
# demand, so the child process is replaced by canned answers.


def _fake_child(
    monkeypatch: pytest.MonkeyPatch, answers: list[tuple[dict[str, Any] | None, str | None]]
) -> list[dict[str, Any]]:
    requests: list[dict[str, Any]] = []

    def fake(
        module: str, request: dict[str, Any], wait_s: float, grace_s: float
    ) -> tuple[dict[str, Any] | None, str | None]:
        requests.append(request)
        return answers.pop(0)

    monkeypatch.setattr(solver_module, "run_in_child", fake)
    return requests


def _answer(status: str, **fields: Any) -> dict[str, Any]:
    answer = {
        "status": status,
        "objective": None,
        "bound": None,
        "assignment": None,
        "build_seconds": 0.01,
        "solve_seconds": 0.5,
        "variables": 10,
        "constraints": 10,
    }
    answer.update(fields)
    return {"answer": answer}


def test_cbc_infeasible_at_its_limit_is_no_proof(monkeypatch: pytest.MonkeyPatch) -> None:
    requests = _fake_child(
        monkeypatch, [(_answer("INFEASIBLE", build_seconds=0.2, solve_seconds=5.0), None)]
    )
    problem = WeeklyProblem.model_validate(plant())
    plan = solve_weekly(problem, time_limit_s=5.0, heuristic=False)
    assert plan.status is ScheduleStatus.NO_SOLUTION_FOUND
    assert plan.assignment == {}
    assert "only at its time limit" in plan.message
    assert [request["job"] for request in requests] == ["solve"]


def test_cbc_infeasible_at_the_workers_own_limit_is_no_proof(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The worker had 1.3 s after its start-up; CBC used all of it, far less than 5 s."""
    answer = _answer("INFEASIBLE", build_seconds=0.1, solve_seconds=1.2)
    _fake_child(monkeypatch, [({**answer, "budget_s": 1.3}, None)])
    plan = solve_weekly(WeeklyProblem.model_validate(plant()), time_limit_s=5.0, heuristic=False)
    assert plan.status is ScheduleStatus.NO_SOLUTION_FOUND
    assert "only at its time limit (1.30 s)" in plan.message


def test_cbc_infeasible_despite_a_first_plan_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_child(monkeypatch, [(_answer("INFEASIBLE"), None)])
    plan = solve_weekly(WeeklyProblem.model_validate(plant()), time_limit_s=5.0)
    assert plan.status is ScheduleStatus.FEASIBLE
    assert "its answer was ignored" in plan.message


def test_a_killed_cbc_leaves_the_first_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_child(monkeypatch, [(None, "CBC overran its time limit by more than 2 s")])
    plan = solve_weekly(WeeklyProblem.model_validate(plant()), time_limit_s=5.0)
    assert plan.status is ScheduleStatus.FEASIBLE
    assert plan.gap_text() == "no bound"
    assert "overran" in plan.message


def test_a_plan_that_fails_the_evaluator_is_withheld(monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = {"P1": ["L1", "W1"], "P2": ["L1", "W1"], "P3": ["L2", "W2"]}
    _fake_child(
        monkeypatch, [(_answer("OPTIMAL", objective=270.0, bound=270.0, assignment=wrong), None)]
    )
    plan = solve_weekly(WeeklyProblem.model_validate(plant()), time_limit_s=5.0, heuristic=False)
    assert plan.status is ScheduleStatus.NO_SOLUTION_FOUND
    assert plan.assignment == {}
    assert "failed the evaluator" in plan.message


def test_an_optimality_claim_the_evaluator_contradicts_is_feasible(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    good = {"P1": ["L1", "W1"], "P2": ["L1", "W2"], "P3": ["L2", "W2"]}
    _fake_child(
        monkeypatch, [(_answer("OPTIMAL", objective=300.0, bound=300.0, assignment=good), None)]
    )
    plan = solve_weekly(WeeklyProblem.model_validate(plant()), time_limit_s=5.0, heuristic=False)
    assert plan.status is ScheduleStatus.FEASIBLE
    assert plan.objective == 320
    assert "does not match" in plan.message


def test_a_bound_above_the_verified_cost_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    good = {"P1": ["L1", "W1"], "P2": ["L1", "W2"], "P3": ["L2", "W2"]}
    _fake_child(
        monkeypatch, [(_answer("FEASIBLE", objective=320.0, bound=500.0, assignment=good), None)]
    )
    plan = solve_weekly(WeeklyProblem.model_validate(plant()), time_limit_s=5.0, heuristic=False)
    assert plan.status is ScheduleStatus.FEASIBLE
    assert plan.bound is None
    assert "was discarded" in plan.message


def test_a_crashed_explanation_keeps_the_proof(monkeypatch: pytest.MonkeyPatch) -> None:
    requests = _fake_child(
        monkeypatch,
        [(_answer("INFEASIBLE", solve_seconds=0.1), None), ({"error": "boom"}, None)],
    )
    plan = solve_weekly(WeeklyProblem.model_validate(plant()), time_limit_s=5.0, heuristic=False)
    assert plan.status is ScheduleStatus.INFEASIBLE
    assert "CBC proved" in plan.message
    assert "no smaller conflicting set" in plan.message
    assert [request["job"] for request in requests] == ["solve", "explain"]
