"""The steward's daily digest: one Markdown page of what needs a data steward's attention.

The page itself is composed in plain Python (``alerting.digest``); this asset only gathers
its inputs: each check's latest evaluation from the Dagster instance (the failed ones, with
how long each check has been failing), the decisions stewards recorded, and each plant's
last schedule from the warehouse. A schedule rebuilds it every morning in the plant's time
zone (``sensors.digest_schedule``).
"""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

import dagster as dg
import pandas as pd

from pharma_pipelines.alerting.digest import (
    DecisionLog,
    NoDecisionLog,
    PlantSchedule,
    StewardDigest,
    compose_digest,
)
from pharma_pipelines.assets.checks_support import WARN, to_check_result
from pharma_pipelines.assets.raw import OWNER
from pharma_pipelines.check_records import latest_failures
from pharma_pipelines.keys import SCHEDULE_KEY, STEWARD_DIGEST_KEY
from pharma_pipelines.quality.rules import RuleOutcome
from pharma_pipelines.resources import WarehouseResource

DECIDED_IN_TIME = "failures_are_decided_in_time"


def decision_log(warehouse: WarehouseResource) -> DecisionLog:
    """Where the stewards' decisions on failed checks are read from.

    No decision is recorded anywhere yet, so every failed ERROR check awaits one. Once the
    dispositions table exists, return its adapter here; nothing else changes.
    """
    return NoDecisionLog()


def plant_schedules(warehouse: WarehouseResource, plants: Sequence[str]) -> list[PlantSchedule]:
    planning = warehouse.planning()
    schedules = []
    for plant in plants:
        latest = planning.latest_schedule(plant)
        if latest is None:
            schedules.append(PlantSchedule(plant=plant))
            continue
        solved_at = latest.created_at
        if solved_at.tzinfo is None:
            # SQLite hands back the stored UTC time without its zone.
            solved_at = solved_at.replace(tzinfo=dt.UTC)
        schedules.append(
            PlantSchedule(
                plant=plant,
                status=latest.status,
                objective=latest.objective,
                gap=latest.gap,
                solved_at=solved_at,
                verified=latest.verified,
                run_id=latest.run_id,
            )
        )
    return schedules


def checks_by_partition(
    definitions: Iterable[dg.AssetsDefinition | dg.AssetChecksDefinition],
) -> dict[dg.AssetCheckKey, list[str | None]]:
    """Every check the definitions declare, with its partitions (``[None]``: unpartitioned)."""
    checks: dict[dg.AssetCheckKey, list[str | None]] = {}
    for definition in definitions:
        for spec in definition.check_specs:
            partitions = spec.partitions_def
            checks[spec.key] = list(partitions.get_partition_keys()) if partitions else [None]
    return dict(sorted(checks.items(), key=lambda item: item[0].to_user_string()))


def overdue_outcome(digest: StewardDigest) -> RuleOutcome:
    limit = digest.decision_limit
    hours = f"{limit.total_seconds() / 3600:g} h"
    overdue = pd.DataFrame(
        [
            {
                "check": failure.check,
                "asset": failure.asset,
                "partition": failure.partition or "",
                "failing_since": (failure.failing_since or failure.evaluated_at).isoformat(
                    timespec="minutes"
                ),
                "waited_hours": round(digest.waited(failure).total_seconds() / 3600, 1),
            }
            for failure in digest.overdue
        ]
    )
    return RuleOutcome(
        rule=f"decision within {hours}",
        passed=not digest.overdue,
        measured=(
            f"{len(digest.overdue)} of {len(digest.awaiting)} failures awaiting a decision "
            f"waited longer than {hours}"
        ),
        expected=f"0 failures waiting longer than {hours} (PHARMA_DIGEST_DECISION_LIMIT_HOURS)",
        failed_count=len(digest.overdue),
        total=len(digest.awaiting),
        failing_rows=overdue,
    )


def steward_digest_asset(
    checks: Mapping[dg.AssetCheckKey, Sequence[str | None]],
    plants: Sequence[str],
    timezone: str,
    decision_limit_hours: float,
    ui_base_url: str | None,
) -> dg.AssetsDefinition:
    """The digest over ``checks`` (with their partitions) and the schedules of ``plants``.

    Times are shown in ``timezone``; messages link into the UI at ``ui_base_url`` if set.
    """
    decision_limit = dt.timedelta(hours=decision_limit_hours)

    @dg.asset(
        key=STEWARD_DIGEST_KEY,
        deps=[SCHEDULE_KEY],
        group_name="quality",
        kinds={"python", "markdown"},
        owners=[OWNER],
        tags={"layer": "quality"},
        description=(
            "The data steward's daily digest, as Markdown in the metadata (digest): failed "
            "ERROR checks awaiting a decision with how long each has waited, stale inputs "
            "(failed freshness checks), and each plant's last schedule with its status, "
            "objective, gap and when it was solved. Built from the check results in the "
            "Dagster instance and the schedules in the warehouse; rebuilt every morning by "
            "the steward_digest_schedule."
        ),
        check_specs=[
            dg.AssetCheckSpec(
                DECIDED_IN_TIME,
                asset=STEWARD_DIGEST_KEY,
                description=(
                    f"No failed ERROR check has waited longer than {decision_limit_hours:g} h "
                    "for a steward's decision (the overdue ones are listed)."
                ),
            )
        ],
    )
    def steward_digest(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        failures = latest_failures(context.instance, checks, ui_base_url)
        context.log.info(
            "%d checks read, %d failing on their latest evaluation", len(checks), len(failures)
        )

        decisions = decision_log(warehouse)
        schedules = plant_schedules(warehouse, plants)
        digest = compose_digest(
            failures,
            decisions,
            schedules,
            generated_at=dt.datetime.now(dt.UTC),
            timezone=timezone,
            decision_limit=decision_limit,
        )
        context.log.info(
            "%d awaiting a decision (%d overdue), %d stale inputs, %d plants",
            len(digest.awaiting),
            len(digest.overdue),
            len(digest.stale),
            len(schedules),
        )
        return dg.MaterializeResult(
            metadata={
                "digest": dg.MetadataValue.md(digest.markdown()),
                "awaiting_decision": len(digest.awaiting),
                "overdue": len(digest.overdue),
                "stale_inputs": len(digest.stale),
                "plants_published": sum(1 for s in schedules if s.verified),
                "plants": len(schedules),
                "decisions_from": type(decisions).__name__,
                "generated_at": digest.generated_at.isoformat(timespec="seconds"),
            },
            check_results=[to_check_result(overdue_outcome(digest), WARN)],
        )

    return steward_digest
