"""Engine and session factory for the warehouse.

The URL comes from settings: a SQLite file by default, in-memory SQLite in unit tests,
PostgreSQL in production. In-memory SQLite is one database per connection, so it is held on
a single shared connection; SQLite file databases get foreign keys switched on, which
SQLite leaves off unless asked.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from pharma_pipelines.warehouse.append_only import missing_triggers
from pharma_pipelines.warehouse.models import APPEND_ONLY_TABLES, DERIVED_TABLES, Base


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    database = parsed.database
    if database in (None, "", ":memory:"):
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _enable_foreign_keys(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


class WarehouseSchemaError(RuntimeError):
    """The warehouse was created by an earlier version and lacks columns this one needs."""


def create_schema(engine: Engine) -> None:
    """Create missing tables; a curated table whose columns changed is rebuilt.

    Curated tables and their curation issues and exclusions are derived: every
    materialization rebuilds them from the raw rows, so dropping one whose columns no
    longer match its model loses nothing, and a warehouse
    from an earlier version keeps working. Raw and planning tables are never dropped: when
    one lacks a column, :class:`WarehouseSchemaError` says which, before any step writes;
    so it does when an append-only table has lost the triggers that keep it so.
    """
    inspector = inspect(engine)
    present = set(inspector.get_table_names())
    tables = [Base.metadata.tables[model.__tablename__] for model in DERIVED_TABLES]
    stale = [
        table
        for table in tables
        if table.name in present
        and {column["name"] for column in inspector.get_columns(table.name)}
        != {column.name for column in table.columns}
    ]
    if stale:
        Base.metadata.drop_all(engine, tables=stale)
    Base.metadata.create_all(engine)
    _refuse_missing_columns(engine)
    _refuse_missing_triggers(engine)


def _refuse_missing_columns(engine: Engine) -> None:
    inspector = inspect(engine)
    missing = {
        table.name: sorted(needed - have)
        for table in Base.metadata.sorted_tables
        if (needed := {c.name for c in table.columns})
        - (have := {c["name"] for c in inspector.get_columns(table.name)})
    }
    if missing:
        where = "; ".join(f"{name} lacks {', '.join(cols)}" for name, cols in missing.items())
        raise WarehouseSchemaError(
            f"the warehouse at {engine.url.render_as_string(hide_password=True)} was created by "
            f"an earlier version of pharma-pipelines ({where}). Its raw tables are kept, never "
            "altered behind your back: point --warehouse at a new database, or, for a local "
            "SQLite warehouse you can rebuild from the landing zone, delete its file"
        )


def _refuse_missing_triggers(engine: Engine) -> None:
    with engine.connect() as connection:
        missing = missing_triggers(connection, [m.__tablename__ for m in APPEND_ONLY_TABLES])
    if missing:
        where = "; ".join(f"{name} lacks {', '.join(lacking)}" for name, lacking in missing.items())
        raise WarehouseSchemaError(
            f"the warehouse at {engine.url.render_as_string(hide_password=True)} has an "
            f"append-only table without its triggers ({where}): its rows could be changed "
            "unnoticed. Restore the triggers (pharma_pipelines.warehouse.append_only."
            "trigger_statements gives the DDL) before pharma-pipelines writes to it"
        )


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
