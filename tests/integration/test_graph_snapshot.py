"""The asset graph is a reviewed artefact: any change to it shows up as a diff here.

It records assets, their dependencies, partitions and checks, the sensors and the jobs.

Regenerate after an intended change with ``UPDATE_SNAPSHOTS=1 uv run pytest
tests/integration/test_graph_snapshot.py`` and commit the new snapshot with the change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import dagster as dg

from pharma_pipelines.definitions import build_definitions
from pharma_pipelines.settings import PlatformSettings

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.json"

# The graph with the default plant, whatever PHARMA_PLANTS says where the tests run.
defs = build_definitions(PlatformSettings(plants=["0100"]))


def current_graph() -> dict:
    graph = defs.resolve_asset_graph()
    assets = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "deps": sorted(parent.to_user_string() for parent in node.parent_keys),
            "checks": sorted(check.name for check in node.check_keys),
            "partitions": partitions(node.partitions_def),
        }
    checks = {}
    for check_key in sorted(graph.asset_check_keys, key=lambda k: k.to_user_string()):
        spec = graph.get_check_spec(check_key)
        checks[check_key.to_user_string()] = {
            "blocking": spec.blocking,
            "family": spec.metadata.get("family"),
            "partitions": partitions(spec.partitions_def),
        }
    sensors = sorted(sensor.name for sensor in defs.sensors or [])
    schedules = {
        schedule.name: {
            "cron": schedule.cron_schedule,
            "timezone": schedule.execution_timezone,
            "default_status": schedule.default_status.value,
        }
        for schedule in defs.schedules or []
        if isinstance(schedule, dg.ScheduleDefinition)
    }
    jobs = sorted(job.name for job in defs.jobs or [])
    return {
        "assets": assets,
        "checks": checks,
        "sensors": sensors,
        "schedules": schedules,
        "jobs": jobs,
    }


def partitions(definition: dg.PartitionsDefinition | None) -> dict | None:
    """The kind of partitions and, for static ones, their keys (the default settings')."""
    if definition is None:
        return None
    keys = (
        definition.get_partition_keys()
        if isinstance(definition, dg.StaticPartitionsDefinition)
        else None
    )
    return {"kind": type(definition).__name__, "keys": keys}


def test_asset_graph_matches_the_snapshot():
    graph = current_graph()
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(json.dumps(graph, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    assert SNAPSHOT.exists(), f"no snapshot at {SNAPSHOT}; create it with UPDATE_SNAPSHOTS=1"
    assert graph == json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def test_every_asset_has_at_least_one_check_and_a_description():
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.check_keys, f"{key.to_user_string()} has no asset check"
        assert node.description, f"{key.to_user_string()} has no description"
        assert node.owners, f"{key.to_user_string()} has no owner"
