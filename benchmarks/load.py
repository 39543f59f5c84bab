"""Time the product's raw load of a large SAP stock extract into PostgreSQL against psql \\copy.

Usage (from the project folder, as a module: it reuses ``benchmarks/ingest.py``)::

    uv run python -m benchmarks.load [SERVER_URL] [--rows 1000000] [--repeat 3] [--seed 3]

``SERVER_URL`` is a SQLAlchemy URL of a PostgreSQL role that may create databases
(default: ``PHARMA_TEST_POSTGRES_URL``). The benchmark creates a database of its own there,
migrates it to the current revision, and drops it at the end, whatever happened.

It writes the stock extract of the ingestion benchmark (``benchmarks/ingest.py``), then:

- parses it the way the raw asset does (``parse_file``, then ``file_loads`` of
  ``pharma_pipelines.assets.raw``), timed but not part of the comparison;
- *product*: stores the file's load with ``RawRepository.store``, what the raw asset calls
  for each file: the ``loaded_file`` claim, the rows by COPY through psycopg2 into
  ``raw_record``, the rejects, one commit;
- *\\copy*: ``psql \\copy`` of the same rows (the same five columns and values, the payload
  as the same JSON text), written beforehand as CSV, into ``raw_record_copy``: a table of
  the same definition as ``raw_record`` (``LIKE ... INCLUDING ALL`` for columns, defaults,
  checks and indexes; its foreign key to ``loaded_file`` and its triggers added from the
  catalog), so that the two differ only in how the rows get there;
- *\\copy, bare table*: the same into ``raw_record_bare``, ``LIKE raw_record INCLUDING ALL``
  without the foreign key and the triggers. For information: it shows what the table's
  own definition costs any loader.

Each load starts from empty tables after a CHECKPOINT, so none pays for writing out
another's pages; they run in turns, ``--repeat`` times each, the order rotating. Time is
wall-clock, psql's start-up included. Rows per second count the rows in the table
afterwards; medians are reported, and the ratio is product / \\copy into the table of the
same definition, in rows per second (target at least 0.7). The machine and its load set
the absolute numbers: compare the loaders within one run.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import URL, Engine, create_engine, make_url, text

from benchmarks.ingest import write_extract
from pharma_pipelines.assets.raw import file_loads
from pharma_pipelines.ingestion import parse_file
from pharma_pipelines.keys import file_entities
from pharma_pipelines.warehouse.database import make_engine
from pharma_pipelines.warehouse.raw_repository import FileLoad, RawRepository
from pharma_pipelines.warehouse.schema import upgrade

RELATIVE_PATH = "sap/MCHB_stock_load_benchmark.csv"
COLUMNS = ("file_id", "entity", "row_number", "payload", "file_hash")
FILE_ID = 1
"""The ``loaded_file`` id of every load: identities restart with each load's empty tables."""
TARGET = 0.7
SAME = "raw_record_copy"
BARE = "raw_record_bare"


def _parse(path: Path) -> tuple[FileLoad, float]:
    """The one FileLoad the raw asset would store for this file, and the parse time."""
    data = path.read_bytes()
    started = time.perf_counter()
    parsed = parse_file(RELATIVE_PATH, data)
    loads = file_loads(parsed, file_entities(parsed.kind))
    seconds = time.perf_counter() - started
    if parsed.quarantine_reason is not None or len(loads) != 1:
        raise SystemExit(
            f"{path.name}: expected one raw load, got {len(loads)} (kind {parsed.kind!r}, "
            f"quarantine: {parsed.quarantine_reason})"
        )
    return loads[0], seconds


def _write_csv(load: FileLoad, path: Path) -> None:
    """The rows the product sends, as psql's CSV: same values, payload as the same JSON."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        for row in load.rows:
            writer.writerow(
                (FILE_ID, load.entity, row.row_number, json.dumps(row.values), load.content_hash)
            )


def _create_reference_tables(autocommit: Engine) -> None:
    """``raw_record_copy`` with raw_record's whole definition, ``raw_record_bare`` without
    its foreign key and triggers (which ``LIKE`` does not copy)."""
    with autocommit.connect() as connection:
        for table in (SAME, BARE):
            connection.execute(text(f"CREATE TABLE {table} (LIKE raw_record INCLUDING ALL)"))
        foreign_keys = connection.execute(
            text(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = 'raw_record'::regclass AND contype = 'f'"
            )
        ).scalars()
        for definition in list(foreign_keys):
            connection.execute(text(f"ALTER TABLE {SAME} ADD {definition}"))
        triggers = connection.execute(
            text(
                "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
                "WHERE tgrelid = 'raw_record'::regclass AND NOT tgisinternal"
            )
        ).all()
        for name, definition in triggers:
            connection.execute(
                text(
                    definition.replace(f"TRIGGER {name} ", f"TRIGGER {name}_copy ").replace(
                        " ON public.raw_record ", f" ON public.{SAME} "
                    )
                )
            )
        if not triggers:
            raise SystemExit("raw_record has no trigger to copy: the benchmark is out of date")


def _reset(autocommit: Engine) -> None:
    """Empty every table a load writes, restart their ids, write out dirty pages."""
    with autocommit.connect() as connection:
        connection.execute(
            text(
                "TRUNCATE raw_record, raw_reject, raw_attachment, loaded_file, "
                f"{SAME}, {BARE} RESTART IDENTITY"
            )
        )
        connection.execute(text("CHECKPOINT"))


def _count(autocommit: Engine, table: str) -> int:
    with autocommit.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def _product(engine: Engine, autocommit: Engine, load: FileLoad) -> tuple[float, int]:
    _reset(autocommit)
    started = time.perf_counter()
    outcome = RawRepository(engine).store(load, "load-benchmark")
    seconds = time.perf_counter() - started
    stored = _count(autocommit, "raw_record")
    if stored != outcome.rows_loaded or stored != len(load.rows):
        raise SystemExit(f"the product stored {stored} rows of {len(load.rows)}")
    return seconds, stored


def _psql_copy(
    autocommit: Engine, database: URL, load: FileLoad, csv_path: Path, table: str
) -> tuple[float, int]:
    _reset(autocommit)
    with autocommit.connect() as connection:
        # The file the rows belong to, as the product's claim would have written it.
        connection.execute(
            text(
                "INSERT INTO loaded_file (id, entity, relative_path, content_hash, status, "
                "notes, rows_read, rows_loaded, rows_rejected, loaded_at, run_id) VALUES "
                "(:id, :entity, :path, :hash, 'loaded', '[]', :read, :loaded, :rejected, "
                "now(), 'load-benchmark')"
            ),
            {
                "id": FILE_ID,
                "entity": load.entity,
                "path": load.relative_path,
                "hash": load.content_hash,
                "read": len(load.rows) + len(load.rejects),
                "loaded": len(load.rows),
                "rejected": len(load.rejects),
            },
        )
    command = f"\\copy {table} ({', '.join(COLUMNS)}) FROM '{csv_path}' WITH (FORMAT csv)"
    environment = {**os.environ, "PGPASSWORD": database.password or "", "PGAPPNAME": "bench"}
    started = time.perf_counter()
    subprocess.run(
        [
            "psql",
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            database.host or "127.0.0.1",
            "-p",
            str(database.port or 5432),
            "-U",
            database.username or "",
            "-d",
            database.database or "",
            "-c",
            command,
        ],
        check=True,
        env=environment,
    )
    seconds = time.perf_counter() - started
    stored = _count(autocommit, table)
    if stored != len(load.rows):
        raise SystemExit(f"\\copy stored {stored} rows of {len(load.rows)} into {table}")
    return seconds, stored


def _median_rate(runs: list[tuple[float, int]]) -> float:
    return statistics.median(rows / seconds for seconds, rows in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "server",
        nargs="?",
        default=os.environ.get("PHARMA_TEST_POSTGRES_URL"),
        help="SQLAlchemy URL of the server (default: PHARMA_TEST_POSTGRES_URL)",
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="loads of each kind, in turns")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    if not args.server:
        parser.error("give the server's URL or set PHARMA_TEST_POSTGRES_URL")
    server = make_url(args.server)
    if server.get_backend_name() != "postgresql":
        parser.error(f"{server.render_as_string()}: a PostgreSQL URL is needed")

    database = server.set(database=f"pharma_bench_{uuid.uuid4().hex[:12]}")
    admin = create_engine(server, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{database.database}"')
    engine = make_engine(database.render_as_string(hide_password=False))
    runs: dict[str, list[tuple[float, int]]] = {"product": [], SAME: [], BARE: []}
    try:
        upgrade(engine)
        # The product gets the engine as the raw asset would; the set-up around it needs
        # statements outside a transaction (CHECKPOINT).
        autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        _create_reference_tables(autocommit)
        with tempfile.TemporaryDirectory() as temporary:
            folder = Path(temporary)
            extract = folder / "MCHB_stock_benchmark.csv"
            write_extract(extract, args.rows, args.seed)
            load, parse_seconds = _parse(extract)
            rows_csv = folder / "rows.csv"
            _write_csv(load, rows_csv)
            print(
                f"extract: {args.rows:,} rows, {extract.stat().st_size / 2**20:.1f} MiB "
                f"(seed {args.seed}); parsed as the raw asset does in {parse_seconds:.1f} s: "
                f"{len(load.rows):,} rows to load into {load.entity}, "
                f"{len(load.rejects):,} rejected"
            )
            print(f"database: {database.render_as_string()} (created for this run)")
            loaders: dict[str, Callable[[], tuple[float, int]]] = {
                "product": lambda: _product(engine, autocommit, load),
                SAME: lambda: _psql_copy(autocommit, database, load, rows_csv, SAME),
                BARE: lambda: _psql_copy(autocommit, database, load, rows_csv, BARE),
            }
            names = list(loaders)
            for turn in range(args.repeat):
                for name in names[turn % 3 :] + names[: turn % 3]:
                    runs[name].append(loaders[name]())
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(
                f'DROP DATABASE IF EXISTS "{database.database}" WITH (FORCE)'
            )
        admin.dispose()

    rows = len(load.rows)
    for name, label in (
        ("product", "product RawRepository.store"),
        (SAME, f"psql \\copy into {SAME}"),
        (BARE, f"psql \\copy into {BARE}"),
    ):
        done = runs[name]
        times = ", ".join(f"{seconds:.2f}" for seconds, _ in done)
        print(
            f"{label:32s} {rows:,} rows, median {statistics.median(s for s, _ in done):6.2f} s "
            f"(runs {times}) = {_median_rate(done):,.0f} rows/s"
        )
    product = _median_rate(runs["product"])
    print(
        f"product end to end (parse + store): {rows / (parse_seconds + rows / product):,.0f} rows/s"
    )
    print(
        f"ratio product / \\copy (same table definition): {product / _median_rate(runs[SAME]):.2f} "
        f"(target >= {TARGET})"
    )
    print(f"ratio product / \\copy (bare table): {product / _median_rate(runs[BARE]):.2f}")


if __name__ == "__main__":
    main()
