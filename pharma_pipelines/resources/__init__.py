"""Dagster resources: landing zone, warehouse and solver settings."""

from pharma_pipelines.resources.landing_zone import LandingEntry, LandingZoneResource
from pharma_pipelines.resources.solver import SolverResource
from pharma_pipelines.resources.warehouse import WarehouseResource

__all__ = ["LandingEntry", "LandingZoneResource", "SolverResource", "WarehouseResource"]
