"""Retests, re-samples and invalidated results: which run decides, and what stays on record."""

import datetime as dt
import random

import pandas as pd
import pytest

from pharma_pipelines.catalog.curation import curate_batches, curate_qc_results
from pharma_pipelines.catalog.qc_results import (
    ResultRun,
    ResultStatus,
    Verdict,
    resolve_history,
    result_moment,
    result_status,
    run_number,
)

ASSAY = {"test": "ASSAY", "spec_min": "95.0", "spec_max": "105.0"}
_ids = iter(range(1, 100_000))


def results_frame(rows: list[dict[str, str]], source: str = "lims/results.csv") -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "batch": "B1",
                **ASSAY,
                **row,
                "raw_record_id": next(_ids),
                "file_id": 1,
                "source_file": source,
                "row_number": line,
                "layout": "csv",
            }
            for line, row in enumerate(rows, start=2)
        ]
    )


def curate(rows: list[dict[str, str]], samples: pd.DataFrame | None = None) -> pd.DataFrame:
    curated = curate_qc_results(
        results_frame(rows),
        pd.DataFrame(),
        pd.DataFrame(),
        pd.DataFrame() if samples is None else samples,
        {},
    )
    assert curated.issues == []
    return curated.frame()


def batch_of(results: pd.DataFrame, disposition: str | None = None) -> dict[str, object]:
    batches = pd.DataFrame(
        [{"batch": "B1", "material": "M1", "raw_record_id": 9_000_001, "file_id": 7}]
    ).assign(source_file="sap/MCH1.csv", row_number=2, layout="csv")
    decisions = pd.DataFrame(
        [{"batch": "B1", "disposition": disposition or "", "raw_record_id": 9_000_002}]
    ).assign(file_id=8, source_file="lims/disposition.csv", row_number=2, layout="csv")
    [row] = curate_batches(batches, decisions, results).rows
    return row


# --- which valid result is final -------------------------------------------------------


def test_the_latest_valid_result_supersedes_the_earlier_ones():
    results = curate(
        [
            {"result": "97.0", "result_date": "2027-01-05", "run": "1"},
            {"result": "99.0", "result_date": "2027-01-07", "run": "1"},
            {"result": "98.0", "result_date": "2027-01-06", "run": "3"},
        ]
    )
    final = results[results["is_final"]]
    assert final["raw_result"].tolist() == ["99.0"]
    final_id = final["raw_record_ids"].iloc[0][0]
    superseded = results[~results["is_final"]]
    assert superseded["superseded_by"].tolist() == [final_id, final_id]
    assert final["superseded_by"].isna().all()
    assert set(results["test_verdict"]) == {"PASS"}


def test_on_one_day_the_time_decides_then_the_run_number():
    by_time = curate(
        [
            {"result": "97.0", "result_date": "2027-01-05 14:40", "run": "1"},
            {"result": "98.0", "result_date": "2027-01-05 09:10", "run": "2"},
        ]
    )
    assert by_time.loc[by_time["is_final"], "raw_result"].tolist() == ["97.0"]
    assert by_time["result_time"].tolist() == [dt.time(14, 40), dt.time(9, 10)]
    by_run = curate(
        [
            {"result": "97.0", "result_date": "05.01.2027", "run": "R2"},
            {"result": "98.0", "result_date": "05.01.2027", "run": "R1"},
        ]
    )
    assert by_run.loc[by_run["is_final"], "raw_result"].tolist() == ["97.0"]
    assert by_run["run"].tolist() == [2, 1]


def test_a_result_without_a_date_or_run_orders_first():
    results = curate(
        [
            {"result": "97.0", "result_date": "2027-01-05"},
            {"result": "98.0"},
            {"result": "96.0", "result_date": "2027-01-05", "retest": "Y"},
        ]
    )
    assert results.loc[results["is_final"], "raw_result"].tolist() == ["96.0"]
    assert results["is_retest"].tolist() == [False, False, True]


def test_a_tie_goes_to_the_worse_verdict_whatever_the_row_order():
    rows = [
        {"result": "99.0", "result_date": "2027-01-05", "run": "2"},
        {"result": "91.0", "result_date": "2027-01-05", "run": "2"},
        {"result": "98.0", "result_date": "2027-01-04", "run": "1"},
    ]
    for order in ([0, 1, 2], [1, 0, 2], [2, 1, 0]):
        results = curate([rows[i] for i in order])
        assert results.loc[results["is_final"], "raw_result"].tolist() == ["91.0"]
        assert set(results["test_verdict"]) == {"FAIL"}


def test_a_tie_between_equal_verdicts_goes_to_the_later_file_and_line():
    def run(ref: int, source: str, line: int) -> ResultRun:
        return ResultRun(ref, ResultStatus.VALID, Verdict.PASS, source_file=source, row_number=line)

    runs = [run(1, "lims/b.csv", 2), run(2, "lims/a.csv", 9), run(3, "lims/b.csv", 3)]
    for _ in range(5):
        random.Random(len(runs)).shuffle(runs)
        history = resolve_history(runs)
        assert history.final == 3
        assert sorted(history.superseded) == [1, 2]


def test_test_codes_are_one_test_whatever_their_case_and_batches_stay_apart():
    results = curate(
        [
            {"result": "97.0", "result_date": "2027-01-05"},
            {"test": "Assay", "result": "98.0", "result_date": "2027-01-06"},
            {"batch": "B2", "result": "96.0", "result_date": "2027-01-04"},
        ]
    )
    assert results["is_final"].tolist() == [False, True, True]


# --- invalidated and cancelled results -------------------------------------------------


def test_an_invalidated_result_is_kept_with_its_reason_but_never_decides():
    reason = "Laboratory error: wrong dilution (LIR-27-004)"
    results = curate(
        [
            {"result": "97.0", "result_date": "2027-01-03", "run": "1"},
            {
                "result": "99.0",
                "result_date": "2027-01-05",
                "run": "2",
                "status": "Invalidated",
                "invalidation_reason": reason,
            },
        ]
    )
    assert len(results) == 2
    invalid = results[results["status"] == "INVALIDATED"].iloc[0]
    assert invalid["invalidation_reason"] == reason
    assert not invalid["is_final"]
    assert invalid["superseded_by"] is None
    assert results.loc[results["is_final"], "raw_result"].tolist() == ["97.0"]


def test_only_invalidated_or_cancelled_results_leave_the_test_not_evaluable():
    results = curate(
        [
            {"result": "99.0", "status": "Retracted", "invalidation_reason": "System suitability"},
            {"result": "98.0", "status": "Cancelled", "invalidation_reason": "Sample spilt"},
            {"test": "PH", "result": "7.0", "spec_min": "6.5", "spec_max": "7.5"},
        ]
    )
    assert results["test_verdict"].tolist() == ["NOT_EVALUABLE", "NOT_EVALUABLE", "PASS"]
    assert not results["is_final"].iloc[:2].any()
    batch = batch_of(results.assign(release_relevant=True))
    assert batch["tests_not_evaluable"] == 1
    assert batch["results_total"] == 1
    assert batch["results_invalidated"] == 1
    assert batch["qc_status"] == "PENDING"


@pytest.mark.parametrize(
    ("status", "valid", "invalidated", "expected"),
    [
        ("", "", "", ResultStatus.VALID),
        ("Verified", "", "", ResultStatus.VALID),
        ("to_be_verified", "", "", ResultStatus.VALID),
        ("Invalidated", "", "", ResultStatus.INVALIDATED),
        ("retracted", "", "", ResultStatus.INVALIDATED),
        ("Ungültig", "", "", ResultStatus.INVALIDATED),
        ("Canceled", "", "", ResultStatus.CANCELLED),
        ("", "N", "", ResultStatus.INVALIDATED),
        ("", "Y", "", ResultStatus.VALID),
        ("", "", "2027-01-05", ResultStatus.INVALIDATED),
        ("", "", "no", ResultStatus.VALID),
    ],
)
def test_status_words_flags_and_marks(status, valid, invalidated, expected):
    assert result_status(status, valid, invalidated) is expected


# --- OOS history -----------------------------------------------------------------------


def test_an_oos_followed_by_a_passing_retest_stays_flagged_and_needs_review():
    results = curate(
        [
            {"result": "91.0", "result_date": "2027-01-03", "run": "1"},
            {"result": "99.0", "result_date": "2027-01-06", "run": "2", "retest_of": "R-1"},
            {"result": "98.6", "result_date": "2027-01-06", "run": "3"},
        ]
    )
    assert results["had_oos"].all()
    assert results["valid_oos"].tolist() == [True, False, False]
    assert set(results["test_verdict"]) == {"REVIEW"}
    assert results.loc[results["is_final"], "verdict"].tolist() == ["PASS"]
    batch = batch_of(results.assign(release_relevant=True))
    assert batch["had_oos"] is True
    assert batch["valid_oos"] == 1
    assert batch["qc_status"] == "IN_REVIEW"
    assert batch["results_failed"] == 0


def test_an_oos_invalidated_with_a_documented_cause_is_history_not_a_standing_oos():
    results = curate(
        [
            {
                "result": "91.0",
                "result_date": "2027-01-03",
                "run": "1",
                "valid": "N",
                "invalidation_reason": "Laboratory error: standard weighed wrongly",
            },
            {"result": "99.0", "result_date": "2027-01-06", "run": "2"},
        ]
    )
    assert results["had_oos"].all()
    assert not results["valid_oos"].any()
    assert set(results["test_verdict"]) == {"PASS"}
    batch = batch_of(results.assign(release_relevant=True), "RELEASED")
    assert (batch["had_oos"], batch["valid_oos"], batch["qc_status"]) == (True, 0, "RELEASED")


def test_an_oos_invalidated_without_a_reason_still_stands():
    results = curate(
        [
            {"result": "91.0", "result_date": "2027-01-03", "status": "Invalidated"},
            {"result": "99.0", "result_date": "2027-01-06"},
        ]
    )
    assert results["valid_oos"].tolist() == [True, False]
    assert set(results["test_verdict"]) == {"REVIEW"}


def test_a_failing_final_result_is_a_failed_test_and_every_oos_counts():
    results = curate(
        [
            {"result": "91.0", "result_date": "2027-01-03"},
            {"result": "92.0", "result_date": "2027-01-06"},
        ]
    )
    assert set(results["test_verdict"]) == {"FAIL"}
    batch = batch_of(results.assign(release_relevant=True))
    assert (batch["qc_status"], batch["results_failed"], batch["valid_oos"]) == ("FAILED", 1, 2)


def test_an_out_of_limit_result_of_a_test_that_is_not_release_relevant_leaves_the_batch_clean():
    results = curate([{"result": "91.0"}]).assign(release_relevant=False)
    batch = batch_of(results)
    assert results["had_oos"].all()
    assert (batch["had_oos"], batch["valid_oos"], batch["results_total"]) == (False, 0, 0)


# --- re-samples ------------------------------------------------------------------------


def test_a_result_on_a_resample_supersedes_the_original_sample_and_says_so():
    samples = pd.DataFrame(
        [
            {"sample_id": "S1", "batch": "B1", "material": "M1", "sample_type": "Release"},
            {"sample_id": "S2", "batch": "B1", "material": "M1", "sample_type": "Resample"},
        ]
    ).assign(raw_record_id=[5001, 5002], file_id=3, source_file="s.csv", row_number=[2, 3])
    results = curate(
        [
            {"sample_id": "S1", "result": "91.0", "result_date": "2027-01-03", "run": "2"},
            {"sample_id": "S2", "result": "99.0", "result_date": "2027-01-09", "run": "1"},
        ],
        samples,
    )
    assert results["sample_type"].tolist() == ["Release", "Resample"]
    assert results["is_final"].tolist() == [False, True]
    assert results["material"].tolist() == ["M1", "M1"]


# --- value readers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2", 2), ("02", 2), ("R3", 3), ("Run 4", 4), ("", None), ("A", None)],
)
def test_run_numbers(raw, expected):
    assert run_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "day", "time"),
    [
        ("2027-01-05", dt.date(2027, 1, 5), None),
        ("2027-01-05T14:40:12+01:00", dt.date(2027, 1, 5), dt.time(14, 40, 12)),
        ("05.01.2027 09:07", dt.date(2027, 1, 5), dt.time(9, 7)),
        ("20270105091500", dt.date(2027, 1, 5), dt.time(9, 15)),
        ("2027-01-05 25:10", dt.date(2027, 1, 5), None),
        ("", None, None),
    ],
)
def test_result_moments(raw, day, time):
    assert result_moment(raw) == (day, time)
