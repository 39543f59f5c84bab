"""The search and CBC job in a process of its own.

Run as ``python -m pharma_pipelines.scheduling.worker REQUEST RESULT``.

Why a separate interpreter: neither a compiled search call nor CBC can be
interrupted from Python, and CBC can overrun its own limit, so both run where
the parent can kill them. Every new best plan is written as progress
(:func:`~pharma_pipelines.scheduling.child_process.write_progress`), so a kill
loses nothing already found. A fresh ``python -m`` process imports nothing of
its parent; a ``multiprocessing`` spawn child would re-import the caller's
main script. Request and result travel as JSON files, because CBC may write
to standard output.

The job, within the request's time limit:

1. the iterated greedy search (:mod:`~pharma_pipelines.scheduling.search`)
   from the parent's first plan and its own starting rules, for a share of
   the time that depends on how much CBC can be expected to do (see
   :func:`split`);
2. CBC on the MIP asked only for plans better than the search's (which
   shrinks the model and turns "infeasible" into a proof of optimality), unless the
   model is too large to pay off. A model too large at the outset is
   counted again once the search has a plan, because the plan's objective
   bounds every order's end and usually removes most arcs; CBC then gets the
   rest of the time, otherwise the search does;
3. when CBC proves that no schedule exists, the deletion filter that shrinks
   the orders to a conflicting set, in the time left.
"""

from __future__ import annotations

import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from pharma_pipelines.scheduling.child_process import serve, write_progress
from pharma_pipelines.scheduling.diagnosis import find_conflict_set, precheck
from pharma_pipelines.scheduling.heuristic import construct
from pharma_pipelines.scheduling.mip import MipResult, count_binaries, solve_mip
from pharma_pipelines.scheduling.problem import SchedulingProblem

MAX_STARTUP_S = 5.0
"""Upper bound on the start-up time subtracted from the budget (guards against clock jumps)."""

PROVABLE_BINARIES = 2_500
"""Binaries up to which CBC tends to prove optimality within seconds.

Vallada-Ruiz instances with 12 orders on 5 lines have about 720 and are proved
in well under a second; pharma_small_s1 (10 orders, 2 lines) in about 10 s.
"""

MAX_BINARIES = 35_000
"""Binaries above which CBC is skipped: such a model cannot pay off within a run.

pharma_medium_s1 has about 4,300 and gets a bound; pharma_large_s1 has about
98,000, takes 3 s to build and overran a 25 s limit by 4.5 s with a useless bound.
Memory sets the limit too: CBC on I_100_15_S_1-99_1 cut down to 33,545
binaries peaked at 2.2 GB.
"""

SMALL_MODEL_SEARCH_SHARE = 0.25
"""Share of the budget the search may use before CBC sets out to prove a small model."""

SMALL_MODEL_ITERATIONS = 300
"""Search iterations on a small model: CBC proves it anyway, and a fixed count
keeps CBC's warm start the same on every machine."""

LARGE_MODEL_SEARCH_SHARE = 0.85
"""Share of the budget the search keeps on a model CBC can build but not prove."""

MIN_CBC_SECONDS = 0.3
"""Below this much remaining time CBC is not started."""

OVERSIZED_SEARCH_SHARE = 0.6
"""Share of the budget the search uses on a model too large for CBC before it is counted again."""


@dataclass(frozen=True)
class Split:
    """How one job divides its budget between the search and CBC."""

    search_share: float
    search_iterations: int | None
    cbc_skipped: str | None


def split(binaries: int) -> Split:
    """The budget split for a model with ``binaries`` arc and downtime binaries.

    A model CBC can prove within seconds gets a short, fixed search and the
    rest goes to the proof; on a larger one CBC rarely improves a good plan,
    so the search keeps most of the time and CBC the rest for a bound; above
    :data:`MAX_BINARIES` the search gets :data:`OVERSIZED_SEARCH_SHARE`
    and the model is counted again with the search's plan as cutoff.
    """
    if binaries > MAX_BINARIES:
        return Split(
            OVERSIZED_SEARCH_SHARE,
            None,
            f"CBC was not started: the model would have {binaries} binaries "
            f"(limit {MAX_BINARIES}) even with the search's plan as cutoff, so the search "
            "used the whole time limit",
        )
    if binaries <= PROVABLE_BINARIES:
        return Split(SMALL_MODEL_SEARCH_SHARE, SMALL_MODEL_ITERATIONS, None)
    return Split(LARGE_MODEL_SEARCH_SHARE, None, None)


def run(request: dict[str, Any], result_path: Path) -> dict[str, Any]:
    """Search and solve as the request says; return plain, JSON-ready data."""
    startup = min(MAX_STARTUP_S, max(0.0, time.time() - request["sent_at"]))
    budget = max(0.01, request["time_limit_s"] - startup)
    started = time.monotonic()
    problem = SchedulingProblem.from_json(request["problem"])
    threads, seed = request["threads"], request["seed"]
    plan = split(count_binaries(problem))
    floor = int(request.get("floor", 0))
    deadline = started + plan.search_share * budget
    found = _search(problem, request.get("incumbent"), plan, deadline, seed, floor, result_path)
    remaining = budget - (time.monotonic() - started)
    answer: dict[str, Any] = {
        "search": found,
        "result": None,
        "conflict": None,
        "budget_s": remaining,
        "cbc_skipped": plan.cbc_skipped,
    }
    if plan.cbc_skipped is not None and found is not None:
        smaller = count_binaries(problem, cutoff=found["objective"])
        if smaller <= MAX_BINARIES:
            answer["cbc_skipped"] = None
            answer["cut_down_to"] = smaller
        else:
            more = _search(
                problem,
                found["sequences"],
                Split(1.0, None, plan.cbc_skipped),
                started + budget,
                seed + 1,
                floor,
                result_path,
            )
            if more is not None and more["objective"] <= found["objective"]:
                more["iterations"] += found["iterations"]
                more["improvements"] += found["improvements"]
                more["rule"] = found["rule"]
                answer["search"] = found = more
            answer["budget_s"] = budget - (time.monotonic() - started)
            return answer
    if answer["cbc_skipped"] is not None:
        return answer
    if found is not None and found["objective"] <= floor:
        answer["cbc_skipped"] = (
            f"CBC was not started: the search's plan meets the lower bound {floor}"
        )
        return answer
    if remaining < MIN_CBC_SECONDS:
        answer["cbc_skipped"] = (
            f"CBC was not started: only {max(0.0, remaining):.2f} s of the limit were left"
        )
        return answer
    write_progress(result_path, _progress("CBC", found))
    if found is None:
        result = solve_mip(problem, remaining, threads, seed)
    else:
        result = _better_than(problem, found["objective"], remaining, threads, seed, answer)
    answer["result"] = None if result is None else asdict(result)
    if found is None and result is not None and result.proves_infeasible(remaining):
        conflict = _explain(problem, budget - (time.monotonic() - started), threads, seed)
        answer["conflict"] = None if conflict is None else asdict(conflict)
    return answer


def _better_than(
    problem: SchedulingProblem,
    objective: int,
    seconds: float,
    threads: int,
    seed: int,
    answer: dict[str, Any],
) -> MipResult | None:
    """CBC asked only for plans better than the search's; its answer in the solver's terms.

    An INFEASIBLE proof here means no better plan exists: it goes into the
    answer as ``proven_optimal`` and no result is returned. An INFEASIBLE at
    the limit only means none was found, and a bound holds for the whole
    problem only as far as the search's plan: both are translated so the
    solver can read the result as it reads an ordinary one.
    """
    result = solve_mip(problem, seconds, threads, seed, better_than=objective)
    if result.proves_infeasible(seconds):
        answer["proven_optimal"] = (
            f"CBC proved in {result.build_seconds + result.solve_seconds:.1f} s that no plan "
            f"is better than {objective}"
        )
        return None
    status = "NO_SOLUTION_FOUND" if result.claims_infeasible else result.status
    bound = None if result.bound is None else min(result.bound, float(objective))
    return replace(result, status=status, bound=bound)


def _search(
    problem: SchedulingProblem,
    incumbent: dict[str, list[str]] | None,
    plan: Split,
    deadline: float,
    seed: int,
    floor: int,
    result_path: Path,
) -> dict[str, Any] | None:
    """The best plan of the search, written as progress whenever it improves."""
    from pharma_pipelines.scheduling.search import improve

    def publish(sequences: dict[str, list[str]], objective: int) -> None:
        write_progress(
            result_path,
            _progress("search", {"sequences": sequences, "objective": objective}),
        )

    result = improve(
        problem,
        time_budget_s=max(0.0, deadline - time.monotonic()),
        seed=seed,
        iterations=plan.search_iterations,
        start=incumbent,
        on_improvement=publish,
        target=floor,
    )
    if result is None:
        return None
    return {
        "sequences": result.sequences,
        "objective": result.objective,
        "rule": result.rule,
        "iterations": result.iterations,
        "improvements": result.improvements,
        "seconds": result.seconds,
    }


def _progress(phase: str, found: dict[str, Any] | None) -> dict[str, Any]:
    progress: dict[str, Any] = {"phase": phase}
    if found is not None:
        progress["sequences"] = found["sequences"]
        progress["objective"] = found["objective"]
    return progress


def _explain(problem: SchedulingProblem, seconds: float, threads: int, seed: int) -> Any:
    def oracle(subproblem: SchedulingProblem, limit: float) -> bool | None:
        return feasible(subproblem, limit, threads, seed)

    return find_conflict_set(problem, oracle, seconds)


def feasible(problem: SchedulingProblem, seconds: float, threads: int, seed: int) -> bool | None:
    """Feasibility oracle for the deletion filter: pre-checks, dispatching rules, then CBC."""
    if precheck(problem):
        return False
    if construct(problem) is not None:
        return True
    result: MipResult = solve_mip(problem, seconds, threads, seed, feasibility_only=True)
    if result.has_solution:
        return True
    if result.proves_infeasible(seconds):
        return False
    return None


def main(arguments: list[str]) -> int:
    """Read the request file, write the result file; errors are results too."""
    return serve(arguments, run)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
