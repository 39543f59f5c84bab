"""A failed asset check evaluation, as the people who must act on it see it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

# Only the first failing rows travel in a notification; the check's metadata keeps the
# sample (at most twenty rows) and the UI link leads to it.
FIRST_ROWS = 5

_CELL_SEPARATOR = re.compile(r"(?<!\\)\|")


@dataclass(frozen=True)
class FailingRows:
    """The first rows a check found failing: column names and the values as text."""

    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()

    def first(self, count: int = FIRST_ROWS) -> FailingRows:
        return FailingRows(self.columns, self.rows[:count])

    def as_records(self) -> list[dict[str, str]]:
        return [dict(zip(self.columns, row, strict=False)) for row in self.rows]

    def as_markdown(self) -> str:
        if not self.rows:
            return "_no failing rows recorded_"
        header = "| " + " | ".join(self.columns) + " |"
        rule = "| " + " | ".join("---" for _ in self.columns) + " |"
        body = ["| " + " | ".join(_escape(value) for value in row) + " |" for row in self.rows]
        return "\n".join([header, rule, *body])


@dataclass(frozen=True)
class CheckFailure:
    """One failed evaluation of one asset check (for one partition, when partitioned).

    ``storage_id`` is the evaluation event's storage id in the Dagster instance's event log
    when the evaluation was read from there (the alert sensor), ``None`` when it came from a
    check's execution history (the digest). ``failing_since`` is when the check's current
    run of failures began (the digest), ``None`` when not looked up.
    """

    asset: str
    check: str
    severity: str
    run_id: str
    evaluated_at: dt.datetime
    description: str = ""
    partition: str | None = None
    measured: str | None = None
    expected: str | None = None
    failed_count: int | None = None
    total: int | None = None
    failing_rows: FailingRows = field(default_factory=FailingRows)
    family: str | None = None
    data_version: str | None = None
    target_materialization_storage_id: int | None = None
    storage_id: int | None = None
    failing_since: dt.datetime | None = None
    check_url: str | None = None
    run_url: str | None = None

    def __post_init__(self) -> None:
        if self.evaluated_at.tzinfo is None:
            raise ValueError(
                f"CheckFailure.evaluated_at {self.evaluated_at.isoformat()} has no time zone; "
                "evaluation times must be timezone-aware (UTC)"
            )

    @property
    def target(self) -> str:
        """``asset:check``, with ``[partition]`` after a partitioned asset."""
        asset = f"{self.asset}[{self.partition}]" if self.partition else self.asset
        return f"{asset}:{self.check}"

    @property
    def failed_of_total(self) -> str:
        if self.failed_count is None:
            return "not reported"
        if self.total is None:
            return str(self.failed_count)
        return f"{self.failed_count} of {self.total}"


def rows_from_markdown(text: str) -> FailingRows:
    """The rows of a Markdown table as written by the checks (escaped ``\\|`` in values).

    Text that is not a table (``_no failing rows_``) gives no rows.
    """
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    table = [line for line in lines if line.startswith("|") and line.endswith("|")]
    if len(table) < 2:
        return FailingRows()
    cells = [_cells(line) for line in table]
    columns, body = cells[0], cells[1:]
    if body and all(re.fullmatch(r":?-{3,}:?", cell) for cell in body[0]):
        body = body[1:]
    return FailingRows(tuple(columns), tuple(tuple(row) for row in body))


def _cells(line: str) -> list[str]:
    inner = line[1:-1]
    return [cell.strip().replace("\\|", "|") for cell in _CELL_SEPARATOR.split(inner)]


def _escape(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def first_rows(records: Sequence[dict[str, object]], count: int = FIRST_ROWS) -> FailingRows:
    """Rows given as records (a table metadata value), their values as text."""
    if not records:
        return FailingRows()
    columns = tuple(str(name) for name in records[0])
    rows = tuple(
        tuple("" if record.get(name) is None else str(record.get(name)) for name in columns)
        for record in records[:count]
    )
    return FailingRows(columns, rows)
