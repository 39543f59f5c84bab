"""A real Dagster webserver on loopback, and headless Chromium to drive it.

Each test starts its own ``dagster-webserver`` (the command users run) on 127.0.0.1 and a
free port, with a throwaway DAGSTER_HOME, a SQLite warehouse and a landing zone of its own,
all set through the PHARMA_ settings in the server's environment. Runs launched from the UI
execute in subprocesses of the server's code location, as on a planner's machine. Screenshots
of each step go to ``reports/e2e/``.

The browser is Debian's Chromium at /usr/bin/chromium, never one Playwright downloads: such
downloads cannot be installed here, and ``.ci/run`` installs the package with apt when it is
missing. Without the browser or the playwright package the tests skip, and fail where
PHARMA_REQUIRE_SERVERS=1 (see ``tests/conftest.py``).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PROJECT_ROOT, SOLVE_LIMIT_S, skip_or_fail

REPORTS = PROJECT_ROOT / "reports" / "e2e"
DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
LOOPBACK = "127.0.0.1"
# Headless and offline: the machine reaches nothing but loopback and the package indexes,
# and Chromium's background services (updates, sync, field trials) would try Google's hosts.
# Root needs --no-sandbox. Every host name resolves to nothing; the UI is addressed by IP.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    f"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE {LOOPBACK}",
]
SERVER_START_TIMEOUT_S = 180.0
VIEWPORT = {"width": 1920, "height": 1200}
# The instance of a UI test: runs launch at once (no daemon to dequeue them), telemetry and
# the first-visit newsletter dialog are off, storage is SQLite under DAGSTER_HOME.
INSTANCE_YAML = """\
telemetry:
  enabled: false
nux:
  enabled: false
run_coordinator:
  module: dagster.core.run_coordinator
  class: DefaultRunCoordinator
run_launcher:
  module: dagster.core.launcher
  class: DefaultRunLauncher
"""


def chromium_path() -> Path:
    """Debian's Chromium; PHARMA_E2E_BROWSER names another Chromium build installed here."""
    configured = os.environ.get("PHARMA_E2E_BROWSER")
    if configured:
        if not Path(configured).is_file():
            pytest.fail(
                f"PHARMA_E2E_BROWSER={configured!r} is not a file: name a Chromium "
                f"executable, or unset it to use {DEBIAN_CHROMIUM}"
            )
        return Path(configured)
    if not DEBIAN_CHROMIUM.is_file():
        skip_or_fail(
            f"no browser at {DEBIAN_CHROMIUM}: install Debian's chromium package "
            "(apt-get install chromium), as .ci/run does"
        )
    return DEBIAN_CHROMIUM


# Module scope: Playwright's sync API keeps an event loop running in this thread until it
# stops, and later tests that call asyncio.run (Dagster's automation evaluation) would fail.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        skip_or_fail(f"the playwright package is not installed ({error}): run uv sync")
        raise
    executable = chromium_path()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(executable), headless=True, args=CHROMIUM_FLAGS
        )
        yield launched
        launched.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator:
    """Keep each phase's report on the test item, so a fixture can see that the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@dataclass
class Screenshots:
    """The test's screenshots, one PNG per step, named ``<test>-<step>.png``."""

    prefix: str
    folder: Path = REPORTS
    taken: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def clear_previous(self) -> None:
        """Remove this test's pictures of an earlier run, so the folder shows one run only."""
        for stale in self.folder.glob(f"{self.prefix}-*.png"):
            stale.unlink()

    def take(self, page: Any, step: str) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{self.prefix}-{step}.png"
        # Dialogs fade in: without this a picture can catch them half transparent.
        page.screenshot(path=str(path), animations="disabled")
        # When each step was reached tells where a slow run spent its time.
        self.taken.append(f"{time.monotonic() - self.started:6.1f} s  {path}")
        return path


@pytest.fixture
def screenshots(request: pytest.FixtureRequest) -> Iterator[Screenshots]:
    shots = Screenshots(prefix=request.node.name.removeprefix("test_"))
    shots.clear_previous()
    yield shots
    if shots.taken:
        print("screenshots (seconds into the test):\n" + "\n".join(shots.taken))


@pytest.fixture
def page(browser: Any, screenshots: Screenshots, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(viewport=VIEWPORT)
    refused: list[str] = []

    def loopback_only(route: Any) -> None:
        # The UI may link to or fetch from dagster.io; only the test's own server is reached.
        if urllib.parse.urlsplit(route.request.url).hostname == LOOPBACK:
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort("blockedbyclient")

    context.route("**/*", loopback_only)
    opened = context.new_page()
    # Dagster's pages load lazily and runs take a while on two shared cores.
    opened.set_default_timeout(90_000)
    yield opened
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        screenshots.take(opened, "failure")
    if refused:
        print("requests to other hosts, refused:\n" + "\n".join(f"  {url}" for url in refused))
    context.close()


@dataclass(frozen=True)
class DagsterUi:
    """One running webserver: where to browse, and the instance and warehouse behind it."""

    url: str
    home: Path
    warehouse_url: str
    log: Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def _server_environment(home: Path, landing: Path, warehouse_url: str) -> dict[str, str]:
    """This process's environment without its PHARMA_ settings, then the test's own."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PHARMA_")}
    environment.update(
        {
            "DAGSTER_HOME": str(home),
            "PHARMA_LANDING_ZONE": str(landing),
            "PHARMA_WAREHOUSE_URL": warehouse_url,
            "PHARMA_PLANTS": "0100",
            # As in the integration tests: a verified schedule, not necessarily the best.
            "PHARMA_SOLVER_TIME_LIMIT_S": str(SOLVE_LIMIT_S),
        }
    )
    return environment


def _log_tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


def _wait_until_serving(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"dagster-webserver exited with {process.returncode} before serving {url}; "
                f"its log ({log}) ends:\n{_log_tail(log)}"
            )
        try:
            with urllib.request.urlopen(f"{url}/server_info", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    pytest.fail(
        f"dagster-webserver did not answer on {url} within {SERVER_START_TIMEOUT_S:.0f} s; "
        f"its log ({log}) ends:\n{_log_tail(log)}"
    )


def _stop(process: subprocess.Popen) -> None:
    """End the server and what it started (code server, runs): they share its session."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture
def dagster_ui(tmp_path: Path) -> Iterator[Callable[[Path], DagsterUi]]:
    """Start the webserver on a landing zone; it stops when the test ends."""
    started: list[subprocess.Popen] = []

    def start(landing: Path) -> DagsterUi:
        home = tmp_path / f"dagster_home_{len(started)}"
        home.mkdir()
        (home / "dagster.yaml").write_text(INSTANCE_YAML, encoding="utf-8")
        warehouse_url = f"sqlite:///{tmp_path / f'warehouse_{len(started)}.sqlite'}"
        port = free_port()
        log = tmp_path / f"webserver_{len(started)}.log"
        executable = Path(sys.executable).parent / "dagster-webserver"
        command = [
            str(executable),
            "--host",
            LOOPBACK,
            "--port",
            str(port),
            "--module-name",
            "pharma_pipelines.definitions",
        ]
        with log.open("wb") as output:
            process = subprocess.Popen(
                command,
                cwd=PROJECT_ROOT,
                env=_server_environment(home, landing, warehouse_url),
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started.append(process)
        url = f"http://{LOOPBACK}:{port}"
        _wait_until_serving(url, process, log)
        return DagsterUi(url=url, home=home, warehouse_url=warehouse_url, log=log)

    yield start
    for process in started:
        _stop(process)
