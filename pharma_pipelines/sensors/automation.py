"""The sensor that evaluates the automation conditions of the curated and planning assets.

Off by default like the other sensors: switched on in the UI (Automation), it requests the
runs that ``assets.automation`` describes, every ``MINIMUM_INTERVAL_SECONDS``.
"""

from __future__ import annotations

import dagster as dg

MINIMUM_INTERVAL_SECONDS = 30


def graph_automation_sensor() -> dg.AutomationConditionSensorDefinition:
    return dg.AutomationConditionSensorDefinition(
        "graph_automation",
        target=dg.AssetSelection.groups("curated", "planning"),
        minimum_interval_seconds=MINIMUM_INTERVAL_SECONDS,
        description=(
            "Refreshes curated tables when their raw inputs change, and rebuilds and solves "
            "each plant's schedule on the planning cron and when the orders change, only "
            "while the blocking checks upstream pass."
        ),
        default_status=dg.DefaultSensorStatus.STOPPED,
    )
