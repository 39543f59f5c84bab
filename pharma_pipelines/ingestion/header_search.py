"""Find the header row of a table and the kind it maps to.

The header is usually the first line, but list exports and reports put a title
or selection criteria above it, so the first lines are tried in order and the
first one that maps completely onto a kind is the header. Lines above it are
a preamble, not records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pharma_pipelines.ingestion.delimited import Record
from pharma_pipelines.ingestion.encoding import storable
from pharma_pipelines.ingestion.lims.wide_results import SAMPLE_ROWS, match_wide
from pharma_pipelines.ingestion.schema import (
    EntitySpec,
    HeaderMatch,
    KindChoice,
    choose_kind,
    describe_miss,
    match_header,
)
from pharma_pipelines.ingestion.tabular import Table

HEADER_SEARCH_LINES = 20
MAX_HEADER_COLUMNS = 2000
"""No extract has more columns; a wider line (a file that is one long line) is no header."""


@dataclass(frozen=True)
class Found:
    """A header row, its kind, and the evidence."""

    table: Table
    header_at: int
    line: int
    reason: str


@dataclass(frozen=True)
class Missed:
    """No header row maps to a kind; the reason quotes the closest one.

    ``closeness`` (required fields found, columns mapped) ranks misses, e.g.
    to name the closest sheet of a workbook.
    """

    reason: str
    closeness: tuple[int, int] = (-1, -1)


def _shown(fields: Sequence[str], limit: int = 12) -> str:
    shown = [f.strip() for f in fields[:limit]]
    more = f" ... (+{len(fields) - limit} more)" if len(fields) > limit else ""
    return f"{shown!r}{more}"


_OTHER_SEPARATORS = (",", ";", "\t", "|")


def _mixed_separators(header: Sequence[str], match: HeaderMatch) -> str | None:
    """Why a header mixes separators, when an unmapped column is several names joined.

    ``Sample ID;Batch;Material,Sample Type`` splits on ``;`` into a column that is really
    three: the rows below cannot be split reliably, so the file is not read at all.
    """
    for index, name in enumerate(header):
        if index in match.columns:
            continue
        for separator in _OTHER_SEPARATORS:
            pieces = [piece.strip() for piece in name.split(separator)]
            if len(pieces) < 2:
                continue
            known = match_header(pieces, match.spec).columns
            if len(known) >= 2:
                names = ", ".join(repr(pieces[i]) for i in sorted(known))
                return (
                    f"mixes separators: column {name!r} holds the {match.spec.entity} "
                    f"columns {names} joined by {separator!r} while the other columns are "
                    "split by another separator; the rows cannot be split reliably"
                )
    return None


def _table(match: HeaderMatch) -> Table:
    return Table(spec=match.spec, header=match.header, columns=match.columns)


def find_table(
    records: Sequence[Record],
    specs: Sequence[EntitySpec],
    *,
    hint: str | None = None,
    allow_wide: bool = True,
) -> Found | Missed:
    """Try the first non-blank lines as header against ``specs`` (then as wide results)."""
    lines = [(i, r) for i, r in enumerate(records) if not r.is_blank][:HEADER_SEARCH_LINES]
    if not lines:
        return Missed("the table has no non-blank line to read a header from")
    candidates = [(i, r) for i, r in lines if len(r.fields) <= MAX_HEADER_COLUMNS]
    if not candidates:
        widest = max(len(r.fields) for _, r in lines)
        return Missed(
            f"no header in the first {len(lines)} non-blank lines: line {lines[0][1].line} has "
            f"{widest} fields, more than the {MAX_HEADER_COLUMNS} columns any extract has"
        )
    closest: tuple[KindChoice, Record] | None = None
    for index, record in candidates:
        header = [storable(f.strip()) for f in record.fields]
        choice = choose_kind(header, specs, hint=hint)
        if choice.best is not None:
            best = choice.best
            mixed = _mixed_separators(header, best)
            if mixed is not None:
                return Missed(f"header at line {record.line} {mixed}")
            also = ", ".join(m.spec.entity for m in choice.others)
            reason = (
                f"header at line {record.line} maps to {best.spec.entity}: "
                f"{best.describe_mapping()}"
            )
            if also:
                reason += f"; it also fits {also}, which map fewer columns"
            return Found(table=_table(best), header_at=index, line=record.line, reason=reason)
        if choice.closest is not None and (
            closest is None or _closeness(choice) > _closeness(closest[0])
        ):
            closest = (choice, record)
    wide_reason = ""
    if allow_wide:
        for index, record in candidates:
            header = [storable(f.strip()) for f in record.fields]
            below = [r.fields for r in records[index + 1 : index + 1 + SAMPLE_ROWS]]
            verdict = match_wide(header, below)
            if verdict.match is not None:
                reason = f"header at line {record.line} maps to {verdict.match.spec.entity}: "
                reason += verdict.reason
                return Found(
                    table=_table(verdict.match), header_at=index, line=record.line, reason=reason
                )
            if verdict.has_batch:
                wide_reason = verdict.reason
    first_line = candidates[0][1]
    if closest is None:
        seen = f"line {first_line.line} reads {_shown(first_line.fields)}"
        miss = describe_miss(KindChoice(best=None))
    else:
        choice, record = closest
        seen = f"line {record.line} reads {_shown(record.fields)}"
        miss = describe_miss(choice)
    reason = (
        f"no header in the first {len(candidates)} non-blank lines maps to an extract kind; "
        f"{seen}; {miss}"
    )
    if wide_reason:
        reason += f"; not wide LIMS results either: {wide_reason}"
    return Missed(reason, _closeness(closest[0]) if closest else (-1, -1))


def _closeness(choice: KindChoice) -> tuple[int, int]:
    closest = choice.closest
    return (closest.required_found, len(closest.columns)) if closest else (-1, -1)
