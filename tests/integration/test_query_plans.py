"""The queries behind curated tables and lineage look-ups use their indexes on PostgreSQL.

The warehouse holds 200,000 raw rows, shaped like a plant's: the stock extract dominates
(190,000 rows in ten daily files), work centers and LIMS results are small. Reading a small
entity (what ``curated/lines`` does) and looking rows up by id (a curated row's lineage) must
not scan the big table: EXPLAIN ANALYZE must show the index in the plan that ran.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, Select, text
from sqlalchemy.dialects import postgresql

from pharma_pipelines.warehouse.database import make_engine
from pharma_pipelines.warehouse.raw_repository import FileLoad, RawRepository, RowToStore
from pharma_pipelines.warehouse.schema import upgrade

pytestmark = pytest.mark.postgres

# (entity, files, rows per file): 200,000 rows in all.
SHAPE = (
    ("sap/stock", 10, 19_000),
    ("lims/results", 4, 1_750),
    ("sap/work_centers", 2, 500),
    ("sap/production_orders", 2, 1_000),
)


@pytest.fixture(scope="module")
def warehouse(postgres_server) -> Iterator[tuple[Engine, RawRepository]]:
    from sqlalchemy import create_engine

    name = "pharma_t_query_plans"
    admin = create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine = make_engine(postgres_server.set(database=name).render_as_string(hide_password=False))
    upgrade(engine)
    repository = RawRepository(engine)
    for entity, files, rows in SHAPE:
        for number in range(files):
            path = f"{entity}/extract_{number:02d}.csv"
            repository.store(
                FileLoad(
                    entity=entity,
                    relative_path=path,
                    content_hash=f"{entity}{number}".encode().hex().ljust(64, "0")[:64],
                    encoding="utf-8",
                    layout="csv sep=';'",
                    rows=[
                        RowToStore(n, {"key": f"{number}-{n}", "value": f"{n},5"})
                        for n in range(2, rows + 2)
                    ],
                ),
                f"run-{number}",
            )
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    yield engine, repository
    engine.dispose()
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _plan(engine: Engine, statement: Select[Any]) -> dict[str, Any]:
    sql = statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    with engine.connect() as connection:
        explained = connection.execute(text(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")).scalar()
    return explained[0]["Plan"]


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _index_reads(plan: dict[str, Any]) -> dict[str, str]:
    """Index name -> node type, for every node of the plan that read through an index."""
    return {
        node["Index Name"]: node["Node Type"]
        for node in _nodes(plan)
        if "Index Name" in node and node.get("Actual Loops", 0) > 0
    }


def _scanned(plan: dict[str, Any]) -> set[str]:
    return {node["Relation Name"] for node in _nodes(plan) if node["Node Type"] == "Seq Scan"}


def test_the_table_has_the_realistic_size(warehouse):
    engine, _ = warehouse
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM raw_record")).scalar() == 200_000


def test_reading_a_small_entity_uses_the_entity_file_index(warehouse):
    engine, repository = warehouse
    plan = _plan(engine, repository.records_statement("sap/work_centers"))

    assert "ix_raw_record_entity_file" in _index_reads(plan), plan
    assert "raw_record" not in _scanned(plan)
    assert len(repository.records_frame("sap/work_centers")) == 1_000


def test_a_lineage_look_up_reads_rows_by_primary_key(warehouse):
    engine, repository = warehouse
    ids = [7, 19_003, 150_000, 199_999]
    plan = _plan(engine, repository.lineage_statement(ids))

    assert "raw_record_pkey" in _index_reads(plan), plan
    assert "raw_record" not in _scanned(plan)
    found = repository.lineage(ids)
    assert found["raw_record_id"].tolist() == ids
    assert found["file_hash"].str.len().eq(64).all()


def test_a_plan_without_the_index_would_be_caught(warehouse):
    """The assertions above can fail: with the index dropped the same query scans the table."""
    engine, repository = warehouse
    with engine.connect() as connection:
        transaction = connection.begin()
        connection.execute(text("DROP INDEX ix_raw_record_entity_file"))
        sql = repository.records_statement("sap/work_centers").compile(
            dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
        )
        explained = connection.execute(text(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")).scalar()
        transaction.rollback()
    assert "raw_record" in _scanned(explained[0]["Plan"])
