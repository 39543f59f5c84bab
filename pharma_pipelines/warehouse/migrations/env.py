"""Alembic's environment for the warehouse schema.

The product hands Alembic an open connection (``pharma_pipelines.warehouse.schema``); the
``alembic`` command line opens one to ``PHARMA_WAREHOUSE_URL`` instead. Alembic's history is
kept in its own version table inside the warehouse database, which is never Dagster's: the
Dagster instance has a database of its own, and dagster-postgres keeps its own Alembic
history there under Alembic's default table name.

On PostgreSQL each revision runs in its own transaction, so a revision may step outside it
(``autocommit_block``) for work that must not hold locks for long, such as a batched backfill.
On SQLite the whole upgrade runs in one transaction that takes the write lock up front
(``BEGIN IMMEDIATE``): SQLite rebuilds a table to change a column, and a writer slipping in
between the copy and the swap would lose its rows; writers wait for the lock instead.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from pharma_pipelines.warehouse.models import Base
from pharma_pipelines.warehouse.schema import VERSION_TABLE


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        version_table=VERSION_TABLE,
        transaction_per_migration=not sqlite,
        render_as_batch=sqlite,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    if sqlite:
        connection.commit()


def _main() -> None:
    if context.is_offline_mode():
        raise SystemExit(
            "the warehouse migrations run against a live database only (some revisions read "
            "the data they backfill): drop --sql and give a database URL"
        )
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from pharma_pipelines.settings import load_settings
    from pharma_pipelines.warehouse.database import make_engine

    engine = make_engine(load_settings().warehouse_url)
    try:
        with engine.connect() as opened:
            _run(opened)
    finally:
        engine.dispose()


_main()
