"""The sample is a pure function of its seed: same seed, same bytes, no wall clock."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pharma_pipelines.sample import generate_landing_zone
from tests.unit.sample.landing_reader import Landing

MAX_SAMPLE_BYTES = 2 * 1024 * 1024
PROJECT_ROOT = Path(__file__).resolve().parents[3]


def _contents(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("defects", [False, True])
def test_same_seed_writes_byte_identical_files(tmp_path: Path, defects: bool) -> None:
    first = generate_landing_zone(tmp_path / "a", seed=7, defects=defects)
    second = generate_landing_zone(tmp_path / "b", seed=7, defects=defects)

    assert _contents(tmp_path / "a") == _contents(tmp_path / "b")
    assert first == second


def test_another_seed_gives_another_plant(tmp_path: Path, clean: Landing) -> None:
    other = generate_landing_zone(tmp_path / "other", seed=8)

    assert other.plan_start.date() == dt.date(2028, 1, 3)
    # the unit table is the SAP client's customizing, the same for any plant the seed draws
    plant_files = [f for f in other.files if f.entity != "sap/units"]
    assert {f.sha256 for f in plant_files}.isdisjoint({f.sha256 for f in clean.summary.files})
    assert len(plant_files) == len(other.files) - 1


def test_plan_start_is_monday_midnight_in_berlin_for_seed_7(clean: Landing) -> None:
    start = clean.summary.plan_start

    assert start == dt.datetime(2027, 1, 4, tzinfo=ZoneInfo("Europe/Berlin"))
    assert start.weekday() == 0
    assert start.utcoffset() == dt.timedelta(hours=1)
    assert clean.summary.horizon_days == 14


def test_summary_lists_every_file_with_its_sha256(clean: Landing) -> None:
    on_disk = _contents(clean.root)

    assert sorted(on_disk) == [f.path for f in clean.summary.files]
    for written in clean.summary.files:
        assert hashlib.sha256(on_disk[written.path]).hexdigest() == written.sha256
        assert len(on_disk[written.path]) == written.size


def test_sample_is_small_enough_to_commit(clean: Landing, broken: Landing) -> None:
    assert clean.summary.total_bytes < MAX_SAMPLE_BYTES
    assert broken.summary.total_bytes < MAX_SAMPLE_BYTES


def test_regenerating_overwrites_its_own_files(tmp_path: Path) -> None:
    first = generate_landing_zone(tmp_path, seed=7)
    (tmp_path / first.files[0].path).write_bytes(b"edited by hand")

    again = generate_landing_zone(tmp_path, seed=7)

    assert again == first
    assert (tmp_path / first.files[0].path).read_bytes() != b"edited by hand"


def test_foreign_files_in_the_target_stop_the_run(tmp_path: Path) -> None:
    (tmp_path / "sap").mkdir()
    (tmp_path / "sap" / "MARA_material_master_20200101.csv").write_text("old extract")

    with pytest.raises(FileExistsError, match=re.escape("MARA_material_master_20200101.csv")):
        generate_landing_zone(tmp_path, seed=7)


@pytest.mark.parametrize(
    ("folder", "defects"),
    [(Path("examples/landing"), False), (Path("tests/fixtures/landing_broken"), True)],
)
def test_committed_samples_match_the_generator(tmp_path: Path, folder: Path, defects: bool) -> None:
    committed = PROJECT_ROOT / folder
    if not committed.is_dir():
        pytest.skip(f"{folder} is not generated yet")

    generate_landing_zone(tmp_path, seed=7, defects=defects)

    assert _contents(committed) == _contents(tmp_path), (
        f"{folder} is stale: regenerate it with generate_landing_zone(seed=7, defects={defects})"
    )
