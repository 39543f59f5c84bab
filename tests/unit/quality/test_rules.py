import csv

import pandas as pd

from pharma_pipelines.quality.rules import (
    OUT_OF_SCOPE,
    SAMPLE_SIZE,
    SUPERSEDED,
    demand_covered_by_orders,
    invalidations_have_a_reason,
    not_null,
    ratio_at_most,
    raw_rows_accounted_for,
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


def lineage(*ids: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "raw_record_id": list(ids),
            "entity": "sap/material_master",
            "source_file": "sap/MARA.csv",
            "row_number": [i + 1 for i in ids],
        }
    )


def exclusions(*rows: tuple[int, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=pd.Index(["raw_record_id", "kind"]))


def test_raw_rows_kept_merged_issued_or_excluded_are_accounted_for():
    outcome = raw_rows_accounted_for(
        lineage(1, 2, 3, 4, 5, 6),
        traced=[1, 2, 3],  # 2 and 3 merged into one curated row
        with_issue=[4],
        excluded=exclusions((5, SUPERSEDED), (6, OUT_OF_SCOPE)),
        curated_rows=2,
    )
    assert outcome.passed, outcome.measured
    assert outcome.details["in_curated_rows"] == 3
    assert outcome.details["superseded"] == outcome.details["out_of_scope"] == 1
    assert outcome.measured.endswith("0 unaccounted")


def test_a_raw_row_that_vanished_fails_and_is_named():
    outcome = raw_rows_accounted_for(
        lineage(1, 2, 3),
        traced=[1, 99],  # lineage of another entity is no account of these rows
        with_issue=[],
        excluded=exclusions((2, SUPERSEDED)),
        curated_rows=1,
    )
    assert not outcome.passed
    assert (outcome.failed_count, outcome.total) == (1, 3)
    assert outcome.failing_rows.to_dict("records") == [
        {
            "entity": "sap/material_master",
            "source_file": "sap/MARA.csv",
            "row_number": 4,
            "raw_record_id": 3,
        }
    ]


def test_built_in_rows_are_counted_apart():
    outcome = raw_rows_accounted_for(
        lineage(),
        traced=[],
        with_issue=[],
        excluded=exclusions(),
        curated_rows=27,
        built_in_rows=27,
    )
    assert outcome.passed
    assert "0 raw rows: 0 in the 0 curated rows drawn from raw rows" in outcome.measured


def demand_lines(*lines: tuple[str, float | None]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "material": material,
                "base_quantity": quantity,
                "base_unit": "ST" if quantity is not None else None,
                "po_number": "PO-1",
                "item": str(item),
            }
            for item, (material, quantity) in enumerate(lines, start=1)
        ]
    )


def production(*orders: tuple[str, float, bool]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"material": m, "base_quantity": q, "base_unit": "ST", "is_open": is_open}
            for m, q, is_open in orders
        ]
    )


def test_open_production_covering_demand_passes_and_surplus_is_allowed():
    outcome = demand_covered_by_orders(
        demand_lines(("A", 600.0), ("A", 400.0), ("B", 10.0)),
        production(("A", 1000.0, True), ("B", 50.0, True)),
    )
    assert outcome.passed, outcome.failing_rows
    assert outcome.total == 2


def test_a_shortfall_and_a_material_without_orders_fail_per_material():
    outcome = demand_covered_by_orders(
        demand_lines(("A", 600.0), ("A", 500.0), ("B", 10.0)),
        # the closed order of B is made already; it covers nothing still to make
        production(("A", 1000.0, True), ("B", 50.0, False)),
    )
    rows = outcome.failing_rows.set_index("material")
    assert rows.loc["A", "shortfall"] == 100.0
    assert rows.loc["A", "reason"] == "demand exceeds open production"
    assert rows.loc["B", "in_open_orders"] == 0.0
    assert rows.loc["B", "reason"] == "no open production order for this material"
    assert outcome.measured == "2 of 2 demanded materials not covered"


def test_a_demand_line_without_a_base_quantity_cannot_be_compared():
    outcome = demand_covered_by_orders(
        demand_lines(("A", 10.0), ("X", None)), production(("A", 10.0, True))
    )
    [row] = outcome.failing_rows.to_dict("records")
    assert row["material"] == "X"
    assert row["reason"] == "order line PO-1/2 has no quantity in the product's base unit"
