"""Open production orders whose dates admit a schedule, but not a trivial one.

The dates are derived from a reference schedule that is built first: orders are spread over
their eligible lines, grouped by family and timed with the changeover matrix inside each
line's shifts. Release dates lie on or before, due dates on or after the reference times,
so the plan is feasible by construction; about a third of the orders get no slack at all,
so a scheduler that ignores sequence or changeovers misses due dates.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean

from pharma_pipelines.sample.master_data import FAMILIES
from pharma_pipelines.sample.model import (
    HORIZON_DAYS,
    Changeover,
    Material,
    OrderStatus,
    ProductionOrder,
    ProductionVersion,
    WorkCenter,
)
from pharma_pipelines.sample.summary import LoadFigures

OPEN_ORDERS = 40
MIN_ORDER_HOURS = 4.0
MAX_ORDER_HOURS = 16.0
LOAD_RANGE = (0.60, 0.68)
TIGHT_SHARE = 0.3
SHIFT_START_HOUR = 6
_MAX_ATTEMPTS = 500

Window = tuple[float, float]


@dataclass(frozen=True)
class _Draft:
    product: Material
    quantity: int
    rates: Mapping[str, int]

    def hours_on(self, line: str) -> float:
        return self.quantity / self.rates[line]

    @property
    def mean_hours(self) -> float:
        return self.quantity / fmean(self.rates.values())


@dataclass(frozen=True)
class _Slot:
    draft: _Draft
    line: str
    setup_start: float
    setup_hours: float
    end: float


@dataclass(frozen=True)
class OpenOrderPlan:
    orders: tuple[ProductionOrder, ...]
    load: LoadFigures


def working_windows(center: WorkCenter, plan_date: dt.date) -> list[Window]:
    """Shift hours of a line inside the horizon, counted in hours from plan start."""
    windows = []
    for day in range(HORIZON_DAYS):
        if center.is_available(plan_date + dt.timedelta(days=day)):
            start = day * 24.0 + SHIFT_START_HOUR
            windows.append((start, start + center.hours_per_day))
    return windows


def build_open_orders(
    rng: random.Random,
    plan_date: dt.date,
    products: Sequence[Material],
    versions: Sequence[ProductionVersion],
    centers: Sequence[WorkCenter],
    changeovers: Sequence[Changeover],
    first_number: int,
) -> OpenOrderPlan:
    windows = {center.code: working_windows(center, plan_date) for center in centers}
    capacity = sum(end - start for line in windows.values() for start, end in line)
    minutes = {(c.work_center, c.from_group, c.to_group): c.minutes for c in changeovers}
    rates: dict[str, dict[str, int]] = {}
    for version in versions:
        rates.setdefault(version.material, {})[version.work_center] = version.rate_per_hour
    for _ in range(_MAX_ATTEMPTS):
        drafts = _draft_orders(rng, products, rates)
        load = sum(draft.mean_hours for draft in drafts) / capacity
        if not LOAD_RANGE[0] <= load <= LOAD_RANGE[1]:
            continue
        slots = _reference_schedule(drafts, windows, minutes)
        if slots is not None:
            return _dated_orders(rng, plan_date, slots, capacity, first_number)
    raise RuntimeError(
        f"no order set within load {LOAD_RANGE} fits the lines after {_MAX_ATTEMPTS} draws"
    )


def _draft_orders(
    rng: random.Random, products: Sequence[Material], rates: Mapping[str, Mapping[str, int]]
) -> list[_Draft]:
    """Every product gets at least two orders; each runs 4-16 h on every eligible line."""
    counts = {product.number: 2 for product in products}
    for product in rng.choices(products, k=OPEN_ORDERS - 2 * len(products)):
        counts[product.number] += 1
    drafts = []
    for product in products:
        for _ in range(counts[product.number]):
            drafts.append(_draft_order(rng, product, rates[product.number]))
    rng.shuffle(drafts)
    return drafts


def _draft_order(rng: random.Random, product: Material, rates: Mapping[str, int]) -> _Draft:
    """Mostly long runs, one in five a short one, so durations span the whole 4-16 h band."""
    while True:
        hours = rng.uniform(4.5, 7.5) if rng.random() < 0.2 else rng.uniform(9.0, 15.8)
        quantity = int(round(hours * fmean(rates.values()) / 500) * 500)
        draft = _Draft(product, quantity, rates)
        if all(MIN_ORDER_HOURS <= draft.hours_on(line) <= MAX_ORDER_HOURS for line in rates):
            return draft


def _reference_schedule(
    drafts: Sequence[_Draft],
    windows: Mapping[str, list[Window]],
    minutes: Mapping[tuple[str, str, str], int],
) -> list[_Slot] | None:
    """Longest orders first onto the relatively least loaded line, then time each line."""
    capacity = {line: sum(end - start for start, end in spans) for line, spans in windows.items()}
    assigned: dict[str, list[_Draft]] = {line: [] for line in windows}
    load = dict.fromkeys(windows, 0.0)
    ranked = sorted(enumerate(drafts), key=lambda item: (-item[1].mean_hours, item[0]))
    for _, draft in ranked:
        line = min(
            (line for line in draft.rates if capacity[line] > 0),
            key=lambda line: ((load[line] + draft.hours_on(line)) / capacity[line], line),
        )
        assigned[line].append(draft)
        load[line] += draft.hours_on(line)
    slots: list[_Slot] = []
    for line, queue in assigned.items():
        timed = _time_line(line, _by_family(queue), windows[line], minutes)
        if timed is None:
            return None
        slots.extend(timed)
    return slots


def _by_family(queue: Sequence[_Draft]) -> list[_Draft]:
    order = {group.code: rank for rank, group in enumerate(FAMILIES)}
    return sorted(queue, key=lambda draft: (order[draft.product.group], draft.product.number))


def _time_line(
    line: str,
    queue: Sequence[_Draft],
    windows: list[Window],
    minutes: Mapping[tuple[str, str, str], int],
) -> list[_Slot] | None:
    """Place setups and runs back to back in the shifts; None when the line overflows."""
    clock = 0.0
    previous: str | None = None
    slots = []
    for draft in queue:
        group = draft.product.group
        setup_hours = minutes[(line, previous or group, group)] / 60
        setup = _consume(windows, clock, setup_hours)
        if setup is None:
            return None
        run = _consume(windows, setup[1], draft.hours_on(line))
        if run is None:
            return None
        slots.append(_Slot(draft, line, setup[0], setup_hours, run[1]))
        clock, previous = run[1], group
    return slots


def _consume(windows: list[Window], clock: float, hours: float) -> Window | None:
    """First working instant at or after ``clock`` and the end of ``hours`` of work."""
    remaining = hours
    start: float | None = None
    for window_start, window_end in windows:
        if window_end <= clock:
            continue
        begin = max(clock, window_start)
        start = begin if start is None else start
        if remaining <= window_end - begin + 1e-9:
            return start, begin + remaining
        remaining -= window_end - begin
        clock = window_end
    return None


def _dated_orders(
    rng: random.Random,
    plan_date: dt.date,
    slots: Sequence[_Slot],
    capacity: float,
    first_number: int,
) -> OpenOrderPlan:
    dated = []
    tight_count = 0
    for slot in slots:
        first_day = int(slot.setup_start // 24)
        last_day = int((slot.end - 1e-6) // 24)
        tight = rng.random() < TIGHT_SHARE or last_day >= HORIZON_DAYS - 1
        tight_count += tight
        release = first_day if tight else max(first_day - rng.randint(1, 4), -3)
        due = last_day if tight else min(last_day + rng.randint(1, 5), HORIZON_DAYS - 1)
        dated.append((release, due, tight, slot))
    dated.sort(key=lambda item: (item[0], item[1], item[3].draft.product.number))
    orders = []
    for index, (release, due, tight, slot) in enumerate(dated):
        orders.append(
            ProductionOrder(
                number=f"{first_number + index:012d}",
                material=slot.draft.product.number,
                quantity=slot.draft.quantity,
                unit=slot.draft.product.base_unit,
                start=plan_date + dt.timedelta(days=release),
                finish=plan_date + dt.timedelta(days=due),
                priority=1 if tight else rng.choice((2, 3, 3, 4)),
                status=OrderStatus.RELEASED if release <= 1 else OrderStatus.CREATED,
            )
        )
    drafts = [slot.draft for slot in slots]
    load = LoadFigures(
        capacity_hours=capacity,
        order_hours_mean_rate=round(sum(d.mean_hours for d in drafts), 2),
        order_hours_fastest_rate=round(sum(d.quantity / max(d.rates.values()) for d in drafts), 2),
        reference_order_hours=round(sum(slot.draft.hours_on(slot.line) for slot in slots), 2),
        reference_changeover_hours=round(sum(slot.setup_hours for slot in slots), 2),
        tight_orders=tight_count,
    )
    return OpenOrderPlan(tuple(orders), load)
