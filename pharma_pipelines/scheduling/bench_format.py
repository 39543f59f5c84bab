"""Read and write pharma-sched-bench/1 instance and solution files.

The files are the exchange format with the benchmark suite (FORMAT.md), so a
problem read here must mean exactly what the file says. Unknown keys are
therefore rejected rather than dropped: a v2 file with ``predecessors`` or
``max_campaign`` read as v1 would silently lose hard constraints. The two
extensions this package uses, ``orders[].deadline`` (the key FORMAT.md
section 6 reserves) and a top-level ISO ``plan_start``, are read and written.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pharma_pipelines.scheduling.problem import SchedulingProblem
from pharma_pipelines.scheduling.schedule import Schedule, ScheduledOrder, ScheduleStatus

INSTANCE_FORMAT = "pharma-sched-bench/1"
SOLUTION_FORMAT = "pharma-sched-bench-solution/1"

_INSTANCE_KEYS = frozenset(
    {
        "format",
        "name",
        "description",
        "source",
        "time_unit",
        "horizon",
        "objective",
        "products",
        "lines",
        "setup",
        "orders",
        "plan_start",
    }
)

_STATUS_IN_FILE = {
    ScheduleStatus.OPTIMAL: "OPTIMAL",
    ScheduleStatus.FEASIBLE: "FEASIBLE",
    ScheduleStatus.NO_SOLUTION_FOUND: "NO_SOLUTION",
    ScheduleStatus.INFEASIBLE: "INFEASIBLE",
}
_STATUS_FROM_FILE = {text: status for status, text in _STATUS_IN_FILE.items()} | {
    "NO_SOLUTION_FOUND": ScheduleStatus.NO_SOLUTION_FOUND
}


class BenchFormatError(ValueError):
    """A file that is not a valid pharma-sched-bench/1 instance or solution."""


def read_instance(path: str | Path) -> SchedulingProblem:
    """Read an instance file; errors name the file and the offending entry."""
    source = Path(path)
    return instance_from_dict(_load_json(source), where=str(source))


def instance_from_dict(data: Mapping[str, Any], where: str = "instance") -> SchedulingProblem:
    """Build a problem from a parsed instance document."""
    found = data.get("format")
    if found != INSTANCE_FORMAT:
        raise BenchFormatError(f"{where}: format is {found!r}; expected {INSTANCE_FORMAT!r}")
    unknown = sorted(set(data) - _INSTANCE_KEYS)
    if unknown:
        raise BenchFormatError(
            f"{where}: unknown top-level keys {', '.join(unknown)}; {INSTANCE_FORMAT} defines "
            f"{', '.join(sorted(_INSTANCE_KEYS))}"
        )
    fields = {key: value for key, value in data.items() if key != "format"}
    try:
        return SchedulingProblem.model_validate(fields)
    except ValidationError as error:
        raise BenchFormatError(f"{where}: not a valid scheduling problem:\n{error}") from error


def instance_to_dict(problem: SchedulingProblem) -> dict[str, Any]:
    """The instance document of ``problem``; optional fields left unset are omitted."""
    body = problem.model_dump(mode="json", exclude_none=True)
    return {"format": INSTANCE_FORMAT, **body}


def write_instance(problem: SchedulingProblem, path: str | Path) -> None:
    """Write ``problem`` as an instance file that :func:`read_instance` reads back equal."""
    _dump_json(instance_to_dict(problem), Path(path))


def read_solution(path: str | Path, problem: SchedulingProblem | None = None) -> Schedule:
    """Read a solution file into a :class:`Schedule`.

    Entries without ``setup_before`` get it from ``problem`` (the required
    changeover of their position); without a problem such a file is an error.
    Statuses outside this package's four (``MODEL_TOO_LARGE``, say) are read
    as FEASIBLE when the file has a schedule and NO_SOLUTION_FOUND otherwise,
    keeping the original word in ``message``.
    """
    source = Path(path)
    return solution_from_dict(_load_json(source), problem=problem, where=str(source))


def solution_from_dict(
    data: Mapping[str, Any], problem: SchedulingProblem | None = None, where: str = "solution"
) -> Schedule:
    """Build a :class:`Schedule` from a parsed solution document."""
    found = data.get("format")
    if found != SOLUTION_FORMAT:
        raise BenchFormatError(f"{where}: format is {found!r}; expected {SOLUTION_FORMAT!r}")
    assignments = _assignments(data.get("schedule", []), problem, where)
    status, note = _status(data.get("status"), bool(assignments))
    message = "; ".join(part for part in (str(data.get("message", "") or ""), note) if part)
    try:
        return Schedule(
            status=status,
            objective=data.get("objective") if status.has_schedule else None,
            bound=data.get("bound"),
            gap=data.get("gap"),
            components=data.get("components") if status.has_schedule else None,
            solve_seconds=data.get("wall_time_s", 0.0) or 0.0,
            time_limit_s=data.get("time_limit_s"),
            threads=data.get("threads", 1) or 1,
            seed=data.get("seed", 0) or 0,
            solver=str(data.get("solver", "")),
            assignments=tuple(assignments),
            message=message,
            instance=str(data.get("instance", "")),
            problem_hash=data.get("problem_hash"),
        )
    except ValidationError as error:
        raise BenchFormatError(f"{where}: not a valid solution:\n{error}") from error


def solution_to_dict(schedule: Schedule) -> dict[str, Any]:
    """The solution document of ``schedule``; extra keys carry what the format leaves out."""
    blocks = [
        {
            "line": line,
            "orders": [
                {"order": a.order, "start": a.start, "end": a.end, "setup_before": a.setup_before}
                for a in items
            ],
        }
        for line, items in schedule.by_line().items()
    ]
    return {
        "format": SOLUTION_FORMAT,
        "instance": schedule.instance,
        "solver": schedule.solver,
        "status": _STATUS_IN_FILE[schedule.status],
        "objective": schedule.objective,
        "bound": schedule.bound,
        "gap": schedule.gap,
        "components": None if schedule.components is None else schedule.components.model_dump(),
        "wall_time_s": schedule.solve_seconds,
        "time_limit_s": schedule.time_limit_s,
        "threads": schedule.threads,
        "seed": schedule.seed,
        "message": schedule.message,
        "problem_hash": schedule.problem_hash,
        "schedule": blocks,
    }


def write_solution(
    schedule: Schedule, path: str | Path, problem: SchedulingProblem | None = None
) -> None:
    """Write ``schedule`` as a pharma-sched-bench-solution/1 file.

    With ``problem``, a schedule that does not name its instance gets the
    problem's name and content hash, and one that names another problem is
    refused, so a file never points at the wrong instance.
    """
    document = solution_to_dict(schedule)
    if problem is not None:
        if schedule.problem_hash not in (None, problem.content_hash()):
            raise BenchFormatError(
                f"schedule for problem hash {schedule.problem_hash} does not belong to problem "
                f"{problem.name} ({problem.content_hash()})"
            )
        document["instance"] = schedule.instance or problem.name
        document["problem_hash"] = problem.content_hash()
    _dump_json(document, Path(path))


def _status(text: object, has_schedule: bool) -> tuple[ScheduleStatus, str]:
    status = _STATUS_FROM_FILE.get(str(text))
    if status is not None:
        return status, ""
    fallback = ScheduleStatus.FEASIBLE if has_schedule else ScheduleStatus.NO_SOLUTION_FOUND
    return fallback, f"status {text!r} in the file read as {fallback}"


def _assignments(
    blocks: object, problem: SchedulingProblem | None, where: str
) -> list[ScheduledOrder]:
    if not isinstance(blocks, list):
        raise BenchFormatError(
            f"{where}: 'schedule' is a {type(blocks).__name__}; expected a list of lines"
        )
    placed: list[ScheduledOrder] = []
    for block in blocks:
        if not isinstance(block, dict) or not isinstance(block.get("orders"), list):
            raise BenchFormatError(
                f"{where}: schedule entry {block!r} needs 'line' and an 'orders' list"
            )
        line = str(block.get("line"))
        previous: str | None = None
        for entry in block["orders"]:
            placed.append(_scheduled_order(entry, line, previous, problem, where))
            previous = placed[-1].order
    return placed


def _scheduled_order(
    entry: object, line: str, previous: str | None, problem: SchedulingProblem | None, where: str
) -> ScheduledOrder:
    if not isinstance(entry, dict):
        raise BenchFormatError(f"{where}: entry {entry!r} on line {line} is not an object")
    setup = entry.get("setup_before")
    if setup is None:
        setup = _required_setup(entry, line, previous, problem, where)
    try:
        return ScheduledOrder.model_validate(
            {
                "order": str(entry.get("order")),
                "line": line,
                "start": entry.get("start"),
                "end": entry.get("end"),
                "setup_before": setup,
            }
        )
    except ValidationError as error:
        raise BenchFormatError(
            f"{where}: entry {entry!r} on line {line} is not valid:\n{error}"
        ) from error


def _required_setup(
    entry: Mapping[str, Any],
    line: str,
    previous: str | None,
    problem: SchedulingProblem | None,
    where: str,
) -> int:
    order = str(entry.get("order"))
    if problem is None:
        raise BenchFormatError(
            f"{where}: order {order} on line {line} has no setup_before; "
            "pass the problem to derive it"
        )
    if not (problem.has_order(order) and problem.has_line(line)) or (
        previous is not None and not problem.has_order(previous)
    ):
        raise BenchFormatError(
            f"{where}: order {order} on line {line} is not in problem {problem.name}"
        )
    before = None if previous is None else problem.order(previous).product
    return problem.setup_time(line, before, problem.order(order).product)


def _load_json(path: Path) -> Mapping[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise BenchFormatError(f"{path}: not JSON ({error})") from error
    if not isinstance(data, dict):
        raise BenchFormatError(f"{path}: top level is a {type(data).__name__}; expected an object")
    return data


def _dump_json(data: Mapping[str, Any], path: Path) -> None:
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
