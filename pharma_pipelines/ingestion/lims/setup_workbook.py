"""SENAITE setup workbooks: the LIMS master data as one sheet per setup table.

Every sheet of such a workbook starts with three header rows: the machine
keys SENAITE imports by (``title``, ``Keyword``, ``SampleType_title``), a
title row (``Analysis Services - The 'tests' Offered By The Lab``) and human
labels (``Keyword``, ``LDL``). Data follow from row 4, with spacer rows here
and there; sheets that claim a million rows end at their data (the sheet
reader stops after a run of empty rows).

A sheet is recognised by its machine keys, never by its name. Three setup
tables map to extract kinds; the columns are matched on the machine keys:

- sample types (``title``, ``Prefix``, ``RetentionPeriod``) -> ``lims/sample_types``;
- analysis services (``title``, ``Keyword`` and a detection limit) ->
  ``lims/analysis_services``;
- analysis specifications (``SampleType_title``, ``service`` and ``min`` or
  ``max``) -> ``lims/specifications``. SENAITE sets a specification per sample
  type, so the sample type is the specification's ``material``; ``error`` is
  the tolerance in percent and ``Client_title`` the client a specification is
  for (blank: every client). A specification for no sample type is rejected:
  it cannot be applied by material.

Every other sheet is skipped and named in the notes with why: a setup table
that is no extract kind, or a sheet without the three header rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pharma_pipelines.ingestion.lims.entities import (
    ANALYSIS_SERVICES,
    SAMPLE_TYPES,
    SETUP_WORKBOOK,
    SPECIFICATIONS,
)
from pharma_pipelines.ingestion.lims.report_rows import ReportReading
from pharma_pipelines.ingestion.model import ParsedExtract
from pharma_pipelines.ingestion.schema import EntitySpec, match_header
from pharma_pipelines.ingestion.spreadsheet import Sheet
from pharma_pipelines.ingestion.tabular import SourceRecord, Table, build_extract
from pharma_pipelines.values import DECIMAL_POINT

HEADER_ROWS = 3


@dataclass(frozen=True)
class SetupTable:
    """A setup table that maps to a kind: the keys that identify it and its columns.

    ``columns`` maps machine keys to fields when the kind's own variants do not
    name them (a specification's ``SampleType_title`` is its material); otherwise
    the kind's variants, which are the workbook's keys, are matched.
    """

    spec: EntitySpec
    keys: frozenset[str]
    any_of: frozenset[str] = frozenset()
    columns: tuple[tuple[str, str], ...] = ()

    def fits(self, keys: Sequence[str]) -> bool:
        present = set(keys)
        return self.keys <= present and (not self.any_of or bool(self.any_of & present))

    def table(self, header: Sequence[str]) -> Table:
        if self.columns:
            named = dict(self.columns)
            columns = {i: named[key] for i, key in enumerate(header) if key in named}
        else:
            columns = match_header(header, self.spec).columns
        return Table(spec=self.spec, header=tuple(header), columns=columns)


SETUP_TABLES = (
    SetupTable(SAMPLE_TYPES, frozenset({"title", "Prefix", "RetentionPeriod"})),
    SetupTable(
        ANALYSIS_SERVICES,
        frozenset({"title", "Keyword"}),
        frozenset({"LowerDetectionLimit", "UpperDetectionLimit"}),
    ),
    SetupTable(
        SPECIFICATIONS,
        frozenset({"SampleType_title", "service"}),
        frozenset({"min", "max"}),
        (
            ("SampleType_title", "material"),
            ("service", "test"),
            ("min", "spec_min"),
            ("max", "spec_max"),
            ("error", "tolerance_percent"),
            ("Client_title", "client"),
        ),
    ),
)


@dataclass(frozen=True)
class SetupHeader:
    """The three header rows of a setup sheet."""

    keys: list[str]
    title: str
    labels: list[str]


def setup_header(sheet: Sheet) -> SetupHeader | None:
    """The keys, title and labels of a sheet in the setup layout, or ``None``."""
    records = sheet.records[:HEADER_ROWS]
    if [r.line for r in records] != list(range(1, HEADER_ROWS + 1)):
        return None
    keys = [f.strip() for f in records[0].fields]
    named = [k for k in keys if k]
    title = [f.strip() for f in records[1].fields if f.strip()]
    labels = [f.strip() for f in records[2].fields if f.strip()]
    if len(named) < 2 or not title or len(title) > max(2, len(named) // 3):
        return None
    if len(labels) * 2 < len(named):
        return None
    return SetupHeader(keys=keys, title=title[0], labels=labels)


def _reads(sheet: Sheet) -> tuple[SetupTable, SetupHeader] | None:
    header = setup_header(sheet)
    if header is None:
        return None
    table = next((t for t in SETUP_TABLES if t.fits(header.keys)), None)
    return (table, header) if table is not None else None


def setup_evidence(sheets: Sequence[Sheet]) -> str | None:
    """Why the workbook is a SENAITE setup workbook, or ``None``."""
    known = [(s.name, found[0].spec.entity) for s in sheets if (found := _reads(s))]
    if not known:
        return None
    shown = ", ".join(f"sheet {name!r} -> {entity}" for name, entity in known)
    return (
        f"SENAITE setup workbook ({len(sheets)} sheets; three header rows: keys, title, "
        f"labels): {shown}"
    )


def read_setup_workbook(path: str, sheets: Sequence[Sheet]) -> ReportReading:
    """One extract per setup sheet that maps to a kind; the other sheets named in the notes."""
    extracts: list[ParsedExtract] = []
    other_tables: list[str] = []
    no_header: list[str] = []
    for sheet in sheets:
        found = _reads(sheet)
        if found is not None:
            extracts.append(_sheet_extract(path, sheet, *found))
        elif setup_header(sheet) is not None:
            other_tables.append(sheet.name)
        elif sheet.records:
            no_header.append(sheet.name)
    notes = []
    if other_tables:
        notes.append(
            f"{path}: {len(other_tables)} setup sheets skipped, their tables are no extract "
            f"kind: {', '.join(repr(n) for n in other_tables)}"
        )
    if no_header:
        notes.append(
            f"{path}: {len(no_header)} sheets skipped, they lack the three header rows "
            f"(keys, title, labels): {', '.join(repr(n) for n in no_header)}"
        )
    empty = len(sheets) - len(extracts) - len(other_tables) - len(no_header)
    if empty:
        notes.append(f"{path}: {empty} empty sheets")
    read = ", ".join(f"sheet {e.part!r} -> {e.entity}" for e in extracts)
    reason = (
        f"SENAITE setup workbook: {read}; {len(sheets) - len(extracts)} of {len(sheets)} "
        "sheets skipped (see notes)"
    )
    return ReportReading(SETUP_WORKBOOK, reason, extracts, notes)


def _sheet_extract(
    path: str, sheet: Sheet, setup: SetupTable, header: SetupHeader
) -> ParsedExtract:
    body = sheet.records[HEADER_ROWS:]
    width = max([len(header.keys), *(len(r.fields) for r in body)])
    # A note typed beside the table has no key: it becomes a column of its own.
    keys = [*header.keys, *[""] * (width - len(header.keys))]
    table = setup.table(keys)
    records = [
        SourceRecord(number=r.line, fields=[*r.fields, *[""] * (width - len(r.fields))])
        for r in body
    ]
    extract, _ = build_extract(
        table,
        records,
        locate=lambda n: f"{path} ({sheet.name}) row {n}",
        encoding="xlsx",
        layout="",
        number_format=DECIMAL_POINT,
        part=sheet.name,
    )
    extract.layout = (
        f"xlsx senaite-setup sheet={sheet.name!r} header-rows=1-3 (keys, title "
        f"{header.title!r}, labels) decimal='.'"
    )
    return extract
