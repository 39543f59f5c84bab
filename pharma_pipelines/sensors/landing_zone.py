"""Landing-zone sensor: a run of the right raw asset for each new file version, exactly once.

One design for every implementation of the ``LandingZone`` port (local folder, S3 prefix).

What the cursor records is what was seen, never the wall clock: a compact set of *version
ids*, an 8-byte BLAKE2b digest of (path, listing version), where the listing version is
size and mtime in nanoseconds for a file and size and ETag for an S3 object. A file that
arrives late with an old timestamp, is overwritten, or shares its timestamp with others
has a version id the cursor does not hold, so it is picked up. The listing alone decides
what is new; only new versions are read. 8 bytes keep the cursor of 10,000 files near
110 kB of text, and a collision between two versions of one path is a 1 in 2**64 chance.

The run key is the path and the SHA-256 of the content (the format of the first version of
this sensor, so a cursor from it can be dropped without a file running twice): the same
version listed twice, or touched without a change, gives the same key, and Dagster starts
at most one run per run key of a sensor.

A local file may be caught while it is being written, so in a folder a new version whose
modification time lies less than ``SETTLE_SECONDS`` before the tick waits until a later
tick lists it unchanged (a growing file changes its version and waits again). An S3 object
is listed only once complete, so there nothing waits. Names of unfinished transfers
(``.part``, ``.tmp``, ...) are never listed at all.

Work per tick is bounded: at most ``FILES_PER_TICK`` files or ``BYTES_PER_TICK`` bytes (by
the listed sizes) are read, ``READERS`` at a time, and none started after ``READ_BUDGET_S``
seconds, well inside Dagster's 60 s sensor timeout (a tick that overruns it loses its
cursor). The rest stays out of the cursor and is read on
the next ticks, so a backlog drains in order of the listing and nothing is skipped.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import dagster as dg

from pharma_pipelines.ingestion import classify, content_hash
from pharma_pipelines.keys import assets_for_kind
from pharma_pipelines.resources import LandingEntry, LandingZone

MINIMUM_INTERVAL_SECONDS = 30
FILES_PER_TICK = 2000
BYTES_PER_TICK = 256 * 1024 * 1024
READ_BUDGET_S = 20.0
SETTLE_SECONDS = 60.0
CURSOR_FORMAT = 2
VERSION_ID_BYTES = 8
READERS = 8


def run_key(relative_path: str, digest: str) -> str:
    return f"{relative_path}@{digest}"


def version_id(entry: LandingEntry) -> bytes:
    """The compact identity of one listed version of one path."""
    return hashlib.blake2b(
        f"{entry.relative_path}\0{entry.version}".encode(), digest_size=VERSION_ID_BYTES
    ).digest()


def _pack(ids: Iterable[bytes]) -> str:
    return base64.b64encode(b"".join(sorted(ids))).decode("ascii")


def _unpack(text: str) -> set[bytes]:
    raw = base64.b64decode(text.encode("ascii"), validate=True)
    if len(raw) % VERSION_ID_BYTES:
        raise ValueError("not a whole number of version ids")
    return {raw[i : i + VERSION_ID_BYTES] for i in range(0, len(raw), VERSION_ID_BYTES)}


@dataclass
class SeenVersions:
    """The cursor: versions handled (a run requested) and versions waiting to settle."""

    handled: set[bytes] = field(default_factory=set)
    waiting: set[bytes] = field(default_factory=set)

    @classmethod
    def from_cursor(cls, cursor: str | None) -> SeenVersions:
        if not cursor:
            return cls()
        try:
            stored = json.loads(cursor)
            if not isinstance(stored, dict) or stored.get("format") != CURSOR_FORMAT:
                # The first version's cursor mapped path to SHA-256. Starting afresh is safe:
                # its run keys are this version's, and Dagster runs no run key twice.
                return cls()
            return cls(_unpack(stored["handled"]), _unpack(stored["waiting"]))
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(
                f"landing_zone_sensor: cursor {cursor[:80]!r}... is not one this sensor "
                f'writes ({{"format": {CURSOR_FORMAT}, "handled": <base64>, "waiting": '
                "<base64>}); reset the cursor in the UI (Automation, landing_zone_sensor) "
                "and every file is offered again, each under the run key it had"
            ) from error

    def to_cursor(self) -> str:
        return json.dumps(
            {
                "format": CURSOR_FORMAT,
                "handled": _pack(self.handled),
                "waiting": _pack(self.waiting),
            },
            sort_keys=True,
        )


@dataclass
class TickPlan:
    requests: list[dg.RunRequest]
    seen: SeenVersions
    waiting: list[str]
    deferred: int
    unknown: list[str]
    bytes_read: int

    def summary(self) -> str:
        parts = [f"{len(self.requests)} new file versions"]
        if self.waiting:
            parts.append(f"{len(self.waiting)} still being written or settling")
        if self.deferred:
            parts.append(f"{self.deferred} left for the next ticks (limit per tick reached)")
        if self.unknown:
            parts.append(
                f"{len(self.unknown)} match no extract kind and go to quarantine: "
                + ", ".join(self.unknown[:10])
            )
        return "; ".join(parts)


def plan_tick(
    landing: LandingZone,
    seen: SeenVersions,
    now: dt.datetime,
    out_of_time: Callable[[], bool] = lambda: False,
    files_per_tick: int = FILES_PER_TICK,
    bytes_per_tick: int = BYTES_PER_TICK,
) -> TickPlan:
    """What one tick requests, and the cursor after it."""
    handled: set[bytes] = set()
    waiting: set[bytes] = set()
    plan = TickPlan([], SeenVersions(handled, waiting), [], 0, [], 0)
    chosen: dict[bytes, LandingEntry] = {}
    chosen_bytes = 0
    for entry in landing.entries():
        vid = version_id(entry)
        if vid in seen.handled or vid in handled or vid in chosen:
            # Already requested, or listed twice in this tick: carried over, not read again.
            if vid in seen.handled:
                handled.add(vid)
            continue
        settling = (
            not landing.writes_are_atomic
            and not entry.is_link
            and (now - entry.modified_at).total_seconds() < SETTLE_SECONDS
            and vid not in seen.waiting
        )
        if settling:
            if vid not in waiting:
                waiting.add(vid)
                plan.waiting.append(entry.relative_path)
            continue
        # At least one file per tick, however large, so that no file can block the zone.
        if chosen and (len(chosen) >= files_per_tick or chosen_bytes >= bytes_per_tick):
            plan.deferred += 1
            if vid in seen.waiting:
                waiting.add(vid)
            continue
        chosen[vid] = entry
        chosen_bytes += entry.size_bytes

    def fetch(position: int, entry: LandingEntry) -> bytes | None:
        if entry.is_link:
            return b""
        # Checked as each read starts: reads that would begin past the budget wait a tick,
        # except the first, so that even a slow listing lets the backlog move.
        if position and out_of_time():
            return None
        return landing.read(entry.relative_path)

    # Reads wait on the store (S3 answers in tens of milliseconds), so several run at once.
    with ThreadPoolExecutor(max_workers=READERS) as pool:
        contents = list(pool.map(fetch, range(len(chosen)), chosen.values()))
    for (vid, entry), data in zip(chosen.items(), contents, strict=True):
        if data is None:
            plan.deferred += 1
            if vid in seen.waiting:
                waiting.add(vid)
            continue
        if entry.is_link:
            digest = content_hash(f"link:{entry.link_target}".encode())
            kind = None
        else:
            digest = content_hash(data)
            kind = classify(entry.relative_path, data, landing.read_limits()).kind
        plan.bytes_read += len(data)
        handled.add(vid)
        if kind is None:
            plan.unknown.append(entry.relative_path)
        plan.requests.append(
            dg.RunRequest(
                run_key=run_key(entry.relative_path, digest),
                asset_selection=assets_for_kind(kind),
                tags={
                    "landing/file": entry.relative_path,
                    "landing/kind": kind or "unknown",
                    "landing/sha256": digest,
                },
            )
        )
    # Keys already requested this tick (the same content under a new listing version).
    unique: dict[str, dg.RunRequest] = {}
    for request in plan.requests:
        unique.setdefault(str(request.run_key), request)
    plan.requests = list(unique.values())
    return plan


@dg.sensor(
    name="landing_zone_sensor",
    minimum_interval_seconds=MINIMUM_INTERVAL_SECONDS,
    target=dg.AssetSelection.groups("landing", "raw_sap", "raw_lims", "raw_outlook"),
    description=(
        "Requests a run of the matching raw asset for every new or changed file in the "
        "landing zone (local folder or S3 prefix), once per file version; unknown files "
        "reach the inventory, which quarantines them. A backlog drains over several ticks."
    ),
    default_status=dg.DefaultSensorStatus.STOPPED,
)
def landing_zone_sensor(
    context: dg.SensorEvaluationContext, landing: LandingZone
) -> dg.SensorResult:
    seen = SeenVersions.from_cursor(context.cursor)
    started = time.monotonic()
    plan = plan_tick(
        landing,
        seen,
        dt.datetime.now(dt.UTC),
        out_of_time=lambda: time.monotonic() - started > READ_BUDGET_S,
    )
    for path in plan.unknown:
        context.log.warning(
            "%s matches no extract kind: the inventory run quarantines it with the reason", path
        )
    context.log.info(
        "%s; %d bytes read in %.1f s from %s",
        plan.summary(),
        plan.bytes_read,
        time.monotonic() - started,
        landing.describe(),
    )
    cursor = plan.seen.to_cursor()
    if not plan.requests:
        return dg.SensorResult(
            skip_reason=dg.SkipReason(f"no new file versions to run: {plan.summary()}"),
            cursor=cursor,
        )
    return dg.SensorResult(run_requests=plan.requests, cursor=cursor)
