"""Instrument result reports: HPLC, ICP-OES and PCR exports read as long LIMS results.

Each reader recognises its report by content and yields ``lims/results`` rows,
one per sample and analyte, keeping the report's own columns beside the
canonical ones. An instrument never knows the batch: its rows name the sample
(``sample_id``, required here) and the batch is found through the sample
registration. Values stay as the instrument wrote them:

- Shimadzu LabSolutions (HPLC): one block per compound (``ID#``, ``Name``, a
  column header of some 120 columns repeated per block, one row per injection,
  then block statistics). ``-----`` means *not detected* and stays the result
  text; the statistics rows (Average, %RSD, ...) describe the block and are not
  results.
- ICP-OES short report: ``Sample:``/``Method:``/``Measured:`` blocks, each with
  a ``LineName`` table. Its labels sit over merged cells, so values are read by
  the report's fixed cell positions, each row checked against them.
- Cepheid GeneXpert: key/value reports with sub-tables; ``<None>``-style
  placeholders, ``NA``/``POS``/``NEG`` results, and two exports joined with a
  second byte-order mark between them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from pharma_pipelines.ingestion.delimited import Record
from pharma_pipelines.ingestion.lims.entities import RESULTS
from pharma_pipelines.ingestion.lims.report_rows import ReportReading, ReportRows, TextReport
from pharma_pipelines.ingestion.schema import unique_keys
from pharma_pipelines.values import (
    DECIMAL_POINT,
    NumberFormat,
    ValueRuleError,
    detect_number_format,
    is_blank,
    parse_sap_number,
)


def _first(record: Record) -> str:
    return record.fields[0].strip() if record.fields else ""


def _filled(records: Sequence[Record]) -> list[Record]:
    return [r for r in records if not r.is_blank]


# --- Shimadzu LabSolutions ---------------------------------------------------------------

_LC_STATISTICS = ("Average", "%RSD", "Maximum", "Minimum", "Std. Dev.")
_LC_COLUMNS = {"Sample ID": "sample_id", "Conc.": "result", "Date Acquired": "measured_at"}


def labsolutions_evidence(records: Sequence[Record], separator: str | None) -> str | None:
    """Why the text is a LabSolutions compound report, or ``None``."""
    head = _filled(records)[:4]
    if separator != "\t" or len(head) < 3:
        return None
    if _first(head[0]) != "ID#" or _first(head[1]) != "Name":
        return None
    header = {f.strip() for f in head[2].fields}
    if not {"Data Filename", "Sample ID", "Conc."} <= header:
        return None
    return (
        "Shimadzu LabSolutions compound report: blocks of 'ID#', 'Name' and a "
        f"{len(head[2].fields)}-column header with 'Data Filename', 'Sample ID', 'Conc.'"
    )


@dataclass
class _LcBlock:
    number: str
    line: int
    name: str = ""
    header: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)


def read_labsolutions(report: TextReport) -> ReportReading:
    """One ``lims/results`` row per injection and compound; ``Conc.`` is the result."""
    rows = ReportRows(RESULTS, report.path, must_name=("sample_id",))
    block: _LcBlock | None = None
    blocks = statistics = not_detected = blank = 0
    for record in report.records:
        first = _first(record)
        if record.is_blank:
            blank += 1
        elif first == "ID#":
            number = record.fields[1].strip() if len(record.fields) > 1 else ""
            block = _LcBlock(number=number, line=record.line)
            blocks += 1
        elif block is not None and first == "Name" and not block.header:
            block.name = record.fields[1] if len(record.fields) > 1 else ""
        elif block is not None and "Sample ID" in (f.strip() for f in record.fields):
            block.header = [f.strip() for f in record.fields]
            block.keys = unique_keys(block.header, {})
        elif block is not None and block.header and first.isdigit():
            not_detected += _lc_row(rows, block, record)
        elif block is not None and block.header and not first and _statistic(record):
            statistics += 1
        else:
            rows.reject(
                record.line,
                None,
                " | ".join(record.fields[:6]),
                "the line fits no part of a compound block (ID#, Name, column header, an "
                "injection row numbered 1, 2, ... or a statistics row "
                f"{', '.join(_LC_STATISTICS)})",
            )
    layout = (
        f"shimadzu-labsolutions sep=TAB blocks={blocks} statistics-rows={statistics} "
        f"not-detected={not_detected}"
    )
    extract = rows.text_extract(report, layout)
    extract.blank_records += blank
    notes = [
        f"{report.path}: {statistics} statistics rows ({', '.join(_LC_STATISTICS)}) describe "
        "their compound block and are not results; "
        f"{not_detected} results are '-----' (not detected) and stay that text",
    ]
    reason = f"{blocks} compound blocks read as lims/results (Conc. is the result)"
    return ReportReading("lims/results", reason, [extract], notes)


def _statistic(record: Record) -> bool:
    return len(record.fields) > 1 and record.fields[1].strip() in _LC_STATISTICS


def _lc_row(rows: ReportRows, block: _LcBlock, record: Record) -> int:
    """Add one injection row; returns 1 when its result is ``-----`` (not detected)."""
    width = len(block.header)
    extra = [f for f in record.fields[width:] if f.strip()]
    if extra:
        rows.reject(
            record.line,
            None,
            " | ".join(record.fields[:6]),
            f"the row has {len(record.fields)} fields but the block header has {width} "
            f"columns; the extra fields are not empty ({extra[:3]!r})",
        )
        return 0
    values: dict[str, str] = {
        "test": block.name,
        "block": f"ID# {block.number} at line {block.line}",
    }
    origins = {"test": "Name", "block": "ID#"}
    for index, key in enumerate(block.keys):
        value = record.fields[index] if index < len(record.fields) else ""
        canonical = _LC_COLUMNS.get(block.header[index])
        values[canonical or key] = value
        origins[canonical or key] = block.header[index] or key
    rows.add(record.line, values, origins)
    return int(values.get("result", "").strip() == "-----")


# --- ICP-OES short report ----------------------------------------------------------------

_ICP_LABELS = ("LineName", "Net_Intensity", "Cc", "SD", "RSD")
# The short report prints its labels over merged cells; the values sit in fixed cells.
# Checked on real reports: RSD (cell 10) is SD (cell 7) over Cc (cell 6) in percent.
_ICP_CELLS = {"LineName": 0, "Net_Intensity": 2, "Cc": 5, "SD": 6, "flag": 7, "unit": 8, "RSD": 9}
_ICP_EMPTY_CELLS = (1, 3, 4)
_ICP_NUMBERS = ("Net_Intensity", "Cc", "SD", "RSD")


def icp_evidence(records: Sequence[Record], separator: str | None) -> str | None:
    """Why the text is an ICP short report, or ``None``."""
    sample_lines = [
        r
        for r in records
        if _first(r) == "Sample:" and "Measured:" in (f.strip() for f in r.fields)
    ]
    tables = [r for r in records if _first(r) == "LineName"]
    if separator != "," or not sample_lines or not tables:
        return None
    return (
        "ICP short report: 'Sample:' / 'Method:' / 'Measured:' blocks, each with a 'LineName' table"
    )


def _labelled(record: Record) -> dict[str, str]:
    """``Sample:``-style label cells and the value cell after each."""
    found: dict[str, str] = {}
    fields = record.fields
    for index, cell in enumerate(fields):
        label = cell.strip()
        if label.endswith(":") and index + 1 < len(fields):
            found[label] = fields[index + 1]
    return found


@dataclass
class _IcpBlock:
    line: int
    labels: dict[str, str]
    header_ok: bool | None = None
    header_seen: str = ""


def read_icp(report: TextReport) -> ReportReading:
    """One ``lims/results`` row per sample and emission line; ``Cc`` is the result."""
    detection = detect_number_format(
        (
            r.fields[_ICP_CELLS[name]]
            for r in report.records
            if len(r.fields) > _ICP_CELLS["RSD"] and _first(r) not in ("", "Sample:", "LineName")
            for name in _ICP_NUMBERS
        ),
        default=DECIMAL_POINT,
    )
    rows = ReportRows(RESULTS, report.path, must_name=("sample_id",))
    block: _IcpBlock | None = None
    blocks = layout_lines = blank = 0
    for record in report.records:
        first = _first(record)
        if record.is_blank:
            blank += 1
        elif first == "Sample:":
            block = _IcpBlock(line=record.line, labels=_labelled(record))
            blocks += 1
        elif first == "LineName" and block is not None:
            labels = tuple(f.strip() for f in record.fields if f.strip())
            block.header_ok = labels == _ICP_LABELS
            block.header_seen = " | ".join(labels)
        elif first.startswith("Print Date") or block is None:
            # The report title above the first block and the page footer are layout.
            layout_lines += 1
        elif not first:
            rows.reject(
                record.line,
                None,
                " | ".join(record.fields),
                "a line inside a sample block with no emission line name in its first cell; "
                "only LineName table rows belong there",
            )
        else:
            _icp_row(rows, block, record, detection.format)
    layout = (
        f"icp-short-report sep=',' decimal={detection.format.decimal!r}"
        f"{' (decimal assumed)' if detection.assumed else ''} blocks={blocks} "
        "cells: LineName=1 Net_Intensity=3 Cc=6 SD=7 flag=8 unit=9 RSD=10"
    )
    extract = rows.text_extract(report, layout, detection.format)
    extract.blank_records += blank
    notes = [
        f"{report.path}: {layout_lines} title and page-footer lines are report layout; the "
        "column labels sit over merged cells, so values are read from the cells named in "
        "the layout and each row is checked against them"
    ]
    return ReportReading(
        "lims/results",
        f"{blocks} sample blocks read as lims/results (Cc is the result)",
        [extract],
        notes,
    )


def _icp_row(rows: ReportRows, block: _IcpBlock, record: Record, fmt: NumberFormat) -> None:
    fields = [*record.fields, *[""] * (_ICP_CELLS["RSD"] + 1 - len(record.fields))]
    if not block.header_ok:
        seen = block.header_seen or "no LineName header"
        rows.reject(
            record.line,
            None,
            " | ".join(record.fields),
            f"the block at line {block.line} has the column header {seen!r}, not the short "
            f"report's ({', '.join(_ICP_LABELS)}), so its cells cannot be placed",
        )
        return
    stray = [
        i
        for i in (*_ICP_EMPTY_CELLS, *range(_ICP_CELLS["RSD"] + 1, len(fields)))
        if fields[i].strip()
    ]
    if stray:
        rows.reject(
            record.line,
            None,
            " | ".join(record.fields),
            f"cell {stray[0] + 1} holds {fields[stray[0]]!r}, where the short report leaves "
            "the cell empty; the row is shifted and its values cannot be placed",
        )
        return
    for name in _ICP_NUMBERS:
        cell = fields[_ICP_CELLS[name]]
        if is_blank(cell) and name == "Cc":
            rows.reject(
                record.line,
                name,
                cell,
                "column 'Cc' (cell 6, the result) is blank",
                rule="value.required",
            )
            return
        try:
            parse_sap_number(cell, fmt)
        except ValueRuleError as error:
            rows.reject(
                record.line,
                name,
                cell,
                f"column {name!r} (cell {_ICP_CELLS[name] + 1}): found {error.value!r}, which "
                f"{error.rule}; allowed: {error.allowed}",
                rule="value.number",
            )
            return
    unit = fields[_ICP_CELLS["unit"]]
    if is_blank(unit) or re.fullmatch(r"[\d.,\s+-]+", unit):
        rows.reject(
            record.line,
            "unit",
            unit,
            f"cell {_ICP_CELLS['unit'] + 1} holds {unit!r} where the short report writes the "
            "unit (mg/l, ...)",
        )
        return
    labels = block.labels
    values = {
        "sample_id": labels.get("Sample:", ""),
        "method": labels.get("Method:", ""),
        "measured_at": labels.get("Measured:", ""),
        "test": fields[_ICP_CELLS["LineName"]],
        "result": fields[_ICP_CELLS["Cc"]],
        "unit": unit,
        "flag": fields[_ICP_CELLS["flag"]],
        "Net_Intensity": fields[_ICP_CELLS["Net_Intensity"]],
        "SD": fields[_ICP_CELLS["SD"]],
        "RSD": fields[_ICP_CELLS["RSD"]],
        "block": f"Sample: {labels.get('Sample:', '').strip()} at line {block.line}",
    }
    origins = {
        "sample_id": "Sample:",
        "method": "Method:",
        "measured_at": "Measured:",
        "test": "LineName",
        "result": "Cc",
        "unit": "(unit cell)",
        "flag": "(flag cell)",
        "block": "Sample:",
    }
    rows.add(record.line, values, origins)


# --- Cepheid GeneXpert -------------------------------------------------------------------

_BOM = "\ufeff"
_PLACEHOLDER = re.compile(r"<[^<>]+>")


def _fields(record: Record) -> list[str]:
    """The record's fields without a byte-order mark starting its line."""
    fields = list(record.fields)
    if fields and fields[0].startswith(_BOM):
        fields[0] = fields[0].lstrip(_BOM)
    return fields


def genexpert_evidence(records: Sequence[Record], separator: str | None) -> str | None:
    """Why the text is a GeneXpert run export, or ``None``."""
    filled = [r for r in records if any(f.strip(_BOM + " ") for f in r.fields)]
    if separator != "," or not filled or _fields(filled[0]) != ["RESULT TABLE"]:
        return None
    firsts = {_fields(r)[0].strip() for r in filled}
    if not {"Sample ID", "Assay", "Analyte Result", "Analyte Name"} <= firsts:
        return None
    return (
        "Cepheid GeneXpert run export: 'RESULT TABLE' key/value report with an "
        "'Analyte Result' table"
    )


@dataclass
class _Table:
    title: str
    line: int
    header: list[str] = field(default_factory=list)
    rows: list[Record] = field(default_factory=list)


@dataclass
class _Report:
    title: str
    line: int
    pairs: dict[str, tuple[str, int]] = field(default_factory=dict)
    tables: list[_Table] = field(default_factory=list)
    sections: list[tuple[str, int, str]] = field(default_factory=list)


def _paragraphs(records: Sequence[Record]) -> list[list[tuple[int, list[str]]]]:
    """Runs of non-blank lines; a line that is only a BOM separates them too."""
    runs: list[list[tuple[int, list[str]]]] = []
    current: list[tuple[int, list[str]]] = []
    for record in records:
        fields = _fields(record)
        if all(not f.strip() for f in fields):
            if current:
                runs.append(current)
            current = []
            continue
        current.append((record.line, fields))
    if current:
        runs.append(current)
    return runs


def _genexpert_reports(records: Sequence[Record]) -> tuple[list[_Report], list[str]]:
    """The reports of the file, each with its key/value pairs, sub-tables and sections."""
    reports: list[_Report] = []
    oddities: list[str] = []
    for run in _paragraphs(records):
        line, fields = run[0]
        single = len([f for f in fields if f.strip()]) == 1 and len(fields) == 1
        if single and fields[0].strip().isupper():
            reports.append(_Report(title=fields[0].strip(), line=line))
            body = run[1:]
        elif not reports:
            oddities.append(f"line {line} comes before any report title")
            continue
        elif single and len(run) > 1 and len(run[1][1]) >= 3:
            table = _Table(title=fields[0].strip(), line=line, header=run[1][1])
            table.rows = [Record(line=n, fields=f) for n, f in run[2:]]
            reports[-1].tables.append(table)
            continue
        elif single and len(run) > 1 and all(len(f) == 1 for _, f in run[1:]):
            content = "; ".join(f[0].strip() for _, f in run[1:])
            reports[-1].sections.append((fields[0].strip(), line, content))
            continue
        else:
            body = run
        for number, pair in body:
            key = pair[0].strip()
            value = ",".join(pair[1:]) if len(pair) > 1 else ""
            if len(pair) == 1 and _PLACEHOLDER.fullmatch(key):
                reports[-1].sections.append(("placeholder", number, key))
                continue
            earlier = reports[-1].pairs.setdefault(key, (value, number))
            if earlier[0] != value:
                oddities.append(
                    f"line {number} repeats {key!r} with {value!r}; the value of line "
                    f"{earlier[1]} ({earlier[0]!r}) is the one read"
                )
    return reports, oddities


def read_genexpert(report: TextReport) -> ReportReading:
    """The assay result and one row per analyte of every result report."""
    reports, oddities = _genexpert_reports(report.records)
    rows = ReportRows(RESULTS, report.path, must_name=("sample_id",))
    notes: list[str] = []
    boms = [r.line for r in report.records if r.fields and r.fields[0].startswith(_BOM)]
    if boms:
        notes.append(
            f"{report.path}: a byte-order mark starts line(s) {', '.join(map(str, boms))}: "
            "exports were joined; each part is read as its own report"
        )
    read_reports = 0
    for part in reports:
        found = _genexpert_rows(rows, part)
        read_reports += int(found > 0)
        if not found:
            content = "; ".join(f"{title}: {text}" for title, _, text in part.sections)
            notes.append(
                f"{report.path}: report {part.title!r} at line {part.line} holds no results"
                + (f" ({content})" if content else "")
            )
        for table in part.tables:
            if table.title != "Analyte Result":
                notes.append(
                    f"{report.path}: sub-table {table.title!r} at line {table.line} "
                    f"({len(table.rows)} rows: {', '.join(h.strip() for h in table.header)}) "
                    "is instrument detail, not a result, and is not read"
                )
        empty = [f"{t} ({c})" for t, _, c in part.sections if _PLACEHOLDER.fullmatch(c)]
        if empty and found:
            notes.append(
                f"{report.path}: report {part.title!r} has empty sections: {', '.join(empty)}"
            )
    for oddity in oddities:
        notes.append(f"{report.path}: {oddity}")
    extract = rows.text_extract(
        report, f"genexpert sep=',' reports={len(reports)} result-reports={read_reports}"
    )
    reason = f"{read_reports} result report(s) read as lims/results (assay and analyte results)"
    return ReportReading("lims/results", reason, [extract], notes)


_GX_CONTEXT = {
    "Sample ID": "sample_id",
    "Start Time": "measured_at",
    "Instrument S/N": "instrument",
}
_GX_ANALYTE = {"Analyte Name": "test", "Analyte Result": "result"}


def _genexpert_rows(rows: ReportRows, part: _Report) -> int:
    """Rows of one report: the assay's test result, then each analyte; returns how many."""
    context = {_GX_CONTEXT.get(k, k): v for k, (v, _) in part.pairs.items()}
    context_origins = {_GX_CONTEXT.get(k, k): k for k in part.pairs}
    assay = part.pairs.get("Assay", ("", 0))[0]
    added = 0
    if "Test Result" in part.pairs:
        value, line = part.pairs["Test Result"]
        values = {
            **{k: v for k, v in context.items() if k not in ("Assay", "Test Result")},
            "test": assay,
            "result": value,
            "method": assay,
            "block": f"{part.title} at line {part.line}",
        }
        origins = {
            **context_origins,
            "test": "Assay",
            "result": "Test Result",
            "method": "Assay",
            "block": part.title,
        }
        _add_without_placeholders(rows, line, values, origins)
        added += 1
    for table in part.tables:
        if table.title != "Analyte Result":
            continue
        header = [h.strip() for h in table.header]
        keys = unique_keys(header, {})
        shared = {k: v for k, v in context.items() if k not in ("Assay", "Test Result")}
        for record in table.rows:
            added += 1
            if any(f.strip() for f in record.fields[len(header) :]):
                rows.reject(
                    record.line,
                    None,
                    " | ".join(record.fields),
                    f"the row has {len(record.fields)} fields but the {table.title!r} header "
                    f"has {len(header)} columns",
                )
                continue
            values = {
                **shared,
                "method": assay,
                "block": f"{part.title} > {table.title} at line {table.line}",
            }
            origins = {
                **context_origins,
                "method": "Assay",
                "block": f"{part.title} > {table.title}",
            }
            for index, key in enumerate(keys):
                name = _GX_ANALYTE.get(header[index], key)
                values[name] = record.fields[index] if index < len(record.fields) else ""
                origins[name] = header[index]
            _add_without_placeholders(rows, record.line, values, origins)
    return added


def _add_without_placeholders(
    rows: ReportRows, line: int, values: dict[str, str], origins: dict[str, str]
) -> None:
    """A placeholder such as ``<None>`` in a field the row needs means the value is missing."""
    for name in ("sample_id", "test", "result"):
        value = values.get(name, "")
        if _PLACEHOLDER.fullmatch(value.strip()):
            rows.reject(
                line,
                origins.get(name, name),
                value,
                f"{origins.get(name, name)!r} is the placeholder {value.strip()!r}, which "
                f"means no value; every result needs its {name.replace('_', ' ')}",
                rule="value.required",
            )
            return
    rows.add(line, values, origins)
