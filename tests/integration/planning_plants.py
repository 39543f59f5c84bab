"""A hand-made curated warehouse of small plants, for the planning assets alone.

Each plant has two lines of its own and a few open orders of two product families, small
enough that CBC proves the optimum in well under a second. Work centers are named after
their plant (``MIX-0100-1``) because the curated line table keys lines by work center.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from pharma_pipelines.warehouse.curated_repository import CuratedRepository
from pharma_pipelines.warehouse.models import (
    CuratedChangeover,
    CuratedLine,
    CuratedLineEligibility,
    CuratedProduct,
    CuratedProductionOrder,
)

MONDAY = dt.date(2027, 1, 4)
PRODUCTS = {"P1": "F1", "P2": "F2"}


@dataclass(frozen=True)
class OrderRow:
    order: str
    material: str
    start_day: int
    finish_day: int
    quantity: float = 4800.0
    priority: int = 2


@dataclass
class PlantData:
    plant: str
    orders: list[OrderRow] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [f"MIX-{self.plant}-1", f"MIX-{self.plant}-2"]


def a_plant(plant: str, first_order: int) -> PlantData:
    """Four orders over the first week, alternating families."""
    return PlantData(
        plant,
        [
            OrderRow(f"{first_order + i:012d}", "P1" if i % 2 == 0 else "P2", i, i + 2)
            for i in range(4)
        ],
    )


def write_curated(curated: CuratedRepository, plants: list[PlantData]) -> None:
    """Replace the five curated tables the planning assets read with these plants."""
    curated.replace(
        CuratedProduct,
        [
            _row(
                material=m,
                description=m,
                material_type="FERT",
                family=f,
                base_unit="ST",
                plant=None,
                shelf_life_days=None,
            )
            for m, f in PRODUCTS.items()
        ],
    )
    curated.replace(
        CuratedProductionOrder,
        [
            _row(
                order=o.order,
                material=o.material,
                plant=p.plant,
                quantity=o.quantity,
                unit="ST",
                base_quantity=o.quantity,
                base_unit="ST",
                start_date=MONDAY + dt.timedelta(days=o.start_day),
                finish_date=MONDAY + dt.timedelta(days=o.finish_day),
                priority=o.priority,
                system_status="REL",
                is_open=True,
            )
            for p in plants
            for o in p.orders
        ],
    )
    curated.replace(
        CuratedLine,
        [
            _row(
                work_center=line,
                plant=p.plant,
                description=line,
                available_from=None,
                available_to=None,
                hours_per_day=24.0,
            )
            for p in plants
            for line in p.lines()
        ],
    )
    curated.replace(
        CuratedLineEligibility,
        [
            _row(
                material=m,
                work_center=line,
                rate_per_hour=400.0,
                unit="ST",
                base_rate_per_hour=400.0,
                base_unit="ST",
            )
            for p in plants
            for line in p.lines()
            for m in PRODUCTS
        ],
    )
    curated.replace(
        CuratedChangeover,
        [
            _row(work_center=line, from_family=a, to_family=b, minutes=30 if a == b else 120)
            for p in plants
            for line in p.lines()
            for a in PRODUCTS.values()
            for b in PRODUCTS.values()
        ],
    )


def _row(**values: Any) -> dict[str, Any]:
    return {**values, "raw_record_ids": []}
