"""solve(): statuses under time limits, the CBC process guard, and infeasibility explanations."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from pharma_pipelines.scheduling import (
    Schedule,
    ScheduleStatus,
    SchedulingProblem,
    check_schedule,
    read_instance,
    solve,
)
from pharma_pipelines.scheduling import solver as solver_module
from pharma_pipelines.scheduling.bounds import lower_bound
from pharma_pipelines.scheduling.child_process import ChildRun, run_in_child
from pharma_pipelines.scheduling.mip import MipResult
from tests.unit.scheduling.weekly_cases import weekly_case_problem

PlantData = Callable[..., dict[str, Any]]

SMALL_TIME_LIMIT_S = 60.0
"""Generous for pharma_small_s1, which CBC proves optimal in about 10 s."""

WALL_CLOCK_SLACK_S = 3.0
"""Allowance on top of limit + grace for process start and checking on a slow machine."""


def _assert_verified(problem: SchedulingProblem, schedule: Schedule) -> None:
    report = check_schedule(problem, schedule)
    assert report.feasible, report.summary()
    assert report.objective == schedule.objective


def _words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z0-9]+", text))


def test_pharma_small_reaches_its_proven_optimum(bench_dir: Path) -> None:
    problem = read_instance(bench_dir / "pharma" / "pharma_small_s1.json")
    schedule = solve(problem, time_limit_s=SMALL_TIME_LIMIT_S)
    assert schedule.status is ScheduleStatus.OPTIMAL, schedule.message
    assert schedule.objective == problem.reference_objective() == 11025
    assert schedule.bound == pytest.approx(11025)
    assert schedule.gap == pytest.approx(0.0)
    assert "cbc" in schedule.solver
    assert schedule.problem_hash == problem.content_hash()
    _assert_verified(problem, schedule)


@pytest.mark.parametrize("limit", [0.01, 0.05, 0.3, 1.5])
def test_br18_short_limits_never_report_infeasible(cases_dir: Path, limit: float) -> None:
    problem = weekly_case_problem(cases_dir / "BR-18" / "instance.json")
    schedule = solve(problem, time_limit_s=limit)
    assert schedule.status in {
        ScheduleStatus.OPTIMAL,
        ScheduleStatus.FEASIBLE,
        ScheduleStatus.NO_SOLUTION_FOUND,
    }
    assert schedule.message
    if schedule.status.has_schedule:
        _assert_verified(problem, schedule)
        assert len(schedule.assignments) == len(problem.orders)
    else:
        assert schedule.assignments == ()
        assert schedule.objective is None
    if schedule.status is ScheduleStatus.FEASIBLE:
        assert schedule.bound is None or schedule.gap is not None
    if schedule.bound is None:
        assert schedule.status is not ScheduleStatus.OPTIMAL


def test_time_limit_is_honoured(bench_dir: Path) -> None:
    problem = read_instance(bench_dir / "pharma" / "pharma_medium_s1.json")
    limit = 2.0
    started = time.monotonic()
    schedule = solve(problem, time_limit_s=limit)
    elapsed = time.monotonic() - started
    assert elapsed < limit + solver_module.DEFAULT_GRACE_S + WALL_CLOCK_SLACK_S
    assert schedule.status is ScheduleStatus.FEASIBLE
    assert schedule.time_limit_s == limit
    assert schedule.solve_seconds <= elapsed
    _assert_verified(problem, schedule)


STAND_IN = "tests.unit.scheduling.scheduling_workers"


def test_an_overrunning_child_is_killed() -> None:
    started = time.monotonic()
    request = {"behaviour": "overrun", "sleep_s": 60}
    message, failure = run_in_child(STAND_IN, request, 1.0, 0.5)
    assert message is None
    assert failure is not None
    assert "overran its time limit" in failure
    assert time.monotonic() - started < 10


def test_a_crashed_child_is_reported() -> None:
    message, failure = run_in_child(STAND_IN, {"behaviour": "crash"}, 30.0, 1.0)
    assert message is None
    assert failure is not None
    assert "exit code 3" in failure
    assert "simulated CBC crash" in failure


def _fake_child(
    monkeypatch: pytest.MonkeyPatch,
    answer: dict[str, Any] | None,
    failure: str | None,
    progress: dict[str, Any] | None = None,
) -> None:
    def fake(
        request: dict[str, Any],
        wait_s: float,
        grace_s: float,
        on_progress: Callable[[dict[str, Any]], None] | None = None,
    ) -> ChildRun:
        return ChildRun(answer, failure, progress)

    monkeypatch.setattr(solver_module, "_in_child", fake)


def _cbc_answer(
    status: str,
    solve_seconds: float,
    objective: float | None = None,
    sequences: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    result = MipResult(
        status=status,
        objective=objective,
        bound=objective,
        sequences=sequences,
        solve_seconds=solve_seconds,
        build_seconds=0.0,
        variables=10,
        constraints=10,
        formulation="line-arcs",
    )
    return {"search": None, "result": asdict(result), "conflict": None}


def test_a_killed_child_leaves_the_dispatching_plan(
    plant: SchedulingProblem, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_child(monkeypatch, None, "the solver process overran its time limit by more than 2 s")
    schedule = solve(plant, time_limit_s=5.0)
    assert schedule.status is ScheduleStatus.FEASIBLE
    assert schedule.bound == lower_bound(plant)
    assert schedule.solver.startswith("dispatching rule")
    assert "overran" in schedule.message
    _assert_verified(plant, schedule)


def test_a_killed_child_hands_over_the_last_plan_it_reported(
    plant: SchedulingProblem, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The search had reported the optimum (7) before the kill; nothing found is lost."""
    progress = {"phase": "search", "objective": 7, "sequences": {"L1": ["O1", "O2"], "L2": ["O3"]}}
    _fake_child(monkeypatch, None, "the solver process overran its time limit", progress)
    schedule = solve(plant, time_limit_s=5.0)
    assert schedule.objective == 7
    assert schedule.solver.startswith("iterated greedy search")
    _assert_verified(plant, schedule)


def test_a_reported_plan_that_breaks_a_rule_is_dropped(
    plant: SchedulingProblem, monkeypatch: pytest.MonkeyPatch
) -> None:
    """O3 may only run on L2; a plan that puts it on L1 never reaches the planner."""
    progress = {"phase": "search", "objective": 1, "sequences": {"L1": ["O1", "O2", "O3"]}}
    _fake_child(monkeypatch, None, "the solver process overran its time limit", progress)
    schedule = solve(plant, time_limit_s=5.0)
    assert schedule.status is ScheduleStatus.FEASIBLE
    assert schedule.solver.startswith("dispatching rule")
    assert "failed verification" in schedule.message
    _assert_verified(plant, schedule)


def test_cbc_infeasible_claim_loses_to_a_verified_schedule(
    plant: SchedulingProblem, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_child(monkeypatch, _cbc_answer("INFEASIBLE", 0.1), None)
    schedule = solve(plant, time_limit_s=5.0)
    assert schedule.status is ScheduleStatus.FEASIBLE
    assert "ignored" in schedule.message


def test_a_claimed_optimum_that_a_better_schedule_refutes_is_not_optimal(
    plant: SchedulingProblem, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CBC 'proves' 41 for a worse sequence; the verified heuristic schedule costs 7."""
    worse = {"L1": ["O2", "O1"], "L2": ["O3"]}
    _fake_child(monkeypatch, _cbc_answer("OPTIMAL", 0.1, objective=41.0, sequences=worse), None)
    schedule = solve(plant, time_limit_s=5.0)
    assert schedule.status is ScheduleStatus.FEASIBLE
    assert schedule.objective == 7
    assert schedule.bound == lower_bound(plant) < 7
    assert "contradict" in schedule.message
    assert "bound was discarded" in schedule.message
    _assert_verified(plant, schedule)


def _overbooked(extra_free_order: bool) -> SchedulingProblem:
    """Three orders that each fit alone but not together by their deadline; no pre-check sees it."""
    orders: list[dict[str, Any]] = [
        {"id": name, "product": "P", "deadline": 10, "proc": {"L1": 10, "L2": 10}}
        for name in ("A", "B", "C")
    ]
    if extra_free_order:
        orders.append(
            {"id": "D", "product": "P", "due": 50, "weight": 1, "proc": {"L1": 7, "L2": 9}}
        )
    return SchedulingProblem.model_validate(
        {
            "name": "overbooked",
            "horizon": 100,
            "products": [{"id": "P"}],
            "lines": [{"id": "L1"}, {"id": "L2"}],
            "setup": {"default": {"matrix": [[0]], "initial": [0]}},
            "orders": orders,
        }
    )


def test_infeasible_only_at_the_time_limit_is_not_a_proof(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_child(monkeypatch, _cbc_answer("INFEASIBLE", 100.0), None)
    schedule = solve(_overbooked(False), time_limit_s=5.0)
    assert schedule.status is ScheduleStatus.NO_SOLUTION_FOUND
    assert "before a first solution" in schedule.message
    assert "not proven" in schedule.message


def test_infeasible_at_the_workers_own_limit_is_not_a_proof(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The worker lost 1.5 s of 5 to its start-up; CBC then used all of its 3.5 s."""
    answer = {**_cbc_answer("INFEASIBLE", 3.5), "budget_s": 3.5}
    _fake_child(monkeypatch, answer, None)
    schedule = solve(_overbooked(False), time_limit_s=5.0)
    assert schedule.status is ScheduleStatus.NO_SOLUTION_FOUND
    assert "not proven" in schedule.message


def test_cbc_proof_comes_with_the_conflicting_orders() -> None:
    schedule = solve(_overbooked(True), time_limit_s=20.0)
    assert schedule.status is ScheduleStatus.INFEASIBLE
    assert schedule.assignments == ()
    words = _words(schedule.message)
    assert {"A", "B", "C"} <= words
    assert "D" not in words
    assert "CBC proved" in schedule.message


def test_prechecks_name_each_order_and_reason(plant_data: PlantData) -> None:
    data = plant_data()
    data["orders"][0]["proc"] = {}
    data["orders"][1]["release"] = 120
    data["orders"][2]["deadline"] = 5
    schedule = solve(SchedulingProblem.model_validate(data), time_limit_s=5.0)
    assert schedule.status is ScheduleStatus.INFEASIBLE
    assert schedule.solver == "pre-checks"
    assert "order O1 has no eligible line" in schedule.message
    assert (
        "order O2 cannot end by the horizon 100: release 120 + shortest processing 8 = 128"
        in schedule.message
    )
    assert "order O3 has deadline 5 but release 0 + shortest processing 10 = 10" in schedule.message


def test_precheck_finds_an_order_that_fits_no_line_alone(plant_data: PlantData) -> None:
    data = plant_data()
    data["orders"][2]["proc"] = {"L2": 75}
    schedule = solve(SchedulingProblem.model_validate(data), time_limit_s=5.0)
    assert schedule.status is ScheduleStatus.INFEASIBLE
    assert (
        "order O3 fits on none of its lines even alone: "
        "on L2 it ends at 85 at the earliest, after its limit 80" in schedule.message
    )


def test_br19_explains_the_capacity_clash(cases_dir: Path) -> None:
    problem = weekly_case_problem(cases_dir / "BR-19" / "instance.json")
    schedule = solve(problem, time_limit_s=10.0)
    assert schedule.status is ScheduleStatus.INFEASIBLE
    words = _words(schedule.message)
    assert {"L1", "O1", "O2", "O3"} <= words
    assert not words & {"O4", "O5", "O6", "L2"}
    assert "50 h" in schedule.message
    assert "40 h" in schedule.message


def test_no_orders_is_trivially_optimal(plant_data: PlantData) -> None:
    schedule = solve(SchedulingProblem.model_validate(plant_data(orders=[])), time_limit_s=1.0)
    assert schedule.status is ScheduleStatus.OPTIMAL
    assert schedule.objective == 0


def test_precheck_sees_orders_that_downtimes_cannot_pack() -> None:
    """Four 60-minute orders, free periods of 100, 100 and 50: energy fits, blocks do not."""
    problem = SchedulingProblem.model_validate(
        {
            "name": "shifts",
            "horizon": 350,
            "products": [{"id": "P"}],
            "lines": [{"id": "L1", "downtimes": [[100, 150], [250, 300]]}],
            "setup": {"default": {"matrix": [[0]], "initial": [0]}},
            "orders": [{"id": f"O{j}", "product": "P", "proc": {"L1": 60}} for j in range(1, 5)],
        }
    )
    schedule = solve(problem, time_limit_s=5.0)
    assert schedule.status is ScheduleStatus.INFEASIBLE
    assert schedule.solver == "pre-checks"
    assert "no downtime may cut an order" in schedule.message
    assert "hold at most 2 of these 4 orders" in schedule.message


def test_progress_is_reported_at_each_phase(plant: SchedulingProblem) -> None:
    seen: list[solver_module.Progress] = []
    schedule = solve(plant, time_limit_s=5.0, on_progress=seen.append)
    phases = [progress.phase for progress in seen]
    assert phases[:2] == ["pre-checks", "dispatching rules"]
    assert phases[2].startswith("search and CBC (up to ")
    assert phases[-1] == "checking"
    assert [p.elapsed_s for p in seen] == sorted(p.elapsed_s for p in seen)
    assert seen[-1].best_objective is not None
    assert schedule.objective is not None
    assert schedule.objective <= seen[-1].best_objective
