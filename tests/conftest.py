"""Shared test set-up: where the shared material is, and servers that must not skip in CI."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from sqlalchemy import URL, Engine

# The traceability report and its gate come with every run; pytester runs the gate's own tests.
pytest_plugins = ("tests.traceability", "pytester")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED = PROJECT_ROOT.parent / "shared"
REALDATA = SHARED / "realdata"
CASES = SHARED / "cases"
BENCH = SHARED / "bench-instances"
SAMPLE_LANDING = PROJECT_ROOT / "examples" / "landing"
BROKEN_LANDING = PROJECT_ROOT / "tests" / "fixtures" / "landing_broken"

# Tests need a verified schedule, not the best one the time allows: on the sample plant a
# longer solve finds the same plan (the time-limit scenarios set their own limits).
SOLVE_LIMIT_S = 2.0


def servers_required() -> bool:
    """In CI a missing server is a failure, not a skip."""
    return os.environ.get("PHARMA_REQUIRE_SERVERS") == "1"


def skip_or_fail(reason: str) -> None:
    if servers_required():
        pytest.fail(f"{reason} (PHARMA_REQUIRE_SERVERS=1: this test must run here)")
    pytest.skip(reason)


# Markers of tests that need nothing from ../shared, so that in CI any skip of theirs, from
# skip_or_fail or from anywhere else (an import, a helper), means a missing server or tool.
MUST_RUN_IN_CI = ("e2e",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Modules with a slow test first, in their own order otherwise.

    pytest-xdist hands a module to whichever worker is free: started early, the long modules
    run side by side with the short ones instead of leaving one worker busy at the end.
    """
    slow = {item.path for item in items if item.get_closest_marker("slow") is not None}
    items.sort(key=lambda item: item.path not in slow)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator:
    report = yield
    must_run = [name for name in MUST_RUN_IN_CI if item.get_closest_marker(name)]
    if report.skipped and must_run and servers_required() and not hasattr(report, "wasxfail"):
        # A skip's report holds (file, line, "Skipped: <reason>").
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        reason = str(reason).removeprefix("Skipped: ")
        report.outcome = "failed"
        report.longrepr = (
            f"skipped ({reason}), but a test marked {must_run[0]} must run where "
            "PHARMA_REQUIRE_SERVERS=1"
        )
    return report


def case_dir(name: str) -> Path:
    folder = CASES / name
    if not folder.is_dir():
        pytest.skip(f"shared case {name} is not available at {folder}")
    return folder


@pytest.fixture
def realdata() -> Path:
    if not REALDATA.is_dir():
        pytest.skip(f"real exports are not available at {REALDATA}")
    return REALDATA


@pytest.fixture(scope="session")
def compiled_search() -> float:
    """Compile the schedule search once per session, so no test pays for it inside a time limit."""
    from pharma_pipelines.scheduling.search import warm_up

    return warm_up()


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """A local S3-compatible server (moto, in this process) on 127.0.0.1; its endpoint URL.

    Started here, so the only reason to skip is moto missing, and in CI that fails.
    """
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as error:
        skip_or_fail(f"moto[server] is not installed ({error}); uv sync installs it")
        raise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_endpoint(s3_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The local server's endpoint, with dummy credentials and no way out to AWS.

    Every client (ours, and any built without an endpoint) goes to the local server, and a
    name lookup of any host but the loopback fails, so no request can reach amazonaws.com.
    """
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "local-test-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local-test-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_server)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    resolve = socket.getaddrinfo

    def loopback_only(host, *args, **kwargs):
        if host not in LOOPBACK_HOSTS:
            raise OSError(f"tests marked s3 talk to 127.0.0.1 only, not to {host!r}")
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", loopback_only)
    return s3_server


@pytest.fixture
def s3_bucket(s3_endpoint: str) -> str:
    """A new, empty bucket on the local server for one test."""
    import boto3

    name = "landing-" + uuid.uuid4().hex[:20]
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").create_bucket(Bucket=name)
    return name


# --- databases: in-memory SQLite for speed, PostgreSQL for fidelity ---------------------


@pytest.fixture(scope="session")
def postgres_server() -> URL:
    """The test server's URL (PHARMA_TEST_POSTGRES_URL), once it answers; else skip or fail."""
    from sqlalchemy import create_engine, make_url, text

    value = os.environ.get("PHARMA_TEST_POSTGRES_URL")
    if not value:
        skip_or_fail("PHARMA_TEST_POSTGRES_URL is not set: no PostgreSQL server for this test")
    url = make_url(value)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1"))
    except Exception as error:  # any connection failure means there is no server
        skip_or_fail(f"PostgreSQL at {url.render_as_string()} is not reachable: {error}")
    finally:
        engine.dispose()
    return url


@pytest.fixture
def new_postgres_database(postgres_server: URL) -> Iterator[Callable[[], str]]:
    """Makes new, empty databases of this test's own on the test server (URLs with the
    password); each is dropped after the test, sessions still open on it or not."""
    from sqlalchemy import create_engine

    # Pre-ping: the server is shared, and a session idle since set-up may have been ended.
    admin = create_engine(postgres_server, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    made: list[str] = []

    def make() -> str:
        name = f"pharma_t_{uuid.uuid4().hex[:12]}"
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        made.append(name)
        return postgres_server.set(database=name).render_as_string(hide_password=False)

    try:
        yield make
    finally:
        with admin.connect() as connection:
            for name in made:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def migrated(url: str) -> str:
    """Migrate the warehouse at ``url`` to head, as each release's migration task does; the URL."""
    from pharma_pipelines.warehouse.database import make_engine
    from pharma_pipelines.warehouse.schema import upgrade

    engine = make_engine(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    return url


@pytest.fixture
def postgres_database(new_postgres_database: Callable[[], str]) -> str:
    """A new, empty database of this test's own on the test server."""
    return new_postgres_database()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def warehouse_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty warehouse database, once SQLite (a file, so that several connections and
    processes share it) and once PostgreSQL: for behaviour that must match on both."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    return request.getfixturevalue("postgres_database")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def warehouse_engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """An empty warehouse migrated to head: in-memory SQLite (fast), then a PostgreSQL
    database of the test's own (what production runs): for behaviour that must match."""
    from pharma_pipelines.warehouse.database import make_engine
    from pharma_pipelines.warehouse.schema import upgrade

    url = "sqlite://" if request.param == "sqlite" else request.getfixturevalue("postgres_database")
    engine = make_engine(url)
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def sample_plant(tmp_path_factory, compiled_search) -> Iterator:
    """The bundled sample landing zone materialized once per session (tests read, not change)."""
    from tests.plant_runs import plant_run

    with plant_run(SAMPLE_LANDING, tmp_path_factory.mktemp("sample_plant")) as run:
        yield run


@pytest.fixture(scope="session")
def broken_plant(tmp_path_factory, compiled_search) -> Iterator:
    """The broken landing zone materialized once per session (tests read, not change)."""
    from tests.plant_runs import plant_run

    with plant_run(BROKEN_LANDING, tmp_path_factory.mktemp("broken_plant")) as run:
        yield run
