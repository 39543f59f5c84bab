"""Column-wise value rules give the per-value answers of pharma_pipelines.values."""

from __future__ import annotations

import random

import numpy as np
import pyarrow as pa
import pytest

from pharma_pipelines.ingestion.arrow_values import (
    PY_WHITESPACE,
    ShapeCensus,
    blank_mask,
    cp1252_to_utf8,
    date_verdicts,
    to_decimal,
    vote_counts,
)
from pharma_pipelines.values import (
    NUMBER_FORMATS,
    ValueRuleError,
    is_blank,
    number_format_vote,
    parse_sap_date,
    parse_sap_number,
)

ALPHABET = [
    "0",
    "1",
    "5",
    "9",
    ".",
    ",",
    " ",
    "\u00a0",
    "\u202f",
    "+",
    "-",
    "\t",
    "a",
    "٣",
    "\u3000",
]


def _corpus(seed: int, size: int = 4000) -> list[str]:
    rng = random.Random(seed)
    values = ["", " ", "0", "0,5", "1.000", "1,875.00", "1.234,56-", "-1 234,5", "12,", ",5"]
    values += ["1.23,4", "+-5", "٣", " 7 ", "00012,3400", "1" * 40 + ",5", "9" * 80]
    values += ["".join(rng.choices(ALPHABET, k=rng.randint(0, 10))) for _ in range(size)]
    return values


def _parsed(value: str, fmt):
    try:
        return True, parse_sap_number(value, fmt)
    except ValueRuleError:
        return False, None


def _chunked(values: list[str]) -> pa.ChunkedArray:
    third = len(values) // 3
    return pa.chunked_array([values[:third], values[third : 2 * third], values[2 * third :]])


@pytest.mark.parametrize("seed", [1, 2])
def test_number_shapes_judge_as_parse_sap_number(seed: int) -> None:
    values = _corpus(seed)
    column = _chunked(values)
    census = ShapeCensus(column)
    for fmt in NUMBER_FORMATS:
        expected = [not _parsed(v, fmt)[0] for v in values]
        assert census.invalid(fmt).tolist() == expected, fmt


@pytest.mark.parametrize("seed", [3, 4])
def test_votes_are_number_format_vote_counted(seed: int) -> None:
    values = _corpus(seed)
    expected: dict = {}
    for value in values:
        fmt = number_format_vote(value)
        if fmt is not None:
            expected[fmt] = expected.get(fmt, 0) + 1
    assert vote_counts(_chunked(values)) == expected
    assert vote_counts(pa.array(values), prefilter=True) == expected


@pytest.mark.parametrize("seed", [5, 6])
def test_decimals_are_exactly_parse_sap_number(seed: int) -> None:
    values = _corpus(seed)
    column = _chunked(values)
    census = ShapeCensus(column)
    for fmt in NUMBER_FORMATS:
        parsed = [_parsed(v, fmt) for v in values]
        usable = np.array([ok and value is not None for ok, value in parsed])
        kind = census.decimal_type(fmt, usable)
        if kind is None:  # the corpus holds an 80-digit number: try without it
            usable &= np.array([len(v) < 70 for v in values])
            kind = census.decimal_type(fmt, usable)
        assert kind is not None
        got = to_decimal(column, fmt, usable, kind).to_pylist()
        want = [value if ok else None for (_, value), ok in zip(parsed, usable, strict=True)]
        assert got == want, fmt


def test_blank_is_what_str_strip_leaves_empty() -> None:
    values = _corpus(7) + [chr(c) for c in range(0x3001) if chr(c).isspace()] + ["\u200b"]
    assert blank_mask(_chunked(values)).tolist() == [is_blank(v) for v in values]


def test_every_whitespace_character_is_known() -> None:
    assert not any(chr(c).isspace() for c in range(0x3001, 0x110000))
    assert set(PY_WHITESPACE) == {chr(c) for c in range(0x3001) if chr(c).isspace()}


def test_dates_are_parse_sap_date_per_distinct_text() -> None:
    values = ["20270104", "04.01.2027", "4.1.2027", "2027-01-04", "00000000", "99991231"]
    values += ["", " ", "20250231", "3/9/2014", "/Date(1700000000000)/", "20270104101500"]
    values += ["2027-01-04T10:00:00Z", "20270104250000", "٢٠٢٧٠١٠٤", "00.00.0000"]
    verdicts = date_verdicts(_chunked(values * 3))
    for i, value in enumerate(values * 3):
        try:
            expected = parse_sap_date(value)
        except ValueRuleError:
            assert verdicts.invalid[i]
            assert verdicts.dates[i].as_py() is None
            continue
        assert not verdicts.invalid[i]
        assert verdicts.empty[i] == expected.is_empty
        assert verdicts.dates[i].as_py() == expected.value


def test_windows_1252_becomes_the_same_text_as_decoding() -> None:
    rng = random.Random(8)
    defined = [b for b in range(256) if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)]
    raw = [bytes(rng.choices(defined, k=rng.randint(0, 12))) for _ in range(3000)]
    column = pa.chunked_array(
        [pa.array(raw[:1000], pa.binary()), pa.array(raw[1000:], pa.binary())]
    )
    assert cp1252_to_utf8(column).to_pylist() == [r.decode("cp1252") for r in raw]
