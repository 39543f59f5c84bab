"""SAP customizing tables exported without a header: unit texts, currencies, exchange rates.

Like T006 (``units``), these files hold a table's DDIC fields in order and nothing
else. The shape tests use what DDIC fixes about each column (field lengths, a
three-digit client, eight digits for a date), so a file of another table that happens
to have the same width does not pass for one of these.

TCURR stores its validity date ``GDATU`` inverted (99999999 minus ``YYYYMMDD``, so the
newest rate sorts first); ``values.parse_inverted_date`` reads it. A negative rate
``UKURS`` is an indirect quotation (``values.parse_sap_exchange_rate``); rate types
such as ``100*`` are keys and stay as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from pharma_pipelines.ingestion.sap.headerless import HeaderlessTable
from pharma_pipelines.ingestion.sap.units import T006
from pharma_pipelines.ingestion.schema import (
    EntitySpec,
    FieldSpec,
    day,
    inverted_day,
    key,
    number,
    text,
)

_CLIENT = re.compile(r"\d{3}")
_CURRENCY = re.compile(r"[A-Z0-9]{1,5}")
_DATE = re.compile(r"\d{8}")
_NUMBER = re.compile(r"[+-]?[\d.,]*\d[\d.,]*[+-]?")


def _spec(entity: str, summary: str, columns: Sequence[tuple[str, FieldSpec]]) -> EntitySpec:
    return EntitySpec(entity, tuple(field for _, field in columns), summary)


def _at_most(value: str, length: int, *, required: bool = False) -> bool:
    stripped = value.strip()
    return len(stripped) <= length and (bool(stripped) or not required)


T006A_COLUMNS = (
    ("MANDT", key("client", "MANDT", required=True)),
    ("SPRAS", key("language", "SPRAS", required=True)),
    ("MSEHI", key("unit", "MSEHI", required=True)),
    ("MSEH3", key("commercial_unit", "MSEH3")),
    ("MSEH6", key("technical_unit", "MSEH6")),
    ("MSEHT", text("short_text", "MSEHT")),
    ("MSEHL", text("long_text", "MSEHL")),
)

UNIT_TEXTS = _spec(
    "sap/unit_texts",
    "unit of measure names per language (T006A, headerless DDIC order)",
    T006A_COLUMNS,
)


def _looks_like_t006a(fields: Sequence[str]) -> bool:
    return (
        bool(_CLIENT.fullmatch(fields[0]))
        and len(fields[1].strip()) == 1
        and _at_most(fields[2], 3, required=True)
        and _at_most(fields[3], 3)
        and _at_most(fields[4], 6)
        and _at_most(fields[5], 10)
        and _at_most(fields[6], 30)
    )


TCURR_COLUMNS = (
    ("MANDT", key("client", "MANDT", required=True)),
    ("KURST", key("rate_type", "KURST", required=True)),
    ("FCURR", key("from_currency", "FCURR", required=True)),
    ("TCURR", key("to_currency", "TCURR", required=True)),
    ("GDATU", inverted_day("valid_from", "GDATU", required=True)),
    ("UKURS", number("rate", "UKURS", required=True)),
    ("FFACT", number("from_factor", "FFACT")),
    ("TFACT", number("to_factor", "TFACT")),
)

EXCHANGE_RATES = _spec(
    "sap/exchange_rates",
    "exchange rates per rate type and currency pair (TCURR, headerless DDIC order)",
    TCURR_COLUMNS,
)


def _looks_like_tcurr(fields: Sequence[str]) -> bool:
    return (
        bool(_CLIENT.fullmatch(fields[0]))
        and _at_most(fields[1], 4, required=True)
        and bool(_CURRENCY.fullmatch(fields[2].strip()))
        and bool(_CURRENCY.fullmatch(fields[3].strip()))
        and bool(_DATE.fullmatch(fields[4].strip()))
        and all(_NUMBER.fullmatch(f.strip()) for f in fields[5:8])
    )


TCURC_COLUMNS = (
    ("MANDT", key("client", "MANDT", required=True)),
    ("WAERS", key("currency", "WAERS", required=True)),
    ("ISOCD", key("iso_code", "ISOCD")),
    ("ALTWR", key("numeric_code", "ALTWR")),
    ("GDATU", day("valid_until", "GDATU")),
    ("XPRIMARY", text("primary_flag", "XPRIMARY")),
)

CURRENCIES = _spec(
    "sap/currencies",
    "currency codes with their ISO and numeric codes (TCURC, headerless DDIC order)",
    TCURC_COLUMNS,
)

_NUMERIC_CODE = re.compile(r"\d{0,3}")


def _looks_like_tcurc(fields: Sequence[str]) -> bool:
    return (
        bool(_CLIENT.fullmatch(fields[0]))
        and bool(_CURRENCY.fullmatch(fields[1].strip()))
        and _at_most(fields[2], 3)
        and bool(_NUMERIC_CODE.fullmatch(fields[3].strip()))
        and bool(_DATE.fullmatch(fields[4].strip()) or not fields[4].strip())
        and _at_most(fields[5], 1)
    )


TCURX_COLUMNS = (
    ("CURRKEY", key("currency", "CURRKEY", required=True)),
    ("CURRDEC", number("decimals", "CURRDEC", required=True)),
)

CURRENCY_DECIMALS = _spec(
    "sap/currency_decimals",
    "decimal places of currencies that do not have two (TCURX, headerless DDIC order)",
    TCURX_COLUMNS,
)

_DECIMALS = re.compile(r"\d{1,2}")


def _looks_like_tcurx(fields: Sequence[str]) -> bool:
    return bool(_CURRENCY.fullmatch(fields[0].strip())) and bool(
        _DECIMALS.fullmatch(fields[1].strip())
    )


def _table(
    name: str,
    title: str,
    spec: EntitySpec,
    columns: Sequence[tuple[str, FieldSpec]],
    fits: Callable[[Sequence[str]], bool],
) -> HeaderlessTable:
    return HeaderlessTable(
        name=name, title=title, spec=spec, ddic=tuple(n for n, _ in columns), fits=fits
    )


T006A = _table(
    "T006A", "unit of measure texts per language", UNIT_TEXTS, T006A_COLUMNS, _looks_like_t006a
)
TCURR = _table("TCURR", "exchange rates", EXCHANGE_RATES, TCURR_COLUMNS, _looks_like_tcurr)
TCURC = _table("TCURC", "currency codes", CURRENCIES, TCURC_COLUMNS, _looks_like_tcurc)
TCURX = _table(
    "TCURX", "currency decimal places", CURRENCY_DECIMALS, TCURX_COLUMNS, _looks_like_tcurx
)

HEADERLESS_TABLES: tuple[HeaderlessTable, ...] = (T006, T006A, TCURR, TCURC, TCURX)
"""Every SAP table recognised without a header, in the order they are tried."""

HEADERLESS_SPECS: tuple[EntitySpec, ...] = tuple(t.spec for t in HEADERLESS_TABLES)
