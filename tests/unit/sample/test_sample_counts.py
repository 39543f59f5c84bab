"""The plant has the size the brief asks for, counted from the files themselves."""

from __future__ import annotations

import re

from tests.unit.sample.landing_reader import Landing

MARA = "sap/MARA_"
AFKO = "sap/AFKO_"


def test_twelve_finished_products_in_three_families(clean: Landing) -> None:
    rows = clean.rows(MARA, "cp1252", ";")
    products = [row for row in rows if row["Materialart"] == "FERT"]

    assert len(products) == 12
    assert {row["Warengruppe"] for row in products} == {"00100", "00200", "00300"}
    assert all(re.fullmatch(r"0{8,}\d{5,10}", row["Materialnummer"]) for row in products)
    assert all(len(row["Materialnummer"]) == 18 for row in products)


def test_raw_materials_keep_alphanumeric_ids(clean: Landing) -> None:
    rows = clean.rows(MARA, "cp1252", ";")
    raw = [row["Materialnummer"] for row in rows if row["Materialart"] == "ROH"]

    assert len(raw) == 5
    assert all(re.fullmatch(r"(API|EXC)-\d{4}-[A-Z]", number) for number in raw)


def test_four_lines(clean: Landing) -> None:
    assert len(clean.rows("sap/CRHD_", "utf-8", "\t")) == 4


def test_forty_open_orders_and_some_completed(clean: Landing) -> None:
    rows = clean.rows(AFKO, "utf-8", "\t")
    first_status = [row["STTXT"].split()[0] for row in rows]

    assert sum(status in ("CRTD", "REL") for status in first_status) == 40
    assert {"CRTD", "REL"} <= set(first_status)
    assert first_status.count("TECO") >= 20
    assert len(rows) == len({row["AUFNR"] for row in rows})


def test_summary_counts_agree_with_the_files(clean: Landing) -> None:
    counts = clean.summary.counts

    assert counts["products"] == 12
    assert counts["families"] == 3
    assert counts["lines"] == 4
    assert counts["open_orders"] == 40
    assert counts["batches"] == len(clean.rows("sap/MCH1_", "utf-8", ","))
    assert counts["stock_lines"] == len(clean.rows("sap/MCHB_", "utf-8", ";"))
    chemistry = clean.rows("lims/results_2", "utf-8", ",")
    micro = clean.rows("lims/results_micro_", "utf-8", ";")
    assert counts["results"] == len(chemistry) + len(micro)
    assert counts["emails"] == len(list(clean.root.glob("outlook/*.eml"))) == 4
