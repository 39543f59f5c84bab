"""SAP table T006 (units of measure) exported without a header row.

Table exports of SAP customizing carry no header: the columns are the table's
DDIC fields in order. T006 has 23 of them; a file is T006 when nearly every
record has 23 fields, a three-digit client, a unit key, and a dimension key
with integer conversion factors (numerator, denominator) where DDIC puts them.

Other headerless SAP customizing tables (unit texts, currencies, exchange
rates) are recognised only to name them in a quarantine reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pharma_pipelines.ingestion.delimited import Record
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

T006_HEADER = tuple(name for name, _ in T006_COLUMNS)

_CLIENT = re.compile(r"\d{3}")
_DIMENSION = re.compile(r"[A-Z0-9_]{1,6}")
_INTEGER = re.compile(r"-?\d+")


def _looks_like_t006(fields: Sequence[str]) -> bool:
    return (
        len(fields) == len(T006_COLUMNS)
        and bool(_CLIENT.fullmatch(fields[0]))
        and bool(fields[1].strip())
        and bool(_DIMENSION.fullmatch(fields[9].strip()))
        and bool(_INTEGER.fullmatch(fields[10].strip()))
        and bool(_INTEGER.fullmatch(fields[11].strip()))
    )


def is_t006(records: Sequence[Record]) -> tuple[bool, str]:
    """Whether ``records`` are a headerless T006 export, and the evidence either way."""
    sample = [r for r in records[:200] if not r.is_blank]
    if not sample:
        return False, "the file has no records"
    fitting = sum(1 for r in sample if _looks_like_t006(r.fields))
    widths = sorted({len(r.fields) for r in sample})
    if fitting >= 0.9 * len(sample):
        return True, f"{fitting} of the first {len(sample)} records have the 23-field T006 layout"
    return False, (
        f"only {fitting} of the first {len(sample)} records have the 23-field T006 layout "
        f"(field counts seen: {widths[:6]})"
    )


_KNOWN_HEADERLESS = (
    (7, re.compile(r"\d{3},[A-Z],"), "T006A (unit of measure texts per language)"),
    (8, re.compile(r"\d{3},[^,]{1,4},[A-Z]{3},[A-Z]{3},\d{8},"), "TCURR (exchange rates)"),
    (6, re.compile(r"\d{3},[A-Z]{3},[A-Z]{3},\d{3},\d{8},"), "TCURC (currency codes)"),
    (2, re.compile(r"[A-Z0-9]{1,5},\d+$"), "TCURX (currency decimal places)"),
)


def name_headerless_table(records: Sequence[Record]) -> str | None:
    """Name a known headerless SAP customizing table that is not an extract kind."""
    first = next((r for r in records if not r.is_blank), None)
    if first is None:
        return None
    joined = ",".join(first.fields)
    for width, pattern, name in _KNOWN_HEADERLESS:
        if len(first.fields) == width and pattern.match(joined):
            return name
    return None
