"""How old are the extracts a schedule is built from, and are they recent enough?

An extract's time is the moment the source system wrote it. SAP jobs and LIMS exports
stamp it into the file name (``AFKO_production_orders_20270104.txt``,
``stock_20270104T0615.csv``), in the plant's local time; a name without a stamp falls back
to the moment the file was first seen in the landing zone, which is never earlier than the
extract and so never makes a stale input look fresh.

Ages are measured against the plan time. By default that is the newest extract among the
schedule's inputs: a landing zone is a snapshot of the source systems, and what matters is
that the inputs describe the same moment (orders of today against a work-center calendar of
last month make a wrong plan, whatever today's date is). This also lets the bundled sample,
dated 2027-01-04, pass on any day. A deployment that must refuse yesterday's snapshot sets
the plan time to ``now`` (the wall clock when the check runs) or to a fixed ISO time.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from zoneinfo import ZoneInfo

import pandas as pd

from pharma_pipelines.quality.rules import RuleOutcome

NOW = "now"
FROM_NAME = "file name"
FROM_LANDING = "first seen in the landing zone"

# A date stamp, optionally followed (directly or after a T) by hours, minutes and seconds.
# An underscore ends the stamp: `_20270104_0100` is a date and a plant, not 01:00.
_STAMP = re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?:T?(\d{2})(\d{2})(\d{2})?)?(?!\d)")


@dataclass(frozen=True)
class ExtractTime:
    at: dt.datetime
    source: str


def extract_time(relative_path: str, landed_at: dt.datetime, timezone: str) -> ExtractTime:
    """When the file was extracted: its name's stamp (plant time), else when it landed."""
    name = PurePosixPath(relative_path.replace("\\", "/")).name
    for match in reversed(list(_STAMP.finditer(name))):
        year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
        if not 1990 <= year <= 2200:
            continue
        try:
            stamped = dt.datetime(year, month, day, hour, minute, second, tzinfo=ZoneInfo(timezone))
        except ValueError:
            continue
        return ExtractTime(stamped, FROM_NAME)
    if landed_at.tzinfo is None:
        landed_at = landed_at.replace(tzinfo=dt.UTC)
    return ExtractTime(landed_at, FROM_LANDING)


@dataclass(frozen=True)
class InputExtract:
    """The oldest extract that still contributes rows to one input of the schedule."""

    input: str
    file: str | None
    extracted: ExtractTime | None


@dataclass(frozen=True)
class PlanTime:
    at: dt.datetime | None
    source: str


def resolve_plan_time(
    setting: str | None, inputs: Sequence[InputExtract], now: dt.datetime, timezone: str
) -> PlanTime:
    """The moment ages are measured against: the setting, else the newest input extract.

    ``setting`` is empty (newest extract), ``now`` (``now``, the caller's wall clock) or an
    ISO 8601 time (without an offset it is plant time).
    """
    if setting is None or not setting.strip():
        times = [i.extracted.at for i in inputs if i.extracted is not None]
        newest = max(times, default=None)
        return PlanTime(newest, "the newest extract among the schedule's inputs")
    if setting.strip().lower() == NOW:
        return PlanTime(now, "now (wall clock when the check ran)")
    return PlanTime(parse_plan_time(setting, timezone), f"setting {setting.strip()}")


def parse_plan_time(setting: str, timezone: str) -> dt.datetime:
    """An ISO 8601 plan time; without an offset it is read in the plant's time zone."""
    try:
        moment = dt.datetime.fromisoformat(setting.strip())
    except ValueError as error:
        raise ValueError(
            f"plan time {setting!r} is not an ISO 8601 time; allowed: empty (the newest "
            f"extract among the inputs), {NOW!r}, or e.g. 2027-01-04T06:00+01:00"
        ) from error
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(timezone))


def inputs_are_fresh(
    inputs: Sequence[InputExtract], limits_hours: Mapping[str, float], plan_time: PlanTime
) -> RuleOutcome:
    """Each input's oldest contributing extract is at most its limit older than the plan time.

    An input without any extract is stale; so is one extracted after the plan time (a
    clock or a file from the future is no basis for a plan either). Without any limit
    (an explicit empty setting) nothing is judged and the rule holds.
    """
    rule = "inputs of the schedule are fresh"
    columns = [
        "input",
        "file",
        "extracted_at",
        "time_from",
        "age_hours",
        "limit_hours",
        "reason",
    ]
    rows = []
    stale = 0
    for item in inputs:
        limit = float(limits_hours[item.input])
        row: dict[str, object] = {
            "input": item.input,
            "file": item.file,
            "extracted_at": None,
            "time_from": None,
            "age_hours": None,
            "limit_hours": limit,
            "reason": "",
        }
        if item.extracted is None:
            row["reason"] = "no extract of this input is loaded"
        elif plan_time.at is None:
            row["reason"] = "no plan time to measure against"
        else:
            age = (plan_time.at - item.extracted.at).total_seconds() / 3600
            row.update(
                extracted_at=item.extracted.at.isoformat(),
                time_from=item.extracted.source,
                age_hours=round(age, 2),
            )
            if age < 0:
                row["reason"] = f"extracted {-age:.1f} h after the plan time"
            elif age > limit:
                row["reason"] = f"{age:.1f} h old, limit {limit:g} h"
        stale += bool(row["reason"])
        rows.append(row)
    table = pd.DataFrame(rows, columns=pd.Index(columns))
    when = plan_time.at.isoformat() if plan_time.at else "none"
    return RuleOutcome(
        rule=rule,
        passed=stale == 0,
        measured=f"{stale} of {len(inputs)} inputs stale at plan time {when} ({plan_time.source})",
        expected="every input extracted within its limit before the plan time",
        failed_count=stale,
        total=len(inputs),
        failing_rows=table[table["reason"] != ""].reset_index(drop=True),
        details={
            "plan_time": when,
            "plan_time_from": plan_time.source,
            "inputs": table.drop(columns=["reason"]).to_dict("records"),
        },
    )
