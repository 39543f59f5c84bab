"""Shared mechanics of curation: latest extract wins, lineage kept, bad values reported.

Raw rows arrive as text with lineage columns (``raw_record_id``, ``file_id``,
``source_file``, ``row_number``). Curation never drops a row silently: a row whose value
cannot be typed becomes a ``ConformanceIssue`` naming file, row, column and value, and a
row left out on purpose (superseded by a newer extract of its key, or outside the table's
scope) becomes a ``LeftOut`` with the reason. Together with the lineage of the curated rows
they account for every raw row, which the reconciliation check verifies.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from pharma_pipelines.values import (
    DECIMAL_COMMA,
    DECIMAL_POINT,
    NumberFormat,
    ValueRuleError,
    detect_number_format,
)

LINEAGE = (
    "raw_record_id",
    "file_id",
    "source_file",
    "row_number",
    "layout",
    "decimal_separator",
)


SUPERSEDED = "superseded"
OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True)
class ConformanceIssue:
    entity: str
    source_file: str
    row_number: int
    column: str
    raw_value: str
    reason: str
    raw_record_id: int | None = None


@dataclass(frozen=True)
class LeftOut:
    """A raw row curation did not carry into its table on purpose, and why.

    ``kind`` is SUPERSEDED (a newer extract holds the same key) or OUT_OF_SCOPE (the
    table does not hold such rows, e.g. a raw material in the material master).
    """

    entity: str
    raw_record_id: int
    source_file: str
    row_number: int
    kind: str
    reason: str


@dataclass
class Curated:
    """Rows of one curated table, the raw rows that could not be conformed, and those left out."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    issues: list[ConformanceIssue] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame.from_records(self.rows)

    def leave_out(self, entity: str, rows: pd.DataFrame, kind: str, reason: str) -> None:
        """Record every row of ``rows`` as left out of the table for ``reason``."""
        self.left_out.extend(
            LeftOut(
                entity=entity,
                raw_record_id=int(row["raw_record_id"]),
                source_file=text(row, "source_file"),
                row_number=int(row["row_number"]),
                kind=kind,
                reason=reason,
            )
            for _, row in rows.iterrows()
        )

    def newest(self, entity: str, frame: pd.DataFrame, key: Sequence[str]) -> pd.DataFrame:
        """:func:`latest_extract`, recording the rows a newer extract supersedes."""
        kept = latest_extract(frame, key)
        if len(kept) < len(frame):
            self.leave_out(
                entity,
                frame[~frame.index.isin(kept.index)],
                SUPERSEDED,
                f"a newer extract holds the same ({', '.join(key)})",
            )
        return kept


def text(row: pd.Series, column: str) -> str:
    """The text of a column, '' when the column is absent or the cell empty."""
    value = row.get(column)
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value)


def optional_text(row: pd.Series, column: str) -> str | None:
    value = text(row, column).strip()
    return value or None


def ensure_columns(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    missing = [column for column in (*LINEAGE, *columns) if column not in frame.columns]
    if not missing:
        return frame
    return frame.assign(**{column: pd.Series(dtype=object) for column in missing})


def latest_extract(frame: pd.DataFrame, key: Sequence[str]) -> pd.DataFrame:
    """Keep, for each business key, the rows of the newest file that contains it.

    Successive extracts of a master table supersede each other key by key. Rows of the
    newest file that repeat a key are kept: identical repeats are collapsed later, and
    conflicting ones are left for the unique-key check to report.
    """
    if frame.empty:
        return frame
    newest = frame.groupby(list(key), dropna=False)["file_id"].transform("max")
    return frame[frame["file_id"] == newest]


def collapse_identical(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Merge rows equal in every business column, keeping all their raw ids."""
    if frame.empty:
        return frame.assign(raw_record_ids=pd.Series(dtype=object))
    grouped = frame.groupby(list(columns), dropna=False, sort=False)
    ids = grouped["raw_record_id"].agg(lambda values: sorted(int(v) for v in values))
    first = grouped.head(1).set_index(list(columns))
    first = first.assign(raw_record_ids=ids.reindex(first.index).to_numpy())
    return first.reset_index()


def column_formats(
    frame: pd.DataFrame, columns: Sequence[str]
) -> dict[tuple[int, str], NumberFormat]:
    """The number format of each (file, column).

    The raw layer's decision for the file wins, so a value means the same in both layers;
    only files it could not decide for (JSON, mail attachments) are judged per column.
    """
    formats: dict[tuple[int, str], NumberFormat] = {}
    if frame.empty:
        return formats
    for file_id, part in frame.groupby("file_id"):
        declared = _declared_format(part)
        for column in columns:
            if declared is not None:
                formats[(int(str(file_id)), column)] = declared
                continue
            if column in part.columns:
                values = [str(v) for v in part[column].dropna()]
                formats[(int(str(file_id)), column)] = detect_number_format(values).format
    return formats


def _declared_format(part: pd.DataFrame) -> NumberFormat | None:
    if "decimal_separator" not in part.columns:
        return None
    separators = {str(v) for v in part["decimal_separator"].dropna() if str(v)}
    if len(separators) != 1:
        return None
    return DECIMAL_COMMA if separators == {","} else DECIMAL_POINT


def issue_at(entity: str, row: pd.Series, column: str, reason: str) -> ConformanceIssue:
    """An issue naming the raw row's file, line and column, with the value found there."""
    return ConformanceIssue(
        entity=entity,
        source_file=text(row, "source_file"),
        row_number=int(row["row_number"]),
        column=column,
        raw_value=text(row, column),
        reason=reason,
        raw_record_id=_record_id(row),
    )


def _record_id(row: pd.Series) -> int | None:
    value = row.get("raw_record_id")
    return None if value is None or pd.isna(value) else int(value)


def convert(
    entity: str,
    row: pd.Series,
    column: str,
    parser: Callable[[str], Any],
    issues: list[ConformanceIssue],
) -> tuple[bool, Any]:
    """Parse one cell; on failure record an issue and report it as not converted."""
    raw = text(row, column)
    try:
        return True, parser(raw)
    except ValueRuleError as error:
        issues.append(issue_at(entity, row, column, str(error)))
        return False, None


def required_missing(
    entity: str, row: pd.Series, columns: Sequence[str], issues: list[ConformanceIssue]
) -> bool:
    """Record an issue for each blank required value; True when any is blank."""
    blank = [column for column in columns if not text(row, column).strip()]
    issues.extend(issue_at(entity, row, c, f"required value {c!r} is blank") for c in blank)
    return bool(blank)
