"""Dagster assets and their checks: landing, raw, curated and planning layers."""

from collections.abc import Sequence

import dagster as dg

# Not exported at the top level; it is what define_asset_job returns.
from dagster._core.definitions.unresolved_asset_job_definition import (
    UnresolvedAssetJobDefinition,
)

from pharma_pipelines.assets.curated import curated_assets, curated_checks
from pharma_pipelines.assets.dispositions import dispositions_definitions
from pharma_pipelines.assets.planning import DEFAULT_PLANNING_CRON, planning_definitions
from pharma_pipelines.assets.raw import (
    every_file_has_a_known_kind,
    file_inventory,
    raw_assets,
    raw_checks,
    raw_outlook,
)


def asset_definitions(
    plants: Sequence[str],
    planning_cron: str = DEFAULT_PLANNING_CRON,
    timezone: str = "Europe/Berlin",
) -> tuple[
    list[dg.AssetsDefinition], list[dg.AssetChecksDefinition], list[UnresolvedAssetJobDefinition]
]:
    """Every asset, check and asset job; the planning ones partitioned by ``plants``."""
    planning_assets, planning_checks = planning_definitions(
        plants, curated_checks, planning_cron, timezone
    )
    checks = [every_file_has_a_known_kind, *raw_checks, *curated_checks, *planning_checks]
    dispositions, dispositions_check, record_job = dispositions_definitions(checks)
    assets = [
        file_inventory,
        *raw_assets,
        raw_outlook,
        *curated_assets,
        *planning_assets,
        dispositions,
    ]
    return assets, [*checks, dispositions_check], [record_job]


__all__ = ["asset_definitions"]
