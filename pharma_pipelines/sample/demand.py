"""Customers and the order lines they send by e-mail.

Demand is derived from the open production orders: per product the customers ask for 85 to
100 % of what is being made, a few days after the order's due date, so the orders and the
demand tell the same story. The hospital group's purchasing system writes ISO unit codes
(``PCE``) where SAP and the other customers write SAP's keys (``ST``).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from pharma_pipelines.sample.model import Customer, CustomerOrderLine, Material, ProductionOrder
from pharma_pipelines.sample.units import iso_code

CUSTOMERS = (
    Customer(
        "ACME",
        "ACME Pharma Distribution Ltd",
        "orders@acme-pharma.example",
        "Jane Porter",
        german=False,
        sheet="csv",
    ),
    Customer(
        "AURELIA",
        "St Aurelia Hospital Group",
        "procurement@st-aurelia.example",
        "Owen Reddy",
        german=False,
        sheet="xlsx",
        iso_units=True,
    ),
    Customer(
        "NORDAPO",
        "Nordapotheken Einkauf GmbH",
        "einkauf@nordapotheken.example",
        "Henrik Lüders",
        german=True,
        sheet="xlsx",
    ),
    Customer(
        "KLINIKUMSUED",
        "Klinikum Süd – Zentralapotheke",
        "apotheke@klinikum-sued.example",
        "Sabine Wagner",
        german=True,
        sheet="csv",
        forwarded_by="Markus Vogel",
    ),
)
_MIN_LINES_PER_CUSTOMER = 3
_PO_NUMBERS = {
    "ACME": "PO-{n}",
    "AURELIA": "SAH/PO/{n}",
    "NORDAPO": "NA-{year}-{n:04d}",
    "KLINIKUMSUED": "{year}-{n:04d}",
}


def build_order_lines(
    rng: random.Random,
    products: Sequence[Material],
    open_orders: Sequence[ProductionOrder],
    plan_date: dt.date,
) -> tuple[CustomerOrderLine, ...]:
    """Split each product's demand over one to three different customers, in uneven shares."""
    while True:
        parts = [part for product in products for part in _parts(rng, product, open_orders)]
        per_customer = {
            customer.key: [p for p in parts if p[0] == customer.key] for customer in CUSTOMERS
        }
        if all(len(mine) >= _MIN_LINES_PER_CUSTOMER for mine in per_customer.values()):
            break
    lines = []
    for customer in CUSTOMERS:
        mine = sorted(per_customer[customer.key], key=lambda part: (part[3], part[1].number))
        po_number = _PO_NUMBERS[customer.key].format(n=rng.randint(10, 9_999), year=plan_date.year)
        step = 1 if customer.key == "ACME" else 10
        for position, (_, product, quantity, requested) in enumerate(mine, start=1):
            lines.append(
                CustomerOrderLine(
                    customer.key,
                    po_number,
                    position * step,
                    product.number,
                    quantity,
                    iso_code(product.base_unit) if customer.iso_units else product.base_unit,
                    requested,
                )
            )
    return tuple(lines)


def _parts(
    rng: random.Random, product: Material, open_orders: Sequence[ProductionOrder]
) -> list[tuple[str, Material, int, dt.date]]:
    orders = [order for order in open_orders if order.material == product.number]
    total = sum(order.quantity for order in orders) * rng.uniform(0.85, 1.0)
    buyers = rng.sample([customer.key for customer in CUSTOMERS], rng.choice((1, 2, 2, 3)))
    weights = [rng.uniform(0.5, 1.5) for _ in buyers]
    parts = []
    for buyer, weight in zip(buyers, weights, strict=True):
        quantity = int(round(total * weight / sum(weights) / 500) * 500)
        due = rng.choice(orders).finish + dt.timedelta(days=rng.randint(1, 4))
        parts.append((buyer, product, quantity, due))
    return parts
