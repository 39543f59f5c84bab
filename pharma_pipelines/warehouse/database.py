"""Engine and session factory for the warehouse.

The URL comes from settings: a SQLite file by default, in-memory SQLite in unit tests,
PostgreSQL in production. In-memory SQLite is one database per connection, so it is held on
a single shared connection; SQLite file databases get foreign keys switched on, which
SQLite leaves off unless asked.
"""

from __future__ import annotations

from collections.abc import Generator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

APPLICATION_NAME = "pharma-pipelines"


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        # The name shows in pg_stat_activity, so an operator can tell the product's sessions.
        return create_engine(
            url, pool_pre_ping=True, connect_args={"application_name": APPLICATION_NAME}
        )
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
    """The warehouse is not at the schema revision this version needs, or is unsafe to use."""


def describe(engine: Engine) -> str:
    """The engine's URL without its password, for messages."""
    return engine.url.render_as_string(hide_password=True)


class WarehouseConnectionLost(RuntimeError):
    """The connection to the warehouse broke in the middle of a unit of work."""


@contextmanager
def connection_loss_explained(engine: Engine, doing: str) -> Generator[None]:
    """Turn a dropped connection inside the block into :class:`WarehouseConnectionLost`.

    The driver's own message ("server closed the connection unexpectedly") does not say
    what was being done or whether anything was kept; this one does. Other errors pass.
    """
    try:
        yield
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        cause = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
        raise WarehouseConnectionLost(
            f"lost the connection to the warehouse at {describe(engine)} while {doing} "
            f"({cause}): the server restarted or the connection was cut. The transaction was "
            "rolled back, so none of it was stored; run again once the server answers"
        ) from error


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
