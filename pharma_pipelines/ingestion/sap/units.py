"""SAP table T006 (units of measure) exported without a header row.

T006 has 23 DDIC fields; a file is T006 when nearly every record has 23 fields, a
three-digit client, a unit key, and a dimension key with integer conversion factors
(numerator, denominator) where DDIC puts them (see ``headerless``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pharma_pipelines.ingestion.sap.headerless import HeaderlessTable
from pharma_pipelines.ingestion.schema import EntitySpec, key, number, text

T006_COLUMNS = (
    ("MANDT", key("client", "MANDT", required=True)),
    ("MSEHI", key("unit", "MSEHI", required=True)),
    ("KZEX3", text("commercial_format_flag", "KZEX3")),
    ("KZEX6", text("technical_format_flag", "KZEX6")),
    ("ANDEC", number("rounding_decimals", "ANDEC")),
    ("KZKEH", text("commercial_unit_flag", "KZKEH")),
    ("KZWOB", text("value_based_commitment_flag", "KZWOB")),
    ("KZ1EH", text("unit_1_flag", "KZ1EH")),
    ("KZ2EH", text("unit_2_flag", "KZ2EH")),
    ("DIMID", key("dimension", "DIMID", required=True)),
    ("ZAEHL", number("numerator", "ZAEHL")),
    ("NENNR", number("denominator", "NENNR")),
    ("EXP10", number("exponent", "EXP10")),
    ("ADDKO", number("additive_constant", "ADDKO")),
    ("EXPON", number("floating_point_exponent", "EXPON")),
    ("DECAN", number("decimal_places", "DECAN")),
    ("ISOCODE", key("iso_code", "ISOCODE")),
    ("PRIMARY", text("primary_iso_flag", "PRIMARY")),
    ("TEMP_VALUE", number("temperature_value", "TEMP_VALUE")),
    ("TEMP_UNIT", key("temperature_unit", "TEMP_UNIT")),
    ("FAMUNIT", key("family_unit", "FAMUNIT")),
    ("PRESS_VAL", number("pressure_value", "PRESS_VAL")),
    ("PRESS_UNIT", key("pressure_unit", "PRESS_UNIT")),
)

UNITS = EntitySpec(
    "sap/units",
    tuple(spec for _, spec in T006_COLUMNS),
    "units of measure and their conversion factors (T006, headerless DDIC order)",
)

_CLIENT = re.compile(r"\d{3}")
_DIMENSION = re.compile(r"[A-Z0-9_]{1,6}")
_INTEGER = re.compile(r"-?\d+")


def _looks_like_t006(fields: Sequence[str]) -> bool:
    return (
        bool(_CLIENT.fullmatch(fields[0]))
        and bool(fields[1].strip())
        and bool(_DIMENSION.fullmatch(fields[9].strip()))
        and bool(_INTEGER.fullmatch(fields[10].strip()))
        and bool(_INTEGER.fullmatch(fields[11].strip()))
    )


T006 = HeaderlessTable(
    name="T006",
    title="units of measure",
    spec=UNITS,
    ddic=tuple(name for name, _ in T006_COLUMNS),
    fits=_looks_like_t006,
)
