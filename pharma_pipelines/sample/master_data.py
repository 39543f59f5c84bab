"""Material master, work centers, production versions and the changeover matrix.

The plant packs solid orals on two blister lines and a bottle line, and fills sterile
liquids in an isolator and on the bottle line. That makes the bottle line the one place
where the long cross-family changeovers compete with capacity.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from pharma_pipelines.sample.formats import OPEN_END
from pharma_pipelines.sample.model import (
    Changeover,
    Material,
    MaterialGroup,
    ProductionVersion,
    WorkCenter,
)

TABLETS = MaterialGroup("00100", "Tabletten (feste orale Darreichung)")
CAPSULES = MaterialGroup("00200", "Hartkapseln")
STERILE = MaterialGroup("00300", "Sterile Lösungen")
FAMILIES = (TABLETS, CAPSULES, STERILE)

_PRODUCT_TEXTS = {
    TABLETS.code: (
        "Amlodipin Tabletten 5 mg – Blister 30 St.",
        "Metformin Filmtabl. 500 mg – Blister 120",
        "Ramipril Tabletten 5 mg – Blister, Lagerung 2–8 °C",
        "Bisoprolol Filmtabl. 2,5 mg – Blister 50",
        "Levothyroxin Tabl. 50 µg – Blister 100",
    ),
    CAPSULES.code: (
        "Omeprazol Hartkapseln 20 mg – Flasche 28",
        "Pregabalin Kapseln 75 mg – Blister 56",
        "Tamsulosin Retardkaps. 0,4 mg – Blister 30",
    ),
    STERILE.code: (
        "Ondansetron Inj.-Lsg. 2 mg/ml – Ampulle 4 ml",
        "Natriumchlorid 0,9 % Infusionslsg. 100 ml",
        "Enoxaparin Inj.-Lsg. 40 mg – Fertigspritze",
        "Heparin 5.000 I.E./ml – Vial, Lagerung 2–8 °C",
    ),
}
_SHELF_LIFE_DAYS = {TABLETS.code: 1095, CAPSULES.code: 730, STERILE.code: 540}

_RAW_MATERIALS = (
    ("API", "01000", "Amlodipinbesilat (Wirkstoff)", 1825),
    ("API", "01000", "Ondansetron-HCl-Dihydrat (Wirkstoff)", 1825),
    ("API", "01000", "Pregabalin (Wirkstoff)", 1460),
    ("EXC", "01100", "Lactose-Monohydrat, Ø 200 µm", 1095),
    ("EXC", "01100", "Magnesiumstearat (pflanzlich)", 0),
)

_FAMILY_LINES = {
    TABLETS.code: ("BLI-01", "BLI-02", "FLA-03"),
    CAPSULES.code: ("BLI-01", "BLI-02", "FLA-03"),
    STERILE.code: ("ASE-04", "FLA-03"),
}
_LINE_SPEED = {"BLI-01": 1.0, "BLI-02": 1.15, "FLA-03": 0.8, "ASE-04": 1.0}
_BASE_RATE = {TABLETS.code: (5200, 8800), CAPSULES.code: (4200, 7000), STERILE.code: (1600, 3200)}


@dataclass(frozen=True)
class _LinePlan:
    code: str
    description: str
    hours_per_day: int
    opens_on_day: int | None
    closes_after_day: int | None
    years_in_service: int


_LINES = (
    _LinePlan("BLI-01", "Blisterlinie 1 – Tabletten/Kapseln", 16, None, None, 8),
    _LinePlan("BLI-02", "Blisterlinie 2 – Tabletten/Kapseln", 16, 4, None, 5),
    _LinePlan("FLA-03", "Flaschen- und Vialabfüllung 3", 8, None, None, 7),
    _LinePlan("ASE-04", "Aseptische Abfüllung Isolator 4", 16, None, 9, 4),
)


def material_number(number: int) -> str:
    """SAP's internal MATNR: numeric, left-padded with zeros to 18 characters."""
    return f"{number:018d}"


def build_products(rng: random.Random) -> tuple[Material, ...]:
    numbers = sorted(rng.sample(range(10_000, 90_000), sum(map(len, _PRODUCT_TEXTS.values()))))
    products: list[Material] = []
    for group in FAMILIES:
        for text in _PRODUCT_TEXTS[group.code]:
            products.append(
                Material(
                    number=material_number(numbers[len(products)]),
                    description=text,
                    material_type="FERT",
                    group=group.code,
                    base_unit="ST",
                    shelf_life_days=_SHELF_LIFE_DAYS[group.code],
                )
            )
    return tuple(products)


def build_raw_materials(rng: random.Random) -> tuple[Material, ...]:
    """Purchased materials keep their alphanumeric supplier-style ids (``API-7788-X``)."""
    materials = []
    for prefix, group, text, shelf_life in _RAW_MATERIALS:
        number = f"{prefix}-{rng.randint(1000, 9999)}-{rng.choice('KLMNPRSTVX')}"
        materials.append(Material(number, text, "ROH", group, "KG", shelf_life))
    return tuple(materials)


def build_work_centers(plan_date: dt.date) -> tuple[WorkCenter, ...]:
    """Two lines have a window inside the horizon: one back from maintenance, one closing."""
    centers = []
    for line in _LINES:
        opens = dt.date(plan_date.year - line.years_in_service, 1, 1)
        if line.opens_on_day is not None:
            opens = plan_date + dt.timedelta(days=line.opens_on_day)
        closes = OPEN_END
        if line.closes_after_day is not None:
            closes = plan_date + dt.timedelta(days=line.closes_after_day)
        centers.append(WorkCenter(line.code, line.description, line.hours_per_day, opens, closes))
    return tuple(centers)


def build_production_versions(
    rng: random.Random, products: tuple[Material, ...], plan_date: dt.date
) -> tuple[ProductionVersion, ...]:
    """Each product runs on two or three lines; rates differ by line speed and product.

    Solid orals choose two or three of the three packing lines, so each has a blister line.
    """
    versions = []
    for product in products:
        candidates = _FAMILY_LINES[product.group]
        count = rng.choice((2, 3)) if len(candidates) == 3 else 2
        lines = sorted(rng.sample(candidates, count))
        low, high = _BASE_RATE[product.group]
        base = rng.uniform(low, high)
        valid_from = dt.date(plan_date.year - 2, 1, 1)
        for position, line in enumerate(lines, start=1):
            rate = base * _LINE_SPEED[line] * rng.uniform(0.95, 1.05)
            versions.append(
                ProductionVersion(
                    material=product.number,
                    version=f"{position:04d}",
                    work_center=line,
                    rate_per_hour=int(round(rate / 50) * 50),
                    valid_from=valid_from,
                    valid_to=OPEN_END,
                )
            )
    return tuple(versions)


def build_changeovers(
    rng: random.Random, work_centers: tuple[WorkCenter, ...]
) -> tuple[Changeover, ...]:
    """Within a family a batch-to-batch clean (30-90 min); across families 180-480 min.

    Directions are drawn separately so the matrix is asymmetric, as real cleaning is:
    going from a potent or sterile product to anything else takes longer than the reverse.
    """
    changeovers = []
    for center in work_centers:
        used: set[int] = set()
        for source in FAMILIES:
            for target in FAMILIES:
                low, high = (30, 90) if source == target else (180, 480)
                minutes = rng.randrange(low, high + 1, 5)
                while source != target and minutes in used:
                    minutes = rng.randrange(low, high + 1, 5)
                used.add(minutes)
                changeovers.append(Changeover(center.code, source.code, target.code, minutes))
    return tuple(changeovers)
