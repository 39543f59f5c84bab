"""Scenarios of check_alerts.feature: the real sensor, a local SMTP server and HTTP receiver."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import dagster as dg
import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from tests.alert_support import (
    UI,
    failed_error_checks,
    failed_warn_checks,
    mailed,
    notifier_for,
    posted,
    tick,
)
from tests.plant_runs import PlantRun
from tests.receivers import HttpReceiver, SmtpReceiver, http_receiver, smtp_receiver

scenarios("check_alerts.feature")


@dataclass(frozen=True)
class Receivers:
    mail: SmtpReceiver
    hook: HttpReceiver


@dataclass(frozen=True)
class Tick:
    result: dg.SensorResult
    mails_so_far: int


@pytest.fixture
def receivers() -> Iterator[Receivers]:
    with smtp_receiver() as mail, http_receiver() as hook:
        yield Receivers(mail, hook)


@given("a mail server and a webhook receiver on this machine", target_fixture="channels")
def _receivers(receivers: Receivers) -> Receivers:
    return receivers


@given(
    "a mail server that refuses the next message and a webhook receiver that fails its third call",
    target_fixture="channels",
)
def _flaky_receivers(receivers: Receivers) -> Receivers:
    receivers.mail.refuse_next = 1
    receivers.hook.statuses.extend([200, 200, 503])
    return receivers


@when(
    parsers.parse(
        "the check alert sensor ticks {count:d} times, each from the cursor the tick before stored"
    ),
    target_fixture="ticks",
)
def _ticks(plant: PlantRun, channels: Receivers, count: int) -> list[Tick]:
    notifier = notifier_for(channels.mail, channels.hook)
    ticks: list[Tick] = []
    cursor = None
    for _ in range(count):
        result = tick(plant.instance, notifier, cursor)
        cursor = result.cursor
        ticks.append(Tick(result, len(channels.mail.mails)))
    return ticks


@then("each failed ERROR check of the run was mailed once and posted once")
def _each_once(plant: PlantRun, channels: Receivers) -> None:
    expected = failed_error_checks(plant.summary)
    assert len(expected) >= 5, "the broken landing zone fails several ERROR checks"
    assert sorted(mailed(channels.mail)) == expected
    assert sorted(posted(channels.hook)) == expected


@then("no failed WARN check was announced")
def _no_warnings(plant: PlantRun, channels: Receivers) -> None:
    warned = failed_warn_checks(plant.summary)
    assert warned, "the broken landing zone warns too"
    announced = {*mailed(channels.mail), *posted(channels.hook)}
    assert announced.isdisjoint(warned)


@then(
    parsers.parse(
        'the mail about "{target}" says what was measured and expected, the run and where '
        "the check is in the UI"
    )
)
def _mail_content(plant: PlantRun, channels: Receivers, target: str) -> None:
    asset, _, check_name = target.rpartition(":")
    [check] = [c for c in plant.summary.checks if c.target == target]
    measured, expected = re.fullmatch(
        r".*: measured (.*); expected (.*)", check.description
    ).groups()
    [message] = [m.message for m in channels.mail.mails if target in m.message["Subject"]]
    body = message.get_content()
    for line in (
        f"Measured:        {measured}",
        f"Expected:        {expected}",
        f"Run:             {plant.summary.run_id}",
        f"Check in the UI: {UI}/assets/{asset}?view=checks&checkDetail={check_name}",
    ):
        assert line in body, f"{line!r} missing from:\n{body}"


@then("the first tick delivered no mail and says which receivers refused and why")
def _first_refused(ticks: list[Tick]) -> None:
    first = ticks[0]
    assert first.mails_so_far == 0
    assert first.result.skip_reason is not None
    message = first.result.skip_reason.skip_message or ""
    assert "451" in message, message
    assert "HTTP 503" in message, message
