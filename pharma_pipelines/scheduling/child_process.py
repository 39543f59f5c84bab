"""Run a solver job in a separate Python process that can be stopped.

CBC can overrun its own time limit, so any CBC job runs in a child
interpreter that the parent kills once the limit plus a grace period has
passed. A fresh ``python -m module`` process imports nothing of its parent;
a ``multiprocessing`` spawn child would re-import the caller's main script
and re-run any unguarded top-level code there. Request and result travel as
JSON files, because CBC may write to standard output.

The module run as the child must accept two arguments, the request file and
the result file, and write the result file (atomically) before it exits.
While it works it may also write progress (:func:`write_progress`), which the
parent reads as it waits and keeps when it has to kill the child: a search
that is stopped still hands over the best plan it had.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

STDERR_TAIL_CHARS = 500
"""How much of a dead child's standard error goes into the failure message."""

POLL_S = 0.25
"""How often the parent looks for new progress while the child works."""

PROGRESS_FILE = "progress.json"


@dataclass(frozen=True)
class ChildRun:
    """How a child run ended: its result, or why there is none, and its last progress."""

    result: dict[str, Any] | None
    failure: str | None
    progress: dict[str, Any] | None


def run_in_child(
    module: str, request: dict[str, Any], wait_s: float, grace_s: float
) -> tuple[dict[str, Any] | None, str | None]:
    """Run ``python -m module REQUEST RESULT``; kill it if it takes longer than ``wait_s``.

    Returns ``(result, None)`` when the child wrote a result, else
    ``(None, reason)``. See :func:`run_child` for the details.
    """
    run = run_child(module, request, wait_s, grace_s)
    return run.result, run.failure


def run_child(
    module: str,
    request: dict[str, Any],
    wait_s: float,
    grace_s: float,
    on_progress: Callable[[dict[str, Any]], None] | None = None,
) -> ChildRun:
    """Run ``python -m module REQUEST RESULT``, passing its progress on, killing it at ``wait_s``.

    ``grace_s`` is only quoted in the overrun message: the caller includes it
    in ``wait_s``. The child sees the parent's import path, so it finds the
    same code. Its standard output is discarded; standard error is kept for
    the message when the child dies without a result.
    """
    with tempfile.TemporaryDirectory(prefix="solver-") as folder:
        request_path, result_path = Path(folder, "request.json"), Path(folder, "result.json")
        progress_path = Path(folder, PROGRESS_FILE)
        request_path.write_text(json.dumps(request), encoding="utf-8")
        errors_path = Path(folder, "stderr.txt")
        watcher = _ProgressWatcher(progress_path, on_progress)
        with errors_path.open("wb") as errors:
            process = subprocess.Popen(
                [sys.executable, "-m", module, str(request_path), str(result_path)],
                stdout=subprocess.DEVNULL,
                stderr=errors,
                env=child_environment(),
            )
            deadline = time.monotonic() + wait_s
            while True:
                try:
                    process.wait(timeout=max(0.0, min(POLL_S, deadline - time.monotonic())))
                    break
                except subprocess.TimeoutExpired:
                    watcher.look()
                    if time.monotonic() < deadline:
                        continue
                    logger.warning(
                        "solver process %s overran by %.1f s; killing it", process.pid, grace_s
                    )
                    process.kill()
                    process.wait()
                    return ChildRun(
                        None,
                        f"the solver process overran its time limit by more than {grace_s:g} s "
                        "and was stopped",
                        watcher.look(),
                    )
        progress = watcher.look()
        if result_path.exists():
            return ChildRun(json.loads(result_path.read_text(encoding="utf-8")), None, progress)
        tail = errors_path.read_text(encoding="utf-8", errors="replace").strip()
        tail = tail[-STDERR_TAIL_CHARS:]
        return ChildRun(
            None,
            f"the solver process ended without a result (exit code {process.returncode})"
            + (f": {tail}" if tail else ""),
            progress,
        )


class _ProgressWatcher:
    """Reads the child's progress file when it changes; remembers the last one read."""

    def __init__(self, path: Path, on_progress: Callable[[dict[str, Any]], None] | None) -> None:
        self._path = path
        self._on_progress = on_progress
        self._seen: int | None = None
        self.last: dict[str, Any] | None = None

    def look(self) -> dict[str, Any] | None:
        try:
            stamp = self._path.stat().st_mtime_ns
        except FileNotFoundError:
            return self.last
        if stamp != self._seen:
            self._seen = stamp
            self.last = json.loads(self._path.read_text(encoding="utf-8"))
            if self._on_progress is not None:
                self._on_progress(self.last)
        return self.last


def child_environment() -> dict[str, str]:
    """The parent's environment with its import path, so ``-m`` finds the same packages."""
    environment = dict(os.environ)
    paths = [entry for entry in sys.path if entry and Path(entry).is_dir()]
    inherited = environment.get("PYTHONPATH")
    environment["PYTHONPATH"] = os.pathsep.join([*paths, *([inherited] if inherited else [])])
    return environment


def write_result(result_path: Path, answer: dict[str, Any]) -> None:
    """Write a child's answer so the parent never reads a half-written file."""
    partial = result_path.with_suffix(".partial")
    partial.write_text(json.dumps(answer), encoding="utf-8")
    partial.replace(result_path)


def write_progress(result_path: Path, progress: dict[str, Any]) -> None:
    """Publish the child's progress beside its result file, atomically (see :func:`run_child`)."""
    path = result_path.with_name(PROGRESS_FILE)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(progress), encoding="utf-8")
    partial.replace(path)


def serve(arguments: list[str], job: Callable[[dict[str, Any], Path], dict[str, Any]]) -> int:
    """The ``main`` of a child module: read the request, run ``job``, write its answer.

    ``arguments`` are the request and result paths :func:`run_child` passes.
    An exception becomes the answer ``{"error": ...}``, so the parent always
    reads why a job failed instead of a dead process.
    """
    request_path, result_path = (Path(argument) for argument in arguments)
    try:
        answer = job(json.loads(request_path.read_text(encoding="utf-8")), result_path)
    except Exception as error:
        answer = {"error": f"{type(error).__name__}: {error}"}
    write_result(result_path, answer)
    return 0
