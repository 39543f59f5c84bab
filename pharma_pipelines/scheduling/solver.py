"""Solve a scheduling problem: pre-checks, heuristic, then CBC in a child process.

Why this shape:

* Pre-checks first, because a proof of infeasibility with the orders named
  is worth more to a planner than any solver status.
* The heuristic next, because it gives CBC a warm start and an objective
  cutoff, and because it is the answer when CBC cannot give one.
* CBC runs in a separate process (:mod:`~pharma_pipelines.scheduling.worker`)
  since it can overrun its own time limit; the parent waits for the limit
  plus a grace period and then kills it, falling back to the best schedule
  it already has.
* Nothing leaves this module unverified: every schedule goes through the
  independent checker, and a schedule the checker rejects is dropped.

Statuses follow :class:`ScheduleStatus`: INFEASIBLE only with a proof (a
pre-check or a CBC proof that finished inside its limit), OPTIMAL only when
CBC proved it, FEASIBLE otherwise with a verified schedule, and
NO_SOLUTION_FOUND when time ran out before any schedule was found.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pharma_pipelines.scheduling.checker import CheckReport, check_assignments, check_schedule
from pharma_pipelines.scheduling.child_process import run_in_child
from pharma_pipelines.scheduling.diagnosis import (
    ConflictSet,
    describe_conflict_set,
    precheck,
    summarise,
)
from pharma_pipelines.scheduling.heuristic import (
    KICKS,
    HeuristicResult,
    improve,
    time_sequences,
)
from pharma_pipelines.scheduling.mip import (
    DEFAULT_FORMULATION,
    SOLVER_NAME,
    MipResult,
    count_binaries,
)
from pharma_pipelines.scheduling.problem import SchedulingProblem
from pharma_pipelines.scheduling.schedule import Schedule, ScheduledOrder, ScheduleStatus

logger = logging.getLogger(__name__)

DEFAULT_TIME_LIMIT_S = 30.0
DEFAULT_GRACE_S = 2.0
"""Extra wall time CBC gets past its limit before its process is killed."""

HEURISTIC_SHARE = 0.25
"""Fraction of the time limit the local search may use before CBC starts on a small model."""

LARGE_MODEL_HEURISTIC_SHARE = 0.8
"""The local search's fraction when the model has more than :data:`PROVABLE_BINARIES`."""

PROVABLE_BINARIES = 2_500
"""Binaries up to which CBC tends to prove optimality within seconds.

Vallada-Ruiz instances with 12 orders on 5 lines have about 720 and are proved
in well under a second; pharma_small_s1 (10 orders, 2 lines) in about 10 s.
"""

MIN_CBC_SECONDS = 0.2
"""Below this much remaining time CBC is not started (the process start alone takes about 0.3 s)."""

MAX_BINARIES = 60_000
"""Binaries above which CBC is skipped: such a model cannot pay off within a run.

pharma_medium_s1 has about 4,300 and gets a bound; pharma_large_s1 has about
98,000, takes 3 s to build and overran a 25 s limit by 4.5 s with a useless bound.
"""

INTEGRAL_TOLERANCE = 0.5
"""How far CBC's float objective may sit from the verified integer objective."""

HEURISTIC_LABEL = "heuristic (dispatching rules + local search)"
CBC_LABEL = f"{SOLVER_NAME}, {DEFAULT_FORMULATION} formulation"


@dataclass(frozen=True)
class Progress:
    """Where a solve stands, reported at each change of phase."""

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

    def report(self, phase: str, best: _Candidate | None = None) -> None:
        if self.on_progress is not None:
            objective = None if best is None else best.objective
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
class _CbcOutcome:
    """What came back from the CBC process, or why nothing did."""

    result: MipResult | None
    conflict: ConflictSet | None
    failure: str | None
    budget_s: float


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

    Deterministic for given ``threads=1`` and ``seed`` as long as neither the
    local search nor CBC is cut short by the clock.
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
    binaries = count_binaries(work)
    too_large = _too_large_for_cbc(binaries)
    share = _heuristic_share(binaries)
    # A small model goes to CBC for a proof, so a bounded search suffices
    # there and keeps the warm start the same on every machine.
    kicks = KICKS if binaries <= PROVABLE_BINARIES else None
    run.report("local search")
    heuristic = improve(
        work, time_budget_s=max(0.0, share * run.remaining()), seed=seed, kicks=kicks
    )
    incumbent = _heuristic_candidate(work, heuristic)
    if too_large is not None:
        run.report("done", incumbent)
        outcome = _CbcOutcome(None, None, too_large, 0.0)
    else:
        outcome = _run_cbc(run, incumbent, grace_s)
    return _decide(run, heuristic, incumbent, outcome)


def _heuristic_share(binaries: int) -> float:
    """Fraction of the limit for the local search, by how much CBC can be expected to do.

    A model CBC can prove in the time gets most of it; on a larger one CBC
    rarely improves a good incumbent within seconds, so the search keeps
    most of the time and CBC the rest for a bound.
    """
    if binaries > MAX_BINARIES:
        return 1.0
    if binaries > PROVABLE_BINARIES:
        return LARGE_MODEL_HEURISTIC_SHARE
    return HEURISTIC_SHARE


def _too_large_for_cbc(binaries: int) -> str | None:
    """Why CBC is skipped for size, decided up front so the heuristic can use the whole limit."""
    if binaries <= MAX_BINARIES:
        return None
    return (
        f"CBC was not started: the model would have {binaries} binaries (limit {MAX_BINARIES}), "
        "so the local search used the whole time limit"
    )


def _heuristic_candidate(
    problem: SchedulingProblem, heuristic: HeuristicResult | None
) -> _Candidate | None:
    if heuristic is None:
        return None
    return _candidate(
        problem, heuristic.sequences, f"{HEURISTIC_LABEL}, start rule {heuristic.rule}"
    )


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


def _run_cbc(run: _Run, incumbent: _Candidate | None, grace_s: float) -> _CbcOutcome:
    budget = run.remaining()
    if budget < MIN_CBC_SECONDS:
        return _CbcOutcome(
            None,
            None,
            f"CBC was not started: only {max(0.0, budget):.2f} s of the limit were left",
            budget,
        )
    request = {
        "problem": run.problem.to_json(),
        "warm_start": [] if incumbent is None else [a.model_dump() for a in incumbent.assignments],
        "cutoff": None if incumbent is None else incumbent.objective,
        "time_limit_s": budget,
        "threads": run.threads,
        "seed": run.seed,
        "explain": incumbent is None,
        "sent_at": time.time(),
    }
    run.report(f"CBC (up to {budget:.0f} s)", incumbent)
    message, failure = _in_child(request, budget + grace_s, grace_s)
    run.report("checking", incumbent)
    if message is None:
        return _CbcOutcome(None, None, failure, budget)
    if "error" in message:
        return _CbcOutcome(None, None, f"CBC failed: {message['error']}", budget)
    found = message["conflict"]
    conflict = None
    if found is not None:
        conflict = ConflictSet(tuple(found["orders"]), found["minimal"], found["seconds"])
    # CBC's "infeasible" is judged against the time the worker gave CBC after
    # its own start-up, which is shorter than the budget sent.
    used_budget = float(message.get("budget_s", budget))
    return _CbcOutcome(MipResult(**message["result"]), conflict, None, used_budget)


WORKER_MODULE = "pharma_pipelines.scheduling.worker"


def _in_child(
    request: dict[str, Any], wait_s: float, grace_s: float
) -> tuple[dict[str, Any] | None, str | None]:
    """The CBC job of :mod:`~pharma_pipelines.scheduling.worker` in a process that can be killed."""
    return run_in_child(WORKER_MODULE, request, wait_s, grace_s)


def _decide(
    run: _Run, heuristic: HeuristicResult | None, incumbent: _Candidate | None, outcome: _CbcOutcome
) -> Schedule:
    result = outcome.result
    if result is not None and result.sequences is not None:
        return _with_cbc_solution(run, incumbent, outcome, result)
    if incumbent is not None:
        reason = outcome.failure or _cbc_without_solution(result, outcome.budget_s, incumbent)
        note = f"heuristic schedule only, no optimality bound: {reason}"
        if heuristic is not None:
            note += f"; local search made {heuristic.improving_moves} improving moves"
        return _verified_or_none(
            run, incumbent.assignments, ScheduleStatus.FEASIBLE, incumbent.source, note, None
        )
    if result is not None and result.proves_infeasible(outcome.budget_s):
        return run.schedule(
            ScheduleStatus.INFEASIBLE, solver=CBC_LABEL, message=_infeasible_message(run, outcome)
        )
    reason = outcome.failure or _cbc_without_solution(result, outcome.budget_s, None)
    return run.schedule(
        ScheduleStatus.NO_SOLUTION_FOUND,
        solver=CBC_LABEL,
        message=(
            f"time limit reached before a first solution; infeasibility is not proven ({reason})"
        ),
    )


def _cbc_without_solution(
    result: MipResult | None, budget_s: float, incumbent: _Candidate | None
) -> str:
    if result is None:
        return "CBC gave no result"
    if result.claims_infeasible and incumbent is not None:
        return "CBC reported INFEASIBLE although a verified schedule exists; its answer was ignored"
    if result.claims_infeasible:
        return (
            f"CBC reported INFEASIBLE only at its time limit ({budget_s:.1f} s), which is no proof"
        )
    return (
        f"CBC stopped with status {result.status} after {result.solve_seconds:.1f} s "
        "without a solution"
    )


def _infeasible_message(run: _Run, outcome: _CbcOutcome) -> str:
    result = outcome.result
    seconds = 0.0 if result is None else result.solve_seconds
    lead = f"CBC proved in {seconds:.1f} s that no schedule meets all hard constraints"
    if outcome.conflict is None:
        return f"{lead}; no smaller conflicting set could be isolated in the time left"
    return summarise([describe_conflict_set(run.problem, outcome.conflict)]) + f" ({lead})"


def _with_cbc_solution(
    run: _Run, incumbent: _Candidate | None, outcome: _CbcOutcome, result: MipResult
) -> Schedule:
    sequences = result.sequences or {}
    found = _candidate(run.problem, sequences, CBC_LABEL)
    options = [c for c in (found, incumbent) if c is not None]
    if not options:
        return run.schedule(
            ScheduleStatus.NO_SOLUTION_FOUND,
            solver=CBC_LABEL,
            message="the CBC solution failed verification and no other schedule is known",
        )
    best = min(options, key=lambda c: (c.objective, c is not found))
    bound = None if result.bound is None else max(0.0, result.bound)
    notes = [
        f"CBC status {result.status} after {result.solve_seconds:.1f} s (model built in "
        f"{result.build_seconds:.1f} s, {result.variables} variables, "
        f"{result.constraints} constraints)"
    ]
    if found is None:
        notes.append("the CBC solution failed verification; the heuristic schedule is returned")
    if bound is not None and bound > best.objective + 1e-6 * max(1, best.objective):
        notes.append(
            f"CBC bound {bound:g} exceeds a verified objective {best.objective}; "
            "the bound was discarded"
        )
        bound = None
    optimal = result.status == "OPTIMAL" and bound is not None and result.objective is not None
    optimal = optimal and abs(best.objective - result.objective) <= INTEGRAL_TOLERANCE
    if result.status == "OPTIMAL" and not optimal:
        notes.append(
            "CBC claimed optimality that the verified schedules contradict; reported as FEASIBLE"
        )
    status = ScheduleStatus.OPTIMAL if optimal else ScheduleStatus.FEASIBLE
    if best is not found:
        notes.append(
            "the heuristic incumbent is better than CBC's solution and is returned with CBC's bound"
        )
    source = best.source if best is found else f"{best.source}; bound by {CBC_LABEL}"
    return _verified_or_none(run, best.assignments, status, source, "; ".join(notes), bound)


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
