"""Headerless SAP customizing tables: T006A, TCURR, TCURC, TCURX read by column position.

Each fixture reproduces a quirk of the real SAP table downloads: no header, a blank
field written as one space, no final newline, an inverted date, a negative rate.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pharma_pipelines.values import DECIMAL_POINT, parse_inverted_date, parse_sap_exchange_rate

from .conftest import only_extract, parse_text


def test_unit_texts_t006a_keep_language_keys_and_letters() -> None:
    text = "000,D,%,%,%,%,Prozent\n000,D,4G,µL,µl,µl,Mikroliter\n000,E,TST,001,000001,,"
    extract = only_extract(parse_text("sap/T006A.csv", text))
    assert extract.entity == "sap/unit_texts"
    assert extract.layout.endswith("headerless")
    assert [r.row_number for r in extract.rows] == [1, 2, 3]
    second = extract.rows[1].values
    assert (second["language"], second["unit"], second["commercial_unit"]) == ("D", "4G", "µL")
    assert second["long_text"] == "Mikroliter"
    assert extract.rows[2].values["technical_unit"] == "000001"
    assert extract.rows[2].values["long_text"] == ""
    assert extract.header_map["short_text"] == "MSEHT"


def test_exchange_rates_tcurr_keep_rate_types_and_inverted_dates() -> None:
    text = (
        "000,100*,EUR,USD,79989898,0.94000,0,0\n"
        "000,100*,USD,EUR,79989898,-0.94000,0,0\n"
        "001,M,USD,JPY,81999898,115.00000,0,0\n"
    )
    extract = only_extract(parse_text("sap/TCURR.csv", text))
    assert extract.entity == "sap/exchange_rates"
    assert extract.rejects == []
    rows = [r.values for r in extract.rows]
    assert [r["rate_type"] for r in rows] == ["100*", "100*", "M"]
    assert rows[0]["valid_from"] == "79989898"
    assert parse_inverted_date(rows[0]["valid_from"]).value == date(2001, 1, 1)
    assert parse_inverted_date(rows[2]["valid_from"]).value == date(1800, 1, 1)
    indirect = parse_sap_exchange_rate(rows[1]["rate"], DECIMAL_POINT)
    assert indirect is not None
    assert indirect.indirect
    assert indirect.quoted == Decimal("0.94000")
    assert (rows[0]["from_factor"], rows[0]["to_factor"]) == ("0", "0")


def test_an_exchange_rate_whose_date_does_not_invert_is_rejected() -> None:
    text = (
        "000,M,EUR,USD,79989898,1.10000,1,1\n"
        "000,M,EUR,CHF,79989999,1.05000,1,1\n"
        "000,M,EUR,GBP,99999999,0.85000,1,1\n"
    )
    extract = only_extract(parse_text("sap/TCURR.csv", text))
    assert [r.row_number for r in extract.rows] == [1]
    bad, empty = extract.rejects
    assert (bad.row_number, bad.column, bad.raw_value) == (2, "GDATU", "79989999")
    assert "inverts to 20010000, which is not a calendar date" in bad.reason
    assert "allowed: 8 digits whose difference to 99999999" in bad.reason
    assert empty.row_number == 3
    assert "required 'valid_from' is '99999999', which means no date" in empty.reason
    assert extract.rows_read == 3


def test_currencies_tcurc_read_zero_dates_and_leading_zero_codes() -> None:
    text = "000,ADP,ADP,020,00000000, \n000,AFA,AFA,004,00000000, \n000,EUR,EUR,978,00000000,X\n"
    extract = only_extract(parse_text("sap/TCURC.csv", text))
    assert extract.entity == "sap/currencies"
    assert extract.rejects == []
    first = extract.rows[0].values
    assert (first["currency"], first["iso_code"], first["numeric_code"]) == ("ADP", "ADP", "020")
    assert first["valid_until"] == "00000000"
    assert first["primary_flag"] == ""
    assert extract.rows[2].values["primary_flag"] == "X"


def test_currency_decimals_tcurx_two_columns() -> None:
    extract = only_extract(parse_text("sap/TCURX.csv", "BHD,3\nJPY,0\nUSDN,5\n"))
    assert extract.entity == "sap/currency_decimals"
    assert [(r.values["currency"], r.values["decimals"]) for r in extract.rows] == [
        ("BHD", "3"),
        ("JPY", "0"),
        ("USDN", "5"),
    ]


def test_a_file_that_only_starts_like_a_headerless_table_is_quarantined_naming_it() -> None:
    text = "000,100*,EUR,USD,79989898,0.94000,0,0\n" + "free text,with,commas,here,x,y,z,w\n" * 3
    parsed = parse_text("sap/rates.csv", text)
    assert parsed.quarantine_reason is not None
    assert "the first record looks like the headerless SAP table TCURR (exchange rates)" in (
        parsed.quarantine_reason
    )
    assert "only 1 of the first 4 records have the 8-field TCURR layout" in (
        parsed.quarantine_reason
    )


def test_a_two_column_list_under_a_header_is_no_currency_table() -> None:
    """Nearly every row has TCURX's shape, but a first line of another shape is a header."""
    parsed = parse_text("notes.csv", "Code,Count\n" + "A,1\n" * 30)
    assert parsed.extracts == []
    assert parsed.quarantine_reason is not None
    assert "TCURX" not in parsed.quarantine_reason
    assert "line 1 reads ['Code', 'Count']" in parsed.quarantine_reason
