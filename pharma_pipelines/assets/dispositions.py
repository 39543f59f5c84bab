"""Data stewards' decisions on failed checks, and the guard that honours them across runs.

A failed blocking check holds its downstream assets back, in its own run (Dagster skips the
steps) and in later runs (the planning assets look the latest result up, see ``holds``). A
data steward may decide that a failure is acceptable for the data it judged, with a reason,
or reject it. The decision is recorded in the warehouse's append-only ``check_disposition``
table against the exact evaluation and materialization; an accepted failure releases the
hold for that data only, and the next materialization is checked afresh.

Decisions come in through one code path, ``record_disposition``: the ``record_disposition``
job materializes ``quality/check_dispositions`` with the decision as typed config, and the
``pharma-pipelines disposition accept|reject`` command launches that job.
"""

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import dagster as dg
import pandas as pd

# Not exported at the top level; it is what define_asset_job returns.
from dagster._core.definitions.unresolved_asset_job_definition import (
    UnresolvedAssetJobDefinition,
)
from pydantic import Field

from pharma_pipelines.assets.check_evaluations import (
    CheckEvaluation,
    latest_evaluation,
    latest_materialization,
)
from pharma_pipelines.assets.checks_support import markdown_table, policy_args, to_check_result
from pharma_pipelines.assets.raw import OWNER
from pharma_pipelines.keys import DISPOSITIONS_KEY
from pharma_pipelines.quality.policy import CheckFamily
from pharma_pipelines.quality.rules import RuleOutcome
from pharma_pipelines.resources import WarehouseResource
from pharma_pipelines.warehouse.disposition_repository import (
    Decision,
    Disposition,
    DispositionRepository,
    DispositionToRecord,
    InvalidDisposition,
    as_dict,
)

ERROR = dg.AssetCheckSeverity.ERROR
RECORD_JOB = "record_disposition"
DISPOSITIONS_OP = "__".join(DISPOSITIONS_KEY.path)
MAX_ROWS_SHOWN = 200


class DispositionRefused(ValueError):
    """A decision that cannot be recorded; the message says what was found and what to do."""


# --- the guard -------------------------------------------------------------------------


@dataclass(frozen=True)
class Guard:
    """A blocking check an asset must not build past while it has failed."""

    key: dg.AssetCheckKey
    partitioned: bool


@dataclass(frozen=True)
class Hold:
    """A failed check that holds an asset back, and why no decision releases it."""

    evaluation: CheckEvaluation
    decision: Disposition | None
    why: str

    def command(self) -> str:
        """The command that accepts this failure for its data."""
        key = self.evaluation.key
        partition = f" --partition {self.evaluation.partition}" if self.evaluation.partition else ""
        return (
            f"pharma-pipelines disposition accept {key.asset_key.to_user_string()}:{key.name}"
            f'{partition} --reason "..."'
        )


def holds(
    instance: dg.DagsterInstance,
    repository: DispositionRepository,
    guards: Sequence[Guard],
    partition: str | None,
) -> list[Hold]:
    """The guards whose latest evaluation failed with ERROR severity and is not accepted.

    A failure is released by an accept recorded for the very data it judged, as long as the
    asset has not been materialized again since (that data is not checked yet). The latest
    decision about the data counts: a reject after an accept holds it back again.
    """
    found = []
    for guard in guards:
        evaluation = latest_evaluation(
            instance, guard.key, partition if guard.partitioned else None
        )
        if evaluation is None or evaluation.passed or evaluation.severity != ERROR:
            continue
        decision = decision_about(repository, evaluation)
        if decision is None:
            found.append(Hold(evaluation, None, "no data steward has decided on it"))
        elif decision.decision is Decision.REJECT:
            found.append(Hold(evaluation, decision, f"{_decided(decision)}, which holds it"))
        elif (why := _changed_since(instance, evaluation)) is not None:
            found.append(Hold(evaluation, decision, f"{_decided(decision)}, but {why}"))
    return found


def decision_about(
    repository: DispositionRepository, evaluation: CheckEvaluation
) -> Disposition | None:
    """The latest decision on this check about the data this evaluation judged."""
    if evaluation.data is None:
        return None
    decisions = repository.about(
        evaluation.asset,
        evaluation.key.name,
        evaluation.partition,
        storage_id=evaluation.data.storage_id,
        run_id=evaluation.data.run_id,
        data_version=evaluation.data.data_version,
    )
    return decisions[0] if decisions else None


def standing_decision(
    instance: dg.DagsterInstance, repository: DispositionRepository, evaluation: CheckEvaluation
) -> Disposition | None:
    """The decision that stands on this failed evaluation: the latest about its data, unless
    it is an accept and the asset has been materialized again since (that data is unchecked)."""
    decision = decision_about(repository, evaluation)
    if decision is None:
        return None
    if decision.decision is Decision.ACCEPT and _changed_since(instance, evaluation) is not None:
        return None
    return decision


def held_back_message(subject: str, found: Sequence[Hold]) -> str:
    lines = [
        f"{subject} is held back: the latest evaluation of {len(found)} blocking check(s) "
        "upstream failed, and no data steward's decision lets the data through:"
    ]
    for hold in found:
        evaluation = hold.evaluation
        lines.append(
            f"- {evaluation.target}: {evaluation.description or 'failed'} "
            f"({evaluation.describe()}); {hold.why}; to accept it: {hold.command()}"
        )
    lines.append(
        "Fix the data and materialize those assets again (their checks run with them), or "
        "have a data steward accept the failure for exactly this data with the command shown "
        f"or the {RECORD_JOB} job; `pharma-pipelines disposition list` shows every failed "
        "check and its decision."
    )
    return "\n".join(lines)


def _decided(decision: Disposition) -> str:
    when = decision.decided_at.strftime("%Y-%m-%d %H:%M UTC")
    verb = "accepted" if decision.decision is Decision.ACCEPT else "rejected"
    return f"{verb} by {decision.decided_by} on {when} (disposition #{decision.id})"


def _changed_since(instance: dg.DagsterInstance, evaluation: CheckEvaluation) -> str | None:
    judged = evaluation.data
    current = latest_materialization(instance, evaluation.key.asset_key, evaluation.partition)
    if judged is None or current is None or current.is_same_data(judged):
        return None
    return (
        f"{evaluation.asset} was materialized again since ({current.describe(evaluation.asset)}) "
        "and that data has not been checked"
    )


# --- which checks there are ------------------------------------------------------------


@dataclass(frozen=True)
class CheckCatalog:
    """Every check of the definitions, to name one from the command line or job config."""

    specs: dict[dg.AssetCheckKey, dg.AssetCheckSpec]

    @classmethod
    def from_specs(cls, specs: Iterable[dg.AssetCheckSpec]) -> "CheckCatalog":
        return cls({spec.key: spec for spec in specs})

    @classmethod
    def from_definitions(cls, checks: Sequence[dg.AssetChecksDefinition]) -> "CheckCatalog":
        return cls.from_specs(spec for definition in checks for spec in definition.check_specs)

    def partitions(self, key: dg.AssetCheckKey) -> list[str] | None:
        definition = self.specs[key].partitions_def
        return None if definition is None else list(definition.get_partition_keys())

    def targets(self) -> list[tuple[dg.AssetCheckKey, str | None]]:
        """Every check, once per partition of a partitioned one."""
        return [
            (key, partition)
            for key in sorted(self.specs, key=lambda k: k.to_user_string())
            for partition in (self.partitions(key) or [None])
        ]

    def resolve(
        self, check: str, asset: str | None = None, partition: str | None = None
    ) -> tuple[dg.AssetCheckKey, str | None]:
        """The check ``check`` names (``name`` or ``asset:name``) and its partition."""
        name = check.strip()
        if ":" in name:
            named_asset, name = name.rsplit(":", 1)
            if asset and asset.strip() != named_asset:
                raise DispositionRefused(
                    f"check {check!r} names asset {named_asset!r} but asset is {asset!r}: "
                    "name the asset once, in either place"
                )
            asset = named_asset
        if not name:
            raise DispositionRefused(
                f"no check named: got {check!r}; give a check name or asset:name, such as "
                "curated/batches:released_batches_have_no_valid_oos"
            )
        candidates = [
            key
            for key in self.specs
            if key.name == name and (not asset or key.asset_key.to_user_string() == asset.strip())
        ]
        if not candidates:
            raise DispositionRefused(self._unknown(name, asset))
        if len(candidates) > 1:
            options = ", ".join(sorted(k.to_user_string() for k in candidates))
            raise DispositionRefused(
                f"check {name!r} is on {len(candidates)} assets: name one as asset:name, one "
                f"of {options}"
            )
        [key] = candidates
        return key, self._partition(key, partition)

    def _unknown(self, name: str, asset: str | None) -> str:
        if asset:
            on_asset = sorted(k.name for k in self.specs if k.asset_key.to_user_string() == asset)
            if not on_asset:
                assets = sorted({k.asset_key.to_user_string() for k in self.specs})
                return f"asset {asset!r} has no checks; assets with checks: {', '.join(assets)}"
            return f"asset {asset} has no check {name!r}; its checks: {', '.join(on_asset)}"
        return (
            f"no check is named {name!r}; `pharma-pipelines disposition list` shows the failed "
            "checks by name"
        )

    def _partition(self, key: dg.AssetCheckKey, partition: str | None) -> str | None:
        allowed = self.partitions(key)
        given = (partition or "").strip() or None
        target = key.to_user_string()
        if allowed is None:
            if given is not None:
                raise DispositionRefused(
                    f"{target} is not partitioned, but partition {given!r} was given: leave "
                    "the partition out"
                )
            return None
        if given not in allowed:
            shown = repr(given) if given else "no partition"
            raise DispositionRefused(
                f"{target} is checked per plant, and {shown} is not one of its partitions: "
                f"give the partition (--partition), one of {', '.join(allowed)}"
            )
        return given


# --- what awaits a decision ------------------------------------------------------------


@dataclass(frozen=True)
class FailedCheck:
    """A check whose latest evaluation failed, and the decision in force for its data."""

    evaluation: CheckEvaluation
    blocking: bool
    decision: Disposition | None
    stale: str | None = None

    @property
    def status(self) -> str:
        decided = "awaiting a decision" if self.decision is None else _decided(self.decision)
        return f"{decided}; but {self.stale}" if self.stale else decided


def failed_checks(
    instance: dg.DagsterInstance, repository: DispositionRepository, catalog: CheckCatalog
) -> list[FailedCheck]:
    """Every check whose latest evaluation failed, ERROR before WARN, newest first."""
    found = []
    for key, partition in catalog.targets():
        evaluation = latest_evaluation(instance, key, partition)
        if evaluation is None or evaluation.passed:
            continue
        blocking = bool(catalog.specs[key].blocking) and evaluation.severity == ERROR
        found.append(
            FailedCheck(
                evaluation,
                blocking,
                decision_about(repository, evaluation),
                _changed_since(instance, evaluation),
            )
        )
    return sorted(
        found,
        key=lambda f: (f.evaluation.severity != ERROR, -f.evaluation.evaluated_at.timestamp()),
    )


# --- recording a decision ----------------------------------------------------------------


class DispositionRequest(dg.Config):
    """A data steward's decision on the latest evaluation of one failed check.

    Materializing quality/check_dispositions without a decision only refreshes the list;
    the record_disposition job needs one.
    """

    decision: Decision | None = Field(
        default=None, description="ACCEPT (with a reason) or REJECT the latest failure"
    )
    check: str = Field(
        default="",
        description=(
            "The check: its name, or asset:name when several assets have a check of that "
            "name, e.g. curated/batches:released_batches_have_no_valid_oos"
        ),
    )
    asset: str | None = Field(default=None, description="The checked asset, e.g. curated/batches")
    partition: str | None = Field(
        default=None, description="The plant, for a check of a partitioned planning asset"
    )
    reason: str = Field(
        default="",
        description="Why the failure is acceptable or why it is rejected (required)",
    )
    decided_by: str = Field(default="", description="Who decides (required)")


def record_disposition(
    instance: dg.DagsterInstance,
    repository: DispositionRepository,
    catalog: CheckCatalog,
    request: DispositionRequest,
) -> Disposition:
    """Record a decision on the latest evaluation of the check the request names.

    Refuses when there is no decision, no such check, no evaluation, or no failure.
    """
    if request.decision is None:
        raise DispositionRefused(
            f"the {RECORD_JOB} job records a decision, and its config gives none: set "
            "decision to ACCEPT or REJECT, with check, reason and decided_by"
        )
    key, partition = catalog.resolve(request.check, request.asset, request.partition)
    asset = key.asset_key.to_user_string()
    evaluation = latest_evaluation(instance, key, partition)
    target = f"{asset}[{partition}]:{key.name}" if partition else f"{asset}:{key.name}"
    if evaluation is None:
        raise DispositionRefused(
            f"{target} has no evaluation in this Dagster instance: there is nothing to decide "
            f"on yet; materialize {asset} (its checks run with it) and decide on the result"
        )
    if evaluation.passed:
        raise DispositionRefused(
            f"the latest evaluation of {target} passed ({evaluation.describe()}): there is no "
            "failure to decide on"
        )
    if evaluation.data is None:
        raise DispositionRefused(
            f"the latest evaluation of {target} failed ({evaluation.describe()}) but judged "
            f"no materialization of {asset}: a decision must name the data it is about; "
            f"materialize {asset} and let the check run again"
        )
    try:
        return repository.add(
            DispositionToRecord(
                decision=request.decision,
                reason=request.reason,
                decided_by=request.decided_by,
                asset_key=asset,
                check_name=key.name,
                partition_key=partition,
                evaluation_id=evaluation.evaluation_id,
                evaluation_run_id=evaluation.run_id,
                evaluated_at=evaluation.evaluated_at,
                evaluation_description=evaluation.description,
                materialization_storage_id=evaluation.data.storage_id,
                materialization_run_id=evaluation.data.run_id,
                materialized_at=evaluation.data.materialized_at,
                data_version=evaluation.data.data_version,
            )
        )
    except InvalidDisposition as error:
        raise DispositionRefused(str(error)) from error


def disposition_run_config(
    request: DispositionRequest, loggers: dict[str, object] | None = None
) -> dg.RunConfig:
    """Run config of the record_disposition job for ``request``."""
    return dg.RunConfig(ops={DISPOSITIONS_OP: request}, loggers=loggers)


# --- the asset, its check and the job ----------------------------------------------------

COLUMNS = [
    "id",
    "decided_at",
    "decided_by",
    "decision",
    "check",
    "reason",
    "evaluation",
    "materialization",
    "content_hash",
]


def records_version(records: Sequence[Disposition]) -> str:
    """The decisions' content version: each row's id and stored hash, in id order."""
    digest = hashlib.sha256()
    for record in sorted(records, key=lambda r: r.id):
        digest.update(f"{record.id}:{record.content_hash}\n".encode())
    return digest.hexdigest()


def dispositions_table(records: Sequence[Disposition]) -> pd.DataFrame:
    """The decisions as rows for a person to read, newest first."""
    rows = [
        {
            "id": record.id,
            "decided_at": record.decided_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
            "decided_by": record.decided_by,
            "decision": record.decision.value,
            "check": record.check,
            "reason": record.reason,
            "evaluation": f"{record.evaluation_id} (run {record.evaluation_run_id[:8]})",
            "materialization": (
                f"#{record.materialization_storage_id} (run {record.materialization_run_id[:8]})"
            ),
            "content_hash": record.content_hash[:12],
        }
        for record in sorted(records, key=lambda r: r.id, reverse=True)
    ]
    return pd.DataFrame(rows, columns=pd.Index(COLUMNS))


def dispositions_definitions(
    checks: Sequence[dg.AssetChecksDefinition],
) -> tuple[dg.AssetsDefinition, dg.AssetChecksDefinition, UnresolvedAssetJobDefinition]:
    """The disposition log asset, its integrity check and the job that records a decision.

    ``checks`` are the checks a decision may be about.
    """
    catalog = CheckCatalog.from_definitions(checks)

    @dg.asset(
        key=DISPOSITIONS_KEY,
        group_name="quality",
        kinds={"python", "sql"},
        owners=[OWNER],
        tags={"layer": "quality"},
        description=(
            "Data stewards' decisions on failed asset checks, one row per decision: ACCEPT "
            "with a reason or REJECT, who decided and when (UTC), the check, and the "
            "evaluation and materialization it is about (run, storage id, data version). An "
            "accepted failure lets planning build on exactly that data; new data is checked "
            "afresh. Kept in the warehouse table check_disposition, which is append-only "
            "(database triggers refuse UPDATE and DELETE); each row carries the SHA-256 of "
            "its content. Record a decision with the record_disposition job or "
            "`pharma-pipelines disposition accept|reject`; materializing this asset alone "
            "refreshes the list."
        ),
    )
    def check_dispositions(
        context: dg.AssetExecutionContext, config: DispositionRequest, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        repository = warehouse.dispositions()
        recorded: Disposition | None = None
        if config.decision is not None or context.run.job_name == RECORD_JOB:
            try:
                recorded = record_disposition(context.instance, repository, catalog, config)
            except DispositionRefused as error:
                raise dg.Failure(description=f"no decision recorded: {error}") from error
            context.log.info(
                "recorded disposition #%d: %s %s by %s",
                recorded.id,
                recorded.decision.value,
                recorded.check,
                recorded.decided_by,
            )

        records = repository.all()
        accepted = sum(r.decision is Decision.ACCEPT for r in records)
        rejected = len(records) - accepted
        context.log.info("%d decisions: %d accepted, %d rejected", len(records), accepted, rejected)
        shown = dispositions_table(records).head(MAX_ROWS_SHOWN)
        return dg.MaterializeResult(
            data_version=dg.DataVersion(records_version(records)),
            metadata={
                "dagster/row_count": len(records),
                "accepted": accepted,
                "rejected": rejected,
                "dispositions": dg.MetadataValue.md(markdown_table(shown)),
                "shown": f"the {len(shown)} most recent of {len(records)}",
                **(
                    {
                        "recorded_id": recorded.id,
                        "recorded": dg.MetadataValue.json(as_dict(recorded)),
                    }
                    if recorded
                    else {}
                ),
            },
        )

    @dg.asset_check(
        asset=DISPOSITIONS_KEY,
        **policy_args(CheckFamily.AUDIT_TRAIL),
        description=(
            "Every recorded decision still matches the SHA-256 taken when it was recorded: a "
            "mismatch means a row was changed behind the table's triggers."
        ),
    )
    def records_are_intact(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        records = warehouse.dispositions().all()
        altered = [record for record in records if not record.intact]
        return to_check_result(
            RuleOutcome(
                rule="every decision matches its content hash",
                passed=not altered,
                measured=f"{len(altered)} of {len(records)} decisions altered",
                expected="0 altered decisions",
                failed_count=len(altered),
                total=len(records),
                failing_rows=dispositions_table(altered),
            ),
            CheckFamily.AUDIT_TRAIL,
            records_version(records),
        )

    job = dg.define_asset_job(
        RECORD_JOB,
        selection=[DISPOSITIONS_KEY],
        description=(
            "Record a data steward's decision on the latest evaluation of a failed check "
            "(config: decision ACCEPT or REJECT, check, asset and partition where needed, "
            "reason, decided_by) and refresh quality/check_dispositions."
        ),
    )
    return check_dispositions, records_are_intact, job
