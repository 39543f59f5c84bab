"""Builds the whole sample plant from a seed.

Each part draws from its own random stream (named after the part), so adding a record to
one part does not reshuffle every other file of the sample.
"""

from __future__ import annotations

import datetime as dt
import random

from pharma_pipelines.sample.demand import CUSTOMERS, build_order_lines
from pharma_pipelines.sample.history import build_history
from pharma_pipelines.sample.master_data import (
    FAMILIES,
    build_changeovers,
    build_production_versions,
    build_products,
    build_raw_materials,
    build_work_centers,
)
from pharma_pipelines.sample.model import Plant
from pharma_pipelines.sample.orders import build_open_orders
from pharma_pipelines.sample.quality import build_quality, build_stock
from pharma_pipelines.sample.summary import LoadFigures

_FIRST_PLAN_YEAR = 2020
_PLAN_YEARS = 60


def plan_date_for(seed: int) -> dt.date:
    """The Monday of ISO week 1 of year 2020 + seed (mod 60): seed 7 gives 2027-01-04."""
    return dt.date.fromisocalendar(_FIRST_PLAN_YEAR + seed % _PLAN_YEARS, 1, 1)


def build_plant(seed: int) -> tuple[Plant, LoadFigures]:
    def stream(part: str) -> random.Random:
        return random.Random(f"pharma-pipelines-sample:{seed}:{part}")

    plan_date = plan_date_for(seed)
    products = build_products(stream("products"))
    raw_materials = build_raw_materials(stream("raw_materials"))
    centers = build_work_centers(plan_date)
    versions = build_production_versions(stream("versions"), products, plan_date)
    changeovers = build_changeovers(stream("changeovers"), centers)
    history = build_history(stream("history"), plan_date, products, raw_materials, versions)
    plan = build_open_orders(
        stream("open_orders"),
        plan_date,
        products,
        versions,
        centers,
        changeovers,
        history.next_order_number,
    )
    quality = build_quality(
        stream("quality"),
        plan_date,
        products,
        history.product_batches,
        history.in_qc,
        stream("retests"),
    )
    stock = build_stock(
        stream("stock"),
        plan_date,
        history.product_batches,
        history.raw_batches,
        quality.dispositions,
        raw_materials,
    )
    plant = Plant(
        seed=seed,
        plan_date=plan_date,
        groups=FAMILIES,
        products=products,
        raw_materials=raw_materials,
        work_centers=centers,
        versions=versions,
        changeovers=changeovers,
        open_orders=plan.orders,
        completed_orders=history.orders,
        batches=history.product_batches + history.raw_batches,
        stock=stock,
        specifications=quality.specifications,
        samples=quality.samples,
        results=quality.results,
        dispositions=quality.dispositions,
        customers=CUSTOMERS,
        order_lines=build_order_lines(stream("demand"), products, plan.orders, plan_date),
    )
    return plant, plan.load
