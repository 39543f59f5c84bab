"""What the platform makes of one file, for a data steward asking why it was refused.

:func:`inspect_bytes` reads a file exactly as the raw layer does (same
classification, same rejects) and adds what a person needs to judge it: the
kind found, the encoding and layout, the row accounting, every reject with
its rule, and the rows typed the way the curated layer will read them
(identifiers as exact text, numbers as exact decimals, dates as ISO 8601).
:func:`write_outputs` writes those typed rows and the rejects as CSV.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from pharma_pipelines.ingestion.columnar import TypedExtract, typed_extract
from pharma_pipelines.ingestion.kinds import SOURCE_FOLDERS
from pharma_pipelines.ingestion.model import ParsedFile, RowReject
from pharma_pipelines.ingestion.parse import parse_file
from pharma_pipelines.ingestion.schema import FieldKind

ROW_COLUMNS = ("entity", "part")
REJECT_COLUMNS = ("source_file", "entity", "part", "line", "column", "value", "rule", "message")
_LINEAGE = ("source_file", "content_hash", "row_number")


@dataclass
class Inspection:
    """One file as the platform sees it: the raw layer's reading and its typed rows.

    ``typed`` holds one :class:`TypedExtract` per extract, typed by the same code the
    columnar reader uses; ``typing_problems`` names rows the raw layer stored but whose
    values do not type, which should never happen and is shown rather than hidden.
    """

    path: str
    size: int
    parsed: ParsedFile
    typed: list[TypedExtract]

    @property
    def quarantined(self) -> bool:
        return self.parsed.quarantine_reason is not None

    @property
    def rows_read(self) -> int:
        return sum(e.rows_read for e in self.parsed.extracts)

    @property
    def rows_loaded(self) -> int:
        return sum(len(e.rows) for e in self.parsed.extracts)

    @property
    def rows_rejected(self) -> int:
        return sum(len(e.rejects) for e in self.parsed.extracts)

    @property
    def typing_problems(self) -> list[RowReject]:
        return [
            reject
            for extract, typed in zip(self.parsed.extracts, self.typed, strict=True)
            for reject in _typing_problems(extract.rejects, typed)
        ]

    @property
    def exit_code(self) -> int:
        """0 when every row loads, 1 when rows are rejected or the file is quarantined."""
        return 1 if self.quarantined or self.rows_rejected else 0


def _typing_problems(raw: list[RowReject], typed: TypedExtract) -> list[RowReject]:
    # Typing merges its own rejects into the raw ones in line order, so they are told
    # apart by value, not by position.
    seen = set(raw)
    return [reject for reject in typed.rejects if reject not in seen]


def inspect_bytes(path: str, data: bytes, *, kind: str | None = None) -> Inspection:
    """Read ``data`` (landed as ``path``) the way the raw layer does, optionally as ``kind``."""
    parsed = parse_file(path, data, kind=kind)
    typed = [
        typed_extract(e, source_file=path, content_hash=parsed.content_hash)
        for e in parsed.extracts
    ]
    return Inspection(path, len(data), parsed, typed)


def landed_name(path: Path) -> str:
    """The name ``path`` would have in a landing zone: from its source folder down, if any.

    ``.../landing/sap/MARA.csv`` is ``sap/MARA.csv``, so the folder breaks ties between
    kinds exactly as it does for a landed file; elsewhere the file name alone is used.
    """
    parts = path.resolve().parts
    for index in range(len(parts) - 2, -1, -1):
        if parts[index].lower() in SOURCE_FOLDERS:
            return "/".join(parts[index:])
    return path.name


def inspect_file(path: Path, *, kind: str | None = None) -> Inspection:
    return inspect_bytes(landed_name(path), path.read_bytes(), kind=kind)


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        # Plain notation: 1E+3 would be read back as text by most tools.
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _keys(typed: TypedExtract) -> list[str]:
    return [name for name in typed.table.column_names if name not in _LINEAGE]


def _records(typed: TypedExtract, limit: int | None = None) -> Iterator[dict[str, object]]:
    table = typed.table if limit is None else typed.table.slice(0, limit)
    for batch in table.to_batches():
        yield from batch.to_pylist()


def typed_rows(inspection: Inspection) -> tuple[list[str], Iterator[list[str]]]:
    """The header and rows of ``rows.csv``: kind, part, lineage, then every column once."""
    columns: list[str] = []
    for typed in inspection.typed:
        columns.extend(c for c in _keys(typed) if c not in columns)

    def rows() -> Iterator[list[str]]:
        for typed in inspection.typed:
            for record in _records(typed):
                head = [typed.entity, typed.part, *(_csv_value(record[c]) for c in _LINEAGE)]
                yield head + [_csv_value(record.get(c)) for c in columns]

    return [*ROW_COLUMNS, *_LINEAGE, *columns], rows()


def reject_rows(inspection: Inspection) -> Iterator[list[str]]:
    """The rows of ``rejects.csv``; a quarantined file is one row for the whole file."""
    parsed = inspection.parsed
    if parsed.quarantine_reason is not None:
        yield [inspection.path, "", "", "", "", "", "file.quarantined", parsed.quarantine_reason]
        return
    for extract in parsed.extracts:
        for reject in extract.rejects:
            yield [
                inspection.path,
                extract.entity,
                extract.part,
                str(reject.row_number),
                reject.column or "",
                reject.raw_value or "",
                reject.rule,
                reject.reason,
            ]


def write_outputs(inspection: Inspection, directory: Path) -> tuple[Path, Path]:
    """Write ``rows.csv`` (typed rows) and ``rejects.csv`` into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    rows_path, rejects_path = directory / "rows.csv", directory / "rejects.csv"
    header, rows = typed_rows(inspection)
    with rows_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    with rejects_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REJECT_COLUMNS)
        writer.writerows(reject_rows(inspection))
    return rows_path, rejects_path


def _cell(value: object, width: int) -> str:
    shown = _csv_value(value).replace("\n", "\\n")
    return shown if len(shown) <= width else shown[: width - 1] + "…"


def render(inspection: Inspection, *, preview: int = 10, rejects_shown: int = 50) -> str:
    """A report a steward can read in a terminal."""
    parsed = inspection.parsed
    out = [
        f"file:    {inspection.path} ({inspection.size} bytes, sha256 {parsed.content_hash[:16]}…)"
    ]
    if parsed.quarantine_reason is not None:
        out.append("result:  QUARANTINED (nothing loaded)")
        out.append(f"reason:  {parsed.quarantine_reason}")
        return "\n".join(out)
    out.append(
        f"result:  {len(parsed.extracts)} extract(s); rows read {inspection.rows_read} = "
        f"loaded {inspection.rows_loaded} + rejected {inspection.rows_rejected}"
    )
    out.extend(f"note:    {note}" for note in parsed.notes)
    for extract, typed in zip(parsed.extracts, inspection.typed, strict=True):
        part = f" [{extract.part}]" if extract.part else ""
        out.append("")
        out.append(f"== {extract.entity}{part}")
        out.append(f"encoding:  {extract.encoding}")
        out.append(f"layout:    {extract.layout}")
        out.append(
            f"rows:      read {extract.rows_read} = loaded {len(extract.rows)} + rejected "
            f"{len(extract.rejects)} (blank records {extract.blank_records}, repeated headers "
            f"{extract.repeated_headers}, short records {extract.short_records})"
        )
        if extract.header_map:
            mapped = [
                f"{name} <- {source!r} ({(typed.kinds.get(name) or FieldKind.TEXT).value})"
                for name, source in extract.header_map.items()
            ]
            out.append("columns:   " + "; ".join(mapped))
        if any(kind is FieldKind.NUMBER for kind in typed.kinds.values()):
            out.append(f"numbers:   read as {typed.number_format.describe()}")
        if extract.rejects:
            out.append(f"rejects ({len(extract.rejects)}):")
            for reject in extract.rejects[:rejects_shown]:
                column = f" column {reject.column!r}" if reject.column else ""
                out.append(f"  line {reject.row_number}{column} [{reject.rule}]: {reject.reason}")
            if len(extract.rejects) > rejects_shown:
                out.append(f"  ... {len(extract.rejects) - rejects_shown} more (use --out)")
        for problem in _typing_problems(extract.rejects, typed):
            out.append(f"TYPING:    line {problem.row_number}: {problem.reason}")
        if typed.table.num_rows and preview > 0:
            records = list(_records(typed, preview))
            out.append(f"typed preview (first {len(records)} rows):")
            columns = ["line", *_keys(typed)]
            shown = [
                [str(r["row_number"]), *(_cell(r.get(c), 24) for c in columns[1:])] for r in records
            ]
            widths = [max(len(c), *(len(r[i]) for r in shown)) for i, c in enumerate(columns)]
            out.append("  " + " | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
            for row in shown:
                out.append("  " + " | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))
    return "\n".join(out)
