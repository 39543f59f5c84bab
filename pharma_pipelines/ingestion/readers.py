"""Tables in their containers: delimited text, XLSX workbooks, API JSON.

Each reader says which kind the content is (or why it is none) and, when
asked, reads its rows. The same readers serve landed files and e-mail
attachments; an attachment passes ``part`` (where it sits in the mail) and
``extra`` (lineage values added to every row).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pharma_pipelines.ingestion.columnar import ColumnarRead, read_columnar
from pharma_pipelines.ingestion.delimited import Record
from pharma_pipelines.ingestion.encoding import DecodingError, decode_bytes
from pharma_pipelines.ingestion.header_search import Found, Missed, find_table
from pharma_pipelines.ingestion.model import ParsedExtract
from pharma_pipelines.ingestion.sap.odata import NotRecordsError
from pharma_pipelines.ingestion.sap.odata import read_records as read_json_records
from pharma_pipelines.ingestion.schema import EntitySpec, choose_kind, describe_miss
from pharma_pipelines.ingestion.spreadsheet import WorkbookError, read_sheets
from pharma_pipelines.ingestion.tabular import SourceRecord, Table, build_extract
from pharma_pipelines.ingestion.text_files import (
    CLASSIFY_RECORDS,
    damaged_header_reason,
    match_text,
    split_text,
    text_extract,
)
from pharma_pipelines.values import DECIMAL_POINT

Extra = Callable[[SourceRecord], dict[str, str]]


@dataclass
class Outcome:
    """The kind of a container's content, why, and its extracts when read."""

    kind: str | None
    reason: str
    extracts: list[ParsedExtract] = field(default_factory=list)


def read_delimited(
    path: str,
    data: bytes,
    specs: Sequence[EntitySpec],
    *,
    hint: str | None,
    with_rows: bool,
    part: str = "",
    extra: Extra | None = None,
    columnar: bool = True,
) -> Outcome:
    """Decode, split and classify a delimited text; read its rows when ``with_rows``.

    A landed file's rows are read by the columnar reader when it can split the file with
    certainty; it gives the same extract as the record-by-record reading below, which
    ``columnar=False`` asks for.
    """
    if with_rows and columnar and not part and extra is None:
        read = read_columnar(path, data, specs, hint=hint)
        if isinstance(read, ColumnarRead):
            return Outcome(read.kind, read.reason, [read.extract()])
    try:
        decoded = decode_bytes(data)
    except DecodingError as error:
        return Outcome(None, f"the text cannot be decoded: {error}")
    table = split_text(decoded, limit=CLASSIFY_RECORDS)
    matched = match_text(table, specs, hint=hint)
    if isinstance(matched, Missed):
        reason = matched.reason
        first = next((r for r in table.records if not r.is_blank), None)
        damaged = damaged_header_reason(decoded, first.fields) if first else None
        if damaged:
            reason = f"{damaged}; {reason}"
        if table.broken_at is not None:
            reason += f"; the text cannot be split into records: {table.broken_at}"
        if decoded.damaged and not damaged:
            first_damage = decoded.damaged[0].describe(decoded.encoding)
            reason += f"; the text also holds undecodable bytes: {first_damage}"
        return Outcome(None, f"{decoded.label}; {reason}")
    kind = matched.table.spec.entity
    reason = f"{decoded.label}; {matched.reason}"
    if not with_rows:
        return Outcome(kind, reason)
    extract = text_extract(split_text(decoded), matched, path=path, part=part, extra=extra)
    return Outcome(kind, reason, [extract])


def read_workbook(
    path: str,
    data: bytes,
    specs: Sequence[EntitySpec],
    *,
    hint: str | None,
    with_rows: bool,
    part: str = "",
    extra: Extra | None = None,
) -> Outcome:
    """Classify every sheet of an XLSX workbook; each matching sheet is one extract."""
    try:
        sheets = read_sheets(data)
    except WorkbookError as error:
        return Outcome(None, str(error))
    found: list[tuple[str, Found, list[Record]]] = []
    closest: tuple[tuple[int, int], str, str] | None = None
    for sheet in sheets:
        result = find_table(sheet.records, specs, hint=hint)
        if isinstance(result, Found):
            found.append((sheet.name, result, sheet.records))
        elif closest is None or result.closeness > closest[0]:
            closest = (result.closeness, sheet.name, result.reason)
    if not found:
        detail = f"; closest is sheet {closest[1]!r}: {closest[2]}" if closest else ""
        return Outcome(
            None,
            f"none of the {len(sheets)} sheets of the XLSX workbook has a header that maps to "
            f"an extract kind{detail}",
        )
    kind = found[0][1].table.spec.entity
    reason = "; ".join(f"sheet {name!r}: {result.reason}" for name, result, _ in found)
    if not with_rows:
        return Outcome(kind, f"XLSX workbook; {reason}")
    extracts = []
    for name, result, records in found:
        sheet_part = f"{part} > {name}" if part else name
        extracts.append(_sheet_extract(path, result, records, name, sheet_part, extra))
    return Outcome(kind, f"XLSX workbook; {reason}", extracts)


def _sheet_extract(
    path: str, found: Found, records: list[Record], sheet: str, part: str, extra: Extra | None
) -> ParsedExtract:
    width = len(found.table.header)
    body = [
        SourceRecord(number=r.line, fields=[*r.fields, *[""] * (width - len(r.fields))])
        for r in records[found.header_at + 1 :]
    ]
    extract, detection = build_extract(
        found.table,
        body,
        locate=lambda n: f"{path} ({part}) row {n}",
        encoding="xlsx",
        layout="",
        default_format=DECIMAL_POINT,
        part=part,
        extra=extra,
    )
    assumed = " (decimal assumed)" if detection.assumed else ""
    decimal = detection.format.decimal
    extract.layout = f"xlsx sheet={sheet!r} header-row={found.line} decimal={decimal!r}{assumed}"
    return extract


def read_api_json(
    path: str, data: bytes, specs: Sequence[EntitySpec], *, hint: str | None, with_rows: bool
) -> Outcome:
    """Classify S/4HANA API records by their property names; read them when asked."""
    try:
        records = read_json_records(data)
    except NotRecordsError as error:
        return Outcome(None, f"JSON document: {error}")
    choice = choose_kind(records.header, specs, hint=hint)
    origin = f"{records.envelope} envelope" + (
        f" from {records.function.rsplit('.', 1)[-1]!r}" if records.function else ""
    )
    if choice.best is None:
        keys = ", ".join(records.header[:10])
        return Outcome(
            None,
            f"{len(records.rows)} JSON records ({origin}) with properties {keys}"
            f"{' ...' if len(records.header) > 10 else ''} map to no extract kind; "
            f"{describe_miss(choice)}",
        )
    best = choice.best
    kind = best.spec.entity
    reason = f"{len(records.rows)} JSON records ({origin}) map to {kind}: {best.describe_mapping()}"
    if not with_rows:
        return Outcome(kind, reason)
    table = Table(spec=best.spec, header=best.header, columns=best.columns)
    body = [SourceRecord(number=i, fields=row) for i, row in enumerate(records.rows, start=1)]
    extract, _ = build_extract(
        table,
        body,
        locate=lambda n: f"{path} record {n}",
        encoding="UTF-8",
        layout=f"odata-json envelope={records.envelope}",
        number_format=DECIMAL_POINT,
    )
    return Outcome(kind, reason, [extract])
