"""Helpers for the weekly-plan tests: a brute force, seeded tiny plants, the cases' own judge.

The brute force is written for the tests alone, from the format's text: it
tries every (line, period) for every order, on eligible lines inside the
release-deadline window, and prices each complete plan from scratch. It
shares nothing with the product (not even ``WeeklyProblem.slots``), so the
two can disagree.

The shared cases ship their own checker (``bruteforce.py``); tests load it by
path as a second, outside judge and skip when ``../shared`` is absent.
"""

from __future__ import annotations

import importlib.util
import itertools
import random
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

Plan = dict[str, tuple[str, str]]


def case_judge(cases_dir: Path, case: str) -> ModuleType:
    """The case folder's ``bruteforce.py`` as a module (``evaluate``, ``solve``)."""
    path = cases_dir / case / "bruteforce.py"
    if not path.is_file():
        pytest.skip(f"{path} is not available")
    spec = importlib.util.spec_from_file_location(f"judge_{case.replace('-', '_')}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def brute_force(document: dict[str, Any]) -> tuple[float, Plan] | None:
    """Cheapest feasible plan of a weekly document, or None when none exists."""
    periods = document["periods"]
    index = {period: t for t, period in enumerate(periods)}
    families = {family["id"]: family for family in document["families"]}
    capacity = {
        (line["id"], period): line["capacity_hours"][period]
        for line in document["lines"]
        for period in periods
    }
    opening = {
        (line["id"], period): line.get("open_cost", {}).get(period, 0)
        for line in document["lines"]
        for period in periods
    }
    orders = document["orders"]
    choices = []
    for order in orders:
        first = index[order["release"]] if "release" in order else 0
        last = index[order["deadline"]] if "deadline" in order else len(periods) - 1
        choices.append(
            [
                (line["id"], periods[t])
                for line in document["lines"]
                if line["id"] in order["hours"]
                for t in range(first, last + 1)
            ]
        )
    best: tuple[float, Plan] | None = None
    for combination in itertools.product(*choices):
        load: dict[tuple[str, str], float] = {}
        running: dict[tuple[str, str], set[str]] = {}
        cost = 0.0
        for order, (line, period) in zip(orders, combination, strict=True):
            load[line, period] = load.get((line, period), 0) + order["hours"][line]
            running.setdefault((line, period), set()).add(order["family"])
            late = index[period] - index[order["due"]]
            cost += order.get("tardiness_cost", 0) * max(0, late)
        if any(
            load[bucket] + sum(families[f]["setup_hours"] for f in running[bucket])
            > capacity[bucket] + 1e-9
            for bucket in load
        ):
            continue
        for bucket, present in running.items():
            cost += sum(families[f]["setup_cost"] for f in present) + opening[bucket]
        if best is None or cost < best[0] - 1e-9:
            best = (
                cost,
                {o["id"]: choice for o, choice in zip(orders, combination, strict=True)},
            )
    return best


def plant() -> dict[str, Any]:
    """Two lines, two weeks, two families; L2 costs to open in W2."""
    return {
        "name": "hand-made",
        "model": "weekly buckets",
        "periods": ["W1", "W2"],
        "lines": [
            {"id": "L1", "capacity_hours": {"W1": 40, "W2": 40}},
            {"id": "L2", "capacity_hours": {"W1": 20, "W2": 20}, "open_cost": {"W2": 70}},
        ],
        "families": [
            {"id": "A", "setup_hours": 4, "setup_cost": 100},
            {"id": "B", "setup_hours": 2, "setup_cost": 50},
        ],
        "orders": [
            {"id": "P1", "family": "A", "due": "W1", "tardiness_cost": 30, "hours": {"L1": 10}},
            {
                "id": "P2",
                "family": "B",
                "due": "W1",
                "release": "W2",
                "hours": {"L1": 8, "L2": 9},
            },
            {"id": "P3", "family": "A", "due": "W2", "deadline": "W2", "hours": {"L2": 12}},
        ],
    }


def tiny_plant(seed: int) -> dict[str, Any]:
    """A seeded weekly document small enough for :func:`brute_force` (about 10^4 plans at most).

    Tight capacities, hard deadlines and releases now and then, opening costs
    on some buckets: some seeds give infeasible plants, on purpose.
    """
    rng = random.Random(seed)
    periods = ["W1", "W2", "W3"]
    lines = ["L1", "L2"]
    families = [
        {"id": family, "setup_hours": rng.randint(0, 6), "setup_cost": rng.randint(0, 300)}
        for family in ["A", "B", "C"][: rng.randint(2, 3)]
    ]
    line_rows = []
    for line in lines:
        row: dict[str, Any] = {
            "id": line,
            "capacity_hours": {period: rng.choice([0, 16, 24, 30, 40]) for period in periods},
        }
        if rng.random() < 0.5:
            row["open_cost"] = {period: rng.randint(0, 200) for period in periods}
        line_rows.append(row)
    orders = []
    for j in range(rng.randint(3, 5)):
        eligible = lines if rng.random() < 0.5 else [rng.choice(lines)]
        order: dict[str, Any] = {
            "id": f"O{j + 1}",
            "family": rng.choice(families)["id"],
            "due": rng.choice(periods),
            "tardiness_cost": rng.choice([0, 50, 100, 400]),
            "hours": {line: rng.randint(4, 18) for line in eligible},
        }
        if rng.random() < 0.3:
            order["release"] = rng.choice(periods[:2])
        if rng.random() < 0.3:
            order["deadline"] = rng.choice(periods[1:])
        orders.append(order)
    return {
        "name": f"tiny-weekly-{seed}",
        "periods": periods,
        "lines": line_rows,
        "families": families,
        "orders": orders,
    }
