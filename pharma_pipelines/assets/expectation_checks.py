"""The expectation suites as asset checks: one check per expectation, one step per suite.

No ``from __future__ import annotations`` here: Dagster reads the ``context`` annotation of
a check function at definition time and needs the class, not its name.

Each suite (``pharma_pipelines/quality/expectations/<asset>.json``) becomes a multi-asset
check on ``curated/<asset>`` whose specs are its expectations, so the UI shows every
expectation as a check of its own with its severity from the policy, while the table is
read and validated once. The table is read as stored (integer columns as pandas' nullable
``Int64``) and its content version goes into every result.

The full Great Expectations validation result is kept in the warehouse table
``quality_validation``, keyed by the Dagster run id, and each check's metadata names the
row (``validation_id``). The warehouse rather than a file under ``DAGSTER_HOME``: in
production a run is an ECS task whose disk goes with it, while the warehouse is the
backed-up PostgreSQL database the audit trail already lives in.
"""

from collections.abc import Iterable, Mapping

import dagster as dg

from pharma_pipelines.assets.checks_support import policy_args, to_check_result
from pharma_pipelines.keys import curated_key
from pharma_pipelines.quality.suites import Suite, SuiteExpectation, validate
from pharma_pipelines.resources import WarehouseResource
from pharma_pipelines.warehouse.models import Base


def suite_checks(
    suites: Mapping[str, Suite], models: Mapping[str, type[Base]]
) -> list[dg.AssetChecksDefinition]:
    """The checks of every suite; a suite for a table that is not curated is refused."""
    unknown = sorted(set(suites) - set(models))
    if unknown:
        raise ValueError(
            f"expectation suites for {', '.join(unknown)} judge no curated table; allowed "
            f"tables: {', '.join(sorted(models))} (pharma_pipelines/quality/expectations)"
        )
    return [_suite_check(suite, models[table]) for table, suite in sorted(suites.items())]


def _spec(suite: Suite, expectation: SuiteExpectation) -> dg.AssetCheckSpec:
    args = policy_args(expectation.family)
    return dg.AssetCheckSpec(
        expectation.check,
        asset=curated_key(suite.table),
        description=f"{expectation.describe()}; suite {suite.name} v{suite.version}.",
        blocking=args["blocking"],
        metadata={**args["metadata"], "suite": suite.name, "suite_version": suite.version},
    )


def _suite_check(suite: Suite, table: type[Base]) -> dg.AssetChecksDefinition:
    key = curated_key(suite.table)

    @dg.multi_asset_check(
        name=f"{suite.table}_expectations",
        specs=[_spec(suite, expectation) for expectation in suite.expectations],
        description=suite.about or f"Expectation suite {suite.name} on {key.to_user_string()}.",
    )
    def _validate(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterable[dg.AssetCheckResult]:
        snapshot = warehouse.curated().snapshot(table)
        validation = validate(suite, snapshot.frame)
        failed = sum(not item.outcome.passed for item in validation.outcomes)
        kept = warehouse.quality().save_validation(
            run_id=context.run.run_id,
            asset_key=key.to_user_string(),
            suite=suite.name,
            suite_version=suite.version,
            data_version=snapshot.version,
            success=validation.success,
            expectations=len(validation.outcomes),
            failed=failed,
            result=validation.result,
        )
        context.log.info(
            "suite %s v%d on %d rows of %s (version %s): %d of %d expectations failed; "
            "result kept as quality_validation #%d",
            suite.name,
            suite.version,
            len(snapshot.frame),
            table.__tablename__,
            snapshot.version[:12],
            failed,
            len(validation.outcomes),
            kept,
        )
        for item in validation.outcomes:
            yield to_check_result(
                item.outcome,
                item.expectation.family,
                snapshot.version,
                asset_key=key,
                check_name=item.expectation.check,
                extra={
                    "suite": suite.name,
                    "suite_version": suite.version,
                    "validation_id": kept,
                    "validation_kept_in": f"warehouse table quality_validation, id {kept}",
                },
            )

    return _validate
