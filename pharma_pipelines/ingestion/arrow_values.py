"""The value rules of :mod:`pharma_pipelines.values`, applied to whole Arrow columns.

Nothing here restates a rule. Each function finds, in bulk, the few distinct
things a rule has to look at and asks :mod:`pharma_pipelines.values` about
those, so a column gets exactly the answer the per-value functions give:

- whether a number is valid, which format it votes for and how many digits it
  needs depend only on where its digits are, not which digits they are; so
  every digit 1-9 is written ``1`` (zeros stay: ``0,5`` votes, ``1,5`` may not)
  and each distinct *shape* is judged once (:class:`ShapeCensus`);
- dates repeat (a file spans some hundred days), so each distinct date text is
  parsed once (:func:`date_verdicts`);
- a value is blank when ``str.strip`` leaves nothing; only a value that starts
  with a whitespace character can be, so only those are tested one by one
  (:func:`blank_mask`).

Decimal values are made plain with numpy (signs and thousands separators
dropped, ``.`` as decimal point) and cast by Arrow, for values the census found
valid. A column is a ``pa.Array`` or a ``pa.ChunkedArray`` of strings without
nulls; masks are numpy booleans over all its rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute

from pharma_pipelines.values import (
    DECIMAL_COMMA_SPACE,
    NumberFormat,
    ValueRuleError,
    is_blank,
    number_format_vote,
    parse_sap_date,
    parse_sap_number,
)

# pyarrow generates its compute kernels at import time, so a type checker sees none of
# them; they are used through an untyped name.
pc: Any = pyarrow.compute

Column = pa.Array | pa.ChunkedArray

PY_WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
"""Every character ``str.strip()`` removes (none lies above U+3000)."""

_WHITESPACE_LEAD = np.zeros(256, dtype=bool)
for _char in PY_WHITESPACE:
    _WHITESPACE_LEAD[_char.encode("utf-8")[0]] = True

_SHAPE_DIGITS = np.arange(256, dtype=np.uint8)
_SHAPE_DIGITS[ord("1") : ord("9") + 1] = ord("1")

_MAYBE_NUMBER = re.compile(f"^[0-9.,+\\-{re.escape(PY_WHITESPACE)}]*$")
"""A superset of what can vote for a number format: digits, separators, signs, spaces."""


def chunks_of(column: Column) -> list[pa.Array]:
    return column.chunks if isinstance(column, pa.ChunkedArray) else [column]


def _masks(column: Column, mask: Any) -> np.ndarray:
    parts = [mask(chunk) for chunk in chunks_of(column)]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)


def _rechunk(column: Column, convert: Any, kind: pa.DataType) -> pa.ChunkedArray:
    return pa.chunked_array([convert(chunk) for chunk in chunks_of(column)], type=kind)


def string_parts(array: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The offsets (``len + 1`` of them, from 0) and the bytes of a string or binary array.

    Both are views of the array's buffers where they can be: read them, do not write.
    """
    if len(array) == 0:
        return np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.uint8)
    wide = pa.types.is_large_string(array.type) or pa.types.is_large_binary(array.type)
    buffers = array.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64 if wide else np.int32)
    offsets = offsets[array.offset : array.offset + len(array) + 1]
    base, end = int(offsets[0]), int(offsets[-1])
    if base:
        offsets = offsets - base
    if buffers[2] is None:
        return offsets, np.zeros(0, dtype=np.uint8)
    return offsets, np.frombuffer(buffers[2], dtype=np.uint8)[base:end]


def from_parts(
    offsets: np.ndarray, data: np.ndarray | bytes, validity: bytes | None = None
) -> pa.Array:
    """A string array from offsets and UTF-8 bytes (large offsets past 2 GiB)."""
    large = len(offsets) and offsets[-1] > np.iinfo(np.int32).max
    kind, width = (pa.large_string(), np.int64) if large else (pa.string(), np.int32)
    bits = None if validity is None else pa.py_buffer(validity)
    return pa.Array.from_buffers(
        kind,
        len(offsets) - 1,
        [bits, pa.py_buffer(offsets.astype(width, copy=False)), pa.py_buffer(data)],
    )


def _blank_chunk(array: pa.Array) -> np.ndarray:
    offsets, data = string_parts(array)
    blank = np.diff(offsets) == 0
    filled = np.flatnonzero(~blank)
    if len(filled):
        suspects = filled[_WHITESPACE_LEAD[data[offsets[filled]]]]
        if len(suspects):
            values = array.take(pa.array(suspects)).to_pylist()
            blank[suspects] = [is_blank(v) for v in values]
    return blank


def blank_mask(column: Column) -> np.ndarray:
    """For each value, whether :func:`pharma_pipelines.values.is_blank` holds."""
    return _masks(column, _blank_chunk)


def _utf8_growth() -> np.ndarray:
    growth = np.zeros(256, dtype=np.int64)
    for byte in range(0x80, 0x100):
        growth[byte] = len(bytes([byte]).decode("cp1252", errors="replace").encode("utf-8")) - 1
    return growth


_UTF8_GROWTH = _utf8_growth()


def _cp1252_chunk(array: pa.Array) -> pa.Array:
    offsets, data = string_parts(array)
    if not len(data) or data.max() < 0x80:
        return array.cast(
            pa.large_string() if pa.types.is_large_binary(array.type) else pa.string()
        )
    high = np.flatnonzero(data >= 0x80)
    text = data.tobytes().decode("cp1252", errors="replace")
    added = np.concatenate([[0], np.cumsum(_UTF8_GROWTH[data[high]])])
    return from_parts(offsets + added[np.searchsorted(high, offsets)], text.encode("utf-8"))


def cp1252_to_utf8(column: Column) -> pa.ChunkedArray:
    """Windows-1252 bytes to UTF-8 text; an undefined byte becomes U+FFFD.

    Callers keep the records holding undefined bytes out of bulk handling: the
    replacement only keeps the column valid text.
    """
    return pa.chunked_array([_cp1252_chunk(chunk) for chunk in chunks_of(column)])


@dataclass(frozen=True)
class Census:
    """The distinct ``values`` of a column and, per row, which one it holds (``index``)."""

    values: list[str]
    index: np.ndarray

    @classmethod
    def of(cls, column: Column) -> Census:
        encoded = chunks_of(pc.dictionary_encode(column))
        if not encoded:
            return cls(values=[], index=np.zeros(0, dtype=np.int64))
        # pyarrow encodes all chunks of a chunked array against one dictionary.
        index = np.concatenate([chunk.indices.to_numpy(zero_copy_only=False) for chunk in encoded])
        return cls(values=encoded[0].dictionary.to_pylist(), index=index)

    def counts(self) -> np.ndarray:
        return np.bincount(self.index, minlength=len(self.values))

    def per_row(self, judged: list[Any], dtype: type = bool) -> np.ndarray:
        """Spread one judgement per distinct value over the rows."""
        if not len(self.index):
            return np.zeros(0, dtype=dtype)
        return np.asarray(judged, dtype=dtype)[self.index]


def number_shapes(column: Column) -> pa.ChunkedArray:
    """Each value with its digits 1-9 written as ``1`` (what number rules depend on)."""

    def shapes(chunk: pa.Array) -> pa.Array:
        # Same offsets, other bytes: the chunk's offsets buffer is reused as it is.
        validity, offsets, data = chunk.buffers()
        written = _SHAPE_DIGITS[np.frombuffer(data, dtype=np.uint8)] if data else b""
        return pa.Array.from_buffers(
            chunk.type, len(chunk), [validity, offsets, pa.py_buffer(written)], offset=chunk.offset
        )

    return _rechunk(column, shapes, pa.string())


def _parses(text: str, fmt: NumberFormat) -> bool:
    try:
        parse_sap_number(text, fmt)
    except ValueRuleError:
        return False
    return True


def shape_digits(shape: str, fmt: NumberFormat) -> tuple[int, int]:
    """(integer digits, decimals) a valid number needs; (0, 0) for blank."""
    value = parse_sap_number(shape, fmt)
    if value is None:
        return 0, 0
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # a parsed SAP number is never NaN or infinite
    return max(0, len(digits) + exponent), max(0, -exponent)


DECIMAL_TYPES = ((9, pa.decimal32), (18, pa.decimal64), (38, pa.decimal128), (76, pa.decimal256))
"""Arrow's decimal types by the most digits they hold (4, 8, 16 and 32 bytes a value)."""


def decimal_type(integer_digits: int, scale: int) -> pa.DataType | None:
    """The narrowest Arrow decimal for the digits, ``None`` past 76 of them."""
    precision = max(integer_digits + scale, 1)
    for most, kind in DECIMAL_TYPES:
        if precision <= most:
            return kind(precision, scale)
    return None


class ShapeCensus:
    """The distinct number shapes of a column: format votes, validity, decimal type."""

    def __init__(self, column: Column) -> None:
        self.census = Census.of(number_shapes(column))

    def votes(self) -> dict[NumberFormat, int]:
        votes: dict[NumberFormat, int] = {}
        for shape, count in zip(self.census.values, self.census.counts().tolist(), strict=True):
            fmt = number_format_vote(shape)
            if fmt is not None:
                votes[fmt] = votes.get(fmt, 0) + count
        return votes

    def invalid(self, fmt: NumberFormat) -> np.ndarray:
        """Rows whose value is not blank and does not parse under ``fmt``."""
        return self.census.per_row([not _parses(shape, fmt) for shape in self.census.values])

    def decimal_type(
        self, fmt: NumberFormat, rows: np.ndarray | None = None, more: Iterable[str] = ()
    ) -> pa.DataType | None:
        """The decimal type that holds the valid values of ``rows`` (all rows by default)
        and the valid values ``more``; ``None`` when they need more than 76 digits."""
        index = self.census.index if rows is None else self.census.index[rows]
        used = np.bincount(index, minlength=len(self.census.values)) > 0
        shapes = [s for s, u in zip(self.census.values, used.tolist(), strict=True) if u]
        needs = [shape_digits(s, fmt) for s in [*shapes, *more] if _parses(s, fmt)]
        integer = max((n for n, _ in needs), default=0)
        return decimal_type(integer, max((d for _, d in needs), default=0))


def vote_counts(column: Column, *, prefilter: bool = False) -> dict[NumberFormat, int]:
    """How many values of a column vote for each number format.

    ``prefilter`` first drops values that cannot look like a number (text columns,
    whose shapes would be as many as their values).
    """
    if prefilter:
        column = column.filter(pc.match_substring_regex(column, _MAYBE_NUMBER.pattern))
    return ShapeCensus(column).votes() if len(column) else {}


def add_votes(total: dict[NumberFormat, int], more: dict[NumberFormat, int]) -> None:
    for fmt, count in more.items():
        total[fmt] = total.get(fmt, 0) + count


@dataclass(frozen=True)
class DateVerdicts:
    """Per row: the date (null for no date), whether it is empty, whether it is invalid."""

    dates: pa.Array
    empty: np.ndarray
    invalid: np.ndarray


def date_verdicts(column: Column) -> DateVerdicts:
    """Parse each distinct value of a date column once with ``parse_sap_date``."""
    census = Census.of(column)
    parsed: list[Any] = []
    empty: list[bool] = []
    invalid: list[bool] = []
    for text in census.values:
        try:
            value = parse_sap_date(text)
        except ValueRuleError:
            parsed.append(None)
            empty.append(False)
            invalid.append(True)
            continue
        parsed.append(value.value)
        empty.append(value.is_empty)
        invalid.append(False)
    dates = pa.array(parsed, type=pa.date32()).take(pa.array(census.index))
    return DateVerdicts(dates, census.per_row(empty), census.per_row(invalid))


def _plain_chunk(array: pa.Array, fmt: NumberFormat, usable: np.ndarray) -> pa.Array:
    """Numbers written as Arrow casts them (``-1234.5``), null where not ``usable``.

    Thousands separators go, a trailing sign goes (a minus moves to the front) and the
    decimal separator becomes ``.``: three passes of numpy over the bytes.
    """
    offsets, data = string_parts(array)
    if len(data) and (data.max() >= 0x80 or data.min() <= 0x20):
        # Surrounding whitespace or non-breaking spaces in a thousands group: rare enough
        # for Arrow's string kernels, which strip exactly what str.strip() strips.
        text = pc.utf8_trim(array, PY_WHITESPACE)
        if fmt is DECIMAL_COMMA_SPACE:
            for space in ("\u00a0", "\u202f"):
                text = pc.replace_substring(text, space, " ")
        offsets, data = string_parts(text)
    filled = np.flatnonzero((np.diff(offsets) > 0) & usable)
    last = offsets[filled + 1] - 1
    minus = data[last] == ord("-")
    dropped = data == ord(fmt.thousands)
    dropped[last[minus | (data[last] == ord("+"))]] = True
    plain = data[~dropped]
    before = np.concatenate([[0], np.cumsum(dropped, dtype=offsets.dtype)])
    offsets = offsets - before[offsets]
    negative = filled[minus]
    if len(negative):
        plain = np.insert(plain, offsets[negative], ord("-"))
        inserted = np.zeros(len(offsets), dtype=offsets.dtype)
        inserted[negative + 1] = 1
        offsets = offsets + np.cumsum(inserted, dtype=offsets.dtype)
    if fmt.decimal != ".":
        plain[plain == ord(fmt.decimal)] = ord(".")
    validity = np.packbits(usable, bitorder="little").tobytes()
    return from_parts(offsets, plain, validity=validity)


def to_decimal(
    column: Column, fmt: NumberFormat, usable: np.ndarray, kind: pa.DataType
) -> pa.ChunkedArray:
    """The exact decimal of each ``usable`` value under ``fmt``, as ``kind``; null elsewhere.

    ``usable`` values must parse under ``fmt`` (blank ones are not usable).
    """
    numbers: list[pa.Array] = []
    start = 0
    for chunk in chunks_of(column):
        rows = usable[start : start + len(chunk)]
        start += len(chunk)
        numbers.append(pc.cast(_plain_chunk(chunk, fmt, rows), kind))
    return pa.chunked_array(numbers, type=kind)


def text_or_null(column: Column, blank: np.ndarray) -> Column:
    """The text itself, null where it is blank."""
    if not blank.any():
        return column
    return pc.if_else(pa.array(blank), pa.scalar(None, pa.string()), column)
