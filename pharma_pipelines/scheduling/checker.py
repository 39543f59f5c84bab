"""Independent feasibility checker for schedules (FORMAT.md sections 3-5).

Why a separate implementation: the MIP and the heuristic can be wrong in the
same way if they share timing code, so this module re-derives every rule
straight from the format text and shares nothing with them but the problem
model. A schedule is published only if this checker accepts it.

Rules checked, per line with sequence o_1 ... o_q (list order), required
changeover s_i, start S_i and end C_i:

1. every order appears exactly once, on a line listed in its ``proc``;
2. C_i = S_i + proc[L], S_i >= release, all times integers;
3. S_1 - s_1 >= available_from; S_i - s_i >= C_(i-1) for i > 1;
4. C_i <= min(available_to, H);
5. the block [S_i - s_i, C_i) meets no downtime [a, b) of the line;
6. a reported ``setup_before`` equals s_i;

plus the optional hard deadline (C_i <= deadline) and, from section 5, that a
reported objective (and components) equals the recomputed one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from pharma_pipelines.scheduling.problem import SchedulingProblem
from pharma_pipelines.scheduling.schedule import ObjectiveComponents, Schedule, ScheduledOrder


class Rule(StrEnum):
    """The rule a violation breaks, named after its FORMAT.md section."""

    ASSIGNMENT = "4.1 each order exactly once on an eligible line"
    TIMING = "4.2 end = start + proc, start >= release, integer times"
    SEQUENCE = "4.3 changeover after the line opens and after the previous order"
    WINDOW_END = "4.4 end within the line window and the horizon"
    DOWNTIME = "4.5 no changeover or processing in a downtime"
    REPORTED_SETUP = "4.6 reported setup_before equals the required changeover"
    DEADLINE = "hard deadline"
    FROZEN = "a frozen order keeps its line and start"
    REPORTED_OBJECTIVE = "5 reported objective equals the recomputed objective"


@dataclass(frozen=True)
class Violation:
    """One broken rule, with the order and line it concerns when there is one."""

    rule: Rule
    message: str
    order: str | None = None
    line: str | None = None


@dataclass(frozen=True)
class CheckReport:
    """The verdict on one schedule and the objective recomputed from it.

    ``objective`` and ``components`` are ``None`` when rule 1 fails, because
    then the objective of the instance is not defined.
    """

    feasible: bool
    violations: tuple[Violation, ...]
    objective: int | None
    components: ObjectiveComponents | None

    def summary(self, limit: int = 5) -> str:
        """The first ``limit`` violation messages, for logs and error texts."""
        if self.feasible:
            return "feasible"
        shown = "; ".join(v.message for v in self.violations[:limit])
        more = len(self.violations) - limit
        return shown + (f"; and {more} more" if more > 0 else "")


@dataclass(frozen=True)
class _Row:
    """A placement as written, before any trust: numbers may be non-integers."""

    order: str
    line: str
    start: float
    end: float
    setup_before: float | None


def check_schedule(problem: SchedulingProblem, schedule: Schedule) -> CheckReport:
    """Check a :class:`Schedule` against ``problem``, including its reported objective."""
    rows = [_Row(a.order, a.line, a.start, a.end, a.setup_before) for a in schedule.assignments]
    reported = None
    if schedule.objective is not None:
        reported = (schedule.objective, schedule.components)
    return _check(problem, rows, reported)


def check_assignments(
    problem: SchedulingProblem, assignments: Sequence[ScheduledOrder]
) -> CheckReport:
    """Check placements alone, when no objective has been claimed for them yet."""
    rows = [_Row(a.order, a.line, a.start, a.end, a.setup_before) for a in assignments]
    return _check(problem, rows, None)


def check_solution_document(
    problem: SchedulingProblem, document: Mapping[str, object]
) -> CheckReport:
    """Check a parsed pharma-sched-bench-solution/1 document without trusting its types.

    Integral floats (``300.0``) are read as integers; any other non-integer
    time is a rule 2 violation. A structurally unreadable entry is reported as
    a violation rather than raised, so a bad file yields a verdict.
    """
    rows, errors = _rows_from_document(document)
    objective = _number(document.get("objective"))
    reported = None if objective is None else (objective, None)
    report = _check(problem, rows, reported)
    if not errors:
        return report
    return CheckReport(False, (*errors, *report.violations), report.objective, report.components)


def _rows_from_document(document: Mapping[str, object]) -> tuple[list[_Row], list[Violation]]:
    rows: list[_Row] = []
    errors: list[Violation] = []
    blocks = document.get("schedule", [])
    if not isinstance(blocks, list):
        return rows, [
            Violation(Rule.ASSIGNMENT, f"'schedule' is a {type(blocks).__name__}, expected a list")
        ]
    for block in blocks:
        if not isinstance(block, dict) or not isinstance(block.get("orders"), list):
            errors.append(
                Violation(
                    Rule.ASSIGNMENT, f"schedule entry {block!r} needs 'line' and an 'orders' list"
                )
            )
            continue
        line = str(block.get("line"))
        for entry in block["orders"]:
            row = _row_from_entry(line, entry)
            if row is None:
                errors.append(
                    Violation(
                        Rule.TIMING,
                        f"entry {entry!r} on {line} needs order, start and end",
                        line=line,
                    )
                )
            else:
                rows.append(row)
    return rows, errors


def _row_from_entry(line: str, entry: object) -> _Row | None:
    if not isinstance(entry, dict) or "order" not in entry:
        return None
    start, end = _number(entry.get("start")), _number(entry.get("end"))
    setup = _number(entry.get("setup_before"))
    if start is None or end is None or (setup is None and entry.get("setup_before") is not None):
        return None
    return _Row(str(entry["order"]), line, start, end, setup)


def _number(value: object) -> float | None:
    """A JSON number as float; ``None`` for anything else (booleans included)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _check(
    problem: SchedulingProblem,
    rows: Sequence[_Row],
    reported: tuple[float, ObjectiveComponents | None] | None,
) -> CheckReport:
    violations = _assignment_violations(problem, rows)
    assignment_ok = not violations
    violations.extend(_frozen_violations(problem, rows))
    ends: dict[str, float] = {}
    total_setup = 0.0
    for line, line_rows in _group_by_line(rows).items():
        if problem.has_line(line):
            found, setups = _line_violations(problem, line, line_rows, ends)
            violations.extend(found)
            total_setup += setups
    if not assignment_ok:
        return CheckReport(False, tuple(violations), None, None)
    components = _components(problem, ends, total_setup)
    objective = _weighted(problem, components)
    violations.extend(_reported_violations(objective, components, reported))
    return CheckReport(not violations, tuple(violations), objective, components)


def _assignment_violations(problem: SchedulingProblem, rows: Sequence[_Row]) -> list[Violation]:
    """Rule 1: known orders and lines, eligibility, exactly one appearance each."""
    found: list[Violation] = []
    lines_of: dict[str, list[str]] = {}
    for row in rows:
        lines_of.setdefault(row.order, []).append(row.line)
        if not problem.has_order(row.order):
            found.append(
                Violation(
                    Rule.ASSIGNMENT,
                    f"order {row.order} on {row.line} is not an order of the instance",
                    row.order,
                    row.line,
                )
            )
        elif not problem.has_line(row.line):
            found.append(
                Violation(
                    Rule.ASSIGNMENT,
                    f"order {row.order} is on {row.line}, which is not a line of the instance",
                    row.order,
                    row.line,
                )
            )
        elif row.line not in problem.order(row.order).proc:
            eligible = ", ".join(problem.order(row.order).proc) or "no line"
            found.append(
                Violation(
                    Rule.ASSIGNMENT,
                    f"order {row.order} is on {row.line} but may only run on {eligible}",
                    row.order,
                    row.line,
                )
            )
    for order_id, lines in lines_of.items():
        if len(lines) > 1:
            found.append(
                Violation(
                    Rule.ASSIGNMENT,
                    f"order {order_id} appears {len(lines)} times (on {', '.join(lines)}); "
                    "each order must appear exactly once",
                    order_id,
                )
            )
    for order in problem.orders:
        if order.id not in lines_of:
            found.append(Violation(Rule.ASSIGNMENT, f"order {order.id} is not scheduled", order.id))
    return found


def _frozen_violations(problem: SchedulingProblem, rows: Sequence[_Row]) -> list[Violation]:
    """Frozen orders must stay exactly where they were frozen."""
    found: list[Violation] = []
    for row in rows:
        if not problem.has_order(row.order):
            continue
        frozen = problem.order(row.order).frozen
        if frozen is None or (row.line == frozen.line and row.start == frozen.start):
            continue
        found.append(
            Violation(
                Rule.FROZEN,
                f"order {row.order} is frozen on {frozen.line} at {_t(frozen.start)} "
                f"but is scheduled on {row.line} at {_t(row.start)}",
                row.order,
                row.line,
            )
        )
    return found


def _group_by_line(rows: Sequence[_Row]) -> dict[str, list[_Row]]:
    grouped: dict[str, list[_Row]] = {}
    for row in rows:
        grouped.setdefault(row.line, []).append(row)
    return grouped


def _line_violations(
    problem: SchedulingProblem, line: str, rows: list[_Row], ends: dict[str, float]
) -> tuple[list[Violation], float]:
    """Rules 2-6 and the deadline along one line; records each order's true end in ``ends``."""
    found: list[Violation] = []
    opens, closes = problem.line_window(line)
    downtimes = problem.line(line).downtimes
    previous_product: str | None = None
    previous: tuple[str, float] | None = None
    setups = 0.0
    for row in rows:
        if not problem.has_order(row.order) or line not in problem.order(row.order).proc:
            continue
        order = problem.order(row.order)
        setup = problem.setup_time(line, previous_product, order.product)
        end = row.start + order.proc[line]
        found.extend(_timing(row, order.release, order.proc[line]))
        found.extend(_sequence(row, setup, opens, previous))
        found.extend(_window_end(row, end, closes, problem.horizon))
        found.extend(_downtime(row, setup, end, downtimes))
        found.extend(_reported_setup(row, setup))
        if order.deadline is not None and end > order.deadline:
            found.append(
                Violation(
                    Rule.DEADLINE,
                    f"order {row.order} on {line} ends at {_t(end)} after its deadline "
                    f"{order.deadline}",
                    row.order,
                    line,
                )
            )
        ends[row.order] = end
        setups += setup
        previous_product, previous = order.product, (row.order, end)
    return found, setups


def _timing(row: _Row, release: int, proc: int) -> list[Violation]:
    found = [
        Violation(
            Rule.TIMING,
            f"order {row.order} on {row.line}: {name} {value} is not an integer",
            row.order,
            row.line,
        )
        for name, value in (
            ("start", row.start),
            ("end", row.end),
            ("setup_before", row.setup_before),
        )
        if value is not None and not float(value).is_integer()
    ]
    if row.end != row.start + proc:
        found.append(
            Violation(
                Rule.TIMING,
                f"order {row.order} on {row.line} ends at {_t(row.end)} but start {_t(row.start)} "
                f"+ proc {proc} = {_t(row.start + proc)}",
                row.order,
                row.line,
            )
        )
    if row.start < release:
        found.append(
            Violation(
                Rule.TIMING,
                f"order {row.order} on {row.line} starts at {_t(row.start)} before its release "
                f"{release}",
                row.order,
                row.line,
            )
        )
    return found


def _sequence(
    row: _Row, setup: int, opens: int, previous: tuple[str, float] | None
) -> list[Violation]:
    block_start = row.start - setup
    if previous is None:
        if block_start < opens:
            return [
                Violation(
                    Rule.SEQUENCE,
                    f"order {row.order} on {row.line}: changeover starts at {_t(block_start)} "
                    f"(start {_t(row.start)} - setup {setup}) before the line opens at {opens}",
                    row.order,
                    row.line,
                )
            ]
        return []
    previous_order, previous_end = previous
    if block_start < previous_end:
        return [
            Violation(
                Rule.SEQUENCE,
                f"order {row.order} on {row.line}: changeover starts at {_t(block_start)} "
                f"(start {_t(row.start)} - setup {setup}) before the previous order "
                f"{previous_order} ends at "
                f"{_t(previous_end)}",
                row.order,
                row.line,
            )
        ]
    return []


def _window_end(row: _Row, end: float, closes: int, horizon: int) -> list[Violation]:
    if end > closes:
        limit = "the horizon" if closes == horizon else "the line's available_to"
        return [
            Violation(
                Rule.WINDOW_END,
                f"order {row.order} on {row.line} ends at {_t(end)} after {limit} {closes}",
                row.order,
                row.line,
            )
        ]
    return []


def _downtime(
    row: _Row, setup: int, end: float, downtimes: tuple[tuple[int, int], ...]
) -> list[Violation]:
    block_start = row.start - setup
    return [
        Violation(
            Rule.DOWNTIME,
            f"order {row.order} on {row.line}: block [{_t(block_start)}, {_t(end)}) overlaps "
            f"downtime [{down_start}, {down_end})",
            row.order,
            row.line,
        )
        for down_start, down_end in downtimes
        if block_start < down_end and down_start < end
    ]


def _reported_setup(row: _Row, setup: int) -> list[Violation]:
    if row.setup_before is not None and row.setup_before != setup:
        return [
            Violation(
                Rule.REPORTED_SETUP,
                f"order {row.order} on {row.line} reports setup_before "
                f"{_t(row.setup_before)} but the required changeover is {setup}",
                row.order,
                row.line,
            )
        ]
    return []


def _components(
    problem: SchedulingProblem, ends: dict[str, float], total_setup: float
) -> ObjectiveComponents:
    tardiness = sum(order.weight * max(0.0, ends[order.id] - order.due) for order in problem.orders)
    makespan = max(ends.values(), default=0.0)
    return ObjectiveComponents(
        weighted_tardiness=round(tardiness),
        total_setup=round(total_setup),
        makespan=round(makespan),
    )


def _weighted(problem: SchedulingProblem, components: ObjectiveComponents) -> int:
    weights = problem.objective
    return (
        weights.weighted_tardiness * components.weighted_tardiness
        + weights.setup_time * components.total_setup
        + weights.makespan * components.makespan
    )


def _reported_violations(
    objective: int,
    components: ObjectiveComponents,
    reported: tuple[float, ObjectiveComponents | None] | None,
) -> list[Violation]:
    if reported is None:
        return []
    value, parts = reported
    found: list[Violation] = []
    if value != objective:
        found.append(
            Violation(
                Rule.REPORTED_OBJECTIVE,
                f"reported objective {_t(value)} differs from the recomputed objective {objective}",
            )
        )
    if parts is not None and parts != components:
        found.append(
            Violation(
                Rule.REPORTED_OBJECTIVE,
                f"reported components {parts.model_dump()} differ from the "
                f"recomputed components {components.model_dump()}",
            )
        )
    return found


def _t(value: float) -> str:
    """Show integral times without a trailing ``.0``."""
    return str(int(value)) if float(value).is_integer() else str(value)
