"""The sample plant as its systems know it, before any of it is written to a file.

Everything the files say is derived from these records, so the SAP, LIMS and Outlook
extracts agree with each other: a batch's order exists, a disposition follows its results,
a customer orders products the plant makes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

PLANT = "0100"
HORIZON_DAYS = 14


class OrderStatus(StrEnum):
    CREATED = "CRTD"
    RELEASED = "REL"
    COMPLETED = "TECO"


class Decision(StrEnum):
    RELEASED = "RELEASED"
    QUARANTINE = "QUARANTINE"
    REJECTED = "REJECTED"


class Lab(StrEnum):
    CHEMISTRY = "chemistry"
    MICROBIOLOGY = "microbiology"


@dataclass(frozen=True)
class MaterialGroup:
    code: str
    name: str


@dataclass(frozen=True)
class Material:
    number: str
    description: str
    material_type: str
    group: str
    base_unit: str
    shelf_life_days: int


@dataclass(frozen=True)
class WorkCenter:
    code: str
    description: str
    hours_per_day: int
    available_from: dt.date
    available_to: dt.date

    def is_available(self, day: dt.date) -> bool:
        return self.available_from <= day <= self.available_to


@dataclass(frozen=True)
class ProductionVersion:
    material: str
    version: str
    work_center: str
    rate_per_hour: int
    valid_from: dt.date
    valid_to: dt.date


@dataclass(frozen=True)
class Changeover:
    work_center: str
    from_group: str
    to_group: str
    minutes: int


@dataclass(frozen=True)
class ProductionOrder:
    number: str
    material: str
    quantity: int
    unit: str
    start: dt.date
    finish: dt.date
    priority: int
    status: OrderStatus
    actual_finish: dt.date | None = None

    @property
    def is_open(self) -> bool:
        return self.status is not OrderStatus.COMPLETED


@dataclass(frozen=True)
class Batch:
    number: str
    material: str
    manufactured_on: dt.date
    expires_on: dt.date | None
    order: str | None
    quantity: Decimal


@dataclass(frozen=True)
class StockLine:
    material: str
    storage_location: str
    batch: str | None
    unrestricted: Decimal
    in_inspection: Decimal
    blocked: Decimal
    unit: str


@dataclass(frozen=True)
class Specification:
    material: str
    test: str
    unit: str
    spec_min: str | None
    spec_max: str | None
    text_spec: str | None
    release_relevant: bool
    lab: Lab


@dataclass(frozen=True)
class Sample:
    sample_id: str
    batch: str
    material: str
    sample_type: str
    sampled_on: dt.date


@dataclass(frozen=True)
class Result:
    """``value`` is written with a decimal point; a lab with a German PC converts it.

    A test run more than once has one result per run: ``run`` counts the runs on the sample,
    ``retest_of`` names the run it repeats, ``valid`` is false for an invalidated run and
    ``reason`` documents why. ``result_time`` is set where the lab wrote the time of day.
    """

    sample_id: str
    batch: str
    test: str
    value: str
    unit: str
    result_date: dt.date
    lab: Lab
    run: int = 1
    retest_of: int | None = None
    valid: bool = True
    reason: str | None = None
    result_time: dt.time | None = None


@dataclass(frozen=True)
class Disposition:
    batch: str
    material: str
    decision: Decision
    decided_on: dt.date | None
    decided_by: str | None


@dataclass(frozen=True)
class Customer:
    key: str
    name: str
    address: str
    contact: str
    german: bool
    sheet: str
    forwarded_by: str | None = None
    iso_units: bool = False
    """The customer's purchasing system writes ISO unit codes (PCE), not SAP's (ST)."""


@dataclass(frozen=True)
class CustomerOrderLine:
    customer: str
    po_number: str
    item: int
    material: str
    quantity: int
    unit: str
    requested_date: dt.date


@dataclass(frozen=True)
class Plant:
    """The whole generated plant; ``plan_date`` is day 0 of the two-week horizon."""

    seed: int
    plan_date: dt.date
    groups: tuple[MaterialGroup, ...]
    products: tuple[Material, ...]
    raw_materials: tuple[Material, ...]
    work_centers: tuple[WorkCenter, ...]
    versions: tuple[ProductionVersion, ...]
    changeovers: tuple[Changeover, ...]
    open_orders: tuple[ProductionOrder, ...]
    completed_orders: tuple[ProductionOrder, ...]
    batches: tuple[Batch, ...]
    stock: tuple[StockLine, ...]
    specifications: tuple[Specification, ...]
    samples: tuple[Sample, ...]
    results: tuple[Result, ...]
    dispositions: tuple[Disposition, ...]
    customers: tuple[Customer, ...]
    order_lines: tuple[CustomerOrderLine, ...]

    @property
    def materials(self) -> tuple[Material, ...]:
        return self.products + self.raw_materials
