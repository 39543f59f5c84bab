"""Bulk inserts and upserts, each in the form the database does best.

On PostgreSQL rows go in through ``COPY ... FROM STDIN``: one stream per table instead of a
statement per batch, parsed by the server while this process prepares the next chunk. Other
databases (SQLite) get Core ``executemany`` in chunks. Either way the rows join the caller's
transaction, so a file's rows still land all or nothing.

Upserts use the database's own ``INSERT ... ON CONFLICT`` (PostgreSQL's and SQLite's
dialect constructs), so a race between two writers of the same key is settled by the unique
index inside one statement rather than by a read followed by a write.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import JSON, Connection, Table, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError

CHUNK_ROWS = 10_000
"""Rows per executemany batch, and between two progress reports."""

ProgressCallback = Callable[[int], None]
"""Told how many rows have been sent so far, every :data:`CHUNK_ROWS` rows."""

# COPY's text format: backslash escapes for the characters that delimit fields and rows.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_NULL = "\\N"


def insert_rows(
    connection: Connection,
    table: Table,
    rows: Iterable[Sequence[Any]],
    columns: Sequence[str],
    on_progress: ProgressCallback | None = None,
) -> int:
    """Insert ``rows`` (values in the order of ``columns``) into ``table``; returns the count.

    A value for a JSON column is a Python object and is written as JSON text.
    """
    if connection.dialect.name == "postgresql":
        return _copy(connection, table, rows, columns, on_progress)
    sent = 0
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(dict(zip(columns, row, strict=True)))
        if len(chunk) == CHUNK_ROWS:
            connection.execute(insert(table), chunk)
            sent += len(chunk)
            chunk = []
            if on_progress is not None:
                on_progress(sent)
    if chunk:
        connection.execute(insert(table), chunk)
        sent += len(chunk)
    return sent


class _CopyStream:
    """A file-like ``read`` over rows, rendering COPY text one chunk at a time.

    psycopg2 pulls from it and sends each chunk as it comes, so the whole input is never
    held in memory as text, and the server parses one chunk while the next is rendered.
    """

    def __init__(
        self,
        rows: Iterable[Sequence[Any]],
        json_columns: Sequence[bool],
        on_progress: ProgressCallback | None,
    ) -> None:
        self._rows: Iterator[Sequence[Any]] = iter(rows)
        self._render = [_json_field if is_json else _plain_field for is_json in json_columns]
        self._on_progress = on_progress
        self.sent = 0

    def read(self, _size: int = -1) -> str:
        lines = []
        render = self._render
        for row in self._rows:
            lines.append("\t".join([f(v) for f, v in zip(render, row, strict=True)]))
            if len(lines) == CHUNK_ROWS:
                break
        if not lines:
            return ""
        self.sent += len(lines)
        if self._on_progress is not None and len(lines) == CHUNK_ROWS:
            self._on_progress(self.sent)
        return "\n".join(lines) + "\n"


# Rendering is most of the client's work in a COPY, so both renderers avoid str.translate
# (a lookup per character) on text that has nothing to escape, which is nearly all of it.


def _plain_field(value: Any) -> str:
    if value is None:
        return _COPY_NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.translate(_COPY_ESCAPES)
    return text


def _json_field(value: Any) -> str:
    if value is None:
        return _COPY_NULL
    # JSON text never holds a raw tab, newline or carriage return (json.dumps writes them
    # as escapes), so its backslashes are all that COPY needs escaped.
    return json.dumps(value).replace("\\", "\\\\")


def _copy(
    connection: Connection,
    table: Table,
    rows: Iterable[Sequence[Any]],
    columns: Sequence[str],
    on_progress: ProgressCallback | None,
) -> int:
    json_columns = [_is_json(table, name) for name in columns]
    stream = _CopyStream(rows, json_columns, on_progress)
    quoted = ", ".join(connection.dialect.identifier_preparer.quote(name) for name in columns)
    statement = f"COPY {table.name} ({quoted}) FROM STDIN"
    # The DBAPI cursor of the connection's current transaction: the rows commit or roll
    # back with everything else the caller did in it.
    dbapi = connection.connection.dbapi_connection
    if dbapi is None:
        raise RuntimeError(f"the connection to {table.name}'s database was closed before COPY")
    cursor = dbapi.cursor()
    try:
        cursor.copy_expert(statement, stream, size=1 << 20)
    except connection.dialect.loaded_dbapi.Error as error:
        # The raw cursor bypasses SQLAlchemy's error handling: wrap the error as SQLAlchemy
        # would, and drop a connection the server closed so that the pool never reuses it.
        # psycopg2 reports a session ended during COPY as "invalid socket", which SQLAlchemy
        # does not recognise; the connection's ``closed`` flag tells it either way.
        lost = connection.dialect.is_disconnect(error, dbapi, cursor) or bool(
            getattr(dbapi, "closed", False)
        )
        if lost:
            connection.invalidate(error)
        raise DBAPIError.instance(
            statement,
            None,
            error,
            connection.dialect.loaded_dbapi.Error,
            connection_invalidated=lost,
            dialect=connection.dialect,
        ) from error
    finally:
        if not cursor.closed:
            cursor.close()
    return stream.sent


def _is_json(table: Table, name: str) -> bool:
    return isinstance(table.c[name].type, JSON)


def upsert(connection: Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT for ``table`` that takes ``.on_conflict_do_nothing`` / ``_do_update``."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise ValueError(
        f"no upsert for a {dialect!r} warehouse: INSERT ... ON CONFLICT is written for "
        "postgresql and sqlite; point PHARMA_WAREHOUSE_URL at one of those"
    )
