"""Where notifications about failed checks go: SMTP e-mail and an HTTP webhook.

Either channel may be off (no SMTP host, no webhook URL). Secrets are never part of the
resource's configuration, which the Dagster UI shows: the SMTP password and the webhook's
bearer token are read from environment variables, named here, when a channel is built.
"""

from __future__ import annotations

import os

import dagster as dg
from pydantic import Field

from pharma_pipelines.alerting.delivery import Channel, SmtpChannel, WebhookChannel

SMTP_PASSWORD_VARIABLE = "PHARMA_ALERT_SMTP_PASSWORD"
WEBHOOK_TOKEN_VARIABLE = "PHARMA_ALERT_WEBHOOK_TOKEN"


class NotifierResource(dg.ConfigurableResource):
    """E-mail (SMTP, optional STARTTLS and login) and webhook (JSON POST) channels.

    ``ui_base_url`` makes every message link to the failed check and its run in the UI.
    """

    ui_base_url: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_user: str | None = None
    smtp_password_variable: str = SMTP_PASSWORD_VARIABLE
    smtp_ca_file: str | None = None
    smtp_timeout_s: float = 10.0
    email_from: str = "pharma-pipelines@localhost"
    email_to: list[str] = Field(default_factory=list)
    webhook_url: str | None = None
    webhook_timeout_s: float = 5.0
    webhook_attempts: int = 3
    webhook_backoff_s: float = 1.0
    webhook_token_variable: str = WEBHOOK_TOKEN_VARIABLE

    def channels(self) -> list[Channel]:
        """The configured channels, e-mail first; an empty list when both are off."""
        channels: list[Channel] = []
        if self.smtp_host:
            password = os.environ.get(self.smtp_password_variable) if self.smtp_user else None
            channels.append(
                SmtpChannel(
                    host=self.smtp_host,
                    port=self.smtp_port,
                    sender=self.email_from,
                    recipients=tuple(self.email_to),
                    starttls=self.smtp_starttls,
                    username=self.smtp_user,
                    password=password,
                    timeout_s=self.smtp_timeout_s,
                    ca_file=self.smtp_ca_file,
                )
            )
        if self.webhook_url:
            channels.append(
                WebhookChannel(
                    url=self.webhook_url,
                    timeout_s=self.webhook_timeout_s,
                    attempts=self.webhook_attempts,
                    backoff_s=self.webhook_backoff_s,
                    token=os.environ.get(self.webhook_token_variable) or None,
                )
            )
        return channels

    def describe(self) -> str:
        parts = []
        if self.smtp_host:
            parts.append(
                f"e-mail to {', '.join(self.email_to)} via {self.smtp_host}:{self.smtp_port}"
            )
        if self.webhook_url:
            parts.append(f"webhook {self.webhook_url}")
        return "; ".join(parts) or "no channel configured"
