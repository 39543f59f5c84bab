"""The sample plant and the broken landing zone, each materialized once per test session.

A whole-graph run takes tens of seconds, and many tests (integration tests and feature
scenarios alike) only read what it left behind. Each run has its own Dagster instance and
SQLite warehouse file under a temporary folder, so no test's engine cache or DAGSTER_HOME can
disturb it. Tests may add runs to them (a second materialization, a check run) but must not
change the landed files or the warehouse's rows; a scenario that must change data copies the
warehouse first (:func:`copy_warehouse`).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
from sqlalchemy.engine import make_url

from pharma_pipelines.runner import RunSummary, materialize_all
from pharma_pipelines.settings import PlatformSettings
from tests.conftest import SOLVE_LIMIT_S


@dataclass(frozen=True)
class PlantRun:
    """One materialization of a landing zone and where it left its records."""

    settings: PlatformSettings
    instance: dg.DagsterInstance
    dagster_home: Path
    summary: RunSummary
    progress: tuple[str, ...]

    @property
    def warehouse_file(self) -> Path:
        database = make_url(self.settings.warehouse_url).database
        assert database, self.settings.warehouse_url
        return Path(database)


@contextmanager
def plant_run(landing: Path, folder: Path) -> Iterator[PlantRun]:
    """Materialize ``landing`` into a warehouse and instance under ``folder``."""
    home = folder / "dagster_home"
    home.mkdir(parents=True)
    settings = PlatformSettings(
        landing_zone=str(landing),
        warehouse_url=f"sqlite:///{folder / 'warehouse.sqlite'}",
        solver_time_limit_s=SOLVE_LIMIT_S,
    )
    with dg.instance_for_test(temp_dir=str(home), set_dagster_home=False) as instance:
        progress: list[str] = []
        summary = materialize_all(settings, instance, on_event=progress.append)
        yield PlantRun(settings, instance, home, summary, tuple(progress))


def copy_warehouse(run: PlantRun, target: Path) -> str:
    """A copy of the run's warehouse file at ``target``; returns its SQLAlchemy URL."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(run.warehouse_file, target)
    return f"sqlite:///{target}"
