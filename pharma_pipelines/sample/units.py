"""The plant's units of measure, as its SAP client's table T006 holds them.

The sample exports T006 the way customizing tables leave SAP: no header, the 23 DDIC fields
in order, a blank field as one space. The client keeps the units the plant uses plus a few
neighbours of each dimension, so a conversion has something to convert to.
"""

from __future__ import annotations

from dataclasses import dataclass

CLIENT = "100"


@dataclass(frozen=True)
class UnitOfMeasure:
    """One T006 row: key, dimension, factor to SI (ZAEHL / NENNR * 10**EXP10), ANDEC, ISO."""

    key: str
    dimension: str
    numerator: int
    denominator: int
    exponent: int
    decimals: int
    iso_code: str
    additive: str = "0.000000"


UNITS = (
    UnitOfMeasure("%", "PROPOR", 1, 100, 0, 0, "P1"),
    UnitOfMeasure("EA", "AAAADL", 1, 1, 0, 0, "EA"),
    UnitOfMeasure("G", "MASS", 1, 1000, 0, 3, "GRM"),
    UnitOfMeasure("GC", "TEMP", 1, 1, 0, 0, "CEL", "273.150000"),
    UnitOfMeasure("H", "TIME", 3600, 1, 0, 3, "HUR"),
    UnitOfMeasure("KAR", "AAAADL", 1, 1, 0, 0, "CT"),
    UnitOfMeasure("KG", "MASS", 1, 1, 0, 3, "KGM"),
    UnitOfMeasure("L", "VOLUME", 1, 1000, 0, 3, "LTR"),
    UnitOfMeasure("MG", "MASS", 1, 1_000_000, 0, 3, "MGM"),
    UnitOfMeasure("MIN", "TIME", 60, 1, 0, 3, "MIN"),
    UnitOfMeasure("ML", "VOLUME", 1, 1_000_000, 0, 3, "MLT"),
    UnitOfMeasure("PAK", "AAAADL", 1, 1, 0, 0, "PK"),
    UnitOfMeasure("ST", "AAAADL", 1, 1, 0, 0, "PCE"),
    UnitOfMeasure("TAG", "TIME", 86_400, 1, 0, 0, "DAY"),
)

BY_KEY = {unit.key: unit for unit in UNITS}


def iso_code(key: str) -> str:
    """The ISO code a customer's purchasing system writes for one of the plant's units."""
    return BY_KEY[key].iso_code


def t006_row(unit: UnitOfMeasure) -> list[str]:
    """The 23 T006 fields in DDIC order (MANDT ... PRESS_UNIT); SAP writes blanks as a space."""
    blank = " "
    return [
        CLIENT,
        unit.key,
        "X",
        "X",
        str(unit.decimals),
        "X",
        blank,
        blank,
        blank,
        unit.dimension,
        str(unit.numerator),
        str(unit.denominator),
        str(unit.exponent),
        unit.additive,
        "0",
        "0",
        unit.iso_code,
        "X",
        "0",
        blank,
        blank,
        "0",
        blank,
    ]
