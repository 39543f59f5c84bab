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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from pharma_pipelines.ingestion.kinds import SPECS_BY_ENTITY
from pharma_pipelines.ingestion.model import ParsedExtract, ParsedFile
from pharma_pipelines.ingestion.parse import SOURCE_FOLDERS, parse_file
from pharma_pipelines.ingestion.schema import FieldKind
from pharma_pipelines.values import (
    DECIMAL_COMMA,
    DECIMAL_POINT,
    NumberFormat,
    ValueRuleError,
    detect_number_format,
    parse_sap_date,
    parse_sap_number,
)

LINEAGE_COLUMNS = ("entity", "part", "source_file", "content_hash", "row_number")
REJECT_COLUMNS = ("source_file", "entity", "part", "line", "column", "value", "rule", "message")

TypedValue = str | Decimal | None


@dataclass
class TypedExtract:
    """The rows of one extract with each canonical field typed by its kind.

    ``kinds`` gives the kind of every column (unmapped source columns are
    text); ``typing_problems`` lists cells the curated rules would refuse
    although the raw layer stored their row, which should never happen and
    is shown rather than hidden.
    """

    extract: ParsedExtract
    columns: list[str]
    kinds: dict[str, FieldKind]
    rows: list[dict[str, TypedValue]]
    number_formats: dict[str, NumberFormat] = field(default_factory=dict)
    typing_problems: list[str] = field(default_factory=list)


@dataclass
class Inspection:
    """One file as the platform sees it."""

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
    def exit_code(self) -> int:
        """0 when every row loads, 1 when rows are rejected or the file is quarantined."""
        return 1 if self.quarantined or self.rows_rejected else 0


def _number_formats(extract: ParsedExtract, numeric: Sequence[str]) -> dict[str, NumberFormat]:
    # The raw layer's decision for the file wins, so inspect types a value exactly as the
    # curated layer will; sources without one (JSON, mail metadata) are judged per column.
    if extract.decimal_separator == ",":
        return dict.fromkeys(numeric, DECIMAL_COMMA)
    if extract.decimal_separator == ".":
        return dict.fromkeys(numeric, DECIMAL_POINT)
    return {
        name: detect_number_format(r.values.get(name, "") for r in extract.rows).format
        for name in numeric
    }


def typed_extract(extract: ParsedExtract) -> TypedExtract:
    """Type every canonical field of ``extract`` by its kind; other columns stay text."""
    spec = SPECS_BY_ENTITY.get(extract.entity)
    declared = {f.name: f.kind for f in spec.fields} if spec is not None else {}
    columns: list[str] = []
    for row in extract.rows:
        columns.extend(name for name in row.values if name not in columns)
    kinds = {name: declared.get(name, FieldKind.TEXT) for name in columns}
    numeric = [name for name, kind in kinds.items() if kind is FieldKind.NUMBER]
    formats = _number_formats(extract, numeric)
    typed = TypedExtract(extract, columns, kinds, [], formats)
    for row in extract.rows:
        values: dict[str, TypedValue] = {}
        for name in columns:
            raw = row.values.get(name, "")
            try:
                values[name] = _typed(raw, kinds[name], formats.get(name, DECIMAL_POINT))
            except ValueRuleError as error:
                typed.typing_problems.append(f"line {row.row_number} {name}: {error}")
                values[name] = raw
        typed.rows.append(values)
    return typed


def _typed(raw: str, kind: FieldKind, fmt: NumberFormat) -> TypedValue:
    if kind is FieldKind.NUMBER:
        return parse_sap_number(raw, fmt)
    if kind is FieldKind.DATE:
        value = parse_sap_date(raw).value
        return value.isoformat() if value is not None else None
    return raw


def inspect_bytes(path: str, data: bytes, *, kind: str | None = None) -> Inspection:
    """Read ``data`` (landed as ``path``) the way the raw layer does, optionally as ``kind``."""
    parsed = parse_file(path, data, kind=kind)
    return Inspection(path, len(data), parsed, [typed_extract(e) for e in parsed.extracts])


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


def _csv_value(value: TypedValue) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        # Plain notation: 1E+3 would be read back as text by most tools.
        return format(value, "f")
    return value


def typed_rows(inspection: Inspection) -> tuple[list[str], Iterator[list[str]]]:
    """The header and rows of ``rows.csv``: lineage columns, then every column once."""
    columns: list[str] = []
    for typed in inspection.typed:
        columns.extend(c for c in typed.columns if c not in columns)

    def rows() -> Iterator[list[str]]:
        for typed in inspection.typed:
            extract = typed.extract
            for raw, values in zip(extract.rows, typed.rows, strict=True):
                lineage = [
                    extract.entity,
                    extract.part,
                    inspection.path,
                    inspection.parsed.content_hash,
                    str(raw.row_number),
                ]
                yield lineage + [_csv_value(values.get(c)) for c in columns]

    return [*LINEAGE_COLUMNS, *columns], rows()


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


def _cell(value: TypedValue, width: int) -> str:
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
    for typed in inspection.typed:
        extract = typed.extract
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
                f"{name} <- {source!r} ({typed.kinds.get(name, FieldKind.TEXT).value})"
                for name, source in extract.header_map.items()
            ]
            out.append("columns:   " + "; ".join(mapped))
        for name, fmt in sorted(typed.number_formats.items()):
            out.append(f"numbers:   {name} read as {fmt.describe()}")
        if extract.rejects:
            out.append(f"rejects ({len(extract.rejects)}):")
            for reject in extract.rejects[:rejects_shown]:
                column = f" column {reject.column!r}" if reject.column else ""
                out.append(f"  line {reject.row_number}{column} [{reject.rule}]: {reject.reason}")
            if len(extract.rejects) > rejects_shown:
                out.append(f"  ... {len(extract.rejects) - rejects_shown} more (use --out)")
        out.extend(f"TYPING:    {problem}" for problem in typed.typing_problems)
        if typed.rows and preview > 0:
            out.append(f"typed preview (first {min(preview, len(typed.rows))} rows):")
            columns = ["line", *typed.columns]
            shown = [
                [str(raw.row_number), *(_cell(values.get(c), 24) for c in typed.columns)]
                for raw, values in zip(extract.rows[:preview], typed.rows[:preview], strict=True)
            ]
            widths = [max(len(c), *(len(r[i]) for r in shown)) for i, c in enumerate(columns)]
            out.append("  " + " | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
            for row in shown:
                out.append("  " + " | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))
    return "\n".join(out)
