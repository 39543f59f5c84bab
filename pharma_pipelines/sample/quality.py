"""LIMS specifications, samples, results and dispositions, and the stock that follows them.

A disposition is decided from the results, the way a QP would: a batch with a failed
release-relevant test is REJECTED, a batch whose results are not all in is in QUARANTINE,
every other batch is RELEASED, unless an OOS investigation is still open on it (see
``retests``: four batches carry retests, an invalidated run, a re-sample and an OOS that a
passing retest does not clear). One released tablet batch carries an out-of-limit in-process
hardness value, which is not release relevant and so does not block it. Stock is booked to
the stock type the decision implies (unrestricted, quality inspection, blocked).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from pharma_pipelines.sample.formats import fixed
from pharma_pipelines.sample.master_data import CAPSULES, STERILE, TABLETS
from pharma_pipelines.sample.model import (
    Batch,
    Decision,
    Disposition,
    Lab,
    Material,
    Result,
    Sample,
    Specification,
    StockLine,
)
from pharma_pipelines.sample.retests import Case, apply_case, choose_cases

COMPLIES = "Complies"
_QUALIFIED_PERSONS = ("Dr. K. Brandt", "Dr. M. Yilmaz", "A. Nowak")
_REJECTED_BATCHES = 2
_ZERO = Decimal(0)


@dataclass(frozen=True)
class _Test:
    """One test of a specification and how the lab's results for it scatter."""

    code: str
    unit: str
    lab: Lab
    release_relevant: bool
    spec_min: str | None = None
    spec_max: str | None = None
    decimals: int = 0
    passing: tuple[float, float] = (0.0, 0.0)
    failing: tuple[float, float] | None = None
    reporting_limit: float | None = None
    delay_days: tuple[int, int] = (2, 5)

    @property
    def is_text(self) -> bool:
        return self.spec_min is None and self.spec_max is None


_ID = _Test("ID_HPLC", "", Lab.CHEMISTRY, True)
_APPEARANCE = _Test("APPEARANCE", "", Lab.CHEMISTRY, True)
_ASSAY = _Test("ASSAY", "%", Lab.CHEMISTRY, True, "95.0", "105.0", 1, (97.0, 103.0), (90.5, 93.8))
_IMPURITIES = _Test(
    "IMP_TOTAL", "%", Lab.CHEMISTRY, True, None, "0.50", 2, (0.0, 0.32), (0.62, 0.95), 0.05
)
_TAMC = _Test("TAMC", "cfu/g", Lab.MICROBIOLOGY, True, None, "1000", 0, (0, 45), None, 10, (5, 7))
_TYMC = _Test("TYMC", "cfu/g", Lab.MICROBIOLOGY, True, None, "100", 0, (0, 18), None, 10, (5, 7))
_ORAL_MICRO = (_TAMC, _TYMC)

_TESTS: dict[str, tuple[_Test, ...]] = {
    TABLETS.code: (
        _ID,
        _APPEARANCE,
        _ASSAY,
        _Test("DISSOLUTION", "%", Lab.CHEMISTRY, True, "80", None, 0, (85, 99), (62, 72)),
        _IMPURITIES,
        _Test("HARDNESS", "N", Lab.CHEMISTRY, False, "60", "120", 0, (72, 108), (50, 57)),
        *_ORAL_MICRO,
    ),
    CAPSULES.code: (
        _ID,
        _APPEARANCE,
        _ASSAY,
        _Test("DISSOLUTION", "%", Lab.CHEMISTRY, True, "75", None, 0, (80, 97), (60, 70)),
        _IMPURITIES,
        _Test("WATER_KF", "%", Lab.CHEMISTRY, True, None, "6.0", 1, (2.8, 5.1), (6.4, 7.5)),
        *_ORAL_MICRO,
    ),
    STERILE.code: (
        _ID,
        _APPEARANCE,
        _ASSAY,
        _Test("PH", "", Lab.CHEMISTRY, True, "6.5", "7.5", 1, (6.7, 7.3), (7.8, 8.2)),
        _IMPURITIES,
        _Test("PARTICLES_10UM", "/container", Lab.CHEMISTRY, True, None, "6000", 0, (80, 1400)),
        _Test(
            "ENDOTOXIN",
            "EU/ml",
            Lab.MICROBIOLOGY,
            True,
            None,
            "0.50",
            2,
            (0.0, 0.2),
            (0.7, 1.2),
            0.05,
            (5, 7),
        ),
        _Test("STERILITY", "", Lab.MICROBIOLOGY, True, delay_days=(14, 15)),
    ),
}


@dataclass(frozen=True)
class QualityRecords:
    specifications: tuple[Specification, ...]
    samples: tuple[Sample, ...]
    results: tuple[Result, ...]
    dispositions: tuple[Disposition, ...]


def build_specifications(products: Sequence[Material]) -> tuple[Specification, ...]:
    return tuple(
        Specification(
            material=product.number,
            test=test.code,
            unit=test.unit,
            spec_min=test.spec_min,
            spec_max=test.spec_max,
            text_spec=COMPLIES if test.is_text else None,
            release_relevant=test.release_relevant,
            lab=test.lab,
        )
        for product in products
        for test in _TESTS[product.group]
    )


def build_quality(
    rng: random.Random,
    plan_date: dt.date,
    products: Sequence[Material],
    batches: Sequence[Batch],
    in_qc: Sequence[str],
    retest_rng: random.Random,
) -> QualityRecords:
    """``retest_rng`` feeds only the retest cases, so they leave every other value as it was."""
    groups = {product.number: product.group for product in products}
    settled = [batch.number for batch in batches if batch.number not in in_qc]
    rejected = set(rng.sample(settled, _REJECTED_BATCHES))
    hardness_outlier = next(
        number
        for number in settled
        if number not in rejected and groups[_material_of(batches, number)] == TABLETS.code
    )
    cases = choose_cases(
        retest_rng,
        [
            batch
            for batch in batches
            if batch.number in settled and batch.number not in {*rejected, hardness_outlier}
        ],
        lambda batch: {test.code for test in _TESTS[groups[batch.material]]},
    )
    tested = []
    serial = rng.randint(1_000, 5_000)
    for batch in sorted(batches, key=lambda batch: (batch.manufactured_on, batch.number)):
        tests = _TESTS[groups[batch.material]]
        failing = _failing_test(rng, tests) if batch.number in rejected else None
        outlier = "HARDNESS" if batch.number == hardness_outlier else None
        case = (retest_rng, cases.get(batch.number))
        tested.append(_test_batch(rng, plan_date, batch, serial, tests, (failing, outlier), case))
        serial += rng.randint(1, 4)
    return QualityRecords(
        specifications=build_specifications(products),
        samples=tuple(sample for record in tested for sample in record.samples),
        results=tuple(result for record in tested for result in record.results),
        dispositions=tuple(record.disposition for record in tested),
    )


@dataclass(frozen=True)
class _TestedBatch:
    samples: tuple[Sample, ...]
    results: tuple[Result, ...]
    disposition: Disposition


def _test_batch(
    rng: random.Random,
    plan_date: dt.date,
    batch: Batch,
    serial: int,
    tests: Sequence[_Test],
    out_of_limits: tuple[str | None, str | None],
    case: tuple[random.Random, Case | None],
) -> _TestedBatch:
    """Sample a batch, report the results that are in by the extract date, and decide.

    ``out_of_limits`` names the release-relevant test that fails (rejected batches) and the
    non-relevant test that is off (the hardness outlier); either may be None. ``case`` is the
    retest case of the batch, if any, and the random stream its runs draw from.
    """
    sampled_on = batch.manufactured_on + dt.timedelta(days=rng.randint(0, 1))
    sample = Sample(
        f"S{sampled_on:%y}-{serial:05d}", batch.number, batch.material, "Release", sampled_on
    )
    results = [
        _result(rng, sample.sample_id, batch.number, test, sampled_on, test.code in out_of_limits)
        for test in tests
    ]
    retest_rng, retest_case = case
    by_code = {test.code: test for test in tests}
    tested = apply_case(
        retest_rng,
        retest_case,
        sample,
        results,
        lambda code, oos: _value(retest_rng, by_code[code], oos),
    )
    available = tuple(result for result in tested.results if result.result_date < plan_date)
    failed = out_of_limits[0] is not None
    pending = len({result.test for result in available}) < len(tests)
    disposition = _disposition(rng, batch, failed, pending, available)
    if tested.investigation_open:
        # Drawn as if decided, so the batches after it keep their decision dates and QPs.
        disposition = Disposition(batch.number, batch.material, Decision.QUARANTINE, None, None)
    return _TestedBatch(tested.samples, available, disposition)


def _material_of(batches: Sequence[Batch], number: str) -> str:
    return next(batch.material for batch in batches if batch.number == number)


def _failing_test(rng: random.Random, tests: Sequence[_Test]) -> str:
    candidates = [test.code for test in tests if test.release_relevant and test.failing]
    return rng.choice(candidates)


def _result(
    rng: random.Random,
    sample_id: str,
    batch: str,
    test: _Test,
    sampled_on: dt.date,
    out_of_limits: bool,
) -> Result:
    tested_on = sampled_on + dt.timedelta(days=rng.randint(*test.delay_days))
    return Result(
        sample_id,
        batch,
        test.code,
        _value(rng, test, out_of_limits),
        test.unit,
        tested_on,
        test.lab,
    )


def _value(rng: random.Random, test: _Test, out_of_limits: bool) -> str:
    """A reported value; below the reporting limit the lab writes ``<limit``.

    Tests with a reporting limit (impurities, microbial counts) mostly find little, so their
    passing values are skewed towards zero and a good share come out censored.
    """
    if test.is_text:
        return COMPLIES
    limit = test.reporting_limit
    low, high = test.failing if out_of_limits and test.failing else test.passing
    share = rng.random() ** 2 if limit is not None and not out_of_limits else rng.random()
    value = low + (high - low) * share
    if limit is not None and value < limit:
        spacer = " " if rng.random() < 0.25 else ""
        return f"<{spacer}{fixed(limit, test.decimals)}"
    return fixed(value, test.decimals)


def _disposition(
    rng: random.Random,
    batch: Batch,
    failed: bool,
    pending: bool,
    available: Sequence[Result],
) -> Disposition:
    if pending and not failed:
        return Disposition(batch.number, batch.material, Decision.QUARANTINE, None, None)
    last_result = max(result.result_date for result in available)
    decided_on = last_result + dt.timedelta(days=rng.randint(1, 3))
    decision = Decision.REJECTED if failed else Decision.RELEASED
    return Disposition(
        batch.number, batch.material, decision, decided_on, rng.choice(_QUALIFIED_PERSONS)
    )


def build_stock(
    rng: random.Random,
    plan_date: dt.date,
    product_batches: Sequence[Batch],
    raw_batches: Sequence[Batch],
    dispositions: Sequence[Disposition],
    raw_materials: Sequence[Material],
) -> tuple[StockLine, ...]:
    """Finished goods by stock type, purchased lots unrestricted, one overdrawn supply area."""
    decisions = {disposition.batch: disposition.decision for disposition in dispositions}
    lines = []
    for batch in product_batches:
        line = _product_stock(rng, plan_date, batch, decisions[batch.number])
        if line is not None:
            lines.append(line)
    for batch in raw_batches:
        lines.append(
            StockLine(batch.material, "RM01", batch.number, batch.quantity, _ZERO, _ZERO, "KG")
        )
    backflushed = raw_materials[0]
    lines.append(
        StockLine(backflushed.number, "PVB1", None, Decimal("-12.500"), _ZERO, _ZERO, "KG")
    )
    return tuple(lines)


def _product_stock(
    rng: random.Random, plan_date: dt.date, batch: Batch, decision: Decision
) -> StockLine | None:
    quantity = batch.quantity
    if decision is Decision.QUARANTINE:
        return StockLine(batch.material, "FG01", batch.number, _ZERO, quantity, _ZERO, "ST")
    if decision is Decision.REJECTED:
        return StockLine(batch.material, "FG01", batch.number, _ZERO, _ZERO, quantity, "ST")
    if (plan_date - batch.manufactured_on).days > 90 and rng.random() < 0.5:
        return None
    remaining = Decimal(int(quantity * Decimal(str(round(rng.uniform(0.1, 0.85), 3)))))
    return StockLine(batch.material, "FG01", batch.number, remaining, _ZERO, _ZERO, "ST")
