"""Raw assets retry a landing zone that fails for a moment, with a pause that grows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from pharma_pipelines.assets.automation import RAW_RETRY_POLICY
from pharma_pipelines.assets.raw import file_inventory
from pharma_pipelines.keys import INVENTORY_KEY
from pharma_pipelines.resources import LandingEntry, LandingZoneResource, WarehouseResource

WORK_CENTERS = b"ARBPL;WERKS;KTEXT\r\nL100;0100;Tablet press 1\r\n"


class FlakyFolder(LandingZoneResource):
    """A folder whose listing fails ``failures`` times (a share being remounted), counted
    in a file because Dagster may build the resource again for a retried step."""

    counter: str
    failures: int

    def entries(self) -> Iterator[LandingEntry]:
        tries = Path(self.counter)
        done = int(tries.read_text()) if tries.exists() else 0
        tries.write_text(str(done + 1))
        if done < self.failures:
            raise OSError(f"landing zone {self.root} unavailable (try {done + 1})")
        return super().entries()


def materialize_inventory(tmp_path: Path, failures: int) -> tuple[dg.ExecuteInJobResult, int]:
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "CRHD_work_centers.csv").write_bytes(WORK_CENTERS)
    counter = tmp_path / "tries"
    result = dg.materialize(
        [file_inventory],
        resources={
            "landing": FlakyFolder(root=str(landing), counter=str(counter), failures=failures),
            "warehouse": WarehouseResource(url=f"sqlite:///{tmp_path / 'warehouse.sqlite'}"),
        },
        raise_on_error=False,
    )
    return result, int(counter.read_text())


def test_a_transient_read_error_is_retried_and_the_inventory_completes(tmp_path):
    result, tries = materialize_inventory(tmp_path, failures=1)
    assert result.success
    assert tries == 2
    retried = [
        e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_UP_FOR_RETRY
    ]
    assert len(retried) == 1
    retry = retried[0].event_specific_data
    assert "unavailable (try 1)" in str(retry.error.cause.message)
    assert retry.seconds_to_wait > 0
    [materialization] = result.asset_materializations_for_node(file_inventory.op.name)
    assert materialization.asset_key == INVENTORY_KEY
    assert materialization.metadata["files"].value == 1


def test_the_retry_policy_backs_off_exponentially_and_gives_up():
    assert RAW_RETRY_POLICY.max_retries == 3
    assert RAW_RETRY_POLICY.backoff == dg.Backoff.EXPONENTIAL
    assert file_inventory.op.retry_policy == RAW_RETRY_POLICY
