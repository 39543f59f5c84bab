"""Settings of the schedule solve, as a Dagster resource."""

from __future__ import annotations

import dagster as dg


class SolverResource(dg.ConfigurableResource):
    """CBC limits: wall-clock limit, threads and seed (one thread and a fixed seed repeat)."""

    time_limit_s: float = 20.0
    threads: int = 1
    seed: int = 0
    plant_timezone: str = "Europe/Berlin"
    horizon_slack_days: int = 7
