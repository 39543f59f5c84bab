"""The CBC jobs of the weekly plan, in a process of their own.

Run as ``python -m pharma_pipelines.scheduling.weekly.worker REQUEST RESULT``
through :func:`pharma_pipelines.scheduling.child_process.run_in_child`: CBC can
overrun its time limit, and only a separate process can be stopped for sure.

Two jobs, chosen by the request's ``job``:

* ``solve``: the MIP with an optional warm start and incumbent cost.
* ``explain``: the deletion filter on a problem CBC proved infeasible. It is
  a job of its own so that, if it is killed, the parent still has the proof.

Both subtract the time the process took to start from their budget, so the
caller's limit covers the whole job; ``solve`` returns the budget CBC really
had, against which an "infeasible" is judged.
"""

from __future__ import annotations

import sys
import time
from dataclasses import asdict
from typing import Any

from pharma_pipelines.scheduling.child_process import serve
from pharma_pipelines.scheduling.weekly.diagnosis import isolate_conflict, precheck
from pharma_pipelines.scheduling.weekly.heuristic import construct
from pharma_pipelines.scheduling.weekly.model import solve_model
from pharma_pipelines.scheduling.weekly.problem import WeeklyProblem

MAX_STARTUP_S = 5.0
"""Most start-up time taken off the budget (guards against a clock jump between processes)."""

MIN_BUDGET_S = 0.01


def _budget(request: dict[str, Any]) -> float:
    startup = min(MAX_STARTUP_S, max(0.0, time.time() - request["sent_at"]))
    return max(MIN_BUDGET_S, request["time_limit_s"] - startup)


def run(request: dict[str, Any]) -> dict[str, Any]:
    """Do the requested job and return plain, JSON-ready data."""
    budget = _budget(request)
    problem = WeeklyProblem.from_json(request["problem"])
    threads, seed = request["threads"], request["seed"]
    if request["job"] == "explain":

        def oracle(subproblem: WeeklyProblem, seconds: float) -> bool | None:
            return feasible(subproblem, seconds, threads, seed)

        conflict = isolate_conflict(problem, oracle, budget)
        return {"conflict": None if conflict is None else asdict(conflict)}
    warm = request.get("warm_start")
    answer = solve_model(
        problem,
        budget,
        threads,
        seed,
        warm_start=None if warm is None else {o: (s[0], s[1]) for o, s in warm.items()},
        upper_bound=request.get("upper_bound"),
    )
    return {"answer": asdict(answer), "budget_s": budget}


def feasible(problem: WeeklyProblem, seconds: float, threads: int, seed: int) -> bool | None:
    """Feasibility oracle of the deletion filter: pre-checks, greedy, then CBC."""
    if precheck(problem):
        return False
    if construct(problem) is not None:
        return True
    answer = solve_model(problem, seconds, threads, seed, feasibility_only=True)
    if answer.assignment is not None:
        return True
    if answer.proves_infeasible(seconds):
        return False
    return None


def main(arguments: list[str]) -> int:
    """Read the request file, write the result file; an error is a result too."""
    return serve(arguments, lambda request, _: run(request))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
