"""How old the schedule's inputs may be, as a Dagster resource."""

from __future__ import annotations

import dagster as dg


class FreshnessResource(dg.ConfigurableResource):
    """Freshness limits per input of the schedule and the plan time they are measured at.

    ``limits_hours`` maps a raw extract kind (``sap/production_orders``) to the hours its
    oldest extract still in use may lie before the plan time. ``plan_time`` is empty (the
    newest extract among the inputs), ``now`` or an ISO 8601 time; ``timezone`` is the
    plant's, in which file-name stamps and offset-less plan times are read.
    """

    limits_hours: dict[str, float]
    plan_time: str = ""
    timezone: str = "Europe/Berlin"
