import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from pharma_pipelines.quality.freshness import (
    FROM_LANDING,
    FROM_NAME,
    ExtractTime,
    InputExtract,
    PlanTime,
    extract_time,
    inputs_are_fresh,
    resolve_plan_time,
)

BERLIN = ZoneInfo("Europe/Berlin")
LANDED = dt.datetime(2027, 1, 5, 9, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("sap/AFKO_production_orders_20270104.txt", dt.datetime(2027, 1, 4, tzinfo=BERLIN)),
        ("sap/stock_20270104T0615.csv", dt.datetime(2027, 1, 4, 6, 15, tzinfo=BERLIN)),
        ("sap/stock_20270104T061530.csv", dt.datetime(2027, 1, 4, 6, 15, 30, tzinfo=BERLIN)),
        ("sap/stock_202701040615.csv", dt.datetime(2027, 1, 4, 6, 15, tzinfo=BERLIN)),
        # an underscore ends the stamp: 0100 is the plant, not 01:00
        ("sap/stock_20270104_0100.csv", dt.datetime(2027, 1, 4, tzinfo=BERLIN)),
        ("outlook/20261230_order_ACME.eml", dt.datetime(2026, 12, 30, tzinfo=BERLIN)),
        # the folder's date is not the file's
        ("2026/01/stock_20270104.csv", dt.datetime(2027, 1, 4, tzinfo=BERLIN)),
    ],
)
def test_the_file_name_stamp_is_the_extract_time_in_plant_time(path, expected):
    found = extract_time(path, LANDED, "Europe/Berlin")
    assert found == ExtractTime(expected, FROM_NAME)


@pytest.mark.parametrize("path", ["sap/stock.csv", "sap/stock_20271340.csv", "sap/MARA_1234.csv"])
def test_without_a_valid_stamp_the_landing_time_counts(path):
    assert extract_time(path, LANDED, "Europe/Berlin") == ExtractTime(LANDED, FROM_LANDING)


def test_a_naive_landing_time_is_utc():
    naive = dt.datetime(2027, 1, 5, 9, 30)
    assert extract_time("stock.csv", naive, "Europe/Berlin").at == LANDED


def extract(name: str, day: int, hour: int = 0) -> InputExtract:
    at = dt.datetime(2027, 1, day, hour, tzinfo=BERLIN)
    return InputExtract(
        name, f"sap/{name.split('/')[1]}_{at:%Y%m%d}.csv", ExtractTime(at, FROM_NAME)
    )


NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


def test_by_default_the_plan_time_is_the_newest_extract():
    inputs = [extract("sap/production_orders", 4), extract("sap/work_centers", 2)]
    plan = resolve_plan_time("", inputs, NOW, "Europe/Berlin")
    assert plan.at == dt.datetime(2027, 1, 4, tzinfo=BERLIN)
    assert "newest extract" in plan.source


def test_the_plan_time_may_be_now_or_a_fixed_time_in_plant_time():
    inputs = [extract("sap/production_orders", 4)]
    assert resolve_plan_time("now", inputs, NOW, "Europe/Berlin").at == NOW
    fixed = resolve_plan_time("2027-01-10T06:00", inputs, NOW, "Europe/Berlin")
    assert fixed.at == dt.datetime(2027, 1, 10, 6, tzinfo=BERLIN)
    with pytest.raises(ValueError, match="'next monday' is not an ISO 8601 time; allowed"):
        resolve_plan_time("next monday", inputs, NOW, "Europe/Berlin")


LIMITS = {"sap/production_orders": 24.0, "sap/work_centers": 168.0}


def test_inputs_of_the_same_snapshot_are_fresh():
    inputs = [extract("sap/production_orders", 4, 6), extract("sap/work_centers", 3)]
    outcome = inputs_are_fresh(inputs, LIMITS, resolve_plan_time("", inputs, NOW, "Europe/Berlin"))
    assert outcome.passed, outcome.measured
    assert outcome.failing_rows.empty
    ages = {row["input"]: row["age_hours"] for row in outcome.details["inputs"]}
    assert ages == {"sap/production_orders": 0.0, "sap/work_centers": 30.0}


def test_an_input_older_than_its_limit_is_stale_with_the_reason():
    inputs = [extract("sap/production_orders", 4), extract("sap/work_centers", 3)]
    plan = PlanTime(dt.datetime(2027, 1, 10, tzinfo=BERLIN), "setting")
    outcome = inputs_are_fresh(inputs, LIMITS, plan)
    assert not outcome.passed
    [row] = outcome.failing_rows.to_dict("records")
    assert row["input"] == "sap/production_orders"
    assert row["file"] == "sap/production_orders_20270104.csv"
    assert row["extracted_at"] == "2027-01-04T00:00:00+01:00"
    assert (row["age_hours"], row["limit_hours"]) == (144.0, 24.0)
    assert row["reason"] == "144.0 h old, limit 24 h"
    assert outcome.measured.startswith("1 of 2 inputs stale at plan time 2027-01-10")


def test_a_missing_input_and_one_from_after_the_plan_time_are_stale():
    inputs = [InputExtract("sap/production_orders", None, None), extract("sap/work_centers", 12)]
    plan = PlanTime(dt.datetime(2027, 1, 10, tzinfo=BERLIN), "setting")
    outcome = inputs_are_fresh(inputs, LIMITS, plan)
    reasons = dict(zip(outcome.failing_rows["input"], outcome.failing_rows["reason"], strict=True))
    assert reasons == {
        "sap/production_orders": "no extract of this input is loaded",
        "sap/work_centers": "extracted 48.0 h after the plan time",
    }


def test_without_any_limit_nothing_is_judged():
    outcome = inputs_are_fresh([], {}, PlanTime(None, "the newest extract"))
    assert outcome.passed
    assert outcome.total == 0
