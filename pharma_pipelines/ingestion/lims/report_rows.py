"""Rows of a kind assembled from a report layout, validated like any table.

A report reader knows where each value sits (a block title, a key/value line, a
cell under a merged label) and hands the values over row by row, each with the
report header it was read from. The rows then go through the same validation
as a table (:func:`pharma_pipelines.ingestion.tabular.build_extract`): required
fields, number fields, stray bytes, BOMs. Rows the layout itself rules out
(a line that fits no part of the report, a value in the wrong cell) are
rejected by the reader with the line, column, value and reason, so
``rows read = rows loaded + rows rejected`` holds for report extracts too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from pharma_pipelines.ingestion.delimited import Record
from pharma_pipelines.ingestion.encoding import DamagedByte, storable
from pharma_pipelines.ingestion.model import ParsedExtract, RowReject
from pharma_pipelines.ingestion.schema import EntitySpec
from pharma_pipelines.ingestion.tabular import SourceRecord, Table, build_extract
from pharma_pipelines.values import DECIMAL_POINT, NumberFormat, is_blank


@dataclass(frozen=True)
class TextReport:
    """A decoded text split into records, and what a reader needs to describe it."""

    path: str
    records: Sequence[Record]
    encoding: str
    separator: str | None
    codec: str = ""
    damaged: Sequence[DamagedByte] = ()


@dataclass
class ReportReading:
    """What a report reader made of a file: its kind, why, extracts and notes.

    ``notes`` say what was read as layout rather than rows (titles, statistics,
    empty sections, sheets without a kind), so a person can see nothing was
    dropped unseen.
    """

    kind: str
    reason: str
    extracts: list[ParsedExtract] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class ReportRows:
    """Collects the rows of one extract of a report, then validates them as a table.

    ``where`` names the file (and part) for reject reasons; ``must_name`` lists
    fields a report row must fill although the kind does not require them of a
    table (an instrument result must name its sample, since it names no batch).
    """

    spec: EntitySpec
    where: str
    must_name: tuple[str, ...] = ()
    blank_cells: int = 0
    _rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    _origins: dict[str, list[str]] = field(default_factory=dict)
    _rejects: list[RowReject] = field(default_factory=list)

    def add(self, line: int, values: Mapping[str, str], origins: Mapping[str, str]) -> None:
        """One row read from ``line``: value key -> original text, key -> report header."""
        for name in self.must_name:
            if is_blank(values.get(name)):
                origin = origins.get(name, name)
                self.reject(
                    line,
                    origin,
                    values.get(name, ""),
                    f"names no {name.replace('_', ' ')} ({origin!r} is blank); a result "
                    f"that names no {name.replace('_', ' ')} can never be matched to one",
                    rule="value.required",
                )
                return
        for key in values:
            known = self._origins.setdefault(key, [])
            origin = origins.get(key, key)
            if origin not in known:
                known.append(origin)
        self._rows.append((line, dict(values)))

    def reject(
        self,
        line: int,
        column: str | None,
        value: str | None,
        reason: str,
        rule: str = "record.layout",
    ) -> None:
        """A row the layout rules out; ``reason`` says what was found and what fits."""
        self._rejects.append(
            RowReject(
                row_number=line,
                column=column,
                raw_value=storable(value) if value is not None else None,
                reason=f"{self.where} line {line}: {reason}",
                rule=rule,
            )
        )

    def text_extract(
        self, report: TextReport, layout: str, number_format: NumberFormat = DECIMAL_POINT
    ) -> ParsedExtract:
        """The extract of a text report: its encoding and damaged bytes come with it."""
        return self.extract(
            encoding=report.encoding,
            layout=layout,
            number_format=number_format,
            damaged=report.damaged,
            codec=report.codec,
        )

    def extract(
        self,
        *,
        encoding: str,
        layout: str,
        number_format: NumberFormat,
        part: str = "",
        damaged: Sequence[DamagedByte] = (),
        codec: str = "",
    ) -> ParsedExtract:
        """The validated extract; every row added or rejected is accounted for."""
        header = list(self._origins)
        names = {f.name for f in self.spec.fields}
        columns = {i: key for i, key in enumerate(header) if key in names}
        table = Table(spec=self.spec, header=tuple(header), columns=columns)
        records = [
            SourceRecord(number=line, fields=[values.get(key, "") for key in header])
            for line, values in self._rows
        ]
        extract, _ = build_extract(
            table,
            records,
            locate=lambda n: f"{self.where} line {n}",
            encoding=encoding,
            layout=layout,
            number_format=number_format,
            part=part,
            damaged=damaged,
            codec=codec,
        )
        origin_of = {key: " | ".join(origins) for key, origins in self._origins.items()}
        # Validation names the value key; a person looks for the report's own header.
        validated = [
            replace(r, column=origin_of.get(r.column, r.column)) if r.column else r
            for r in extract.rejects
        ]
        extract.rejects = sorted([*validated, *self._rejects], key=lambda r: r.row_number)
        extract.header_map = {key: origin_of[original] for key, original in _keys(table, header)}
        extract.blank_records += self.blank_cells
        return extract


def _keys(table: Table, header: list[str]) -> list[tuple[str, str]]:
    """Each value key of ``table`` with the collected header it stands for."""
    return list(zip(table.keys, header, strict=True))
