"""Shared steps and fixtures of the feature scenarios.

Given steps hand state on through named fixtures:

- ``plant``: a whole-graph materialization (:class:`tests.plant_runs.PlantRun`), the sample
  plant or the broken landing zone, made once per session and only read here;
- ``small``: a small hand-made plant in a warehouse and Dagster instance of the scenario's
  own (the instance is the command line's: DAGSTER_HOME points at it);
- ``planning``: the result of a later planning run; ``command``: what a command printed.

Steps used by one feature only live in that feature's test module.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
from pytest_bdd import given, parsers, then, when
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from pharma_pipelines.keys import PROBLEM_KEY, SCHEDULE_KEY
from pharma_pipelines.resources import WarehouseResource
from pharma_pipelines.resources import warehouse as warehouse_resource
from pharma_pipelines.runner import local_instance
from pharma_pipelines.settings import PlatformSettings
from pharma_pipelines.warehouse.database import WarehouseSchemaError
from tests.conftest import SOLVE_LIMIT_S, skip_or_fail
from tests.features.support import (
    CommandResult,
    SmallPlant,
    failing_rows,
    failure_message,
    materialize,
    materialized,
    run_check,
    run_command,
    summary_check,
)
from tests.instances import in_memory_instance
from tests.integration.planning_plants import a_plant, write_curated
from tests.integration.steward_support import batch_row, land_batches
from tests.plant_runs import PlantRun


@pytest.fixture
def command_line_instance(tmp_path: Path, monkeypatch) -> Iterator[dg.DagsterInstance]:
    """The command line's Dagster instance: DAGSTER_HOME in this scenario's folder."""
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    instance = local_instance()
    yield instance
    instance.dispose()


@pytest.fixture
def small_settings(tmp_path: Path) -> PlatformSettings:
    # The curated tables are written by hand: there are no extract files whose age to judge.
    return PlatformSettings(
        warehouse_url=f"sqlite:///{tmp_path / 'warehouse.sqlite'}",
        solver_time_limit_s=SOLVE_LIMIT_S,
        freshness_limits_hours={},
    )


@pytest.fixture
def postgres_warehouse_url() -> Iterator[str]:
    """A database of this scenario's own on the test server, dropped afterwards.

    Its own database, not the shared test database's tables, so that nothing another test
    run writes there can meet this scenario's rows.
    """
    server = os.environ.get("PHARMA_TEST_POSTGRES_URL")
    if not server:
        skip_or_fail("PHARMA_TEST_POSTGRES_URL is not set: no PostgreSQL server for this scenario")
    base = make_url(server)
    name = f"pharma_trace_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # any failure to reach or use the server means no server
        admin.dispose()
        skip_or_fail(f"cannot create a database on {base.render_as_string()}: {error}")
    url = base.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        # the resource caches one engine per URL: close its connections before the drop (a
        # warehouse the resource refused has no engine cached)
        with contextlib.suppress(WarehouseSchemaError):
            WarehouseResource(url=url).engine().dispose()
        warehouse_resource._engine_for.cache_clear()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# --- whole-graph runs ------------------------------------------------------------------------


@given("the sample plant has been materialized", target_fixture="plant")
def _sample_plant(sample_plant: PlantRun) -> PlantRun:
    return sample_plant


@given("the broken landing zone has been materialized", target_fixture="plant")
def _broken_plant(broken_plant: PlantRun) -> PlantRun:
    return broken_plant


@then(parsers.parse('the check "{target}" passed'))
def _check_passed(plant: PlantRun, target: str) -> None:
    check = summary_check(plant, target)
    assert check.passed, f"{target}: {check.description}"


@then(parsers.re(r'the check "(?P<target>[^"]+)" failed as (?P<severity>ERROR|WARN)'))
def _check_failed_as(plant: PlantRun, target: str, severity: str) -> None:
    check = summary_check(plant, target)
    assert not check.passed, f"{target} passed"
    assert check.severity == severity, f"{target}: {check.severity}"


@then(parsers.parse('the check "{target}" names {column} "{value}" among its failing rows'))
def _check_names(plant: PlantRun, target: str, column: str, value: str) -> None:
    check = summary_check(plant, target)
    assert not check.passed, f"{target} passed"
    rows = failing_rows(check.details["failing_rows"])
    assert value in [row.get(column) for row in rows], rows


@then(parsers.parse('planning was held back by the check "{target}"'))
def _held_back_by(plant: PlantRun, target: str) -> None:
    held = plant.summary.planning_held_back or ""
    assert target in held, held
    assert plant.summary.plant_runs == {}


@then(parsers.parse('planning was not held back by the check "{target}"'))
def _not_held_back_by(plant: PlantRun, target: str) -> None:
    assert target not in (plant.summary.planning_held_back or "")


@then("the plant was planned")
def _planned(plant: PlantRun) -> None:
    assert plant.summary.planning_held_back is None
    assert plant.summary.schedules["0100"]["verified"] is True


@then(
    parsers.parse(
        'every file under "{folder}" is loaded and its rows read equal its rows loaded '
        "plus rejected"
    )
)
def _folder_loaded(plant: PlantRun, folder: str) -> None:
    landing = Path(plant.settings.landing_zone)
    landed = {
        p.relative_to(landing).as_posix() for p in (landing / folder).rglob("*") if p.is_file()
    }
    accounts = [a for a in plant.summary.files if a.file.startswith(folder)]
    assert landed, f"nothing landed under {folder}"
    assert {a.file for a in accounts} == landed
    for account in accounts:
        assert account.status == "loaded", account
        assert account.rows_read == account.rows_loaded + account.rows_rejected, account
    assert sum(a.rows_loaded for a in accounts) > 0


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with in_memory_instance() as test_instance:
        yield test_instance


def _evaluation_in(run: dg.ExecuteInProcessResult, target: str) -> dg.AssetCheckEvaluation:
    """The evaluation of ``target`` (``asset:check``, or the check name alone) in ``run``."""
    asset, _, name = target.rpartition(":")
    found = [
        e
        for e in run.get_asset_check_evaluations()
        if e.check_name == name and asset in ("", e.asset_key.to_user_string())
    ]
    assert len(found) == 1, f"{target}: {len(found)} evaluations in run {run.run_id}"
    return found[0]


@then(parsers.parse('the check "{target}" passed in that run'))
def _passed_in_run(run: dg.ExecuteInProcessResult, target: str) -> None:
    evaluation = _evaluation_in(run, target)
    assert evaluation.passed, evaluation.description


@then(parsers.re(r'the check "(?P<target>[^"]+)" failed as (?P<severity>ERROR|WARN) in that run'))
def _failed_in_run(run: dg.ExecuteInProcessResult, target: str, severity: str) -> None:
    evaluation = _evaluation_in(run, target)
    assert not evaluation.passed
    assert evaluation.severity.value == severity


# --- small hand-made plants ----------------------------------------------------------------


@given(
    parsers.parse('a small plant "{plant}" whose production orders list order "{order}" twice'),
    target_fixture="small",
)
def _small_plant_with_duplicate(
    plant: str, order: str, small_settings, command_line_instance
) -> SmallPlant:
    data = a_plant(plant, 1001)
    [twice] = [o for o in data.orders if o.order == order]
    data.orders.append(twice)
    small = SmallPlant(small_settings, command_line_instance, data)
    write_curated(small.warehouse.curated(), [data])
    return small


@given(
    parsers.parse(
        'a small plant "{plant}" whose batch table releases batch "{batch}" although a valid '
        "OOS result stands"
    ),
    target_fixture="small",
)
def _small_plant_with_bad_release(
    plant: str, batch: str, small_settings, command_line_instance
) -> SmallPlant:
    small = SmallPlant(small_settings, command_line_instance, a_plant(plant, 1001))
    write_curated(small.warehouse.curated(), [small.data])
    land_batches(
        small.warehouse.curated(),
        small.instance,
        [batch_row("B1", "RELEASED", 0), batch_row(batch, "RELEASED", 1)],
    )
    return small


@given(parsers.parse('the check "{target}" has run and failed'))
def _check_ran_and_failed(small: SmallPlant, target: str) -> None:
    evaluation = run_check(small.settings, small.instance, target)
    assert not evaluation.passed, f"{target} passed"


@given(parsers.parse('the check "{target}" has run and passed'))
def _check_ran_and_passed(small: SmallPlant, target: str) -> None:
    evaluation = run_check(small.settings, small.instance, target)
    assert evaluation.passed, f"{target}: {evaluation.description}"


@when(parsers.parse('the check "{target}" runs again'))
def _check_runs_again(small: SmallPlant, target: str) -> None:
    run_check(small.settings, small.instance, target)


@when(parsers.parse('plant "{plant}" is planned in a later run'), target_fixture="planning")
def _planned_later(small: SmallPlant, plant: str) -> dg.ExecuteInProcessResult:
    return materialize(small.settings, small.instance, [PROBLEM_KEY, SCHEDULE_KEY], plant)


@then("nothing is materialized in that run")
def _nothing_materialized(planning: dg.ExecuteInProcessResult) -> None:
    assert not planning.success
    assert materialized(planning) == set()


@then("the plant's problem and schedule are materialized in that run")
def _problem_and_schedule(planning: dg.ExecuteInProcessResult) -> None:
    assert planning.success, failure_message(planning)
    assert materialized(planning) == {
        "planning/scheduling_problem",
        "planning/production_schedule",
    }


@when(
    parsers.re(
        r'a data steward "(?P<who>[^"]+)" (?P<verb>accepts|rejects) "(?P<target>[^"]+)" '
        r'with the reason "(?P<reason>[^"]+)"'
    ),
    target_fixture="command",
)
def _steward_decides(
    small: SmallPlant, capsys, who: str, verb: str, target: str, reason: str
) -> CommandResult:
    action = "accept" if verb == "accepts" else "reject"
    return run_command(
        capsys,
        "disposition",
        action,
        target,
        "--reason",
        reason,
        "--by",
        who,
        "--warehouse",
        small.settings.warehouse_url,
    )


# --- commands ------------------------------------------------------------------------------


@then("the command succeeds")
def _command_succeeds(command: CommandResult) -> None:
    assert command.exit_code == 0, command.out[-3000:] + command.err[-3000:]


@then(parsers.parse("the command exits with status {status:d}"))
def _command_exits(command: CommandResult, status: int) -> None:
    assert command.exit_code == status, command.out[-3000:] + command.err[-3000:]
