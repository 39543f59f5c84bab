"""The warehouse schema under Alembic, on SQLite and on PostgreSQL.

The migrated schema is exactly the models' (Alembic's own comparison finds nothing to
change, and the check constraints and triggers are there); a warehouse at an older revision
is refused on a server and migrated on SQLite; and the zero-downtime change (0002 to 0004)
is applied while loads keep running, losing nothing.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, insert, inspect, text
from sqlalchemy.exc import IntegrityError

from pharma_pipelines.cli import main as cli_main
from pharma_pipelines.warehouse.append_only import missing_triggers
from pharma_pipelines.warehouse.database import WarehouseSchemaError, make_engine
from pharma_pipelines.warehouse.models import (
    APPEND_ONLY_TABLES,
    Base,
    LoadedFile,
    RawRecord,
    table_of,
)
from pharma_pipelines.warehouse.raw_repository import FileLoad, RawRepository, RowToStore
from pharma_pipelines.warehouse.schema import (
    VERSION_TABLE,
    head_revision,
    prepare_schema,
    schema_state,
    upgrade,
)

# Enough rows that the backfill (batches of 20,000) takes several batches.
ROWS_BEFORE = 45_000


@pytest.fixture
def engine(warehouse_url: str) -> Iterator[Engine]:
    engine = make_engine(warehouse_url)
    yield engine
    engine.dispose()


def _differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "version_table": VERSION_TABLE}
        )
        found = compare_metadata(context, Base.metadata)
    # The version table is Alembic's, not a model's.
    return [d for d in found if not (d[0] == "remove_table" and d[1].name == VERSION_TABLE)]


def test_the_migrated_schema_is_the_models_schema(engine):
    upgrade(engine)

    assert _differences(engine) == []
    inspector = inspect(engine)
    for table in Base.metadata.sorted_tables:
        declared = {c.name for c in table.constraints if c.name and c.name.startswith("ck_")}
        found = {c["name"] for c in inspector.get_check_constraints(table.name)}
        assert declared <= found, f"{table.name}: check constraints {declared - found} missing"
    with engine.connect() as connection:
        tables = [model.__tablename__ for model in APPEND_ONLY_TABLES]
        assert missing_triggers(connection, tables) == {}
    assert schema_state(engine).current == head_revision()


def test_a_difference_between_models_and_migrations_would_be_found(engine):
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE stray (id INTEGER PRIMARY KEY)"))
        connection.execute(text("DROP INDEX ix_raw_record_entity_file"))
    kinds = sorted(d[0] for d in _differences(engine))
    assert kinds == ["add_index", "remove_table"]


def test_the_database_refuses_a_load_that_does_not_reconcile(engine):
    upgrade(engine)
    row = {
        "entity": "sap/stock",
        "relative_path": "sap/MCHB.csv",
        "content_hash": "a" * 64,
        "status": "loaded",
        "notes": [],
        "rows_read": 5,
        "rows_loaded": 3,
        "rows_rejected": 1,
        "loaded_at": dt.datetime(2027, 1, 4, 8, tzinfo=dt.UTC),
        "run_id": "r",
    }
    for bad, constraint in (
        (row, "ck_loaded_file_rows_reconcile"),
        ({**row, "rows_read": 4, "status": "half"}, "ck_loaded_file_status"),
    ):
        with pytest.raises(IntegrityError, match=constraint), engine.begin() as connection:
            connection.execute(insert(table_of(LoadedFile)), [bad])


@pytest.mark.postgres
def test_a_server_warehouse_at_an_older_revision_is_refused_with_the_command(postgres_database):
    engine = make_engine(postgres_database)
    try:
        upgrade(engine, "0001")
        with pytest.raises(WarehouseSchemaError) as refused:
            prepare_schema(engine)
        message = str(refused.value)
        assert "at revision 0001" in message
        assert f"needs revision {head_revision()}" in message
        assert "pharma-pipelines migrate --warehouse" in message
        assert "pharma:***@" in message  # the password is not printed

        assert cli_main(["migrate", "--warehouse", postgres_database]) == 0
        prepare_schema(engine)
        assert schema_state(engine).current == head_revision()
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_migrate_refuses_the_dagster_database(postgres_database, capsys):
    engine = make_engine(postgres_database)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE runs (id INTEGER PRIMARY KEY)"))
        connection.execute(text("CREATE TABLE event_logs (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    assert cli_main(["migrate", "--warehouse", postgres_database]) == 2
    assert "holds Dagster's own tables (event_logs, runs)" in capsys.readouterr().err


def test_a_sqlite_warehouse_at_an_older_revision_migrates_itself_keeping_its_rows(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    upgrade(engine, "0001")
    file_id = _load_as_revision_0001(engine, "f" * 64, rows=3)

    prepare_schema(engine)

    assert schema_state(engine).current == head_revision()
    with engine.connect() as connection:
        hashes = connection.execute(
            text("SELECT file_hash FROM raw_record WHERE file_id = :f"), {"f": file_id}
        )
        assert hashes.scalars().all() == ["f" * 64] * 3
    engine.dispose()


def test_a_warehouse_from_before_the_quality_tables_gains_them_keeping_its_issues(engine):
    upgrade(engine, "0004")
    issue = {
        "curated_table": "curated_product",
        "entity": "sap/material_master",
        "source_file": "sap/MARA.csv",
        "row_number": 3,
        "column_name": "shelf_life_days",
        "raw_value": "x",
        "reason": "not a number",
    }
    with engine.begin() as connection:
        # Only the columns revision 0004 has: the statement names no raw_record_id.
        connection.execute(
            text(
                "INSERT INTO curation_issue (curated_table, entity, source_file, row_number, "
                "column_name, raw_value, reason) VALUES (:curated_table, :entity, "
                ":source_file, :row_number, :column_name, :raw_value, :reason)"
            ),
            issue,
        )
    new_tables = {"curated_batch_yield", "curation_exclusion", "quality_validation"}
    assert not new_tables & set(inspect(engine).get_table_names())

    assert upgrade(engine) == ("0004", head_revision())

    assert new_tables <= set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        kept = connection.execute(text("SELECT * FROM curation_issue")).mappings().one()
    assert {**issue, "raw_record_id": None}.items() <= dict(kept).items()
    assert _differences(engine) == []


# --- the zero-downtime change, under load -----------------------------------------------


def _load_as_revision_0001(engine: Engine, content_hash: str, rows: int) -> int:
    """A file stored the way a release before 0002 stored it: rows without ``file_hash``."""
    with engine.begin() as connection:
        file_id = connection.execute(
            text(
                "INSERT INTO loaded_file (entity, relative_path, content_hash, status, notes, "
                "rows_read, rows_loaded, rows_rejected, loaded_at, run_id) VALUES "
                "('sap/stock', :path, :hash, 'loaded', '[]', :n, :n, 0, :at, 'old-release') "
                "RETURNING id"
            ),
            {"path": f"sap/{content_hash[:8]}.csv", "hash": content_hash, "n": rows, "at": NOW},
        ).scalar_one()
        # Only the columns revision 0001 has: the statement names no file_hash.
        connection.execute(
            insert(table_of(RawRecord)),
            [
                {
                    "file_id": file_id,
                    "entity": "sap/stock",
                    "row_number": n,
                    "payload": {"batch": f"B{n:07d}"},
                }
                for n in range(2, rows + 2)
            ],
        )
    return file_id


NOW = "2027-01-04 08:00:00+00:00"


def _a_file(number: int, rows: int = 300) -> FileLoad:
    return FileLoad(
        entity="sap/stock",
        relative_path=f"sap/MCHB_{number:04d}.csv",
        content_hash=f"{number:064x}",
        encoding="utf-8",
        layout="csv sep=';'",
        rows=[RowToStore(n, {"batch": f"{number}-{n}"}) for n in range(2, rows + 2)],
    )


class _Loader(threading.Thread):
    """Loads files one after another until told to stop, counting what it stored."""

    def __init__(self, store: Callable[[int], int], first: int) -> None:
        super().__init__(daemon=True)
        self._store = store
        self._next = first
        self.loaded: dict[int, int] = {}
        self.stop = threading.Event()
        self.progress = threading.Condition()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                self.loaded[self._next] = self._store(self._next)
                self._next += 1
                with self.progress:
                    self.progress.notify_all()
        except BaseException as error:  # reported by the test, not lost in the thread
            self.error = error
            with self.progress:
                self.progress.notify_all()

    def wait_for_another_load(self) -> None:
        """Block until this loader has stored one more file than it had now (or failed)."""
        with self.progress:
            seen = len(self.loaded)
            while len(self.loaded) == seen and self.error is None and self.is_alive():
                self.progress.wait()


def test_the_zero_downtime_change_loses_nothing_while_loads_keep_running(warehouse_url):
    engine = make_engine(warehouse_url)
    postgres = engine.dialect.name == "postgresql"
    upgrade(engine, "0001")
    before = [_load_as_revision_0001(engine, f"{n:064x}", rows=ROWS_BEFORE // 3) for n in (1, 2, 3)]
    upgrade(engine, "0002")

    # Each loader has its own engine: its own connections, as a run in another process would.
    current_engine = make_engine(warehouse_url)
    current = RawRepository(current_engine)
    loaders = [_Loader(lambda n: current.store(_a_file(n), f"run-{n}").rows_loaded, 1000)]
    if postgres:
        # On PostgreSQL the previous release may still be loading during the release.
        old_engine = make_engine(warehouse_url)

        def store_as_before(number: int) -> int:
            _load_as_revision_0001(old_engine, f"{number:064x}", 300)
            return 300

        loaders.append(_Loader(store_as_before, 5000))
    for loader in loaders:
        loader.start()
    try:
        for step in ("0003", "0004"):
            for loader in loaders:
                loader.wait_for_another_load()
            upgrade(engine, step)
            for loader in loaders:
                loader.wait_for_another_load()
    finally:
        for loader in loaders:
            loader.stop.set()
        for loader in loaders:
            loader.join()
    for loader in loaders:
        assert loader.error is None, f"a load failed during the migration: {loader.error!r}"

    loaded = {n: count for loader in loaders for n, count in loader.loaded.items()}
    assert len(loaded) >= 2 * len(loaders)
    with engine.connect() as connection:
        per_file = dict(
            connection.execute(
                text(
                    "SELECT f.content_hash, count(r.id) FROM loaded_file f "
                    "JOIN raw_record r ON r.file_id = f.id GROUP BY f.content_hash"
                )
            ).all()
        )
        mismatched = connection.execute(
            text(
                "SELECT count(*) FROM raw_record r JOIN loaded_file f ON f.id = r.file_id "
                "WHERE r.file_hash IS NULL OR r.file_hash <> f.content_hash"
            )
        ).scalar()
    expected = {f"{n:064x}": count for n, count in loaded.items()}
    expected |= {f"{n:064x}": ROWS_BEFORE // 3 for n in (1, 2, 3)}
    assert per_file == expected
    assert mismatched == 0
    assert len(before) == 3
    assert schema_state(engine).current == "0004"
    column = next(c for c in inspect(engine).get_columns("raw_record") if c["name"] == "file_hash")
    assert column["nullable"] is False
    # The revisions after the example add other tables; with them the schema is the models'.
    upgrade(engine)
    assert _differences(engine) == []
    for used in (engine, current_engine, *([old_engine] if postgres else [])):
        used.dispose()


def test_rows_stored_now_carry_their_files_hash():
    engine = make_engine("sqlite://")
    prepare_schema(engine)
    RawRepository(engine).store(_a_file(7, rows=3), "run-7")
    with engine.connect() as connection:
        hashes = connection.execute(text(f"SELECT file_hash FROM {RawRecord.__tablename__}"))
        assert hashes.scalars().all() == [f"{7:064x}"] * 3
    engine.dispose()
