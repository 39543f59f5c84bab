"""Sample registration imports: a Bika LIMS analysis-request import file.

The file is one CSV of sections; its first column says what each row is:
``Header`` / ``Header Data`` (client, contact, number of samples), ``Batch
Header`` / ``Batch Data`` (the batch the samples belong to), ``Samples`` (the
sample columns, then one column per analysis keyword), ``Sample 1`` ...
(one registration each, ``1`` under every requested analysis) and totals rows
(``Total Analyses or Profiles`` and price rows).

Each sample row becomes a ``lims/samples`` row: ``ClientSampleID`` is the sample,
the batch is the ``ClientBatchID`` of the file's ``Batch Data``, and the header
and batch values travel with every sample under ``<section>: <column>``. The
analysis flags stay columns of their own. Dates such as ``3/9/2014`` are kept as
written under their own headers: the file does not say whether the day or the
month comes first, so ``sampled_on`` stays empty rather than guessed.

The file checks itself, and so does the reader: a sample whose stated number of
analyses differs from its flags is rejected (which requests are meant cannot be
told); totals that disagree with the samples are noted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pharma_pipelines.ingestion.delimited import Record
from pharma_pipelines.ingestion.lims.entities import SAMPLES
from pharma_pipelines.ingestion.lims.report_rows import ReportReading, ReportRows, TextReport

_SAMPLE_ROW = re.compile(r"Sample \d+")
_SECTIONS = {"Header": "Header Data", "Batch Header": "Batch Data"}
_TOTALS = ("Analysis price", "Total Analyses or Profiles", "Total price excl Tax")
_COUNT_COLUMN = "Total number of Analyses or Profiles"
_COLUMNS = {
    "ClientSampleID": "sample_id",
    "SampleType": "sample_type",
    "SamplePoint": "sample_point",
}
_BATCH_KEY = "ClientBatchID"


def _first(record: Record) -> str:
    return record.fields[0].strip() if record.fields else ""


def _trimmed(fields: Sequence[str]) -> list[str]:
    """A header row without the empty cells the template pads it with."""
    cells = [f.strip() for f in fields]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def registration_evidence(records: Sequence[Record], separator: str | None) -> str | None:
    """Why the text is a Bika analysis-request import, or ``None``."""
    firsts = {_first(r) for r in records}
    if separator != "," or not {"Header", "Header Data", "Samples"} <= firsts:
        return None
    if not any(_SAMPLE_ROW.fullmatch(f) for f in firsts):
        return None
    return (
        "Bika LIMS analysis-request import: row types in the first column (Header, "
        "Header Data, Batch Header, Batch Data, Samples, Sample 1 ...)"
    )


def read_registration(report: TextReport) -> ReportReading:
    """One ``lims/samples`` row per ``Sample <n>`` row, with its batch and header values."""
    rows = ReportRows(SAMPLES, report.path)
    context: dict[str, str] = {}
    origins: dict[str, str] = {}
    pending: dict[str, list[str]] = {}
    sample_header: list[str] = []
    totals: list[str] = []
    samples: list[Record] = []
    notes: list[str] = []
    layout_rows = blank = 0
    for record in report.records:
        first = _first(record)
        if record.is_blank:
            blank += 1
        elif first in _SECTIONS:
            pending[_SECTIONS[first]] = record.fields
            layout_rows += 1
        elif first in pending:
            header = pending.pop(first)
            for index, name in enumerate(_trimmed(header)[1:], start=1):
                key = f"{first}: {name}"
                context[key] = record.fields[index] if index < len(record.fields) else ""
                origins[key] = f"{first}: {header[index]}"
            layout_rows += 1
        elif first == "Samples":
            sample_header = list(record.fields[: len(_trimmed(record.fields))])
            layout_rows += 1
        elif first in _TOTALS:
            if first == "Total Analyses or Profiles":
                totals = list(record.fields)
            layout_rows += 1
        elif _SAMPLE_ROW.fullmatch(first) and sample_header:
            samples.append(record)
        elif first in _SECTIONS.values():
            header_row = next(k for k, v in _SECTIONS.items() if v == first)
            rows.reject(
                record.line,
                None,
                " | ".join(record.fields[:6]),
                f"a {first!r} row without the {header_row!r} row above it: its values have "
                "no column names",
            )
        else:
            rows.reject(
                record.line,
                None,
                " | ".join(record.fields[:6]),
                f"row type {first!r} is none of Header, Header Data, Batch Header, Batch Data, "
                f"Samples, Sample <n>, {', '.join(_TOTALS)} (or comes before the Samples header)",
            )
    flags = _flag_columns(sample_header, totals)
    batch = context.get(f"Batch Data: {_BATCH_KEY}", "")
    for record in samples:
        _add_sample(rows, record, sample_header, flags, context, origins, batch)
    notes.extend(_check_totals(report.path, sample_header, totals, flags, samples, context))
    layout = (
        f"bika-ar-import sep=',' sections=row-type-column samples={len(samples)} "
        f"analysis-flags={len(flags)}"
    )
    extract = rows.text_extract(report, layout)
    extract.blank_records += blank
    dates = [h.strip() for h in sample_header if "date" in h.lower()]
    notes.append(
        f"{report.path}: {layout_rows} header, batch and totals rows are read as values of "
        f"every sample, not as rows; {', '.join(dates) or 'no date column'} kept as written "
        "(a slash date does not say whether day or month comes first), so sampled_on stays "
        "empty"
    )
    reason = f"{len(samples)} sample registrations read as lims/samples"
    return ReportReading("lims/samples", reason, [extract], notes)


def _flag_columns(header: Sequence[str], totals: Sequence[str]) -> list[int]:
    """Analysis-flag columns: those the totals row counts, except the count column itself."""
    return [
        index
        for index, name in enumerate(header)
        if index > 0
        and name.strip() != _COUNT_COLUMN
        and index < len(totals)
        and totals[index].strip().isdigit()
    ]


def _add_sample(
    rows: ReportRows,
    record: Record,
    header: Sequence[str],
    flags: Sequence[int],
    context: dict[str, str],
    context_origins: dict[str, str],
    batch: str,
) -> None:
    fields = [*record.fields, *[""] * (len(header) - len(record.fields))]
    extra = [f for f in fields[len(header) :] if f.strip()]
    if extra:
        rows.reject(
            record.line,
            None,
            " | ".join(record.fields[:6]),
            f"the row has {len(record.fields)} fields but the Samples header has "
            f"{len(header)} columns; the extra fields are not empty ({extra[:3]!r})",
        )
        return
    for index in flags:
        if fields[index].strip() not in ("", "1"):
            rows.reject(
                record.line,
                header[index].strip(),
                fields[index],
                f"analysis flag {header[index].strip()!r} holds {fields[index]!r}; a requested "
                "analysis is marked 1, any other blank",
            )
            return
    stated = _stated_count(header, fields)
    flagged = sum(1 for index in flags if fields[index].strip() == "1")
    if flags and stated is not None and stated != flagged:
        rows.reject(
            record.line,
            _COUNT_COLUMN,
            str(stated),
            f"states {stated} analyses but flags {flagged}; which analyses are requested "
            "cannot be told",
        )
        return
    values = dict(context)
    origins = dict(context_origins)
    values["batch"] = batch
    origins["batch"] = f"Batch Data: {_BATCH_KEY}"
    for index, name in enumerate(header):
        key = _COLUMNS.get(name.strip(), name.strip() or f"column_{index + 1}")
        values[key] = fields[index]
        origins[key] = name
    rows.add(record.line, values, origins)


def _stated_count(header: Sequence[str], fields: Sequence[str]) -> int | None:
    for index, name in enumerate(header):
        if name.strip() == _COUNT_COLUMN and fields[index].strip().isdigit():
            return int(fields[index])
    return None


def _check_totals(
    path: str,
    header: Sequence[str],
    totals: Sequence[str],
    flags: Sequence[int],
    samples: Sequence[Record],
    context: dict[str, str],
) -> list[str]:
    """Notes where the file's own totals disagree with its sample rows."""
    notes: list[str] = []
    declared = context.get("Header Data: No of Samples", "").strip()
    if declared.isdigit() and int(declared) != len(samples):
        notes.append(f"{path}: Header Data says {declared} samples, the file has {len(samples)}")
    if not totals:
        notes.append(f"{path}: no 'Total Analyses or Profiles' row; analysis flags not checked")
        return notes
    for index in flags:
        counted = sum(
            1 for r in samples if index < len(r.fields) and r.fields[index].strip() == "1"
        )
        if counted != int(totals[index]):
            notes.append(
                f"{path}: the totals row counts {totals[index].strip()} for "
                f"{header[index].strip()!r}, the samples flag it {counted} times"
            )
    return notes
