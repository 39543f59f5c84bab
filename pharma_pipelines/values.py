"""Value rules shared by all layers: how SAP, LIMS and order files write numbers and dates.

The raw layer keeps every value as text; these functions say whether a text
*can* be read as a number or a date, and what it means. The curated layer uses
the same functions to convert, so a value accepted at ingestion is never
refused later and the other way round.

Rules worth knowing:

- SAP writes a negative number with the sign after the digits (``1.234,56-``);
  a leading sign is accepted too, two signs are an error, not a guess.
- Whether ``,`` or ``.`` is the decimal separator is decided once per file from
  all of its numeric values (:func:`detect_number_format`), never per value:
  ``1.000`` is one thousand in a file whose other values are ``0,5`` and
  ``12.345,67``. A value that does not fit the file's format is an error.
- Thousands separators must group exactly three digits.
- SAP dates come as ``YYYYMMDD``, ``DD.MM.YYYY`` or ISO; ``00000000`` and blank
  mean "no date", ``99991231`` means "open-ended" (valid until further notice).
  Exchange rates (TCURR) store their date inverted: ``99999999 - YYYYMMDD``.
- Digits are ASCII digits: full-width or Arabic-Indic digits are not silently read as
  numbers or dates; such a value is an error to look at.
- Identifiers (material, batch, plant, ...) are never converted: leading zeros
  are part of the key. :func:`alpha_display` gives SAP's display form as an
  extra value, it never replaces the key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation


class ValueRuleError(ValueError):
    """A text that breaks a value rule: quotes the value, the rule and what is allowed."""

    def __init__(self, value: str, rule: str, allowed: str) -> None:
        self.value = value
        self.rule = rule
        self.allowed = allowed
        super().__init__(f"{value!r} {rule}; allowed: {allowed}")


def is_blank(text: str | None) -> bool:
    """True for ``None``, ``''`` and whitespace only (SAP writes a blank field as one space)."""
    return text is None or not text.strip()


# ---------------------------------------------------------------- numbers


@dataclass(frozen=True)
class NumberFormat:
    """How a file writes numbers: decimal separator and thousands separator."""

    decimal: str
    thousands: str
    locale: str

    @property
    def example(self) -> str:
        return f"1{self.thousands}234{self.decimal}56"

    def describe(self) -> str:
        thousands = "space" if self.thousands == " " else repr(self.thousands)
        return f"{self.example} ({self.locale}: decimal {self.decimal!r}, thousands {thousands})"


DECIMAL_POINT = NumberFormat(decimal=".", thousands=",", locale="en-US")
"""SAP decimal notation ``X``: 1,234.56."""

DECIMAL_COMMA = NumberFormat(decimal=",", thousands=".", locale="de-DE")
"""SAP decimal notation blank: 1.234,56."""

DECIMAL_COMMA_SPACE = NumberFormat(decimal=",", thousands=" ", locale="fr-FR")
"""SAP decimal notation ``Y``: 1 234,56 (also cs-CZ, pl-PL, ...)."""

NUMBER_FORMATS = (DECIMAL_POINT, DECIMAL_COMMA, DECIMAL_COMMA_SPACE)

_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})
_SIGNS = "+-"


def _split_sign(text: str, fmt: NumberFormat) -> tuple[int, str]:
    """Return (sign, body) of a stripped number text; raises on two signs."""
    body = text
    signs: list[str] = []
    if body and body[0] in _SIGNS:
        signs.append(body[0])
        body = body[1:]
    if body and body[-1] in _SIGNS:
        signs.append(body[-1])
        body = body[:-1]
    if len(signs) > 1 or any(c in _SIGNS for c in body):
        raise ValueRuleError(
            text,
            "has more than one sign",
            f"one sign, before or after the digits ({fmt.example}- or -{fmt.example})",
        )
    return (-1 if signs == ["-"] else 1), body


def _body_pattern(fmt: NumberFormat) -> re.Pattern[str]:
    t = re.escape(fmt.thousands)
    d = re.escape(fmt.decimal)
    return re.compile(rf"(?:\d{{1,3}}(?:{t}\d{{3}})+|\d*)(?:{d}\d*)?", re.ASCII)


_BODY_PATTERNS = {fmt: _body_pattern(fmt) for fmt in NUMBER_FORMATS}


def parse_sap_number(text: str | None, fmt: NumberFormat) -> Decimal | None:
    """Read a SAP number under the file's format; ``None`` when blank.

    >>> parse_sap_number("1.234,56-", DECIMAL_COMMA)
    Decimal('-1234.56')
    """
    if text is None or is_blank(text):
        return None
    stripped = text.strip().translate(_SPACES)
    sign, body = _split_sign(stripped, fmt)
    pattern = _BODY_PATTERNS.get(fmt) or _body_pattern(fmt)
    digits = [c for c in body if c.isdigit()]
    if not digits or not pattern.fullmatch(body):
        raise ValueRuleError(
            text,
            f"does not match the file's number format {fmt.describe()}",
            f"digits with {fmt.decimal!r} before the decimals, {fmt.thousands!r} only between "
            "groups of three digits, one optional sign before or after",
        )
    plain = body.replace(fmt.thousands, "").replace(fmt.decimal, ".")
    try:
        value = Decimal(plain)
    except InvalidOperation as error:
        raise ValueRuleError(
            text, "is not a number", f"a number written as {fmt.example}"
        ) from error
    # copy_negate, not unary minus: that would round to the context's 28 digits.
    return value.copy_negate() if sign < 0 else value


@dataclass(frozen=True)
class NumberFormatDetection:
    """The number format chosen for a file, and the evidence for it."""

    format: NumberFormat
    votes: dict[str, int] = field(default_factory=dict)
    assumed: bool = False

    def describe(self) -> str:
        if self.assumed:
            return f"{self.format.example} assumed (no value decides the separators)"
        counts = ", ".join(f"{example}: {n}" for example, n in self.votes.items() if n)
        return f"{self.format.example} detected from decisive values ({counts})"


_NUMBER_LIKE = re.compile(r"[+-]?[\d.,  ]*\d[\d.,  ]*[+-]?", re.ASCII)


def number_format_vote(text: str) -> NumberFormat | None:
    """Which format a single value proves, or ``None`` when it proves none.

    >>> number_format_vote("0,5") is DECIMAL_COMMA, number_format_vote("1.000")
    (True, None)
    """
    stripped = text.strip().translate(_SPACES)
    if not _NUMBER_LIKE.fullmatch(stripped):
        return None
    body = stripped.strip(_SIGNS)
    if " " in body and "," in body:
        return DECIMAL_COMMA_SPACE
    has_point, has_comma = "." in body, "," in body
    if has_point and has_comma:
        return DECIMAL_COMMA if body.rfind(",") > body.rfind(".") else DECIMAL_POINT
    if not has_point and not has_comma:
        return None
    sep = "." if has_point else ","
    as_decimal = DECIMAL_POINT if sep == "." else DECIMAL_COMMA
    as_thousands = DECIMAL_COMMA if sep == "." else DECIMAL_POINT
    if body.count(sep) > 1:
        return as_thousands
    integer, _, decimals = body.partition(sep)
    if len(decimals) != 3 or integer in ("", "0") or len(integer) > 3:
        return as_decimal
    return None


def detect_number_format(
    values: Iterable[str], default: NumberFormat = DECIMAL_POINT
) -> NumberFormatDetection:
    """Choose one number format for all ``values`` of a file.

    Only values that prove a format vote: ``0,5`` proves a decimal comma,
    ``1,875.00`` a decimal point, ``1.000`` proves nothing. The format with
    most votes wins; without any vote ``default`` is assumed.
    """
    votes = dict.fromkeys(NUMBER_FORMATS, 0)
    for value in values:
        fmt = number_format_vote(value)
        if fmt is not None:
            votes[fmt] += 1
    return decide_number_format(votes, default)


def decide_number_format(
    votes: Mapping[NumberFormat, int], default: NumberFormat = DECIMAL_POINT
) -> NumberFormatDetection:
    """The format with most votes (first of :data:`NUMBER_FORMATS` on a tie), else ``default``.

    Readers that count votes themselves (the columnar reader counts them per distinct
    value shape) decide with this, so every reader chooses the same way.
    """
    votes = {fmt: votes.get(fmt, 0) for fmt in NUMBER_FORMATS}
    named = {fmt.example: n for fmt, n in votes.items()}
    best = max(NUMBER_FORMATS, key=lambda fmt: votes[fmt])
    if votes[best] == 0:
        return NumberFormatDetection(format=default, votes=named, assumed=True)
    return NumberFormatDetection(format=best, votes=named)


# ---------------------------------------------------------------- dates


@dataclass(frozen=True)
class SapDate:
    """A date field: ``value`` is ``None`` when empty; ``open_ended`` for 9999-12-31."""

    value: date | None
    open_ended: bool = False

    @property
    def is_empty(self) -> bool:
        return self.value is None


EMPTY_DATE = SapDate(value=None)
OPEN_ENDED = date(9999, 12, 31)

_DATE_FORMATS = (
    "YYYYMMDD, DD.MM.YYYY, YYYY-MM-DD (optionally with a time and offset), "
    "YYYYMMDDhhmmss, /Date(ms)/; 00000000 or blank for no date"
)
_ZERO_DATES = {"00000000", "00.00.0000", "0000-00-00", "00000000000000"}
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})(\d{6})?", re.ASCII)
_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?", re.ASCII)
_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?",
    re.ASCII,
)
_ODATA = re.compile(r"/Date\((-?\d+)(?:[+-]\d{4})?\)/", re.ASCII)


def _calendar_date(text: str, year: str, month: str, day: str) -> date:
    try:
        return date(int(year), int(month), int(day))
    except ValueError as error:
        raise ValueRuleError(text, f"is not a calendar date ({error})", _DATE_FORMATS) from error


def _valid_clock(hhmmss: str) -> bool:
    hours, minutes, seconds = int(hhmmss[:2]), int(hhmmss[2:4]), int(hhmmss[4:])
    return hours < 24 and minutes < 60 and seconds < 60


def parse_sap_date(text: str | None) -> SapDate:
    """Read a SAP or ISO date; blank and ``00000000`` are empty, 9999-12-31 is open-ended.

    Slash dates (``3/9/2014``) are refused: their day and month order is not
    knowable from the value.
    """
    if text is None or is_blank(text):
        return EMPTY_DATE
    stripped = text.strip()
    if stripped in _ZERO_DATES:
        return EMPTY_DATE
    if match := _COMPACT.fullmatch(stripped):
        year, month, day, clock = match.groups()
        if clock is not None and not _valid_clock(clock):
            raise ValueRuleError(text, f"has no valid time of day ({clock!r})", _DATE_FORMATS)
        value = _calendar_date(text, year, month, day)
    elif match := _DOTTED.fullmatch(stripped):
        day, month, year = match.groups()
        value = _calendar_date(text, year, month, day)
    elif match := _ISO.fullmatch(stripped):
        value = _calendar_date(text, *match.groups())
    elif match := _ODATA.fullmatch(stripped):
        try:
            moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=int(match[1]))
        except OverflowError as error:
            raise ValueRuleError(text, "lies outside the calendar", _DATE_FORMATS) from error
        value = moment.date()
    elif "/" in stripped:
        raise ValueRuleError(
            text,
            "is a slash date whose day and month order cannot be known",
            _DATE_FORMATS,
        )
    else:
        raise ValueRuleError(text, "is not a date in an accepted format", _DATE_FORMATS)
    return SapDate(value=value, open_ended=value == OPEN_ENDED)


_INVERTED = re.compile(r"\d{8}", re.ASCII)
_INVERTED_FORMAT = (
    "8 digits whose difference to 99999999 is a YYYYMMDD date (79989898 = 2001-01-01)"
)


def parse_inverted_date(text: str | None) -> SapDate:
    """Read a date SAP stores inverted (``GDATU`` of TCURR): 99999999 minus ``YYYYMMDD``.

    Inverting makes the newest rate sort first in the table key. ``79989898`` is
    2001-01-01; ``99999999`` is the inverted empty date, blank is no date either.

    >>> parse_inverted_date("79989898").value
    datetime.date(2001, 1, 1)
    """
    if text is None or is_blank(text):
        return EMPTY_DATE
    stripped = text.strip()
    if not _INVERTED.fullmatch(stripped):
        raise ValueRuleError(text, "is not an inverted SAP date", _INVERTED_FORMAT)
    plain = f"{99999999 - int(stripped):08d}"
    if plain == "00000000":
        return EMPTY_DATE
    try:
        value = date(int(plain[:4]), int(plain[4:6]), int(plain[6:]))
    except ValueError as error:
        raise ValueRuleError(
            text, f"inverts to {plain}, which is not a calendar date ({error})", _INVERTED_FORMAT
        ) from error
    return SapDate(value=value, open_ended=value == OPEN_ENDED)


@dataclass(frozen=True)
class ExchangeRate:
    """A TCURR rate (``UKURS``): its magnitude and how SAP quotes it.

    A negative rate is an *indirect* quotation: ``USD -> EUR -0.94`` means one unit of
    the to-currency costs 0.94 units of the from-currency. The ratios ``FFACT`` and
    ``TFACT`` are separate fields; 0 there means SAP keeps them in TCURF, not here.
    """

    quoted: Decimal
    indirect: bool

    @property
    def direct(self) -> Decimal | None:
        """Units of the to-currency for one unit of the from-currency; None for rate 0."""
        if self.quoted == 0:
            return None
        return 1 / self.quoted if self.indirect else self.quoted


def parse_sap_exchange_rate(text: str | None, fmt: NumberFormat) -> ExchangeRate | None:
    """Read a TCURR rate under the file's number format; ``None`` when blank.

    >>> parse_sap_exchange_rate("-0.94000", DECIMAL_POINT)
    ExchangeRate(quoted=Decimal('0.94000'), indirect=True)
    """
    value = parse_sap_number(text, fmt)
    if value is None:
        return None
    return ExchangeRate(quoted=abs(value), indirect=value < 0)


# ---------------------------------------------------------------- identifiers


def alpha_display(identifier: str) -> str:
    """SAP's ALPHA output form: leading zeros dropped from all-digit keys only.

    ``000000000000012345`` displays as ``12345``; ``API-7788-X`` and
    ``0100`` plant keys written with letters stay as they are. This is an
    extra, human-facing value: the key itself is never altered.
    """
    stripped = identifier.strip()
    if stripped.isdigit():
        return stripped.lstrip("0") or "0"
    return identifier


# ---------------------------------------------------------------- LIMS results

_QUALIFIERS = {"<": "<", ">": ">", "<=": "<=", ">=": ">=", "=": "=", "≤": "<=", "≥": ">="}
_RESULT = re.compile(
    r"(<=|>=|≤|≥|<|>|=)?\s*([+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)(?:[eE][+-]?\d+)?)", re.ASCII
)


@dataclass(frozen=True)
class LabResult:
    """A LIMS result split into qualifier, numeric value and text.

    ``<0.05`` gives qualifier ``<``, value 0.05, censored; ``Complies`` gives
    no value and text ``Complies``. ``raw`` is always the verbatim input.
    """

    raw: str
    qualifier: str
    value: Decimal | None
    text: str | None

    @property
    def censored(self) -> bool:
        return self.qualifier in ("<", ">", "<=", ">=")


def parse_lab_result(text: str) -> LabResult:
    """Split a raw LIMS result; a decimal comma in a result is read as decimal.

    A number may carry one qualifier (``<``, ``>``, ``<=``, ``>=``, ``=``),
    spaces after it are allowed. Anything else is a text result, kept whole.
    Blank gives neither value nor text.
    """
    stripped = text.strip()
    if not stripped:
        return LabResult(raw=text, qualifier="", value=None, text=None)
    match = _RESULT.fullmatch(stripped)
    if match is None:
        return LabResult(raw=text, qualifier="", value=None, text=stripped)
    qualifier = _QUALIFIERS[match[1]] if match[1] else "="
    value = Decimal(match[2].replace(",", "."))
    return LabResult(raw=text, qualifier=qualifier, value=value, text=None)
