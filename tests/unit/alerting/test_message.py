"""What a steward reads in an alert, by e-mail and in the webhook's JSON."""

from __future__ import annotations

import json

from pharma_pipelines.alerting.links import check_url, run_url
from pharma_pipelines.alerting.message import email_message, subject, webhook_payload
from tests.unit.alerting.failures import duplicate_products


def test_the_mail_names_asset_check_severity_measured_expected_count_rows_run_and_links():
    message = email_message(duplicate_products(), "alerts@plant.example", ["qa@plant.example"])
    body = message.get_content()
    assert message["Subject"] == (
        "[pharma-pipelines] ERROR check failed: curated/products:material_is_unique (6 of 41 "
        "failed)"
    )
    assert message["To"] == "qa@plant.example"
    assert message["X-Pharma-Check-Evaluation"] == "1207"
    for expected in (
        "Asset:           curated/products",
        "Check:           material_is_unique",
        "Severity:        ERROR",
        "Measured:        6 of 41 rows share a key",
        "Expected:        0 duplicated rows",
        "Failed:          6 of 41",
        "Run:             3f2a9c1e-0b7d-4c55-9e61-5b0a3c2d1e0f",
        "Evaluated:       2027-01-04 04:12:00 UTC",
        "Check in the UI: http://127.0.0.1:3000/assets/curated/products?view=checks",
        "First failing rows (5 of 6):",
        "| 000000000000011878 | 0100 | Ibuprofen 400 mg \\| 20 tablets |",
        "| 000000000000011880 | 0100 | Aspirin 100 mg |",
    ):
        assert expected in body, f"{expected!r} missing from:\n{body}"
    assert "Aspirin 100mg" not in body, "only the first five failing rows travel"
    assert "Partition" not in body


def test_without_a_ui_base_url_there_are_no_links():
    body = email_message(
        duplicate_products(check_url=None, run_url=None), "a@b.example", ["c@d.example"]
    ).get_content()
    assert "in the UI" not in body


def test_the_webhook_body_is_json_with_the_same_facts_and_a_stable_id():
    payload = webhook_payload(duplicate_products(partition="0100"))
    assert json.loads(json.dumps(payload)) == payload
    assert payload["id"] == 1207
    assert payload["summary"] == subject(duplicate_products(partition="0100"))
    assert (payload["asset"], payload["partition"], payload["check"]) == (
        "curated/products",
        "0100",
        "material_is_unique",
    )
    assert (payload["measured"], payload["expected"]) == (
        "6 of 41 rows share a key",
        "0 duplicated rows",
    )
    assert (payload["failed_count"], payload["total"]) == (6, 41)
    assert len(payload["failing_rows"]) == 5
    assert payload["failing_rows"][0] == {
        "material": "000000000000011878",
        "plant": "0100",
        "description": "Ibuprofen 400 mg | 20 tablets",
    }
    assert payload["evaluated_at"] == "2027-01-04T04:12:00+00:00"


def test_links_lead_to_the_checks_tab_of_the_asset_and_to_the_run():
    assert check_url(
        "https://dagster.plant.example/", ["raw", "sap", "stock"], "rows reconcile"
    ) == (
        "https://dagster.plant.example/assets/raw/sap/stock?view=checks&checkDetail=rows+reconcile"
    )
    assert (
        run_url("https://dagster.plant.example", "abc") == "https://dagster.plant.example/runs/abc"
    )
    assert check_url(None, ["raw"], "c") is None
    assert run_url("", "abc") is None
