"""Dagster's own storage on PostgreSQL, configured as in production: the storage section of
deploy/dagster.production.yaml read from the DAGSTER_PG_ variables, in a database of the
test's own, with the warehouse in another database on the same server under its migrations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import dagster as dg
import pytest
import yaml
from sqlalchemy import make_url

from tests.conftest import PROJECT_ROOT

INSTANCE_FILE = PROJECT_ROOT / "deploy" / "dagster.production.yaml"


@pytest.fixture
def dagster_home(
    new_postgres_database: Callable[[], str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """DAGSTER_HOME with the production storage, pointed at a database of its own."""
    url = make_url(new_postgres_database())
    for variable, value in {
        "DAGSTER_PG_HOST": url.host or "127.0.0.1",
        "DAGSTER_PG_PORT": str(url.port or 5432),
        "DAGSTER_PG_DB": url.database or "",
        "DAGSTER_PG_USER": url.username or "",
        "DAGSTER_PG_PASSWORD": url.password or "",
    }.items():
        monkeypatch.setenv(variable, value)
    config = yaml.safe_load(INSTANCE_FILE.read_text(encoding="utf-8"))
    # The throwaway server has no certificate; ECS tasks and S3 need AWS (tested elsewhere).
    config["storage"]["postgres"]["postgres_db"]["params"]["sslmode"] = "prefer"
    del config["run_launcher"], config["compute_logs"]
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return home


@pytest.fixture
def warehouse(postgres_url: str) -> str:
    """The warehouse: another database on the same server, migrated to head."""
    return postgres_url


@pytest.fixture
def instance(dagster_home: Path) -> Iterator[dg.DagsterInstance]:
    with dg.DagsterInstance.from_config(str(dagster_home)) as opened:
        yield opened
