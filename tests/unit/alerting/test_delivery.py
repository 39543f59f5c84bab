"""The channels against real receivers on 127.0.0.1: an SMTP server and an HTTP endpoint."""

from __future__ import annotations

import socket

import pytest

from pharma_pipelines.alerting.delivery import DeliveryError, SmtpChannel, WebhookChannel
from tests.receivers import LOOPBACK, http_receiver, self_signed_certificate, smtp_receiver
from tests.unit.alerting.failures import duplicate_products

SENDER = "alerts@plant.example"
STEWARDS = ("qa@plant.example", "steward@plant.example")


def test_a_mail_reaches_every_recipient_with_the_failure_in_it():
    with smtp_receiver() as server:
        SmtpChannel(server.host, server.port, SENDER, STEWARDS).send(duplicate_products())
    [mail] = server.mails
    assert (mail.sender, mail.recipients) == (SENDER, list(STEWARDS))
    assert mail.message["Subject"].startswith("[pharma-pipelines] ERROR check failed")
    assert "Measured:        6 of 41 rows share a key" in mail.message.get_content()


def test_starttls_and_login_with_the_password_given(tmp_path):
    cert, key = self_signed_certificate(tmp_path)
    with smtp_receiver(tls=(cert, key), credentials=("alerts", "s3cret")) as server:
        SmtpChannel(
            server.host,
            server.port,
            SENDER,
            STEWARDS,
            starttls=True,
            username="alerts",
            password="s3cret",
            ca_file=str(cert),
        ).send(duplicate_products())
    assert server.logins == [("alerts", "s3cret")]
    assert len(server.mails) == 1


def test_a_wrong_password_or_an_untrusted_certificate_is_a_delivery_error(tmp_path):
    cert, key = self_signed_certificate(tmp_path)
    with smtp_receiver(tls=(cert, key), credentials=("alerts", "s3cret")) as server:
        wrong = SmtpChannel(
            server.host, server.port, SENDER, STEWARDS, True, "alerts", "guess", 10, str(cert)
        )
        with pytest.raises(DeliveryError, match=f"SMTP server {LOOPBACK}:{server.port}: .*535"):
            wrong.send(duplicate_products())
        untrusted = SmtpChannel(
            server.host, server.port, SENDER, STEWARDS, True, "alerts", "s3cret", 10
        )
        with pytest.raises(DeliveryError, match="CERTIFICATE_VERIFY_FAILED"):
            untrusted.send(duplicate_products())
    assert server.mails == []


def test_a_mail_the_server_defers_is_not_delivered():
    with smtp_receiver() as server:
        server.refuse_next = 1
        channel = SmtpChannel(server.host, server.port, SENDER, STEWARDS)
        with pytest.raises(DeliveryError, match="451"):
            channel.send(duplicate_products())
        channel.send(duplicate_products())
    assert len(server.mails) == 1


def test_a_login_without_a_password_is_refused_when_the_channel_is_built():
    with pytest.raises(ValueError, match="PHARMA_ALERT_SMTP_PASSWORD"):
        SmtpChannel(LOOPBACK, 25, SENDER, STEWARDS, username="alerts")
    with pytest.raises(ValueError, match="PHARMA_ALERT_EMAIL_TO"):
        SmtpChannel(LOOPBACK, 25, SENDER, ())


def test_the_webhook_posts_json_with_the_bearer_token():
    with http_receiver() as receiver:
        WebhookChannel(receiver.url, token="t0ken").send(duplicate_products())
    [request] = receiver.requests
    assert request.path == "/hooks/quality"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Authorization"] == "Bearer t0ken"
    assert request.json()["check"] == "material_is_unique"
    assert request.json()["id"] == 1207


def test_5xx_answers_are_retried_with_a_doubling_pause_until_one_is_taken():
    pauses: list[float] = []
    with http_receiver(statuses=[503, 502]) as receiver:
        WebhookChannel(receiver.url, attempts=3, backoff_s=0.25, sleep=pauses.append).send(
            duplicate_products()
        )
    assert receiver.answers == [503, 502, 200]
    assert pauses == [0.25, 0.5]
    assert "Authorization" not in receiver.requests[0].headers


def test_a_4xx_answer_is_not_retried_and_names_the_status():
    with http_receiver(statuses=[422]) as receiver:
        channel = WebhookChannel(receiver.url, attempts=3, sleep=lambda _s: None)
        with pytest.raises(DeliveryError, match="HTTP 422"):
            channel.send(duplicate_products())
    assert receiver.answers == [422]


def test_a_refused_connection_is_retried_then_reported():
    with socket.socket() as unused:
        unused.bind((LOOPBACK, 0))
        port = unused.getsockname()[1]
        pauses: list[float] = []
        channel = WebhookChannel(
            f"http://{LOOPBACK}:{port}/hook", attempts=2, backoff_s=1.0, sleep=pauses.append
        )
        with pytest.raises(DeliveryError, match="in 2 attempt"):
            channel.send(duplicate_products())
    assert pauses == [1.0]


def test_a_webhook_url_must_be_http():
    with pytest.raises(ValueError, match="not an http"):
        WebhookChannel("ftp://127.0.0.1/hook")


def test_a_recipient_the_server_refuses_is_noted_and_the_others_get_the_mail():
    with smtp_receiver(refuse_recipients={"gone@plant.example"}) as server:
        note = SmtpChannel(
            server.host, server.port, SENDER, ("qa@plant.example", "gone@plant.example")
        ).send(duplicate_products())
    assert note is not None
    assert "refused the recipients gone@plant.example" in note
    [mail] = server.mails
    assert mail.recipients == ["qa@plant.example"]
