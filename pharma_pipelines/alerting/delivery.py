"""Delivery channels for failed-check notifications: SMTP e-mail and an HTTP webhook.

A channel either delivers one notification or raises ``DeliveryError`` saying where and
why; it never half-succeeds silently. The webhook retries what may pass on a second try
(a 5xx answer, a refused or dropped connection, a timeout) with a doubling pause, and gives
up at once on any other answer (a 4xx means the request itself is wrong: sending it again
cannot help). SMTP is tried once per call: a mail server queues and retries on its own, and
the caller (the alert sensor) tries again on its next tick.
"""

from __future__ import annotations

import http.client
import json
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from pharma_pipelines.alerting.message import email_message, webhook_payload
from pharma_pipelines.alerting.model import CheckFailure


class DeliveryError(Exception):
    """A notification could not be delivered (the message says to where and why)."""


class Channel(Protocol):
    """Where notifications go: ``name`` keys the channel's progress in the sensor cursor.

    ``send`` returns ``None``, or a note on a delivery that only partly reached its
    recipients (it counts as delivered: sending it again would repeat it to the others).
    """

    @property
    def name(self) -> str: ...

    def send(self, failure: CheckFailure) -> str | None: ...


@dataclass(frozen=True)
class SmtpChannel:
    """E-mail through an SMTP server, optionally upgraded with STARTTLS and logged in.

    ``ca_file`` adds a CA bundle to trust besides the system's (a company relay's own CA).
    """

    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    starttls: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout_s: float = 10.0
    ca_file: str | None = None
    name: str = "email"

    def __post_init__(self) -> None:
        if not self.recipients:
            raise ValueError(
                f"the e-mail channel to {self.host}:{self.port} has no recipients; set "
                "PHARMA_ALERT_EMAIL_TO to one or more addresses, comma-separated"
            )
        if self.username and self.password is None:
            raise ValueError(
                f"the e-mail channel logs in to {self.host}:{self.port} as {self.username!r} "
                "but has no password; set the password's environment variable "
                "(PHARMA_ALERT_SMTP_PASSWORD by default)"
            )

    def send(self, failure: CheckFailure) -> str | None:
        message = email_message(failure, self.sender, self.recipients)
        where = f"SMTP server {self.host}:{self.port}"
        try:
            # Connecting in the constructor also records the host name STARTTLS verifies.
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout_s)
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryError(
                f"e-mail about {failure.target} not delivered: no connection to {where}: {error}"
            ) from error
        try:
            if self.starttls:
                smtp.starttls(context=self._tls_context())
            if self.username:
                smtp.login(self.username, self.password or "")
            refused = smtp.send_message(message, self.sender, list(self.recipients))
            smtp.quit()
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryError(
                f"e-mail about {failure.target} not delivered to {where}: {error}"
            ) from error
        finally:
            # After a failure the session may be mid-handshake: a polite QUIT would only
            # wait for the timeout, so the socket is just closed.
            smtp.close()
        if refused:
            return (
                f"e-mail about {failure.target}: {where} refused the recipients "
                f"{', '.join(sorted(refused))} and accepted the others; check "
                "PHARMA_ALERT_EMAIL_TO"
            )
        return None

    def _tls_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if self.ca_file:
            context.load_verify_locations(cafile=self.ca_file)
        return context


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


@dataclass(frozen=True)
class WebhookChannel:
    """A JSON POST to a URL, with an optional bearer token, retried on passing failures.

    ``attempts`` counts the first try; the pause before try ``n + 1`` is
    ``backoff_s * 2 ** (n - 1)``.
    """

    url: str
    timeout_s: float = 5.0
    attempts: int = 3
    backoff_s: float = 1.0
    token: str | None = field(default=None, repr=False)
    sleep: Callable[[float], None] = field(default=_sleep, repr=False, compare=False)
    name: str = "webhook"

    def __post_init__(self) -> None:
        if not self.url.startswith(("http://", "https://")):
            raise ValueError(
                f"webhook URL {self.url!r} is not an http:// or https:// URL; set "
                "PHARMA_ALERT_WEBHOOK_URL to the receiver's full URL"
            )
        if self.attempts < 1:
            raise ValueError(f"webhook attempts must be at least 1, got {self.attempts}")

    def send(self, failure: CheckFailure) -> str | None:
        body = json.dumps(webhook_payload(failure)).encode("utf-8")
        headers = {"Content-Type": "application/json", "User-Agent": "pharma-pipelines"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        problems: list[str] = []
        for attempt in range(1, self.attempts + 1):
            if attempt > 1:
                self.sleep(self.backoff_s * 2 ** (attempt - 2))
            request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                    response.read()
                return None
            except urllib.error.HTTPError as error:
                if error.code < 500:
                    raise DeliveryError(
                        f"webhook {self.url} refused the notification about {failure.target} "
                        f"with HTTP {error.code} {error.reason}; only a 2xx answer counts as "
                        "delivered, and a 4xx is not retried"
                    ) from error
                problems.append(f"HTTP {error.code} {error.reason}")
            except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
                reason = getattr(error, "reason", error)
                problems.append(f"connection failed: {reason}")
        raise DeliveryError(
            f"webhook {self.url} did not take the notification about {failure.target} in "
            f"{self.attempts} attempt(s): {'; '.join(problems)}"
        )
