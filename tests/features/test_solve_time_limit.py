"""Scenarios of solve_time_limit.feature."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from pytest_bdd import given, parsers, scenarios, then, when

from pharma_pipelines.resources import WarehouseResource
from pharma_pipelines.scheduling import SchedulingProblem
from pharma_pipelines.scheduling.bench_format import write_instance
from pharma_pipelines.scheduling.solver import DEFAULT_GRACE_S
from tests.features.support import CommandResult, run_command
from tests.plant_runs import PlantRun

scenarios("solve_time_limit.feature")

CHECKING_S = 1.0
"""Allowance after the child is stopped (at the limit plus the grace): the parent checks the
plan it kept before it reports."""
START_UP_S = 8.0
"""Allowance for starting the solve's child process and loading the compiled search on a
shared machine; the solve's own clock (the reported time) has none."""


@then(parsers.parse('the schedule of plant "{plant_key}" reports the time limit it ran under'))
def _reports_limit(plant: PlantRun, plant_key: str) -> None:
    schedule = plant.summary.schedules[plant_key]
    assert schedule["time_limit_s"] == plant.settings.solver_time_limit_s


@then("its solve took no longer than the limit plus the grace and a second to check the plan")
def _within_limit(plant: PlantRun) -> None:
    schedule = plant.summary.schedules["0100"]
    limit = schedule["time_limit_s"] + DEFAULT_GRACE_S + CHECKING_S
    assert 0 < schedule["solve_seconds"] <= limit


@then(parsers.parse('the schedule of plant "{plant_key}" is verified by the independent checker'))
def _verified(plant: PlantRun, plant_key: str) -> None:
    assert plant.summary.schedules[plant_key]["verified"] is True


@given(
    "the sample plant's scheduling problem written as an instance file",
    target_fixture="instance_file",
)
def _instance_file(sample_plant: PlantRun, tmp_path: Path) -> Path:
    stored = (
        WarehouseResource(url=sample_plant.settings.warehouse_url).planning().latest_problem("0100")
    )
    assert stored is not None
    path = tmp_path / "sample_0100.json"
    write_instance(SchedulingProblem.model_validate(stored.problem), path)
    return path


@dataclass(frozen=True)
class TimedSolve:
    command: CommandResult
    elapsed_s: float
    limit_s: float


@when(
    parsers.parse("the solve command runs on it with a time limit of {limit:d} second"),
    target_fixture="solve_run",
)
def _solve(instance_file: Path, capsys, limit: int) -> TimedSolve:
    started = time.monotonic()
    command = run_command(capsys, "solve", str(instance_file), "--time-limit", str(limit))
    return TimedSolve(command, time.monotonic() - started, float(limit))


@then("the command succeeds within the limit plus the grace and a few seconds to start")
def _succeeds_in_time(solve_run: TimedSolve) -> None:
    command = solve_run.command
    assert command.exit_code == 0, command.out + command.err
    assert solve_run.elapsed_s < solve_run.limit_s + DEFAULT_GRACE_S + START_UP_S


@then("it reports a solve time within the limit plus the grace and a second to check the plan")
def _reported_time(solve_run: TimedSolve) -> None:
    match = re.search(r" time=([0-9.]+)s ", solve_run.command.out)
    assert match, solve_run.command.out
    assert float(match[1]) <= solve_run.limit_s + DEFAULT_GRACE_S + CHECKING_S


@then("it reports the plan as feasible by the checker")
def _feasible(solve_run: TimedSolve) -> None:
    out = solve_run.command.out
    assert re.search(r": (OPTIMAL|FEASIBLE) objective=\d+", out), out
    assert "checker: feasible" in out
