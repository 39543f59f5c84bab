"""Typed values out of the text that SAP and LIMS exports contain.

The number format is a property of a file column, not of a value: ``1.000`` is one thousand
in a German export and one in an English one. So the decimal separator is decided once per
column from all its values (``decimal_separator_of``) and then every value is read with it.
SAP writes negative numbers with a trailing minus (``12,5-``); both sign positions are
accepted, two signs are an error rather than a guess.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

_COMMA_DECIMAL = re.compile(r"^[+-]?\d{1,3}(\.\d{3})*,\d+-?$|^[+-]?\d+,\d+-?$")
_POINT_DECIMAL = re.compile(r"^[+-]?\d{1,3}(,\d{3})*\.\d+-?$|^[+-]?\d+\.\d+-?$")
_AMBIGUOUS_THOUSANDS = re.compile(r"^[+-]?\d{1,3}([.,]\d{3})+-?$")
_OPEN_ENDED = dt.date(9999, 12, 31)


class ValueFormatError(ValueError):
    """A text value does not fit the format its column declares."""


def decimal_separator_of(values: Iterable[str]) -> str:
    """Decide a column's decimal separator from the evidence in all its values.

    A value such as ``0,5`` or ``1.234,56`` proves a comma; ``0.5`` or ``1,234.56`` proves
    a point. Values like ``1.000`` prove nothing on their own. When the column has no
    evidence either way, a point is assumed; when evidence conflicts, the majority wins and
    the minority values fail to parse, which reports them instead of misreading them.
    """
    comma = point = 0
    for raw in values:
        text = raw.strip().replace(" ", "")
        if not text or _AMBIGUOUS_THOUSANDS.match(text):
            continue
        if _COMMA_DECIMAL.match(text):
            comma += 1
        elif _POINT_DECIMAL.match(text):
            point += 1
    return "," if comma > point else "."


def parse_number(raw: str, decimal: str = ".") -> float | None:
    """Read an SAP or LIMS number; blank is None; raises ValueFormatError otherwise."""
    text = raw.strip().replace(" ", "").replace("\u00a0", "")
    if not text:
        return None
    thousands = "." if decimal == "," else ","
    negative = False
    if text.endswith("-"):
        text = text[:-1]
        negative = True
    if text.startswith(("-", "+")):
        if negative:
            raise ValueFormatError(f"{raw!r} has a sign on both sides; write one sign only")
        negative = text.startswith("-")
        text = text[1:]
    if not text or text[0] in "+-" or text[-1] in "+-":
        raise ValueFormatError(f"{raw!r} has more than one sign")
    grouped = re.fullmatch(
        rf"\d{{1,3}}(\{thousands}\d{{3}})+(\{decimal}\d+)?|\d+(\{decimal}\d+)?|\{decimal}\d+",
        text,
    )
    if grouped is None:
        expected = "1.234,56" if decimal == "," else "1,234.56"
        raise ValueFormatError(
            f"{raw!r} is not a number with decimal separator {decimal!r} (expected like {expected})"
        )
    normalized = text.replace(thousands, "").replace(decimal, ".")
    number = float(normalized)
    return -number if negative else number


def parse_integer(raw: str, decimal: str = ".") -> int | None:
    number = parse_number(raw, decimal)
    if number is None:
        return None
    if not float(number).is_integer():
        raise ValueFormatError(f"{raw!r} is not a whole number")
    return int(number)


def parse_date(raw: str) -> dt.date | None:
    """Read SAP and LIMS dates: YYYYMMDD, DD.MM.YYYY, ISO (with or without time).

    ``00000000`` and blank are empty; ``99991231`` is SAP's open end and is kept as
    9999-12-31 so that "valid to" comparisons keep working.
    """
    text = raw.strip()
    if not text or text == "00000000":
        return None
    try:
        if re.fullmatch(r"\d{8}", text):
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        match = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text)
        if match:
            return dt.date(int(match[3]), int(match[2]), int(match[1]))
        match = re.match(r"(\d{4})-(\d{2})-(\d{2})", text)
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as error:
        raise ValueFormatError(f"{raw!r} is not a calendar date: {error}") from error
    raise ValueFormatError(f"{raw!r} is not a date; expected YYYYMMDD, DD.MM.YYYY or YYYY-MM-DD")


def is_open_ended(day: dt.date | None) -> bool:
    return day == _OPEN_ENDED
