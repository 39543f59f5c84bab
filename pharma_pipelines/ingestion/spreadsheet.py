"""XLSX workbooks as tables of text, one per sheet.

A cell is typed in the workbook, so it must become text here: numbers are
written plainly with a decimal point (``1200``, ``12.5``, never ``1.2e3``),
dates as ISO (``2024-03-28``, with the time only when it is not midnight),
booleans ``TRUE``/``FALSE``. A material number typed as a number has already
lost its leading zeros in the workbook; that cannot be undone here.

Sheets often claim a million rows (formatting bloat), so a sheet ends after
:data:`EMPTY_ROWS_END` empty rows in a row.

A workbook is a zip archive, and a small one can inflate to gigabytes. The
central directory declares each member's inflated size, and Python's zip reader
never inflates a member past its declared size (it fails on the CRC instead),
so the declared total bounds what opening the workbook can cost: above
:attr:`ReadLimits.inflated_bytes` the workbook is refused unopened.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook

from pharma_pipelines.ingestion.delimited import Record
from pharma_pipelines.ingestion.limits import DEFAULT_LIMITS, size_text

EMPTY_ROWS_END = 200
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class WorkbookError(ValueError):
    """The bytes are not a readable XLSX workbook."""


@dataclass(frozen=True)
class Sheet:
    name: str
    records: list[Record]


def is_xlsx(data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, NotImplementedError, OSError, ValueError):
        return False


def inflation_refusal(data: bytes, limit: int) -> str | None:
    """Why a workbook is too big once inflated, or ``None`` when its members fit ``limit``."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, NotImplementedError, OSError, ValueError):
        return None
    total = sum(m.file_size for m in members)
    if total <= limit:
        return None
    largest = max(members, key=lambda m: m.file_size)
    return (
        f"refused: its zip members inflate to {size_text(total)} ({largest.filename!r} alone "
        f"{size_text(largest.file_size)} from {size_text(largest.compress_size)}), over the "
        f"limit of {size_text(limit)} per workbook; it is not opened"
    )


def cell_text(value: Any) -> str:
    """The text of a typed cell value; see the module docstring for the rules."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def read_sheets(data: bytes, inflated_limit: int = DEFAULT_LIMITS.inflated_bytes) -> list[Sheet]:
    """Every worksheet of the workbook as records numbered by Excel row."""
    refusal = inflation_refusal(data, inflated_limit)
    if refusal is not None:
        raise WorkbookError(f"an XLSX workbook, {refusal}")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many unrelated types for a broken file
        raise WorkbookError(
            f"not a readable XLSX workbook ({type(error).__name__}: {error})"
        ) from error
    try:
        return [Sheet(name=ws.title, records=_records(ws)) for ws in workbook.worksheets]
    except Exception as error:  # sheets are read lazily: a damaged part fails only here
        raise WorkbookError(
            f"the XLSX workbook breaks while its sheets are read ({type(error).__name__}: {error})"
        ) from error
    finally:
        workbook.close()


def _records(worksheet: Any) -> list[Record]:
    records: list[Record] = []
    empty_run = 0
    reset = getattr(worksheet, "reset_dimensions", None)
    if reset is not None:
        reset()
    rows = worksheet.iter_rows(min_row=1, min_col=1, values_only=True)
    for number, row in enumerate(rows, start=1):
        fields = [cell_text(v) for v in row]
        while fields and not fields[-1]:
            fields.pop()
        if not fields:
            empty_run += 1
            if empty_run >= EMPTY_ROWS_END:
                break
            continue
        empty_run = 0
        records.append(Record(line=number, fields=fields))
    return records
