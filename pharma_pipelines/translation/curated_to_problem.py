"""From curated tables to a scheduling problem.

The curated tables speak in SAP terms (materials, work centers, basic start and finish
dates, production versions with rates); the scheduling context speaks in integer minutes
from the plan start. This module is the only place that knows both.

Conventions, stated once:

- Time 0 is midnight (plant time zone) of the earliest basic start date among the open
  orders, so the same curated tables always give the same problem, whatever the wall clock.
- An order is released at midnight of its basic start date and due at the end of its basic
  finish date (midnight of the following day).
- Processing minutes = ceil(quantity / rate per hour * 60 * 24 / hours per day) on each
  line the product may run on, both in the product's base unit (the curated
  ``base_quantity`` and ``base_rate_per_hour``), so an order in grams and a rate in
  kilograms an hour give the right time. An order without a base-unit quantity is left out
  with that reason. A line that works h < 24 hours a day (SAP work center
  capacity) stops at the end of its shift and resumes with the next one, so an order takes
  24/h times its running time in elapsed time. This spreads the shift pauses evenly over
  the order instead of placing them at the clock times of the shifts (the schedule model
  has no interruptible orders); it is exact for whole days and errs on the late side.
- Changeover from product a to product b on a line is the line's family-to-family time;
  the diagonal (the same product again) is the family's batch-to-batch clean.
- Weight of tardiness from the SAP order priority: 1 (very high) weighs 4, 2 weighs 3,
  3 weighs 2, anything else 1.
- An order whose basic finish date is SAP's open end (9999-12-31) has no due date (due at
  the horizon); one whose basic start date is open-ended cannot be scheduled and is left
  out with that reason.
- The horizon is the latest due time plus a slack of whole days, and never shorter than the
  latest release plus the longest processing time.
- One problem per plant (SAP WERKS): given a plant, only its open orders and its lines
  (work centers) are used, and so only the production versions and changeovers of those
  lines. Time 0 and the horizon are the plant's own. An order of that plant whose material
  runs on no line of the plant is left out with that reason.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

MINUTES_PER_DAY = 24 * 60
PRIORITY_WEIGHTS = {1: 4, 2: 3, 3: 2}
OPEN_END = dt.date(9999, 12, 31)


class TranslationError(ValueError):
    """The curated tables cannot form a scheduling problem; the message says why."""


@dataclass(frozen=True)
class ExcludedOrder:
    order: str
    material: str
    reason: str


@dataclass
class Translation:
    instance: dict[str, Any]
    plan_start: dt.datetime
    excluded: list[ExcludedOrder] = field(default_factory=list)
    order_materials: dict[str, str] = field(default_factory=dict)


def build_instance(
    *,
    orders: pd.DataFrame,
    products: pd.DataFrame,
    lines: pd.DataFrame,
    eligibility: pd.DataFrame,
    changeovers: pd.DataFrame,
    timezone: str,
    horizon_slack_days: int,
    plant: str | None = None,
    name: str | None = None,
) -> Translation:
    """The fields of a SchedulingProblem (pharma-sched-bench/1 terms) from curated tables.

    With ``plant``, the problem of that plant alone (orders and lines whose ``plant`` it is);
    without, every order and line (the tables hold one plant).
    """
    open_orders = orders[orders["is_open"].astype(bool)] if not orders.empty else orders
    if plant is not None:
        planned = sorted({str(p) for p in open_orders.get("plant", pd.Series()).dropna()})
        open_orders = open_orders[open_orders["plant"] == plant]
        lines = lines[lines["plant"] == plant]
        if open_orders.empty:
            raise TranslationError(
                f"plant {plant} has no open production orders in curated/production_orders "
                f"(plants with open orders: {', '.join(planned) or 'none'})"
            )
    if open_orders.empty:
        raise TranslationError("there are no open production orders to schedule")
    name = name or (f"plant {plant}" if plant is not None else "plant")
    where = f" in plant {plant}" if plant is not None else ""
    zone = ZoneInfo(timezone)
    first_day = min(open_orders["start_date"])
    plan_start = dt.datetime.combine(first_day, dt.time(0), tzinfo=zone)

    families = dict(zip(products["material"], products["family"], strict=True))
    rates: dict[str, dict[str, float]] = {}
    for material, line, rate in eligibility[
        ["material", "work_center", "base_rate_per_hour"]
    ].itertuples(index=False):
        rates.setdefault(material, {})[line] = float(rate)
    known_lines = set(lines["work_center"])
    stretch = {
        line: 24.0 / hours if 0 < hours < 24 else 1.0
        for line, hours in zip(
            lines["work_center"], lines["hours_per_day"].astype(float), strict=True
        )
    }

    excluded: list[ExcludedOrder] = []
    order_rows: list[dict[str, Any]] = []
    order_materials: dict[str, str] = {}
    for row in open_orders.sort_values(["start_date", "order"]).to_dict("records"):
        reason = _exclusion_reason(row["material"], families, rates, known_lines, where)
        if reason is None and row["start_date"] >= OPEN_END:
            reason = "basic start date 9999-12-31 is open-ended: the order has no release date"
        quantity = row["base_quantity"]
        if reason is None and (quantity is None or pd.isna(quantity)):
            reason = "the order has no quantity in the product's base unit"
        if reason is not None:
            excluded.append(ExcludedOrder(row["order"], row["material"], reason))
            continue
        proc = {
            line: max(1, math.ceil(float(quantity) / rate * 60 * stretch[line]))
            for line, rate in sorted(rates[row["material"]].items())
            if line in known_lines and rate > 0
        }
        order_rows.append(
            {
                "id": row["order"],
                "product": row["material"],
                "quantity": round(float(quantity)),
                "release": _minutes(row["start_date"], plan_start, zone),
                "due": _due(row["finish_date"], plan_start, zone),
                "weight": PRIORITY_WEIGHTS.get(int(row["priority"]), 1),
                "proc": proc,
            }
        )
        order_materials[row["order"]] = row["material"]
    if not order_rows:
        raise TranslationError(
            f"none of the {len(open_orders)} open orders can be scheduled: "
            + "; ".join(f"{e.order}: {e.reason}" for e in excluded[:5])
        )

    product_ids = sorted({o["product"] for o in order_rows})
    horizon = max(
        max(o["due"] or 0 for o in order_rows) + horizon_slack_days * MINUTES_PER_DAY,
        max(o["release"] + max(o["proc"].values()) for o in order_rows),
    )
    used_lines = sorted({line for o in order_rows for line in o["proc"]})
    line_rows = [
        _line(lines[lines["work_center"] == line].iloc[0], plan_start, zone, horizon)
        for line in used_lines
    ]
    for order in order_rows:
        if order["due"] is None:
            order["due"] = horizon
    runs_on = {line: {o["product"] for o in order_rows if line in o["proc"]} for line in used_lines}
    setups = {
        line: _setup(line, product_ids, runs_on[line], families, changeovers) for line in used_lines
    }
    instance = {
        "name": name,
        "description": "built from the curated tables",
        "time_unit": "min",
        "horizon": horizon,
        "objective": {"weighted_tardiness": 1, "setup_time": 1, "makespan": 0},
        "products": [{"id": p, "family": families[p]} for p in product_ids],
        "lines": line_rows,
        "setup": {"by_line": setups, "default": setups[used_lines[0]]},
        "orders": order_rows,
    }
    return Translation(instance, plan_start, excluded, order_materials)


def _exclusion_reason(
    material: str,
    families: dict[str, str],
    rates: dict[str, dict[str, float]],
    known_lines: set[str],
    where: str,
) -> str | None:
    if material not in families:
        return f"material {material!r} is not a product in curated/products"
    usable = [
        line for line, rate in rates.get(material, {}).items() if line in known_lines and rate > 0
    ]
    if not usable:
        return f"material {material!r} has no eligible line with a positive rate{where}"
    return None


def _due(finish: dt.date, plan_start: dt.datetime, zone: ZoneInfo) -> int | None:
    """End of the finish day; None for SAP's open end (9999-12-31), which has no due date."""
    if finish >= OPEN_END:
        return None
    return _minutes(finish + dt.timedelta(days=1), plan_start, zone)


def _minutes(day: dt.date, plan_start: dt.datetime, zone: ZoneInfo) -> int:
    instant = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    return max(0, int((instant - plan_start).total_seconds() // 60))


def _line(row: pd.Series, plan_start: dt.datetime, zone: ZoneInfo, horizon: int) -> dict[str, Any]:
    available_from = 0
    if row["available_from"] is not None and not pd.isna(row["available_from"]):
        available_from = min(horizon, _minutes(row["available_from"], plan_start, zone))
    available_to = horizon
    last_day = row["available_to"]
    if last_day is not None and not pd.isna(last_day) and last_day < dt.date.max:
        end = last_day + dt.timedelta(days=1)
        available_to = max(available_from, min(horizon, _minutes(end, plan_start, zone)))
    return {
        "id": row["work_center"],
        "available_from": available_from,
        "available_to": available_to,
        "downtimes": [],
    }


def _setup(
    line: str,
    product_ids: list[str],
    runs_here: set[str],
    families: dict[str, str],
    changeovers: pd.DataFrame,
) -> dict[str, Any]:
    """The product-to-product matrix of a line; pairs it never runs are 0 and unused."""
    on_line = changeovers[changeovers["work_center"] == line]
    minutes = {
        (a, b): int(m)
        for a, b, m in on_line[["from_family", "to_family", "minutes"]].itertuples(index=False)
    }
    matrix = []
    for a in product_ids:
        row = []
        for b in product_ids:
            if a not in runs_here or b not in runs_here:
                row.append(0)
                continue
            pair = (families[a], families[b])
            if pair not in minutes:
                raise TranslationError(
                    f"line {line!r} has no changeover time from family {pair[0]!r} to "
                    f"{pair[1]!r} (needed between products {a} and {b})"
                )
            row.append(minutes[pair])
        matrix.append(row)
    return {"matrix": matrix, "initial": [0] * len(product_ids)}
