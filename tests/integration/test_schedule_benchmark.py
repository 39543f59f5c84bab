"""benchmarks/schedule.py runs end to end on two small instances (no timing is asserted).

Only the solvers available without the ``bench`` dependency group run here
(the product and the dispatching rule); CP-SAT and HiGHS need OR-Tools and
highspy, which CI does not install.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pharma_pipelines.scheduling import check_solution_document, read_instance
from tests.conftest import BENCH, PROJECT_ROOT

BENCHMARK = PROJECT_ROOT / "benchmarks" / "schedule.py"
INSTANCES = {
    "I_6_2_S_1-9_1": BENCH / "vr" / "json" / "I_6_2_S_1-9_1.json",
    "wt_sds_12": BENCH / "wtsds" / "json" / "wt_sds_12.json",
}
SOLVERS = ("product", "dispatch")

pytestmark = pytest.mark.skipif(not BENCH.is_dir(), reason=f"bench instances not found at {BENCH}")


def _run(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCHMARK), *arguments],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=PROJECT_ROOT,
    )


@pytest.mark.slow
def test_schedule_benchmark_judges_every_schedule_and_reports_ratios(tmp_path: Path) -> None:
    rows_file = tmp_path / "rows.jsonl"
    done = _run(
        "--time-limit",
        "2",
        "--instances",
        *INSTANCES,
        "--solvers",
        *SOLVERS,
        "--out",
        str(rows_file),
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    rows = [json.loads(line) for line in rows_file.read_text(encoding="utf-8").splitlines()]
    assert sorted((row["instance"], row["solver"]) for row in rows) == sorted(
        (instance, solver) for instance in INSTANCES for solver in SOLVERS
    )
    for row in rows:
        problem = read_instance(INSTANCES[row["instance"]])
        report = check_solution_document(problem, row["solution"])
        assert row["verified"] is True, row["notes"]
        assert report.feasible, report.summary()
        assert row["objective"] == report.objective == row["solution"]["objective"]
        assert row["reference"] == problem.reference_objective()
        assert row["peak_mib"] > 0
        assert re.search(
            rf"^\S+\s+{re.escape(row['instance'])}\s+\d+\s+\d+\s+{row['solver']}\s+\S+\s+"
            rf"{row['objective']}\s+.*\byes$",
            out,
            re.MULTILINE,
        ), out

    vr = {row["solver"]: row for row in rows if row["instance"] == "I_6_2_S_1-9_1"}
    for row in vr.values():
        assert row["ratio"] == pytest.approx(row["objective"] / 74)
    assert vr["product"]["objective"] <= vr["dispatch"]["objective"]
    zero = {row["solver"]: row for row in rows if row["instance"] == "wt_sds_12"}
    assert all(row["reference"] == 0 and row["ratio"] is None for row in zero.values())

    product_geomean = re.search(r"^vr\s+product\s+(\d+\.\d{3})\s+1\s+1 / 1", out, re.MULTILINE)
    assert product_geomean is not None, out
    assert float(product_geomean.group(1)) == pytest.approx(vr["product"]["ratio"], abs=5e-4)
    assert re.search(r"^wtsds\s+dispatch\s+-\s+0\s+1 / 1\s+0\s+\d / 1$", out, re.MULTILINE), out
    verdicts = re.findall(r"^  (PASS|FAIL|n/a) ", out, re.MULTILINE)
    assert len(verdicts) == 7, out


def test_schedule_benchmark_names_an_unknown_instance() -> None:
    done = _run("--instances", "no_such_instance", "--solvers", "dispatch")
    assert done.returncode != 0
    assert "--instances no_such_instance matches no instance" in done.stderr
