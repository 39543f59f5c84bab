"""Delimited text files (CSV, TAB, ``|`` lists) of any source system.

Reading order: decode (BOM, UTF-16, UTF-8, Windows-1252), sniff the separator,
split into records, find the header and its kind; a file without a header is
tried as the headerless SAP tables (T006, T006A, TCURR, TCURC, TCURX). The number
format is detected once per file; when no value decides it, a ``;``-separated file
is assumed to write decimal commas (the reason Excel and SAP pick ``;`` at all) and
any other file decimal points.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pharma_pipelines.ingestion.delimited import (
    Record,
    UnterminatedQuoteError,
    is_sap_list,
    read_records,
    separator_name,
    sniff_separator,
)
from pharma_pipelines.ingestion.encoding import DecodedText, has_damage, show_damage
from pharma_pipelines.ingestion.header_search import Found, Missed, find_table
from pharma_pipelines.ingestion.model import ParsedExtract, RowReject
from pharma_pipelines.ingestion.sap.customizing import HEADERLESS_TABLES
from pharma_pipelines.ingestion.sap.headerless import identify_headerless
from pharma_pipelines.ingestion.schema import EntitySpec
from pharma_pipelines.ingestion.tabular import SourceRecord, Table, build_extract
from pharma_pipelines.values import DECIMAL_COMMA, DECIMAL_POINT, NumberFormat


@dataclass(frozen=True)
class TextTable:
    """A decoded delimited text, split into records."""

    decoded: DecodedText
    separator: str | None
    sap_list: bool
    records: list[Record]
    broken_at: UnterminatedQuoteError | None = None

    @property
    def default_format(self) -> NumberFormat:
        return DECIMAL_COMMA if self.separator == ";" else DECIMAL_POINT

    def layout(self, fmt: NumberFormat, *, assumed: bool, header_line: int | None) -> str:
        style = "sap-list" if self.sap_list else "csv"
        sep = separator_name(self.separator) if self.separator else "none"
        parts = [f"{style} sep={sep} decimal={fmt.decimal!r}"]
        if assumed:
            parts.append("(decimal assumed)")
        if header_line is None:
            parts.append("headerless")
        elif header_line != 1:
            parts.append(f"header-line={header_line}")
        return " ".join(parts)


CLASSIFY_RECORDS = 300
"""Records enough to find a header, test T006 and sample wide results."""


def split_text(
    decoded: DecodedText, *, limit: int | None = None, quoting: bool = True
) -> TextTable:
    """Sniff the separator and split ``decoded`` into records (stops at a runaway quote).

    With ``limit`` only the first records are split: enough to classify. Without
    ``quoting`` a ``"`` is text (sources whose kind says they never quote).
    """
    separator = sniff_separator(decoded.text)
    sap_list = is_sap_list(decoded.text, separator)
    records: list[Record] = []
    try:
        for record in read_records(decoded.text, separator, sap_list=sap_list, quoting=quoting):
            records.append(record)
            if limit is not None and len(records) >= limit:
                break
    except UnterminatedQuoteError as error:
        return TextTable(decoded, separator, sap_list, records, broken_at=error)
    return TextTable(decoded, separator, sap_list, records)


@dataclass(frozen=True)
class Positional:
    """A headerless table read by column position."""

    table: Table
    reason: str


def match_text(
    text_table: TextTable, specs: Sequence[EntitySpec], *, hint: str | None
) -> Found | Positional | Missed:
    """The kind of a delimited text: by header, else as a headerless SAP table, else why not."""
    found = find_table(text_table.records, specs, hint=hint)
    if isinstance(found, Found):
        return found
    headerless = identify_headerless(text_table.records, HEADERLESS_TABLES)
    if headerless is None:
        return found
    known = headerless.table
    what = f"headerless SAP table {known.name} ({known.title})"
    if headerless.fits:
        columns = dict(enumerate(f.name for f in known.spec.fields))
        table = Table(spec=known.spec, header=known.ddic, columns=columns)
        return Positional(table, f"{what}: {headerless.evidence}")
    return Missed(
        f"{found.reason}; the first record looks like the {what}, but {headerless.evidence}"
    )


def text_extract(
    text_table: TextTable,
    matched: Found | Positional,
    *,
    path: str,
    part: str = "",
    extra: Callable[[SourceRecord], dict[str, str]] | None = None,
) -> ParsedExtract:
    """The raw rows of a matched delimited text, every record accounted for."""
    if isinstance(matched, Found):
        body = text_table.records[matched.header_at + 1 :]
        header_line: int | None = matched.line
    else:
        body = text_table.records
        header_line = None
    where = f"{path} ({part})" if part else path
    records = [SourceRecord(number=r.line, fields=r.fields) for r in body]
    unterminated = not text_table.decoded.text.endswith(("\n", "\r"))
    cut_line = records[-1].number if records and unterminated else None
    extract, detection = build_extract(
        matched.table,
        records,
        locate=lambda n: f"{where} line {n}",
        encoding=text_table.decoded.label,
        layout="",
        default_format=text_table.default_format,
        part=part,
        extra=extra,
        damaged=text_table.decoded.damaged,
        codec=text_table.decoded.encoding,
        cut_line=cut_line,
    )
    extract.layout = text_table.layout(
        detection.format, assumed=detection.assumed, header_line=header_line
    )
    if extract.long_records:
        extract.layout += f" long-records={extract.long_records}"
    if text_table.broken_at is not None:
        error = text_table.broken_at
        extract.rejects.append(
            RowReject(
                row_number=error.line,
                column=None,
                raw_value=None,
                reason=f"{where} line {error.line}: {error}; nothing from this line on can be read",
                rule="record.unclosed_quote",
            )
        )
    return extract


def damaged_header_reason(decoded: DecodedText, header: Sequence[str]) -> str | None:
    """A header holding undecodable bytes cannot be matched: name the byte and the line."""
    damaged = [h for h in header if has_damage(h)]
    if not damaged or not decoded.damaged:
        return None
    first = decoded.damaged[0]
    return (
        f"the header holds undecodable bytes ({show_damage(damaged[0])!r}): "
        f"{first.describe(decoded.encoding)}"
    )
