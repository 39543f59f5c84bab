"""Driving the check-alert sensor against local receivers, for integration tests and scenarios.

What each receiver should get is taken from a run's own check results, never from the
instance the sensor reads, so that the sensor cannot agree with itself.
"""

from __future__ import annotations

import re

import dagster as dg

from pharma_pipelines.resources import NotifierResource
from pharma_pipelines.runner import RunSummary
from pharma_pipelines.sensors import check_failure_alerts
from tests.receivers import HttpReceiver, SmtpReceiver

UI = "http://127.0.0.1:3000"
SUBJECT = re.compile(r"^\[pharma-pipelines\] ERROR check failed: (?P<target>\S+) \(")


def failed_error_checks(summary: RunSummary) -> list[str]:
    return sorted(c.target for c in summary.checks if not c.passed and c.severity == "ERROR")


def failed_warn_checks(summary: RunSummary) -> list[str]:
    return sorted(c.target for c in summary.checks if not c.passed and c.severity == "WARN")


def notifier_for(mail: SmtpReceiver, hook: HttpReceiver, **changes: object) -> NotifierResource:
    config: dict[str, object] = {
        "ui_base_url": UI,
        "smtp_host": mail.host,
        "smtp_port": mail.port,
        "email_from": "alerts@plant.example",
        "email_to": ["qa@plant.example"],
        "webhook_url": hook.url,
        "webhook_attempts": 1,
    }
    return NotifierResource(**(config | changes))


def tick(instance: dg.DagsterInstance, notifier: NotifierResource, cursor: str | None):
    """One evaluation of the sensor, as the daemon makes it: the stored cursor and nothing else."""
    context = dg.build_sensor_context(
        instance=instance, cursor=cursor, resources={"notifier": notifier}
    )
    return check_failure_alerts(context)


def mailed(mail: SmtpReceiver) -> list[str]:
    """The check of each mail received, in the order they came."""
    targets = []
    for received in mail.mails:
        match = SUBJECT.match(received.message["Subject"])
        assert match, received.message["Subject"]
        targets.append(match["target"])
    return targets


def posted(hook: HttpReceiver) -> list[str]:
    """The check of each webhook call accepted, in the order they came."""
    return [
        f"{body['asset']}[{body['partition']}]:{body['check']}"
        if body["partition"]
        else f"{body['asset']}:{body['check']}"
        for body in (request.json() for request in hook.accepted())
    ]
