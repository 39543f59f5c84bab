"""When assets refresh by themselves: declarative automation conditions and retry policies.

Raw assets are started by the landing-zone sensor; from there the graph moves on its own,
evaluated by the automation sensor (``sensors.automation``):

- a curated table refreshes when one of its raw inputs was updated, once none of them is
  missing or still running and their blocking checks have passed;
- a plant's scheduling problem is rebuilt on the planning cron (plant time) and when the
  curated production orders change, under the same rules on its curated inputs;
- a plant's schedule solves whenever its problem was rebuilt and the problem's blocking
  checks (run with it) passed: on the sensor's next tick after the problem's run.

A condition never looks at stewards' decisions (they live in the warehouse): a failed
blocking check that a steward accepted still stops automation, and the plant is planned by
a run launched by hand, which the planning assets' own guard then lets through.

Raw assets read the landing zone, which can fail for a moment (an S3 throttle, a share that
is remounted): they retry with exponential backoff before the run fails.
"""

from __future__ import annotations

import dagster as dg

from pharma_pipelines.keys import curated_key

AC = dg.AutomationCondition

RAW_RETRY_POLICY = dg.RetryPolicy(
    max_retries=3, delay=2.0, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)
"""Three more tries after about 2, 4 and 8 seconds (give or take a random part, so that
runs started together do not retry in step)."""

# A run is the unit of work; waiting for running parents avoids computing on half of them.
_READY = ~AC.any_deps_missing() & ~AC.any_deps_in_progress() & ~AC.in_progress()


def curated_condition() -> dg.AutomationCondition:
    """Refresh when a raw input was updated, with all inputs there and their checks passed."""
    return (
        AC.any_deps_updated().since_last_handled().with_label("a raw input was updated")
        & _READY
        & AC.all_deps_blocking_checks_passed()
    ).with_label("curated: refresh on new raw rows")


def problem_condition(cron: str, timezone: str) -> dg.AutomationCondition:
    """Rebuild a plant's problem on ``cron`` (in ``timezone``) and when orders change."""
    orders_changed = (
        AC.any_deps_updated()
        .allow(dg.AssetSelection.assets(curated_key("production_orders")))
        .with_label("production orders were updated")
    )
    return (
        (AC.cron_tick_passed(cron, timezone) | orders_changed).since_last_handled()
        & _READY
        & AC.all_deps_blocking_checks_passed()
    ).with_label(f"planning: on '{cron}' ({timezone}) and when orders change")


def schedule_condition() -> dg.AutomationCondition:
    """Solve whenever the plant's problem was rebuilt and its blocking checks passed."""
    return (
        AC.any_deps_updated().since_last_handled().with_label("the problem was rebuilt")
        & _READY
        & AC.all_deps_blocking_checks_passed()
    ).with_label("schedule: solve each new problem")
