"""Run a solver job in a separate Python process that can be stopped.

CBC can overrun its own time limit, so any CBC job runs in a child
interpreter that the parent kills once the limit plus a grace period has
passed. A fresh ``python -m module`` process imports nothing of its parent;
a ``multiprocessing`` spawn child would re-import the caller's main script
and re-run any unguarded top-level code there. Request and result travel as
JSON files, because CBC may write to standard output.

The module run as the child must accept two arguments, the request file and
the result file, and write the result file (atomically) before it exits.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

STDERR_TAIL_CHARS = 500
"""How much of a dead child's standard error goes into the failure message."""


def run_in_child(
    module: str, request: dict[str, Any], wait_s: float, grace_s: float
) -> tuple[dict[str, Any] | None, str | None]:
    """Run ``python -m module REQUEST RESULT``; kill it if it takes longer than ``wait_s``.

    Returns ``(result, None)`` when the child wrote a result, else
    ``(None, reason)``. ``grace_s`` is only quoted in the overrun message: the
    caller includes it in ``wait_s``. The child sees the parent's import path,
    so it finds the same code. Its standard output is discarded; standard
    error is kept for the message when the child dies without a result.
    """
    with tempfile.TemporaryDirectory(prefix="solver-") as folder:
        request_path, result_path = Path(folder, "request.json"), Path(folder, "result.json")
        request_path.write_text(json.dumps(request), encoding="utf-8")
        errors_path = Path(folder, "stderr.txt")
        with errors_path.open("wb") as errors:
            process = subprocess.Popen(
                [sys.executable, "-m", module, str(request_path), str(result_path)],
                stdout=subprocess.DEVNULL,
                stderr=errors,
                env=child_environment(),
            )
            try:
                process.wait(timeout=wait_s)
            except subprocess.TimeoutExpired:
                logger.warning(
                    "solver process %s overran by %.1f s; killing it", process.pid, grace_s
                )
                process.kill()
                process.wait()
                return (
                    None,
                    f"CBC overran its time limit by more than {grace_s:g} s and was stopped",
                )
        if result_path.exists():
            return json.loads(result_path.read_text(encoding="utf-8")), None
        tail = errors_path.read_text(encoding="utf-8", errors="replace").strip()
        tail = tail[-STDERR_TAIL_CHARS:]
        return None, (
            f"the CBC process ended without a result (exit code {process.returncode})"
            + (f": {tail}" if tail else "")
        )


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
