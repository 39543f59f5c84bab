import csv

import pandas as pd
import pytest

from pharma_pipelines.catalog.curation import curate_batches, curate_qc_results
from pharma_pipelines.catalog.qc_results import Verdict, batch_verdict, parse_result, verdict
from tests.conftest import case_dir


@pytest.mark.parametrize(
    ("raw", "qualifier", "value", "censored"),
    [
        ("<0.05", "<", "0.05", True),
        ("< 0.05", "<", "0.05", True),
        ("0,8", "=", "0.8", False),
        (">100", ">", "100", True),
        ("ND", "<", None, True),
        ("n.d.", "<", None, True),
        ("< LOQ", "<", None, True),
        ("Complies", None, None, False),
    ],
)
def test_results_keep_their_qualifier_and_bound(raw, qualifier, value, censored):
    parsed = parse_result(raw)
    assert parsed.raw == raw
    assert parsed.qualifier == qualifier
    assert (str(parsed.value) if parsed.value is not None else None) == value
    assert parsed.censored is censored


@pytest.mark.parametrize(
    ("raw", "spec_min", "spec_max", "text_spec", "expected"),
    [
        ("7.6", "6.5", "7.5", "", Verdict.FAIL),
        ("94.96", "95.0", "105.0", "", Verdict.PASS),
        ("94.94", "95.0", "105.0", "", Verdict.FAIL),
        ("105.0", "95.0", "105.0", "", Verdict.PASS),
        ("<0.15", "", "0.10", "", Verdict.INDETERMINATE),
        ("<0.05", "", "0.10", "", Verdict.PASS),
        ("<50", "95.0", "", "", Verdict.FAIL),
        ("ND", "", "0.10", "", Verdict.PASS),
        ("see attachment", "", "250", "", Verdict.REVIEW),
        ("Does not comply", "", "", "Complies", Verdict.FAIL),
        ("Conforms", "", "", "Complies", Verdict.PASS),
        ("slightly yellow", "", "", "Complies", Verdict.REVIEW),
        ("12.3", "", "", "", Verdict.NO_SPEC),
    ],
)
def test_verdict_rules(raw, spec_min, spec_max, text_spec, expected):
    assert verdict(parse_result(raw), spec_min, spec_max, text_spec) is expected


def test_a_batch_is_as_bad_as_its_worst_result():
    assert batch_verdict([Verdict.PASS, Verdict.INDETERMINATE]) is Verdict.REVIEW
    assert batch_verdict([Verdict.PASS, Verdict.INDETERMINATE, Verdict.FAIL]) is Verdict.FAIL
    assert batch_verdict([Verdict.PASS, Verdict.PASS]) is Verdict.PASS


def test_br07_every_result_gets_the_expected_evaluation():
    folder = case_dir("BR-07")
    with (folder / "lims_results.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    with (folder / "expected.csv").open(encoding="utf-8", newline="") as handle:
        expected = list(csv.DictReader(handle))
    assert len(rows) == len(expected) == 13
    for row, want in zip(rows, expected, strict=True):
        parsed = parse_result(row["result_raw"])
        judged = verdict(parsed, row["spec_min"], row["spec_max"], row["spec_text"])
        assert judged.value == want["evaluation"], row
        assert (parsed.qualifier or "") == want["qualifier"]
        assert str(parsed.censored).lower() == want["censored"]
        if want["result_value"]:
            assert float(parsed.value) == pytest.approx(float(want["result_value"]))


def test_br07_batch_summary_names_the_verdict_and_the_tests_behind_it():
    folder = case_dir("BR-07")
    with (folder / "lims_results.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    by_batch: dict[str, list[tuple[str, Verdict]]] = {}
    for row in rows:
        judged = verdict(
            parse_result(row["result_raw"]), row["spec_min"], row["spec_max"], row["spec_text"]
        )
        by_batch.setdefault(row["batch"], []).append((row["test_code"], judged))
    summary = {
        batch: (
            batch_verdict([v for _, v in tests]).value,
            sorted(t for t, v in tests if v is Verdict.FAIL),
            sorted(t for t, v in tests if v in (Verdict.INDETERMINATE, Verdict.REVIEW)),
        )
        for batch, tests in by_batch.items()
    }
    assert summary == {
        "B240311A": ("FAIL", ["PH"], []),
        "B240312B": ("FAIL", ["APP"], ["RS-A"]),
        "B240313C": ("REVIEW", [], ["PSD"]),
    }


def test_br07_batch_summary_through_the_curated_batch_table():
    folder = case_dir("BR-07")
    with (folder / "lims_results.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    renamed = {"result_raw": "result", "test_code": "test", "spec_text": "text_spec"}
    results = pd.DataFrame(
        [
            {
                **{renamed.get(k, k): v for k, v in row.items()},
                "raw_record_id": number,
                "file_id": 1,
                "source_file": "lims/lims_results.csv",
                "row_number": number + 1,
                "layout": "csv",
            }
            for number, row in enumerate(rows, start=1)
        ]
    )
    qc = curate_qc_results(results, pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), {})
    sap = pd.DataFrame(
        [
            {"batch": batch, "material": "M", "raw_record_id": 100 + i, "file_id": 2}
            | {"source_file": "sap/batches.csv", "row_number": i + 2, "layout": "csv"}
            for i, batch in enumerate(["B240311A", "B240312B", "B240313C"])
        ]
    )
    batches = curate_batches(sap, pd.DataFrame(), qc.frame()).frame().set_index("batch")
    summary = batches[["qc_status", "results_failed", "results_open"]].to_dict("index")
    assert summary == {
        "B240311A": {"qc_status": "FAILED", "results_failed": 1, "results_open": 0},
        "B240312B": {"qc_status": "FAILED", "results_failed": 1, "results_open": 1},
        "B240313C": {"qc_status": "IN_REVIEW", "results_failed": 0, "results_open": 1},
    }
