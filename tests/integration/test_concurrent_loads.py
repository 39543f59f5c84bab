"""Loads are transactional, on SQLite and on PostgreSQL.

Two runs loading different files at once both succeed; two runs loading the same file at
once leave exactly one copy; a process killed in the middle of a large load leaves no row
of it, and the file loads completely afterwards. Each run has its own engine (its own
connections), and the runs meet at a barrier so that both are inside their load together.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, text

from pharma_pipelines.warehouse.bulk import CHUNK_ROWS
from pharma_pipelines.warehouse.database import APPLICATION_NAME, make_engine
from pharma_pipelines.warehouse.raw_repository import (
    FileLoad,
    LoadOutcome,
    RawRepository,
    RowToStore,
)
from tests.conftest import PROJECT_ROOT, migrated
from tests.integration import load_child

# More than two chunks, so that a load reports progress while its transaction is open.
ROWS = CHUNK_ROWS * 2 + 500
# Upper bound on waiting for the other run (a hang is a failure, not a slow test).
PATIENCE_S = 120


@pytest.fixture
def url(warehouse_url: str) -> str:
    return migrated(warehouse_url)


def a_file(name: str, rows: int = ROWS) -> FileLoad:
    return FileLoad(
        entity="sap/stock",
        relative_path=f"sap/{name}.csv",
        content_hash=name.ljust(64, "0"),
        encoding="cp1252",
        layout="csv sep=';'",
        rows=[RowToStore(n, {"batch": f"{name}-{n}"}) for n in range(2, rows + 2)],
    )


def _stored(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT f.relative_path, count(r.id) FROM loaded_file f "
                "LEFT JOIN raw_record r ON r.file_id = f.id GROUP BY f.relative_path"
            )
        )
        return dict(rows.all())


def _waiting_on_a_lock(engine: Engine) -> bool:
    """Whether a product session on PostgreSQL is waiting for another one's lock."""
    with engine.connect() as connection:
        return bool(
            connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = :name "
                    "AND wait_event_type = 'Lock'"
                ),
                {"name": APPLICATION_NAME},
            ).scalar()
        )


def _wait_until_the_server_ended_the_killed_session(engine: Engine) -> None:
    """The server rolls the killed load back when it notices the closed connection."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    with engine.connect() as connection:
        for _ in range(PATIENCE_S * 10):
            if connection.execute(query).scalar() == 0:
                return
            connection.execute(text("SELECT pg_sleep(0.1)"))
    raise AssertionError("the killed load's session is still open on the server")


def _two_runs(
    url: str,
    first: FileLoad,
    second: FileLoad,
    first_holds_until: Callable[[threading.Event, Engine], None],
) -> tuple[LoadOutcome, LoadOutcome]:
    """Run two loads at once; the first pauses inside its transaction (after its first
    chunk) until ``first_holds_until`` returns, the second starts when the first is inside."""
    engines = [make_engine(url) for _ in range(3)]
    barrier = threading.Barrier(2, timeout=PATIENCE_S)
    second_done = threading.Event()
    outcomes: dict[int, LoadOutcome] = {}
    errors: list[BaseException] = []
    held = False

    def hold(_sent: int) -> None:
        nonlocal held
        if not held:
            held = True
            barrier.wait()  # the first run is inside its transaction now
            first_holds_until(second_done, engines[2])

    def run(index: int, load: FileLoad) -> None:
        try:
            if index == 1:
                barrier.wait()
                outcomes[1] = RawRepository(engines[1]).store(load, "run-2")
                second_done.set()
            else:
                outcomes[0] = RawRepository(engines[0]).store(load, "run-1", on_progress=hold)
        except BaseException as error:  # surfaced below, not lost in the thread
            errors.append(error)
            second_done.set()

    threads = [
        threading.Thread(target=run, args=(i, load)) for i, load in enumerate([first, second])
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(PATIENCE_S)
    for engine in engines:
        engine.dispose()
    assert not errors, f"a load failed: {errors!r}"
    assert set(outcomes) == {0, 1}, "a load did not finish"
    return outcomes[0], outcomes[1]


def test_two_runs_loading_different_files_at_once_both_succeed(url):
    postgres = url.startswith("postgresql")

    def until(second_done: threading.Event, _monitor: Engine) -> None:
        if postgres:
            # Different files share no key: the second load finishes while the first is
            # still open, or this wait fails the test.
            assert second_done.wait(PATIENCE_S), "the second load waited for the first"
        # SQLite has one writer at a time: the second load waits for this one to commit.

    first, second = _two_runs(url, a_file("MCHB_a"), a_file("MCHB_b"), until)

    assert (first.already_loaded, second.already_loaded) == (False, False)
    engine = make_engine(url)
    assert _stored(engine) == {"sap/MCHB_a.csv": ROWS, "sap/MCHB_b.csv": ROWS}
    engine.dispose()


def test_two_runs_loading_the_same_file_at_once_leave_one_copy(url):
    postgres = url.startswith("postgresql")

    def until(second_done: threading.Event, monitor: Engine) -> None:
        if postgres:
            # Hold the first load open until the second is seen waiting on its key.
            for _ in range(PATIENCE_S * 10):
                if _waiting_on_a_lock(monitor):
                    return
                second_done.wait(0.1)
            raise AssertionError("the second load never waited for the first one's key")

    first, second = _two_runs(url, a_file("MCHB_same"), a_file("MCHB_same"), until)

    assert sorted([first.already_loaded, second.already_loaded]) == [False, True]
    assert first.rows_loaded == second.rows_loaded == ROWS
    engine = make_engine(url)
    assert _stored(engine) == {"sap/MCHB_same.csv": ROWS}
    engine.dispose()


def test_a_load_killed_half_way_leaves_no_rows_and_loads_again_completely(url):
    rows = CHUNK_ROWS * 5
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.integration.load_child", url, str(rows)],
        cwd=PROJECT_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line.startswith("mid-load "), f"the child did not reach the middle: {line!r}"
    assert 0 < int(line.split()[1]) < rows
    child.send_signal(signal.SIGKILL)
    child.wait(PATIENCE_S)
    assert child.returncode == -signal.SIGKILL

    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        _wait_until_the_server_ended_the_killed_session(engine)
    assert _stored(engine) == {}
    # Loading the same file again is not mistaken for a duplicate of the killed load.
    outcome = RawRepository(engine).store(load_child.large_file(rows), "run-again")
    assert outcome.already_loaded is False
    assert _stored(engine) == {"sap/MCHB_large.csv": rows}
    engine.dispose()
