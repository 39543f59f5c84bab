"""Solve a scheduling problem: pre-checks, dispatching rules, then search and CBC in a child.

Why this shape:

* Pre-checks first, because a proof of infeasibility with the orders named
  is worth more to a planner than any solver status.
* The dispatching rules next, in this process: plain Python, well under a
  second, so a valid plan exists before anything starts that could be cut
  short. A plan that meets the solver-free lower bound (:mod:`bounds`) is
  optimal and ends the solve there.
* The iterated greedy search and CBC run in a separate process
  (:mod:`~pharma_pipelines.scheduling.worker`): neither a compiled search
  call nor CBC can be interrupted, and CBC can overrun its own limit. The
  parent waits for the limit plus a grace period, takes the best plan the
  child reported as it went, and kills it if it must.
* Nothing leaves this module unverified: every plan goes through the
  independent checker, and a plan the checker rejects is dropped.

Statuses follow :class:`ScheduleStatus`: INFEASIBLE only with a proof (a
pre-check, or a CBC proof that finished inside its limit), OPTIMAL only when
CBC proved it or the plan meets the lower bound, FEASIBLE otherwise with a
verified schedule and the best bound known, and NO_SOLUTION_FOUND when time
ran out before any schedule was found.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pharma_pipelines.scheduling.bounds import lower_bound
from pharma_pipelines.scheduling.checker import CheckReport, check_assignments, check_schedule
from pharma_pipelines.scheduling.child_process import ChildRun, run_child
from pharma_pipelines.scheduling.diagnosis import (
    ConflictSet,
    describe_conflict_set,
    precheck,
    summarise,
)
from pharma_pipelines.scheduling.heuristic import construct, time_sequences
from pharma_pipelines.scheduling.mip import DEFAULT_FORMULATION, SOLVER_NAME, MipResult
from pharma_pipelines.scheduling.problem import SchedulingProblem
from pharma_pipelines.scheduling.schedule import Schedule, ScheduledOrder, ScheduleStatus

logger = logging.getLogger(__name__)

DEFAULT_TIME_LIMIT_S = 30.0
DEFAULT_GRACE_S = 2.0
"""Extra wall time the child gets past its limit before its process is killed."""

MIN_CHILD_SECONDS = 0.5
"""Below this much remaining time no child is started (its start alone takes about that)."""

INTEGRAL_TOLERANCE = 0.5
"""How far CBC's float objective may sit from the verified integer objective."""

DISPATCH_LABEL = "dispatching rule"
SEARCH_LABEL = "iterated greedy search"
CBC_LABEL = f"{SOLVER_NAME}, {DEFAULT_FORMULATION} formulation"
WORKER_MODULE = "pharma_pipelines.scheduling.worker"


@dataclass(frozen=True)
class Progress:
    """Where a solve stands, reported at each change of phase and each better plan."""

    phase: str
    elapsed_s: float
    time_limit_s: float
    best_objective: int | None


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class _Run:
    """Facts about one solve that every returned schedule carries."""

    problem: SchedulingProblem
    """What the solver works on: the original with frozen orders pinned."""
    original: SchedulingProblem
    """The problem as given; the published schedule is checked against it."""
    time_limit_s: float
    threads: int
    seed: int
    started: float
    on_progress: ProgressCallback | None = None

    def report(self, phase: str, objective: int | None = None) -> None:
        if self.on_progress is not None:
            self.on_progress(Progress(phase, self.elapsed(), self.time_limit_s, objective))

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def remaining(self) -> float:
        return self.time_limit_s - self.elapsed()

    def schedule(self, status: ScheduleStatus, **fields: Any) -> Schedule:
        return Schedule(
            status=status,
            solve_seconds=self.elapsed(),
            time_limit_s=self.time_limit_s,
            threads=self.threads,
            seed=self.seed,
            instance=self.original.name,
            problem_hash=self.original.content_hash(),
            **fields,
        )


@dataclass(frozen=True)
class _Candidate:
    """A schedule that passed the checker, with where it came from."""

    assignments: tuple[ScheduledOrder, ...]
    report: CheckReport
    source: str

    @property
    def objective(self) -> int:
        if self.report.objective is None:
            raise RuntimeError("a verified candidate always has an objective")
        return self.report.objective


@dataclass(frozen=True)
class _ChildOutcome:
    """What came back from the search and CBC process, or why nothing did."""

    search: dict[str, Any] | None
    """The search's best plan: from its result, or the last progress before a kill."""
    result: MipResult | None
    conflict: ConflictSet | None
    failure: str | None
    budget_s: float
    cbc_skipped: str | None = None
    cut_down_to: int | None = None
    """Binaries of a model too large for CBC until the search's plan became its cutoff."""
    proven_optimal: str | None = None
    """CBC's proof that no plan is better than the search's, when it gave one."""


def solve(
    problem: SchedulingProblem,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    threads: int = 1,
    seed: int = 0,
    *,
    grace_s: float = DEFAULT_GRACE_S,
    on_progress: ProgressCallback | None = None,
) -> Schedule:
    """Best verified schedule found within ``time_limit_s`` (plus at most ``grace_s``).

    Deterministic for ``threads=1`` and a given ``seed`` as long as neither
    the search nor CBC is cut short by the clock.
    """
    work = problem.pinned()
    run = _Run(work, problem, time_limit_s, threads, seed, time.monotonic(), on_progress)
    run.report("pre-checks")
    conflicts = precheck(work)
    if conflicts:
        logger.info("pre-checks found %d conflicts in %s", len(conflicts), problem.name)
        return run.schedule(
            ScheduleStatus.INFEASIBLE, solver="pre-checks", message=summarise(conflicts)
        )
    if not problem.orders:
        return _verified_or_none(
            run, (), ScheduleStatus.OPTIMAL, "trivial", "no orders to schedule", None
        )
    run.report("dispatching rules")
    dispatched = construct(work)
    incumbent = None
    if dispatched is not None:
        label = f"{DISPATCH_LABEL} {dispatched.rule}"
        incumbent = _candidate(work, dispatched.sequences, label)
    floor = lower_bound(work)
    if incumbent is not None and incumbent.objective <= floor:
        return _verified_or_none(
            run,
            incumbent.assignments,
            ScheduleStatus.OPTIMAL,
            incumbent.source,
            f"the plan meets the lower bound {floor}, so no plan can be better",
            float(floor),
        )
    outcome = _run_child(run, incumbent, floor, grace_s)
    return _decide(run, incumbent, outcome, floor)


def _candidate(
    problem: SchedulingProblem, sequences: dict[str, list[str]], source: str
) -> _Candidate | None:
    """Left-shift and check a set of line sequences; None if they do not make a valid schedule."""
    assignments = time_sequences(problem, sequences)
    if assignments is None:
        logger.warning("sequences from %s cannot be timed feasibly; discarded", source)
        return None
    placed = tuple(assignments)
    report = check_assignments(problem, placed)
    if not report.feasible:
        logger.error("schedule from %s failed the checker: %s", source, report.summary())
        return None
    return _Candidate(placed, report, source)


def _run_child(
    run: _Run, incumbent: _Candidate | None, floor: int, grace_s: float
) -> _ChildOutcome:
    budget = run.remaining()
    if budget < MIN_CHILD_SECONDS:
        return _ChildOutcome(
            None,
            None,
            None,
            f"neither search nor CBC was started: only {max(0.0, budget):.2f} s of the limit "
            "were left",
            budget,
        )
    request = {
        "problem": run.problem.to_json(),
        "incumbent": None if incumbent is None else _sequences(incumbent.assignments),
        "floor": floor,
        "time_limit_s": budget,
        "threads": run.threads,
        "seed": run.seed,
        "sent_at": time.time(),
    }
    best = None if incumbent is None else incumbent.objective

    def follow(progress: dict[str, Any]) -> None:
        nonlocal best
        objective = progress.get("objective")
        if isinstance(objective, int) and (best is None or objective < best):
            best = objective
        run.report(str(progress.get("phase", "search")), best)

    run.report(f"search and CBC (up to {budget:.0f} s)", best)
    child = _in_child(request, budget + grace_s, grace_s, follow)
    run.report("checking", best)
    return _outcome(child, budget)


def _in_child(
    request: dict[str, Any],
    wait_s: float,
    grace_s: float,
    on_progress: Callable[[dict[str, Any]], None] | None = None,
) -> ChildRun:
    """The job of :mod:`~pharma_pipelines.scheduling.worker` in a process that can be killed."""
    return run_child(WORKER_MODULE, request, wait_s, grace_s, on_progress)


def _outcome(child: ChildRun, budget: float) -> _ChildOutcome:
    last = child.progress if child.progress and "sequences" in child.progress else None
    message = child.result
    if message is None:
        return _ChildOutcome(last, None, None, child.failure, budget)
    if "error" in message:
        return _ChildOutcome(
            last, None, None, f"the solver process failed: {message['error']}", budget
        )
    found = message.get("conflict")
    conflict = None
    if found is not None:
        conflict = ConflictSet(tuple(found["orders"]), found["minimal"], found["seconds"])
    result = None if message.get("result") is None else MipResult(**message["result"])
    # CBC's "infeasible" is judged against the time the worker gave CBC after
    # its start-up and the search, which is shorter than the budget sent.
    return _ChildOutcome(
        message.get("search") or last,
        result,
        conflict,
        None,
        float(message.get("budget_s", budget)),
        message.get("cbc_skipped"),
        message.get("cut_down_to"),
        message.get("proven_optimal"),
    )


def _sequences(assignments: tuple[ScheduledOrder, ...]) -> dict[str, list[str]]:
    lines: dict[str, list[str]] = {}
    for item in assignments:
        lines.setdefault(item.line, []).append(item.order)
    return lines


def _decide(
    run: _Run, incumbent: _Candidate | None, outcome: _ChildOutcome, floor: int
) -> Schedule:
    searched = _searched_candidate(run, outcome.search)
    result = outcome.result
    solved = None
    if result is not None and result.sequences is not None:
        solved = _candidate(run.problem, result.sequences, CBC_LABEL)
    options = [c for c in (solved, searched, incumbent) if c is not None]
    if not options:
        return _without_schedule(run, outcome)
    best = min(options, key=lambda c: c.objective)
    notes = _notes(outcome, searched, solved, best)
    if outcome.proven_optimal is not None and searched is not None and best is searched:
        notes.append(outcome.proven_optimal)
        floor = max(floor, searched.objective)
    bound, status = _bound_and_status(result, best, floor, notes)
    source = best.source
    if outcome.proven_optimal is not None and best is searched:
        source += f"; optimality proved by {CBC_LABEL}"
    elif result is not None and best is not solved and result.bound is not None:
        source += f"; bound by {CBC_LABEL}"
    return _verified_or_none(run, best.assignments, status, source, "; ".join(notes), bound)


def _searched_candidate(run: _Run, search: dict[str, Any] | None) -> _Candidate | None:
    if search is None:
        return None
    label = SEARCH_LABEL
    if "iterations" in search:
        label += (
            f" from {search['rule']}, {search['iterations']} iterations, "
            f"{search['improvements']} improvements"
        )
    return _candidate(run.problem, search["sequences"], label)


def _notes(
    outcome: _ChildOutcome,
    searched: _Candidate | None,
    solved: _Candidate | None,
    best: _Candidate,
) -> list[str]:
    notes: list[str] = []
    result = outcome.result
    if outcome.failure is not None:
        notes.append(outcome.failure)
    if outcome.cbc_skipped is not None:
        notes.append(outcome.cbc_skipped)
    if outcome.cut_down_to is not None:
        notes.append(
            f"the search's plan as cutoff cut the MIP down to {outcome.cut_down_to} binaries, "
            "so CBC ran after all"
        )
    if outcome.search is not None and searched is None:
        notes.append("the search's plan failed verification and was dropped")
    if result is not None:
        notes.append(
            f"CBC status {result.status} after {result.solve_seconds:.1f} s (model built in "
            f"{result.build_seconds:.1f} s, {result.variables} variables, "
            f"{result.constraints} constraints)"
        )
        if result.sequences is not None and solved is None:
            notes.append("the CBC solution failed verification and was dropped")
        if result.claims_infeasible:
            notes.append(
                "CBC reported INFEASIBLE although a verified schedule exists; its answer was "
                "ignored"
            )
        if solved is not None and best is not solved:
            notes.append("the search's plan is better than CBC's solution and is returned")
    return notes


def _bound_and_status(
    result: MipResult | None, best: _Candidate, floor: int, notes: list[str]
) -> tuple[float, ScheduleStatus]:
    """The best valid bound and whether it proves ``best`` optimal."""
    bound = float(floor)
    cbc_bound = None if result is None or result.bound is None else max(0.0, result.bound)
    if cbc_bound is not None and cbc_bound > best.objective + 1e-6 * max(1, best.objective):
        notes.append(
            f"CBC bound {cbc_bound:g} exceeds a verified objective {best.objective}; "
            "the bound was discarded"
        )
        cbc_bound = None
    if cbc_bound is not None:
        bound = max(bound, cbc_bound)
    cbc_proof = (
        result is not None
        and result.status == "OPTIMAL"
        and cbc_bound is not None
        and result.objective is not None
        and abs(best.objective - result.objective) <= INTEGRAL_TOLERANCE
    )
    if result is not None and result.status == "OPTIMAL" and not cbc_proof:
        notes.append(
            "CBC claimed optimality that the verified schedules contradict; reported as FEASIBLE"
        )
    # All weights and times are integers, so every objective is at least the
    # bound rounded up, and a bound above objective - 1 proves optimality.
    bound = float(math.ceil(bound - 1e-6))
    bound_proof = bound >= best.objective
    if bound_proof and not cbc_proof:
        notes.append(f"the plan meets the lower bound {bound:g}, so no plan can be better")
    status = ScheduleStatus.OPTIMAL if cbc_proof or bound_proof else ScheduleStatus.FEASIBLE
    return bound, status


def _without_schedule(run: _Run, outcome: _ChildOutcome) -> Schedule:
    result = outcome.result
    if result is not None and result.proves_infeasible(outcome.budget_s):
        return run.schedule(
            ScheduleStatus.INFEASIBLE, solver=CBC_LABEL, message=_infeasible_message(run, outcome)
        )
    if outcome.failure is not None:
        reason = outcome.failure
    elif result is None:
        reason = outcome.cbc_skipped or "CBC gave no result"
    elif result.claims_infeasible:
        reason = (
            f"CBC reported INFEASIBLE only at its time limit ({outcome.budget_s:.1f} s), "
            "which is no proof"
        )
    else:
        reason = (
            f"CBC stopped with status {result.status} after {result.solve_seconds:.1f} s "
            "without a solution"
        )
    return run.schedule(
        ScheduleStatus.NO_SOLUTION_FOUND,
        solver=CBC_LABEL,
        message=(
            f"time limit reached before a first solution; infeasibility is not proven ({reason})"
        ),
    )


def _infeasible_message(run: _Run, outcome: _ChildOutcome) -> str:
    result = outcome.result
    seconds = 0.0 if result is None else result.solve_seconds
    lead = f"CBC proved in {seconds:.1f} s that no schedule meets all hard constraints"
    if outcome.conflict is None:
        return f"{lead}; no smaller conflicting set could be isolated in the time left"
    return summarise([describe_conflict_set(run.problem, outcome.conflict)]) + f" ({lead})"


def _verified_or_none(
    run: _Run,
    assignments: tuple[ScheduledOrder, ...],
    status: ScheduleStatus,
    solver: str,
    message: str,
    bound: float | None,
) -> Schedule:
    """The final schedule, re-checked as it will be published; never returns one that fails."""
    report = check_assignments(run.problem, assignments)
    if not report.feasible or report.objective is None:
        return _withheld(run, solver, report)
    objective = report.objective
    if bound is not None:
        bound = min(bound, float(objective))
    gap = None if bound is None else (0.0 if objective == 0 else (objective - bound) / objective)
    schedule = run.schedule(
        status,
        objective=objective,
        bound=bound,
        gap=gap,
        components=report.components,
        solver=solver,
        assignments=assignments,
        message=message,
    )
    final = check_schedule(run.original, schedule)
    return schedule if final.feasible else _withheld(run, solver, final)


def _withheld(run: _Run, solver: str, report: CheckReport) -> Schedule:
    logger.error("final schedule for %s failed the checker: %s", run.problem.name, report.summary())
    return run.schedule(
        ScheduleStatus.NO_SOLUTION_FOUND,
        solver=solver,
        message=f"the schedule failed verification and was withheld: {report.summary()}",
    )
