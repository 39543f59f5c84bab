import datetime as dt

import pandas as pd

from pharma_pipelines.catalog.curation import (
    curate_batches,
    curate_demand,
    curate_production_orders,
    curate_products,
    curate_qc_results,
    long_results_from_wide,
)
from pharma_pipelines.catalog.units import UnitTable

BUILT_IN = UnitTable.built_in()

_next_id = iter(range(1, 10_000))


def raw(rows: list[dict[str, str]], file_id: int = 1, source: str = "f.csv") -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                **row,
                "raw_record_id": next(_next_id),
                "file_id": file_id,
                "source_file": source,
                "row_number": number + 2,
                "layout": "csv",
            }
            for number, row in enumerate(rows)
        ]
    )


def test_products_keep_leading_zeros_and_newest_extract_wins():
    old = raw([{"material": "000000000000012345", "material_group": "00100", "description": "old"}])
    new = raw(
        [
            {"material": "000000000000012345", "material_group": "00200", "description": "new"},
            {"material": "API-7788-X", "material_type": "ROH", "material_group": "00900"},
        ],
        file_id=2,
    )
    curated = curate_products(pd.concat([old, new], ignore_index=True))
    assert [(r["material"], r["family"], r["description"]) for r in curated.rows] == [
        ("000000000000012345", "00200", "new")
    ]
    assert curated.issues == []


def test_identical_repeats_collapse_but_conflicting_ones_stay_for_the_unique_check():
    frame = raw(
        [
            {"material": "000000000000000001", "material_group": "00100"},
            {"material": "000000000000000001", "material_group": "00100"},
            {"material": "000000000000000002", "material_group": "00100"},
            {"material": "000000000000000002", "material_group": "00200"},
        ]
    )
    rows = curate_products(frame).rows
    assert sorted(r["material"] for r in rows) == [
        "000000000000000001",
        "000000000000000002",
        "000000000000000002",
    ]
    collapsed = next(r for r in rows if r["material"].endswith("1"))
    assert len(collapsed["raw_record_ids"]) == 2


def test_orders_with_bad_values_are_reported_not_dropped_silently():
    frame = raw(
        [
            {
                "order": "000001000123",
                "material": "M1",
                "quantity": "1.200,5",
                "start_date": "20270104",
                "finish_date": "20270108",
                "system_status": "REL",
            },
            {
                "order": "000001000124",
                "material": "M1",
                "quantity": "12x",
                "start_date": "20270104",
                "finish_date": "20270108",
                "system_status": "REL",
            },
            {
                "order": "000001000125",
                "material": "M1",
                "quantity": "10",
                "start_date": "20270104",
                "finish_date": "20270108",
                "system_status": "REL TECO",
            },
        ]
    )
    curated = curate_production_orders(frame, BUILT_IN, {})
    by_order = {r["order"]: r for r in curated.rows}
    assert by_order["000001000123"]["quantity"] == 1200.5
    assert by_order["000001000123"]["start_date"] == dt.date(2027, 1, 4)
    assert by_order["000001000125"]["is_open"] is False
    assert "000001000124" not in by_order
    [issue] = curated.issues
    assert (issue.row_number, issue.column, issue.raw_value) == (3, "quantity", "12x")


def test_wide_lims_tables_melt_into_one_result_per_test_and_skip_descriptors():
    wide = raw(
        [
            {
                "batch": "1",
                "code": "25",
                "strength": "5MG",
                "start": "nov.18",
                "api_batch": "2",
                "api_water": "1.53",
                "remark": "ok",
            },
        ]
    )
    long = long_results_from_wide(wide)
    assert list(long["test"]) == ["api_water"]
    assert list(long["result"]) == ["1.53"]


def test_results_get_specs_from_the_row_or_the_specification_extract():
    results = raw(
        [
            {"sample_id": "S1", "batch": "B1", "test": "ASSAY", "result": "94.96"},
            {
                "sample_id": "S1",
                "batch": "B1",
                "test": "PH",
                "result": "7.6",
                "spec_min": "6.5",
                "spec_max": "7.5",
            },
        ]
    )
    specs = raw(
        [
            {
                "material": "M1",
                "test": "assay",
                "spec_min": "95.0",
                "spec_max": "105.0",
                "release_relevant": "X",
            }
        ],
        file_id=3,
    )
    curated = curate_qc_results(results, pd.DataFrame(), specs, pd.DataFrame(), {"B1": "M1"})
    verdicts = {r["test"]: (r["verdict"], r["release_relevant"]) for r in curated.rows}
    assert verdicts == {"ASSAY": ("PASS", True), "PH": ("FAIL", True)}


def test_batch_qc_status_follows_disposition_and_results():
    batches = raw(
        [
            {"batch": "B1", "material": "M1", "manufactured_on": "20261201"},
            {"batch": "B2", "material": "M1", "manufactured_on": "20261202"},
            {"batch": "B3", "material": "M1", "manufactured_on": "00000000"},
        ]
    )
    dispositions = raw([{"batch": "B1", "disposition": "RELEASED"}], file_id=4)
    limits = {"spec_min": "95.0", "spec_max": "105.0"}
    results = raw(
        [
            {"batch": "B1", "test": "ASSAY", "result": "90.1", **limits},
            {"batch": "B2", "test": "ASSAY", "result": "90.2", **limits},
            {"batch": "B2", "test": "CONTENT", "result": "99.0", **limits},
        ]
    )
    qc = curate_qc_results(results, pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), {})
    rows = {r["batch"]: r for r in curate_batches(batches, dispositions, qc.frame()).rows}
    assert rows["B1"]["qc_status"] == "RELEASED"
    assert rows["B1"]["results_failed"] == 1
    assert rows["B2"]["qc_status"] == "FAILED"
    assert rows["B3"]["qc_status"] == "PENDING"
    assert rows["B3"]["manufactured_on"] is None


def test_the_raw_layers_number_format_wins_over_column_evidence():
    lines = raw(
        [
            {"customer": "C", "material": "M1", "quantity": "12.000", "requested_date": "20270110"},
            {"customer": "C", "material": "M2", "quantity": "1.500", "requested_date": "20270110"},
        ]
    ).assign(decimal_separator=",")
    rows = {r["material"]: r["quantity"] for r in curate_demand(lines, BUILT_IN, {}).rows}
    assert rows == {"M1": 12000.0, "M2": 1500.0}
