"""Curation accounts for every raw row: in a curated row, an issue, or a recorded exclusion."""

import pandas as pd
import pytest

from pharma_pipelines.catalog.conform import OUT_OF_SCOPE, SUPERSEDED
from pharma_pipelines.catalog.curation import (
    curate_batch_yields,
    curate_demand,
    curate_products,
    curate_qc_results,
)
from pharma_pipelines.catalog.units import UnitTable
from tests.unit.catalog.test_curation import raw


def accounted(curated) -> dict[int, str]:
    """Raw record id -> how curation accounted for it."""
    found = {i: "row" for row in curated.rows for i in row["raw_record_ids"]}
    found.update({issue.raw_record_id: "issue" for issue in curated.issues})
    found.update({left.raw_record_id: left.kind for left in curated.left_out})
    return found


def test_a_superseded_row_and_a_raw_material_are_left_out_with_the_reason():
    old = raw([{"material": "000000000000000001", "material_type": "FERT", "material_group": "1"}])
    new = raw(
        [
            {"material": "000000000000000001", "material_type": "FERT", "material_group": "2"},
            {"material": "API-1", "material_type": "ROH", "material_group": "9"},
        ],
        file_id=2,
    )
    frame = pd.concat([old, new], ignore_index=True)
    curated = curate_products(frame)
    assert sorted(accounted(curated).values()) == sorted(["row", SUPERSEDED, OUT_OF_SCOPE])
    assert set(accounted(curated)) == set(frame["raw_record_id"])
    by_kind = {left.kind: left for left in curated.left_out}
    assert by_kind[SUPERSEDED].raw_record_id == int(old["raw_record_id"].iloc[0])
    assert by_kind[SUPERSEDED].reason == "a newer extract holds the same (material)"
    assert by_kind[OUT_OF_SCOPE].reason.startswith("not a finished product")
    assert (by_kind[OUT_OF_SCOPE].source_file, by_kind[OUT_OF_SCOPE].row_number) == ("f.csv", 3)


def test_an_issue_names_its_raw_record():
    frame = raw([{"material": "", "material_type": "FERT", "material_group": "1"}])
    [issue] = curate_products(frame).issues
    assert issue.raw_record_id == int(frame["raw_record_id"].iloc[0])


def test_a_wide_lims_row_without_any_result_is_left_out_not_lost():
    wide = raw([{"batch": "B1", "ASSAY": "99.1"}, {"batch": "B2", "ASSAY": ""}])
    curated = curate_qc_results(pd.DataFrame(), wide, pd.DataFrame(), pd.DataFrame(), {})
    assert [row["batch"] for row in curated.rows] == ["B1"]
    [left] = curated.left_out
    assert (left.entity, left.row_number, left.kind) == ("lims/results_wide", 3, OUT_OF_SCOPE)
    assert left.reason == "no test column holds a result in this row"


def test_an_empty_requested_date_is_an_issue_not_a_silent_drop():
    lines = raw(
        [
            {"material": "M1", "quantity": "5", "unit": "ST", "requested_date": "00000000"},
            {"material": "M1", "quantity": "5", "unit": "ST", "requested_date": "20270110"},
        ]
    )
    curated = curate_demand(lines, UnitTable.built_in(), {"M1": frozenset({"ST"})})
    assert len(curated.rows) == 1
    [issue] = curated.issues
    assert (issue.column, issue.reason) == (
        "requested_date",
        "the requested date is empty (00000000)",
    )


BR12 = [
    ("B240311A", "12", "98.4"),
    ("B240312B", "", "97.9"),
    ("B240313C", "10", "n.a."),
    ("B240314D", "11", "99.1"),
]


def yield_rows(rows=BR12, decimal: str = ".") -> pd.DataFrame:
    frame = raw(
        [{"batch": b, "material": "M", "container_count": c, "yield_pct": y} for b, c, y in rows]
    )
    return frame.assign(decimal_separator=decimal)


def test_batch_yields_keep_every_batch_and_the_text_of_every_value():
    curated = curate_batch_yields(yield_rows())
    assert curated.issues == []
    assert [
        (
            r["batch"],
            r["container_count"],
            r["container_count_raw"],
            r["yield_pct"],
            r["yield_pct_raw"],
        )
        for r in curated.rows
    ] == [
        ("B240311A", 12, "12", 98.4, "98.4"),
        ("B240312B", None, None, 97.9, "97.9"),
        ("B240313C", 10, "10", None, "n.a."),
        ("B240314D", 11, "11", 99.1, "99.1"),
    ]
    assert all(type(r["container_count"]) in (int, type(None)) for r in curated.rows)


def test_batch_yields_read_the_file_s_decimal_comma():
    curated = curate_batch_yields(yield_rows([("B1", "3", "97,5")], decimal=","))
    assert curated.rows[0]["yield_pct"] == pytest.approx(97.5)


def test_a_batch_yield_without_a_batch_is_an_issue():
    curated = curate_batch_yields(yield_rows([("", "3", "97.5")]))
    assert curated.rows == []
    assert [i.column for i in curated.issues] == ["batch"]
