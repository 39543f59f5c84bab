"""benchmarks/ingest.py runs end to end on a small extract (no timing is asserted)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "ingest.py"


def test_ingest_benchmark_runs_and_accounts_for_every_row(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(BENCHMARK),
            "--rows",
            "2000",
            "--repeat",
            "1",
            "--keep",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = done.stdout
    product = re.search(r"product read_typed .* rows ([\d,]+) loaded, ([\d,]+) rejected", out)
    assert product is not None, out
    loaded, rejected = (int(n.replace(",", "")) for n in product.groups())
    assert loaded + rejected == 2000
    assert rejected > 0  # the extract carries values the product must reject
    assert re.search(r"pandas\.read_csv .* rows 2,000 loaded", out), out
    assert re.search(r"time ratio product / pandas: \d+\.\d\d", out), out
    assert re.search(r"product peak memory / file size: \d+\.\d\d", out), out
    header = (tmp_path / "MCHB_stock_benchmark.csv").read_bytes().split(b"\r\n", 1)[0]
    assert header.startswith(b"MATNR;WERKS;")
