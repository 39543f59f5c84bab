"""LIMS results: censored values, text results and the verdict against a specification.

Rules (pharmaceutical practice, as the QC laboratory applies them):

- The raw result is kept verbatim. A numeric result splits into a qualifier (``=``, ``<``,
  ``>``, also ``<=``/``>=``) and a value; a space after the qualifier is allowed and a decimal
  comma is read as a decimal separator. ``ND``, ``n.d.``, ``BLQ`` and ``< LOQ`` are censored
  below a limit that the result itself does not state.
- A numeric result is compared with a limit after rounding half-up to the number of decimals
  the limit is written with (USP <General Notices> 7.20, Ph. Eur. 1.1). Limits are inclusive.
- A censored ``<X`` result against a maximum passes when X <= max; otherwise the reporting
  limit is above the specification and the verdict is INDETERMINATE. ``>X`` mirrors this
  against a minimum. A censored result with no number (``ND``) passes a maximum and is
  INDETERMINATE against a minimum.
- A text result against a text specification: ``Complies``/``Conforms``/``Pass`` match a
  specification of that kind (PASS); ``Does not comply``/``Fail`` FAIL; any other text is
  REVIEW: a person must look, it is never passed and never dropped.
- A result with no specification gets NO_SPEC.

Retests, re-samples and invalidated results (the LIMS runs a test more than once on a batch):

- A result's status is VALID, INVALIDATED or CANCELLED. The LIMS says so in a status word
  (``Invalidated``, ``Retracted``, ``Cancelled``; any other word, blank included, is VALID so
  that an unknown status never hides a result), a ``Valid`` flag that says no, or an
  ``Invalidated`` column that holds anything but no.
- Of the VALID results of one batch and test, the final one decides the test. Final is the
  latest by result date, then time of day (a date without a time counts as the start of its
  day), then run number, then the retest flag; a result without a date, run or flag orders
  before one with it. Results still equal on all of these are a tie that no order in the
  export settles, so the worse verdict is taken as final (the passing one never wins a tie),
  then the later file and line. Re-samples are ordered the same way: a new sample of the
  batch is just another run of the test.
- Earlier VALID results are superseded: kept, pointing at the final one. INVALIDATED and
  CANCELLED results are kept with their reason and never decide the test. A test whose every
  result is invalidated or cancelled is NOT_EVALUABLE.
- An out-of-specification result (FAIL) stays on record whatever comes after it: the test
  ``had_oos``. It is set aside only by a documented assignable cause, i.e. invalidated or
  cancelled *with a reason*; otherwise it is a valid OOS, and a passing retest alone does not
  clear it: the test's verdict is then REVIEW (an OOS investigation must conclude), never
  PASS. This is how GMP OOS investigations work; re-testing into compliance is not allowed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from pharma_pipelines.values import parse_lab_result, parse_sap_date


class Verdict(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    INDETERMINATE = "INDETERMINATE"
    REVIEW = "REVIEW"
    NO_SPEC = "NO_SPEC"
    NOT_EVALUABLE = "NOT_EVALUABLE"
    """A test without any valid result; never the verdict of a single result."""


@dataclass(frozen=True)
class ParsedResult:
    raw: str
    qualifier: str | None
    value: Decimal | None
    censored: bool
    text: str | None


_CENSORED_WITHOUT_VALUE = re.compile(
    r"^(nd|n\.d\.|not detected|blq|bql|<\s*loq|<\s*lod|-----)$", re.IGNORECASE
)
_POSITIVE_TEXT = {"complies", "conforms", "pass", "passes", "conform", "entspricht"}
_NEGATIVE_TEXT = {"does not comply", "does not conform", "fail", "fails", "entspricht nicht"}


def parse_result(raw: str) -> ParsedResult:
    """Split a raw result; ``<=``/``>=`` count as ``<``/``>`` (the bound is what matters)."""
    lab = parse_lab_result(raw.strip().removesuffix("%").strip())
    if lab.value is not None:
        qualifier = {"<=": "<", ">=": ">"}.get(lab.qualifier, lab.qualifier)
        return ParsedResult(raw, qualifier, lab.value, qualifier != "=", None)
    text = raw.strip()
    if _CENSORED_WITHOUT_VALUE.match(text):
        return ParsedResult(raw, "<", None, True, text)
    return ParsedResult(raw, None, None, False, text or None)


def decimals_of(limit_text: str) -> int:
    text = limit_text.strip().replace(",", ".")
    return len(text.split(".", 1)[1]) if "." in text else 0


def parse_limit(limit_text: str | None) -> Decimal | None:
    if limit_text is None or not limit_text.strip():
        return None
    try:
        return Decimal(limit_text.strip().replace(",", "."))
    except InvalidOperation:
        return None


def _rounded(value: Decimal, limit_text: str) -> Decimal:
    exponent = Decimal(1).scaleb(-decimals_of(limit_text))
    return value.quantize(exponent, rounding=ROUND_HALF_UP)


def verdict(
    result: ParsedResult,
    spec_min: str | None,
    spec_max: str | None,
    text_spec: str | None,
) -> Verdict:
    minimum, maximum = parse_limit(spec_min), parse_limit(spec_max)
    if minimum is None and maximum is None:
        if text_spec and text_spec.strip():
            return _text_verdict(result)
        return Verdict.NO_SPEC
    if result.value is None and not result.censored:
        return Verdict.REVIEW
    return _numeric_verdict(result, spec_min, minimum, spec_max, maximum)


def _text_verdict(result: ParsedResult) -> Verdict:
    if result.text is None:
        return Verdict.REVIEW
    normalized = result.text.strip().lower().rstrip(".")
    if normalized in _POSITIVE_TEXT:
        return Verdict.PASS
    if normalized in _NEGATIVE_TEXT:
        return Verdict.FAIL
    return Verdict.REVIEW


def _numeric_verdict(
    result: ParsedResult,
    spec_min: str | None,
    minimum: Decimal | None,
    spec_max: str | None,
    maximum: Decimal | None,
) -> Verdict:
    """Judge a numeric or censored result against inclusive limits."""
    if result.qualifier == "<":
        return _worst(
            _censored_against_bound(result.value, spec_max, maximum, below=True),
            _censored_beyond_bound(result.value, minimum, below=True),
        )
    if result.qualifier == ">":
        return _worst(
            _censored_against_bound(result.value, spec_min, minimum, below=False),
            _censored_beyond_bound(result.value, maximum, below=False),
        )
    value = result.value
    if value is None:
        return Verdict.REVIEW
    if minimum is not None and spec_min is not None and _rounded(value, spec_min) < minimum:
        return Verdict.FAIL
    if maximum is not None and spec_max is not None and _rounded(value, spec_max) > maximum:
        return Verdict.FAIL
    return Verdict.PASS


def _censored_against_bound(
    value: Decimal | None, limit_text: str | None, limit: Decimal | None, *, below: bool
) -> Verdict:
    """``<X`` against a maximum (or ``>X`` against a minimum): inside when X is."""
    if limit is None or limit_text is None or value is None:
        return Verdict.PASS
    rounded = _rounded(value, limit_text)
    inside = rounded <= limit if below else rounded >= limit
    return Verdict.PASS if inside else Verdict.INDETERMINATE


def _censored_beyond_bound(value: Decimal | None, limit: Decimal | None, *, below: bool) -> Verdict:
    """``<X`` against a minimum (or ``>X`` against a maximum): out when X already is."""
    if limit is None:
        return Verdict.PASS
    if value is None:
        return Verdict.INDETERMINATE
    outside = value <= limit if below else value >= limit
    return Verdict.FAIL if outside else Verdict.INDETERMINATE


_SEVERITY = [
    Verdict.PASS,
    Verdict.NO_SPEC,
    Verdict.NOT_EVALUABLE,
    Verdict.INDETERMINATE,
    Verdict.REVIEW,
    Verdict.FAIL,
]


def _worst(*verdicts: Verdict) -> Verdict:
    return max(verdicts, key=_SEVERITY.index)


def batch_verdict(verdicts: list[Verdict]) -> Verdict:
    """A batch is as bad as its worst result; indeterminate results need review."""
    if not verdicts:
        return Verdict.NO_SPEC
    worst = _worst(*verdicts)
    return Verdict.REVIEW if worst is Verdict.INDETERMINATE else worst


# --- retests, re-samples and invalidated results ---------------------------------------


class ResultStatus(StrEnum):
    VALID = "VALID"
    INVALIDATED = "INVALIDATED"
    CANCELLED = "CANCELLED"


_INVALIDATED_WORDS = {
    "invalidated",
    "invalid",
    "retracted",
    "rejected",
    "void",
    "voided",
    "invalidiert",
    "ungültig",
}
_CANCELLED_WORDS = {"cancelled", "canceled", "aborted", "storniert", "abgebrochen"}
_NO_WORDS = {"n", "no", "false", "0", "nein"}
_YES_WORDS = {"y", "yes", "true", "1", "x", "j", "ja"}


def _word(raw: str) -> str:
    return re.sub(r"[\s_-]+", " ", raw.strip().lower())


def result_status(status: str, valid: str = "", invalidated: str = "") -> ResultStatus:
    """The status of one result from a status word, a ``Valid`` flag or an ``Invalidated`` mark.

    An ``Invalidated`` column may hold a flag or the date of the invalidation: anything but a
    no means invalidated.
    """
    word = _word(status)
    if word in _INVALIDATED_WORDS:
        return ResultStatus.INVALIDATED
    if word in _CANCELLED_WORDS:
        return ResultStatus.CANCELLED
    if _word(valid) in _NO_WORDS or _word(invalidated) not in {"", *_NO_WORDS}:
        return ResultStatus.INVALIDATED
    return ResultStatus.VALID


def is_yes(raw: str) -> bool:
    return _word(raw) in _YES_WORDS


_LAST_NUMBER = re.compile(r"(\d+)\D*$")


def run_number(raw: str) -> int | None:
    """The run (or LIMS replicate) number: the last whole number in ``2``, ``R2``, ``Run 02``."""
    match = _LAST_NUMBER.search(raw.strip())
    return int(match[1]) if match else None


_CLOCK = re.compile(r"[T ]\s*(\d{1,2}):(\d{2})(?::(\d{2}))?")
_COMPACT_MOMENT = re.compile(r"\d{8}(\d{2})(\d{2})(\d{2})")


def result_moment(raw: str) -> tuple[dt.date | None, dt.time | None]:
    """Day and, when the LIMS wrote one, time of day of a result, as the lab's clock read.

    An offset after the time is not applied: the results of one batch and test come from the
    same laboratory clock, and their order is all the time is used for.
    """
    day = parse_sap_date(raw).value
    if day is None:
        return None, None
    text = raw.strip()
    match = _COMPACT_MOMENT.fullmatch(text) or _CLOCK.search(text)
    if match is None:
        return day, None
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    if hours > 23 or minutes > 59 or seconds > 59:
        return day, None
    return day, dt.time(hours, minutes, seconds)


@dataclass(frozen=True)
class ResultRun:
    """One result of a test on a batch, as the history rules need it.

    ``ref`` names the result (the curated layer uses its raw record id); ``source_file`` and
    ``row_number`` only break ties that the LIMS's own ordering leaves open.
    """

    ref: int
    status: ResultStatus
    verdict: Verdict
    result_date: dt.date | None = None
    result_time: dt.time | None = None
    run: int | None = None
    is_retest: bool = False
    reason: str | None = None
    source_file: str = ""
    row_number: int = 0

    @property
    def is_oos(self) -> bool:
        return self.verdict is Verdict.FAIL

    @property
    def set_aside(self) -> bool:
        """Invalidated or cancelled with a documented reason (an assignable cause)."""
        return self.status is not ResultStatus.VALID and bool((self.reason or "").strip())


@dataclass(frozen=True)
class ResultHistory:
    """What the runs of one test on one batch add up to."""

    final: int | None
    verdict: Verdict
    superseded: tuple[int, ...]
    had_oos: bool
    valid_oos: tuple[int, ...]

    @property
    def oos_unresolved(self) -> bool:
        """A valid OOS that only a later result stands against."""
        return any(ref != self.final for ref in self.valid_oos)


def _order(run: ResultRun) -> tuple[object, ...]:
    return (
        run.result_date or dt.date.min,
        run.result_time or dt.time.min,
        run.run if run.run is not None else -1,
        run.is_retest,
        _SEVERITY.index(run.verdict),
        run.source_file,
        run.row_number,
    )


def resolve_history(runs: Sequence[ResultRun]) -> ResultHistory:
    """Final result, superseded results, verdict and OOS history of one batch and test."""
    valid = sorted((run for run in runs if run.status is ResultStatus.VALID), key=_order)
    valid_oos = tuple(run.ref for run in runs if run.is_oos and not run.set_aside)
    had_oos = any(run.is_oos for run in runs)
    if not valid:
        return ResultHistory(None, Verdict.NOT_EVALUABLE, (), had_oos, valid_oos)
    final = valid[-1]
    judged = final.verdict
    if judged is not Verdict.FAIL and any(ref != final.ref for ref in valid_oos):
        judged = Verdict.REVIEW
    superseded = tuple(run.ref for run in valid[:-1])
    return ResultHistory(final.ref, judged, superseded, had_oos, valid_oos)
