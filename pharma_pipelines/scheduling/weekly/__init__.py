"""Weekly capacity planning: orders into (line, period) buckets, solved by CBC.

Beside the continuous-time scheduler because planners also send plans in
week buckets, with setups paid once per family and bucket and tardiness per
week; the continuous model cannot express that cost, so it cannot reproduce
those plans' objective (BR-18, BR-19). Plain Python like the rest of the
scheduling context. ``solve_weekly`` is the entry point, ``evaluate_plan``
the independent verdict on any plan.
"""

from pharma_pipelines.scheduling.weekly.diagnosis import WeeklyConflict, precheck
from pharma_pipelines.scheduling.weekly.evaluator import (
    PlanCheck,
    PlanRule,
    PlanViolation,
    evaluate_plan,
)
from pharma_pipelines.scheduling.weekly.plan import WeeklyPlan
from pharma_pipelines.scheduling.weekly.problem import (
    WeeklyFamily,
    WeeklyFormatError,
    WeeklyLine,
    WeeklyOrder,
    WeeklyProblem,
    is_weekly_document,
    read_weekly_problem,
    sniff_weekly_file,
    weekly_problem_from_dict,
)
from pharma_pipelines.scheduling.weekly.report import render_plan
from pharma_pipelines.scheduling.weekly.solver import solve_weekly

__all__ = [
    "PlanCheck",
    "PlanRule",
    "PlanViolation",
    "WeeklyConflict",
    "WeeklyFamily",
    "WeeklyFormatError",
    "WeeklyLine",
    "WeeklyOrder",
    "WeeklyPlan",
    "WeeklyProblem",
    "evaluate_plan",
    "is_weekly_document",
    "precheck",
    "read_weekly_problem",
    "render_plan",
    "sniff_weekly_file",
    "solve_weekly",
    "weekly_problem_from_dict",
]
