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
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from pharma_pipelines.values import parse_lab_result


class Verdict(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    INDETERMINATE = "INDETERMINATE"
    REVIEW = "REVIEW"
    NO_SPEC = "NO_SPEC"


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


_SEVERITY = [Verdict.PASS, Verdict.NO_SPEC, Verdict.INDETERMINATE, Verdict.REVIEW, Verdict.FAIL]


def _worst(*verdicts: Verdict) -> Verdict:
    return max(verdicts, key=_SEVERITY.index)


def batch_verdict(verdicts: list[Verdict]) -> Verdict:
    """A batch is as bad as its worst result; indeterminate results need review."""
    if not verdicts:
        return Verdict.NO_SPEC
    worst = _worst(*verdicts)
    return Verdict.REVIEW if worst is Verdict.INDETERMINATE else worst
