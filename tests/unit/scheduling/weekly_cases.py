"""Embed the weekly-bucket cases of shared/cases (BR-18, BR-19) in continuous time.

Those cases assign orders to (line, week) buckets with a capacity in hours.
The scheduling context plans in continuous time, so each week w becomes the
span [168 w, 168 (w + 1)) hours in which a line is available for its weekly
capacity from the start of the week and down for the rest. A family is a
product; changing family costs the family's setup hours, staying costs
nothing. Due and deadline weeks end at the end of that week.

The embedding keeps what BR-18 and BR-19 test (time-limit statuses, which
orders and capacities clash) but not their cost model (setups per bucket,
tardiness per week), so the cases' objective values do not carry over.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pharma_pipelines.scheduling import SchedulingProblem

HOURS_PER_WEEK = 168


def weekly_case_problem(path: Path) -> SchedulingProblem:
    """The continuous-time problem of a weekly-bucket case file."""
    case: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    weeks = {week: index for index, week in enumerate(case["periods"])}
    families = [family["id"] for family in case["families"]]
    hours = {family["id"]: family["setup_hours"] for family in case["families"]}
    matrix = [[0 if a == b else hours[b] for b in families] for a in families]
    return SchedulingProblem.model_validate(
        {
            "name": case["name"],
            "time_unit": "h",
            "horizon": HOURS_PER_WEEK * len(weeks),
            "objective": {"weighted_tardiness": 1, "setup_time": 1, "makespan": 0},
            "products": [{"id": family, "family": family} for family in families],
            "lines": [_line(line, weeks) for line in case["lines"]],
            "setup": {"default": {"matrix": matrix, "initial": [hours[b] for b in families]}},
            "orders": [_order(order, weeks) for order in case["orders"]],
        }
    )


def _line(line: dict[str, Any], weeks: dict[str, int]) -> dict[str, Any]:
    downtimes = [
        [HOURS_PER_WEEK * index + line["capacity_hours"][week], HOURS_PER_WEEK * (index + 1)]
        for week, index in weeks.items()
        if line["capacity_hours"][week] < HOURS_PER_WEEK
    ]
    return {"id": line["id"], "downtimes": downtimes}


def _order(order: dict[str, Any], weeks: dict[str, int]) -> dict[str, Any]:
    def week_end(week: str) -> int:
        return HOURS_PER_WEEK * (weeks[week] + 1)

    fields: dict[str, Any] = {
        "id": order["id"],
        "product": order["family"],
        "due": week_end(order["due"]),
        "weight": order.get("tardiness_cost", 0),
        "proc": order["hours"],
    }
    if "release" in order:
        fields["release"] = HOURS_PER_WEEK * weeks[order["release"]]
    if "deadline" in order:
        fields["deadline"] = week_end(order["deadline"])
    return fields
