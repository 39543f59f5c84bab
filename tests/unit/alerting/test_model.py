"""Failing rows survive the trip from a check's Markdown table into a notification."""

from __future__ import annotations

import datetime as dt

import pytest

from pharma_pipelines.alerting.model import CheckFailure, first_rows, rows_from_markdown
from tests.unit.alerting.failures import DUPLICATES, duplicate_products


def test_a_markdown_table_gives_its_columns_and_rows_with_escaped_pipes_restored():
    rows = rows_from_markdown(DUPLICATES)
    assert rows.columns == ("material", "plant", "description")
    assert len(rows.rows) == 6
    assert rows.rows[0] == ("000000000000011878", "0100", "Ibuprofen 400 mg | 20 tablets")
    assert rows_from_markdown(rows.as_markdown()) == rows


@pytest.mark.parametrize("text", ["_no failing rows_", "", "| only a header |"])
def test_text_that_is_not_a_table_gives_no_rows(text):
    assert rows_from_markdown(text).rows == ()


def test_records_keep_their_column_order_and_blank_out_missing_values():
    rows = first_rows([{"order": "1000001", "due": None}, {"order": "1000002", "due": 7}], 1)
    assert rows.columns == ("order", "due")
    assert rows.rows == (("1000001", ""),)


def test_the_target_names_the_partition_and_the_count_its_total():
    failure = duplicate_products(partition="0100")
    assert failure.target == "curated/products[0100]:material_is_unique"
    assert failure.failed_of_total == "6 of 41"
    assert duplicate_products(failed_count=None).failed_of_total == "not reported"


def test_an_evaluation_time_without_a_zone_is_refused():
    with pytest.raises(ValueError, match="no time zone"):
        CheckFailure(
            asset="a", check="c", severity="ERROR", run_id="r", evaluated_at=dt.datetime(2027, 1, 4)
        )
