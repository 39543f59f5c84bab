"""Every real export under ../shared/realdata is loaded, rejected row by row, or quarantined."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import PROJECT_ROOT, SOLVE_LIMIT_S

pytestmark = [pytest.mark.realdata, pytest.mark.slow]


def test_materialize_on_real_exports_accounts_for_every_file(realdata, tmp_path):
    report = tmp_path / "r.json"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pharma_pipelines.cli",
            "materialize",
            "--landing",
            str(realdata),
            "--warehouse",
            f"sqlite:///{tmp_path / 'warehouse.sqlite'}",
            "--report",
            str(report),
            "--time-limit",
            str(SOLVE_LIMIT_S),
        ],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env={"DAGSTER_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin"},
        timeout=900,
        check=False,
    )
    assert completed.returncode in (0, 1), completed.stdout[-3000:] + completed.stderr[-3000:]
    assert "Traceback" not in completed.stdout + completed.stderr

    summary = json.loads(report.read_text(encoding="utf-8"))
    landed = {
        p.relative_to(realdata).as_posix()
        for p in realdata.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }
    accounted = {f["file"] for f in summary["files"]}
    assert accounted == landed
    for account in summary["files"]:
        assert account["status"] in ("loaded", "quarantined", "duplicate"), account
        if account["status"] == "quarantined":
            assert account["quarantine_reason"], account
        assert account["rows_read"] == account["rows_loaded"] + account["rows_rejected"]
    assert summary["totals"]["rows_loaded"] > 10_000
    loaded = {(f["file"], f["entity"]): f["rows_loaded"] for f in summary["files"]}
    assert loaded[("products/drugs-at-fda/Products.txt", "regulatory/drugsfda_products")] == 39473
    assert loaded[("sap/hana-shine-xsa/TCURR.csv", "sap/exchange_rates")] == 784
