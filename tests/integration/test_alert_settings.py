"""Alert settings from the environment into the notifier; secrets only from the environment."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from pharma_pipelines.alerting.delivery import SmtpChannel, WebhookChannel
from pharma_pipelines.definitions import build_resources
from pharma_pipelines.resources import NotifierResource
from pharma_pipelines.settings import PlatformSettings


def test_both_channels_come_from_the_environment_with_their_secrets(monkeypatch):
    monkeypatch.setenv("PHARMA_ALERT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PHARMA_ALERT_SMTP_PORT", "2525")
    monkeypatch.setenv("PHARMA_ALERT_SMTP_STARTTLS", "true")
    monkeypatch.setenv("PHARMA_ALERT_SMTP_USER", "pharma-alerts")
    monkeypatch.setenv("PHARMA_ALERT_SMTP_PASSWORD", "from-the-environment")
    monkeypatch.setenv("PHARMA_ALERT_EMAIL_TO", "qa@plant.example, steward@plant.example")
    monkeypatch.setenv("PHARMA_ALERT_WEBHOOK_URL", "http://127.0.0.1:9/hook")
    monkeypatch.setenv("PHARMA_ALERT_WEBHOOK_TOKEN", "t0ken")
    notifier = build_resources(PlatformSettings())["notifier"]
    assert isinstance(notifier, NotifierResource)
    assert "from-the-environment" not in repr(notifier)
    assert "t0ken" not in repr(notifier)
    mail, hook = notifier.channels()
    assert isinstance(mail, SmtpChannel)
    assert isinstance(hook, WebhookChannel)
    assert (mail.host, mail.port, mail.starttls, mail.username) == (
        "127.0.0.1",
        2525,
        True,
        "pharma-alerts",
    )
    assert mail.recipients == ("qa@plant.example", "steward@plant.example")
    assert mail.password == "from-the-environment"
    assert hook.token == "t0ken"
    assert "from-the-environment" not in repr(mail)
    assert "t0ken" not in repr(hook)


def test_by_default_no_channel_is_on():
    assert NotifierResource().channels() == []
    assert NotifierResource().describe() == "no channel configured"


def test_a_login_without_its_password_in_the_environment_is_refused(monkeypatch):
    monkeypatch.delenv("PHARMA_ALERT_SMTP_PASSWORD", raising=False)
    notifier = NotifierResource(smtp_host="127.0.0.1", smtp_user="a", email_to=["qa@x.example"])
    with pytest.raises(ValueError, match="PHARMA_ALERT_SMTP_PASSWORD"):
        notifier.channels()


def test_a_host_without_recipients_or_a_bad_address_is_refused_with_the_variable():
    with pytest.raises(ValidationError, match="PHARMA_ALERT_EMAIL_TO names no recipient"):
        PlatformSettings(alert_smtp_host="127.0.0.1")
    with pytest.raises(
        ValidationError,
        match="PHARMA_ALERT_EMAIL_TO holds 'qa at plant', which is not an e-mail address",
    ):
        PlatformSettings(alert_email_to="qa at plant,steward@plant.example")
