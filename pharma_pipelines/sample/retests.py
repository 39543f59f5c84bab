"""Retests, re-samples and invalidated results in the sample LIMS, one settled batch per case.

A QC laboratory runs some tests more than once, and the curated layer must tell which run
counts. Four batches carry such a history, each before the extract date:

- ``REPEAT``: the assay is run twice on one day, both runs valid; the afternoon run
  supersedes the morning one. Released.
- ``INVALID_RUN``: a TAMC plate count is invalidated because the negative control grew, and
  the test is plated again. Released.
- ``RESAMPLE``: the dissolution result on the release sample is out of specification; the
  investigation finds a sampling error, so that result is invalidated with this cause and a
  new sample of the batch is tested. Released, with the OOS on record.
- ``OOS_STANDS``: the assay is out of specification and the laboratory investigation finds
  no assignable cause. Two retests pass, but a passing retest does not set an OOS aside, so
  the batch stays in quarantine while the investigation goes on. It is the most recent
  qualifying batch: investigations still open are those of recent batches.

The cases draw from their own random stream, so the rest of the LIMS files keep their values.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from pharma_pipelines.sample.model import Batch, Result, Sample


class Case(StrEnum):
    REPEAT = "repeat"
    INVALID_RUN = "invalid_run"
    RESAMPLE = "resample"
    OOS_STANDS = "oos_stands"


RESAMPLE_TYPE = "Resample"
_CASE_TEST = {
    Case.REPEAT: "ASSAY",
    Case.INVALID_RUN: "TAMC",
    Case.RESAMPLE: "DISSOLUTION",
    Case.OOS_STANDS: "ASSAY",
}

Draw = Callable[[str, bool], str]
"""A reported value for a test code, out of limits or not."""


@dataclass(frozen=True)
class Tested:
    """A batch's samples and results after its case, and whether QA may decide on it yet."""

    samples: tuple[Sample, ...]
    results: tuple[Result, ...]
    investigation_open: bool


def choose_cases(
    rng: random.Random,
    candidates: Sequence[Batch],
    tests_of: Callable[[Batch], set[str]],
) -> dict[str, Case]:
    """One batch per case among ``candidates`` (settled, neither rejected nor an outlier)."""
    ordered = sorted(candidates, key=lambda batch: (batch.manufactured_on, batch.number))
    chosen: dict[str, Case] = {}
    latest = next(b for b in reversed(ordered) if _CASE_TEST[Case.OOS_STANDS] in tests_of(b))
    chosen[latest.number] = Case.OOS_STANDS
    for case in (Case.REPEAT, Case.INVALID_RUN, Case.RESAMPLE):
        fitting = [b for b in ordered if b.number not in chosen and _CASE_TEST[case] in tests_of(b)]
        chosen[rng.choice(fitting).number] = case
    return chosen


def apply_case(
    rng: random.Random,
    case: Case | None,
    sample: Sample,
    results: Sequence[Result],
    draw: Draw,
) -> Tested:
    """The batch's records with its case's runs added right after the run they repeat."""
    if case is None:
        return Tested((sample,), tuple(results), investigation_open=False)
    test = _CASE_TEST[case]
    index = next(i for i, result in enumerate(results) if result.test == test)
    first = results[index]
    samples: tuple[Sample, ...] = (sample,)
    if case is Case.REPEAT:
        runs = _repeat(rng, first, draw)
    elif case is Case.INVALID_RUN:
        runs = _invalid_run(rng, first, draw)
    elif case is Case.RESAMPLE:
        resample = Sample(
            f"{sample.sample_id}-2",
            sample.batch,
            sample.material,
            RESAMPLE_TYPE,
            first.result_date + dt.timedelta(days=2),
        )
        samples = (sample, resample)
        runs = _resample(rng, first, resample, draw)
    else:
        runs = _oos_stands(rng, first, draw)
    updated = (*results[:index], *runs, *results[index + 1 :])
    return Tested(samples, updated, investigation_open=case is Case.OOS_STANDS)


def _clock(rng: random.Random, first_hour: int, last_hour: int) -> dt.time:
    return dt.time(rng.randint(first_hour, last_hour), rng.randint(0, 59))


def _repeat(rng: random.Random, first: Result, draw: Draw) -> list[Result]:
    morning = dataclasses.replace(first, result_time=_clock(rng, 8, 10))
    afternoon = dataclasses.replace(
        first,
        value=draw(first.test, False),
        run=2,
        retest_of=1,
        result_time=_clock(rng, 14, 16),
    )
    return [morning, afternoon]


def _reference(rng: random.Random, prefix: str, day: dt.date) -> str:
    return f"{prefix}-{day:%y}-{rng.randint(100, 399):03d}"


def _invalid_run(rng: random.Random, first: Result, draw: Draw) -> list[Result]:
    reason = (
        "Negative control showed growth; plate count invalid "
        f"({_reference(rng, 'LIR', first.result_date)})"
    )
    invalid = dataclasses.replace(first, valid=False, reason=reason)
    replated = dataclasses.replace(
        first,
        value=draw(first.test, False),
        run=2,
        retest_of=1,
        result_date=first.result_date + dt.timedelta(days=rng.randint(5, 6)),
    )
    return [invalid, replated]


def _resample(rng: random.Random, first: Result, resample: Sample, draw: Draw) -> list[Result]:
    reason = (
        "Sampling error: units taken from the start-up reject chute "
        f"({_reference(rng, 'INV', first.result_date)})"
    )
    oos = dataclasses.replace(first, value=draw(first.test, True), valid=False, reason=reason)
    on_resample = dataclasses.replace(
        first,
        sample_id=resample.sample_id,
        value=draw(first.test, False),
        result_date=resample.sampled_on + dt.timedelta(days=rng.randint(1, 2)),
    )
    return [oos, on_resample]


def _oos_stands(rng: random.Random, first: Result, draw: Draw) -> list[Result]:
    oos = dataclasses.replace(first, value=draw(first.test, True))
    retest_day = first.result_date + dt.timedelta(days=2)
    return [
        oos,
        *(
            dataclasses.replace(
                first, value=draw(first.test, False), run=run, retest_of=1, result_date=retest_day
            )
            for run in (2, 3)
        ),
    ]
