"""Settings of the schedule solve, as a Dagster resource."""

from __future__ import annotations

import dagster as dg


class SolverResource(dg.ConfigurableResource):
    """CBC limits: wall-clock limit, threads and seed (one thread and a fixed seed repeat).

    ``soften_deadlines``: when the hard deadlines make a plant's problem infeasible, solve
    it once more with the deadlines softened, to show the least-bad plan.
    """

    time_limit_s: float = 20.0
    threads: int = 1
    seed: int = 0
    soften_deadlines: bool = True
    plant_timezone: str = "Europe/Berlin"
    horizon_slack_days: int = 7
