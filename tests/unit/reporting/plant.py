"""A hand-made plant and schedule shared by the reporting tests.

Three lines: L1 with two overlapping downtimes, L2 opening at minute 10, L3 opening at
minute 60 (after the plan ends, so it has no available time). The schedule below is worked
out by hand and accepted by the independent checker:

    L1: changeover 2, O1 [2, 12) due 10 (2 late, weight 2); changeover 4, O2 [16, 31)
        due 30 (1 late, weight 1)
    L2: changeover 1, O3 [11, 31) due 40; changeover 6, O4 [37, 47) due 50
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from pharma_pipelines.scheduling import (
    Schedule,
    ScheduledOrder,
    ScheduleStatus,
    SchedulingProblem,
)

PLAN_START = dt.datetime(2027, 1, 4, tzinfo=ZoneInfo("Europe/Berlin"))


def plant_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "report-plant",
        "horizon": 100,
        "products": [{"id": "A", "family": "F1"}, {"id": "B", "family": "F2"}],
        "lines": [
            {"id": "L1", "downtimes": [[35, 45], [40, 46]]},
            {"id": "L2", "available_from": 10, "available_to": 90},
            {"id": "L3", "available_from": 60},
        ],
        "setup": {
            "by_line": {"L1": {"matrix": [[1, 4], [3, 2]], "initial": [2, 5]}},
            "default": {"matrix": [[0, 6], [6, 0]], "initial": [1, 1]},
        },
        "orders": [
            {"id": "O1", "product": "A", "due": 10, "weight": 2, "proc": {"L1": 10}},
            {"id": "O2", "product": "B", "due": 30, "weight": 1, "proc": {"L1": 15, "L2": 12}},
            {"id": "O3", "product": "A", "due": 40, "weight": 3, "proc": {"L2": 20}},
            {"id": "O4", "product": "B", "due": 50, "weight": 1, "proc": {"L2": 10, "L3": 10}},
        ],
        "plan_start": PLAN_START,
    }
    data.update(changes)
    return data


def plant() -> SchedulingProblem:
    return SchedulingProblem.model_validate(plant_data())


def placements() -> tuple[ScheduledOrder, ...]:
    return (
        ScheduledOrder(order="O1", line="L1", start=2, end=12, setup_before=2),
        ScheduledOrder(order="O2", line="L1", start=16, end=31, setup_before=4),
        ScheduledOrder(order="O3", line="L2", start=11, end=31, setup_before=1),
        ScheduledOrder(order="O4", line="L2", start=37, end=47, setup_before=6),
    )


def hand_schedule() -> Schedule:
    # objective = weighted tardiness 5 + changeovers 13
    return Schedule(status=ScheduleStatus.FEASIBLE, objective=18, assignments=placements())
