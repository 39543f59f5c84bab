"""`pharma-pipelines solve` on bench-format files: exit statuses, progress, the solution file."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pharma_pipelines.cli import main
from pharma_pipelines.scheduling import (
    SchedulingProblem,
    check_solution_document,
    write_instance,
)

PlantData = Callable[..., dict[str, Any]]


def _instance(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "instance.json"
    write_instance(SchedulingProblem.model_validate(data), path)
    return path


def test_a_solved_instance_exits_0_with_a_checked_solution_file(
    tmp_path: Path, plant_data: PlantData, capsys: pytest.CaptureFixture[str]
) -> None:
    instance = _instance(tmp_path, plant_data())
    out = tmp_path / "solution.json"
    assert main(["solve", str(instance), "--time-limit", "20", "--out", str(out)]) == 0
    printed = capsys.readouterr()
    assert "small-plant: OPTIMAL objective=7 bound=7 gap=0.00%" in printed.out
    assert "checker: feasible, objective 7" in printed.out
    assert "pre-checks" in printed.err
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["format"] == "pharma-sched-bench-solution/1"
    assert document["objective"] == 7
    report = check_solution_document(SchedulingProblem.model_validate(plant_data()), document)
    assert report.feasible, report.summary()


def test_an_infeasible_instance_exits_1_and_says_why(
    tmp_path: Path, plant_data: PlantData, capsys: pytest.CaptureFixture[str]
) -> None:
    data = plant_data()
    data["orders"][2]["proc"] = {"L2": 75}
    instance = _instance(tmp_path, data)
    assert main(["solve", str(instance), "--time-limit", "5"]) == 1
    printed = capsys.readouterr().out
    assert "INFEASIBLE" in printed
    assert "order O3 fits on none of its lines even alone" in printed


def test_an_unreadable_instance_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "pharma-sched-bench/1", "orders": [', encoding="utf-8")
    assert main(["solve", str(broken)]) == 2
    assert "cannot read instance" in capsys.readouterr().err
