"""The S3 implementation of the landing-zone port, against the local S3 server."""

from __future__ import annotations

import dagster as dg
import pytest

from pharma_pipelines.assets.raw import file_inventory, raw_assets
from pharma_pipelines.keys import raw_key
from pharma_pipelines.resources import (
    LandingZoneResource,
    S3LandingZoneResource,
    WarehouseResource,
    landing_zone_for,
)
from pharma_pipelines.resources.landing_zone import parse_s3_url
from tests.landing_zones import S3Zone

WORK_CENTERS = b"ARBPL;WERKS;KTEXT\r\nL100;0100;Tablet press 1\r\nL200;0100;Blister line\r\n"


def test_the_configured_location_picks_the_implementation():
    assert isinstance(landing_zone_for("/srv/landing"), LandingZoneResource)
    s3 = landing_zone_for("s3://plant-landing/landing/", endpoint_url="http://127.0.0.1:9")
    assert isinstance(s3, S3LandingZoneResource)
    assert parse_s3_url("s3://plant-landing/landing") == ("plant-landing", "landing/")
    assert parse_s3_url("s3://plant-landing") == ("plant-landing", "")
    with pytest.raises(ValueError, match="names no bucket"):
        landing_zone_for("s3:///landing/")


@pytest.mark.s3
def test_s3_lists_complete_files_only_and_reads_nothing_outside_its_prefix(s3_endpoint, s3_bucket):
    zone = S3Zone(s3_endpoint, s3_bucket)
    zone.put("sap/CRHD_work_centers.csv", WORK_CENTERS)
    zone.put("sap/MCHB_stock.csv.part", b"half")
    zone.put(".hidden/notes.csv", b"x")
    zone.client.put_object(Bucket=s3_bucket, Key="landing/sap/", Body=b"")
    zone.client.put_object(Bucket=s3_bucket, Key="elsewhere/secret.csv", Body=b"not landed")
    landing = zone.resource()

    [entry] = list(landing.entries())
    assert entry.relative_path == "sap/CRHD_work_centers.csv"
    assert entry.size_bytes == len(WORK_CENTERS)
    assert entry.modified_at.tzinfo is not None
    assert landing.read(entry.relative_path) == WORK_CENTERS
    assert landing.exists(entry.relative_path)
    assert not landing.exists("sap/gone.csv")
    with pytest.raises(ValueError, match="outside the landing zone"):
        landing.read("../elsewhere/secret.csv")

    version = entry.version
    zone.put("sap/CRHD_work_centers.csv", WORK_CENTERS + b"L300;0100;Coater\r\n")
    assert next(iter(landing.entries())).version != version


@pytest.mark.s3
def test_a_missing_bucket_is_named_as_such(s3_endpoint):
    landing = S3LandingZoneResource(url="s3://no-such-landing/landing/", endpoint_url=s3_endpoint)
    with pytest.raises(FileNotFoundError, match="'s3://no-such-landing/landing/': the bucket"):
        list(landing.entries())


@pytest.mark.s3
def test_the_inventory_and_a_raw_asset_load_from_s3(s3_endpoint, s3_bucket, tmp_path):
    zone = S3Zone(s3_endpoint, s3_bucket)
    zone.put("sap/CRHD_work_centers.csv", WORK_CENTERS)
    [work_centers] = [a for a in raw_assets if a.key == raw_key("sap/work_centers")]
    result = dg.materialize(
        [file_inventory, work_centers],
        resources={
            "landing": zone.resource(),
            "warehouse": WarehouseResource(url=f"sqlite:///{tmp_path / 'warehouse.sqlite'}"),
        },
    )
    assert result.success
    [loaded] = [
        e.materialization
        for e in result.get_asset_materialization_events()
        if e.asset_key == raw_key("sap/work_centers")
    ]
    assert loaded.metadata["files_loaded"].value == 1
    assert loaded.metadata["rows_loaded"].value == 2
