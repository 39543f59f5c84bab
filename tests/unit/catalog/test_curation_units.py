"""Units in the curated layer: unknown units and impossible precision are issues, and every
quantity is also stated, exactly, in its product's base unit."""

from __future__ import annotations

import pandas as pd

from pharma_pipelines.catalog.curation import (
    base_unit_index,
    curate_demand,
    curate_line_eligibility,
    curate_production_orders,
)
from pharma_pipelines.catalog.units import UnitTable

UNITS = UnitTable.built_in()
BASE_UNITS = {
    "TABLETS": frozenset({"ST"}),
    "BULK": frozenset({"KG"}),
    "NO-UNIT": frozenset(),
    "TWO-UNITS": frozenset({"KG", "ST"}),
    "ODD-UNIT": frozenset({"XYZ"}),
}


def raw(rows: list[dict[str, str]], source: str = "sap/AFKO.txt", file_id: int = 1) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                **row,
                "raw_record_id": 100 * file_id + number,
                "file_id": file_id,
                "source_file": source,
                "row_number": number + 2,
                "layout": "tsv",
            }
            for number, row in enumerate(rows)
        ]
    )


def order(number: str, material: str, quantity: str, unit: str) -> dict[str, str]:
    return {
        "order": number,
        "material": material,
        "quantity": quantity,
        "unit": unit,
        "start_date": "20270104",
        "finish_date": "20270108",
        "system_status": "REL",
    }


def curated_orders(*rows: dict[str, str]):
    curated = curate_production_orders(raw(list(rows)), UNITS, BASE_UNITS)
    return {r["order"]: r for r in curated.rows}, curated.issues


def test_an_order_in_an_unknown_unit_is_an_issue_naming_file_row_column_value_and_rule():
    rows, issues = curated_orders(
        order("1", "TABLETS", "100", "ST"), order("2", "TABLETS", "5", "Stk")
    )

    assert list(rows) == ["1"]
    [issue] = issues
    assert (issue.entity, issue.source_file, issue.row_number) == (
        "sap/production_orders",
        "sap/AFKO.txt",
        3,
    )
    assert (issue.column, issue.raw_value) == ("unit", "Stk")
    assert "'Stk' is not a unit of measure" in issue.reason
    assert "allowed: SAP key or English commercial code" in issue.reason


def test_a_quantity_finer_than_its_unit_allows_is_an_issue_not_a_one_minute_run():
    rows, issues = curated_orders(
        order("1", "TABLETS", "0.0000001", "ST"),
        order("2", "TABLETS", "2.5", "ST"),
        order("3", "TABLETS", "2.000", "ST"),
        order("4", "BULK", "2.125", "KG"),
    )

    assert sorted(rows) == ["3", "4"]
    assert [(i.row_number, i.column, i.raw_value) for i in issues] == [
        (2, "quantity", "0.0000001"),
        (3, "quantity", "2.5"),
    ]
    assert "has 7 decimals but unit ST allows 0" in issues[0].reason


def test_an_order_in_another_unit_of_the_dimension_carries_its_exact_base_quantity():
    rows, issues = curated_orders(order("1", "BULK", "1500", "G"), order("2", "BULK", "0.5", "TO"))

    assert issues == []
    assert (rows["1"]["quantity"], rows["1"]["unit"]) == (1500.0, "G")
    assert (rows["1"]["base_quantity"], rows["1"]["base_unit"]) == (1.5, "KG")
    assert (rows["2"]["base_quantity"], rows["2"]["base_unit"]) == (500.0, "KG")


def test_a_base_quantity_finer_than_the_base_unit_allows_is_an_issue():
    rows, issues = curated_orders(order("1", "BULK", "1", "MG"))

    assert rows == {}
    [issue] = issues
    assert (issue.column, issue.raw_value) == ("unit", "MG")
    assert "exactly 0.000001 KG, which needs 6 decimals; KG allows 3" in issue.reason


def test_an_order_in_mass_for_a_product_counted_in_pieces_is_refused():
    rows, issues = curated_orders(order("1", "TABLETS", "12", "KG"))

    assert rows == {}
    assert "KG measures MASS, ST measures AAAADL" in issues[0].reason


def test_a_blank_unit_is_read_in_the_base_unit_and_checked_against_it():
    rows, issues = curated_orders(order("1", "TABLETS", "40", ""), order("2", "TABLETS", "0.5", ""))

    assert (rows["1"]["unit"], rows["1"]["base_quantity"], rows["1"]["base_unit"]) == (
        None,
        40.0,
        "ST",
    )
    assert [(i.row_number, i.column) for i in issues] == [(3, "quantity")]


def test_base_unit_problems_of_the_material_master_are_named():
    rows, issues = curated_orders(
        order("1", "TWO-UNITS", "1", "ST"),
        order("2", "ODD-UNIT", "1", "ST"),
        order("3", "NO-UNIT", "3", "KG"),
        order("4", "NOT-A-PRODUCT", "3", "KG"),
    )

    assert [(i.row_number, i.column) for i in issues] == [(2, "material"), (3, "material")]
    assert "has 2 base units in the material master (KG, ST)" in issues[0].reason
    assert "base unit 'XYZ' in the material master, which is not a unit" in issues[1].reason
    assert (rows["3"]["base_quantity"], rows["3"]["base_unit"]) == (3.0, "KG")
    assert (rows["4"]["base_quantity"], rows["4"]["base_unit"]) == (None, None)


def test_sap_orders_are_not_read_in_iso_codes_but_e_mails_are():
    _, order_issues = curated_orders(order("1", "TABLETS", "100", "PCE"))
    lines = raw(
        [
            {"material": "TABLETS", "quantity": "100", "unit": "PCE", "requested_date": "20270110"},
            {"material": "TABLETS", "quantity": "10", "unit": "pak", "requested_date": "20270110"},
        ],
        source="outlook/order.eml",
    )
    demand = curate_demand(lines, UNITS, BASE_UNITS)

    assert [i.raw_value for i in order_issues] == ["PCE"]
    [row] = demand.rows
    assert (row["quantity"], row["unit"], row["base_quantity"], row["base_unit"]) == (
        100.0,
        "PCE",
        100.0,
        "ST",
    )
    [issue] = demand.issues
    assert (issue.entity, issue.row_number, issue.column) == ("outlook/order_lines", 3, "unit")
    assert "'10 PAK' cannot be converted to ST: both are counted units" in issue.reason
    assert "MARM" in issue.reason


def test_rates_are_restated_per_base_unit():
    versions = raw(
        [
            {"material": "BULK", "work_center": "L1", "rate_per_hour": "500", "unit": "G"},
            {"material": "TABLETS", "work_center": "L1", "rate_per_hour": "900", "unit": ""},
            {"material": "TABLETS", "work_center": "L2", "rate_per_hour": "90", "unit": "KAR"},
        ],
        source="sap/MKAL.csv",
    )
    curated = curate_line_eligibility(versions, UNITS, BASE_UNITS)
    rates = {(r["material"], r["work_center"]): r for r in curated.rows}

    assert rates[("BULK", "L1")]["rate_per_hour"] == 500.0
    assert rates[("BULK", "L1")]["base_rate_per_hour"] == 0.5
    assert rates[("TABLETS", "L1")]["base_rate_per_hour"] == 900.0
    assert rates[("TABLETS", "L1")]["base_unit"] == "ST"
    [issue] = curated.issues
    assert (issue.row_number, issue.column, issue.raw_value) == (4, "unit", "KAR")


def test_base_unit_index_reads_what_the_newest_master_extract_states():
    old = raw([{"material": "A", "base_unit": "KG"}], source="sap/MARA_1.csv")
    new = raw(
        [
            {"material": "A", "base_unit": "ST"},
            {"material": "B", "base_unit": "KG"},
            {"material": "B", "base_unit": "ST "},
            {"material": "C", "base_unit": " "},
        ],
        source="sap/MARA_2.csv",
        file_id=2,
    )

    assert base_unit_index(pd.concat([old, new], ignore_index=True)) == {
        "A": frozenset({"ST"}),
        "B": frozenset({"KG", "ST"}),
        "C": frozenset(),
    }
    assert base_unit_index(pd.DataFrame()) == {}
