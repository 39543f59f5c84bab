"""Delimited SAP flat files read column by column, with every value typed.

The row path (:mod:`~pharma_pipelines.ingestion.text_files`) reads a file record by
record with Python's ``csv`` module; that is exact and far too slow for an extract of
a million rows. This reader gives the same answer in bulk, and is what
:func:`~pharma_pipelines.ingestion.parse_file` uses for a plain delimited file (not
SAP list output, not an e-mail attachment).

API
---

``read_typed(relative_path, data) -> TypedExtract``
    The fast path from a file's bytes: one extract, its values typed, rejects and
    lineage included. Raises :class:`NotColumnarError` (saying why) for a file this
    reader leaves to the row path: a workbook, JSON, mail, SAP list output, a headerless
    table, a stray or unclosed quote, or a file no kind fits. For those, call
    ``parse_file`` and pass each extract to ``typed_extract``.

``typed_extract(extract, spec=None, *, source_file="", content_hash="") -> TypedExtract``
    Types the text rows of any :class:`~pharma_pipelines.ingestion.ParsedExtract`
    (XLSX, JSON, mail attachments, or a flat file read either way). A row whose value
    cannot be typed moves to the rejects.

``TypedExtract``
    ``table`` is a ``pyarrow.Table`` with one column per value key of the raw rows (the
    canonical field, or the original header of an unmapped column) and the lineage
    columns ``source_file``, ``content_hash`` and ``row_number``. Column types follow
    each field's :class:`~pharma_pipelines.ingestion.schema.FieldKind`: identifiers and
    text stay exact strings (leading zeros kept); numbers are exact decimals with the
    column's longest fraction as scale, in the narrowest Arrow type that holds its
    values (``decimal32`` up to 9 digits, ``decimal64`` up to 18, then ``decimal128``
    and ``decimal256``; past 76 digits the decimal's text); dates are
    ``date32``, where ``00000000`` and blank are null and ``99991231`` stays 9999-12-31,
    the open-ended date of :func:`~pharma_pipelines.values.parse_sap_date`. A blank value
    is null in every column. Columns come in chunks (slices around rejected rows share
    the read's buffers instead of copying them); ``table.combine_chunks()`` makes each
    contiguous. ``rejects`` are :class:`RowReject` as the row path writes
    them; ``rows_read == rows_loaded + len(rejects)``. ``number_format``, ``encoding``,
    ``layout``, ``header_map`` and the record counters mean what they mean on
    ``ParsedExtract``.

How it stays the row path's equal
---------------------------------

It does not restate a rule. The encoding is chosen by
:func:`~pharma_pipelines.ingestion.encoding.choose_encoding`; the first records are
decoded and handed to the row path's own header search and kind choice. Record bounds
and physical lines come from :mod:`~pharma_pipelines.ingestion.record_bounds`, fields
from ``pyarrow.csv`` (multithreaded), which splits structural quotes as ``csv`` does.
Values are judged per distinct shape or text by :mod:`.arrow_values`, with the
functions of :mod:`pharma_pipelines.values`. Every record the bulk pass cannot settle
by itself (an odd field count, an undecodable byte, a NUL, a byte-order mark, UTF-8
read as Windows-1252, a value that breaks a rule, something that may repeat the header)
is decoded on its own and settled by the row path's
:class:`~pharma_pipelines.ingestion.tabular.RecordRules`, so rejects carry the same
reasons. Whatever this reader cannot split with certainty it declines, and the row path
reads the file.
"""

from __future__ import annotations

import csv
import ctypes
import datetime as dt
import heapq
import io
import itertools
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute
import pyarrow.csv as pacsv

from pharma_pipelines.ingestion.arrow_values import (
    Column,
    DateVerdicts,
    ShapeCensus,
    add_votes,
    blank_mask,
    chunks_of,
    cp1252_to_utf8,
    date_verdicts,
    text_or_null,
    to_decimal,
    vote_counts,
)
from pharma_pipelines.ingestion.delimited import MAX_RECORD_LINES, is_runaway
from pharma_pipelines.ingestion.encoding import (
    CP1252_UNDEFINED,
    DamagedByte,
    DecodedText,
    DecodingError,
    EncodingChoice,
    byte_positions,
    choose_encoding,
    damaged_bytes,
    decode_bytes,
    scan_bytes,
)
from pharma_pipelines.ingestion.header_search import Found
from pharma_pipelines.ingestion.kinds import HEADER_SPECS, SPECS_BY_ENTITY, path_hint
from pharma_pipelines.ingestion.model import ParsedExtract, RawRow, RowReject, content_hash
from pharma_pipelines.ingestion.outlook.reading import mail_format
from pharma_pipelines.ingestion.record_bounds import (
    RecordBounds,
    field_counts,
    plain_quotes,
    record_bounds,
)
from pharma_pipelines.ingestion.sap.odata import looks_like_json
from pharma_pipelines.ingestion.schema import EntitySpec, FieldKind, FieldSpec, repeated_fields
from pharma_pipelines.ingestion.spreadsheet import is_xlsx
from pharma_pipelines.ingestion.tabular import (
    Checked,
    RecordRules,
    SourceRecord,
    Table,
    damage_by_record,
    number_columns,
    untyped_columns,
)
from pharma_pipelines.ingestion.text_files import (
    CLASSIFY_RECORDS,
    TextTable,
    match_text,
    split_text,
)
from pharma_pipelines.values import (
    DECIMAL_COMMA,
    DECIMAL_POINT,
    NUMBER_FORMATS,
    NumberFormat,
    NumberFormatDetection,
    ValueRuleError,
    decide_number_format,
    number_format_vote,
    parse_inverted_date,
    parse_sap_date,
    parse_sap_number,
)

# pyarrow generates its compute kernels at import time, so a type checker sees none of
# them; they are used through an untyped name.
pc: Any = pyarrow.compute

LINEAGE_COLUMNS = ("source_file", "content_hash", "row_number")

HEAD_RECORDS = CLASSIFY_RECORDS + 1
"""Records decoded for the header search: the row path's 300, and one more to show the
300th ended (a record at the very end is judged differently for runaway quotes)."""

THREADS = 2
"""Columns judged and typed at once; pyarrow's kernels and numpy release the GIL."""

BLOCK_SIZE = 1 << 24
"""Bytes pyarrow splits at a time: few chunks per column."""

_UTF8_BOM = "\ufeff".encode()


class NotColumnarError(ValueError):
    """The columnar reader leaves this file to the row path; the message says why."""


@dataclass
class TypedExtract:
    """One extract with typed values; see the module docstring."""

    entity: str
    table: pa.Table
    rejects: list[RowReject]
    number_format: NumberFormat
    encoding: str
    layout: str
    header_map: dict[str, str]
    kinds: dict[str, FieldKind | None]
    part: str = ""
    blank_records: int = 0
    short_records: int = 0
    repeated_headers: int = 0

    @property
    def rows_loaded(self) -> int:
        return self.table.num_rows

    @property
    def rows_read(self) -> int:
        return self.rows_loaded + len(self.rejects)


@dataclass(frozen=True)
class Declined:
    """Why the columnar reader leaves a file to the row path."""

    reason: str


@dataclass(frozen=True)
class _Source:
    """The bytes the reader splits (UTF-8 or Windows-1252) and how to decode them.

    ``suspects`` are the offsets of bytes whose record the row path may reject for them
    alone (see :func:`_suspect_offsets`).
    """

    buffer: bytes
    start: int
    codec: str
    choice: EncodingChoice
    damaged: tuple[DamagedByte, ...]
    suspects: np.ndarray

    def decode(self, begin: int, end: int) -> str:
        return self.buffer[begin:end].decode(self.codec, errors="surrogateescape")


def _source(data: bytes) -> tuple[_Source, np.ndarray] | Declined:
    """The source and the offsets of its line feeds."""
    high, feeds = scan_bytes(data)
    choice = choose_encoding(data, high)
    if choice.encoding.startswith("utf-16"):
        try:
            text = decode_bytes(data).text
        except DecodingError as error:
            return Declined(f"the text cannot be decoded: {error}")
        data = text.encode("utf-8")
        high, feeds = scan_bytes(data)
        start, codec, damaged = 0, "utf-8", ()
    else:
        start = len(_UTF8_BOM) if choice.encoding == "utf-8-sig" else 0
        codec = "cp1252" if choice.encoding == "cp1252" else "utf-8"
        damaged = damaged_bytes(data, choice, high)
    suspects = _suspect_offsets(data, start, codec, damaged, high)
    return _Source(data, start, codec, choice, damaged, suspects), feeds


@dataclass
class ColumnarRead:
    """A delimited file split and judged in bulk, before its rows are handed out."""

    path: str
    kind: str
    reason: str
    table: Table
    detection: NumberFormatDetection
    encoding: str
    layout: str
    columns: list[Column]
    blank: list[np.ndarray]
    decimal_types: dict[int, pa.DataType | None]
    dates: dict[int, pa.Array]
    lines: np.ndarray
    keep: np.ndarray
    rows: list[RawRow] = field(default_factory=list)
    rejects: list[RowReject] = field(default_factory=list)
    blank_records: int = 0
    short_records: int = 0
    long_records: int = 0
    repeated_headers: int = 0

    @property
    def full_layout(self) -> str:
        """The layout as the row path writes it, with the long records it counted."""
        return self.layout + (f" long-records={self.long_records}" if self.long_records else "")

    def _bulk_texts(self) -> list[Column]:
        """The kept rows' values as the raw layer stores them: blank written as ''."""
        everything = bool(self.keep.all())
        runs = _kept_runs(self.keep)

        def text(pair: tuple[Column, np.ndarray]) -> Column:
            column, blank = pair
            if not everything:
                column, blank = _select(column, self.keep, runs), blank[self.keep]
            return pc.if_else(pa.array(blank), "", column) if blank.any() else column

        with ThreadPoolExecutor(THREADS) as pool:
            return list(pool.map(text, zip(self.columns, self.blank, strict=True)))

    def extract(self) -> ParsedExtract:
        """The raw rows as text, exactly as the row path gives them."""
        keys = self.table.keys
        texts = [column.to_pylist() for column in self._bulk_texts()]
        lines = self.lines[self.keep].tolist()
        bulk = (
            RawRow(row_number=line, values=dict(zip(keys, values, strict=True)))
            for line, *values in zip(lines, *texts, strict=True)
        )
        rows = list(heapq.merge(bulk, self.rows, key=lambda row: row.row_number))
        return ParsedExtract(
            entity=self.kind,
            rows=rows,
            rejects=self.rejects,
            encoding=self.encoding,
            layout=self.full_layout,
            header_map=dict(zip(keys, self.table.header, strict=True)),
            blank_records=self.blank_records,
            short_records=self.short_records,
            long_records=self.long_records,
            repeated_headers=self.repeated_headers,
            decimal_separator=self.detection.format.decimal,
        )

    def _release(self, index: int) -> tuple[Column, np.ndarray]:
        """A column and its blank mask, no longer held here (see :meth:`typed`)."""
        column, blank = self.columns[index], self.blank[index]
        self.columns[index] = pa.chunked_array([], column.type)
        return column, blank

    def typed(self, digest: str) -> TypedExtract:
        """The kept rows typed, with lineage; their values were judged, so none fails.

        Every column is typed over all rows and then filtered to the kept ones. Each text
        column is let go as soon as its typed column exists, so the text and the typed
        table are not held in full at the same time: the read is used up.
        """
        keys, fmt = self.table.keys, self.detection.format
        everything = bool(self.keep.all())
        runs = _kept_runs(self.keep)
        settled = [[r.values[k] for r in self.rows] for k in keys]
        _hand_back_freed_memory()

        def typed(i: int) -> Column:
            spec = self.table.field_at(i)
            text, blank = self._release(i)
            kind = self.decimal_types.get(i)
            if i in self.dates:
                column = self.dates[i]
                more = pa.array([parse_sap_date(v).value for v in settled[i]], pa.date32())
            elif spec is not None and spec.kind is FieldKind.NUMBER and kind is not None:
                column = to_decimal(text, fmt, ~blank & self.keep, kind)
                more = pa.array([parse_sap_number(v, fmt) for v in settled[i]], kind)
            elif spec is not None and spec.kind is FieldKind.NUMBER:
                return _wide_decimals(text, fmt, self.keep, settled[i])
            else:
                column = text_or_null(text, blank)
                more = pa.array([v or None for v in settled[i]], pa.string())
            if not everything:
                column = _select(column, self.keep, runs)
            return pa.chunked_array([*chunks_of(column), more]) if len(more) else column

        with ThreadPoolExecutor(THREADS) as pool:
            columns = list(pool.map(typed, range(len(keys))))
        lines = self.lines[self.keep]
        if self.rows:
            lines = np.concatenate([lines, [r.row_number for r in self.rows]])
            order = np.argsort(lines, kind="stable")
            columns = [column.take(pa.array(order)) for column in columns]
            lines = lines[order]
        return TypedExtract(
            entity=self.kind,
            table=_with_lineage(keys, columns, lines, self.path, digest),
            rejects=self.rejects,
            number_format=fmt,
            encoding=self.encoding,
            layout=self.full_layout,
            header_map=dict(zip(keys, self.table.header, strict=True)),
            kinds=_kinds(self.table),
            blank_records=self.blank_records,
            short_records=self.short_records,
            repeated_headers=self.repeated_headers,
        )


MAX_RUNS_SHARE = 256
"""Kept rows are taken as slices while there is at most one run of them per this many rows."""


def _kept_runs(keep: np.ndarray) -> list[tuple[int, int]] | None:
    """(start, length) of each run of kept rows, ``None`` when the runs are too many.

    A few rejects among a million rows leave a few long runs: slices of them share the
    text's buffers, where filtering would copy every kept value.
    """
    edges = np.flatnonzero(np.diff(np.concatenate([[False], keep, [False]]).astype(np.int8)))
    if len(edges) // 2 > max(16, len(keep) // MAX_RUNS_SHARE):
        return None
    return [(int(a), int(b - a)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _select(column: Column, keep: np.ndarray, runs: list[tuple[int, int]] | None) -> Column:
    """The kept rows of a column: zero-copy slices along ``runs``, else a filtered copy."""
    if runs is None:
        return pc.filter(column, keep)
    pieces = [chunk for start, length in runs for chunk in chunks_of(column.slice(start, length))]
    return pa.chunked_array(pieces, type=column.type)


def _wide_decimals(text: Column, fmt: NumberFormat, keep: np.ndarray, more: list[str]) -> pa.Array:
    """Numbers past 76 digits, which no Arrow decimal holds, as their exact decimal text."""
    kept = [v for v, k in zip(text.to_pylist(), keep.tolist(), strict=True) if k]
    exact = [parse_sap_number(v, fmt) for v in [*kept, *more]]
    return pa.array([None if d is None else str(d) for d in exact], pa.string())


def _hand_back_freed_memory() -> None:
    """Give the memory of a finished phase back to the system before the next one.

    glibc keeps large freed blocks in its heap once its mmap threshold has grown (it
    does after the first large free), and the Arrow pool keeps freed pages too; the
    typed table would otherwise be counted on top of the text it replaces.
    """
    pa.default_memory_pool().release_unused()
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _glibc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") else None


_LIBC = _glibc()


def _kinds(table: Table) -> dict[str, FieldKind | None]:
    fields = [table.field_at(i) for i in range(len(table.header))]
    return {k: (f.kind if f else None) for k, f in zip(table.keys, fields, strict=True)}


def _with_lineage(
    keys: Sequence[str], typed: list[Column], lines: np.ndarray, path: str, digest: str
) -> pa.Table:
    size = len(lines)
    zeros = pa.array(np.zeros(size, dtype=np.int32))
    lineage = [
        pa.DictionaryArray.from_arrays(zeros, pa.array([path])),
        pa.DictionaryArray.from_arrays(zeros, pa.array([digest])),
        pa.array(np.asarray(lines, dtype=np.int64)),
    ]
    return pa.table([*typed, *lineage], names=[*keys, *LINEAGE_COLUMNS])


def read_columnar(
    path: str,
    data: bytes,
    specs: Sequence[EntitySpec],
    *,
    hint: str | None,
    text: bool = True,
) -> ColumnarRead | Declined:
    """Split, classify and judge a delimited file in bulk, or say why the row path must.

    Without ``text`` the read serves :meth:`ColumnarRead.typed` only: the text of the date
    columns is let go once the dates are read.
    """
    found = _source(data)
    if isinstance(found, Declined):
        return found
    source, feeds = found
    bounds = record_bounds(source.buffer, source.start, feeds)
    del found, feeds  # a line feed per record: not needed past the bounds
    if bounds is None:
        return Declined("a quoted field is never closed")
    head_end = int(bounds.starts[HEAD_RECORDS]) if len(bounds) > HEAD_RECORDS else None
    head = DecodedText(
        text=source.decode(source.start, len(source.buffer) if head_end is None else head_end),
        encoding=source.choice.encoding,
        damaged=tuple(d for d in source.damaged if head_end is None or d.offset < head_end),
        bom=source.choice.bom,
        note=source.choice.note,
    )
    text_table = split_text(head, limit=CLASSIFY_RECORDS)
    separator = text_table.separator
    if separator is None or text_table.sap_list or text_table.broken_at is not None:
        return Declined("not a plainly delimited text (single column, SAP list or broken quote)")
    matched = match_text(text_table, specs, hint=hint)
    if not isinstance(matched, Found):
        return Declined("no header row maps to a kind")
    if len(matched.table.header) < 2:
        return Declined("a single-column table")
    if not matched.table.spec.quoted:
        return Declined(f"{matched.table.spec.entity} never quotes a field: '\"' is text there")
    if not plain_quotes(source.buffer, bounds, separator, source.start):
        return Declined("a quote character that does not open or close a field")
    head_lines = [r.line for r in text_table.records]
    if head_lines != bounds.lines[: len(head_lines)].tolist():
        return Declined("the record bounds disagree with the csv reader's")
    if len(bounds.quotes) and _runaway(source, bounds, separator):
        return Declined("a quoted field spans too many lines")
    reason = f"{source.choice.label}; {matched.reason}"
    return _read_body(path, source, bounds, matched, text_table, reason, text=text)


def _runaway(source: _Source, bounds: RecordBounds, separator: str) -> bool:
    """Whether the row path would call a quoted field unclosed (``delimited.is_runaway``)."""
    spans = bounds.spans()
    if spans.max() > MAX_RECORD_LINES:
        return True
    if spans[-1] == 1:
        return False
    fields = _record_fields(source, bounds, len(bounds) - 1, separator)
    return is_runaway(fields, separator, int(spans[-1]), at_end=True)


def _parse_body(
    source: _Source, bounds: RecordBounds, body: np.ndarray, width: int, separator: str
) -> tuple[pa.Table, np.ndarray]:
    """The body records with exactly ``width`` fields split by pyarrow, and which they are.

    pyarrow wants one field count throughout. Records with another count (short rows, a
    stray line) are found only when pyarrow stops at one: then the others are cut out and
    read again, and the odd ones are left to the caller.
    """
    buffer = source.buffer
    if source.codec == "utf-8" and source.damaged:
        # Undecodable bytes would make the text columns invalid; their records are
        # settled one by one from the original bytes, so any stand-in will do here.
        patched = np.frombuffer(bytearray(buffer), dtype=np.uint8)
        patched[[d.offset for d in source.damaged]] = ord("?")
        buffer = patched.tobytes()
    filled = ~bounds.empty[body]
    start = int(bounds.starts[body[0]]) if len(body) else len(buffer)
    quoted = bool(len(bounds.quotes) and bounds.quotes[-1] >= start)
    # One cut per thread, at the record that starts nearest each share of the bytes.
    targets = start + (len(buffer) - start) * np.arange(1, THREADS) // THREADS
    nearest = np.searchsorted(bounds.starts, targets)
    cuts = bounds.starts[nearest[nearest < len(bounds)]]
    cuts = [int(c) - start for c in np.unique(cuts) if start < c < len(buffer)]
    try:
        body_text = memoryview(buffer)[start:]
        return _pyarrow_split(body_text, width, separator, quoted, source, cuts), filled
    except pa.ArrowInvalid:
        counts = field_counts(source.buffer, bounds, separator)[body]
        fits = ~filled | (counts == width)
        if fits.all():
            raise
    edges = np.flatnonzero(np.diff(np.concatenate([[False], fits, [False]]).astype(np.int8)))
    ends = np.append(bounds.starts[1:], len(buffer))
    view = memoryview(buffer)
    pieces = [
        view[int(bounds.starts[body[first]]) : int(ends[body[last - 1]])]
        for first, last in zip(edges[::2], edges[1::2], strict=True)
    ]
    table = _pyarrow_split(b"".join(pieces), width, separator, quoted, source)
    return table, filled & (counts == width)


def _pyarrow_split(
    text: bytes | memoryview,
    width: int,
    separator: str,
    quoted: bool,
    source: _Source,
    cuts: Sequence[int] = (),
) -> pa.Table:
    """The records of ``text`` as a table of ``width`` text columns.

    ``cuts`` (offsets where records start) share the text out between threads, each with
    pyarrow's reader on one thread: that splits as fast as pyarrow's own threaded reader
    here and keeps fewer blocks in memory at once.
    """
    names = [f"f{i}" for i in range(width)]
    kind = pa.binary() if source.codec == "cp1252" else pa.string()
    view = memoryview(text)
    edges = [0, *cuts, len(view)]
    pieces = [view[a:b] for a, b in itertools.pairwise(edges) if b > a]

    def read(piece: memoryview) -> pa.Table:
        return pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(piece)),
            read_options=pacsv.ReadOptions(
                column_names=names, use_threads=False, block_size=BLOCK_SIZE
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=separator,
                quote_char='"',
                double_quote=True,
                escape_char=False,
                newlines_in_values=quoted,
                ignore_empty_lines=True,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, kind),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
            ),
        )

    if not pieces:
        return pa.table({n: pa.array([], kind) for n in names})
    if len(pieces) == 1:
        return read(pieces[0])
    with ThreadPoolExecutor(len(pieces)) as pool:
        return pa.concat_tables(pool.map(read, pieces))


def _as_text(column: pa.ChunkedArray, codec: str) -> pa.ChunkedArray:
    return cp1252_to_utf8(column) if codec == "cp1252" else column


def _suspect_offsets(
    buffer: bytes, start: int, codec: str, damaged: Sequence[DamagedByte], high: np.ndarray
) -> np.ndarray:
    """Offsets of bytes whose record the row path may reject for them alone.

    Undecodable bytes, NUL, a byte-order mark inside the text, and (in a Windows-1252
    file) a pair of bytes that is a UTF-8 letter read as two Windows-1252 characters.
    """
    found = [np.array([d.offset for d in damaged], np.int64)]
    if buffer.find(b"\x00", start) >= 0:
        found.append(byte_positions(buffer, lambda chunk: chunk == 0))
    if codec == "utf-8":
        at = buffer.find(_UTF8_BOM, start)
        while at >= 0:
            found.append(np.array([at], np.int64))
            at = buffer.find(_UTF8_BOM, at + 1)
    elif len(high):
        view = np.frombuffer(buffer, dtype=np.uint8)
        pairs = high[:-1][np.diff(high) == 1]
        lead, trail = view[pairs], view[pairs + 1]
        mangled = (lead >= 0xC2) & (lead <= 0xDF) & (trail <= 0xBF) & ~CP1252_UNDEFINED[trail]
        found.append(pairs[mangled])
    return np.concatenate(found)


def _record_fields(source: _Source, bounds: RecordBounds, record: int, separator: str) -> list[str]:
    text = source.decode(int(bounds.starts[record]), int(bounds.ends[record]))
    return next(csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=False), [])


def _read_body(
    path: str,
    source: _Source,
    bounds: RecordBounds,
    matched: Found,
    text_table: TextTable,
    reason: str,
    *,
    text: bool,
) -> ColumnarRead | Declined:
    table = matched.table
    separator = text_table.separator or ""
    width = len(table.header)
    body = np.arange(matched.header_at + 1, len(bounds), dtype=bounds.starts.dtype)
    try:
        parsed, in_bulk = _parse_body(source, bounds, body, width, separator)
    except pa.ArrowException as error:
        return Declined(f"pyarrow could not split the records: {error}")
    filled = ~bounds.empty[body]
    bulk_records, odd_records = body[in_bulk], body[filled & ~in_bulk]
    if len(bulk_records) != parsed.num_rows:
        return Declined("pyarrow and the record bounds disagree on the records")
    chunked = parsed.columns
    del parsed
    _hand_back_freed_memory()  # what pyarrow needed for splitting, before the columns grow
    odd = {int(r): _record_fields(source, bounds, int(r), separator) for r in odd_records}
    judged = _judge(table, chunked, source.codec, list(odd.values()), text_table, text=text)
    del chunked
    size = len(bulk_records)
    all_blank = np.logical_and.reduce(judged.blank) if size else np.zeros(0, dtype=bool)
    # Only marks the file holds at all can make an identifier more than one key; a line
    # break can sit inside a field only where quotes are.
    marks = tuple(m for m in ("[", "{") if m.encode() in source.buffer)
    if len(bounds.quotes):
        marks += ("\n", "\r")
    suspect = _suspects(table, judged, size=size, identifier_marks=marks)
    _hand_back_freed_memory()
    row_of = np.full(len(bounds), -1, dtype=np.int32 if size < 2**31 else np.int64)
    row_of[bulk_records] = np.arange(size)
    records = bounds.record_at(source.suspects)
    rows = row_of[records[records >= 0]]
    suspect[rows[rows >= 0]] = True
    suspect &= ~all_blank
    detection = judged.detection
    read = ColumnarRead(
        path=path,
        kind=table.spec.entity,
        reason=reason,
        table=table,
        detection=detection,
        encoding=source.choice.label,
        layout=text_table.layout(
            detection.format, assumed=detection.assumed, header_line=matched.line
        ),
        columns=judged.columns,
        blank=judged.blank,
        decimal_types={},
        dates={i: verdicts.dates for i, verdicts in judged.dates.items()},
        lines=bounds.lines[bulk_records],
        keep=~suspect & ~all_blank,
        blank_records=int(np.count_nonzero(~filled)) + int(np.count_nonzero(all_blank)),
    )
    suspects = bulk_records[suspect]
    _settle(read, source, bounds, separator, body, np.union1d(suspects, odd_records), odd, row_of)
    rows = None if read.keep.all() else read.keep
    read.decimal_types = {
        i: census.decimal_type(detection.format, rows, [r.values[table.keys[i]] for r in read.rows])
        for i, census in judged.shapes.items()
        if i in table.columns
    }
    return read


@dataclass
class _Judged:
    """The body's text columns and what the bulk pass found in them."""

    columns: list[Column]
    blank: list[np.ndarray]
    shapes: dict[int, ShapeCensus]
    detection: NumberFormatDetection
    dates: dict[int, DateVerdicts]


def _judge(
    table: Table,
    chunked: list[pa.ChunkedArray],
    codec: str,
    odd_fields: list[list[str]],
    text_table: TextTable,
    *,
    text: bool,
) -> _Judged:
    """Columns as text, blanks, number shapes and format, dates: column by column, in threads.

    Without ``text`` a date column's text is let go once its dates are read, unless the
    bulk pass still compares it.
    """
    with ThreadPoolExecutor(THREADS) as pool:
        columns = list(pool.map(lambda c: _as_text(c, codec), chunked))
        chunked.clear()
        blank = list(pool.map(blank_mask, columns))
        numbers = number_columns(table)
        shapes = dict(
            zip(numbers, pool.map(lambda i: ShapeCensus(columns[i]), numbers), strict=True)
        )
        detection = _detect(table, columns, shapes, odd_fields, text_table.default_format, pool)
        compared = _compared_columns(table)

        def read_dates(i: int) -> DateVerdicts:
            verdicts = date_verdicts(columns[i])
            if not text and i not in compared:
                columns[i] = pa.chunked_array([], columns[i].type)  # the dates replace it
            return verdicts

        date_fields = _fields_of(table, FieldKind.DATE)
        dates = dict(zip(date_fields, pool.map(read_dates, date_fields), strict=True))
    return _Judged(columns, blank, shapes, detection, dates)


def _settle(
    read: ColumnarRead,
    source: _Source,
    bounds: RecordBounds,
    separator: str,
    body: np.ndarray,
    records: np.ndarray,
    odd: dict[int, list[str]],
    row_of: np.ndarray,
) -> None:
    """Hand each record the bulk pass could not settle to the row path's rules, in order.

    A suspect with the right field count that passes is a row whose fields pyarrow split
    as csv does: its values stay in the columns.
    """
    unterminated = not source.buffer.endswith((b"\n", b"\r"))
    rules = RecordRules(
        read.table,
        read.detection,
        locate=lambda n: f"{read.path} line {n}",
        codec=source.choice.encoding,
        cut_line=int(bounds.lines[len(bounds) - 1]) if len(bounds) and unterminated else None,
    )
    damage_at = (
        damage_by_record(bounds.lines[body].tolist(), source.damaged) if source.damaged else {}
    )
    for record in records.tolist():
        in_columns = record not in odd
        fields = _record_fields(source, bounds, record, separator) if in_columns else odd[record]
        line = int(bounds.lines[record])
        checked = rules.check(SourceRecord(number=line, fields=fields), damage_at.get(line, []))
        if checked.row is not None and in_columns:
            read.keep[row_of[record]] = True
        else:
            _tally(read, checked)


def _header_probe(table: Table) -> int | None:
    """The first column with a header name: a repeated header line must hold it."""
    return next((i for i, h in enumerate(table.header) if h.strip()), None)


def _compared_columns(table: Table) -> set[int]:
    """Columns whose text :func:`_suspects` compares: the header probe and repeated fields."""
    probe = _header_probe(table)
    repeats = repeated_fields(table.header, table.spec, table.columns)
    return {i for first, later, _ in repeats for i in (first, later)} | (
        set() if probe is None else {probe}
    )


def _fields_of(table: Table, kind: FieldKind) -> list[int]:
    return [i for i, name in table.columns.items() if table.spec.field(name).kind is kind]


def _tally(read: ColumnarRead, checked: Checked) -> None:
    read.short_records += checked.short
    read.long_records += checked.long
    if checked.row is not None:
        read.rows.append(checked.row)
    elif checked.reject is not None:
        read.rejects.append(checked.reject)
    elif checked.outcome == "blank":
        read.blank_records += 1
    else:
        read.repeated_headers += 1


def _detect(
    table: Table,
    columns: list[Column],
    shapes: dict[int, ShapeCensus],
    odd_fields: list[list[str]],
    default: NumberFormat,
    pool: ThreadPoolExecutor,
) -> NumberFormatDetection:
    """The file's number format, voted as ``tabular.detect_format`` votes."""

    def odd_votes(indices: list[int], total: dict[NumberFormat, int]) -> None:
        for fields in odd_fields:
            for i in indices:
                fmt = number_format_vote(fields[i]) if i < len(fields) else None
                if fmt is not None:
                    total[fmt] = total.get(fmt, 0) + 1

    votes: dict[NumberFormat, int] = {}
    for census in shapes.values():
        add_votes(votes, census.votes())
    odd_votes(list(shapes), votes)
    detection = decide_number_format(votes, default)
    if not detection.assumed:
        return detection
    others = untyped_columns(table)
    votes = {}
    for counted in pool.map(lambda i: vote_counts(columns[i], prefilter=True), others):
        add_votes(votes, counted)
    odd_votes(others, votes)
    return decide_number_format(votes, default)


def _suspects(
    table: Table, judged: _Judged, *, size: int, identifier_marks: tuple[str, ...] = ()
) -> np.ndarray:
    """Rows a rule may reject or that may repeat the header: ``RecordRules`` settles them.

    Only the columns :func:`_compared_columns` names are read as text.
    """
    columns, blank, fmt = judged.columns, judged.blank, judged.detection.format
    suspect = np.zeros(size, dtype=bool)
    header_again = [h.strip() for h in table.header]
    probe = _header_probe(table)
    if probe is not None and size:
        repeat = pc.match_substring(columns[probe], header_again[probe])
        suspect |= repeat.to_numpy(zero_copy_only=False)
    for first, later, _ in repeated_fields(table.header, table.spec, table.columns):
        differ = pc.not_equal(columns[first], columns[later]).to_numpy(zero_copy_only=False)
        suspect |= differ & ~blank[first] & ~blank[later]
    for index, name in table.columns.items():
        spec = table.spec.field(name)
        if spec.required:
            suspect |= blank[index]
        if spec.kind is FieldKind.NUMBER:
            suspect |= judged.shapes[index].invalid(fmt)
        elif spec.kind is FieldKind.DATE:
            suspect |= judged.dates[index].invalid
            if spec.required:
                suspect |= judged.dates[index].empty
        elif spec.kind is FieldKind.IDENTIFIER and size and len(columns[index]):
            # A line break, or what may be a JSON list or object, is judged by the rules.
            for mark in identifier_marks:
                found = pc.match_substring(columns[index], mark)
                suspect |= found.to_numpy(zero_copy_only=False)
        elif spec.kind not in (FieldKind.TEXT, FieldKind.IDENTIFIER, FieldKind.NUMBER):
            suspect |= ~blank[index]
    return suspect


# ---------------------------------------------------------------- typing


def _typed_column(
    text: Column,
    spec: FieldSpec | None,
    fmt: NumberFormat,
    *,
    kind: pa.DataType | None = None,
) -> tuple[Column, np.ndarray]:
    """One text column (blank written as '') typed by its field kind, and the rows whose
    value does not type.

    A number column with a ``kind`` was judged already (every value parses); without one
    its values are judged here and the decimal type found from them.
    """
    blank = pc.equal(pc.binary_length(text), 0).to_numpy(zero_copy_only=False)
    failed = np.zeros(len(text), dtype=bool)
    if spec is None or spec.kind in (FieldKind.TEXT, FieldKind.IDENTIFIER):
        return text_or_null(text, blank), failed
    if spec.kind is FieldKind.DATE:
        verdicts = date_verdicts(text)
        return verdicts.dates, verdicts.invalid
    if spec.kind is FieldKind.INVERTED_DATE:
        # Few files hold these (exchange rates): each value is decoded by the shared rule.
        values: list[dt.date | None] = []
        for index, value in enumerate(text.to_pylist()):
            try:
                values.append(parse_inverted_date(value).value if value else None)
            except ValueRuleError:
                values.append(None)
                failed[index] = True
        return pa.chunked_array([pa.array(values, pa.date32())]), failed
    if kind is None:
        census = ShapeCensus(text)
        failed = census.invalid(fmt)
        kind = census.decimal_type(fmt)
    usable = ~blank & ~failed
    if kind is None:
        # Past 76 digits no Arrow decimal holds the value: keep its exact decimal text.
        pairs = zip(text.to_pylist(), usable.tolist(), strict=True)
        exact = [str(parse_sap_number(v, fmt)) if ok else None for v, ok in pairs]
        return pa.array(exact, pa.string()), failed
    return to_decimal(text, fmt, usable, kind), failed


def type_columns(
    texts: Sequence[Column], table: Table, fmt: NumberFormat
) -> tuple[list[Column], np.ndarray]:
    """Every column of ``table`` typed, and the rows one of whose values does not type."""
    specs = [table.field_at(i) for i in range(len(texts))]
    with ThreadPoolExecutor(THREADS) as pool:
        typed = list(
            pool.map(lambda pair: _typed_column(*pair, fmt), zip(texts, specs, strict=True))
        )
    failed = np.zeros(len(texts[0]) if texts else 0, dtype=bool)
    for _, column_failed in typed:
        failed |= column_failed
    return [column for column, _ in typed], failed


# ---------------------------------------------------------------- public entry points


def read_typed(relative_path: str, data: bytes) -> TypedExtract:
    """The typed extract of a plain delimited flat file, read in bulk.

    Raises :class:`NotColumnarError` when the row path must read the file; see the module
    docstring.
    """
    digest = ThreadPoolExecutor(1).submit(content_hash, data)  # hashing releases the GIL
    container = _container(data)
    if container is not None:
        raise NotColumnarError(f"{relative_path}: {container}, not delimited text")
    hint = path_hint(relative_path)
    read = read_columnar(relative_path, data, HEADER_SPECS, hint=hint, text=False)
    if isinstance(read, Declined):
        raise NotColumnarError(
            f"{relative_path}: {read.reason}; read it with parse_file and typed_extract"
        )
    return read.typed(digest.result())


def _container(data: bytes) -> str | None:
    if not data:
        return "an empty file"
    if is_xlsx(data):
        return "an XLSX workbook"
    message = mail_format(data)
    if message is not None:
        return f"an e-mail ({message})"
    if looks_like_json(data):
        return "a JSON document"
    return None


def typed_extract(
    extract: ParsedExtract,
    spec: EntitySpec | None = None,
    *,
    source_file: str = "",
    content_hash: str = "",
) -> TypedExtract:
    """Type the text rows of an extract from any reader (see the module docstring).

    ``spec`` defaults to the extract's kind. The number format is the one the extract was
    read with; a row with a value that does not type under it is moved to the rejects.
    """
    spec = spec or SPECS_BY_ENTITY[extract.entity]
    keys = list(extract.header_map)
    for row in extract.rows[:1]:
        keys += [k for k in row.values if k not in extract.header_map]
    names = {f.name for f in spec.fields}
    table = Table(
        spec=spec,
        header=tuple(extract.header_map.get(k, k) for k in keys),
        columns={i: k for i, k in enumerate(keys) if k in names},
    )
    texts = [pa.array([r.values.get(k, "") for r in extract.rows], pa.string()) for k in keys]
    fmt = _declared_format(extract, table, texts)
    typed, failed = type_columns(texts, table, fmt)
    lines = np.array([r.row_number for r in extract.rows], dtype=np.int64)
    rejects = list(extract.rejects)
    if failed.any():
        rejects += [
            _typing_reject(extract.rows[i], table, keys, fmt) for i in np.flatnonzero(failed)
        ]
        rejects.sort(key=lambda r: r.row_number)
        keep = pa.array(np.flatnonzero(~failed))
        typed = [column.take(keep) for column in typed]
        lines = lines[~failed]
    return TypedExtract(
        entity=extract.entity,
        table=_with_lineage(keys, typed, lines, source_file, content_hash),
        rejects=rejects,
        number_format=fmt,
        encoding=extract.encoding,
        layout=extract.layout,
        header_map=dict(extract.header_map),
        kinds=_kinds(table),
        part=extract.part,
        blank_records=extract.blank_records,
        short_records=extract.short_records,
        repeated_headers=extract.repeated_headers,
    )


def _declared_format(extract: ParsedExtract, table: Table, texts: list[Column]) -> NumberFormat:
    """The format the extract's rows were read with, from its decimal separator.

    A decimal comma leaves the thousands separator open (``1.234,5`` or ``1 234,5``):
    the one under which the rows' numbers parse is it, and where both do, the values
    are the same under either.
    """
    if extract.decimal_separator != ",":
        return DECIMAL_POINT
    shapes = [ShapeCensus(texts[i]) for i in number_columns(table) if i in table.columns]
    candidates = [f for f in NUMBER_FORMATS if f.decimal == ","]
    return min(
        candidates,
        key=lambda f: (sum(int(c.invalid(f).sum()) for c in shapes), f is not DECIMAL_COMMA),
    )


def _typing_reject(row: RawRow, table: Table, keys: list[str], fmt: NumberFormat) -> RowReject:
    for index, key in enumerate(keys):
        spec = table.field_at(index)
        value = row.values.get(key, "")
        try:
            if spec is not None and spec.kind is FieldKind.NUMBER:
                parse_sap_number(value, fmt)
            elif spec is not None and spec.kind is FieldKind.DATE:
                parse_sap_date(value)
        except ValueRuleError as error:
            column = table.header[index]
            return RowReject(
                row_number=row.row_number,
                column=column,
                raw_value=value,
                reason=f"row {row.row_number}, column {column!r}: found {error.value!r}, which "
                f"{error.rule}; allowed: {error.allowed}",
                rule="value.number"
                if spec is not None and spec.kind is FieldKind.NUMBER
                else "value.date",
            )
    raise AssertionError(f"row {row.row_number} was marked untypable but every value types")
