"""Scheduling bounded context: problem model, MIP, heuristic, checker.

Plain Python with no Dagster and no other pharma_pipelines package, so the
asset layer, the command line and the tests all call the same functions.
``solve`` is the entry point; ``check_schedule`` is the independent verdict
on any schedule; the bench-format functions exchange files with the
benchmark suite.
"""

from pharma_pipelines.scheduling.bench_format import (
    BenchFormatError,
    read_instance,
    read_solution,
    write_instance,
    write_solution,
)
from pharma_pipelines.scheduling.checker import (
    CheckReport,
    Rule,
    Violation,
    check_assignments,
    check_schedule,
    check_solution_document,
)
from pharma_pipelines.scheduling.problem import (
    FrozenPlacement,
    Line,
    ObjectiveWeights,
    Order,
    Product,
    SchedulingProblem,
    Setup,
    SetupTable,
)
from pharma_pipelines.scheduling.schedule import (
    ObjectiveComponents,
    Schedule,
    ScheduledOrder,
    ScheduleStatus,
)
from pharma_pipelines.scheduling.solver import DEFAULT_TIME_LIMIT_S, solve

__all__ = [
    "DEFAULT_TIME_LIMIT_S",
    "BenchFormatError",
    "CheckReport",
    "FrozenPlacement",
    "Line",
    "ObjectiveComponents",
    "ObjectiveWeights",
    "Order",
    "Product",
    "Rule",
    "Schedule",
    "ScheduleStatus",
    "ScheduledOrder",
    "SchedulingProblem",
    "Setup",
    "SetupTable",
    "Violation",
    "check_assignments",
    "check_schedule",
    "check_solution_document",
    "read_instance",
    "read_solution",
    "solve",
    "write_instance",
    "write_solution",
]
