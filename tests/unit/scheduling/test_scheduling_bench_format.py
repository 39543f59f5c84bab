"""Reading and writing pharma-sched-bench/1 instances and solutions."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pharma_pipelines.scheduling import (
    BenchFormatError,
    ObjectiveComponents,
    Schedule,
    ScheduledOrder,
    ScheduleStatus,
    SchedulingProblem,
    check_schedule,
    read_instance,
    read_solution,
    write_instance,
    write_solution,
)
from pharma_pipelines.scheduling.bench_format import instance_to_dict

PlantData = Callable[..., dict[str, Any]]
REFERENCE_SOLUTIONS_CHECKED = 40
"""How many published VR solutions (the smallest files) are re-checked; all 683 take a minute."""


def _instance_files(bench: Path) -> list[Path]:
    return sorted(bench.glob("*/json/*.json")) + sorted(bench.glob("pharma/*.json"))


def test_every_shared_instance_reads(bench_dir: Path) -> None:
    files = _instance_files(bench_dir)
    assert files, f"no instance files under {bench_dir}"
    failures = []
    for path in files:
        try:
            problem = read_instance(path)
        except BenchFormatError as error:
            failures.append(str(error))
            continue
        if not problem.orders or not problem.lines:
            failures.append(f"{path}: read without orders or lines")
    assert not failures, "\n".join(failures[:5])


def test_pharma_small_reads_with_its_reference(bench_dir: Path) -> None:
    problem = read_instance(bench_dir / "pharma" / "pharma_small_s1.json")
    assert len(problem.orders) == 10
    assert [line.id for line in problem.lines] == ["L1", "L2"]
    assert problem.line("L1").downtimes == ((1980, 2460),)
    assert problem.line("L1").initial_product == "P02"
    assert problem.reference_objective() == 11025


def test_instance_file_round_trip(tmp_path: Path, plant_data: PlantData) -> None:
    problem = SchedulingProblem.model_validate(plant_data(plan_start="2026-03-02T06:00:00+00:00"))
    target = tmp_path / "plant.json"
    write_instance(problem, target)
    written = json.loads(target.read_text())
    assert written["format"] == "pharma-sched-bench/1"
    assert written["orders"][2]["deadline"] == 80
    assert "available_to" not in written["lines"][0]
    again = read_instance(target)
    assert again == problem
    assert again.content_hash() == problem.content_hash()


def test_bench_instance_round_trip(tmp_path: Path, bench_dir: Path) -> None:
    problem = read_instance(bench_dir / "pharma" / "pharma_medium_s1.json")
    write_instance(problem, tmp_path / "medium.json")
    assert read_instance(tmp_path / "medium.json").content_hash() == problem.content_hash()


def test_wrong_format_names_file_and_value(tmp_path: Path, plant: SchedulingProblem) -> None:
    document = instance_to_dict(plant) | {"format": "pharma-sched-bench/2"}
    target = tmp_path / "v2.json"
    target.write_text(json.dumps(document))
    with pytest.raises(BenchFormatError, match=r"v2\.json: format is 'pharma-sched-bench/2'"):
        read_instance(target)


def test_unknown_keys_are_rejected_not_dropped(tmp_path: Path, plant: SchedulingProblem) -> None:
    document = instance_to_dict(plant)
    document["orders"][0]["predecessors"] = ["O2"]
    target = tmp_path / "extra.json"
    target.write_text(json.dumps(document))
    with pytest.raises(BenchFormatError, match="predecessors"):
        read_instance(target)


def test_invalid_instance_reports_the_rule(tmp_path: Path, plant: SchedulingProblem) -> None:
    document = instance_to_dict(plant)
    document["orders"][0]["product"] = "P99"
    target = tmp_path / "bad.json"
    target.write_text(json.dumps(document))
    with pytest.raises(BenchFormatError, match="order O1 names unknown product P99"):
        read_instance(target)


def _schedule(status: ScheduleStatus = ScheduleStatus.FEASIBLE) -> Schedule:
    placed = (
        ScheduledOrder(order="O1", line="L1", start=2, end=12, setup_before=2),
        ScheduledOrder(order="O2", line="L1", start=16, end=24, setup_before=4),
        ScheduledOrder(order="O3", line="L2", start=11, end=21, setup_before=1),
    )
    return Schedule(
        status=status,
        objective=7,
        bound=5.0,
        gap=2 / 7,
        components=ObjectiveComponents(weighted_tardiness=0, total_setup=7, makespan=24),
        solve_seconds=1.5,
        time_limit_s=10,
        threads=1,
        seed=3,
        solver="test",
        assignments=placed,
        message="hand-made",
        instance="small-plant",
        problem_hash="abc",
    )


def test_solution_round_trip(tmp_path: Path, plant: SchedulingProblem) -> None:
    schedule = _schedule()
    target = tmp_path / "solution.json"
    write_solution(schedule, target)
    written = json.loads(target.read_text())
    assert written["format"] == "pharma-sched-bench-solution/1"
    assert [block["line"] for block in written["schedule"]] == ["L1", "L2"]
    assert written["wall_time_s"] == 1.5
    again = read_solution(target)
    assert again == schedule
    assert check_schedule(plant, again).feasible


def test_no_solution_status_uses_the_file_word(tmp_path: Path) -> None:
    schedule = Schedule(status=ScheduleStatus.NO_SOLUTION_FOUND, message="time limit")
    write_solution(schedule, tmp_path / "none.json")
    assert json.loads((tmp_path / "none.json").read_text())["status"] == "NO_SOLUTION"
    assert read_solution(tmp_path / "none.json").status is ScheduleStatus.NO_SOLUTION_FOUND


def test_missing_setup_before_is_derived_from_the_problem(
    tmp_path: Path, plant: SchedulingProblem
) -> None:
    document = json.loads(
        json.dumps(
            {
                "format": "pharma-sched-bench-solution/1",
                "status": "FEASIBLE",
                "objective": 7,
                "schedule": [
                    {
                        "line": "L1",
                        "orders": [
                            {"order": "O1", "start": 2, "end": 12},
                            {"order": "O2", "start": 16, "end": 24},
                        ],
                    }
                ],
            }
        )
    )
    target = tmp_path / "partial.json"
    target.write_text(json.dumps(document))
    with pytest.raises(BenchFormatError, match="has no setup_before; pass the problem"):
        read_solution(target)
    schedule = read_solution(target, problem=plant)
    assert [a.setup_before for a in schedule.assignments] == [2, 4]


def test_foreign_status_is_kept_in_the_message(tmp_path: Path) -> None:
    target = tmp_path / "big.json"
    target.write_text(
        json.dumps(
            {
                "format": "pharma-sched-bench-solution/1",
                "status": "MODEL_TOO_LARGE",
                "objective": None,
                "schedule": [],
            }
        )
    )
    schedule = read_solution(target)
    assert schedule.status is ScheduleStatus.NO_SOLUTION_FOUND
    assert "MODEL_TOO_LARGE" in schedule.message


def test_published_reference_solutions_check_out(bench_dir: Path) -> None:
    solutions = sorted((bench_dir / "vr" / "refsol").glob("*.json"), key=lambda p: p.stat().st_size)
    solutions = solutions[:REFERENCE_SOLUTIONS_CHECKED]
    assert solutions
    for path in solutions:
        problem = read_instance(bench_dir / "vr" / "json" / path.name)
        report = check_schedule(problem, read_solution(path))
        assert report.feasible, f"{path.name}: {report.summary()}"
        assert report.objective == problem.reference_objective(), path.name
