"""The steward's daily digest: one Markdown page of what needs a data steward's attention.

The page itself is composed in plain Python (``alerting.digest``); this asset only gathers
its inputs: each check's latest evaluation from the Dagster instance (the failed ones, with
how long each check has been failing), the decisions stewards recorded, and each plant's
last schedule from the warehouse. A schedule rebuilds it every morning in the plant's time
zone (``sensors.digest_schedule``).
"""

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence

import dagster as dg
import pandas as pd

from pharma_pipelines.alerting.digest import (
    Decision,
    PlantSchedule,
    StewardDigest,
    compose_digest,
)
from pharma_pipelines.alerting.model import CheckFailure
from pharma_pipelines.assets.check_evaluations import latest_evaluation
from pharma_pipelines.assets.checks_support import policy_args, to_check_result
from pharma_pipelines.assets.dispositions import standing_decision
from pharma_pipelines.assets.raw import OWNER
from pharma_pipelines.check_records import latest_failures
from pharma_pipelines.keys import SCHEDULE_KEY, STEWARD_DIGEST_KEY
from pharma_pipelines.quality.policy import CheckFamily
from pharma_pipelines.quality.rules import RuleOutcome
from pharma_pipelines.resources import WarehouseResource
from pharma_pipelines.warehouse.disposition_repository import DispositionRepository

DECIDED_IN_TIME = "failures_are_decided_in_time"


class RecordedDecisions:
    """Stewards' decisions from the warehouse's check_disposition table.

    A failure has a decision when one stands on its check's latest evaluation: the latest
    decision about the data that evaluation judged, a reject included (the steward has
    decided; the data must be fixed), but not an accept once the asset was materialized
    again (the new data awaits its check). The same rule releases the planning guard.
    """

    def __init__(self, instance: dg.DagsterInstance, repository: DispositionRepository) -> None:
        self._instance = instance
        self._repository = repository

    def decisions_for(self, failure: CheckFailure) -> Sequence[Decision]:
        key = dg.AssetCheckKey(dg.AssetKey.from_user_string(failure.asset), failure.check)
        evaluation = latest_evaluation(self._instance, key, failure.partition)
        if evaluation is None or evaluation.passed:
            return ()
        standing = standing_decision(self._instance, self._repository, evaluation)
        if standing is None:
            return ()
        return (
            Decision(
                decision=standing.decision.value,
                by=standing.decided_by,
                at=standing.decided_at,
                reason=standing.reason,
            ),
        )


def awaiting_version(digest: StewardDigest) -> str:
    """The content version the overdue check judged: the failures awaiting a decision."""
    hashed = hashlib.sha256()
    for failure in sorted(digest.awaiting, key=lambda f: f.target):
        hashed.update(f"{failure.target}|{failure.run_id}|{failure.evaluated_at}\n".encode())
    return hashed.hexdigest()


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
                **policy_args(CheckFamily.OPEN_REVIEW),
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

        decisions = RecordedDecisions(context.instance, warehouse.dispositions())
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
                "decisions_from": "check_disposition",
                "generated_at": digest.generated_at.isoformat(timespec="seconds"),
            },
            check_results=[
                to_check_result(
                    overdue_outcome(digest), CheckFamily.OPEN_REVIEW, awaiting_version(digest)
                )
            ],
        )

    return steward_digest
