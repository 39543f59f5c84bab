"""Which LIMS report layout a landed file is, decided by its content.

The readers of :mod:`pharma_pipelines.ingestion.readers` ask here before they
search for a header: a report's lines above its data (``ID#``, ``Sample:``,
``RESULT TABLE``, ``Header Data``) would otherwise be taken for a preamble or
quarantine the file. Each layout states its evidence from the first records and
the separator the text was split with; the file name is never looked at. A text
or workbook that fits no layout goes on to the header search unchanged; a table
whose header then fits no kind may still be a per-sample measurement table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pharma_pipelines.ingestion.delimited import Record
from pharma_pipelines.ingestion.lims.instruments import (
    genexpert_evidence,
    icp_evidence,
    labsolutions_evidence,
    read_genexpert,
    read_icp,
    read_labsolutions,
)
from pharma_pipelines.ingestion.lims.per_sample import match_per_sample, per_sample_extract
from pharma_pipelines.ingestion.lims.registration import read_registration, registration_evidence
from pharma_pipelines.ingestion.lims.report_rows import ReportReading, TextReport
from pharma_pipelines.ingestion.lims.setup_workbook import read_setup_workbook, setup_evidence
from pharma_pipelines.ingestion.model import ParsedExtract
from pharma_pipelines.ingestion.spreadsheet import Sheet
from pharma_pipelines.values import DECIMAL_POINT


@dataclass(frozen=True)
class TextLayout:
    """A report layout of delimited text: the kind it yields, how to know it, how to read it."""

    kind: str
    evidence: Callable[[Sequence[Record], str | None], str | None]
    read: Callable[[TextReport], ReportReading]


TEXT_LAYOUTS = (
    TextLayout("lims/results", labsolutions_evidence, read_labsolutions),
    TextLayout("lims/results", icp_evidence, read_icp),
    TextLayout("lims/results", genexpert_evidence, read_genexpert),
    TextLayout("lims/samples", registration_evidence, read_registration),
)


def text_layout(records: Sequence[Record], separator: str | None) -> tuple[TextLayout, str] | None:
    """The report layout the first records show, with the evidence."""
    for layout in TEXT_LAYOUTS:
        evidence = layout.evidence(records, separator)
        if evidence is not None:
            return layout, evidence
    return None


def workbook_layout(sheets: Sequence[Sheet]) -> str | None:
    """The evidence that a workbook is a SENAITE setup workbook, if it is one."""
    return setup_evidence(sheets)


def read_workbook_layout(path: str, sheets: Sequence[Sheet]) -> ReportReading:
    return read_setup_workbook(path, sheets)


def per_sample_sheet(path: str, sheet: Sheet, part: str) -> tuple[str, ParsedExtract] | None:
    """A worksheet read as per-sample measurements, with the reason, if it is one."""
    table = match_per_sample(sheet.records)
    if table is None:
        return None
    extract = per_sample_extract(
        table,
        sheet.records,
        where=f"{path} ({part})",
        block=sheet.name,
        encoding="xlsx",
        layout=f"xlsx per-sample sheet={sheet.name!r} header-row={table.line}",
        number_format=DECIMAL_POINT,
        part=part,
    )
    return table.reason, extract
