"""Append-only tables: the database itself refuses to change or remove their rows.

The repositories only ever insert into an audit table, but an audit trail has to hold against
a script or a person at a SQL prompt too, so triggers refuse UPDATE and DELETE; on PostgreSQL
also TRUNCATE, which fires no row trigger. The DDL lives here and nowhere else: the
migration that creates such a table runs these statements (``trigger_statements``), and
``metadata.create_all`` installs them too (``attach``) for a database built without Alembic.

Triggers do not stop DROP TABLE or a superuser who drops the triggers first; production
roles should also lack UPDATE, DELETE and TRUNCATE on these tables, and ``schema.prepare_schema``
refuses a warehouse whose audit table has lost its triggers (``missing_triggers``).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, Table, event, text

SUPPORTED_DIALECTS = ("sqlite", "postgresql")

# One PL/pgSQL function serves every append-only table; TG_TABLE_NAME and TG_OP name them.
PG_FUNCTION = "pharma_refuse_change"


def refusal(table: str, operation: str) -> str:
    """The error text the database raises, so tests and people can recognise it."""
    return f"{table} is append-only: {operation} refused; record a new row instead"


def trigger_names(table: str, dialect: str) -> tuple[str, ...]:
    _require_supported(dialect, table)
    if dialect == "sqlite":
        return (f"{table}_no_update", f"{table}_no_delete")
    return (f"{table}_no_update_or_delete", f"{table}_no_truncate")


def trigger_statements(table: str, dialect: str) -> list[str]:
    """The statements that make ``table`` append-only on ``dialect``, in order."""
    no_change, no_remove = trigger_names(table, dialect)
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {no_change} BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{refusal(table, 'UPDATE')}'); END",
            f"CREATE TRIGGER IF NOT EXISTS {no_remove} BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{refusal(table, 'DELETE')}'); END",
        ]
    # The message is built by concatenation: a percent sign would be taken for a
    # placeholder by the driver when the statement runs without parameters.
    message = refusal("' || TG_TABLE_NAME || '", "' || TG_OP || '")
    return [
        f"CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION USING ERRCODE = 'restrict_violation', MESSAGE = '{message}'; "
        "END $$",
        f"CREATE TRIGGER {no_change} BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()",
        f"CREATE TRIGGER {no_remove} BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()",
    ]


def attach(table: Table) -> None:
    """Install the triggers whenever schema creation creates ``table``."""

    @event.listens_for(table, "after_create")
    def _install(target: Table, connection: Connection, **_kw: object) -> None:
        for statement in trigger_statements(target.name, connection.dialect.name):
            connection.exec_driver_sql(statement)


def missing_triggers(connection: Connection, tables: Iterable[str]) -> dict[str, list[str]]:
    """For each of ``tables`` that lacks some of its triggers, the names it lacks."""
    dialect = connection.dialect.name
    missing = {}
    for table in tables:
        expected = trigger_names(table, dialect)
        if dialect == "sqlite":
            query = text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t")
        else:
            query = text(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass(:t) AND NOT tgisinternal"
            )
        present = set(connection.execute(query, {"t": table}).scalars())
        lacking = [name for name in expected if name not in present]
        if lacking:
            missing[table] = lacking
    return missing


def _require_supported(dialect: str, table: str) -> None:
    if dialect not in SUPPORTED_DIALECTS:
        raise ValueError(
            f"cannot make {table} append-only on a {dialect!r} database: the triggers are "
            f"written for {' and '.join(SUPPORTED_DIALECTS)}; point the warehouse at one of those"
        )
