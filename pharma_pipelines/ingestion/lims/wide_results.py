"""Wide LIMS batch results: one batch per row, one test per column.

Exports for trending and batch release (e.g. the Žagar & Mihelič 2022 data of
1 005 tablet batches) put every test of a batch on one row. Any header with a
batch column would fit that description, so a table only counts as wide
results when no specific kind fits, it has at least three other columns, and
most of those columns hold result-like values (numbers, optionally with a
``<``/``>`` qualifier) in the first rows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pharma_pipelines.ingestion.lims.entities import RESULTS_WIDE
from pharma_pipelines.ingestion.schema import HeaderMatch, match_header

MIN_TEST_COLUMNS = 3
NUMERIC_SHARE = 0.8
SAMPLE_ROWS = 100

_RESULT_LIKE = re.compile(r"[<>≤≥]?\s*[+-]?(?:\d[\d.,]*|[.,]\d+)(?:[eE][+-]?\d+)?")


def result_like_column(values: list[str]) -> bool:
    filled = [v.strip() for v in values if v.strip()]
    if not filled:
        return False
    numeric = sum(1 for v in filled if _RESULT_LIKE.fullmatch(v))
    return numeric >= NUMERIC_SHARE * len(filled)


@dataclass(frozen=True)
class WideVerdict:
    """Whether a header and the rows below it are wide results, and why (not)."""

    match: HeaderMatch | None
    reason: str
    has_batch: bool


def match_wide(header: Sequence[str], rows: Sequence[Sequence[str]]) -> WideVerdict:
    """The wide-results mapping of ``header`` if the data below it fits."""
    found = match_header(header, RESULTS_WIDE)
    if not found.complete:
        return WideVerdict(None, "no batch column (batch, Batch, Lot) for wide results", False)
    others = [i for i in range(len(header)) if i not in found.columns]
    if len(others) < MIN_TEST_COLUMNS:
        return WideVerdict(
            None,
            f"a batch column but only {len(others)} other columns; wide results "
            f"need at least {MIN_TEST_COLUMNS} test columns",
            True,
        )
    sample = rows[:SAMPLE_ROWS]
    numeric = [
        i for i in others if result_like_column([r[i] if i < len(r) else "" for r in sample])
    ]
    if len(numeric) * 2 < len(others):
        return WideVerdict(
            None,
            f"a batch column, but only {len(numeric)} of its {len(others)} other columns hold "
            "result-like values in the first rows; wide results need at least half",
            True,
        )
    batch_header = header[next(iter(found.columns))]
    return WideVerdict(
        found,
        f"batch<-{batch_header!r} and {len(others)} test columns, "
        f"{len(numeric)} of them with result-like values",
        True,
    )
