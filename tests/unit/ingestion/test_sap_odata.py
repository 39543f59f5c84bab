"""S/4HANA API JSON: envelopes, property mapping, rejects and quarantine."""

from __future__ import annotations

import json

import pytest

from pharma_pipelines.ingestion import parse_file

from .conftest import only_extract

ORDER = {
    "ManufacturingOrder": "1000000",
    "ManufacturingOrderType": "YBM1",
    "Material": "MZ-FG-R10",
    "ProductionPlant": "1710",
    "TotalQuantity": "500",
    "ProductionUnit": "PC",
    "MfgOrderPlannedStartDate": "2017-06-06T09:00:00+09:00",
    "MfgOrderPlannedEndDate": "/Date(1496880000000)/",
    "OrderIsReleased": "",
    "OrderIsPreCosted": "X",
    "__metadata": {"uri": "https://example.invalid/A_ProductionOrder_2('1000000')"},
}


def _json(document: object) -> bytes:
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    ("document", "envelope"),
    [
        (
            {
                "cursor": "c",
                "function": "x.General",
                "level": "INFO",
                "message": [ORDER],
                "time": "t",
            },
            "api-call-log",
        ),
        ({"d": {"results": [ORDER]}}, "odata-v2"),
        ({"value": [ORDER]}, "odata-v4"),
        ([ORDER], "json-records"),
    ],
)
def test_envelopes_map_to_production_orders(document: object, envelope: str) -> None:
    extract = only_extract(parse_file("api/order.json", _json(document)))
    assert extract.entity == "sap/production_orders"
    assert extract.layout == f"odata-json envelope={envelope}"
    [row] = extract.rows
    assert row.row_number == 1
    assert row.values["order"] == "1000000"
    assert row.values["plant"] == "1710"
    assert row.values["quantity"] == "500"
    assert row.values["OrderIsPreCosted"] == "X"
    assert "__metadata" not in row.values


def test_single_object_message_and_value_types_become_text() -> None:
    center = {
        "WorkCenter": "ASSEMBLY",
        "Plant": "1010",
        "ValidityStartDate": "2016-06-24",
        "ValidityEndDate": "9999-12-31",
        "WorkCenterIsToBeDeleted": False,
        "Capacity": None,
        "Nested": {"a": 1},
        "Count": 3,
    }
    document = {"cursor": "c", "function": "f", "level": "INFO", "message": center, "time": "t"}
    extract = only_extract(parse_file("wc.json", _json(document)))
    assert extract.entity == "sap/work_centers"
    values = extract.rows[0].values
    assert values["WorkCenterIsToBeDeleted"] == "false"
    assert values["Capacity"] == ""
    assert values["Nested"] == '{"a":1}'
    assert values["Count"] == "3"
    assert values["available_to"] == "9999-12-31"


def test_record_with_bad_quantity_is_rejected_by_record_number() -> None:
    good = dict(ORDER)
    bad = dict(ORDER, ManufacturingOrder="1000001", TotalQuantity="500,0")
    extract = only_extract(parse_file("o.json", _json({"value": [good, bad]})))
    assert [r.row_number for r in extract.rows] == [1]
    [reject] = extract.rejects
    assert reject.row_number == 2
    assert reject.column == "TotalQuantity"
    assert reject.reason.startswith("o.json record 2, column 'TotalQuantity'")


def test_batch_keeps_leading_zeros_and_empty_dates() -> None:
    batch = {
        "Material": "D2C_C_104",
        "Batch": "0000000136",
        "ManufactureDate": "",
        "ShelfLifeExpirationDate": "",
    }
    extract = only_extract(parse_file("b.json", _json({"d": {"results": [batch]}})))
    assert extract.entity == "sap/batches"
    assert extract.rows[0].values["batch"] == "0000000136"


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b'{"d": {"results": [1, 2]}}', "not a list of records"),
        (b'{"broken": ', "not valid JSON"),
        (_json({"value": [{"Product": "A001", "MRPArea": "X"}]}), "map to no extract kind"),
    ],
)
def test_json_that_is_no_kind_is_quarantined(data: bytes, fragment: str) -> None:
    parsed = parse_file("sap/x.json", data)
    assert parsed.extracts == []
    assert parsed.quarantine_reason is not None
    assert fragment in parsed.quarantine_reason


@pytest.mark.parametrize(
    ("material", "shape"),
    [(["MZ-FG-R10", "MZ-FG-R20"], "JSON list"), ({"id": "MZ-FG-R10"}, "JSON object")],
)
def test_a_json_container_is_never_an_identifier(material: object, shape: str) -> None:
    second = {**ORDER, "ManufacturingOrder": "1000001", "Material": material}
    extract = only_extract(
        parse_file("sap/orders.json", _json({"d": {"results": [ORDER, second]}}))
    )
    assert [r.values["order"] for r in extract.rows] == ["1000000"]
    [reject] = extract.rejects
    assert (reject.row_number, reject.column, reject.rule) == (2, "Material", "value.identifier")
    assert shape in reject.reason


def test_an_identifier_broken_over_lines_is_rejected_in_a_flat_file() -> None:
    data = (
        b'MATNR;WERKS;LGORT;CHARG;CLABS\n"0000012345\n";0100;0001;B1;1\n0000012346;0100;0001;B2;2\n'
    )
    extract = only_extract(parse_file("sap/stock.csv", data))
    assert [r.values["material"] for r in extract.rows] == ["0000012346"]
    assert extract.rejects[0].rule == "value.identifier"
