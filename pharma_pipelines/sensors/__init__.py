"""Sensors: the landing-zone sensor."""

from pharma_pipelines.sensors.landing_zone import landing_zone_sensor

__all__ = ["landing_zone_sensor"]
