"""The production instance and workspace files (deploy/), as the images load them.

The files may only name environment variables that the Terraform task definitions set, may
hold nothing secret, and must pass Dagster's own schemas; on a real PostgreSQL server the
instance stores a run.
"""

from __future__ import annotations

import os
import re
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
import yaml
from dagster._config import process_config
from dagster._core.instance.config import dagster_instance_config
from dagster._core.workspace.config_schema import WORKSPACE_CONFIG_SCHEMA
from dagster._serdes.config_class import class_from_code_pointer
from dagster_aws.ecs import EcsRunLauncher
from dagster_aws.s3.compute_log_manager import S3ComputeLogManager
from sqlalchemy import create_engine, make_url, text

from tests.conftest import PROJECT_ROOT, skip_or_fail

INSTANCE_FILE = PROJECT_ROOT / "deploy" / "dagster.production.yaml"
WORKSPACE_FILE = PROJECT_ROOT / "deploy" / "workspace.yaml"
TASK_LOCALS = PROJECT_ROOT / "infra" / "modules" / "dagster" / "locals.tf"
TASK_DEFINITIONS = PROJECT_ROOT / "infra" / "modules" / "dagster" / "task_definitions.tf"
DOCKERFILE = PROJECT_ROOT / "infra" / "docker" / "Dockerfile"

# What the ECS task definitions set, with made-up values.
TASK_ENVIRONMENT = {
    "DAGSTER_PG_HOST": "pharma-pipelines-poc-dagster.abc.eu-central-1.rds.amazonaws.com",
    "DAGSTER_PG_PORT": "5432",
    "DAGSTER_PG_DB": "dagster",
    "DAGSTER_PG_USER": "dagster",
    "DAGSTER_PG_PASSWORD": "from-parameter-store",
    "DAGSTER_COMPUTE_LOG_BUCKET": "pharma-pipelines-poc-123456789012-eu-central-1-run-storage",
    "DAGSTER_RUN_TASK_DEFINITION": "pharma-pipelines-poc-run",
    "DAGSTER_CODE_LOCATION_HOST": "code-location.pharma-pipelines-poc.internal",
    "DAGSTER_CODE_LOCATION_PORT": "4000",
}


@pytest.fixture
def task_environment(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for name, value in TASK_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    return TASK_ENVIRONMENT


def _load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _configured(section: str) -> tuple[type, Any]:
    """The class a section of the instance file names, and its config processed by it."""
    entry = _load(INSTANCE_FILE)[section]
    configurable = class_from_code_pointer(entry["module"], entry["class"])
    return configurable, process_config(configurable.config_type(), entry.get("config") or {})


def _environment_names(node: object) -> set[str]:
    if isinstance(node, dict):
        if set(node) == {"env"}:
            return {node["env"]}
        return {name for value in node.values() for name in _environment_names(value)}
    if isinstance(node, list):
        return {name for value in node for name in _environment_names(value)}
    return set()


def _literal_secrets(node: object, path: str = "") -> list[str]:
    if isinstance(node, dict):
        found = []
        for key, value in node.items():
            where = f"{path}.{key}" if path else str(key)
            if re.search(r"password|secret|token|credential", str(key), re.I) and isinstance(
                value, str | int
            ):
                found.append(where)
            found.extend(_literal_secrets(value, where))
        return found
    if isinstance(node, list):
        return [item for value in node for item in _literal_secrets(value, path)]
    return []


def test_instance_file_passes_dagsters_schema(task_environment, tmp_path):
    shutil.copy(INSTANCE_FILE, tmp_path / "dagster.yaml")
    config, custom_class = dagster_instance_config(str(tmp_path))
    assert custom_class is None
    assert {"storage", "run_coordinator", "run_launcher", "compute_logs"} <= set(config)


def test_runs_launch_as_tasks_of_the_run_task_definition(task_environment):
    launcher, result = _configured("run_launcher")
    assert launcher is EcsRunLauncher
    assert result.success, result.errors
    assert result.value["task_definition"] == {"env": "DAGSTER_RUN_TASK_DEFINITION"}
    assert result.value["use_current_ecs_task_config"] is True
    # Secrets come from Parameter Store through the task definition; listing Secrets
    # Manager by tag would need rights the daemon does not have.
    assert result.value["secrets_tag"] is None


def test_the_launcher_overrides_the_container_terraform_names_run():
    _, result = _configured("run_launcher")
    names = re.search(r"container_names = \{(.*?)\n  \}", TASK_DEFINITIONS.read_text(), re.S)
    assert names, f"no container_names map in {TASK_DEFINITIONS}"
    run_container = re.search(r'^\s*run\s*=\s*"([^"]+)"', names.group(1), re.M)
    assert run_container, f"container_names in {TASK_DEFINITIONS} has no entry for run"
    assert result.value["container_name"] == run_container.group(1)


def test_compute_logs_go_to_the_bucket_the_task_names(task_environment):
    manager, result = _configured("compute_logs")
    assert manager is S3ComputeLogManager
    assert result.success, result.errors
    assert result.value["bucket"] == task_environment["DAGSTER_COMPUTE_LOG_BUCKET"]


def test_a_missing_variable_is_named(task_environment, monkeypatch):
    monkeypatch.delenv("DAGSTER_COMPUTE_LOG_BUCKET")
    _, result = _configured("compute_logs")
    assert not result.success
    assert "DAGSTER_COMPUTE_LOG_BUCKET" in " ".join(error.message for error in result.errors)


@pytest.mark.parametrize("path", [INSTANCE_FILE, WORKSPACE_FILE], ids=lambda p: p.name)
def test_every_variable_the_file_reads_is_set_by_terraform(path):
    terraform = TASK_LOCALS.read_text(encoding="utf-8")
    set_by_terraform = set(re.findall(r"^\s*([A-Z][A-Z0-9_]+)\s*=", terraform, re.M))
    assert _environment_names(_load(path)) - set_by_terraform == set()


@pytest.mark.parametrize("path", [INSTANCE_FILE, WORKSPACE_FILE], ids=lambda p: p.name)
def test_nothing_secret_is_written_in_the_file(path):
    assert _literal_secrets(_load(path)) == []


def test_a_password_written_in_the_file_would_be_found():
    written = {"storage": {"postgres": {"postgres_db": {"password": "hunter2", "port": 5432}}}}
    from_environment = {"postgres_db": {"password": {"env": "DAGSTER_PG_PASSWORD"}}}
    assert _literal_secrets(written) == ["storage.postgres.postgres_db.password"]
    assert _literal_secrets(from_environment) == []


def test_workspace_points_at_the_code_server(task_environment):
    result = process_config(WORKSPACE_CONFIG_SCHEMA, _load(WORKSPACE_FILE))
    assert result.success, result.errors
    (entry,) = result.value["load_from"]
    server = entry["grpc_server"]
    assert server["host"] == task_environment["DAGSTER_CODE_LOCATION_HOST"]
    assert server["port"] == int(task_environment["DAGSTER_CODE_LOCATION_PORT"])

    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    location = pyproject["tool"]["dagster"]["code_location_name"]
    assert server["location_name"] == location
    assert f'"--location-name", "{location}"' in DOCKERFILE.read_text(encoding="utf-8")


@pytest.fixture
def dagster_database(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A database of its own on the test server, reached through the DAGSTER_PG_ variables."""
    server = os.environ.get("PHARMA_TEST_POSTGRES_URL")
    if not server:
        skip_or_fail("PHARMA_TEST_POSTGRES_URL is not set: no PostgreSQL server for this test")
    url = make_url(server)
    name = "pharma_test_dagster_instance"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'drop database if exists "{name}"'))
            connection.execute(text(f'create database "{name}"'))
    except Exception as error:  # any connection failure means there is no server
        admin.dispose()
        skip_or_fail(f"PostgreSQL at {url.render_as_string()} is not usable: {error}")
    for variable, value in {
        "DAGSTER_PG_HOST": url.host or "127.0.0.1",
        "DAGSTER_PG_PORT": str(url.port or 5432),
        "DAGSTER_PG_DB": name,
        "DAGSTER_PG_USER": url.username or "",
        "DAGSTER_PG_PASSWORD": url.password or "",
    }.items():
        monkeypatch.setenv(variable, str(value))
    yield name
    with admin.connect() as connection:
        connection.execute(text(f'drop database if exists "{name}" with (force)'))
    admin.dispose()


@pytest.mark.postgres
def test_a_run_is_stored_in_postgres_through_the_production_storage(dagster_database, tmp_path):
    config = _load(INSTANCE_FILE)
    # The throwaway test server has no certificate; RDS refuses plain connections anyway.
    config["storage"]["postgres"]["postgres_db"]["params"]["sslmode"] = "prefer"
    # Launching ECS tasks and uploading logs to S3 need AWS; their config is tested above.
    del config["run_launcher"], config["compute_logs"]
    (tmp_path / "dagster.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")

    @dg.asset
    def one_row() -> int:
        return 1

    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        result = dg.materialize([one_row], instance=instance)
        assert result.success
        assert [run.run_id for run in instance.get_runs()] == [result.run_id]

    with create_engine(
        make_url(os.environ["PHARMA_TEST_POSTGRES_URL"]).set(database=dagster_database)
    ).connect() as connection:
        stored = connection.execute(text("select run_id from runs")).scalars().all()
    assert stored == [result.run_id]
