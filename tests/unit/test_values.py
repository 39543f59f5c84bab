"""Value rules: SAP numbers, the per-file number format, dates, identifiers, LIMS results."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from pharma_pipelines.values import (
    DECIMAL_COMMA,
    DECIMAL_COMMA_SPACE,
    DECIMAL_POINT,
    NumberFormat,
    ValueRuleError,
    alpha_display,
    detect_number_format,
    is_blank,
    parse_inverted_date,
    parse_lab_result,
    parse_sap_date,
    parse_sap_exchange_rate,
    parse_sap_number,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,567", "1234.567"),
        ("0,5", "0.5"),
        ("1.000", "1000"),
        ("12", "12"),
        ("1.020.304,05", "1020304.05"),
        ("12.345,67", "12345.67"),
        ("4,20", "4.20"),
        ("1.234,56-", "-1234.56"),
        ("-1.234,56", "-1234.56"),
        ("+7", "7"),
        (",5", "0.5"),
        ("  12,5  ", "12.5"),
    ],
)
def test_decimal_comma_numbers(text: str, expected: str) -> None:
    assert parse_sap_number(text, DECIMAL_COMMA) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("250.000", "250"),
        ("1,875.00", "1875.00"),
        ("12.500-", "-12.5"),
        ("93.75-", "-93.75"),
        ("1,250.000-", "-1250"),
        ("5-", "-5"),
        ("0.40-", "-0.40"),
        ("-3.000", "-3"),
        ("-0.24", "-0.24"),
        ("0.000", "0"),
    ],
)
def test_decimal_point_numbers_with_trailing_minus(text: str, expected: str) -> None:
    """BR-04: both sign positions are accepted and the sign is never dropped."""
    assert parse_sap_number(text, DECIMAL_POINT) == Decimal(expected)


def test_long_negative_numbers_stay_exact() -> None:
    digits = "9" * 40
    assert parse_sap_number(f"{digits},25-", DECIMAL_COMMA) == Decimal(f"-{digits}.25")


def test_space_thousands_and_no_break_space() -> None:
    assert parse_sap_number("1 234 567,5", DECIMAL_COMMA_SPACE) == Decimal("1234567.5")
    assert parse_sap_number("1\u00a0234,5", DECIMAL_COMMA_SPACE) == Decimal("1234.5")


@pytest.mark.parametrize("blank", ["", "   ", None])
def test_blank_number_is_none(blank: str | None) -> None:
    assert parse_sap_number(blank, DECIMAL_POINT) is None


@pytest.mark.parametrize("text", ["-5-", "--5", "+5-", "5+-", "1-2"])
def test_two_signs_are_an_error_not_a_guess(text: str) -> None:
    with pytest.raises(ValueRuleError, match="more than one sign"):
        parse_sap_number(text, DECIMAL_POINT)


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ("1,234.5", DECIMAL_COMMA),
        ("1.23", DECIMAL_COMMA),
        ("12.34.567", DECIMAL_POINT),
        ("1,23", DECIMAL_POINT),
        ("1.234.567", DECIMAL_POINT),
        ("abc", DECIMAL_POINT),
        ("12 kg", DECIMAL_POINT),
        ("-", DECIMAL_POINT),
    ],
)
def test_value_that_does_not_fit_the_format_is_refused(text: str, fmt: NumberFormat) -> None:
    with pytest.raises(ValueRuleError) as caught:
        parse_sap_number(text, fmt)
    assert repr(text) in str(caught.value)
    assert "allowed:" in str(caught.value)


def test_error_message_quotes_value_rule_and_allowed() -> None:
    with pytest.raises(ValueRuleError) as caught:
        parse_sap_number("1,234.5", DECIMAL_COMMA)
    error = caught.value
    assert error.value == "1,234.5"
    assert "1.234,56 (de-DE" in error.rule
    assert "groups of three digits" in error.allowed


def test_detection_decides_once_per_file_br03() -> None:
    """BR-03: the German values decide; the one English value is the odd one out."""
    values = ["1.234,567", "0,5", "1.000", "12", "1,234.5", "12.345,67", "4,20", "250,00"]
    detection = detect_number_format(values)
    assert detection.format == DECIMAL_COMMA
    assert not detection.assumed
    assert detection.votes["1.234,56"] == 5
    assert detection.votes["1,234.56"] == 1


def test_detection_br04_decimal_point() -> None:
    values = ["250.000", "1,875.00", "12.500-", "93.75-", "1,250.000-", "5-", "0.40-", "0.000"]
    assert detect_number_format(values).format == DECIMAL_POINT


@pytest.mark.parametrize(
    ("value", "decides"),
    [
        ("1.000", None),
        ("250.000", None),
        ("12", None),
        ("0.000", DECIMAL_POINT),
        ("1234.567", DECIMAL_POINT),
        ("1,234,567", DECIMAL_POINT),
        ("1.234.567", DECIMAL_COMMA),
        ("0,123", DECIMAL_COMMA),
        ("1 234,5", DECIMAL_COMMA_SPACE),
        ("Lösung 0,9 %", None),
        ("03.08.2024 text", None),
    ],
)
def test_which_single_values_are_decisive(value: str, decides: NumberFormat | None) -> None:
    detection = detect_number_format([value], default=DECIMAL_POINT)
    if decides is None:
        assert detection.assumed
    else:
        assert detection.format == decides
        assert not detection.assumed


def test_without_decisive_value_the_default_is_assumed() -> None:
    detection = detect_number_format(["1.000", "12"], default=DECIMAL_COMMA)
    assert detection.assumed
    assert detection.format == DECIMAL_COMMA
    assert "assumed" in detection.describe()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20240305", date(2024, 3, 5)),
        ("03.08.2024", date(2024, 8, 3)),
        ("3.8.2024", date(2024, 8, 3)),
        ("2024-02-29", date(2024, 2, 29)),
        ("2017-06-06T09:00:00+09:00", date(2017, 6, 6)),
        ("2024-03-12 10:15", date(2024, 3, 12)),
        ("2024-03-12T10:15:00Z", date(2024, 3, 12)),
        ("20200723125718", date(2020, 7, 23)),
        ("/Date(1590105600000)/", date(2020, 5, 22)),
        ("10.03.2015 18:52", date(2015, 3, 10)),
    ],
)
def test_dates(text: str, expected: date) -> None:
    parsed = parse_sap_date(text)
    assert parsed.value == expected
    assert not parsed.open_ended


@pytest.mark.parametrize("text", ["", " ", "00000000", "00.00.0000", "0000-00-00", None])
def test_empty_dates(text: str | None) -> None:
    assert parse_sap_date(text).is_empty


@pytest.mark.parametrize("text", ["99991231", "31.12.9999", "9999-12-31T09:00:00+09:00"])
def test_open_ended_dates(text: str) -> None:
    parsed = parse_sap_date(text)
    assert parsed.open_ended
    assert parsed.value == date(9999, 12, 31)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("20240230", "not a calendar date"),
        ("31.02.2024", "not a calendar date"),
        ("3/9/2014", "slash date"),
        ("nov.18", "not a date in an accepted format"),
        ("2024-3-5", "not a date in an accepted format"),
    ],
)
def test_invalid_dates_are_refused_with_the_rule(text: str, fragment: str) -> None:
    with pytest.raises(ValueRuleError) as caught:
        parse_sap_date(text)
    assert fragment in str(caught.value)
    assert "YYYYMMDD" in str(caught.value)


@pytest.mark.parametrize(
    ("identifier", "display"),
    [
        ("000000000000012345", "12345"),
        ("000000000001200000", "1200000"),
        ("0012000000", "12000000"),
        ("0000", "0"),
        ("API-7788-X", "API-7788-X"),
        ("00200A", "00200A"),
    ],
)
def test_alpha_display_is_an_extra_form(identifier: str, display: str) -> None:
    assert alpha_display(identifier) == display


def test_is_blank() -> None:
    assert is_blank(" ")
    assert is_blank(None)
    assert not is_blank("0")


@pytest.mark.parametrize(
    ("raw", "qualifier", "value", "text", "censored"),
    [
        ("99.4", "=", Decimal("99.4"), None, False),
        ("<0.05", "<", Decimal("0.05"), None, True),
        ("< 0.05", "<", Decimal("0.05"), None, True),
        ("0,8", "=", Decimal("0.8"), None, False),
        ("<10", "<", Decimal("10"), None, True),
        (">= 5", ">=", Decimal("5"), None, True),
        ("≤0.1", "<=", Decimal("0.1"), None, True),
        ("1.2E-3", "=", Decimal("0.0012"), None, False),
        ("Complies", "", None, "Complies", False),
        ("Does not comply", "", None, "Does not comply", False),
        ("see attachment", "", None, "see attachment", False),
        ("<LOQ", "", None, "<LOQ", False),
    ],
)
def test_lab_results_br07(
    raw: str, qualifier: str, value: Decimal | None, text: str | None, censored: bool
) -> None:
    result = parse_lab_result(raw)
    assert result.raw == raw
    assert result.qualifier == qualifier
    assert result.value == value
    assert result.text == text
    assert result.censored is censored


def test_blank_lab_result() -> None:
    result = parse_lab_result("  ")
    assert result.value is None
    assert result.text is None


@pytest.mark.parametrize("text", ["５０００", "٥٠٠٠"])
def test_digits_from_other_scripts_are_not_read_as_numbers(text: str) -> None:
    with pytest.raises(ValueRuleError):
        parse_sap_number(text, DECIMAL_POINT)


def test_digits_from_other_scripts_are_not_read_as_dates() -> None:
    with pytest.raises(ValueRuleError):
        parse_sap_date("２０２７０１０４")


def test_a_timestamp_with_an_impossible_time_is_an_error() -> None:
    assert parse_sap_date("20200723125718").value == date(2020, 7, 23)
    with pytest.raises(ValueRuleError):
        parse_sap_date("20270112999999")


def test_an_odata_date_beyond_the_calendar_is_an_error() -> None:
    with pytest.raises(ValueRuleError):
        parse_sap_date("/Date(99999999999999999)/")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("79989898", date(2001, 1, 1)),
        ("79909898", date(2009, 1, 1)),
        ("81999898", date(1800, 1, 1)),
        (" 79799868 ", date(2020, 1, 31)),
    ],
)
def test_inverted_dates_tcurr_gdatu(text: str, expected: date) -> None:
    assert parse_inverted_date(text).value == expected


def test_inverted_open_ended_and_empty_dates() -> None:
    assert parse_inverted_date("00008768").open_ended
    assert parse_inverted_date("99999999").is_empty
    assert parse_inverted_date("").is_empty
    assert parse_inverted_date(None).is_empty


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("20010101", "inverts to 79989898, which is not a calendar date"),
        ("7998989", "is not an inverted SAP date"),
        ("7998989X", "is not an inverted SAP date"),
        ("７９９８９８９８", "is not an inverted SAP date"),
    ],
)
def test_inverted_dates_that_are_no_date(text: str, fragment: str) -> None:
    with pytest.raises(ValueRuleError, match=fragment):
        parse_inverted_date(text)


def test_exchange_rates_direct_and_indirect() -> None:
    direct = parse_sap_exchange_rate("0.94000", DECIMAL_POINT)
    indirect = parse_sap_exchange_rate("0,94000-", DECIMAL_COMMA)
    assert direct is not None
    assert indirect is not None
    assert (direct.indirect, direct.direct) == (False, Decimal("0.94000"))
    assert (indirect.indirect, indirect.quoted) == (True, Decimal("0.94000"))
    assert indirect.direct is not None
    assert abs(indirect.direct * Decimal("0.94") - 1) < Decimal("1e-20")
    zero = parse_sap_exchange_rate("0", DECIMAL_POINT)
    assert zero is not None
    assert zero.direct is None
    assert parse_sap_exchange_rate(" ", DECIMAL_POINT) is None
