"""Compare the MIP formulations of the scheduling context on bench instances.

Usage::

    uv run python benchmarks/formulations.py [--time-limit 30] [--instances small medium]

For each instance and each variant it builds the model, solves it with CBC
on one thread (seed 0) in this process, and prints status, objective, bound,
gap and times. "cold" starts CBC from nothing; "warm" gives it the local-search
schedule as ``model.start`` and its objective as cutoff, which is what
``solve()`` does. The shared-arcs formulation takes no extra cuts. Results
depend on the machine, so compare variants within one run only.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from pharma_pipelines.scheduling import read_instance
from pharma_pipelines.scheduling.heuristic import time_sequences
from pharma_pipelines.scheduling.mip import Cuts, Formulation, solve_mip
from pharma_pipelines.scheduling.search import improve

BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench-instances" / "pharma"
VARIANTS = (
    ("line-arcs", Formulation.LINE_ARCS, Cuts()),
    ("line-arcs, no entry", Formulation.LINE_ARCS, Cuts(product_entry=False)),
    ("line-arcs, no cuts", Formulation.LINE_ARCS, Cuts(pred_start=False, product_entry=False)),
    ("shared-arcs", Formulation.SHARED_ARCS, Cuts()),
)
HEURISTIC_SECONDS = 5.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--instances", nargs="+", default=["small", "medium"])
    args = parser.parse_args()
    print(
        f"{'instance':<18}{'variant':<26}{'start':<6}{'status':<10}{'objective':>11}{'bound':>11}"
        f"{'gap':>8}{'build s':>9}{'solve s':>9}{'vars':>8}{'rows':>8}"
    )
    for size in args.instances:
        problem = read_instance(BENCH / f"pharma_{size}_s1.json")
        started = time.monotonic()
        heuristic = improve(problem, time_budget_s=HEURISTIC_SECONDS)
        if heuristic is None:
            raise SystemExit(f"no heuristic schedule for {problem.name}")
        warm = time_sequences(problem, heuristic.sequences)
        print(
            f"{problem.name:<18}heuristic objective {heuristic.objective} in "
            f"{time.monotonic() - started:.1f} s; reference {problem.reference_objective()}"
        )
        for label, formulation, cuts in VARIANTS:
            for start in ("cold", "warm"):
                result = solve_mip(
                    problem,
                    args.time_limit,
                    warm_start=warm if start == "warm" else None,
                    cutoff=heuristic.objective if start == "warm" else None,
                    formulation=formulation,
                    cuts=cuts,
                )
                objective = "-" if result.objective is None else f"{result.objective:.0f}"
                bound = "-" if result.bound is None else f"{result.bound:.0f}"
                gap = "-"
                if result.objective and result.bound is not None:
                    gap = f"{(result.objective - result.bound) / result.objective:.1%}"
                print(
                    f"{problem.name:<18}{label:<26}{start:<6}{result.status:<10}{objective:>11}{bound:>11}"
                    f"{gap:>8}{result.build_seconds:>9.2f}{result.solve_seconds:>9.2f}"
                    f"{result.variables:>8}{result.constraints:>8}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
