"""How SAP and the lab write values as text.

SAP list exports write dates as ``YYYYMMDD`` with ``00000000`` for "no date" and
``99991231`` for "open end", and negative quantities with the sign after the digits. A
German user profile writes ``1.234,500``; the lab's microbiology PC writes ``0,12``.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

OPEN_END = dt.date(9999, 12, 31)


def sap_date(day: dt.date | None) -> str:
    return "00000000" if day is None else day.strftime("%Y%m%d")


def german_date(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def fixed(value: Decimal | float | int, decimals: int) -> str:
    """A plain number with a decimal point and exactly ``decimals`` places."""
    exponent = Decimal(1).scaleb(-decimals)
    return str(Decimal(str(value)).quantize(exponent, rounding=ROUND_HALF_UP))


def german_quantity(value: Decimal, decimals: int = 3) -> str:
    """``-12.5`` becomes ``12,500-``: thousands dot, decimal comma, SAP's trailing minus."""
    text = fixed(abs(value), decimals)
    whole, _, fraction = text.partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    number = f"{grouped},{fraction}" if fraction else grouped
    return f"{number}-" if value < 0 else number


def decimal_comma(text: str) -> str:
    """A lab value as the German workstation writes it (``<0.05`` becomes ``<0,05``)."""
    return text.replace(".", ",")
