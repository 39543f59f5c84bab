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

from pharma_pipelines.warehouse.models import CURATED_TABLES, Base


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


def create_schema(engine: Engine) -> None:
    """Create missing tables; a curated table whose columns changed is rebuilt.

    Curated tables are derived: every materialization rebuilds them from the raw rows, so
    dropping one whose columns no longer match its model loses nothing, and a warehouse
    from an earlier version keeps working. Raw and planning tables are never dropped.
    """
    inspector = inspect(engine)
    present = set(inspector.get_table_names())
    tables = [Base.metadata.tables[model.__tablename__] for model in CURATED_TABLES]
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


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
