"""A data steward's story on the sample plant, from a bad extract to a schedule.

The quality unit's export releases batch 0000104654, whose assay OOS stands (only a passing
retest follows it). The release check fails and lists the batch, the plant is not planned,
a steward accepts the failure with a reason from the command line, the plant is planned, and
the decision stays in the audit table, unchangeable.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from pharma_pipelines.cli import main
from pharma_pipelines.keys import DISPOSITIONS_KEY, PROBLEM_KEY, SCHEDULE_KEY
from pharma_pipelines.resources import WarehouseResource
from pharma_pipelines.runner import EXIT_CHECK_FAILED, local_instance, materialize_all
from pharma_pipelines.settings import PlatformSettings
from pharma_pipelines.warehouse.append_only import refusal
from pharma_pipelines.warehouse.disposition_repository import Decision
from tests.conftest import SAMPLE_LANDING, SOLVE_LIMIT_S
from tests.integration.steward_support import (
    OOS_CHECK,
    OOS_TARGET,
    held_back_message,
    materialized,
    plan,
)

pytestmark = pytest.mark.slow

BAD_EXTRACT = (
    "Lot,Product,Disposition,Decision Date,Decided By\r\n"
    "0000104654,000000000000031152,RELEASED,2027-01-05,K. Weber\r\n"
)
REASON = (
    "Assay OOS of 0000104654 traced to a mis-set HPLC column oven (INV-2027-004); "
    "QP confirms the release, invalidation to follow in the LIMS"
)


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    target = tmp_path / "landing"
    shutil.copytree(SAMPLE_LANDING, target)
    (target / "lims" / "batch_disposition_20270105.csv").write_text(
        BAD_EXTRACT, encoding="utf-8", newline=""
    )
    return target


def test_a_steward_accepts_a_failed_release_check_and_the_plant_is_planned(
    landing, tmp_path, fresh_engines, monkeypatch, capsys
):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    instance = local_instance()
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    settings = PlatformSettings(
        landing_zone=str(landing), warehouse_url=url, solver_time_limit_s=SOLVE_LIMIT_S
    )

    # Bad rows land: the check fails with the failing rows, and the plant is not planned.
    summary = materialize_all(settings, instance)
    assert summary.exit_code == EXIT_CHECK_FAILED
    [failed] = [c for c in summary.checks if not c.passed]
    assert failed.target == OOS_TARGET
    assert summary.planning_held_back == f"blocking checks failed: {OOS_TARGET}"
    assert "planning/production_schedule[0100]" in summary.assets_not_materialized
    record = instance.get_latest_asset_check_evaluation_record(OOS_CHECK)
    assert record is not None
    assert record.evaluation is not None
    rows = record.evaluation.metadata["failing_rows"].value
    assert "| 0000104654 | 000000000000031152 | 1 |" in str(rows)

    # A planner starts the plant in a later run: held back.
    held = plan(settings, instance)
    assert materialized(held) == set()
    assert OOS_TARGET in held_back_message(held)

    # The steward sees it waiting and accepts it, with a reason, from the command line.
    where = ["--warehouse", url]
    assert main(["disposition", "list", *where]) == 0
    assert "1 awaiting a decision" in capsys.readouterr().out
    accepted = main(
        ["disposition", "accept", OOS_TARGET, "--reason", REASON, "--by", "k.weber", *where]
    )
    assert accepted == 0, capsys.readouterr().err
    assert f"recorded disposition #1: ACCEPT {OOS_TARGET} by k.weber" in capsys.readouterr().out

    # The plant is planned on exactly that data.
    planned = plan(settings, instance)
    assert planned.success
    assert materialized(planned) == {PROBLEM_KEY.to_user_string(), SCHEDULE_KEY.to_user_string()}
    [schedule] = [
        e for e in planned.get_asset_materialization_events() if e.asset_key == SCHEDULE_KEY
    ]
    assert schedule.materialization.metadata["verified"].value is True

    # The decision is in the audit table, listed in the UI, and cannot be changed.
    warehouse = WarehouseResource(url=url)
    [decision] = warehouse.dispositions().all()
    assert (decision.decision, decision.decided_by, decision.reason) == (
        Decision.ACCEPT,
        "k.weber",
        REASON,
    )
    assert decision.intact
    log = instance.get_latest_materialization_event(DISPOSITIONS_KEY)
    assert log is not None
    assert log.dagster_event is not None
    listed = log.dagster_event.step_materialization_data.materialization.metadata
    assert REASON in str(listed["dispositions"].value)
    for statement in (
        "UPDATE check_disposition SET decision = 'REJECT'",
        "UPDATE check_disposition SET reason = 'never mind'",
        "DELETE FROM check_disposition",
    ):
        operation = statement.split()[0]
        with (
            pytest.raises(DBAPIError, match=refusal("check_disposition", operation)),
            warehouse.engine().begin() as connection,
        ):
            connection.execute(text(statement))
    assert warehouse.dispositions().all() == [decision]
    instance.dispose()
