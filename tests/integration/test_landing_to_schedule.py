"""From a file landed in S3 to a new schedule, with nobody clicking.

The sample landing zone is uploaded to a bucket on the local S3 server and loaded once
(the whole graph runs on S3). Then a new production-orders extract with one more open
order lands: the landing-zone sensor requests its raw run, and the automation conditions,
evaluated tick after tick on the same instance, refresh the curated orders, rebuild the
plant's problem and solve a new schedule that holds the new order. Each requested run is
executed as the daemon would launch it, in process.
"""

from __future__ import annotations

import warnings

import dagster as dg
import pytest

from pharma_pipelines.definitions import build_definitions
from pharma_pipelines.keys import SCHEDULE_KEY, curated_key, raw_key
from pharma_pipelines.runner import materialize_all
from pharma_pipelines.sensors import landing_zone_sensor
from pharma_pipelines.settings import PlatformSettings
from tests.conftest import SAMPLE_LANDING, SOLVE_LIMIT_S
from tests.instances import in_memory_instance
from tests.landing_zones import S3Zone

ORDERS_FILE = "sap/AFKO_production_orders_20270104.txt"
NEW_ORDER = "000001009999"
PLANT = "0100"


def with_one_more_order(extract: bytes) -> bytes:
    """The extract again, plus a copy of its first open order under a new order number."""
    lines = extract.decode("latin-1").split("\r\n")
    open_order = next(line for line in lines[1:] if "\tREL" in line)
    return "\r\n".join([*lines[:-1], NEW_ORDER + open_order[12:], lines[-1]]).encode("latin-1")


def run_automation(defs, instance, cursor, ticks: int = 6):
    """Evaluate the conditions and execute what they request until nothing is requested."""
    job = defs.resolve_implicit_global_asset_job_def()
    graph = defs.resolve_asset_graph()
    launched: list[tuple[str | None, list[str]]] = []
    for _ in range(ticks):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", dg.BetaWarning)
            result = dg.evaluate_automation_conditions(defs, instance, cursor=cursor)
        cursor = result.cursor
        runs: dict[str | None, list[dg.AssetKey]] = {}
        for key in graph.get_all_asset_keys():
            for partition in result.get_requested_partitions(key):
                runs.setdefault(partition, []).append(key)
        if not runs:
            return cursor, launched
        for partition, keys in runs.items():
            run = job.execute_in_process(
                instance=instance,
                asset_selection=keys,
                partition_key=partition,
                raise_on_error=False,
            )
            assert run.success, f"automated run of {keys} failed"
            launched.append((partition, sorted(k.to_user_string() for k in keys)))
    pytest.fail(f"automation still requests runs after {ticks} ticks: {launched}")


@pytest.mark.s3
@pytest.mark.slow
def test_a_new_orders_extract_landed_in_s3_ends_in_a_new_schedule(s3_endpoint, s3_bucket, tmp_path):
    zone = S3Zone(s3_endpoint, s3_bucket)
    for path in sorted(SAMPLE_LANDING.rglob("*")):
        if path.is_file():
            zone.put(path.relative_to(SAMPLE_LANDING).as_posix(), path.read_bytes())
    settings = PlatformSettings(
        landing_zone=zone.location(),
        landing_zone_endpoint_url=s3_endpoint,
        warehouse_url=f"sqlite:///{tmp_path / 'warehouse.sqlite'}",
        plants=[PLANT],
        solver_time_limit_s=SOLVE_LIMIT_S,
    )
    defs = build_definitions(settings)
    landing = defs.resources["landing"]

    with in_memory_instance() as instance:
        first = materialize_all(settings, instance)
        assert first.success, first.errors
        before = instance.get_latest_materialization_event(SCHEDULE_KEY)
        assert before is not None
        # The sensor sees what was loaded; automation settles on the loaded graph.
        seen = landing_zone_sensor(dg.build_sensor_context(resources={"landing": landing}))
        cursor, settled = run_automation(defs, instance, None)
        assert not any(SCHEDULE_KEY.to_user_string() in keys for _, keys in settled)

        zone.put(
            "sap/AFKO_production_orders_20270104_update.txt",
            with_one_more_order((SAMPLE_LANDING / ORDERS_FILE).read_bytes()),
        )
        tick = landing_zone_sensor(
            dg.build_sensor_context(cursor=seen.cursor, resources={"landing": landing})
        )
        [request] = tick.run_requests
        assert raw_key("sap/production_orders") in request.asset_selection
        sensed = defs.resolve_implicit_global_asset_job_def().execute_in_process(
            instance=instance,
            asset_selection=request.asset_selection,
            tags=request.tags,
            raise_on_error=False,
        )
        assert sensed.success

        _, launched = run_automation(defs, instance, cursor)
        assert (None, [curated_key("production_orders").to_user_string()]) in launched
        assert any(p == PLANT and SCHEDULE_KEY.to_user_string() in k for p, k in launched)

        after = instance.get_latest_materialization_event(SCHEDULE_KEY)
        assert after is not None
        assert after.run_id != before.run_id
        metadata = after.asset_materialization.metadata
        assert NEW_ORDER in str(metadata["what_moved"].value), metadata["what_moved"]
