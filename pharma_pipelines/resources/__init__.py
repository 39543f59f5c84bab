"""Dagster resources: landing zone, warehouse, solver settings and input freshness."""

from pharma_pipelines.resources.freshness import FreshnessResource
from pharma_pipelines.resources.landing_zone import LandingEntry, LandingZoneResource
from pharma_pipelines.resources.solver import SolverResource
from pharma_pipelines.resources.warehouse import WarehouseResource

__all__ = [
    "FreshnessResource",
    "LandingEntry",
    "LandingZoneResource",
    "SolverResource",
    "WarehouseResource",
]
