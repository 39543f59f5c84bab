"""Alerts on failed runs: which assets, where and why, through the check alerts' channels.

A check that fails does not fail its run, so ``check_failure_alerts`` covers checks; this
sensor covers the rest: a run that failed (a landing zone that stayed unreachable after
the raw assets' retries, a plant held back by a failed check, a solver that crashed).

Dagster keeps this sensor's cursor itself, one failed run after the other, and moves past a
run once the sensor has handled it, delivered or not. So a channel that cannot deliver is
not retried on the next tick: the tick fails and shows the channel's error, the webhook
has already retried its passing failures, and the run stays failed in the UI. Runs of
every job in this code location are watched.
"""

from __future__ import annotations

import datetime as dt

import dagster as dg

from pharma_pipelines.alerting.delivery import DeliveryError
from pharma_pipelines.alerting.links import run_url
from pharma_pipelines.alerting.model import FailedStep, RunFailure
from pharma_pipelines.resources import NotifierResource

MINIMUM_INTERVAL_SECONDS = 30


def _error_text(error: object) -> str:
    """An error's message, and its cause's (a retried step wraps the real one)."""
    parts: list[str] = []
    while error is not None and len(parts) < 4:
        message = str(getattr(error, "message", "")).strip()
        name = getattr(error, "cls_name", None)
        if message and "RetryRequestedFromPolicy" not in message:
            parts.append(f"{name}: {message}" if name and name not in message else message)
        error = getattr(error, "cause", None)
    return "\ncaused by: ".join(parts)


def _assets_by_step(instance: dg.DagsterInstance, run: dg.DagsterRun) -> dict[str, list[str]]:
    """Which assets each step of the run materializes, from the run's execution plan."""
    if not run.execution_plan_snapshot_id:
        return {}
    plan = instance.get_execution_plan_snapshot(run.execution_plan_snapshot_id)
    found: dict[str, list[str]] = {}
    for step in plan.steps:
        for output in step.outputs:
            key = output.properties.asset_key if output.properties else None
            if key is not None and step.key in plan.step_keys_to_execute:
                found.setdefault(step.key, []).append(key.to_user_string())
    return found


def describe_failure(context: dg.RunFailureSensorContext, ui_base_url: str | None) -> RunFailure:
    run = context.dagster_run
    by_step = _assets_by_step(context.instance, run)
    assets = sorted(
        {key.to_user_string() for key in run.asset_selection or ()}
        | {asset for found in by_step.values() for asset in found}
    )
    steps = []
    for event in context.get_step_failure_events():
        step = event.step_key or "?"
        error = getattr(event.event_specific_data, "error", None)
        steps.append(
            FailedStep(step, tuple(sorted(by_step.get(step, []))), _error_text(error) or "no error")
        )
    record = context.instance.get_run_record_by_id(run.run_id)
    ended = record.end_time if record and record.end_time else None
    return RunFailure(
        run_id=run.run_id,
        job=run.job_name,
        assets=tuple(assets),
        failed_at=dt.datetime.fromtimestamp(ended, dt.UTC) if ended else dt.datetime.now(dt.UTC),
        error=context.failure_event.message or "the run failed",
        steps=tuple(steps),
        partition=run.tags.get("dagster/partition"),
        run_url=run_url(ui_base_url, run.run_id),
    )


@dg.run_failure_sensor(
    name="run_failure_alerts",
    minimum_interval_seconds=MINIMUM_INTERVAL_SECONDS,
    description=(
        "Sends an e-mail and/or a webhook call for every failed run: its assets, the failed "
        "steps and their errors, and a link to the run."
    ),
    default_status=dg.DefaultSensorStatus.STOPPED,
)
def run_failure_alerts(context: dg.RunFailureSensorContext, notifier: NotifierResource) -> None:
    channels = notifier.channels()
    if not channels:
        context.log.warning(
            "run %s failed and no alert channel is configured: set PHARMA_ALERT_SMTP_HOST "
            "(and PHARMA_ALERT_EMAIL_TO) or PHARMA_ALERT_WEBHOOK_URL",
            context.dagster_run.run_id,
        )
        return
    failure = describe_failure(context, notifier.ui_base_url)
    problems = []
    for channel in channels:
        try:
            note = channel.send(failure)
        except DeliveryError as error:
            problems.append(f"{channel.name}: {error}")
            continue
        if note:
            context.log.warning("%s", note)
        context.log.info("%s sent about %s", channel.name, failure.target)
    if problems:
        raise DeliveryError(
            f"the alert about {failure.target} was not delivered by every channel: "
            + "; ".join(problems)
        )
