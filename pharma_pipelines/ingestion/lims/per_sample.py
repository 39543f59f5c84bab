"""Per-sample measurement tables: one sample per row, one measurand per column.

Meters and titrators (a Mettler Toledo DL55, say) export a sheet whose first
column names the sample (``BOTTLE NUMBER``, ``Sample ID``) and whose other
columns are measurands (``pH``, ``EC``, ``TEMP``). Such a table is read as long
``lims/results``: one row per sample and measurand, the measurand's header as
the test, the cell as the result, and the sheet row as the row number.

Any table with a sample column would fit that description, so a table only
counts when no kind fits its header, its first column is the sample column,
it has at least two measurand columns, and every measurand column holds
result-like values (numbers, optionally with ``<``/``>``) in its first rows.
A blank cell is no measurement and no row; it is counted, not rejected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pharma_pipelines.ingestion.delimited import Record
from pharma_pipelines.ingestion.lims.entities import RESULTS
from pharma_pipelines.ingestion.lims.report_rows import ReportRows
from pharma_pipelines.ingestion.lims.wide_results import SAMPLE_ROWS, result_like_column
from pharma_pipelines.ingestion.model import ParsedExtract
from pharma_pipelines.ingestion.schema import normalize_header
from pharma_pipelines.values import NumberFormat, is_blank

SAMPLE_COLUMNS = (
    "Sample ID",
    "SampleID",
    "Sample",
    "Sample No",
    "Sample Number",
    "Sample Name",
    "Bottle Number",
    "Bottle No",
)
MIN_MEASURANDS = 2

_SAMPLE_HEADERS = frozenset(normalize_header(h) for h in SAMPLE_COLUMNS)


@dataclass(frozen=True)
class PerSampleTable:
    """Where the header is, and the evidence that the table is per-sample results."""

    header_at: int
    line: int
    header: tuple[str, ...]
    reason: str


def match_per_sample(records: Sequence[Record]) -> PerSampleTable | None:
    """The per-sample reading of a table whose header maps to no kind, if the data fit."""
    filled = [(i, r) for i, r in enumerate(records) if not r.is_blank]
    if not filled:
        return None
    index, first = filled[0]
    header = tuple(f.strip() for f in first.fields)
    if len(header) < 1 + MIN_MEASURANDS or normalize_header(header[0]) not in _SAMPLE_HEADERS:
        return None
    measurands = header[1:]
    if any(not name for name in measurands):
        return None
    below = [r.fields for r in records[index + 1 : index + 1 + SAMPLE_ROWS]]
    for position in range(1, len(header)):
        column = [row[position] if position < len(row) else "" for row in below]
        if not result_like_column(column):
            return None
    shown = ", ".join(repr(m) for m in measurands[:6])
    reason = (
        f"header at line {first.line} is a sample per row ({header[0]!r}) and "
        f"{len(measurands)} measurand columns ({shown}) with result-like values: "
        "one lims/results row per sample and measurand"
    )
    return PerSampleTable(header_at=index, line=first.line, header=header, reason=reason)


def per_sample_extract(
    table: PerSampleTable,
    records: Sequence[Record],
    *,
    where: str,
    block: str,
    encoding: str,
    layout: str,
    number_format: NumberFormat,
    part: str = "",
) -> ParsedExtract:
    """One ``lims/results`` row per filled measurand cell of every sample row."""
    rows = ReportRows(RESULTS, where)
    sample_header = table.header[0]
    width = len(table.header)
    blank = 0
    for record in records[table.header_at + 1 :]:
        if record.is_blank:
            blank += 1
            continue
        extra = [f for f in record.fields[width:] if f.strip()]
        if extra:
            rows.reject(
                record.line,
                None,
                " | ".join(record.fields),
                f"the row has {len(record.fields)} cells but the header has {width} columns; "
                f"the extra cells are not empty ({extra[:3]!r})",
            )
            continue
        sample = record.fields[0] if record.fields else ""
        if is_blank(sample):
            rows.reject(
                record.line,
                sample_header,
                sample,
                f"names no sample ({sample_header!r} is blank); its measurements can never "
                "be matched to one",
            )
            continue
        for position, measurand in enumerate(table.header[1:], start=1):
            cell = record.fields[position] if position < len(record.fields) else ""
            if is_blank(cell):
                rows.blank_cells += 1
                continue
            rows.add(
                record.line,
                {"sample_id": sample, "test": measurand, "result": cell, "block": block},
                {
                    "sample_id": sample_header,
                    "test": "(measurand column header)",
                    "result": "(cell under the measurand)",
                    "block": "(sheet)",
                },
            )
    extract = rows.extract(encoding=encoding, layout=layout, number_format=number_format, part=part)
    extract.blank_records += blank
    return extract
