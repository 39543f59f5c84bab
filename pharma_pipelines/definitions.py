"""The single composition root: settings choose the resources, everything else receives them.

``dagster dev`` and ``dagster asset materialize`` load ``defs`` from this module; the command
line builds the same definitions with its overrides through ``build_definitions``.
"""

from __future__ import annotations

import dagster as dg

from pharma_pipelines.assets import asset_definitions
from pharma_pipelines.resources import (
    FreshnessResource,
    LandingZoneResource,
    SolverResource,
    WarehouseResource,
)
from pharma_pipelines.sensors import landing_zone_sensor
from pharma_pipelines.settings import PlatformSettings, load_settings


def landing_zone(settings: PlatformSettings) -> LandingZoneResource:
    return LandingZoneResource(
        root=settings.landing_zone,
        max_mail_bytes=settings.mail_max_bytes,
        max_attachment_bytes=settings.mail_attachment_max_bytes,
        max_inflated_bytes=settings.mail_inflated_max_bytes,
        max_message_depth=settings.mail_max_depth,
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
        "freshness": FreshnessResource(
            limits_hours=settings.freshness_limits_hours,
            plan_time=settings.plan_time,
            timezone=settings.plant_timezone,
        ),
    }


def build_definitions(settings: PlatformSettings) -> dg.Definitions:
    assets, checks, jobs = asset_definitions(settings.plants)
    return dg.Definitions(
        assets=assets,
        asset_checks=checks,
        jobs=jobs,
        sensors=[landing_zone_sensor],
        resources=build_resources(settings),
        # One process per run: steps are short and share the warehouse engine; the
        # multiprocess default spends seconds per step starting interpreters.
        executor=dg.in_process_executor,
    )


defs = build_definitions(load_settings())
