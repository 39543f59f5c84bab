"""The evidence bundle's configuration: the settings in force, no secret among them."""

from __future__ import annotations

import json

from pharma_pipelines.evidence import MASK, mask_url, masked_settings
from pharma_pipelines.settings import PlatformSettings


def test_urls_keep_where_they_point_and_lose_their_secrets(instance):
    settings = PlatformSettings(
        warehouse_url="postgresql+psycopg2://pharma:warehouse-pw@db.internal:5432/warehouse",
        alert_webhook_url="https://hook-user:hook-pw@hooks.example.com/services/T0/B1/s3cr3t?x=1",
        alert_ui_base_url="https://dagster.plant.example/ui",
    )
    masked = masked_settings(settings, instance)
    values = masked["settings"]
    assert values["warehouse_url"] == (
        f"postgresql+psycopg2://pharma:{MASK}@db.internal:5432/warehouse"
    )
    assert values["alert_webhook_url"] == f"https://hook-user:{MASK}@hooks.example.com/{MASK}"
    assert values["alert_ui_base_url"] == "https://dagster.plant.example/ui"
    text = json.dumps(masked)
    for secret in ("warehouse-pw", "hook-pw", "s3cr3t", "x=1"):
        assert secret not in text
    assert masked["dagster_instance"]["root_directory"] == instance.root_directory


def test_urls_without_secrets_stay_as_they_are():
    assert mask_url("sqlite:////data/warehouse.sqlite") == "sqlite:////data/warehouse.sqlite"
    assert mask_url("https://hooks.example.com", keep_path=False) == "https://hooks.example.com"
    assert mask_url("examples/landing") == "examples/landing"
