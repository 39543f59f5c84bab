"""The weekly plan as text for the command line: status line, explanation, verdict, buckets."""

from __future__ import annotations

from pharma_pipelines.scheduling.weekly.evaluator import evaluate_plan
from pharma_pipelines.scheduling.weekly.plan import WeeklyPlan
from pharma_pipelines.scheduling.weekly.problem import WeeklyProblem, number


def _number(value: float | None, missing: str) -> str:
    return missing if value is None else number(value)


def render_plan(problem: WeeklyProblem, plan: WeeklyPlan) -> str:
    """What ``pharma-pipelines solve`` prints for a weekly file."""
    lines = [
        f"note: {entry} lies outside the planning periods and is ignored"
        for entry in problem.ignored_entries()
    ]
    lines.append(
        f"{problem.name}: {plan.status.value} objective={_number(plan.objective, 'none')} "
        f"bound={_number(plan.bound, 'no bound')} gap={plan.gap_text()} "
        f"time={plan.solve_seconds:.1f}s"
    )
    if plan.message:
        lines.append(plan.message)
    if plan.assignment:
        lines.append(f"evaluator: {evaluate_plan(problem, plan.assignment).summary()}")
        buckets = sorted(
            plan.by_bucket().items(),
            key=lambda item: (item[0][0], problem.period_index(item[0][1])),
        )
        lines.extend(
            f"  {line} {period}: {', '.join(orders)}" for (line, period), orders in buckets
        )
    return "\n".join(lines)
