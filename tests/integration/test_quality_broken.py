"""The broken landing zone: each labelled defect fails the checks that must catch it.

tests/fixtures/landing_broken is the sample plant with the defects of
``pharma_pipelines.sample.defects``; every failing check must name the defect's rows, every
other check must pass, and the severities must be the policy's.
"""

from __future__ import annotations

import pytest

from pharma_pipelines.quality.policy import policy_for
from pharma_pipelines.runner import EXIT_CHECK_FAILED
from tests.integration.check_results import failing_rows, summary_evaluations, value

# check -> (column, the values of that column over the failing rows)
EXPECTED_FAILURES = {
    # duplicate_material_key
    "curated/products:material_is_unique": (
        "description",
        [
            "Ramipril Tabletten 5 mg – Blister, Lagerung 2–8 °C",
            "Ramipril Tabletten 5 mg – alter Text",
        ],
    ),
    # order_for_unknown_material
    "curated/production_orders:material_is_a_known_product": ("order", ["000001002161"]),
    "curated/line_eligibility:open_orders_have_a_line": ("material", ["000000000000099999"]),
    # mail_line_for_unknown_material: unknown to the master, and not covered by production
    "curated/demand:material_is_a_known_product": ("material", ["000000000000077777"]),
    "curated/production_orders:orders_cover_demand": ("material", ["000000000000077777"]),
    # mail_line_in_unknown_unit
    "curated/demand:raw_rows_conform": ("raw_value", ["Stk"]),
    # released_batch_out_of_spec; with oos_invalidated_without_reason the OOS stands
    "curated/batches:released_batches_meet_specification": ("batch", ["0000104601"]),
    "curated/batches:released_batches_have_no_valid_oos": ("batch", ["0000104601", "0000104633"]),
    "curated/qc_results:invalidations_have_a_reason": ("batch", ["0000104633"]),
    # unclassifiable_file
    "landing/file_inventory:every_file_has_a_known_kind": (
        "relative_path",
        ["sap/ZQM_notifications_20270104.txt"],
    ),
    # blank_required_field: the batch row is rejected, so its QC results lose their batch
    "raw/sap/batches:rejected_rows_are_rare": ("column", ["MATNR"]),
    "curated/qc_results:batch_is_known": ("batch", ["0000104609"] * 8),
    # unparsable_quantity
    "raw/sap/stock:rejected_rows_are_rare": ("raw_value", ["1.25O,000"]),
    # undecodable_byte: the work center FLA-03 is rejected, its changeovers and rates orphaned
    "raw/sap/work_centers:rejected_rows_are_rare": ("row", ["4"]),
    "curated/changeovers:line_is_known": ("work_center", ["FLA-03"] * 9),
    "curated/line_eligibility:line_is_known": ("work_center", ["FLA-03"] * 12),
}


@pytest.fixture(scope="module")
def broken_run(broken_plant):
    """The session's materialization of the broken landing zone (tests/plant_runs.py)."""
    return broken_plant.summary, summary_evaluations(broken_plant.instance, broken_plant.summary)


def test_exactly_the_checks_that_catch_a_defect_fail(broken_run):
    summary, found = broken_run
    assert summary.errors == []
    failed = {name for name, evaluation in found.items() if not evaluation.passed}
    assert failed == set(EXPECTED_FAILURES)
    assert summary.exit_code == EXIT_CHECK_FAILED


@pytest.mark.parametrize("check", sorted(EXPECTED_FAILURES))
def test_a_failing_check_names_the_defect_s_rows(broken_run, check):
    _summary, found = broken_run
    column, expected = EXPECTED_FAILURES[check]
    rows = failing_rows(found[check])
    assert sorted(rows[column]) == sorted(expected)
    assert value(found[check], "failed_count") == len(expected)


def test_severity_and_holding_back_follow_the_policy(broken_run):
    summary, found = broken_run
    for name in EXPECTED_FAILURES:
        policy = policy_for(value(found[name], "family"))
        assert found[name].severity.value == policy.severity.value, name
    held_back = summary.planning_held_back or ""
    assert "curated/products:material_is_unique" in held_back
    assert "curated/production_orders:orders_cover_demand" in held_back
    # coverage: an orphan QC result is an ERROR to act on, but holds nothing back
    assert found["curated/qc_results:batch_is_known"].severity.value == "ERROR"
    assert "batch_is_known" not in held_back


def test_every_raw_row_is_still_accounted_for(broken_run):
    _summary, found = broken_run
    accounted = [name for name in found if name.endswith(":raw_rows_are_accounted_for")]
    assert len(accounted) == 10
    assert all(found[name].passed for name in accounted)
