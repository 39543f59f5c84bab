"""Bulk inserts and upserts, each in the form the database does best.

On PostgreSQL rows go in through ``COPY ... FROM STDIN``: one stream per table instead of a
statement per batch, parsed by the server while a thread of this process renders the next
chunk. Other databases (SQLite) get Core ``executemany`` in chunks. Either way the rows join
the caller's transaction, so a file's rows still land all or nothing.

Upserts use the database's own ``INSERT ... ON CONFLICT`` (PostgreSQL's and SQLite's
dialect constructs), so a race between two writers of the same key is settled by the unique
index inside one statement rather than by a read followed by a write.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import JSON, Connection, Table, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError

CHUNK_ROWS = 10_000
"""Rows per executemany batch, and between two progress reports."""

_CHUNKS_AHEAD = 2
"""Chunks of COPY text rendered ahead of the one being sent (each some megabytes)."""

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
    held in memory as text. Rendering runs in a thread of its own, at most
    :data:`_CHUNKS_AHEAD` chunks ahead: psycopg2 lets go of the GIL while it sends, so the
    next chunk is rendered while the server parses this one. Rendered and sent in turn, the
    server sat idle while each chunk was rendered, and loads took half as long again.
    Call :meth:`close` when done, whether the COPY finished or not.
    """

    def __init__(
        self,
        rows: Iterable[Sequence[Any]],
        json_columns: Sequence[bool],
        on_progress: ProgressCallback | None,
    ) -> None:
        render = [_json_field if is_json else _plain_field for is_json in json_columns]
        self._chunks: queue.Queue[tuple[int, str] | BaseException | None] = queue.Queue(
            maxsize=_CHUNKS_AHEAD
        )
        self._stop = threading.Event()
        self._ended = False
        self._on_progress = on_progress
        self.sent = 0
        self._renderer = threading.Thread(
            target=self._render_all, args=(iter(rows), render), name="copy-render", daemon=True
        )
        self._renderer.start()

    def _render_all(
        self, rows: Iterator[Sequence[Any]], render: list[Callable[[Any], str]]
    ) -> None:
        try:
            while True:
                lines = []
                for row in rows:
                    lines.append("\t".join([f(v) for f, v in zip(render, row, strict=True)]))
                    if len(lines) == CHUNK_ROWS:
                        break
                if not lines:
                    self._hand_over(None)
                    return
                if not self._hand_over((len(lines), "\n".join(lines) + "\n")):
                    return
        except BaseException as error:  # raised again in the reading thread, by read()
            self._hand_over(error)

    def _hand_over(self, item: tuple[int, str] | BaseException | None) -> bool:
        """Queue ``item`` for the reader; False once the reader has closed the stream."""
        while not self._stop.is_set():
            try:
                self._chunks.put(item, timeout=0.1)
            except queue.Full:
                continue
            return True
        return False

    def read(self, _size: int = -1) -> str:
        if self._ended:
            return ""
        item = self._chunks.get()
        if item is None:
            self._ended = True
            return ""
        if isinstance(item, BaseException):
            self._ended = True
            raise item
        count, text = item
        self.sent += count
        if self._on_progress is not None and count == CHUNK_ROWS:
            self._on_progress(self.sent)
        return text

    def close(self) -> None:
        """Stop the renderer (a COPY that failed half-way leaves it waiting to hand over)."""
        self._stop.set()
        self._renderer.join()


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
    quoted = ", ".join(connection.dialect.identifier_preparer.quote(name) for name in columns)
    statement = f"COPY {table.name} ({quoted}) FROM STDIN"
    # The DBAPI cursor of the connection's current transaction: the rows commit or roll
    # back with everything else the caller did in it.
    dbapi = connection.connection.dbapi_connection
    if dbapi is None:
        raise RuntimeError(f"the connection to {table.name}'s database was closed before COPY")
    cursor = dbapi.cursor()
    stream = _CopyStream(rows, json_columns, on_progress)
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
        stream.close()
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
