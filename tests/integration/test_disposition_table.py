"""The stewards' decisions table: append-only in the database itself, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from pharma_pipelines.warehouse.append_only import refusal, trigger_statements
from pharma_pipelines.warehouse.database import WarehouseSchemaError, make_engine
from pharma_pipelines.warehouse.disposition_repository import (
    Decision,
    DispositionRepository,
    DispositionToRecord,
    InvalidDisposition,
)
from pharma_pipelines.warehouse.schema import prepare_schema

TABLE = "check_disposition"
BERLIN = dt.timezone(dt.timedelta(hours=1))


@pytest.fixture
def engine(warehouse_engine: Engine) -> Engine:
    """The decisions table must refuse changes alike on in-memory SQLite and PostgreSQL."""
    return warehouse_engine


def a_decision(**changes: object) -> DispositionToRecord:
    decision = DispositionToRecord(
        decision=Decision.ACCEPT,
        reason="OOS investigated under INV-2027-004: sampling error, release confirmed by QP",
        decided_by="a.nowak",
        asset_key="curated/batches",
        check_name="released_batches_have_no_valid_oos",
        partition_key=None,
        evaluation_id=17,
        evaluation_run_id="8c1e0d6a-run-of-the-check",
        evaluated_at=dt.datetime(2027, 1, 5, 10, 30, 15, 123456, tzinfo=BERLIN),
        evaluation_description="1 of 24 released batches have a valid OOS result",
        materialization_storage_id=434,
        materialization_run_id="421ca8ae-run-of-the-asset",
        materialized_at=dt.datetime(2027, 1, 5, 9, 30, tzinfo=dt.UTC),
        data_version="baa4cedf28c1",
    )
    return dataclasses.replace(decision, **changes)


def test_a_decision_reads_back_as_recorded_with_utc_times_and_its_hash(engine):
    repository = DispositionRepository(engine)
    recorded = repository.add(a_decision(reason="  reason with spaces around  "))
    [stored] = repository.all()

    assert stored == recorded
    assert stored.reason == "reason with spaces around"
    assert stored.evaluated_at == dt.datetime(2027, 1, 5, 9, 30, 15, 123456, tzinfo=dt.UTC)
    assert stored.evaluated_at.tzinfo == dt.UTC
    assert stored.decided_at.tzinfo == dt.UTC
    assert stored.decision is Decision.ACCEPT
    assert len(stored.content_hash) == 64
    assert stored.intact
    assert stored.check == "curated/batches:released_batches_have_no_valid_oos"


@pytest.mark.parametrize(
    "statement",
    [
        f"UPDATE {TABLE} SET reason = 'changed my mind'",
        f"UPDATE {TABLE} SET decision = 'REJECT' WHERE id = 1",
        f"DELETE FROM {TABLE}",
        f"DELETE FROM {TABLE} WHERE id = 1",
    ],
)
def test_the_database_refuses_to_change_or_remove_a_decision(engine, statement):
    repository = DispositionRepository(engine)
    recorded = repository.add(a_decision())

    operation = statement.split()[0]
    with pytest.raises(DBAPIError, match=refusal(TABLE, operation)), engine.begin() as connection:
        connection.execute(text(statement))

    assert repository.all() == [recorded]
    assert repository.all()[0].intact


@pytest.mark.postgres
def test_postgres_also_refuses_truncate(postgres_url):
    engine = make_engine(postgres_url)
    prepare_schema(engine)
    repository = DispositionRepository(engine)
    recorded = repository.add(a_decision())
    with pytest.raises(DBAPIError, match=refusal(TABLE, "TRUNCATE")), engine.begin() as c:
        c.execute(text(f"TRUNCATE {TABLE}"))
    assert repository.all() == [recorded]
    engine.dispose()


def test_the_database_refuses_a_blank_reason_even_past_the_repository(engine):
    repository = DispositionRepository(engine)
    with pytest.raises(InvalidDisposition, match="needs a reason"):
        repository.add(a_decision(reason="   "))
    with pytest.raises(InvalidDisposition, match="name the person who decides"):
        repository.add(a_decision(decided_by=""))

    columns = (
        "decided_at, decided_by, decision, reason, asset_key, check_name, evaluation_id, "
        "evaluation_run_id, evaluated_at, materialization_storage_id, materialization_run_id, "
        "materialized_at, content_hash"
    )
    values = (
        "'2027-01-05 10:00:00', 'x', '{decision}', '{reason}', 'a', 'c', 1, 'r', "
        "'2027-01-05 10:00:00', 1, 'r', '2027-01-05 10:00:00', 'h'"
    )
    for decision, reason in (("ACCEPT", " "), ("MAYBE", "a reason")):
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(
                text(
                    f"INSERT INTO {TABLE} ({columns}) VALUES "
                    + "("
                    + values.format(decision=decision, reason=reason)
                    + ")"
                )
            )
    assert repository.all() == []


def test_decisions_are_found_for_exactly_the_data_they_are_about(engine):
    repository = DispositionRepository(engine)
    first = repository.add(a_decision())
    rejected = repository.add(a_decision(decision=Decision.REJECT, reason="not acceptable"))
    repository.add(a_decision(materialization_storage_id=500, data_version="another"))
    repository.add(a_decision(partition_key="0100"))

    def about(**changes: object) -> list[int]:
        query: dict = {
            "storage_id": 434,
            "run_id": "421ca8ae-run-of-the-asset",
            "data_version": "baa4cedf28c1",
            **changes,
        }
        found = repository.about(
            "curated/batches", "released_batches_have_no_valid_oos", None, **query
        )
        return [d.id for d in found]

    assert about() == [rejected.id, first.id]
    # the same storage id in another Dagster instance is other data
    assert about(run_id="other-instance-run", data_version=None) == []
    # the same data version in a later materialization is the same data
    assert about(storage_id=999, run_id="later-run") == [rejected.id, first.id]
    assert [
        d.id
        for d in repository.about(
            "curated/batches",
            "released_batches_have_no_valid_oos",
            "0100",
            storage_id=434,
            run_id="421ca8ae-run-of-the-asset",
            data_version=None,
        )
    ] == [4]
    assert [d.id for d in repository.latest(2)] == [4, 3]


def test_a_row_changed_behind_the_triggers_fails_its_hash_and_the_schema_is_refused(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'w.sqlite'}")
    prepare_schema(engine)
    repository = DispositionRepository(engine)
    repository.add(a_decision())

    with engine.begin() as connection:
        connection.execute(text(f"DROP TRIGGER {TABLE}_no_update"))
        connection.execute(text(f"UPDATE {TABLE} SET decision = 'REJECT'"))
    [altered] = repository.all()
    assert altered.decision is Decision.REJECT
    assert not altered.intact

    with pytest.raises(WarehouseSchemaError, match=f"{TABLE} lacks {TABLE}_no_update"):
        prepare_schema(engine)
    with engine.begin() as connection:
        for statement in trigger_statements(TABLE, "sqlite"):
            connection.execute(text(statement))
    prepare_schema(engine)
    engine.dispose()
