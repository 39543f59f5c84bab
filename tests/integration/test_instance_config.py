"""The instance configuration queues a second run of the same plant, not of another plant."""

from __future__ import annotations

import dagster as dg
import pytest
import yaml

from tests.conftest import PROJECT_ROOT


@pytest.mark.parametrize("name", ["dagster.yaml", "deploy/dagster.production.yaml"])
def test_one_run_per_plant_partition_at_a_time(name):
    config = yaml.safe_load((PROJECT_ROOT / name).read_text(encoding="utf-8"))
    config.pop("storage", None)  # production storage needs a server; the queue does not
    with dg.instance_for_test(overrides=config) as instance:
        limits = instance.get_concurrency_config().run_queue_config.tag_concurrency_limits
    assert {
        "key": "dagster/partition",
        "value": {"applyLimitPerUniqueValue": True},
        "limit": 1,
    } in limits
