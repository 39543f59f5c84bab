"""Dagster resources: landing zone, warehouse, solver settings, input freshness and the alert
notifier."""

from pharma_pipelines.resources.freshness import FreshnessResource
from pharma_pipelines.resources.landing_zone import LandingEntry, LandingZoneResource
from pharma_pipelines.resources.notifier import NotifierResource
from pharma_pipelines.resources.solver import SolverResource
from pharma_pipelines.resources.warehouse import WarehouseResource

__all__ = [
    "FreshnessResource",
    "LandingEntry",
    "LandingZoneResource",
    "NotifierResource",
    "SolverResource",
    "WarehouseResource",
]
