"""Past production: completed (TECO) orders and the batches they made, plus purchased lots.

Each finished-goods batch comes from one completed order, manufactured on the day the order
finished. Three batches per plant are only days old, so their QC is still running when the
extract is taken; they become the quarantined batches.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from statistics import fmean

from pharma_pipelines.sample.master_data import FAMILIES
from pharma_pipelines.sample.model import (
    Batch,
    Material,
    OrderStatus,
    ProductionOrder,
    ProductionVersion,
)

_OLDEST_DAYS_AGO = 120
_SETTLED_DAYS_AGO = 25


@dataclass(frozen=True)
class History:
    orders: tuple[ProductionOrder, ...]
    product_batches: tuple[Batch, ...]
    raw_batches: tuple[Batch, ...]
    in_qc: tuple[str, ...]
    next_order_number: int


@dataclass(frozen=True)
class _Run:
    product: Material
    days_ago: int


def build_history(
    rng: random.Random,
    plan_date: dt.date,
    products: Sequence[Material],
    raw_materials: Sequence[Material],
    versions: Sequence[ProductionVersion],
) -> History:
    runs = _past_runs(rng, products)
    rates = _mean_rates(versions)
    order_number = 1_000_000 + rng.randint(1_000, 4_000)
    batch_number = 104_000 + rng.randint(0, 900)
    orders: list[ProductionOrder] = []
    batches: list[Batch] = []
    for run in runs:
        made_on = plan_date - dt.timedelta(days=run.days_ago)
        quantity = int(round(rng.uniform(8, 14) * rates[run.product.number] / 500) * 500)
        order = ProductionOrder(
            number=f"{order_number:012d}",
            material=run.product.number,
            quantity=quantity,
            unit=run.product.base_unit,
            start=made_on - dt.timedelta(days=rng.randint(0, 1)),
            finish=made_on + dt.timedelta(days=rng.randint(0, 2)),
            priority=rng.choice((2, 3)),
            status=OrderStatus.COMPLETED,
            actual_finish=made_on,
        )
        orders.append(order)
        batches.append(
            Batch(
                number=f"{batch_number:010d}",
                material=run.product.number,
                manufactured_on=made_on,
                expires_on=made_on + dt.timedelta(days=run.product.shelf_life_days),
                order=order.number,
                quantity=Decimal(int(quantity * rng.uniform(0.965, 0.995))),
            )
        )
        order_number += rng.randint(1, 9)
        batch_number += rng.randint(1, 3)
    in_qc = tuple(
        batch.number
        for batch in batches
        if (plan_date - batch.manufactured_on).days < _SETTLED_DAYS_AGO
    )
    return History(
        orders=tuple(orders),
        product_batches=tuple(batches),
        raw_batches=_raw_batches(rng, plan_date, raw_materials),
        in_qc=in_qc,
        next_order_number=order_number + rng.randint(20, 60),
    )


def _past_runs(rng: random.Random, products: Sequence[Material]) -> list[_Run]:
    """Two or three settled batches per product, and one fresh batch per family."""
    runs = []
    for product in products:
        for days_ago in rng.sample(
            range(_SETTLED_DAYS_AGO, _OLDEST_DAYS_AGO), rng.choice((2, 2, 3))
        ):
            runs.append(_Run(product, days_ago))
    for family in FAMILIES:
        members = [product for product in products if product.group == family.code]
        runs.append(_Run(rng.choice(members), rng.randint(2, 4)))
    runs.sort(key=lambda run: (-run.days_ago, run.product.number))
    return runs


def _mean_rates(versions: Sequence[ProductionVersion]) -> dict[str, float]:
    grouped: dict[str, list[int]] = {}
    for version in versions:
        grouped.setdefault(version.material, []).append(version.rate_per_hour)
    return {material: fmean(rates) for material, rates in grouped.items()}


def _raw_batches(
    rng: random.Random, plan_date: dt.date, raw_materials: Sequence[Material]
) -> tuple[Batch, ...]:
    """Supplier lots; a material without a shelf life has no expiry date (SAP ``00000000``)."""
    batches = []
    number = 900_000 + rng.randint(100, 800)
    for material in raw_materials:
        for _ in range(rng.choice((1, 2))):
            made_on = plan_date - dt.timedelta(days=rng.randint(60, 400))
            expires = None
            if material.shelf_life_days:
                expires = made_on + dt.timedelta(days=material.shelf_life_days)
            quantity = Decimal(rng.randint(20_000, 900_000)) / 1000
            batches.append(
                Batch(f"{number:010d}", material.number, made_on, expires, None, quantity)
            )
            number += rng.randint(1, 40)
    return tuple(batches)
