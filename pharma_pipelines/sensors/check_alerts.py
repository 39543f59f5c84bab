"""Alerts on failed ERROR checks: one e-mail and one webhook call per failed evaluation.

A run-failure sensor never sees a failed check (the run itself succeeds), so this sensor
reads the check evaluations from the instance's event log, in the order they were stored,
and announces each evaluation that failed with ERROR severity; passed checks and WARN
failures are passed over (WARN failures wait for the steward's digest).

The cursor records what was seen, never the wall clock: for each channel the storage id of
the last evaluation it has settled (``alerting.dispatch`` explains the order and the
retries). Dagster stores the cursor with the sensor, so it survives a restart of the daemon
or of the whole deployment. Work per tick is bounded: at most ``EVALUATIONS_PER_TICK``
evaluations read and ``ALERTS_PER_TICK`` alerts sent per channel, and no alert is started
after ``SENDING_BUDGET_S`` seconds of the tick; the rest wait for the next tick. The budget
matters for more than speed: a tick that overruns Dagster's sensor timeout (60 s by
default) is abandoned with its cursor, and the alerts it had sent would go out again. With
the default timeouts one send takes at most about 20 s, so a tick ends well within 60 s.
"""

import json
import time

import dagster as dg

from pharma_pipelines.alerting.dispatch import dispatch
from pharma_pipelines.check_records import evaluations_after
from pharma_pipelines.resources import NotifierResource

MINIMUM_INTERVAL_SECONDS = 60
EVALUATIONS_PER_TICK = 500
ALERTS_PER_TICK = 25
SENDING_BUDGET_S = 25.0


def read_cursor(cursor: str | None) -> dict[str, int]:
    """Each channel's last settled storage id, from the cursor this sensor wrote."""
    if not cursor:
        return {}
    try:
        stored = json.loads(cursor)
        positions = stored["channels"]
        if not all(isinstance(v, int) and isinstance(k, str) for k, v in positions.items()):
            raise TypeError("a position is not a storage id")
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ValueError(
            f"check_failure_alerts: cursor {cursor!r} is not one this sensor writes "
            '({"channels": {"email": <storage id>, ...}}); reset the cursor in the UI '
            "(Automation, check_failure_alerts) to start from the first evaluation"
        ) from error
    return dict(positions)


def write_cursor(positions: dict[str, int]) -> str:
    return json.dumps({"channels": positions}, sort_keys=True)


@dg.sensor(
    name="check_failure_alerts",
    minimum_interval_seconds=MINIMUM_INTERVAL_SECONDS,
    description=(
        "Sends an e-mail and/or a webhook call for every asset check evaluation that failed "
        "with ERROR severity, once per evaluation, in the order they happened; a channel "
        "that cannot deliver tries again on the next tick."
    ),
    default_status=dg.DefaultSensorStatus.STOPPED,
)
def check_failure_alerts(
    context: dg.SensorEvaluationContext, notifier: NotifierResource
) -> dg.SensorResult:
    channels = notifier.channels()
    if not channels:
        return dg.SensorResult(
            skip_reason=dg.SkipReason(
                "no alert channel configured: set PHARMA_ALERT_SMTP_HOST (and "
                "PHARMA_ALERT_EMAIL_TO) or PHARMA_ALERT_WEBHOOK_URL"
            ),
            cursor=context.cursor,
        )
    known = read_cursor(context.cursor)

    def read_after(position: int):
        return evaluations_after(
            context.instance, position, EVALUATIONS_PER_TICK, notifier.ui_base_url
        )

    started = time.monotonic()
    outcome = dispatch(
        channels,
        known,
        read_after,
        ALERTS_PER_TICK,
        out_of_time=lambda: time.monotonic() - started > SENDING_BUDGET_S,
    )
    for name, error in sorted(outcome.errors.items()):
        context.log.error("%s channel: %s; it tries again on the next tick", name, error)
    for note in outcome.notes:
        context.log.warning("%s", note)
    sent = ", ".join(f"{name} {len(ids)}" for name, ids in sorted(outcome.sent.items()))
    context.log.info(
        "%d evaluations read, alerts sent: %s, positions %s",
        outcome.read,
        sent,
        outcome.positions,
    )
    note = f"{outcome.read} check evaluations read; alerts sent: {sent}"
    if outcome.errors:
        note += "; not delivered: " + "; ".join(
            f"{name}: {error}" for name, error in sorted(outcome.errors.items())
        )
    return dg.SensorResult(skip_reason=dg.SkipReason(note), cursor=write_cursor(outcome.positions))
