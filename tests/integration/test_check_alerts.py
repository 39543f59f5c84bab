"""The alert sensor against a real instance after the broken landing zone was materialized.

Mails go to an SMTP server and webhook calls to an HTTP endpoint, both started here on
127.0.0.1. What each should receive is taken from the run's own check results, not from
the instance the sensor reads.
"""

from __future__ import annotations

import re

import dagster as dg
import pytest

from pharma_pipelines.definitions import build_definitions
from pharma_pipelines.keys import curated_key
from pharma_pipelines.resources import NotifierResource
from pharma_pipelines.runner import materialize_all
from pharma_pipelines.sensors import check_failure_alerts
from pharma_pipelines.settings import PlatformSettings
from tests.alert_support import UI, failed_error_checks, mailed, notifier_for, posted, tick
from tests.conftest import BROKEN_LANDING
from tests.integration.conftest import settings_for
from tests.receivers import http_receiver, smtp_receiver


@pytest.fixture
def broken(memory_settings: PlatformSettings, stored_instance: dg.DagsterInstance):
    """The broken landing zone materialized into a fresh instance on disk (the test restarts
    on it), for a test that adds runs."""
    settings = settings_for(BROKEN_LANDING, memory_settings)
    summary = materialize_all(settings, stored_instance)
    return settings, summary


@pytest.mark.slow
def test_each_failed_error_check_is_announced_once_and_never_again(broken, stored_instance):
    instance = stored_instance
    settings, summary = broken
    expected = failed_error_checks(summary)
    assert len(expected) >= 5, "the broken landing zone fails several ERROR checks"
    with smtp_receiver() as mail, http_receiver() as hook:
        notifier = notifier_for(mail, hook)

        first = tick(instance, notifier, None)
        assert sorted(mailed(mail)) == expected
        assert sorted(posted(hook)) == expected
        ids = [request.json()["id"] for request in hook.requests]
        assert ids == sorted(set(ids)), "one call per evaluation, in the order stored"
        assert [m.message["X-Pharma-Check-Evaluation"] for m in mail.mails] == [str(i) for i in ids]

        second = tick(instance, notifier, first.cursor)
        assert len(mail.mails) == len(expected)
        assert len(hook.requests) == len(expected)
        assert second.cursor == first.cursor

        # A restart: a new instance object on the same storage, a new resource, and only the
        # cursor Dagster stored with the sensor.
        with dg.DagsterInstance.from_ref(instance.get_ref()) as restarted:
            third = tick(restarted, notifier_for(mail, hook), second.cursor)
        assert len(mail.mails) == len(expected)
        assert len(hook.requests) == len(expected)

        rerun = (
            build_definitions(settings)
            .resolve_implicit_global_asset_job_def()
            .execute_in_process(
                instance=instance, asset_selection=[curated_key("products")], raise_on_error=False
            )
        )
        again = sorted(
            f"{e.asset_key.to_user_string()}:{e.check_name}"
            for e in rerun.get_asset_check_evaluations()
            if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR
        )
        assert again, "re-curating the products fails their key check again"
        tick(instance, notifier, third.cursor)
        assert sorted(mailed(mail)[len(expected) :]) == again
        assert sorted(posted(hook)[len(expected) :]) == again


@pytest.mark.slow
def test_the_mail_says_what_failed_with_rows_run_and_links(broken_instance):
    instance, _settings, summary = broken_instance
    [products] = [
        c
        for c in summary.checks
        if (c.asset, c.check) == ("curated/products", "material_is_unique")
    ]
    measured, expected = re.fullmatch(
        r".*: measured (.*); expected (.*)", products.description
    ).groups()
    with smtp_receiver() as mail, http_receiver() as hook:
        tick(instance, notifier_for(mail, hook), None)
    [message] = [
        m.message
        for m in mail.mails
        if "curated/products:material_is_unique" in m.message["Subject"]
    ]
    body = message.get_content()
    for line in (
        "Asset:           curated/products",
        "Check:           material_is_unique",
        "Severity:        ERROR",
        f"Measured:        {measured}",
        f"Expected:        {expected}",
        f"Run:             {summary.run_id}",
        f"Check in the UI: {UI}/assets/curated/products?view=checks&checkDetail=material_is_unique",
        f"Run in the UI:   {UI}/runs/{summary.run_id}",
        "| material |",
    ):
        assert line in body, f"{line!r} missing from:\n{body}"
    assert re.search(r"^Failed:          [1-9]\d* of \d+\r?$", body, re.MULTILINE)
    [payload] = [r.json() for r in hook.requests if r.json()["check"] == "material_is_unique"]
    assert payload["failing_rows"]
    assert "material" in payload["failing_rows"][0]
    assert (payload["measured"], payload["expected"]) == (measured, expected)


@pytest.mark.slow
def test_receivers_that_fail_once_then_recover_get_each_alert_exactly_once(broken_instance):
    instance, _settings, summary = broken_instance
    expected = failed_error_checks(summary)
    with smtp_receiver() as mail, http_receiver(statuses=[200, 200, 503]) as hook:
        mail.refuse_next = 1
        notifier = notifier_for(mail, hook)

        first = tick(instance, notifier, None)
        assert mail.mails == []
        assert mail.refused == 1
        assert len(hook.accepted()) == 2
        assert first.skip_reason is not None
        assert "451" in (first.skip_reason.skip_message or "")
        assert "HTTP 503" in (first.skip_reason.skip_message or "")

        second = tick(instance, notifier, first.cursor)
        tick(instance, notifier, second.cursor)

    assert sorted(mailed(mail)) == expected
    assert sorted(posted(hook)) == expected
    accepted_ids = [request.json()["id"] for request in hook.accepted()]
    assert accepted_ids == sorted(set(accepted_ids)), "each once, in order"
    refused = hook.requests[2].json()["id"]
    assert hook.requests[3].json()["id"] == refused, "the refused call is the first one retried"


def test_without_a_channel_the_sensor_skips_and_keeps_its_cursor(instance):
    context = dg.build_sensor_context(
        instance=instance,
        cursor='{"channels": {"email": 7}}',
        resources={"notifier": NotifierResource()},
    )
    result = check_failure_alerts(context)
    assert result.cursor == '{"channels": {"email": 7}}'
    assert "PHARMA_ALERT_SMTP_HOST" in (result.skip_reason.skip_message or "")
    assert check_failure_alerts.default_status == dg.DefaultSensorStatus.STOPPED


def test_a_foreign_cursor_is_refused_with_how_to_reset_it(instance):
    with http_receiver() as hook:
        context = dg.build_sensor_context(
            instance=instance,
            cursor="1207",
            resources={"notifier": NotifierResource(webhook_url=hook.url)},
        )
        with pytest.raises(ValueError, match="cursor '1207' is not one this sensor writes"):
            check_failure_alerts(context)
