"""Time the product's typed read of a large SAP stock extract against a bare pandas read.

Usage::

    uv run python benchmarks/ingest.py [--rows 1000000] [--repeat 3] [--seed 3] [--keep DIR]

It writes a seeded SAP stock extract (MCHB-like: ``MATNR;WERKS;LGORT;CHARG;CLABS;...``,
semicolons, decimal comma with thousands dots, trailing minus, ``00000000`` dates,
Windows-1252 with German plant and storage-location texts, and one row in a thousand
with a value the product must reject), then measures two readers, each in a fresh
Python process so that neither inherits the other's memory:

- *product*: ``read_typed`` from ``pharma_pipelines.ingestion.columnar``, the function
  behind the product's flat-file path: encoding, header and kind, every quirk, typed
  columns, rejects and lineage columns (source file, content hash, row number);
- *pandas*: ``pandas.read_csv(path, sep=';', dtype=str, encoding='cp1252')``, text only.

Time is wall-clock from reading the file to the finished table (CPU seconds of all
threads beside it). Peak memory is the process's peak resident set (Linux ``VmHWM``, which
unlike ``ru_maxrss`` does not inherit the parent's peak) minus its peak after the imports,
i.e. what the read itself added, pyarrow's memory pool included. The readers run in
turns, ``--repeat`` times each; the medians are reported and the ratio is product /
pandas. The machine has two cores; pyarrow uses both. Numbers depend on the machine and
its load: compare the two readers within one run.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HEADER = (
    "MATNR;WERKS;Werk Bezeichnung;LGORT;Lagerort Bezeichnung;CHARG;CLABS;CINSM;CSPEM;"
    "MEINS;Wert frei verw.;Letzter WE;HSDAT;VFDAT;SOBKZ"
)
PLANTS = (
    ("0100", "Köln-Süd"),
    ("0200", "Düsseldorf"),
    ("0300", "Lörrach Werk 2"),
    ("1000", "Hamburg"),
)
LOCATIONS = (
    ("FG01", "Fertigwaren Außenlager"),
    ("RM01", "Rohstoffe Kühlraum 2–8 °C"),
    ("QS01", "Qualitätsprüfung"),
    ("WH01", "Hauptlager"),
)
UNITS = ("ST", "KG", "L", "G")
BAD_SHARE = 0.001
"""Rows with a value that breaks a rule (a misplaced thousands dot, an impossible date)."""


def _amounts(rng: np.random.Generator, rows: int, *, negative_share: float) -> list[str]:
    """Amounts written the SAP way: ``12.345,678`` with a trailing minus when negative."""
    cents = rng.integers(0, 10**10, rows)
    whole, fraction = cents // 1000, cents % 1000
    signs = np.where(rng.random(rows) < negative_share, "-", "")
    grouped = [f"{w:,}".replace(",", ".") for w in whole.tolist()]
    return [f"{g},{f:03d}{s}" for g, f, s in zip(grouped, fraction.tolist(), signs, strict=True)]


def _dates(rng: np.random.Generator, rows: int, *, empty_share: float) -> np.ndarray:
    days = rng.integers(0, 3650, rows).astype("timedelta64[D]") + np.datetime64("2020-01-01")
    text = np.char.replace(days.astype(str), "-", "")
    return np.where(rng.random(rows) < empty_share, "00000000", text)


def write_extract(path: Path, rows: int, seed: int) -> None:
    """A seeded SAP stock extract of ``rows`` rows, in Windows-1252."""
    rng = np.random.default_rng(seed)
    material = np.char.zfill(rng.integers(1, 10**6, rows).astype(str), 18)
    plant = rng.integers(0, len(PLANTS), rows)
    location = rng.integers(0, len(LOCATIONS), rows)
    batch = np.char.zfill(rng.integers(1, 10**9, rows).astype(str), 10)
    unrestricted = _amounts(rng, rows, negative_share=0.02)
    inspection = _amounts(rng, rows, negative_share=0.0)
    blocked = _amounts(rng, rows, negative_share=0.0)
    value = _amounts(rng, rows, negative_share=0.02)
    last_receipt = _dates(rng, rows, empty_share=0.3)
    made = _dates(rng, rows, empty_share=0.0)
    expires = _dates(rng, rows, empty_share=0.1)
    unit = rng.integers(0, len(UNITS), rows)
    special = np.where(rng.random(rows) < 0.05, "Q", "")
    bad = set(np.flatnonzero(rng.random(rows) < BAD_SHARE).tolist())
    with path.open("w", encoding="cp1252", newline="") as out:
        out.write(HEADER + "\r\n")
        for i in range(rows):
            stock = "1.23,4" if i in bad and i % 2 else unrestricted[i]
            made_on = "20250231" if i in bad and not i % 2 else made[i]
            p, loc = PLANTS[plant[i]], LOCATIONS[location[i]]
            out.write(
                f"{material[i]};{p[0]};{p[1]};{loc[0]};{loc[1]};{batch[i]};{stock};"
                f"{inspection[i]};{blocked[i]};{UNITS[unit[i]]};{value[i]};{last_receipt[i]};"
                f"{made_on};{expires[i]};{special[i]}\r\n"
            )


def _high_water_kib() -> int:
    """The peak resident set of this process image so far, in KiB.

    Linux's ``VmHWM`` starts afresh with each program; ``ru_maxrss`` would carry over the
    peak of the parent that forked this process (here: the one that wrote the extract).
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _measure(reader: str, path: Path) -> dict[str, float | int]:
    """Run one reader in this process and report its time and memory (the child side)."""
    import pandas as pd  # imported before the baseline so both readers pay for it alike

    from pharma_pipelines.ingestion.columnar import read_typed

    baseline = _high_water_kib()
    started, cpu = time.perf_counter(), time.process_time()
    if reader == "product":
        typed = read_typed(f"sap/{path.name}", path.read_bytes())
        loaded, rejected = typed.rows_loaded, len(typed.rejects)
    else:
        frame = pd.read_csv(path, sep=";", dtype=str, encoding="cp1252")
        loaded, rejected = len(frame), 0
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "seconds": seconds,
        "cpu": cpu,
        "peak_kib": _high_water_kib() - baseline,
        "loaded": loaded,
        "rejected": rejected,
    }


def _run_child(reader: str, path: Path) -> dict[str, float | int]:
    done = subprocess.run(
        [sys.executable, __file__, "--measure", reader, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _median(runs: list[dict[str, float | int]], key: str) -> float:
    return float(statistics.median(run[key] for run in runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each reader, in turns")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--keep", help="write the extract into this folder and keep it")
    parser.add_argument("--measure", nargs=2, metavar=("READER", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(_measure(args.measure[0], Path(args.measure[1]))))
        return
    runs: dict[str, list[dict[str, float | int]]] = {"product": [], "pandas": []}
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(args.keep or temporary)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "MCHB_stock_benchmark.csv"
        started = time.perf_counter()
        write_extract(path, args.rows, args.seed)
        size = path.stat().st_size
        print(
            f"extract: {args.rows:,} rows, {size / 2**20:.1f} MiB, Windows-1252 "
            f"(written in {time.perf_counter() - started:.1f} s, seed {args.seed})"
        )
        for _ in range(args.repeat):
            for reader, done in runs.items():
                done.append(_run_child(reader, path))
    product = runs["product"][0]
    if product["loaded"] + product["rejected"] != args.rows:
        raise SystemExit(f"the product accounted for {product} rows, not {args.rows}")
    for name, reader in (("product read_typed", "product"), ("pandas.read_csv", "pandas")):
        done = runs[reader]
        peak = _median(done, "peak_kib") * 1024
        times = ", ".join(f"{run['seconds']:.2f}" for run in done)
        print(
            f"{name:19s} {_median(done, 'seconds'):6.2f} s (runs {times}; "
            f"cpu {_median(done, 'cpu'):.2f} s)   peak +{peak / 2**20:6.1f} MiB "
            f"({peak / size:4.2f} x file)   rows {done[0]['loaded']:,} loaded, "
            f"{done[0]['rejected']:,} rejected"
        )
    ratio = _median(runs["product"], "seconds") / _median(runs["pandas"], "seconds")
    factor = _median(runs["product"], "peak_kib") * 1024 / size
    print(f"time ratio product / pandas: {ratio:.2f} (target <= 0.5)")
    print(f"product peak memory / file size: {factor:.2f} (target < 4)")


if __name__ == "__main__":
    main()
