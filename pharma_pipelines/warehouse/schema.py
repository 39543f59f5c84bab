"""The warehouse schema under Alembic: which revision a database is at, and upgrading it.

Alembic owns the schema: ``migrations/versions`` holds one revision per change, the first
of them the initial schema. ``pharma-pipelines migrate`` (what the release's migration task
runs) upgrades the warehouse of the configured URL to the newest revision. Before the
product reads or writes a warehouse, :func:`prepare_schema` makes sure it is at that
revision: a SQLite warehouse (the embedded default, and in-memory in tests) migrates itself,
so a fresh clone works without a separate step; any other database is never altered behind
the operator's back and is refused, with the command to run, until it is migrated.

Alembic's version table (:data:`VERSION_TABLE`) lives in the warehouse database. Dagster's
own storage is another database with its own Alembic history (dagster-postgres keeps it
under Alembic's default table name), and :func:`upgrade` refuses a database that holds
Dagster's tables, so the two histories cannot meet.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect

from pharma_pipelines.warehouse.append_only import missing_triggers
from pharma_pipelines.warehouse.database import WarehouseSchemaError, describe
from pharma_pipelines.warehouse.models import APPEND_ONLY_TABLES

VERSION_TABLE = "warehouse_alembic_version"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# Tables every Dagster instance storage has: a warehouse URL that shows them points at
# Dagster's database by mistake.
_DAGSTER_TABLES = frozenset({"runs", "event_logs", "run_tags"})


@dataclass(frozen=True)
class SchemaState:
    """Where a warehouse database stands against this version's migrations."""

    current: str | None
    head: str
    tables: frozenset[str]

    @property
    def is_current(self) -> bool:
        return self.current == self.head

    @property
    def is_empty(self) -> bool:
        return not (self.tables - {VERSION_TABLE})


@lru_cache(maxsize=1)
def head_revision() -> str:
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    if head is None:
        raise WarehouseSchemaError(f"no warehouse revision found under {MIGRATIONS}")
    return head


def schema_state(engine: Engine) -> SchemaState:
    with engine.connect() as connection:
        return _state(connection)


def _state(connection: Connection) -> SchemaState:
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    return SchemaState(
        current=context.get_current_revision(),
        head=head_revision(),
        tables=frozenset(inspect(connection).get_table_names()),
    )


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Apply the revisions up to ``revision``; returns the revision before and after."""
    before = schema_state(engine)
    dagster = _DAGSTER_TABLES & before.tables
    if dagster:
        raise WarehouseSchemaError(
            f"{describe(engine)} holds Dagster's own tables ({', '.join(sorted(dagster))}): "
            "it is the Dagster instance's database, not a warehouse. The warehouse needs a "
            "database of its own (PHARMA_WAREHOUSE_URL), apart from DAGSTER_PG_DB"
        )
    if before.current is None and not before.is_empty:
        raise WarehouseSchemaError(
            f"{describe(engine)} has tables ({', '.join(sorted(before.tables)[:5])}, ...) but "
            f"no migration history (no {VERSION_TABLE} table): it was created before the "
            "warehouse came under Alembic, or by something else. Migrations start from an "
            "empty database: point the URL at a new one (a local SQLite warehouse can be "
            "deleted and rebuilt from the landing zone)"
        )
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return before.current, schema_state(engine).current


def prepare_schema(engine: Engine) -> None:
    """Make sure the warehouse is at this version's revision before anything uses it.

    SQLite migrates itself; another database at an older revision (or none) is refused with
    the command that migrates it. Either way an append-only table that lost its triggers is
    refused too: its rows could be changed unnoticed.
    """
    state = schema_state(engine)
    if not state.is_current:
        if engine.dialect.name == "sqlite":
            upgrade(engine)
        else:
            found = (
                f"at revision {state.current}"
                if state.current
                else "empty"
                if state.is_empty
                else "without migration history"
            )
            raise WarehouseSchemaError(
                f"the warehouse at {describe(engine)} is {found}; this version of "
                f"pharma-pipelines needs revision {state.head}. Upgrade it first: "
                f"pharma-pipelines migrate --warehouse '{describe(engine)}' (or with "
                "PHARMA_WAREHOUSE_URL set); nothing was read or written"
            )
    _refuse_missing_triggers(engine)


def _refuse_missing_triggers(engine: Engine) -> None:
    with engine.connect() as connection:
        missing = missing_triggers(connection, [m.__tablename__ for m in APPEND_ONLY_TABLES])
    if missing:
        where = "; ".join(f"{name} lacks {', '.join(lacking)}" for name, lacking in missing.items())
        raise WarehouseSchemaError(
            f"the warehouse at {describe(engine)} has an append-only table without its "
            f"triggers ({where}): its rows could be changed unnoticed. Restore the triggers "
            "(pharma_pipelines.warehouse.append_only.trigger_statements gives the DDL) before "
            "pharma-pipelines writes to it"
        )
