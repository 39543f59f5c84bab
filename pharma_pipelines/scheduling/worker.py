"""The CBC job in a process of its own.

Run as ``python -m pharma_pipelines.scheduling.worker REQUEST RESULT``.

Why a separate interpreter rather than ``multiprocessing``: CBC can overrun
its time limit, so the solve must run where it can be killed, and a fresh
``python -m`` process imports nothing of its parent. A ``spawn`` child would
re-import the caller's main script, which re-runs any unguarded top-level code
(a materialize script, say) inside the child. Request and result travel as
JSON files, because CBC may write to stdout.

The job solves the MIP and, when asked and CBC proves infeasibility, shrinks
the orders to a conflicting set with the deletion filter, all within the
request's time limit.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from pharma_pipelines.scheduling.child_process import write_result
from pharma_pipelines.scheduling.diagnosis import find_conflict_set, precheck
from pharma_pipelines.scheduling.heuristic import construct
from pharma_pipelines.scheduling.mip import solve_mip
from pharma_pipelines.scheduling.problem import SchedulingProblem
from pharma_pipelines.scheduling.schedule import ScheduledOrder

MAX_STARTUP_S = 5.0
"""Upper bound on the start-up time subtracted from the budget (guards against clock jumps)."""


def run(request: dict[str, Any]) -> dict[str, Any]:
    """Solve as the request says and return plain, JSON-ready data."""
    startup = min(MAX_STARTUP_S, max(0.0, time.time() - request["sent_at"]))
    budget = max(0.01, request["time_limit_s"] - startup)
    started = time.monotonic()
    problem = SchedulingProblem.from_json(request["problem"])
    warm = [ScheduledOrder.model_validate(item) for item in request["warm_start"]]
    threads, seed = request["threads"], request["seed"]
    result = solve_mip(problem, budget, threads, seed, warm_start=warm, cutoff=request["cutoff"])
    conflict = None
    if request["explain"] and result.proves_infeasible(budget):

        def oracle(subproblem: SchedulingProblem, seconds: float) -> bool | None:
            return feasible(subproblem, seconds, threads, seed)

        remaining = budget - (time.monotonic() - started)
        conflict = find_conflict_set(problem, oracle, remaining)
    return {
        "result": asdict(result),
        "conflict": None if conflict is None else asdict(conflict),
        "budget_s": budget,
    }


def feasible(problem: SchedulingProblem, seconds: float, threads: int, seed: int) -> bool | None:
    """Feasibility oracle for the deletion filter: pre-checks, heuristic, then CBC."""
    if precheck(problem):
        return False
    if construct(problem) is not None:
        return True
    result = solve_mip(problem, seconds, threads, seed, feasibility_only=True)
    if result.has_solution:
        return True
    if result.proves_infeasible(seconds):
        return False
    return None


def main(arguments: list[str]) -> int:
    """Read the request file, write the result file; errors are results too."""
    request_path, result_path = (Path(argument) for argument in arguments)
    try:
        answer = run(json.loads(request_path.read_text(encoding="utf-8")))
    except Exception as error:
        answer = {"error": f"{type(error).__name__}: {error}"}
    write_result(result_path, answer)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
