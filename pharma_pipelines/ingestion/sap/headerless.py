"""SAP tables exported without a header row, recognised by the shape of their records.

Table downloads of SAP customizing (T006, T006A, TCURR, ...) carry no header: the
columns are the table's DDIC fields in order. Such a table is recognised when nearly
every record has its width and its fields look like the DDIC types at those positions
(a three-digit client, a currency key, eight digits for a date), the first record
included: a first line of another shape is a header, and a file with a header is not
a headerless table. A file whose first record has a table's shape but whose other
records do not is not that table either; the quarantine reason then names the table
and says how many records fit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pharma_pipelines.ingestion.delimited import Record
from pharma_pipelines.ingestion.schema import EntitySpec

FIT_SHARE = 0.9
"""Share of the sampled records that must have a table's shape for the file to be it."""

SAMPLE_RECORDS = 200


@dataclass(frozen=True)
class HeaderlessTable:
    """One SAP table read by column position: its DDIC field names and a shape test."""

    name: str
    title: str
    spec: EntitySpec
    ddic: tuple[str, ...]
    fits: Callable[[Sequence[str]], bool]

    @property
    def width(self) -> int:
        return len(self.ddic)

    def fits_record(self, fields: Sequence[str]) -> bool:
        return len(fields) == self.width and self.fits(fields)


@dataclass(frozen=True)
class HeaderlessMatch:
    """The table the records look like, whether enough of them fit, and the evidence."""

    table: HeaderlessTable
    fitting: int
    sampled: int
    widths: tuple[int, ...]
    first_fits: bool

    @property
    def fits(self) -> bool:
        return self.first_fits and self.fitting >= FIT_SHARE * self.sampled

    @property
    def evidence(self) -> str:
        layout = f"the {self.table.width}-field {self.table.name} layout"
        if self.fits:
            return f"{self.fitting} of the first {self.sampled} records have {layout}"
        return (
            f"only {self.fitting} of the first {self.sampled} records have {layout} "
            f"(field counts seen: {list(self.widths[:6])})"
        )


def identify_headerless(
    records: Sequence[Record], tables: Sequence[HeaderlessTable]
) -> HeaderlessMatch | None:
    """The table the records are, else the one whose shape the first record has, else None."""
    sample = [r for r in records[:SAMPLE_RECORDS] if not r.is_blank]
    if not sample:
        return None
    widths = tuple(sorted({len(r.fields) for r in sample}))
    looks_like: HeaderlessMatch | None = None
    for table in tables:
        fitting = sum(1 for r in sample if table.fits_record(r.fields))
        first = table.fits_record(sample[0].fields)
        match = HeaderlessMatch(table, fitting, len(sample), widths, first)
        if match.fits:
            return match
        if looks_like is None and first:
            looks_like = match
    return looks_like
