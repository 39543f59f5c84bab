import csv

import pandas as pd

from pharma_pipelines.quality.rules import (
    SAMPLE_SIZE,
    invalidations_have_a_reason,
    not_null,
    ratio_at_most,
    references,
    released_batches_have_results,
    released_batches_without_failures,
    released_batches_without_valid_oos,
    rows_reconcile,
    unique_key,
    within_range,
)
from tests.conftest import case_dir


def test_unique_key_lists_every_row_of_a_duplicated_key():
    frame = pd.DataFrame({"material": ["A", "B", "B", "C"], "family": ["1", "2", "3", "1"]})
    outcome = unique_key(frame, ["material"], ["family"])
    assert not outcome.passed
    assert outcome.failed_count == 2
    assert outcome.total == 4
    assert list(outcome.failing_rows["family"]) == ["2", "3"]
    assert "2 of 4" in outcome.measured


def test_unique_key_passes_on_distinct_keys():
    assert unique_key(pd.DataFrame({"k": ["a", "b"]}), ["k"]).passed


def test_references_find_orphans():
    child = pd.DataFrame({"order": ["1", "2"], "material": ["M1", "M9"]})
    parent = pd.DataFrame({"material": ["M1"]})
    outcome = references(child, ["material"], parent, ["material"], "products", shown=["order"])
    assert not outcome.passed
    assert outcome.failing_rows.to_dict("records") == [{"order": "2", "material": "M9"}]


def test_range_ignores_missing_values_and_counts_only_present_ones():
    frame = pd.DataFrame({"k": ["a", "b", "c", "d"], "v": [98.4, None, 101.0, 50.0]})
    outcome = within_range(frame, "v", 0, 100, ["k"])
    assert outcome.failed_count == 1
    assert outcome.total == 3


def test_not_null_names_the_rows():
    frame = pd.DataFrame({"k": ["a", "b"], "v": [1, None]})
    outcome = not_null(frame, ["v"], ["k"])
    assert list(outcome.failing_rows["k"]) == ["b"]


def test_failing_rows_are_capped():
    frame = pd.DataFrame({"k": ["x"] * 50})
    assert len(unique_key(frame, ["k"]).failing_rows) == SAMPLE_SIZE


def test_reconciliation_and_ratio():
    accounting = pd.DataFrame(
        {
            "relative_path": ["a", "b"],
            "rows_read": [3, 3],
            "rows_loaded": [2, 1],
            "rows_rejected": [1, 1],
        }
    )
    outcome = rows_reconcile(accounting)
    assert outcome.failing_rows["relative_path"].tolist() == ["b"]
    assert ratio_at_most("r", pd.DataFrame({"x": [1]}), 100, 0.01, "bad").passed
    assert not ratio_at_most("r", pd.DataFrame({"x": [1, 2]}), 100, 0.01, "bad").passed


def test_released_batch_with_failed_result_is_caught():
    batches = pd.DataFrame(
        {
            "batch": ["B240311A", "B240320C", "B240322E"],
            "material": ["M", "M", "M"],
            "disposition": ["RELEASED", "RELEASED", "QUARANTINE"],
            "results_failed": [0, 1, 2],
            "results_total": [5, 5, 5],
        }
    )
    outcome = released_batches_without_failures(batches)
    assert outcome.failing_rows["batch"].tolist() == ["B240320C"]


def test_a_released_batch_without_results_is_caught():
    batches = pd.DataFrame(
        {
            "batch": ["B1", "B2", "B3"],
            "material": ["M", "M", "M"],
            "disposition": ["RELEASED", "RELEASED", None],
            "results_failed": [0, 0, 0],
            "results_total": [4, 0, 0],
        }
    )
    outcome = released_batches_have_results(batches)
    assert outcome.failing_rows["batch"].tolist() == ["B2"]
    assert outcome.total == 2


def test_a_released_batch_with_a_test_that_has_no_valid_result_is_caught():
    batches = pd.DataFrame(
        {
            "batch": ["B1", "B2"],
            "material": ["M", "M"],
            "disposition": ["RELEASED", "RELEASED"],
            "results_total": [4, 4],
            "tests_not_evaluable": [0, 1],
        }
    )
    outcome = released_batches_have_results(batches)
    assert outcome.failing_rows["batch"].tolist() == ["B2"]


def test_br15_a_released_batch_with_a_valid_oos_is_caught():
    with (case_dir("BR-15") / "batch_release.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    batches = pd.DataFrame(
        {
            "batch": [row["batch"] for row in rows],
            "material": [row["material"] for row in rows],
            "disposition": [row["release_status"] for row in rows],
            "valid_oos": [int(row["valid_oos_count"]) for row in rows],
            "results_failed": [0] * len(rows),
            "qc_status": [row["release_status"] for row in rows],
        }
    )
    outcome = released_batches_without_valid_oos(batches)
    assert not outcome.passed
    assert outcome.failing_rows["batch"].tolist() == ["B240320C"]
    assert (outcome.failed_count, outcome.total) == (1, 4)


def test_an_invalidation_without_a_reason_is_listed():
    results = pd.DataFrame(
        {
            "batch": ["B1", "B1", "B2"],
            "test": ["ASSAY", "ASSAY", "PH"],
            "sample_id": ["S1", "S1", "S2"],
            "run": [1, 2, 1],
            "raw_result": ["91.0", "99.0", "7.0"],
            "verdict": ["FAIL", "PASS", "PASS"],
            "raw_record_ids": [[1], [2], [3]],
            "status": ["INVALIDATED", "VALID", "INVALIDATED"],
            "invalidation_reason": ["Laboratory error", None, "  "],
        }
    )
    outcome = invalidations_have_a_reason(results)
    assert outcome.failing_rows["batch"].tolist() == ["B2"]
    assert (outcome.failed_count, outcome.total) == (1, 2)
