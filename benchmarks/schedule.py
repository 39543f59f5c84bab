"""Run the product's scheduler against peer solvers on the bench instances, in one run.

Usage::

    uv run --group bench python benchmarks/schedule.py [--time-limit 30] [--jobs 1]
        [--sets pharma vr wtsds] [--instances NAME_OR_GLOB ...] [--all]
        [--solvers product cpsat highs dispatch] [--out rows.jsonl]

The ``bench`` dependency group brings OR-Tools and highspy; it is not installed by
default. Without it only ``--solvers product dispatch`` run.

Solvers, each in a fresh ``python`` process per instance (OR-Tools and python-mip
crash when loaded together), at the same time limit, one thread and seed 0:

- *product*: ``pharma_pipelines.scheduling.solve`` (heuristic, then CBC in its own
  child process, with the heuristic as warm start);
- *cpsat*: our own CP-SAT model of FORMAT.md (``peers/cpsat_model.py``), cold, with
  CP-SAT's default parameters on one worker; building the model counts against the limit;
- *highs*: the product's MIP (``mip.build``, same formulation and cuts) solved by
  HiGHS through python-mip, cold: the product's warm start is the output of its
  own local search, which HiGHS could only get by running that search inside its
  limit, so it gets none and no cutoff either;
- *dispatch*: the product's constructive rules (ATCS, EDD, earliest completion)
  without local search.

A child is killed (with its own children) at the limit plus :data:`GRACE_S` seconds.
"time s" is the solve as measured inside the child (instance read and interpreter
start excluded), "wall s" the whole child process. "peak MiB" is the largest of:
the summed resident memory of the child and its descendants, polled every
:data:`POLL_S` s; the child's own VmHWM; and the largest ru_maxrss of the children
the child waited for (the product's CBC process).

Every schedule goes through the product's checker (``check_solution_document``),
which also recomputes the objective and rejects a solution that reports another;
a schedule that fails counts as no schedule and is flagged in the "ok" column
("no"; "-" means no schedule was returned). The reference value and its kind come
from ``source.reference`` of each instance; ratio = objective / reference.

Default selection (49 instances, roughly an hour at 30 s with ``--jobs 1``):

- pharma: all four generated instances (10, 50, 200 and 500 orders);
- vr: 13 small instances (n 6 to 12, m 2 to 5, every setup range, various
  replicates), 12 stored large ones at n = 50 and 100 (every m, setup ranges
  rotating) and the three biggest stored (150, 200 and 250 jobs);
- wtsds: 17 of the 120, at least one of every group of ten, four of them with
  optimum 0.

``--all`` runs every stored instance of the chosen sets (807 for all three);
``--instances`` picks by name or glob (``'I_12_*'``, ``wt_sds_1``) within ``--sets``.
``--jobs N`` runs N children at once; the machine has two cores, so anything
above 1 makes the times less comparable. The run ends with the geometric mean
ratio per set and solver and the targets of the issue, each PASS or FAIL with
its numbers. Compare solvers within one run only: times depend on the machine.
"""

from __future__ import annotations

import argparse
import fnmatch
import importlib.util
import json
import math
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pharma_pipelines.scheduling import SchedulingProblem, check_solution_document, read_instance
from pharma_pipelines.scheduling.child_process import child_environment
from pharma_pipelines.scheduling.solver import DEFAULT_GRACE_S

BENCHMARKS = Path(__file__).resolve().parent
BENCH = BENCHMARKS.parents[1] / "shared" / "bench-instances"
SET_FOLDERS = {"pharma": "pharma", "vr": "vr/json", "wtsds": "wtsds/json"}
SET_NAMES = {"pharma": "generated pharma-like", "vr": "Vallada-Ruiz", "wtsds": "Cicirello WTSDS"}
SOLVERS = ("product", "cpsat", "highs", "dispatch")
PEERS = ("cpsat", "highs", "dispatch")
NEEDS_BENCH_GROUP = {"cpsat": "ortools", "highs": "highspy"}
SOLVER_NOTES = {
    "product": "solve(): dispatching rules, iterated greedy search, CBC asked for better plans",
    "cpsat": "own model, cold, default parameters, one worker",
    "highs": "the product's MIP, cold (no warm start, no cutoff)",
    "dispatch": "constructive rules only",
}

GRACE_S = 5.0
"""Seconds past the time limit after which a child process and its descendants are killed."""

POLL_S = 0.1
"""How often the resident memory of a running child's process tree is sampled."""

SMALL_ORDERS = 12
"""Instances with at most this many orders must be proved optimal (target 1)."""

DISPATCH_FROM_ORDERS = 50
DISPATCH_FACTOR = 0.9
"""From this many orders the product must reach this fraction of the dispatching rule."""

LARGE_ORDERS = 500
MEMORY_LIMIT_MIB = 4096.0

GEOMEAN_TARGET = 1.10
GEOMEAN_SETS = ("vr", "wtsds")

DEFAULT_SELECTION: dict[str, tuple[str, ...]] = {
    "pharma": ("pharma_small_s1", "pharma_medium_s1", "pharma_large_s1", "pharma_xlarge_s1"),
    "vr": (
        "I_6_2_S_1-9_1",
        "I_6_3_S_1-49_2",
        "I_6_5_S_1-124_3",
        "I_8_2_S_1-99_4",
        "I_8_4_S_1-9_5",
        "I_8_5_S_1-49_6",
        "I_10_2_S_1-124_7",
        "I_10_3_S_1-99_8",
        "I_10_4_S_1-49_9",
        "I_12_2_S_1-49_10",
        "I_12_3_S_1-124_1",
        "I_12_4_S_1-9_3",
        "I_12_5_S_1-99_2",
        "I_50_10_S_1-9_1",
        "I_50_10_S_1-99_1",
        "I_50_15_S_1-49_1",
        "I_50_20_S_1-99_1",
        "I_50_25_S_1-124_1",
        "I_50_30_S_1-9_1",
        "I_100_10_S_1-49_1",
        "I_100_10_S_1-9_1",
        "I_100_15_S_1-99_1",
        "I_100_20_S_1-124_1",
        "I_100_25_S_1-9_1",
        "I_100_30_S_1-49_1",
        "I_150_15_S_1-99_1",
        "I_200_20_S_1-49_1",
        "I_250_10_S_1-9_1",
    ),
    "wtsds": tuple(
        f"wt_sds_{i}" for i in (1, 5, 11, 12, 21, 24, 31, 36, 41, 47, 51, 61, 71, 81, 91, 101, 111)
    ),
}


@dataclass(frozen=True)
class Case:
    """One instance as the benchmark needs it."""

    set: str
    path: Path
    problem: SchedulingProblem

    @property
    def name(self) -> str:
        return self.problem.name

    @property
    def orders(self) -> int:
        return len(self.problem.orders)

    @property
    def lines(self) -> int:
        return len(self.problem.lines)

    @property
    def reference(self) -> float | None:
        return self.problem.reference_objective()

    @property
    def reference_kind(self) -> str:
        reference = self.problem.source.get("reference")
        kind = reference.get("kind") if isinstance(reference, dict) else None
        return str(kind) if kind else "-"


@dataclass
class Row:
    """One solver on one instance, judged by the product's checker."""

    set: str
    instance: str
    orders: int
    lines: int
    solver: str
    status: str
    objective: int | None
    reference: float | None
    reference_kind: str
    ratio: float | None
    solve_s: float | None
    wall_s: float
    peak_mib: float | None
    verified: bool | None
    """True: checker accepted; False: a schedule was returned and rejected; None: no schedule."""
    notes: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    solution: dict[str, Any] | None = None

    @property
    def has_schedule(self) -> bool:
        return self.verified is True and self.objective is not None


def _instance_files(sets: Sequence[str]) -> dict[str, list[Path]]:
    if not BENCH.is_dir():
        raise SystemExit(
            f"bench instances not found at {BENCH}; this benchmark reads the project's shared "
            "folder next to the clone (../shared/bench-instances)"
        )
    files: dict[str, list[Path]] = {}
    for name in sets:
        folder = BENCH / SET_FOLDERS[name]
        found = sorted(folder.glob("*.json"))
        if not found:
            raise SystemExit(f"no instance files (*.json) in {folder} for set {name}")
        files[name] = found
    return files


def select(sets: Sequence[str], patterns: Sequence[str] | None, every: bool) -> list[Case]:
    """The instances to run, in set order and, within a set, in selection order."""
    files = _instance_files(sets)
    chosen: list[tuple[str, Path]] = []
    if patterns:
        unmatched = [
            pattern
            for pattern in patterns
            if not any(fnmatch.fnmatch(p.stem, pattern) for paths in files.values() for p in paths)
        ]
        if unmatched:
            raise SystemExit(
                f"--instances {' '.join(unmatched)} matches no instance in the sets "
                f"{', '.join(sets)}; give names like pharma_small_s1, I_6_2_S_1-9_1, wt_sds_1 "
                "or globs like 'I_12_*'"
            )
        chosen = [
            (name, path)
            for name, paths in files.items()
            for path in paths
            if any(fnmatch.fnmatch(path.stem, pattern) for pattern in patterns)
        ]
    elif every:
        chosen = [(name, path) for name, paths in files.items() for path in paths]
    else:
        for name in sets:
            stored = {path.stem: path for path in files[name]}
            missing = [stem for stem in DEFAULT_SELECTION[name] if stem not in stored]
            if missing:
                raise SystemExit(
                    f"default instances {', '.join(missing)} are missing from "
                    f"{BENCH / SET_FOLDERS[name]}; pick others with --instances or use --all"
                )
            chosen.extend((name, stored[stem]) for stem in DEFAULT_SELECTION[name])
    cases = [Case(name, path, read_instance(path)) for name, path in chosen]
    if patterns or every:
        # File names sort I_100 before I_12; by size the table reads from easy to hard.
        order = list(SET_FOLDERS)
        cases.sort(
            key=lambda case: (order.index(case.set), case.orders, case.lines, _natural(case.name))
        )
    return cases


def _natural(name: str) -> tuple[str | int, ...]:
    """Sort key that puts replicate 2 before replicate 10."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name))


def _tree_rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants (0 for those already gone)."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text(encoding="ascii")
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(child) for child in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def _child_command(solver: str, case: Case, time_limit_s: float, result: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "peers.child",
        solver,
        str(case.path),
        repr(time_limit_s),
        str(result),
    ]


def run_child(solver: str, case: Case, time_limit_s: float) -> tuple[dict[str, Any], float, int]:
    """Run one solver on one instance; returns its answer, wall seconds and sampled peak KiB."""
    environment = child_environment()
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(BENCHMARKS), *filter(None, [environment.get("PYTHONPATH")])]
    )
    with tempfile.TemporaryDirectory(prefix="schedule-bench-") as folder:
        result = Path(folder, "result.json")
        errors = Path(folder, "stderr.txt")
        with errors.open("wb") as stderr:
            started = time.monotonic()
            # A session of its own, so a kill also reaches the product's CBC process.
            process = subprocess.Popen(
                _child_command(solver, case, time_limit_s, result),
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                env=environment,
                start_new_session=True,
            )
            deadline = started + time_limit_s + GRACE_S
            peak, killed = 0, False
            while True:
                peak = max(peak, _tree_rss_kib(process.pid))
                try:
                    process.wait(timeout=POLL_S)
                    break
                except subprocess.TimeoutExpired:
                    if time.monotonic() > deadline:
                        os.killpg(process.pid, signal.SIGKILL)
                        process.wait()
                        killed = True
                        break
            wall = time.monotonic() - started
        if killed:
            answer: dict[str, Any] = {
                "error": f"killed at the limit plus {GRACE_S:g} s grace ({wall:.1f} s)",
                "killed": True,
            }
        elif result.exists():
            answer = json.loads(result.read_text(encoding="utf-8"))
        else:
            tail = errors.read_text(encoding="utf-8", errors="replace").strip()[-600:]
            answer = {"error": f"child exited with code {process.returncode}: {tail}"}
    return answer, wall, peak


def judge(case: Case, solver: str, answer: dict[str, Any], wall: float, peak_kib: int) -> Row:
    """Check the returned schedule with the product's checker and fill in one row."""
    solution = answer.get("solution")
    memory = [peak_kib, answer.get("vmhwm_kib") or 0, answer.get("children_maxrss_kib") or 0]
    row = Row(
        set=case.set,
        instance=case.name,
        orders=case.orders,
        lines=case.lines,
        solver=solver,
        status="ERROR",
        objective=None,
        reference=case.reference,
        reference_kind=case.reference_kind,
        ratio=None,
        solve_s=answer.get("solve_s"),
        wall_s=wall,
        peak_mib=max(memory) / 1024 if any(memory) else None,
        verified=None,
        details={
            key: value
            for key, value in answer.items()
            if key not in ("solution", "traceback") and value is not None
        },
        solution=solution,
    )
    if solution is None:
        row.status = "KILLED" if answer.get("killed") else "ERROR"
        row.notes.append(str(answer.get("error", "no answer")))
        return row
    row.status = str(solution.get("status", "?"))
    if not solution.get("schedule"):
        if row.status in ("OPTIMAL", "FEASIBLE"):
            row.notes.append(f"status {row.status} without a schedule")
        return row
    report = check_solution_document(case.problem, solution)
    row.verified = report.feasible
    if not report.feasible:
        row.notes.append(f"checker rejected the schedule: {report.summary(3)}")
        return row
    row.objective = report.objective
    reference = case.reference
    if row.objective is not None and reference is not None and reference > 0:
        row.ratio = row.objective / reference
    proved = row.status == "OPTIMAL" and row.objective is not None
    if proved and reference is not None and row.objective is not None and row.objective > reference:
        row.notes.append(
            f"false proof: claims OPTIMAL at {row.objective}, but a schedule of "
            f"{reference:g} is published"
        )
    if row.objective is not None and reference is not None and case.reference_kind == "optimal":
        if row.status == "OPTIMAL" and row.objective < reference:
            row.notes.append(
                f"claims OPTIMAL at {row.objective}; the proven optimum is {reference:g}"
            )
        if row.objective < reference:
            row.notes.append(f"below the published optimum {reference:g}: check the reference")
    return row


COLUMNS = (
    ("set", 7, "<"),
    ("instance", 19, "<"),
    ("n", 4, ">"),
    ("m", 3, ">"),
    ("solver", 9, "<"),
    ("status", 15, "<"),
    ("objective", 11, ">"),
    ("reference", 11, ">"),
    ("ratio", 7, ">"),
    ("time s", 7, ">"),
    ("wall s", 7, ">"),
    ("peak MiB", 9, ">"),
    ("ok", 4, ">"),
)


def _line(values: Iterable[str]) -> str:
    cells = [
        f"{value:{align}{width}}" for value, (_, width, align) in zip(values, COLUMNS, strict=True)
    ]
    return " ".join(cells)


def _number(value: float | None, digits: int | None = None) -> str:
    """A cell: '-' for no value, fixed decimals when asked, whole numbers exactly."""
    if value is None:
        return "-"
    if digits is not None:
        return f"{value:.{digits}f}"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def format_row(row: Row) -> str:
    ok = "-" if row.verified is None else ("yes" if row.verified else "NO")
    return _line(
        [
            row.set,
            row.instance,
            str(row.orders),
            str(row.lines),
            row.solver,
            row.status,
            _number(row.objective),
            _number(row.reference),
            _number(row.ratio, 3),
            _number(row.solve_s, 1),
            f"{row.wall_s:.1f}",
            _number(row.peak_mib, 0),
            ok,
        ]
    )


def geomean(values: Sequence[float]) -> float | None:
    if not values:
        return None
    if any(value <= 0 for value in values):
        return 0.0
    return math.exp(sum(math.log(value) for value in values) / len(values))


def _groups(rows: Sequence[Row]) -> list[tuple[str, list[Row]]]:
    """Rows per set, and for Vallada-Ruiz also split by size, since mixing hides the hard half."""
    groups: list[tuple[str, list[Row]]] = []
    for name in SET_FOLDERS:
        members = [row for row in rows if row.set == name]
        if not members:
            continue
        groups.append((name, members))
        if name == "vr":
            small = [row for row in members if row.orders <= SMALL_ORDERS]
            large = [row for row in members if row.orders > SMALL_ORDERS]
            if small and large:
                groups.append((f"vr n<={SMALL_ORDERS}", small))
                groups.append((f"vr n>{SMALL_ORDERS}", large))
    return groups


def summary(rows: Sequence[Row], solvers: Sequence[str]) -> list[str]:
    out = [
        f"{'set':<13}{'solver':<10}{'geomean':>8}{'over':>6}{'schedules':>11}"
        f"{'optimal':>9}{'ref 0 reached':>15}"
    ]
    for label, members in _groups(rows):
        for solver in solvers:
            mine = [row for row in members if row.solver == solver]
            if not mine:
                continue
            ratios = [row.ratio for row in mine if row.ratio is not None and row.has_schedule]
            zero = [row for row in mine if row.reference == 0]
            reached = sum(1 for row in zero if row.has_schedule and row.objective == 0)
            value = geomean(ratios)
            out.append(
                f"{label:<13}{solver:<10}{_number(value, 3):>8}{len(ratios):>6}"
                f"{sum(row.has_schedule for row in mine):>5} / {len(mine):<3}"
                f"{sum(row.status == 'OPTIMAL' and row.has_schedule for row in mine):>9}"
                f"{(f'{reached} / {len(zero)}' if zero else '-'):>15}"
            )
    return out


@dataclass(frozen=True)
class Verdict:
    target: str
    outcome: str
    detail: str
    failures: tuple[str, ...] = ()


def _listing(failures: Sequence[str], limit: int = 8) -> tuple[str, ...]:
    shown = tuple(failures[:limit])
    return shown + ((f"... and {len(failures) - limit} more",) if len(failures) > limit else ())


def _by_instance(rows: Sequence[Row]) -> dict[tuple[str, str], dict[str, Row]]:
    table: dict[tuple[str, str], dict[str, Row]] = {}
    for row in rows:
        table.setdefault((row.set, row.instance), {})[row.solver] = row
    return table


def target_small_optimal(rows: Sequence[Row]) -> Verdict:
    name = f"every instance of {SMALL_ORDERS} orders or fewer proved OPTIMAL by the product"
    small = [r for r in rows if r.solver == "product" and r.orders <= SMALL_ORDERS]
    if not small:
        return Verdict(name, "n/a", "no such instance in this run")
    failing = [
        f"{r.instance}: {r.status} {_number(r.objective)}"
        for r in small
        if not (r.status == "OPTIMAL" and r.has_schedule)
    ]
    outcome = "FAIL" if failing else "PASS"
    return Verdict(name, outcome, f"{len(small) - len(failing)} of {len(small)}", _listing(failing))


def target_proofs_hold(rows: Sequence[Row]) -> Verdict:
    """No solver may call a schedule optimal when a better one is published."""
    name = "no solver claims OPTIMAL above a published schedule"
    claims = [r for r in rows if r.status == "OPTIMAL" and r.has_schedule]
    if not claims:
        return Verdict(name, "n/a", "no OPTIMAL claim in this run")
    false = [
        f"{r.instance} {r.solver}: OPTIMAL {_number(r.objective)}, published {r.reference:g}"
        for r in claims
        if r.objective is not None and r.reference is not None and r.objective > r.reference
    ]
    outcome = "FAIL" if false else "PASS"
    return Verdict(
        name, outcome, f"{len(claims) - len(false)} of {len(claims)} claims hold", _listing(false)
    )


def target_best_peer(rows: Sequence[Row], solvers: Sequence[str]) -> Verdict:
    peers = [solver for solver in PEERS if solver in solvers]
    name = f"product at least as good as the best peer ({', '.join(peers) or 'none'}) everywhere"
    if "product" not in solvers or not peers:
        return Verdict(name, "n/a", "needs the product and at least one peer in the run")
    failing: list[str] = []
    compared = 0
    for (_, instance), by_solver in _by_instance(rows).items():
        product = by_solver.get("product")
        scored = [by_solver[p] for p in peers if p in by_solver and by_solver[p].has_schedule]
        if product is None or not scored:
            continue
        compared += 1
        best = min(scored, key=lambda r: r.objective or 0)
        if not product.has_schedule:
            failing.append(f"{instance}: no product schedule, {best.solver} {best.objective}")
        elif (product.objective or 0) > (best.objective or 0):
            failing.append(
                f"{instance}: product {product.objective} > {best.solver} {best.objective}"
            )
    detail = f"{compared - len(failing)} of {compared} instances with a peer schedule"
    return Verdict(name, "FAIL" if failing else "PASS", detail, _listing(failing))


def target_dispatch(rows: Sequence[Row], solvers: Sequence[str]) -> Verdict:
    share = round((1 - DISPATCH_FACTOR) * 100)
    name = f"product at least {share} % better than dispatch from {DISPATCH_FROM_ORDERS} orders up"
    if "product" not in solvers or "dispatch" not in solvers:
        return Verdict(name, "n/a", "needs product and dispatch in the run")
    failing: list[str] = []
    compared = 0
    for (_, instance), by_solver in _by_instance(rows).items():
        product, dispatch = by_solver.get("product"), by_solver.get("dispatch")
        if product is None or dispatch is None or product.orders < DISPATCH_FROM_ORDERS:
            continue
        compared += 1
        if not product.has_schedule:
            failing.append(f"{instance}: no product schedule")
        elif dispatch.has_schedule and (product.objective or 0) > DISPATCH_FACTOR * (
            dispatch.objective or 0
        ):
            ratio = (product.objective or 0) / dispatch.objective if dispatch.objective else None
            line = (
                f"{instance}: product {product.objective} vs dispatch {dispatch.objective} "
                f"(ratio {_number(ratio, 3)})"
            )
            optimum = product.reference if product.reference_kind == "optimal" else None
            if (
                optimum is not None
                and dispatch.objective
                and optimum > (DISPATCH_FACTOR * dispatch.objective)
            ):
                # Said, not excused: the row still fails, but the reader sees why.
                line += (
                    f"; the proven optimum {optimum:g} is itself "
                    f"{optimum / dispatch.objective:.3f} of dispatch"
                )
            failing.append(line)
    if not compared:
        return Verdict(name, "n/a", f"no instance of {DISPATCH_FROM_ORDERS} orders or more")
    detail = f"{compared - len(failing)} of {compared}"
    return Verdict(name, "FAIL" if failing else "PASS", detail, _listing(failing))


def target_large(rows: Sequence[Row], time_limit_s: float) -> Verdict:
    allowed = time_limit_s + DEFAULT_GRACE_S
    name = (
        f"valid product schedule for the {LARGE_ORDERS}-order instance within "
        f"{allowed:g} s (limit + the product's grace) and {MEMORY_LIMIT_MIB:g} MiB"
    )
    large = [r for r in rows if r.solver == "product" and r.orders >= LARGE_ORDERS]
    if not large:
        return Verdict(name, "n/a", f"no instance of {LARGE_ORDERS} orders in this run")
    failing, details = [], []
    for row in large:
        seconds = row.solve_s if row.solve_s is not None else row.wall_s
        details.append(
            f"{row.instance}: {row.status}, checked {row.verified}, {seconds:.1f} s "
            f"(process {row.wall_s:.1f} s), {_number(row.peak_mib, 0)} MiB"
        )
        within = seconds <= allowed and (row.peak_mib or 0) < MEMORY_LIMIT_MIB
        if not (row.has_schedule and within):
            failing.append(row.instance)
    return Verdict(name, "FAIL" if failing else "PASS", "; ".join(details))


def target_geomean(rows: Sequence[Row], name: str) -> Verdict:
    label = f"product geomean ratio <= {GEOMEAN_TARGET:.2f} on {SET_NAMES[name]}"
    mine = [r for r in rows if r.solver == "product" and r.set == name]
    if not mine:
        return Verdict(label, "n/a", "set not in this run")
    ratios = [r.ratio for r in mine if r.ratio is not None and r.has_schedule]
    value = geomean(ratios)
    without = [r.instance for r in mine if not r.has_schedule]
    if value is None and not without:
        return Verdict(label, "n/a", "no instance with reference > 0 in this run")
    detail = f"{_number(value, 3)} over {len(ratios)} instances with reference > 0"
    if without:
        detail += f"; {len(without)} of {len(mine)} runs without a verified schedule"
    passed = value is not None and value <= GEOMEAN_TARGET and not without
    return Verdict(label, "PASS" if passed else "FAIL", detail, _listing(without))


def targets(rows: Sequence[Row], solvers: Sequence[str], time_limit_s: float) -> list[Verdict]:
    return [
        target_proofs_hold(rows),
        target_small_optimal(rows),
        target_best_peer(rows, solvers),
        target_dispatch(rows, solvers),
        target_large(rows, time_limit_s),
        *(target_geomean(rows, name) for name in GEOMEAN_SETS),
    ]


def _check_solvers(solvers: Sequence[str]) -> None:
    missing = [
        f"{solver} (needs {package})"
        for solver, package in NEEDS_BENCH_GROUP.items()
        if solver in solvers and importlib.util.find_spec(package) is None
    ]
    if missing:
        raise SystemExit(
            f"solvers {', '.join(missing)} are not installed; run with "
            "'uv run --group bench python benchmarks/schedule.py' or pick "
            "--solvers product dispatch"
        )


def _header(args: argparse.Namespace, cases: Sequence[Case]) -> list[str]:
    counts = ", ".join(
        f"{name} {sum(case.set == name for case in cases)}"
        for name in SET_FOLDERS
        if any(case.set == name for case in cases)
    )
    return [
        f"schedule benchmark: {len(cases)} instances ({counts}), solvers {', '.join(args.solvers)}",
        f"time limit {args.time_limit:g} s, one thread, seed 0, kill at limit + {GRACE_S:g} s, "
        f"{args.jobs} child process(es) at once on {os.cpu_count()} cores",
        "; ".join(f"{solver}: {SOLVER_NOTES[solver]}" for solver in args.solvers),
        "ok: yes = the product's checker accepted the schedule and its objective, "
        "NO = rejected, - = no schedule",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=30.0, help="seconds per solve")
    parser.add_argument("--sets", nargs="+", choices=list(SET_FOLDERS), default=list(SET_FOLDERS))
    parser.add_argument("--instances", nargs="+", metavar="NAME", help="names or globs")
    parser.add_argument("--all", action="store_true", help="every stored instance of the sets")
    parser.add_argument("--solvers", nargs="+", choices=SOLVERS, default=list(SOLVERS))
    parser.add_argument("--jobs", type=int, default=1, help="child processes at once")
    parser.add_argument("--out", type=Path, help="write every row as a JSON line to this file")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs is {args.jobs}; it must be at least 1")
    if args.time_limit <= 0:
        parser.error(f"--time-limit is {args.time_limit:g}; it must be positive")
    _check_solvers(args.solvers)
    cases = select(args.sets, args.instances, args.all)
    for text in _header(args, cases):
        print(text)
    print()
    print(_line(title for title, _, _ in COLUMNS), flush=True)

    tasks = [(case, solver) for case in cases for solver in args.solvers]
    rows: list[Row] = []
    lock = threading.Lock()
    out = args.out.open("w", encoding="utf-8") if args.out else None

    def work(case: Case, solver: str) -> None:
        answer, wall, peak = run_child(solver, case, args.time_limit)
        row = judge(case, solver, answer, wall, peak)
        with lock:
            rows.append(row)
            print(format_row(row), flush=True)
            for note in row.notes:
                print(f"{'':>8}! {row.instance} {row.solver}: {note}", flush=True)
            if out is not None:
                out.write(json.dumps(asdict(row) | {"time_limit_s": args.time_limit}) + "\n")
                out.flush()

    try:
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            for future in [pool.submit(work, case, solver) for case, solver in tasks]:
                future.result()
    finally:
        if out is not None:
            out.close()

    print()
    print("per set and solver: geometric mean of objective / reference over the verified")
    print("schedules with reference > 0 ('over' of them), schedules / runs, proved optimal,")
    print("and for reference 0 how many reached 0")
    for text in summary(rows, args.solvers):
        print(text)
    print()
    print(f"targets (time limit {args.time_limit:g} s, one thread)")
    verdicts = targets(rows, args.solvers, args.time_limit)
    for verdict in verdicts:
        print(f"  {verdict.outcome:<5}{verdict.target}: {verdict.detail}")
        for failure in verdict.failures:
            print(f"{'':>9}{failure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
