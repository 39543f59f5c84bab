"""Dagster assets and their checks: landing, raw, curated and planning layers."""

from pharma_pipelines.assets.curated import curated_assets, curated_checks
from pharma_pipelines.assets.planning import planning_assets, planning_checks
from pharma_pipelines.assets.raw import (
    every_file_has_a_known_kind,
    file_inventory,
    raw_assets,
    raw_checks,
    raw_outlook,
)

all_assets = [file_inventory, *raw_assets, raw_outlook, *curated_assets, *planning_assets]
all_checks = [every_file_has_a_known_kind, *raw_checks, *curated_checks, *planning_checks]

__all__ = ["all_assets", "all_checks"]
