"""Tables in their containers: delimited text, XLSX workbooks, API JSON.

Each reader says which kind the content is (or why it is none) and, when
asked, reads its rows. The same readers serve landed files and e-mail
attachments; an attachment passes ``part`` (where it sits in the mail) and
``extra`` (lineage values added to every row). A landed file passes
``reports``: LIMS report layouts (instrument exports, import templates, setup
workbooks) are then recognised by content before the header search, and a
table whose header fits no kind may still be per-sample measurements.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pharma_pipelines.ingestion.columnar import ColumnarRead, read_columnar
from pharma_pipelines.ingestion.delimited import Record
from pharma_pipelines.ingestion.encoding import DecodingError, decode_bytes
from pharma_pipelines.ingestion.header_search import Found, Missed, find_table
from pharma_pipelines.ingestion.limits import DEFAULT_LIMITS
from pharma_pipelines.ingestion.lims.entities import SETUP_WORKBOOK
from pharma_pipelines.ingestion.lims.per_sample import match_per_sample, per_sample_extract
from pharma_pipelines.ingestion.lims.report_rows import TextReport
from pharma_pipelines.ingestion.lims.reports import (
    TextLayout,
    per_sample_sheet,
    read_workbook_layout,
    text_layout,
    workbook_layout,
)
from pharma_pipelines.ingestion.model import ParsedExtract, RowReject
from pharma_pipelines.ingestion.sap.odata import NotRecordsError
from pharma_pipelines.ingestion.sap.odata import read_records as read_json_records
from pharma_pipelines.ingestion.schema import EntitySpec, choose_kind, describe_miss
from pharma_pipelines.ingestion.spreadsheet import WorkbookError, read_sheets
from pharma_pipelines.ingestion.tabular import SourceRecord, Table, build_extract
from pharma_pipelines.ingestion.text_files import (
    CLASSIFY_RECORDS,
    TextTable,
    damaged_header_reason,
    match_text,
    split_text,
    text_extract,
)
from pharma_pipelines.values import DECIMAL_POINT, detect_number_format

Extra = Callable[[SourceRecord], dict[str, str]]


@dataclass
class Outcome:
    """The kind of a container's content, why, and its extracts when read."""

    kind: str | None
    reason: str
    extracts: list[ParsedExtract] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read_delimited(
    path: str,
    data: bytes,
    specs: Sequence[EntitySpec],
    *,
    hint: str | None,
    with_rows: bool,
    part: str = "",
    extra: Extra | None = None,
    reports: bool = False,
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
    if reports and (layout := text_layout(table.records, table.separator)) is not None:
        return _report_outcome(path, table, *layout, with_rows=with_rows)
    matched = match_text(table, specs, hint=hint)
    if isinstance(matched, Missed) and reports:
        per_sample = _per_sample_text(path, table, with_rows=with_rows)
        if per_sample is not None:
            return per_sample
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
    full = split_text(decoded, quoting=matched.table.spec.quoted)
    extract = text_extract(full, matched, path=path, part=part, extra=extra)
    return Outcome(kind, reason, [extract])


def _report_outcome(
    path: str, table: TextTable, layout: TextLayout, evidence: str, *, with_rows: bool
) -> Outcome:
    """A text in a LIMS report layout: its kind, and its rows when asked."""
    decoded = table.decoded
    if not with_rows:
        return Outcome(layout.kind, f"{decoded.label}; {evidence}")
    full = split_text(decoded)
    report = TextReport(
        path=path,
        records=full.records,
        encoding=decoded.label,
        separator=full.separator,
        codec=decoded.encoding,
        damaged=decoded.damaged,
    )
    reading = layout.read(report)
    if full.broken_at is not None and reading.extracts:
        error = full.broken_at
        reading.extracts[0].rejects.append(
            RowReject(
                row_number=error.line,
                column=None,
                raw_value=None,
                reason=f"{path} line {error.line}: {error}; nothing from this line on can be read",
                rule="record.unclosed_quote",
            )
        )
    return Outcome(
        reading.kind,
        f"{decoded.label}; {evidence}; {reading.reason}",
        reading.extracts,
        reading.notes,
    )


def _per_sample_text(path: str, table: TextTable, *, with_rows: bool) -> Outcome | None:
    """A delimited table of one sample per row and one measurand per column, if it is one."""
    found = match_per_sample(table.records)
    if found is None:
        return None
    decoded = table.decoded
    reason = f"{decoded.label}; {found.reason}"
    if not with_rows:
        return Outcome("lims/results", reason)
    full = split_text(decoded)
    cells = (f for r in full.records[found.header_at + 1 :] for f in r.fields[1:])
    detection = detect_number_format(cells, default=full.default_format)
    layout = full.layout(detection.format, assumed=detection.assumed, header_line=found.line)
    extract = per_sample_extract(
        found,
        full.records,
        where=path,
        block=f"table at line {found.line}",
        encoding=decoded.label,
        layout=f"{layout} per-sample",
        number_format=detection.format,
    )
    return Outcome("lims/results", reason, [extract])


def read_workbook(
    path: str,
    data: bytes,
    specs: Sequence[EntitySpec],
    *,
    hint: str | None,
    with_rows: bool,
    part: str = "",
    extra: Extra | None = None,
    reports: bool = False,
    inflated_limit: int = DEFAULT_LIMITS.inflated_bytes,
) -> Outcome:
    """Classify every sheet of an XLSX workbook; each matching sheet is one extract."""
    try:
        sheets = read_sheets(data, inflated_limit)
    except WorkbookError as error:
        return Outcome(None, str(error))
    if reports and (evidence := workbook_layout(sheets)) is not None:
        if not with_rows:
            return Outcome(SETUP_WORKBOOK, f"XLSX workbook; {evidence}")
        reading = read_workbook_layout(path, sheets)
        return Outcome(
            reading.kind, f"XLSX workbook; {reading.reason}", reading.extracts, reading.notes
        )
    found: list[tuple[str, Found | ParsedExtract, str, list[Record]]] = []
    skipped: list[str] = []
    closest: tuple[tuple[int, int], str, str] | None = None
    for sheet in sheets:
        sheet_part = f"{part} > {sheet.name}" if part else sheet.name
        result = find_table(sheet.records, specs, hint=hint)
        if isinstance(result, Found):
            found.append((sheet.name, result, result.reason, sheet.records))
            continue
        per_sample = per_sample_sheet(path, sheet, sheet_part) if reports else None
        if per_sample is not None:
            found.append((sheet.name, per_sample[1], per_sample[0], sheet.records))
            continue
        skipped.append(
            f"sheet {sheet.name!r} skipped: "
            + (result.reason if sheet.records else "the sheet is empty")
        )
        if closest is None or result.closeness > closest[0]:
            closest = (result.closeness, sheet.name, result.reason)
    if not found:
        detail = f"; closest is sheet {closest[1]!r}: {closest[2]}" if closest else ""
        return Outcome(
            None,
            f"none of the {len(sheets)} sheets of the XLSX workbook has a header that maps to "
            f"an extract kind{detail}",
        )
    first = found[0][1]
    kind = first.table.spec.entity if isinstance(first, Found) else first.entity
    reason = "; ".join(f"sheet {name!r}: {why}" for name, _, why, _ in found)
    notes = [f"{path}: {note}" for note in skipped] if reports else []
    if not with_rows:
        return Outcome(kind, f"XLSX workbook; {reason}")
    extracts = []
    for name, result, _, records in found:
        sheet_part = f"{part} > {name}" if part else name
        if isinstance(result, Found):
            extracts.append(_sheet_extract(path, result, records, name, sheet_part, extra))
        else:
            extracts.append(result)
    return Outcome(kind, f"XLSX workbook; {reason}", extracts, notes)


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
