"""Header variants, kind choice and the closest-kind explanation."""

from __future__ import annotations

import pytest

from pharma_pipelines.ingestion import ENTITIES, SOURCES
from pharma_pipelines.ingestion.kinds import HEADER_SPECS, SPECS_BY_ENTITY
from pharma_pipelines.ingestion.schema import (
    EntitySpec,
    choose_kind,
    describe_miss,
    header_unit,
    key,
    match_header,
    normalize_header,
    unique_keys,
)


@pytest.mark.parametrize(
    ("header", "normal"),
    [
        ("\ufeffMaterial", "material"),
        ("  Sample_ID ", "sample id"),
        ("Activity Sampled\u00a0", "activity sampled"),
        ('"Score"', "score"),
        ("MATERIAL   NUMBER", "material number"),
    ],
)
def test_normalize_header(header: str, normal: str) -> None:
    assert normalize_header(header) == normal


@pytest.mark.parametrize(
    ("header", "unit"),
    [("qty_kg", "KG"), ("Menge [KG]", "KG"), ("Quantity (pc)", "PC"), ("Quantity", None)],
)
def test_header_unit(header: str, unit: str | None) -> None:
    assert header_unit(header) == unit


def test_every_entity_belongs_to_one_source() -> None:
    assert set(SOURCES) == {"sap", "lims", "outlook", "regulatory"}
    assert sorted(e for entities in SOURCES.values() for e in entities) == sorted(ENTITIES)
    assert len(set(ENTITIES)) == len(ENTITIES)
    assert {"sap/material_master", "lims/results", "outlook/order_lines"} <= set(ENTITIES)


def test_every_required_field_has_a_variant_and_names_are_unique() -> None:
    for spec in SPECS_BY_ENTITY.values():
        names = [f.name for f in spec.fields]
        assert len(names) == len(set(names)), spec.entity


def test_batch_stock_is_stock_not_batches_br01() -> None:
    """Same columns fit both kinds; the stock quantity makes it stock."""
    choice = choose_kind(["MATNR", "CHARG", "WERKS", "HSDAT", "CLABS"], HEADER_SPECS)
    assert choice.best is not None
    assert choice.best.spec.entity == "sap/stock"
    assert "sap/batches" in [m.spec.entity for m in choice.others]


def test_german_labels_map_br03() -> None:
    header = ["Material", "Werk", "Lagerort", "Charge", "Frei verwendbar", "BME", "Wert frei verw."]
    match = match_header(header, SPECS_BY_ENTITY["sap/stock"])
    assert match.complete
    assert match.columns == {
        0: "material",
        1: "plant",
        2: "storage_location",
        3: "batch",
        4: "unrestricted",
        5: "unit",
        6: "unrestricted_value",
    }


def test_technical_table_prefix_and_unit_suffix() -> None:
    match = match_header(["MARA-MATNR", "MARA-MATKL"], SPECS_BY_ENTITY["sap/material_master"])
    assert match.complete
    lines = match_header(
        ["order_id", "material", "qty_kg", "due_date"], SPECS_BY_ENTITY["outlook/order_lines"]
    )
    assert lines.complete
    assert lines.columns == {0: "po_number", 1: "material", 2: "quantity", 3: "requested_date"}


def test_first_column_wins_when_two_map_to_one_field() -> None:
    match = match_header(["CLABS", "LABST", "MATNR", "WERKS"], SPECS_BY_ENTITY["sap/stock"])
    assert match.columns == {0: "unrestricted", 2: "material", 3: "plant"}
    assert unique_keys(match.header, match.columns) == [
        "unrestricted",
        "LABST",
        "material",
        "plant",
    ]


def test_unique_keys_for_duplicate_and_empty_headers() -> None:
    assert unique_keys(["NTP", "NTP", "", "material"], {}) == [
        "NTP",
        "NTP (2)",
        "column_3",
        "material",
    ]


def test_miss_names_the_closest_kind_and_what_it_lacks() -> None:
    choice = choose_kind(["Charge", "Werk", "Verfallsdatum"], HEADER_SPECS)
    assert choice.best is None
    reason = describe_miss(choice)
    assert "closest kind sap/batches" in reason
    assert "batch<-'Charge'" in reason
    assert "lacks required material (one of MATNR, Material)" in reason


def test_path_hint_does_not_override_a_better_match() -> None:
    header = ["Batch", "Material", "Status"]
    lims = choose_kind(header, HEADER_SPECS, hint="lims").best
    sap = choose_kind(header, HEADER_SPECS, hint="sap").best
    assert lims is not None
    assert sap is not None
    assert lims.spec.entity == "lims/batch_disposition"
    assert sap.spec.entity == "lims/batch_disposition"


def test_path_hint_breaks_a_tie_between_sources() -> None:
    sap = EntitySpec("sap/things", (key("thing", "Thing", required=True),), "test kind")
    lims = EntitySpec("lims/things", (key("thing", "Thing", required=True),), "test kind")
    for hint, expected in (("sap", "sap/things"), ("lims", "lims/things")):
        best = choose_kind(["Thing"], (sap, lims), hint=hint).best
        assert best is not None
        assert best.spec.entity == expected
