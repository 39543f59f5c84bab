"""Plant-level material data (MARC, MDMA, QM view), business partners and EPM texts.

The same kind loads from an S/4HANA product-master API view and from an SE16 download
with technical names, English or German labels; a view of one kind does not pass for
another because each maps more of its own columns.
"""

from __future__ import annotations

import json

import pytest

from pharma_pipelines.ingestion import parse_file
from pharma_pipelines.ingestion.kinds import HEADER_SPECS
from pharma_pipelines.ingestion.schema import choose_kind

from .conftest import only_extract, parse_text


def _api_log(function: str, *records: dict[str, object]) -> bytes:
    return json.dumps(
        {
            "cursor": "caller.go#L1",
            "function": f"sap-api-integrations-product-master-reads.(*SAPAPICaller).{function}",
            "level": "INFO",
            "message": list(records),
            "time": "2021-12-22T10:36:50+09:00",
        }
    ).encode()


def test_plant_view_of_the_product_api_is_material_plant() -> None:
    data = _api_log(
        "Plant",
        {
            "Product": "D20_EPDM_SMRT_S",
            "Plant": "1010",
            "PurchasingGroup": "001",
            "GoodsReceiptDuration": "1",
            "MRPType": "PD",
            "MRPResponsible": "001",
            "MinimumLotSizeQuantity": "0",
            "IsBatchManagementRequired": False,
            "ProcurementType": "F",
        },
    )
    extract = only_extract(parse_file("sap/plant.json", data))
    assert extract.entity == "sap/material_plant"
    row = extract.rows[0].values
    assert (row["material"], row["plant"], row["mrp_type"]) == ("D20_EPDM_SMRT_S", "1010", "PD")
    assert (row["mrp_controller"], row["purchasing_group"]) == ("001", "001")
    assert (row["gr_processing_days"], row["batch_management"]) == ("1", "false")


def test_work_scheduling_view_is_material_plant_too() -> None:
    data = _api_log(
        "WorkScheduling",
        {
            "Product": "FG-100",
            "Plant": "1010",
            "ProductionInvtryManagedLoc": "101E",
            "ProductProcessingTime": "0.50",
            "ProductionSupervisor": "P01",
            "ProductionSchedulingProfile": "YPP001",
            "MatlCompIsMarkedForBackflush": "1",
        },
    )
    extract = only_extract(parse_file("sap/ws.json", data))
    assert extract.entity == "sap/material_plant"
    row = extract.rows[0].values
    assert row["production_storage_location"] == "101E"
    assert (row["processing_time"], row["production_scheduling_profile"]) == ("0.50", "YPP001")
    assert row["backflush"] == "1"
    assert "mrp_type" not in row


def test_supply_planning_view_is_material_plant_too() -> None:
    data = _api_log(
        "SupplyPlanning",
        {
            "Product": "FG-100",
            "Plant": "1010",
            "LotSizingProcedure": "EX",
            "SafetyStockQuantity": "25.000",
            "InHouseProductionTime": "3",
            "SafetyDuration": "2",
            "PlanningStrategyGroup": "40",
        },
    )
    extract = only_extract(parse_file("sap/supply.json", data))
    assert extract.entity == "sap/material_plant"
    row = extract.rows[0].values
    assert (row["safety_stock"], row["in_house_production_days"]) == ("25.000", "3")
    assert row["safety_time_days"] == "2"
    assert row["PlanningStrategyGroup"] == "40"


def test_mrp_area_and_quality_views_have_kinds_of_their_own() -> None:
    mrp = _api_log(
        "MRPArea",
        {"Product": "A1", "Plant": "1010", "MRPArea": "KANBAN1010", "MRPType": "ND"},
    )
    quality = _api_log(
        "Quality",
        {
            "Product": "A1",
            "Plant": "1010",
            "QualityMgmtCtrlKey": "0001",
            "HasPostToInspectionStock": True,
            "RecrrgInspIntervalTimeInDays": "90",
        },
    )
    mrp_rows = only_extract(parse_file("sap/mrp.json", mrp))
    assert mrp_rows.entity == "sap/material_mrp_areas"
    assert mrp_rows.rows[0].values["mrp_area"] == "KANBAN1010"
    qm = only_extract(parse_file("sap/qm.json", quality))
    assert qm.entity == "sap/material_quality"
    assert qm.rows[0].values["post_to_inspection_stock"] == "true"
    assert qm.rows[0].values["recurring_inspection_days"] == "90"


def test_an_mrp_area_view_without_its_area_is_rejected_by_record() -> None:
    data = _api_log("MRPArea", {"Product": "A1", "Plant": "1010", "MRPArea": "", "MRPType": "ND"})
    extract = only_extract(parse_file("sap/mrp.json", data))
    assert extract.rows == []
    assert "required 'mrp_area' is blank" in extract.rejects[0].reason


def test_marc_download_with_technical_names_and_decimal_comma() -> None:
    text = (
        "MANDT;MATNR;WERKS;DISMM;DISPO;DISLS;BSTMI;BSTRF;WEBAZ;PLIFZ;SFCPF;BEARZ;LGPRO\n"
        "100;000000000000012345;0100;PD;P01;EX;1.000,000;0,500;2;14;YPP001;0,25;0001\n"
        "100;000000000000012346;0100;VB;P01;HB;0,000;0,000;1;7;;0,00;0001\n"
    )
    extract = only_extract(parse_text("sap/MARC.txt", text))
    assert extract.entity == "sap/material_plant"
    assert extract.decimal_separator == ","
    assert extract.rejects == []
    row = extract.rows[0].values
    assert row["material"] == "000000000000012345"
    assert (row["minimum_lot_size"], row["rounding_value"]) == ("1.000,000", "0,500")
    assert (row["gr_processing_days"], row["planned_delivery_days"]) == ("2", "14")
    assert row["MANDT"] == "100"


@pytest.mark.parametrize(
    "header",
    [
        "Material\tPlant\tMRP Type\tMRP Controller\tLot Sizing Procedure\tGR Processing Time\t"
        "Production Scheduling Profile\tProcessing Time",
        "Material\tWerk\tDispomerkmal\tDisponent\tDispolosgröße\tWE-Bearbeitungszeit\t"
        "Fertigungssteuerungsprofil\tBearbeitungszeit",
    ],
)
def test_marc_download_with_english_or_german_labels(header: str) -> None:
    text = f"{header}\nFG-100\t0100\tPD\tP01\tEX\t2\tYPP001\t0.25\n"
    extract = only_extract(parse_text("sap/se16n.txt", text))
    assert extract.entity == "sap/material_plant"
    row = extract.rows[0].values
    assert (row["mrp_type"], row["lot_sizing_procedure"]) == ("PD", "EX")
    assert (row["production_scheduling_profile"], row["processing_time"]) == ("YPP001", "0.25")


def test_a_lot_size_that_is_no_number_rejects_its_row() -> None:
    text = "MATNR;WERKS;DISMM;BSTMI\nFG-1;0100;PD;100\nFG-2;0100;PD;ca. 100\n"
    extract = only_extract(parse_text("sap/MARC.csv", text))
    assert [r.values["material"] for r in extract.rows] == ["FG-1"]
    [reject] = extract.rejects
    assert (reject.row_number, reject.column, reject.raw_value) == (3, "BSTMI", "ca. 100")


def test_mdma_and_qm_downloads() -> None:
    mdma = only_extract(
        parse_text("sap/MDMA.csv", "MATNR;BERID;WERKS;DISMM;EISBE\nFG-1;0100-EXT;0100;PD;50\n")
    )
    assert mdma.entity == "sap/material_mrp_areas"
    assert mdma.rows[0].values["safety_stock"] == "50"
    qm = only_extract(
        parse_text("sap/qm.csv", "MATNR;WERKS;SSQSS;INSMK;QZGTP;PRFRQ\nAPI-1;0100;0007;X;E31;365\n")
    )
    assert qm.entity == "sap/material_quality"
    assert (qm.rows[0].values["qm_control_key"], qm.rows[0].values["certificate_type"]) == (
        "0007",
        "E31",
    )


@pytest.mark.parametrize(
    ("header", "entity"),
    [
        (["MATNR", "WERKS", "LGORT", "CHARG", "CLABS"], "sap/stock"),
        (["MATNR", "WERKS", "MATKL", "MEINS", "MAKTX"], "sap/material_master"),
        (["MATNR", "WERKS", "ARBPL", "RATE", "VERID"], "sap/production_versions"),
        (["MATNR", "WERKS", "CHARG", "LVORM", "HSDAT"], "sap/batches"),
    ],
)
def test_plant_data_does_not_take_over_other_kinds(header: list[str], entity: str) -> None:
    choice = choose_kind(header, HEADER_SPECS)
    assert choice.best is not None
    assert choice.best.spec.entity == entity


def test_business_partners_with_bom_dotted_headers_and_umlauts() -> None:
    text = (
        "\ufeffPARTNERID,PARTNERROLE,EMAILADDRESS,ADDRESSES.ADDRESSID,COMPANYNAME,LEGALFORM,"
        "HISTORY.CREATEDAT,CURRENCY\n"
        "100000000,1,karl@example.invalid,1000000034,Getränkegroßhandel Nord,GmbH,"
        "2012-10-03,EUR\n"
    )
    extract = only_extract(parse_text("sap/businessPartner.csv", text))
    assert extract.entity == "sap/business_partners"
    assert extract.encoding == "UTF-8 (BOM)"
    row = extract.rows[0].values
    assert row["partner"] == "100000000"
    assert row["partner_name"] == "Getränkegroßhandel Nord"
    assert (row["address_id"], row["created_on"]) == ("1000000034", "2012-10-03")
    assert extract.header_map["address_id"] == "ADDRESSES.ADDRESSID"


def test_sales_orders_stay_sales_orders_beside_business_partners() -> None:
    header = ["SALESORDERID", "HISTORY.CREATEDAT", "PARTNER.PARTNERID", "CURRENCY", "NETAMOUNT"]
    choice = choose_kind(header, HEADER_SPECS)
    assert choice.best is not None
    assert choice.best.spec.entity == "sap/sales_orders"


def test_epm_texts_by_text_id_and_language() -> None:
    text = (
        "TEXTID,LANGUAGE,ISOLANGUAGE,TEXT\n"
        "1000000001,E,en,Notebook Basic 15\n"
        '1000000002,E,en,"Flat screen 21\u00b9, 1280 \u00d7 1024"'
    )
    extract = only_extract(parse_text("sap/texts.csv", text))
    assert extract.entity == "sap/texts"
    assert [r.values["text_id"] for r in extract.rows] == ["1000000001", "1000000002"]
    assert extract.rows[1].values["text"] == "Flat screen 21¹, 1280 × 1024"
    assert (extract.rows[0].values["language"], extract.rows[0].values["iso_language"]) == (
        "E",
        "en",
    )
