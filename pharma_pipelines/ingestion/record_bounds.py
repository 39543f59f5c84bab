"""Where the records of a delimited text start and end, found from its bytes in bulk.

Python's ``csv`` module finds records one character at a time. For a large
file the columnar reader needs the same answer at memory speed: the byte span
and first physical line of every record, computed with numpy from the
positions of line breaks and quote characters.

A line break ends a record unless it lies inside a quoted field, i.e. after an
odd number of quote characters. That holds only while every quote character
is *structural*: it opens a field (right after a separator, a line break or
the start of the text), doubles a quote inside a quoted field, or closes one
(right before a separator, a line break or the end). :func:`plain_quotes`
checks exactly that; a text with a stray quote (``12" pipe``) or a quote that
never closes is left to the record-by-record reader, which knows what to make
of it.

Physical lines are counted as ``csv`` and the raw layer count them: ``\\n``,
``\\r\\n`` and a lone ``\\r`` each end one line, inside quotes too.

The buffer must be ASCII-compatible (UTF-8 or Windows-1252 bytes): line
breaks, quotes and the separators are single ASCII bytes there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pharma_pipelines.ingestion.encoding import SCAN_CHUNK, byte_positions, offset_type

QUOTE = ord('"')
LF = ord("\n")
CR = ord("\r")


@dataclass(frozen=True)
class RecordBounds:
    """Every record of a text: ``starts`` and ``ends`` (byte offsets, end exclusive and
    before the line break) and the 1-based physical ``lines`` they start on.

    ``quotes`` holds the offset of every quote character; ``line_count`` is the number
    of physical lines of the text.
    """

    starts: np.ndarray
    ends: np.ndarray
    lines: np.ndarray
    quotes: np.ndarray
    line_count: int

    def __len__(self) -> int:
        return len(self.starts)

    @property
    def empty(self) -> np.ndarray:
        """Records with no character at all (an empty line), which ``csv`` reads as ``[]``."""
        return self.ends == self.starts

    def spans(self) -> np.ndarray:
        """The number of physical lines each record covers (more than one: quoted breaks)."""
        following = np.append(self.lines[1:], self.line_count + 1)
        return following - self.lines

    def record_at(self, offsets: np.ndarray) -> np.ndarray:
        """The index of the record holding each byte offset (-1 before the first record)."""
        return np.searchsorted(self.starts, offsets, side="right") - 1


def _line_breaks(buffer: bytes, start: int, feeds: np.ndarray | None) -> np.ndarray:
    """Offsets of the bytes that end a physical line: every LF, and every CR not before LF."""
    if feeds is None:
        feeds = byte_positions(buffer, lambda chunk: chunk == LF)
    feeds = feeds[feeds >= start]
    returns = buffer.count(b"\r", start)
    view = np.frombuffer(buffer, dtype=np.uint8)
    if returns and returns != np.count_nonzero(view[feeds[feeds > start] - 1] == CR):
        found = byte_positions(buffer, lambda chunk: chunk == CR)
        found = found[found >= start]
        after = np.minimum(found + 1, len(view) - 1)
        lone = found[(found + 1 >= len(view)) | (view[after] != LF)]
        return np.union1d(feeds, lone)
    return feeds


def record_bounds(
    buffer: bytes, start: int = 0, feeds: np.ndarray | None = None
) -> RecordBounds | None:
    """The records of ``buffer[start:]``; ``None`` when a quoted field never closes.

    ``feeds`` may pass the offsets of the line feeds when the caller has them.
    """
    breaks = _line_breaks(buffer, start, feeds)
    if buffer.count(b'"', start):
        quotes = byte_positions(buffer, lambda chunk: chunk == QUOTE)
        quotes = quotes[quotes >= start]
        if len(quotes) % 2:
            return None
        ends_record = np.searchsorted(quotes, breaks) % 2 == 0
        boundaries = breaks[ends_record]
        boundary_lines = np.flatnonzero(ends_record) + 2
    else:
        quotes = np.zeros(0, dtype=np.int64)
        boundaries = breaks
        boundary_lines = np.arange(2, len(breaks) + 2)
    width = offset_type(len(buffer))
    starts = np.concatenate([[start], boundaries + 1]).astype(width)
    lines = np.concatenate([[1], boundary_lines]).astype(width)
    view = np.frombuffer(buffer, dtype=np.uint8)
    crlf = (
        (boundaries > start)
        & (view[boundaries] == LF)
        & (view[np.maximum(boundaries - 1, 0)] == CR)
    )
    ends = np.concatenate([boundaries - crlf, [len(buffer)]]).astype(width)
    line_count = len(breaks) + 1
    if starts[-1] == len(buffer):
        # A text that ends with a line break has no record after it.
        starts, ends, lines = starts[:-1], ends[:-1], lines[:-1]
        line_count -= 1
    return RecordBounds(starts, ends, lines, quotes, line_count)


def plain_quotes(buffer: bytes, bounds: RecordBounds, separator: str, start: int = 0) -> bool:
    """Whether every quote character is structural (see the module docstring)."""
    quotes = bounds.quotes
    if not len(quotes):
        return True
    view = np.frombuffer(buffer, dtype=np.uint8)
    run_first = np.flatnonzero(np.diff(quotes, prepend=-2) != 1)
    run_length = np.diff(np.append(run_first, len(quotes)))
    run_start = quotes[run_first]
    run_end = run_start + run_length
    edges = np.zeros(256, dtype=bool)
    edges[[ord(separator), LF, CR]] = True
    opens_outside = run_first % 2 == 0
    before = view[np.maximum(run_start - 1, 0)]
    opens_well = (run_start == start) | ((run_start > start) & edges[before])
    closes_outside = (run_first + run_length) % 2 == 0
    after = view[np.minimum(run_end, len(view) - 1)]
    closes_well = (run_end == len(view)) | edges[after]
    return bool(np.all(~opens_outside | opens_well) and np.all(~closes_outside | closes_well))


def field_counts(buffer: bytes, bounds: RecordBounds, separator: str) -> np.ndarray:
    """How many fields each record has (0 for an empty line), separators in quotes aside."""
    code = ord(separator)
    counts = np.zeros(len(bounds), dtype=np.int64)
    view = np.frombuffer(buffer, dtype=np.uint8)
    for offset in range(0, len(view), SCAN_CHUNK):
        found = np.flatnonzero(view[offset : offset + SCAN_CHUNK] == code) + offset
        if len(bounds.quotes):
            found = found[np.searchsorted(bounds.quotes, found) % 2 == 0]
        records = bounds.record_at(found)
        counts += np.bincount(records[records >= 0], minlength=len(bounds))
    return np.where(bounds.empty, 0, counts + 1)
