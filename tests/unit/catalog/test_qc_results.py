import csv

import pytest

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
