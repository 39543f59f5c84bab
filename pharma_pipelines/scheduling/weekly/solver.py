"""Solve a weekly planning problem: pre-checks, a first plan, then CBC in a child process.

Why this shape (the same as the continuous-time solver, for the same reasons):

* Pre-checks first: a proven clash with the orders and line-weeks named is
  worth more to a planner than any solver status (BR-19).
* A greedy plan next, when asked for: it is the answer when the limit is too
  short for CBC, and it gives CBC a warm start and a cost to prune with.
* CBC runs in its own process, which is killed at the limit plus a grace
  period, because CBC can overrun its limit.
* Nothing leaves unverified: every plan passes the independent evaluator,
  the published objective is the evaluator's cost, and a plan that fails is
  withheld.

Statuses (BR-18): OPTIMAL only when CBC proved optimality and its objective
equals the evaluator's cost of the plan; FEASIBLE for any other verified plan,
with CBC's bound and the gap or "no bound"; NO_SOLUTION_FOUND when time ran
out before a plan, whatever CBC said at its limit; INFEASIBLE only with a
proof, from a pre-check or from CBC finishing well inside its limit, and then
with the clash isolated in the time that is left.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Any

from pharma_pipelines.scheduling.child_process import run_in_child
from pharma_pipelines.scheduling.schedule import ScheduleStatus
from pharma_pipelines.scheduling.weekly.diagnosis import (
    ConflictSet,
    describe_conflict_set,
    precheck,
    summarise,
)
from pharma_pipelines.scheduling.weekly.evaluator import evaluate_plan
from pharma_pipelines.scheduling.weekly.heuristic import construct, improve
from pharma_pipelines.scheduling.weekly.model import SOLVER_NAME, CbcAnswer
from pharma_pipelines.scheduling.weekly.plan import WeeklyPlan
from pharma_pipelines.scheduling.weekly.problem import Slot, WeeklyProblem, number

logger = logging.getLogger(__name__)

DEFAULT_TIME_LIMIT_S = 30.0
DEFAULT_GRACE_S = 2.0
"""Wall time CBC gets past its limit before its process is killed."""

MIN_CBC_SECONDS = 1.0
"""Below this much time left CBC is not started.

Starting the worker process (Python, the scheduling package, python-mip)
took 0.7 s on the 2-core build machine under load, all of it before CBC
starts, so a shorter budget would leave CBC nothing and overrun the limit.
"""

HEURISTIC_SHARE = 0.1
"""Share of the time left that the improving moves may use when CBC runs after them."""

HEURISTIC_ONLY_SHARE = 0.9
"""Share of the time left that the improving moves may use when CBC will not run."""

WORKER_MODULE = "pharma_pipelines.scheduling.weekly.worker"
HEURISTIC_LABEL = "greedy plan with improving moves"
CBC_LABEL = f"{SOLVER_NAME}, weekly bucket model"


def objectives_match(verified: float, reported: float) -> bool:
    """Whether CBC's float objective is the evaluator's cost up to rounding."""
    return math.isclose(verified, reported, rel_tol=1e-6, abs_tol=1e-6)


@dataclass(frozen=True)
class _Run:
    problem: WeeklyProblem
    time_limit_s: float
    threads: int
    seed: int
    grace_s: float
    started: float

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def remaining(self) -> float:
        return self.time_limit_s - self.elapsed()

    def result(self, status: ScheduleStatus, **fields: Any) -> WeeklyPlan:
        return WeeklyPlan(
            status=status,
            solve_seconds=self.elapsed(),
            time_limit_s=self.time_limit_s,
            threads=self.threads,
            seed=self.seed,
            instance=self.problem.name,
            problem_hash=self.problem.content_hash(),
            **fields,
        )

    def child(self, request: dict[str, Any], budget: float) -> tuple[dict[str, Any] | None, str]:
        """Run a worker job; the answer, or None and why there is none."""
        request = {
            **request,
            "problem": self.problem.to_json(),
            "time_limit_s": budget,
            "threads": self.threads,
            "seed": self.seed,
            "sent_at": time.time(),
        }
        message, failure = run_in_child(WORKER_MODULE, request, budget + self.grace_s, self.grace_s)
        if message is None:
            return None, failure or "the CBC process gave no answer"
        if "error" in message:
            return None, f"CBC failed: {message['error']}"
        return message, ""


@dataclass(frozen=True)
class _Verified:
    """A plan the evaluator accepted, with its cost and where it came from."""

    assignment: dict[str, Slot]
    cost: float
    source: str


def solve_weekly(
    problem: WeeklyProblem,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    threads: int = 1,
    seed: int = 0,
    *,
    grace_s: float = DEFAULT_GRACE_S,
    heuristic: bool = True,
) -> WeeklyPlan:
    """Best verified plan found within ``time_limit_s`` (plus at most ``grace_s`` per CBC job).

    ``heuristic=False`` leaves the first plan to CBC alone.
    """
    run = _Run(problem, time_limit_s, threads, seed, grace_s, time.monotonic())
    conflicts = precheck(problem)
    if conflicts:
        logger.info("weekly pre-checks found %d conflicts in %s", len(conflicts), problem.name)
        return run.result(
            ScheduleStatus.INFEASIBLE, solver="pre-checks", message=summarise(conflicts)
        )
    if not problem.orders:
        empty = _Verified({}, 0.0, "nothing to plan")
        return _publish(run, empty, ScheduleStatus.OPTIMAL, 0.0, "no orders to plan")
    share = HEURISTIC_SHARE if run.remaining() >= MIN_CBC_SECONDS else HEURISTIC_ONLY_SHARE
    incumbent = _first_plan(run, share) if heuristic else None
    budget = run.remaining()
    if budget < MIN_CBC_SECONDS:
        reason = (
            f"CBC was not started: only {max(0.0, budget):.2f} s of the limit were left and "
            f"its process needs about {MIN_CBC_SECONDS:g} s to start"
        )
        return _without_cbc_plan(run, incumbent, None, reason)
    request: dict[str, Any] = {"job": "solve", "warm_start": None, "upper_bound": None}
    if incumbent is not None:
        request["warm_start"] = {o: list(slot) for o, slot in incumbent.assignment.items()}
        request["upper_bound"] = incumbent.cost
    message, failure = run.child(request, budget)
    if message is None:
        return _without_cbc_plan(run, incumbent, None, failure)
    answer = CbcAnswer.from_json(message["answer"])
    # Judge an "infeasible" against the time CBC itself had: the worker's
    # budget is this one minus its start-up, and CBC stopping at that smaller
    # limit is no proof.
    cbc_budget = min(budget, float(message.get("budget_s", budget)))
    if answer.assignment is not None:
        return _with_cbc_plan(run, incumbent, answer)
    if incumbent is None and answer.proves_infeasible(cbc_budget):
        return _infeasible(run, answer)
    reason = _no_plan_reason(answer, cbc_budget, incumbent)
    return _without_cbc_plan(run, incumbent, answer, reason)


def _first_plan(run: _Run, share: float) -> _Verified | None:
    plan = construct(run.problem)
    if plan is None:
        logger.info("greedy plan for %s left an order without room", run.problem.name)
        return None
    plan = improve(run.problem, plan, max(0.0, share * run.remaining()))
    return _verify(run.problem, plan, HEURISTIC_LABEL)


def _verify(problem: WeeklyProblem, plan: dict[str, Slot], source: str) -> _Verified | None:
    check = evaluate_plan(problem, plan)
    if not check.feasible or check.cost is None:
        logger.error("plan from %s failed the evaluator: %s", source, check.summary())
        return None
    return _Verified(dict(plan), check.cost, source)


def _no_plan_reason(answer: CbcAnswer, budget: float, incumbent: _Verified | None) -> str:
    if answer.claims_infeasible and incumbent is not None:
        return "CBC reported INFEASIBLE although a verified plan exists; its answer was ignored"
    if answer.claims_infeasible:
        return f"CBC reported INFEASIBLE only at its time limit ({budget:.2f} s), which is no proof"
    return (
        f"CBC stopped with status {answer.status} after {answer.solve_seconds:.2f} s without a plan"
    )


def _without_cbc_plan(
    run: _Run, incumbent: _Verified | None, answer: CbcAnswer | None, reason: str
) -> WeeklyPlan:
    """The outcome when CBC gave no plan: the first plan if there is one, else nothing."""
    if incumbent is None:
        return run.result(
            ScheduleStatus.NO_SOLUTION_FOUND,
            solver=CBC_LABEL,
            message=(
                "time limit reached before a first solution; infeasibility is not proven "
                f"({reason}); no plan is published"
            ),
        )
    bound = None if answer is None else answer.bound
    return _publish(run, incumbent, ScheduleStatus.FEASIBLE, bound, reason)


def _with_cbc_plan(run: _Run, incumbent: _Verified | None, answer: CbcAnswer) -> WeeklyPlan:
    found = _verify(run.problem, answer.assignment or {}, CBC_LABEL)
    notes = [
        f"CBC status {answer.status} after {answer.solve_seconds:.2f} s "
        f"({answer.variables} variables, {answer.constraints} constraints)"
    ]
    if found is None:
        notes.append("CBC's plan failed the evaluator and was dropped")
    options = [plan for plan in (found, incumbent) if plan is not None]
    if not options:
        return run.result(
            ScheduleStatus.NO_SOLUTION_FOUND,
            solver=CBC_LABEL,
            message="; ".join([*notes, "no verified plan is known, so none is published"]),
        )
    best = min(options, key=lambda plan: (plan.cost, plan is not found))
    proven = (
        answer.status == "OPTIMAL"
        and answer.bound is not None
        and answer.objective is not None
        and best is found
        and objectives_match(best.cost, answer.objective)
    )
    if answer.status == "OPTIMAL" and not proven:
        notes.append(
            "CBC's optimality claim does not match the verified plan; reported as FEASIBLE"
        )
    if best is not found:
        notes.append("the first plan is better than CBC's and is published with CBC's bound")
    status = ScheduleStatus.OPTIMAL if proven else ScheduleStatus.FEASIBLE
    return _publish(run, best, status, answer.bound, "; ".join(notes))


def _publish(
    run: _Run, plan: _Verified, status: ScheduleStatus, bound: float | None, note: str
) -> WeeklyPlan:
    """The final result, re-checked as published; a plan that fails is withheld."""
    check = evaluate_plan(run.problem, plan.assignment)
    if not check.feasible or check.cost is None:
        logger.error(
            "final plan for %s failed the evaluator: %s", run.problem.name, check.summary()
        )
        return run.result(
            ScheduleStatus.NO_SOLUTION_FOUND,
            solver=plan.source,
            message=f"the plan failed verification and was withheld: {check.summary()}",
        )
    cost = check.cost
    notes = [note] if note else []
    if bound is not None and bound > cost + 1e-6 * max(1.0, cost):
        notes.append(
            f"CBC's bound {number(bound)} exceeds a verified cost {number(cost)} and was discarded"
        )
        bound = None
    if bound is not None:
        bound = min(max(0.0, bound), cost)
    if status is ScheduleStatus.OPTIMAL and bound is None:
        status = ScheduleStatus.FEASIBLE
    gap = None if bound is None else (0.0 if cost == 0 else (cost - bound) / cost)
    if status is ScheduleStatus.FEASIBLE:
        proof = (
            "no bound"
            if gap is None or bound is None
            else f"lower bound {number(bound)}, gap {100 * gap:.2f}%"
        )
        notes.insert(0, f"not proven optimal: cost {number(cost)}, {proof}")
    return run.result(
        status,
        objective=cost,
        bound=bound,
        gap=gap,
        tardiness_cost=check.tardiness_cost,
        setup_cost=check.setup_cost,
        opening_cost=check.opening_cost,
        assignment={o.id: plan.assignment[o.id] for o in run.problem.orders},
        solver=plan.source,
        message="; ".join(notes),
    )


def _infeasible(run: _Run, answer: CbcAnswer) -> WeeklyPlan:
    """CBC's proof, with the clash isolated by the deletion filter in the time left."""
    lead = f"CBC proved in {answer.solve_seconds:.2f} s that no plan meets every hard rule"
    budget = run.remaining()
    conflict = None
    if budget >= MIN_CBC_SECONDS:
        message, failure = run.child({"job": "explain"}, budget)
        found = None if message is None else message.get("conflict")
        if found is not None:
            conflict = ConflictSet(
                tuple(found["orders"]),
                tuple((line, period) for line, period in found["buckets"]),
                found["minimal"],
                found["seconds"],
            )
        elif failure:
            logger.info("deletion filter for %s gave nothing: %s", run.problem.name, failure)
    if conflict is None:
        text = f"{lead}; no smaller conflicting set could be isolated in the time left"
    else:
        text = summarise([describe_conflict_set(run.problem, conflict)]) + f" ({lead})"
    return run.result(ScheduleStatus.INFEASIBLE, solver=CBC_LABEL, message=text)
