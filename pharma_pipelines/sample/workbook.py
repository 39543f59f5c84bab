"""XLSX attachments that come out byte-identical on every run.

openpyxl stamps the save time into ``docProps/core.xml`` and every ZIP entry. The workbook is
therefore written through openpyxl's ``ExcelWriter`` (which, unlike ``Workbook.save``, keeps
the modified time we set) and the archive is then re-packed with the e-mail's send time as
the time of every entry.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

Cell = str | int | dt.date


def workbook_bytes(
    sheet_title: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    author: str,
    saved_at: dt.datetime,
    date_format: str,
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if sheet is None:
        raise RuntimeError("openpyxl created a workbook without a worksheet")
    sheet.title = sheet_title
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, dt.date):
                cell.number_format = date_format
    saved_utc = saved_at.astimezone(dt.UTC).replace(tzinfo=None)
    workbook.properties.creator = author
    workbook.properties.lastModifiedBy = author
    workbook.properties.created = saved_utc
    workbook.properties.modified = saved_utc
    buffer = io.BytesIO()
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    return _with_fixed_entry_times(buffer.getvalue(), saved_utc)


def _with_fixed_entry_times(archive: bytes, saved_at: dt.datetime) -> bytes:
    stamp = (saved_at.year, saved_at.month, saved_at.day, saved_at.hour, saved_at.minute, 0)
    source = zipfile.ZipFile(io.BytesIO(archive))
    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w") as target:
        for name in source.namelist():
            entry = zipfile.ZipInfo(name, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 0
            target.writestr(entry, source.read(name))
    return target_buffer.getvalue()
