"""Runtime settings, read once from the environment.

Every setting has an embedded default so that a fresh clone runs with nothing configured;
production overrides them through environment variables with the ``PHARMA_`` prefix (on
AWS, ECS injects them from SSM Parameter Store). Secrets never have defaults here.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from pharma_pipelines.ingestion.kinds import ENTITIES
from pharma_pipelines.ingestion.limits import DEFAULT_LIMITS
from pharma_pipelines.quality.freshness import NOW, parse_plan_time

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_LANDING_ZONE = PROJECT_ROOT / "examples" / "landing"
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"


class PlatformSettings(BaseSettings):
    """Settings shared by the Dagster definitions and the command line."""

    model_config = SettingsConfigDict(env_prefix="PHARMA_", extra="ignore")

    landing_zone: str = Field(
        default=str(BUNDLED_LANDING_ZONE),
        description="Folder (or s3://bucket/prefix) where extract files land.",
    )
    warehouse_url: str = Field(
        default=f"sqlite:///{DEFAULT_DATA_DIR / 'warehouse.sqlite'}",
        description="SQLAlchemy URL of the warehouse database.",
    )
    plants: Annotated[list[str], NoDecode] = Field(
        default=["0100"],
        description=(
            "SAP plants (WERKS) to plan, comma-separated in PHARMA_PLANTS: one partition of "
            "the planning assets each. Open orders of any other plant fail a check."
        ),
    )
    plant_timezone: str = Field(
        default="Europe/Berlin", description="IANA time zone of the plant's calendar."
    )
    solver_time_limit_s: float = Field(
        default=20.0, gt=0, description="Wall-clock limit for one schedule solve."
    )
    solver_threads: int = Field(default=1, ge=1, description="CBC threads (1 is deterministic).")
    solver_seed: int = Field(default=0, ge=0, description="CBC random seed.")
    solver_soften_deadlines: bool = Field(
        default=True,
        description=(
            "When hard deadlines make the schedule infeasible, solve again with them softened "
            "and show that least-bad plan (never published) beside the INFEASIBLE status."
        ),
    )
    horizon_slack_days: int = Field(
        default=7,
        ge=0,
        description="Days added after the latest due date to form the planning horizon.",
    )
    freshness_limits_hours: dict[str, float] = Field(
        default={
            "sap/production_orders": 24.0,
            "sap/material_master": 168.0,
            "sap/work_centers": 168.0,
            "sap/production_versions": 168.0,
            "sap/changeovers": 168.0,
        },
        description=(
            "Per input of the schedule (raw extract kind), how many hours its oldest "
            "contributing extract may be older than the plan time; JSON in "
            "PHARMA_FRESHNESS_LIMITS_HOURS. An older input fails inputs_are_fresh and "
            "holds the solve back; {} judges no input."
        ),
    )
    plan_time: str = Field(
        default="",
        description=(
            "The time input ages are measured against: empty for the newest extract among "
            "the schedule's inputs, 'now' for the wall clock, or an ISO 8601 time (plant "
            "time without an offset)."
        ),
    )
    mail_max_bytes: int = Field(
        default=DEFAULT_LIMITS.mail_bytes,
        gt=0,
        description="A landed mail file larger than this is quarantined unread.",
    )
    mail_attachment_max_bytes: int = Field(
        default=DEFAULT_LIMITS.attachment_bytes,
        gt=0,
        description="A mail part or attachment larger than this is neither decoded nor kept.",
    )
    mail_inflated_max_bytes: int = Field(
        default=DEFAULT_LIMITS.inflated_bytes,
        gt=0,
        description="An XLSX workbook whose zip members inflate past this is not opened.",
    )
    mail_max_depth: int = Field(
        default=DEFAULT_LIMITS.message_depth,
        ge=1,
        description="Messages attached deeper than this are not followed.",
    )

    alert_ui_base_url: str | None = Field(
        default=None,
        description=(
            "Base URL of the Dagster UI (e.g. https://dagster.plant.example); alerts link to "
            "the failed check and its run when set."
        ),
    )
    alert_smtp_host: str | None = Field(
        default=None, description="SMTP server for failed-check e-mails; unset: no e-mails."
    )
    alert_smtp_port: int = Field(default=25, ge=1, le=65535, description="SMTP server port.")
    alert_smtp_starttls: bool = Field(
        default=False, description="Upgrade the SMTP connection with STARTTLS before sending."
    )
    alert_smtp_user: str | None = Field(
        default=None,
        description=(
            "Log in to the SMTP server as this user; the password is read from the "
            "environment variable PHARMA_ALERT_SMTP_PASSWORD, never from configuration."
        ),
    )
    alert_smtp_ca_file: str | None = Field(
        default=None,
        description="A CA bundle to trust for STARTTLS besides the system's (a company CA).",
    )
    alert_email_from: str = Field(
        default="pharma-pipelines@localhost", description="Sender address of alert e-mails."
    )
    alert_email_to: Annotated[list[str], NoDecode] = Field(
        default=[], description="Recipients of alert e-mails, comma-separated."
    )
    alert_webhook_url: str | None = Field(
        default=None,
        description="URL that receives each failed-check alert as a JSON POST; unset: none.",
    )
    alert_webhook_timeout_s: float = Field(
        default=5.0, gt=0, description="Timeout of one webhook request."
    )
    alert_webhook_attempts: int = Field(
        default=3,
        ge=1,
        le=10,
        description="Tries per webhook alert; a 5xx answer or a connection error is retried.",
    )
    alert_webhook_backoff_s: float = Field(
        default=1.0,
        ge=0,
        description="Pause before the second webhook try; it doubles before each further one.",
    )
    digest_cron: str = Field(
        default="0 6 * * *",
        description="When the steward digest is rebuilt (cron, in the plant time zone).",
    )
    digest_decision_limit_hours: float = Field(
        default=48.0,
        gt=0,
        description=(
            "A failed ERROR check that has waited longer than this for a steward's decision "
            "is marked overdue in the digest and fails its WARN check."
        ),
    )

    @field_validator("freshness_limits_hours")
    @classmethod
    def _limits_are_inputs(cls, limits: dict[str, float]) -> dict[str, float]:
        unknown = sorted(name for name in limits if name not in ENTITIES)
        if unknown:
            raise ValueError(
                f"PHARMA_FRESHNESS_LIMITS_HOURS names {', '.join(unknown)}, which are not "
                f"extract kinds; allowed: {', '.join(ENTITIES)}"
            )
        bad = {name: hours for name, hours in limits.items() if hours <= 0}
        if bad:
            raise ValueError(
                f"PHARMA_FRESHNESS_LIMITS_HOURS must map each extract kind to a positive "
                f'number of hours (e.g. {{"sap/production_orders": 24}}); got {bad!r}'
            )
        return limits

    @field_validator("plan_time")
    @classmethod
    def _plan_time_is_known(cls, value: str) -> str:
        if value.strip() and value.strip().lower() != NOW:
            parse_plan_time(value, "UTC")
        return value.strip()

    @field_validator("plants", mode="before")
    @classmethod
    def _split_plants(cls, value: object) -> object:
        """``0100,0200`` from the environment; a list as it is."""
        if isinstance(value, str):
            return [part.strip() for part in value.split(",")]
        return value

    @field_validator("plants")
    @classmethod
    def _plants_are_keys(cls, plants: list[str]) -> list[str]:
        bad = [plant for plant in plants if not re.fullmatch(r"[A-Za-z0-9]{1,8}", plant)]
        if bad or not plants:
            raise ValueError(
                f"PHARMA_PLANTS must name at least one plant, comma-separated SAP plant keys "
                f"of 1 to 8 letters or digits (e.g. 0100,0200); got {bad or plants!r}"
            )
        repeated = sorted({plant for plant in plants if plants.count(plant) > 1})
        if repeated:
            raise ValueError(f"PHARMA_PLANTS names {', '.join(repeated)} more than once")
        return plants

    @field_validator("alert_email_to", mode="before")
    @classmethod
    def _split_recipients(cls, value: object) -> object:
        """``a@x,b@y`` from the environment; a list as it is."""
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("alert_email_to")
    @classmethod
    def _recipients_are_addresses(cls, recipients: list[str]) -> list[str]:
        bad = [address for address in recipients if not _looks_like_address(address)]
        if bad:
            raise ValueError(
                f"PHARMA_ALERT_EMAIL_TO holds {', '.join(repr(b) for b in bad)}, which is not "
                "an e-mail address; give addresses like steward@plant.example, comma-separated"
            )
        return recipients

    @model_validator(mode="after")
    def _email_channel_is_complete(self) -> PlatformSettings:
        if self.alert_smtp_host and not self.alert_email_to:
            raise ValueError(
                f"PHARMA_ALERT_SMTP_HOST is {self.alert_smtp_host!r} but PHARMA_ALERT_EMAIL_TO "
                "names no recipient; set the recipients, or unset the host to switch e-mail "
                "alerts off"
            )
        return self


def _looks_like_address(address: str) -> bool:
    return re.fullmatch(r"[^@\s,;<>]+@[^@\s,;<>]+", address) is not None


def warehouse_for_landing_zone(landing_zone: str) -> str:
    """The default SQLite warehouse of one landing zone (the bundled one keeps the plain name)."""
    if Path(landing_zone).resolve() == BUNDLED_LANDING_ZONE.resolve():
        return PlatformSettings.model_fields["warehouse_url"].get_default()
    digest = hashlib.sha256(landing_zone.encode()).hexdigest()[:8]
    slug = re.sub(r"[^A-Za-z0-9]+", "-", Path(landing_zone).name).strip("-") or "landing"
    return f"sqlite:///{DEFAULT_DATA_DIR / f'warehouse-{slug}-{digest}.sqlite'}"


def load_settings() -> PlatformSettings:
    return PlatformSettings()
