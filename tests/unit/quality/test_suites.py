import json
from pathlib import Path

import pandas as pd
import pytest

from pharma_pipelines.quality.policy import CheckFamily
from pharma_pipelines.quality.suites import (
    SUITES_DIR,
    SuiteError,
    findings_by_row,
    load_suite,
    load_suites,
    validate,
)

YIELDS = SUITES_DIR / "batch_yields.json"


def yields(container_count: pd.Series, yield_raw: list[str | None]) -> pd.DataFrame:
    """A curated batch_yields table as the warehouse returns it."""
    return pd.DataFrame(
        {
            "id": pd.array([1, 2, 3], dtype="Int64"),
            "batch": ["B1", "B2", "B3"],
            "material": ["M", "M", "M"],
            "container_count": container_count,
            "container_count_raw": ["12", None, "10"],
            "yield_pct": pd.array([98.4, None, 99.1], dtype="Float64"),
            "yield_pct_raw": yield_raw,
            "raw_record_ids": [[1], [2], [3]],
        }
    )


@pytest.fixture(scope="module")
def suite():
    return load_suite(YIELDS)


def test_every_suite_file_loads_with_a_version_and_a_family_per_expectation():
    suites = load_suites()
    assert "batch_yields" in suites
    for suite in suites.values():
        assert suite.version >= 1
        assert suite.row_key
        assert all(isinstance(e.family, CheckFamily) for e in suite.expectations)
        assert suite.expectations[0].check == "columns_match_contract"


def test_a_nullable_integer_column_passes_the_integer_type(suite):
    validation = validate(suite, yields(pd.array([12, None, 10], dtype="Int64"), ["1", "2", "3"]))
    outcome = validation.outcome("container_count_is_integer")
    assert outcome.passed, outcome.measured
    assert outcome.measured == "observed int64"


def test_a_column_widened_to_float_fails_the_integer_type(suite):
    widened = pd.Series([12.0, None, 10.0], dtype="float64")
    outcome = validate(suite, yields(widened, ["1", "2", "3"])).outcome(
        "container_count_is_integer"
    )
    assert not outcome.passed
    assert outcome.measured == "observed float64"


def test_one_text_value_in_a_numeric_column_is_one_unexpected_value(suite):
    validation = validate(
        suite, yields(pd.array([12, None, 10], dtype="Int64"), ["98.4", "n.a.", "99,1"])
    )
    numeric = validation.outcome("yield_pct_is_numeric")
    assert (numeric.passed, numeric.failed_count, numeric.total) == (False, 1, 3)
    assert numeric.failing_rows.to_dict("records") == [
        {"yield_pct_raw": "n.a.", "batch": "B2", "finding": "yield_pct not numeric"}
    ]
    assert numeric.details["unexpected_values"] == [{"value": "n.a.", "count": 1}]
    in_range = validation.outcome("yield_pct_within_0_100")
    assert in_range.passed
    assert in_range.details["missing_count"] == 1
    assert findings_by_row(validation, ["batch"]) == {
        ("B2",): ["container_count missing", "yield_pct not numeric"]
    }
    assert validation.result["success"] is False
    json.dumps(validation.result, allow_nan=False)


def test_a_drifted_column_set_names_the_columns(suite):
    frame = yields(pd.array([1, 2, 3], dtype="Int64"), ["1", "2", "3"]).drop(columns=["material"])
    outcome = validate(suite, frame.assign(extra=1)).outcome("columns_match_contract")
    assert not outcome.passed
    problems = set(
        zip(outcome.failing_rows["column"], outcome.failing_rows["problem"], strict=True)
    )
    assert problems == {
        ("material", "missing against the contract"),
        ("extra", "unexpected against the contract"),
    }


def test_an_expectation_that_cannot_run_fails_saying_why(suite):
    frame = yields(pd.array([1, 2, 3], dtype="Int64"), ["1", "2", "3"]).drop(
        columns=["container_count"]
    )
    outcome = validate(suite, frame).outcome("container_count_is_integer")
    assert not outcome.passed
    assert outcome.measured.startswith("the expectation could not run")


def write(tmp_path: Path, document: dict) -> Path:
    path = tmp_path / "suite.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def expectation(**meta: str) -> dict:
    base = {"check": "a_is_present", "family": "required_field", "expected": "a", "finding": "f"}
    return {
        "type": "expect_column_values_to_not_be_null",
        "kwargs": {"column": "a"},
        "meta": {**base, **meta},
    }


META = {"version": 1, "table": "t", "row_key": ["a"]}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"meta": {"table": "t", "row_key": ["a"]}, "expectations": []}, "meta.version is missing"),
        ({"meta": {**META, "version": 0}, "expectations": []}, "meta.version is 0"),
        ({"meta": META, "expectations": []}, "the suite has no expectations"),
        (
            {"meta": META, "expectations": [expectation(family="loud")]},
            "expectation 1: check family 'loud' is not in the severity policy",
        ),
        (
            {"meta": META, "expectations": [expectation(check="A is present")]},
            "check name 'A is present' is not snake_case",
        ),
        (
            {"meta": META, "expectations": [expectation(), expectation()]},
            "check names repeat \\(a_is_present\\)",
        ),
        (
            {"meta": META, "expectations": [{"type": "x", "kwargs": {}, "meta": {}}]},
            "lacks meta.check, meta.family, meta.expected, meta.finding",
        ),
    ],
)
def test_a_malformed_suite_is_refused_naming_file_and_entry(tmp_path, document, message):
    with pytest.raises(SuiteError, match=message):
        load_suite(write(tmp_path, document))
