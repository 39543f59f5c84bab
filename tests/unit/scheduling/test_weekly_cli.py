"""``pharma-pipelines solve`` on weekly files: recognised by content, printed, written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pharma_pipelines.cli import main
from tests.unit.scheduling.weekly_support import case_judge, plant


def test_solve_recognises_a_weekly_file_and_writes_the_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    instance = tmp_path / "plant.json"
    instance.write_text(json.dumps(plant()), encoding="utf-8")
    out = tmp_path / "plan.json"
    assert main(["solve", str(instance), "--time-limit", "20", "--out", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("hand-made: OPTIMAL objective=250 bound=250 gap=0.00% time=")
    assert "evaluator: feasible, cost 250" in printed
    assert "  L1 W1: P1" in printed
    assert "  L2 W1: P3" in printed
    assert f"solution written to {out}" in printed
    solution = json.loads(out.read_text(encoding="utf-8"))
    assert solution["status"] == "OPTIMAL"
    assert solution["objective"] == 250
    assert solution["bound"] == 250
    assert solution["gap"] == 0
    assert set(solution["assignment"]) == {"P1", "P2", "P3"}
    assert all(len(slot) == 2 for slot in solution["assignment"].values())
    assert solution["message"].startswith("CBC status OPTIMAL")


def test_solve_of_an_infeasible_weekly_file_explains_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cases_dir: Path
) -> None:
    instance = tmp_path / "br19.json"
    shutil.copyfile(cases_dir / "BR-19" / "instance.json", instance)
    out = tmp_path / "plan.json"
    assert main(["solve", str(instance), "--time-limit", "10", "-o", str(out)]) == 1
    printed = capsys.readouterr().out
    assert "INFEASIBLE objective=none bound=no bound gap=none" in printed
    assert "line L1 in W10 has 40 h; orders O1, O2, O3 may only run on L1 in W10" in printed
    solution = json.loads(out.read_text(encoding="utf-8"))
    assert solution["status"] == "INFEASIBLE"
    assert solution["assignment"] == {}
    assert solution["objective"] is None
    assert "need 50 h" in solution["message"]


def test_solve_short_limit_writes_a_plan_the_case_checker_accepts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cases_dir: Path
) -> None:
    instance = tmp_path / "br18.json"
    shutil.copyfile(cases_dir / "BR-18" / "instance.json", instance)
    out = tmp_path / "plan.json"
    assert main(["solve", str(instance), "--time-limit", "0.05", "-o", str(out)]) == 0
    assert "FEASIBLE" in capsys.readouterr().out
    solution = json.loads(out.read_text(encoding="utf-8"))
    assert solution["status"] == "FEASIBLE"
    assert solution["gap"] is None
    assert solution["gap_text"] == "no bound"
    document = json.loads(instance.read_text(encoding="utf-8"))
    feasible, cost, violations = case_judge(cases_dir, "BR-18").evaluate(
        document, solution["assignment"]
    )
    assert feasible, violations
    assert cost == solution["objective"]


def test_solve_reports_a_bad_weekly_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = plant()
    document["orders"][0]["family"] = "PWD"
    instance = tmp_path / "bad.json"
    instance.write_text(json.dumps(document), encoding="utf-8")
    assert main(["solve", str(instance)]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"cannot read instance {instance}: {instance}: not a valid weekly")
    assert "order P1 names family 'PWD'" in error


def test_solve_leaves_other_files_to_the_bench_reader(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    instance = tmp_path / "other.json"
    instance.write_text(json.dumps({"format": "something/9"}), encoding="utf-8")
    assert main(["solve", str(instance)]) == 2
    assert "expected 'pharma-sched-bench/1'" in capsys.readouterr().err
