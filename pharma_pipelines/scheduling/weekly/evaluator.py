"""Independent verdict on a weekly plan: is it allowed, and what does it cost.

Written straight from the format's rules and sharing no code with the model
builder, the heuristic or the pre-checks (not even ``WeeklyProblem.slots``),
so a slip in one of them shows up here instead of in a published plan. The
solver publishes a plan only after this says it is feasible, and publishes
this cost as the objective.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from pharma_pipelines.scheduling.weekly.problem import TOLERANCE, WeeklyProblem, number


class PlanRule(StrEnum):
    """The rule a plan breaks."""

    MISSING_ORDER = "order not planned"
    UNKNOWN_ORDER = "unknown order"
    MALFORMED = "not a (line, period) pair"
    UNKNOWN_LINE = "unknown line"
    UNKNOWN_PERIOD = "unknown period"
    INELIGIBLE_LINE = "line not eligible"
    BEFORE_RELEASE = "before release"
    AFTER_DEADLINE = "after deadline"
    OVER_CAPACITY = "over capacity"


@dataclass(frozen=True)
class PlanViolation:
    rule: PlanRule
    message: str


@dataclass(frozen=True)
class PlanCheck:
    """Verdict on a plan; the costs are None unless it is feasible."""

    violations: tuple[PlanViolation, ...]
    cost: float | None
    tardiness_cost: float | None
    setup_cost: float | None
    opening_cost: float | None

    @property
    def feasible(self) -> bool:
        return not self.violations

    def summary(self) -> str:
        if self.cost is not None:
            return f"feasible, cost {number(self.cost)}"
        shown = "; ".join(v.message for v in self.violations[:10])
        more = len(self.violations) - 10
        return f"{len(self.violations)} violations: {shown}" + (
            f"; ... {more} more" if more > 0 else ""
        )


def evaluate_plan(problem: WeeklyProblem, assignment: Mapping[str, Sequence[str]]) -> PlanCheck:
    """Check ``assignment`` ({order: (line, period)}) against every rule and price it."""
    periods = {period: t for t, period in enumerate(problem.periods)}
    lines = {line.id: line for line in problem.lines}
    setup_hours = {family.id: family.setup_hours for family in problem.families}
    setup_cost = {family.id: family.setup_cost for family in problem.families}
    violations: list[PlanViolation] = []
    order_hours: dict[tuple[str, str], float] = {}
    running: dict[tuple[str, str], set[str]] = {}
    tardiness = 0.0
    wanted = {order.id for order in problem.orders}
    for name in assignment:
        if name not in wanted:
            violations.append(
                PlanViolation(PlanRule.UNKNOWN_ORDER, f"{name} is planned but is no order")
            )
    for order in problem.orders:
        placed = assignment.get(order.id)
        if placed is None:
            violations.append(PlanViolation(PlanRule.MISSING_ORDER, f"{order.id} is not planned"))
            continue
        if isinstance(placed, str) or len(placed) != 2:
            violations.append(
                PlanViolation(PlanRule.MALFORMED, f"{order.id} is placed at {placed!r}")
            )
            continue
        line, period = placed[0], placed[1]
        if line not in lines:
            violations.append(
                PlanViolation(PlanRule.UNKNOWN_LINE, f"{order.id} is on unknown line {line}")
            )
            continue
        if period not in periods:
            violations.append(
                PlanViolation(PlanRule.UNKNOWN_PERIOD, f"{order.id} is in unknown period {period}")
            )
            continue
        if line not in order.hours:
            violations.append(
                PlanViolation(
                    PlanRule.INELIGIBLE_LINE,
                    f"{order.id} is on {line}, which cannot make it "
                    f"(eligible: {', '.join(order.hours) or 'none'})",
                )
            )
            continue
        if order.release is not None and periods[period] < periods[order.release]:
            violations.append(
                PlanViolation(
                    PlanRule.BEFORE_RELEASE,
                    f"{order.id} is in {period}, before its release {order.release}",
                )
            )
        if order.deadline is not None and periods[period] > periods[order.deadline]:
            violations.append(
                PlanViolation(
                    PlanRule.AFTER_DEADLINE,
                    f"{order.id} is in {period}, after its deadline {order.deadline}",
                )
            )
        key = (line, period)
        order_hours[key] = order_hours.get(key, 0.0) + order.hours[line]
        running.setdefault(key, set()).add(order.family)
        tardiness += order.tardiness_cost * max(0, periods[period] - periods[order.due])
    setups = 0.0
    opening = 0.0
    for (line, period), families in sorted(running.items()):
        used = order_hours[line, period] + sum(setup_hours[f] for f in families)
        capacity = lines[line].capacity_hours[period]
        if used > capacity + TOLERANCE:
            violations.append(
                PlanViolation(
                    PlanRule.OVER_CAPACITY,
                    f"{line} in {period} needs {number(used)} h (orders and setups of "
                    f"{', '.join(sorted(families))}) but has {number(capacity)} h",
                )
            )
        setups += sum(setup_cost[f] for f in families)
        opening += lines[line].open_cost.get(period, 0.0)
    if violations:
        return PlanCheck(tuple(violations), None, None, None, None)
    return PlanCheck((), tardiness + setups + opening, tardiness, setups, opening)
