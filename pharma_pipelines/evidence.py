"""The evidence bundle: what the quality system files about a release, in one zip.

An auditor gets, in one archive: the test results (JUnit XML of the last run), the
traceability report and the requirements register it judged, the check history (every
recorded evaluation of every check in the Dagster instance) and the data stewards' decisions
from the warehouse, the configuration with secrets masked, and ``manifest.json``: the code
version (git commit), the SHA-256 of ``uv.lock`` and of every file in the archive. Parts that
do not exist yet (no test run, say) are listed in the manifest as missing, not invented.

The Dagster instance is the one the command line uses (``DAGSTER_HOME``); the warehouse
comes from the settings, like every other command.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import dagster as dg
from sqlalchemy.engine import make_url

from pharma_pipelines.definitions import build_definitions
from pharma_pipelines.resources import WarehouseResource
from pharma_pipelines.settings import PROJECT_ROOT, PlatformSettings
from pharma_pipelines.traceability import code_version, file_sha256
from pharma_pipelines.traceability.report import REPORT_NAMES
from pharma_pipelines.warehouse.disposition_repository import as_dict

DEFAULT_REPORTS = PROJECT_ROOT / "reports"
REGISTER = PROJECT_ROOT / "requirements" / "urs.toml"
LOCK_FILE = PROJECT_ROOT / "uv.lock"
HISTORY_PER_CHECK = 100
MASK = "***"
_SECRET_NAME = re.compile(r"password|secret|token|credential|api_key", re.IGNORECASE)


@dataclass(frozen=True)
class BundledFile:
    name: str
    sha256: str
    size_bytes: int
    source: str


@dataclass
class EvidenceBundle:
    path: Path
    files: list[BundledFile] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)
    manifest_sha256: str = ""


def build_evidence(
    settings: PlatformSettings,
    instance: dg.DagsterInstance,
    out: Path,
    *,
    reports: Path = DEFAULT_REPORTS,
    junit: Path | None = None,
    history: int = HISTORY_PER_CHECK,
) -> EvidenceBundle:
    """Write the evidence bundle to ``out`` (a zip) and return what went into it."""
    junit = junit if junit is not None else reports / "junit.xml"
    bundle = EvidenceBundle(path=out)
    parts: list[tuple[str, bytes, str]] = []

    def add_file(name: str, path: Path, what: str) -> None:
        if path.is_file():
            parts.append((name, path.read_bytes(), str(path)))
        else:
            bundle.missing.append((name, f"{what} not found at {path}"))

    add_file("tests/junit.xml", junit, "JUnit XML of the last test run")
    for report_name in REPORT_NAMES:
        add_file(f"traceability/{report_name}", reports / report_name, "traceability report")
    add_file("traceability/urs.toml", REGISTER, "requirements register")

    checks = check_history(settings, instance, history)
    parts.append(
        ("checks/evaluations.json", _json(checks), f"Dagster instance {instance.root_directory}")
    )
    warehouse = WarehouseResource(url=settings.warehouse_url)
    decisions = [as_dict(record) for record in warehouse.dispositions().all()]
    parts.append(("checks/dispositions.json", _json(decisions), warehouse.describe()))
    parts.append(
        ("configuration/settings.json", _json(masked_settings(settings, instance)), "settings")
    )

    for name, content, source in parts:
        bundle.files.append(
            BundledFile(name, hashlib.sha256(content).hexdigest(), len(content), source)
        )
    version = code_version(PROJECT_ROOT)
    manifest = {
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "pharma_pipelines_version": _version("pharma-pipelines"),
        "dagster_version": _version("dagster"),
        "code_version": {"commit": version.commit, "dirty": version.dirty, "note": version.note},
        "uv_lock_sha256": file_sha256(LOCK_FILE) if LOCK_FILE.is_file() else None,
        "dagster_home": instance.root_directory,
        "warehouse": warehouse.describe(),
        "checks_evaluations": sum(len(c["evaluations"]) for c in checks),
        "dispositions": len(decisions),
        "files": [vars(f) for f in bundle.files],
        "missing": [{"name": name, "reason": reason} for name, reason in bundle.missing],
    }
    manifest_bytes = _json(manifest)
    bundle.manifest_sha256 = hashlib.sha256(manifest_bytes).hexdigest()
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", manifest_bytes)
        for name, content, _source in parts:
            archive.writestr(name, content)
    return bundle


def check_history(
    settings: PlatformSettings, instance: dg.DagsterInstance, limit: int
) -> list[dict[str, Any]]:
    """Every check of the definitions with its latest ``limit`` recorded executions."""
    graph = build_definitions(settings).resolve_asset_graph()
    history = []
    for key in sorted(graph.asset_check_keys, key=lambda k: (k.asset_key.to_user_string(), k.name)):
        spec = graph.get_check_spec(key)
        records = instance.event_log_storage.get_asset_check_execution_history(key, limit=limit)
        history.append(
            {
                "asset": key.asset_key.to_user_string(),
                "check": key.name,
                "blocking": spec.blocking,
                "evaluations": [_execution(record) for record in records],
            }
        )
    return history


def _execution(record: Any) -> dict[str, Any]:
    evaluation = record.evaluation
    entry: dict[str, Any] = {
        "id": record.id,
        "run_id": record.run_id,
        "partition": record.partition,
        "status": record.status.value,
        "recorded_at": dt.datetime.fromtimestamp(record.create_timestamp, dt.UTC).isoformat(),
    }
    if evaluation is not None:
        entry.update(
            passed=evaluation.passed,
            severity=evaluation.severity.value,
            description=evaluation.description,
            metadata={name: getattr(v, "value", v) for name, v in evaluation.metadata.items()},
        )
    return entry


def masked_settings(settings: PlatformSettings, instance: dg.DagsterInstance) -> dict[str, Any]:
    """The settings in force, secrets masked: a secret-named value, the password of every URL,
    and a webhook's path and query (chat webhooks carry their secret there)."""
    values = settings.model_dump(mode="json")
    for name, value in values.items():
        if _SECRET_NAME.search(name):
            values[name] = MASK
        elif name.endswith("_url") and isinstance(value, str) and value:
            values[name] = mask_url(value, keep_path="webhook" not in name)
    return {
        "settings": values,
        "dagster_instance": {
            "root_directory": instance.root_directory,
            "run_storage": type(instance.run_storage).__name__,
            "event_log_storage": type(instance.event_log_storage).__name__,
        },
    }


def mask_url(url: str, keep_path: bool = True) -> str:
    """``url`` with its password masked; without its path and query unless ``keep_path``."""
    if "://" not in url:
        return url
    scheme = url.split("://", 1)[0]
    if "+" in scheme or scheme in ("sqlite", "postgresql", "mysql"):
        try:  # a database URL: SQLAlchemy's own masking
            return make_url(url).render_as_string(hide_password=True)
        except Exception:  # an unparsable URL may still hold a secret: keep none of it
            return MASK
    parts = urlsplit(url)
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    netloc = host + (f":{parts.port}" if parts.port else "")
    if parts.username:
        netloc = f"{parts.username}{':' + MASK if parts.password else ''}@{netloc}"
    if keep_path:
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
    hidden = "/" + MASK if parts.path.strip("/") or parts.query else ""
    return urlunsplit((parts.scheme, netloc, hidden, "", ""))


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _json(document: Any) -> bytes:
    return (json.dumps(document, indent=2, sort_keys=True, default=str) + "\n").encode()


def describe_bundle(bundle: EvidenceBundle) -> Iterable[str]:
    yield f"evidence bundle written to {bundle.path}"
    yield f"  manifest.json sha256 {bundle.manifest_sha256}"
    for file in bundle.files:
        digest = file.sha256[:16]
        yield f"  {file.name}: {file.size_bytes} bytes, sha256 {digest}... ({file.source})"
    for name, reason in bundle.missing:
        yield f"  MISSING {name}: {reason}"
