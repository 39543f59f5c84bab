"""benchmarks/load.py runs end to end on a small extract (no rate is asserted: the machine
sets it) and leaves no database of its own behind."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from sqlalchemy import URL, create_engine, text

from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.postgres

ROWS = 3000


def test_load_benchmark_loads_the_same_rows_three_ways_and_drops_its_database(
    postgres_server: URL,
) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.load",
            postgres_server.render_as_string(hide_password=False),
            "--rows",
            str(ROWS),
            "--repeat",
            "1",
        ],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = done.stdout
    parsed = re.search(r"([\d,]+) rows to load into sap/stock, ([\d,]+) rejected", out)
    assert parsed is not None, out
    loaded, rejected = (int(n.replace(",", "")) for n in parsed.groups())
    assert loaded + rejected == ROWS
    assert rejected > 0  # the extract carries values the product must reject
    for loader in (
        "product RawRepository.store",
        r"psql \\copy into raw_record_copy",
        r"psql \\copy into raw_record_bare",
    ):
        assert re.search(rf"{loader} +{loaded:,} rows, median .* = [\d,]+ rows/s", out), out
    assert re.search(r"ratio product / \\copy \(same table definition\): \d+\.\d\d", out), out

    database = re.search(r"database: \S+/(pharma_bench_[0-9a-f]{12}) ", out)
    assert database is not None, out
    server = create_engine(postgres_server)
    with server.connect() as connection:
        left = connection.execute(
            text("SELECT count(*) FROM pg_database WHERE datname = :name"),
            {"name": database.group(1)},
        ).scalar()
    server.dispose()
    assert left == 0
