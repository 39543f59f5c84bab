"""The alert sensor and the digest's reader on a Dagster instance kept in PostgreSQL.

Production keeps Dagster's event log in PostgreSQL (dagster-postgres), where check
evaluations live in one table rather than in per-run SQLite files and a cross-run index.
The test creates a database of its own on the server of PHARMA_TEST_POSTGRES_URL (the role
there may create databases) and drops it afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import dagster as dg
import pytest
from sqlalchemy import create_engine, make_url, text

from pharma_pipelines.check_records import latest_failures
from pharma_pipelines.resources import NotifierResource
from pharma_pipelines.sensors import check_failure_alerts
from tests.receivers import http_receiver

pytestmark = pytest.mark.postgres


@dg.asset(key=["curated", "stock"])
def stock() -> None:
    """Stands in for a curated table."""


@dg.asset_check(asset=stock)
def stock_key_is_unique() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=False,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"measured": "2 of 9 rows share a key", "expected": "0", "failed_count": 2},
    )


@pytest.fixture
def postgres_instance(postgres_url: str) -> Iterator[dg.DagsterInstance]:
    server = make_url(postgres_url)
    name = f"pharma_alerts_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'create database "{name}"'))
    dagster_url = server.set(drivername="postgresql", database=name).render_as_string(
        hide_password=False
    )
    try:
        with dg.instance_for_test(
            overrides={"storage": {"postgres": {"postgres_url": dagster_url}}}
        ) as instance:
            yield instance
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'drop database if exists "{name}" with (force)'))
        admin.dispose()


def test_alerts_and_the_failure_history_read_the_postgres_event_log(postgres_instance):
    runs = [dg.materialize([stock, stock_key_is_unique], instance=postgres_instance) for _ in "ab"]
    with http_receiver() as hook:
        notifier = NotifierResource(webhook_url=hook.url)
        context = dg.build_sensor_context(
            instance=postgres_instance, cursor=None, resources={"notifier": notifier}
        )
        first = check_failure_alerts(context)
        again = dg.build_sensor_context(
            instance=postgres_instance, cursor=first.cursor, resources={"notifier": notifier}
        )
        check_failure_alerts(again)
    bodies = [request.json() for request in hook.requests]
    assert [body["run_id"] for body in bodies] == [run.run_id for run in runs]
    assert bodies[0]["id"] < bodies[1]["id"]

    [failure] = latest_failures(postgres_instance, {stock_key_is_unique.check_key: [None]}, None)
    assert failure.run_id == runs[1].run_id
    first_evaluation = postgres_instance.all_logs(
        runs[0].run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
    )[0]
    assert failure.failing_since is not None
    assert failure.failing_since.timestamp() == pytest.approx(first_evaluation.timestamp, abs=1e-5)
