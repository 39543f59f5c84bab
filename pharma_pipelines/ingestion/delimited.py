"""Delimited text: separator sniffing and records with their physical line numbers.

Quoted fields may hold separators and line breaks, so a record can span
several physical lines; each :class:`Record` knows the line it starts on,
which is the row number the raw layer keeps. SAP list output (``|Material
|Plant |`` with dashed rules) is recognised and its padding removed.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

# Python's csv module refuses fields over 128 KiB; free-text columns of real exports can be
# longer, and one long field must not make a whole file unreadable.
csv.field_size_limit(64 * 1024 * 1024)

SEPARATORS = (";", ",", "\t", "|")
SNIFF_LINES = 30

_RULE_LINE = re.compile(r"[\s|+\-=]*")


@dataclass(frozen=True)
class Record:
    """One record of a delimited file: its first physical line and its fields."""

    line: int
    fields: list[str]

    @property
    def is_blank(self) -> bool:
        return all(not f.strip() for f in self.fields)


class UnterminatedQuoteError(ValueError):
    """A quoted field never closes: the rest of the file cannot be split into records."""

    def __init__(self, line: int, detail: str) -> None:
        self.line = line
        super().__init__(
            f"a quoted field opened at line {line} is not closed ({detail}); "
            "a field that starts with '\"' must end with '\"' before the next separator"
        )


def separator_name(separator: str) -> str:
    return "TAB" if separator == "\t" else repr(separator)


def _head(text: str, lines: int) -> str:
    end = 0
    for _ in range(lines):
        found = text.find("\n", end)
        if found < 0:
            return text
        end = found + 1
    return text[:end]


def sniff_separator(text: str) -> str | None:
    """The separator that splits the first lines into the most consistent columns.

    Each candidate (``;`` ``,`` TAB ``|``) splits the first lines with quote
    handling; the winner gives the most lines with the same field count (more
    than one field), then the most fields. ``None`` when every line is a
    single field.
    """
    sample = _head(text, SNIFF_LINES)
    best: tuple[int, int] = (0, 0)
    chosen: str | None = None
    for separator in SEPARATORS:
        try:
            rows = [
                r for r in csv.reader(io.StringIO(sample, newline=""), delimiter=separator) if r
            ]
        except csv.Error:
            continue
        counts: dict[int, int] = {}
        for row in rows:
            if len(row) > 1:
                counts[len(row)] = counts.get(len(row), 0) + 1
        if not counts:
            continue
        width, frequency = max(counts.items(), key=lambda item: (item[1], item[0]))
        if (frequency, width) > best:
            best, chosen = (frequency, width), separator
    return chosen


def is_sap_list(text: str, separator: str | None) -> bool:
    """SAP list output: ``|``-separated lines that start with ``|``."""
    if separator != "|":
        return False
    lines = [line for line in _head(text, SNIFF_LINES).splitlines() if line.strip()]
    framed = [line for line in lines if line.lstrip().startswith("|")]
    return len(framed) >= max(1, len(lines) // 2)


MAX_RECORD_LINES = 100
"""A quoted field spanning more lines than this is a quote that was never closed."""


def is_runaway(fields: list[str], separator: str, span: int, *, at_end: bool) -> bool:
    """Whether a record is the remains of an unclosed quote.

    Python's csv module reads an unclosed quote silently to the end of the file. Real
    quoted line breaks span a few lines; a field that runs over many lines, or that reaches
    the end of the file with what looks like further records inside it, is a runaway.
    """
    if span > MAX_RECORD_LINES:
        return True
    if not at_end or span == 1:
        return False
    return any("\n" in f and separator in f.split("\n", 1)[1] for f in fields)


def read_records(
    text: str, separator: str | None, *, sap_list: bool = False, quoting: bool = True
) -> Iterator[Record]:
    """Split ``text`` into records; raises :class:`UnterminatedQuoteError` on a runaway quote.

    With ``sap_list`` the frame (leading and trailing ``|``) and cell padding
    are removed; rule lines (``-----``) and lines outside the frame (titles,
    page headers) are layout, not records, and are skipped. Without ``quoting``
    every line is one record and a ``"`` is kept as a letter.
    """
    stream = io.StringIO(text, newline="")
    if separator is None:
        for number, line in enumerate(stream, start=1):
            yield Record(line=number, fields=[line.rstrip("\r\n")])
        return
    reader = csv.reader(
        stream,
        delimiter=separator,
        strict=False,
        quoting=csv.QUOTE_MINIMAL if quoting else csv.QUOTE_NONE,
    )
    previous = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise UnterminatedQuoteError(previous + 1, str(error)) from error
        start = previous + 1
        previous = reader.line_num
        if is_runaway(fields, separator, previous - start + 1, at_end=stream.tell() == len(text)):
            raise UnterminatedQuoteError(start, "a quoted field is never closed")
        if sap_list:
            joined = separator.join(fields)
            if _RULE_LINE.fullmatch(joined) or (fields and fields[0].strip()):
                continue
            if fields:
                fields = fields[1:]
            if fields and not fields[-1].strip():
                fields = fields[:-1]
            fields = [f.strip() for f in fields]
        yield Record(line=start, fields=fields)
