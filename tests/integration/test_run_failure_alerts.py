"""Alerts on failed runs, delivered to an SMTP server and an HTTP endpoint on 127.0.0.1.

The failed run is a real one: a curated table whose warehouse refuses the connection (a
PostgreSQL URL of a closed port on 127.0.0.1).
"""

from __future__ import annotations

import dagster as dg
import pytest

from pharma_pipelines.alerting.delivery import DeliveryError
from pharma_pipelines.assets.curated import production_orders
from pharma_pipelines.resources import NotifierResource, WarehouseResource
from pharma_pipelines.sensors import run_failure_alerts
from tests.instances import in_memory_instance
from tests.receivers import free_port, http_receiver, smtp_receiver

UI = "http://127.0.0.1:3000"
ORDERS = "curated/production_orders"


@pytest.fixture
def failed_run():
    """An instance holding one failed run of curated/production_orders, and the run."""
    closed = f"postgresql+psycopg2://pharma@127.0.0.1:{free_port()}/warehouse"
    with in_memory_instance() as instance:
        result = dg.materialize(
            [production_orders],
            instance=instance,
            resources={"warehouse": WarehouseResource(url=closed)},
            raise_on_error=False,
        )
        assert not result.success
        yield instance, result.dagster_run


def alert(instance, run, notifier: NotifierResource) -> None:
    [failure] = instance.all_logs(run.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
    context = dg.build_run_status_sensor_context(
        sensor_name="run_failure_alerts",
        dagster_event=failure.dagster_event,
        dagster_instance=instance,
        dagster_run=run,
        resources={"notifier": notifier},
    ).for_run_failure()
    run_failure_alerts(context)


def notifier(mail, hook, **changes) -> NotifierResource:
    config = {
        "ui_base_url": UI,
        "smtp_host": mail.host,
        "smtp_port": mail.port,
        "email_from": "alerts@plant.example",
        "email_to": ["planning@plant.example"],
        "webhook_url": hook.url,
        "webhook_attempts": 1,
    }
    return NotifierResource(**(config | changes))


def test_a_failed_run_is_announced_with_its_asset_and_error_by_mail_and_webhook(failed_run):
    instance, run = failed_run
    with smtp_receiver() as mail, http_receiver() as hook:
        alert(instance, run, notifier(mail, hook))

    [received] = mail.mails
    assert received.message["Subject"] == (f"[pharma-pipelines] run failed: {ORDERS}")
    body = received.message.get_content()
    assert "Connection refused" in body
    assert run.run_id in body
    assert f"{UI}/runs/{run.run_id}" in body
    assert received.message["X-Pharma-Failed-Run"] == run.run_id

    [posted] = hook.accepted()
    payload = posted.json()
    assert payload["schema"] == "pharma-pipelines/run-failure/1"
    assert payload["id"] == payload["run_id"] == run.run_id
    assert payload["assets"] == [ORDERS]
    [step] = payload["steps"]
    assert step["step"] == "curated__production_orders"
    assert "Connection refused" in step["error"]
    assert payload["run_url"] == f"{UI}/runs/{run.run_id}"


def test_a_channel_that_cannot_deliver_fails_the_tick_and_the_other_still_sends(failed_run):
    instance, run = failed_run
    with (
        smtp_receiver() as mail,
        http_receiver(statuses=[503]) as hook,
        pytest.raises(DeliveryError, match=r"webhook .* HTTP 503"),
    ):
        alert(instance, run, notifier(mail, hook))
    assert len(mail.mails) == 1
    assert hook.accepted() == []
