"""Separator sniffing, quoted fields and physical line numbers."""

from __future__ import annotations

import pytest

from pharma_pipelines.ingestion.delimited import (
    UnterminatedQuoteError,
    is_sap_list,
    read_records,
    sniff_separator,
)


@pytest.mark.parametrize("separator", [";", ",", "\t", "|"])
def test_sniffs_each_separator(separator: str) -> None:
    text = separator.join(["MATNR", "MAKTX", "MEINS"]) + "\n"
    text += separator.join(["0001", "Tablet", "ST"]) + "\n"
    text += separator.join(["0002", "Powder", "KG"]) + "\n"
    assert sniff_separator(text) == separator


def test_commas_inside_a_semicolon_file_do_not_win() -> None:
    text = "Material;Text;Menge\n0001;Lactose, milled;1,5\n0002;Starch, maize;2,5\n"
    assert sniff_separator(text) == ";"


def test_single_column_text_has_no_separator() -> None:
    assert sniff_separator("just one line\nand another\n") is None


def test_quoted_separators_and_newlines_keep_physical_line_numbers() -> None:
    text = 'a;b;c\r\n1;"x;y";2\r\n3;"line one\r\nline two";4\r\n5;"say ""hi""";6\r\n'
    records = list(read_records(text, ";"))
    assert [r.line for r in records] == [1, 2, 3, 5]
    assert records[1].fields == ["1", "x;y", "2"]
    assert records[2].fields == ["3", "line one\r\nline two", "4"]
    assert records[3].fields == ["5", 'say "hi"', "6"]


def test_blank_lines_are_blank_records_that_keep_counting() -> None:
    records = list(read_records("a;b\n\n1;2\n;\n", ";"))
    assert [(r.line, r.is_blank) for r in records] == [(1, False), (2, True), (3, False), (4, True)]


def test_runaway_quote_is_reported_with_its_line() -> None:
    text = 'a;b\n1;2\n3;"' + "x" * 140_000 + "\n4;5\n"
    with pytest.raises(UnterminatedQuoteError) as caught:
        list(read_records(text, ";"))
    assert caught.value.line == 3


def test_sap_list_output_loses_frame_padding_and_rules() -> None:
    text = (
        "Material list\n"
        "------------------------------\n"
        "|MATNR             |MEINS|\n"
        "|------------------+-----|\n"
        "|000000000000012345|KG   |\n"
        "------------------------------\n"
    )
    separator = sniff_separator(text)
    assert separator == "|"
    assert is_sap_list(text, separator)
    records = list(read_records(text, separator, sap_list=True))
    assert [(r.line, r.fields) for r in records] == [
        (3, ["MATNR", "MEINS"]),
        (5, ["000000000000012345", "KG"]),
    ]
