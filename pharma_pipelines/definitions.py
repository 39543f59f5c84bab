"""The single composition root: settings choose the resources, everything else receives them.

``dagster dev`` and ``dagster asset materialize`` load ``defs`` from this module; the command
line builds the same definitions with its overrides through ``build_definitions``.
"""

from __future__ import annotations

import dagster as dg

from pharma_pipelines.assets import asset_definitions
from pharma_pipelines.assets.steward_digest import checks_by_partition, steward_digest_asset
from pharma_pipelines.resources import (
    FreshnessResource,
    LandingZoneResource,
    NotifierResource,
    SolverResource,
    WarehouseResource,
)
from pharma_pipelines.sensors import (
    check_failure_alerts,
    landing_zone_sensor,
    steward_digest_schedule,
)
from pharma_pipelines.settings import PlatformSettings, load_settings


def landing_zone(settings: PlatformSettings) -> LandingZoneResource:
    return LandingZoneResource(
        root=settings.landing_zone,
        max_mail_bytes=settings.mail_max_bytes,
        max_attachment_bytes=settings.mail_attachment_max_bytes,
        max_inflated_bytes=settings.mail_inflated_max_bytes,
        max_message_depth=settings.mail_max_depth,
    )


def notifier(settings: PlatformSettings) -> NotifierResource:
    """The alert channels; secrets stay in the environment, read when a channel is built."""
    return NotifierResource(
        ui_base_url=settings.alert_ui_base_url,
        smtp_host=settings.alert_smtp_host,
        smtp_port=settings.alert_smtp_port,
        smtp_starttls=settings.alert_smtp_starttls,
        smtp_user=settings.alert_smtp_user,
        smtp_ca_file=settings.alert_smtp_ca_file,
        email_from=settings.alert_email_from,
        email_to=settings.alert_email_to,
        webhook_url=settings.alert_webhook_url,
        webhook_timeout_s=settings.alert_webhook_timeout_s,
        webhook_attempts=settings.alert_webhook_attempts,
        webhook_backoff_s=settings.alert_webhook_backoff_s,
    )


def build_resources(settings: PlatformSettings) -> dict[str, dg.ConfigurableResource]:
    return {
        "landing": landing_zone(settings),
        "warehouse": WarehouseResource(url=settings.warehouse_url),
        "solver": SolverResource(
            time_limit_s=settings.solver_time_limit_s,
            threads=settings.solver_threads,
            seed=settings.solver_seed,
            soften_deadlines=settings.solver_soften_deadlines,
            plant_timezone=settings.plant_timezone,
            horizon_slack_days=settings.horizon_slack_days,
        ),
        "notifier": notifier(settings),
        "freshness": FreshnessResource(
            limits_hours=settings.freshness_limits_hours,
            plan_time=settings.plan_time,
            timezone=settings.plant_timezone,
        ),
    }


def build_definitions(settings: PlatformSettings) -> dg.Definitions:
    assets, checks, jobs = asset_definitions(settings.plants)
    digest = steward_digest_asset(
        checks_by_partition([*assets, *checks]),
        settings.plants,
        settings.plant_timezone,
        settings.digest_decision_limit_hours,
        settings.alert_ui_base_url,
    )
    return dg.Definitions(
        assets=[*assets, digest],
        asset_checks=checks,
        jobs=jobs,
        sensors=[landing_zone_sensor, check_failure_alerts],
        schedules=[steward_digest_schedule(settings.digest_cron, settings.plant_timezone)],
        resources=build_resources(settings),
        # One process per run: steps are short and share the warehouse engine; the
        # multiprocess default spends seconds per step starting interpreters.
        executor=dg.in_process_executor,
    )


defs = build_definitions(load_settings())
