"""One solver on one instance, in a process of its own; the schedule benchmark starts it.

Run as ``python -m peers.child SOLVER INSTANCE TIME_LIMIT RESULT`` with the
``benchmarks`` folder on the import path. It writes RESULT (JSON) with the
solution document, the seconds the solve took in here (reading the instance
and starting the interpreter excluded) and its own memory figures; the
parent checks the document with the product's checker.

Each solver imports only what it needs, inside its function: the CP-SAT run
must not load python-mip (through the product) and the others must not load
OR-Tools, since their bundled COIN-OR libraries crash when both are loaded.
"""

from __future__ import annotations

import json
import resource
import sys
import time
import traceback
from pathlib import Path
from typing import Any

SEED = 0
THREADS = 1


def _product(path: Path, time_limit_s: float) -> tuple[dict[str, Any], dict[str, Any]]:
    from pharma_pipelines.scheduling import read_instance, solve
    from pharma_pipelines.scheduling.bench_format import solution_to_dict

    problem = read_instance(path)
    started = time.monotonic()
    schedule = solve(problem, time_limit_s=time_limit_s, threads=THREADS, seed=SEED)
    seconds = time.monotonic() - started
    return solution_to_dict(schedule), {"solve_s": seconds}


def _highs(path: Path, time_limit_s: float) -> tuple[dict[str, Any], dict[str, Any]]:
    """The product's own MIP (formulation and cuts as the product builds it) solved by HiGHS.

    It starts cold: the product hands CBC its local-search schedule and an
    objective cutoff, which HiGHS could only be given by running that search
    inside its own time limit. HiGHS's sequences are timed left-shifted, as
    the product does with CBC's, so the objective is that of the timed
    schedule (never worse than HiGHS's own value).
    """
    import mip

    from pharma_pipelines.scheduling import (
        ObjectiveComponents,
        Schedule,
        ScheduleStatus,
        read_instance,
    )
    from pharma_pipelines.scheduling.bench_format import solution_to_dict
    from pharma_pipelines.scheduling.heuristic import time_sequences
    from pharma_pipelines.scheduling.mip import solve_mip

    problem = read_instance(path)
    started = time.monotonic()
    label = f"highs ({mip.HIGHS} via python-mip {mip.__version__}, product MIP, cold start)"
    result = solve_mip(problem, time_limit_s, THREADS, SEED, solver_name=mip.HIGHS)
    extra: dict[str, Any] = {
        "solver_status": result.status,
        "solver_objective": result.objective,
        "bound": result.bound,
        "build_s": result.build_seconds,
    }
    assignments = None if result.sequences is None else time_sequences(problem, result.sequences)
    if assignments is None:
        status = "INFEASIBLE" if result.proves_infeasible(time_limit_s) else "NO_SOLUTION"
        note = f"HiGHS status {result.status}"
        if result.sequences is not None:
            note += "; its sequences could not be timed"
        extra["solve_s"] = time.monotonic() - started
        return _empty(problem.name, label, status, note), extra
    weighted, setups, makespan = _components(problem, assignments)
    weights = problem.objective
    objective = (
        weights.weighted_tardiness * weighted
        + weights.setup_time * setups
        + weights.makespan * makespan
    )
    status = ScheduleStatus.OPTIMAL if result.status == "OPTIMAL" else ScheduleStatus.FEASIBLE
    schedule = Schedule(
        status=status,
        objective=objective,
        bound=result.bound,
        components=ObjectiveComponents(
            weighted_tardiness=weighted, total_setup=setups, makespan=makespan
        ),
        solver=label,
        time_limit_s=time_limit_s,
        assignments=tuple(assignments),
        instance=problem.name,
        message=f"HiGHS status {result.status}, its objective {result.objective}",
    )
    extra["solve_s"] = time.monotonic() - started
    return solution_to_dict(schedule), extra


def _components(problem: Any, assignments: list[Any]) -> tuple[int, int, int]:
    """Weighted tardiness, total changeover and makespan of placed orders (FORMAT.md section 3)."""
    weighted = sum(
        problem.order(a.order).weight * max(0, a.end - problem.order(a.order).due)
        for a in assignments
    )
    setups = sum(a.setup_before for a in assignments)
    makespan = max((a.end for a in assignments), default=0)
    return weighted, setups, makespan


def _dispatch(path: Path, time_limit_s: float) -> tuple[dict[str, Any], dict[str, Any]]:
    """The product's constructive rules alone (ATCS, EDD, earliest completion), no search."""
    from pharma_pipelines.scheduling import Schedule, ScheduleStatus, read_instance
    from pharma_pipelines.scheduling.bench_format import solution_to_dict
    from pharma_pipelines.scheduling.heuristic import construct, time_sequences

    problem = read_instance(path)
    started = time.monotonic()
    label = "dispatch (best of the product's constructive rules, no local search)"
    found = construct(problem)
    assignments = None if found is None else time_sequences(problem, found.sequences)
    seconds = time.monotonic() - started
    if found is None or assignments is None:
        return _empty(problem.name, label, "NO_SOLUTION", "no rule found a schedule"), {
            "solve_s": seconds
        }
    schedule = Schedule(
        status=ScheduleStatus.FEASIBLE,
        objective=found.objective,
        solver=f"{label}: {found.rule}",
        time_limit_s=time_limit_s,
        assignments=tuple(assignments),
        instance=problem.name,
    )
    return solution_to_dict(schedule), {"solve_s": seconds, "rule": found.rule}


def _cpsat(path: Path, time_limit_s: float) -> tuple[dict[str, Any], dict[str, Any]]:
    from peers import cpsat_model

    document = json.loads(path.read_text(encoding="utf-8"))
    started = time.monotonic()
    solution = cpsat_model.solve(document, time_limit_s, seed=SEED)
    return solution, {"solve_s": time.monotonic() - started, "build_s": solution.get("build_s")}


def _empty(instance: str, solver: str, status: str, message: str) -> dict[str, Any]:
    return {
        "format": "pharma-sched-bench-solution/1",
        "instance": instance,
        "solver": solver,
        "status": status,
        "message": message,
        "schedule": [],
    }


SOLVERS = {"product": _product, "cpsat": _cpsat, "highs": _highs, "dispatch": _dispatch}


def _memory_kib() -> dict[str, int | None]:
    """Own peak resident set (VmHWM) and the largest of the children this process waited for."""
    peak = None
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmHWM:"):
            peak = int(line.split()[1])
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"vmhwm_kib": peak, "children_maxrss_kib": children}


def main(arguments: list[str]) -> int:
    solver, instance, limit, result = arguments
    try:
        solution, extra = SOLVERS[solver](Path(instance), float(limit))
        answer: dict[str, Any] = {"solution": solution, **extra}
    except Exception as error:
        answer = {"error": f"{type(error).__name__}: {error}", "traceback": traceback.format_exc()}
    answer.update(_memory_kib())
    partial = Path(result).with_suffix(".partial")
    partial.write_text(json.dumps(answer), encoding="utf-8")
    partial.replace(result)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
