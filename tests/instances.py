"""Dagster instances for tests whose subject is not Dagster's own storage.

Dagster's SQLite storage opens a connection for each event it writes, and a run of the whole
graph writes thousands: on an in-memory instance the same run takes half the time. The tests
that claim storage fidelity build their instance on PostgreSQL
(``tests/integration/dagster_on_postgres``) or under a DAGSTER_HOME (the command line, the
webserver) instead.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg


@contextmanager
def in_memory_instance() -> Iterator[dg.DagsterInstance]:
    """Runs, events and schedules in memory; stored outputs in a folder removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="dagster-") as folder:
        instance = dg.DagsterInstance.ephemeral(tempdir=folder)
        try:
            yield instance
        finally:
            instance.dispose()
