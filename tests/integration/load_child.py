"""A load run in a process of its own, which a test kills half-way.

``python -m tests.integration.load_child URL ROWS`` stores one large stock file through the
product's repository. After the first chunk of rows has gone to the database it prints
``mid-load <rows sent>`` and then waits on its standard input, inside the open transaction,
for a line that never comes: the parent kills it there, so the kill lands in the middle
of the load by construction, not by timing.
"""

from __future__ import annotations

import sys

from pharma_pipelines.warehouse.database import make_engine
from pharma_pipelines.warehouse.raw_repository import FileLoad, RawRepository, RowToStore

CONTENT_HASH = "d" * 64
ENTITY = "sap/stock"


def large_file(rows: int) -> FileLoad:
    return FileLoad(
        entity=ENTITY,
        relative_path="sap/MCHB_large.csv",
        content_hash=CONTENT_HASH,
        encoding="cp1252",
        layout="csv sep=';'",
        rows=[
            RowToStore(n, {"material": f"{n:018d}", "batch": f"B{n:09d}", "stock": "1.234,5"})
            for n in range(2, rows + 2)
        ],
    )


def _hold(sent: int) -> None:
    print(f"mid-load {sent}", flush=True)
    sys.stdin.readline()


def main() -> None:
    url, rows = sys.argv[1], int(sys.argv[2])
    engine = make_engine(url)
    RawRepository(engine).store(large_file(rows), "run-killed", on_progress=_hold)
    print("finished", flush=True)


if __name__ == "__main__":
    main()
