"""Automation: the landing-zone sensor, alerts on failed checks, the digest's schedule."""

from pharma_pipelines.sensors.check_alerts import check_failure_alerts
from pharma_pipelines.sensors.digest_schedule import steward_digest_schedule
from pharma_pipelines.sensors.landing_zone import landing_zone_sensor

__all__ = ["check_failure_alerts", "landing_zone_sensor", "steward_digest_schedule"]
