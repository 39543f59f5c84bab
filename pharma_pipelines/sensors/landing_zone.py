"""Landing-zone sensor: a run of the right raw asset for each new file version.

The cursor records what was seen, the content hash of each path, never the wall clock: a
file that arrives late with an old timestamp, or is overwritten with new bytes, differs
from what the cursor holds and is picked up. The run key is the path and content hash, so
the same file version never runs twice, even if it is listed twice in one tick.
"""

import json

import dagster as dg

from pharma_pipelines.ingestion import classify, content_hash
from pharma_pipelines.keys import assets_for_kind
from pharma_pipelines.resources import LandingZoneResource

MINIMUM_INTERVAL_SECONDS = 30


def run_key(relative_path: str, digest: str) -> str:
    return f"{relative_path}@{digest}"


@dg.sensor(
    name="landing_zone_sensor",
    minimum_interval_seconds=MINIMUM_INTERVAL_SECONDS,
    target=dg.AssetSelection.groups("landing", "raw_sap", "raw_lims", "raw_outlook"),
    description=(
        "Requests a run of the matching raw asset for every new or changed file in the "
        "landing zone; unknown files still reach the inventory, which quarantines them."
    ),
    default_status=dg.DefaultSensorStatus.STOPPED,
)
def landing_zone_sensor(
    context: dg.SensorEvaluationContext, landing: LandingZoneResource
) -> dg.SensorResult:
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    requests: list[dg.RunRequest] = []
    keys_this_tick: set[str] = set()
    for entry in landing.entries():
        if entry.is_link:
            data = b""
            digest = content_hash(f"link:{entry.link_target}".encode())
        else:
            data = landing.read(entry.relative_path)
            digest = content_hash(data)
        if seen.get(entry.relative_path) == digest:
            continue
        key = run_key(entry.relative_path, digest)
        seen[entry.relative_path] = digest
        if key in keys_this_tick:
            continue
        keys_this_tick.add(key)
        kind = (
            None
            if entry.is_link
            else classify(entry.relative_path, data, landing.read_limits()).kind
        )
        requests.append(
            dg.RunRequest(
                run_key=key,
                asset_selection=assets_for_kind(kind),
                tags={"landing/file": entry.relative_path, "landing/kind": kind or "unknown"},
            )
        )
    if not requests:
        return dg.SensorResult(
            skip_reason=dg.SkipReason("no new file versions in the landing zone"),
            cursor=json.dumps(seen, sort_keys=True),
        )
    context.log.info("%d new file versions", len(requests))
    return dg.SensorResult(run_requests=requests, cursor=json.dumps(seen, sort_keys=True))
