import datetime as dt

import pytest

from pharma_pipelines.catalog.values import (
    ValueFormatError,
    decimal_separator_of,
    parse_date,
    parse_integer,
    parse_number,
)


@pytest.mark.parametrize(
    ("raw", "decimal", "expected"),
    [
        ("1.234,567", ",", 1234.567),
        ("0,5", ",", 0.5),
        ("1.000", ",", 1000.0),
        ("1.020.304,05", ",", 1020304.05),
        ("12,500-", ",", -12.5),
        ("1.234,56-", ",", -1234.56),
        ("1,250.000-", ".", -1250.0),
        ("-3.000", ".", -3.0),
        ("5-", ".", -5.0),
        ("0.000", ".", 0.0),
        ("", ".", None),
    ],
)
def test_sap_numbers_read_with_their_column_format(raw, decimal, expected):
    assert parse_number(raw, decimal) == expected


@pytest.mark.parametrize("raw", ["1,234.5", "12-,5", "--5", "-5-", "abc", "1.2.3"])
def test_numbers_that_do_not_fit_the_german_format_are_errors(raw):
    with pytest.raises(ValueFormatError):
        parse_number(raw, ",")


def test_the_decimal_separator_is_decided_by_the_column_not_the_value():
    assert decimal_separator_of(["1.000", "0,5", "12"]) == ","
    assert decimal_separator_of(["1.000", "12"]) == "."
    assert decimal_separator_of(["1,250.000", "0.40"]) == "."


def test_integers_refuse_fractions():
    assert parse_integer("42") == 42
    with pytest.raises(ValueFormatError):
        parse_integer("4,2", ",")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("20240305", dt.date(2024, 3, 5)),
        ("03.08.2024", dt.date(2024, 8, 3)),
        ("2024-03-27T09:00:00+09:00", dt.date(2024, 3, 27)),
        ("00000000", None),
        ("", None),
        ("99991231", dt.date(9999, 12, 31)),
    ],
)
def test_sap_dates(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["20241345", "32.01.2024", "3/9/2014", "tomorrow"])
def test_impossible_dates_are_errors(raw):
    with pytest.raises(ValueFormatError):
        parse_date(raw)
