"""Automation: the landing-zone sensor, the graph's automation, alerts, the digest's schedule."""

from pharma_pipelines.sensors.automation import graph_automation_sensor
from pharma_pipelines.sensors.check_alerts import check_failure_alerts
from pharma_pipelines.sensors.digest_schedule import steward_digest_schedule
from pharma_pipelines.sensors.landing_zone import landing_zone_sensor
from pharma_pipelines.sensors.run_failures import run_failure_alerts

__all__ = [
    "check_failure_alerts",
    "graph_automation_sensor",
    "landing_zone_sensor",
    "run_failure_alerts",
    "steward_digest_schedule",
]
