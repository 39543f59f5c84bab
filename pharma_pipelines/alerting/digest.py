"""The steward's daily digest: what needs a decision, which inputs are stale, how plans stand.

Three sections, in the order a steward works through them:

- Failures awaiting a decision: checks of ERROR severity whose latest evaluation failed and
  on which no decision has been recorded (``DecisionLog``), oldest first, with how long
  each has waited since the check began failing. One that has waited longer than the
  decision limit is marked overdue.
- Stale inputs: freshness checks (family ``input_freshness``) whose latest evaluation failed. The
  freshness limits, the extract times and what "now" means for an extract belong to those
  checks; the digest repeats their verdict rather than judging the inputs' age again with
  limits of its own, so the digest and the check that holds back the solve never disagree.
- Schedules: each plant's last solve, its status, objective, gap, when it was solved and
  whether it was verified (only a verified schedule is published).

Times are shown in the plant's time zone. The text is plain Markdown, shown by the Dagster
UI in the digest asset's metadata.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from pharma_pipelines.alerting.model import CheckFailure

FRESHNESS_FAMILY = "input_freshness"


@dataclass(frozen=True)
class Decision:
    """A steward's decision on one failed evaluation: accept (with a reason) or reject."""

    decision: str
    by: str
    at: dt.datetime
    reason: str


class DecisionLog(Protocol):
    """The decisions recorded on the evaluation a failure stands for (none: it awaits one)."""

    def decisions_for(self, failure: CheckFailure) -> Sequence[Decision]: ...


class NoDecisionLog:
    """No decisions are recorded anywhere: every failure awaits one."""

    def decisions_for(self, failure: CheckFailure) -> Sequence[Decision]:
        return ()


@dataclass(frozen=True)
class PlantSchedule:
    """A plant's last solve (``status`` ``None``: never solved)."""

    plant: str
    status: str | None = None
    objective: float | None = None
    gap: float | None = None
    solved_at: dt.datetime | None = None
    verified: bool = False
    run_id: str | None = None


@dataclass(frozen=True)
class StewardDigest:
    generated_at: dt.datetime
    timezone: str
    decision_limit: dt.timedelta
    awaiting: tuple[CheckFailure, ...]
    stale: tuple[CheckFailure, ...]
    schedules: tuple[PlantSchedule, ...]

    def waited(self, failure: CheckFailure) -> dt.timedelta:
        """How long a failure has waited: since its check began failing, else since it failed."""
        return max(
            dt.timedelta(0), self.generated_at - (failure.failing_since or failure.evaluated_at)
        )

    @property
    def overdue(self) -> tuple[CheckFailure, ...]:
        return tuple(f for f in self.awaiting if self.waited(f) > self.decision_limit)

    def markdown(self) -> str:
        zone = ZoneInfo(self.timezone)
        local = self.generated_at.astimezone(zone)
        title = f"# Steward digest, {local:%A %Y-%m-%d %H:%M} ({self.timezone})"
        return (
            "\n\n".join(
                [
                    title,
                    self._awaiting_section(zone),
                    self._stale_section(zone),
                    self._schedules(zone),
                ]
            )
            + "\n"
        )

    def _awaiting_section(self, zone: ZoneInfo) -> str:
        heading = f"## Failures awaiting a decision ({len(self.awaiting)})"
        if not self.awaiting:
            return f"{heading}\n\n_No failed ERROR check awaits a decision._"
        limit = _duration(self.decision_limit)
        lead = (
            f"{len(self.overdue)} of them waited longer than {limit}, the limit for a decision."
            if self.overdue
            else f"None has waited longer than {limit}, the limit for a decision."
        )
        rows = [
            [
                failure.check,
                _asset(failure),
                _when(failure.failing_since or failure.evaluated_at, zone),
                _when(failure.evaluated_at, zone),
                failure.failed_of_total,
                _duration(self.waited(failure))
                + (" **overdue**" if failure in self.overdue else ""),
                failure.run_id[:8],
            ]
            for failure in self.awaiting
        ]
        header = ["check", "asset", "failing since", "last failed", "failed rows", "waiting", "run"]
        return f"{heading}\n\n{lead}\n\n{_table(header, rows)}"

    def _stale_section(self, zone: ZoneInfo) -> str:
        heading = f"## Stale inputs ({len(self.stale)})"
        if not self.stale:
            return f"{heading}\n\n_No freshness check failed on its latest evaluation._"
        rows = [
            [
                _asset(failure),
                failure.check,
                failure.measured or failure.description,
                failure.expected or "",
                _when(failure.failing_since or failure.evaluated_at, zone),
            ]
            for failure in self.stale
        ]
        header = ["input", "check", "measured", "expected", "stale since"]
        return f"{heading}\n\n{_table(header, rows)}"

    def _schedules(self, zone: ZoneInfo) -> str:
        heading = "## Schedules"
        if not self.schedules:
            return f"{heading}\n\n_No plant is planned._"
        rows = [
            [
                schedule.plant,
                schedule.status or "never solved",
                "" if schedule.objective is None else f"{schedule.objective:g}",
                "" if schedule.gap is None else f"{schedule.gap:.2%}",
                "" if schedule.solved_at is None else _when(schedule.solved_at, zone),
                ("published" if schedule.verified else "not published") if schedule.status else "",
                (schedule.run_id or "")[:8],
            ]
            for schedule in self.schedules
        ]
        header = ["plant", "status", "objective", "gap", "solved", "verified", "run"]
        return f"{heading}\n\n{_table(header, rows)}"


def awaiting_decision(
    failures: Iterable[CheckFailure], decisions: DecisionLog
) -> tuple[CheckFailure, ...]:
    """The ERROR failures without a recorded decision, the longest-waiting first."""
    waiting = [
        failure
        for failure in failures
        if failure.severity == "ERROR" and not decisions.decisions_for(failure)
    ]
    return tuple(sorted(waiting, key=lambda f: (f.failing_since or f.evaluated_at, f.target)))


def stale_inputs(failures: Iterable[CheckFailure]) -> tuple[CheckFailure, ...]:
    """The failures of freshness checks, whatever their severity, by input."""
    return tuple(
        sorted((f for f in failures if f.family == FRESHNESS_FAMILY), key=lambda f: f.target)
    )


def _asset(failure: CheckFailure) -> str:
    return f"{failure.asset} [{failure.partition}]" if failure.partition else failure.asset


def _when(moment: dt.datetime, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M}"


def _duration(span: dt.timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |"

    return "\n".join([line(header), line(["---"] * len(header)), *(line(r) for r in rows)])


def compose_digest(
    failures: Sequence[CheckFailure],
    decisions: DecisionLog,
    schedules: Sequence[PlantSchedule],
    generated_at: dt.datetime,
    timezone: str,
    decision_limit: dt.timedelta,
) -> StewardDigest:
    """The digest from each check's latest failed evaluation and each plant's last solve."""
    return StewardDigest(
        generated_at=generated_at,
        timezone=timezone,
        decision_limit=decision_limit,
        awaiting=awaiting_decision(failures, decisions),
        stale=stale_inputs(failures),
        schedules=tuple(schedules),
    )
