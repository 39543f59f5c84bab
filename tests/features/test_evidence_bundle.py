"""Scenarios of evidence_bundle.feature: the evidence command on the sample plant."""

from __future__ import annotations

import hashlib
import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from pytest_bdd import given, scenarios, then, when
from sqlalchemy.engine import make_url

from tests.conftest import PROJECT_ROOT, migrated
from tests.features.support import CommandResult, run_command
from tests.plant_runs import PlantRun

scenarios("evidence_bundle.feature")

JUNIT = '<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" tests="1">'
JUNIT += '<testcase classname="t" name="a_test" time="0.1"/></testsuite></testsuites>\n'
REPORTS = {
    "junit.xml": JUNIT,
    "traceability.md": "# Traceability report\n\n| gate | PASSED |\n",
    "traceability.html": "<!DOCTYPE html><html><body><h1>Traceability report</h1></body></html>\n",
    "traceability.json": '{"gate": "PASSED"}\n',
}


@given(
    "a test run's JUnit XML and traceability report in a reports folder", target_fixture="reports"
)
def _reports(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    for name, content in REPORTS.items():
        (folder / name).write_text(content, encoding="utf-8")
    return folder


@given("an empty warehouse on PostgreSQL whose URL holds its password", target_fixture="pg_url")
def _postgres(postgres_warehouse_url: str) -> str:
    assert make_url(postgres_warehouse_url).password
    # A server warehouse is migrated before use.
    return migrated(postgres_warehouse_url)


def _evidence(capsys, monkeypatch, plant: PlantRun, out: Path, *args: str) -> CommandResult:
    monkeypatch.setenv("DAGSTER_HOME", str(plant.dagster_home))
    return run_command(capsys, "evidence", "--out", str(out), *args)


@when("the evidence bundle is written for the sample plant", target_fixture="command")
def _write(plant: PlantRun, reports: Path, tmp_path: Path, capsys, monkeypatch) -> CommandResult:
    return _evidence(
        capsys,
        monkeypatch,
        plant,
        tmp_path / "evidence.zip",
        "--reports",
        str(reports),
        "--warehouse",
        plant.settings.warehouse_url,
    )


@when(
    "the evidence bundle is written for the sample plant's instance and that warehouse",
    target_fixture="command",
)
def _write_pg(plant: PlantRun, pg_url: str, tmp_path: Path, capsys, monkeypatch) -> CommandResult:
    return _evidence(
        capsys,
        monkeypatch,
        plant,
        tmp_path / "evidence.zip",
        "--reports",
        str(tmp_path / "no-reports"),
        "--warehouse",
        pg_url,
    )


@pytest.fixture
def bundle(command: CommandResult) -> dict[str, bytes]:
    out = Path(command.args[command.args.index("--out") + 1])
    with zipfile.ZipFile(out) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture
def manifest(bundle: dict[str, bytes]) -> dict:
    return json.loads(bundle["manifest.json"])


@then("the manifest lists every other file of the bundle with the SHA-256 of its content")
def _manifest_hashes(bundle: dict[str, bytes], manifest: dict) -> None:
    listed = {entry["name"]: entry for entry in manifest["files"]}
    assert set(listed) == set(bundle) - {"manifest.json"}
    for name, entry in listed.items():
        assert entry["sha256"] == hashlib.sha256(bundle[name]).hexdigest(), name
        assert entry["size_bytes"] == len(bundle[name])
    assert manifest["missing"] == []


@then("the bundle holds the JUnit XML and the traceability report as they were")
def _reports_bundled(bundle: dict[str, bytes]) -> None:
    assert bundle["tests/junit.xml"] == REPORTS["junit.xml"].encode()
    for name in ("traceability.md", "traceability.html", "traceability.json"):
        assert bundle[f"traceability/{name}"] == REPORTS[name].encode()
    register = (PROJECT_ROOT / "requirements" / "urs.toml").read_bytes()
    assert bundle["traceability/urs.toml"] == register


@then("the check history holds every check evaluation of the sample plant's runs")
def _history(bundle: dict[str, bytes], plant: PlantRun) -> None:
    history = json.loads(bundle["checks/evaluations.json"])
    recorded = {
        (entry["asset"], entry["check"], evaluation["run_id"], evaluation["passed"])
        for entry in history
        for evaluation in entry["evaluations"]
        if "passed" in evaluation
    }
    runs = {None: plant.summary.run_id, **plant.summary.plant_runs}
    expected = {(c.asset, c.check, runs[c.partition], c.passed) for c in plant.summary.checks}
    assert expected
    assert expected <= recorded
    assert json.loads(bundle["checks/dispositions.json"]) == []


@then('the manifest names the code version and the SHA-256 of "uv.lock"')
def _versions(manifest: dict) -> None:
    lock = (PROJECT_ROOT / "uv.lock").read_bytes()
    assert manifest["uv_lock_sha256"] == hashlib.sha256(lock).hexdigest()
    head = subprocess.run(
        ["git", "-C", str(PROJECT_ROOT), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    if head.returncode == 0:
        assert manifest["code_version"]["commit"] == head.stdout.strip()
    else:
        assert manifest["code_version"]["commit"] is None
        assert manifest["code_version"]["note"]


@then("the bundle's settings name the warehouse with its password masked")
def _masked(bundle: dict[str, bytes], pg_url: str) -> None:
    settings = json.loads(bundle["configuration/settings.json"])["settings"]
    assert settings["warehouse_url"] == make_url(pg_url).render_as_string(hide_password=True)
    assert ":***@" in settings["warehouse_url"]


@then("the password appears nowhere in the bundle")
def _no_password(bundle: dict[str, bytes], pg_url: str) -> None:
    secret = f":{make_url(pg_url).password}@".encode()
    for name, content in bundle.items():
        assert secret not in content, name
