"""The morning schedule that rebuilds the steward's digest, in the plant's time zone."""

from __future__ import annotations

import dagster as dg

from pharma_pipelines.keys import STEWARD_DIGEST_KEY


def steward_digest_schedule(cron: str, timezone: str) -> dg.ScheduleDefinition:
    """Materializes ``quality/steward_digest`` at ``cron`` (06:00 by default) in ``timezone``.

    Off by default, like the sensors: switch it on in the UI under Automation.
    """
    return dg.ScheduleDefinition(
        name="steward_digest_schedule",
        target=dg.AssetSelection.assets(STEWARD_DIGEST_KEY),
        cron_schedule=cron,
        execution_timezone=timezone,
        description=f"Rebuilds the steward's digest at '{cron}' ({timezone}).",
        default_status=dg.DefaultScheduleStatus.STOPPED,
    )
