"""SAP flat files through parse_file: each kind, its header variants and its rejects.

Each fixture is small and labelled: a clean file per kind, and broken rows
whose defect the test names.
"""

from __future__ import annotations

from pharma_pipelines.ingestion import parse_file

from .conftest import only_extract, parse_text


def test_material_master_keeps_identifiers_as_text_br01() -> None:
    text = (
        "MATNR;MAKTX;MTART;MEINS;WERKS;MATKL\n"
        "000000000000012345;Paracetamol 500 mg;FERT;ST;0100;01010\n"
        '"000000000000000042";Blister foil;VERP;M2;0100;00300\n'
        "API-7788-X;Active ingredient X;ROH;KG;0200;00200\n"
    )
    extract = only_extract(parse_text("sap/mm.csv", text))
    assert extract.entity == "sap/material_master"
    assert [r.values["material"] for r in extract.rows] == [
        "000000000000012345",
        "000000000000000042",
        "API-7788-X",
    ]
    assert extract.rows[0].values["plant"] == "0100"
    assert extract.rows[1].values["material_group"] == "00300"
    assert extract.rows_read == 3
    assert extract.header_map["material"] == "MATNR"


def test_required_blank_is_rejected_with_line_and_column() -> None:
    text = "MATNR;MAKTX;MATKL\n0001;Tablet;01\n;Orphan text;02\n0003;Powder; \n"
    extract = only_extract(parse_text("sap/mm.csv", text))
    assert [r.row_number for r in extract.rows] == [2]
    assert [(r.row_number, r.column) for r in extract.rejects] == [(3, "MATNR"), (4, "MATKL")]
    assert extract.rejects[0].reason.startswith("sap/mm.csv line 3, column 'MATNR': required")
    assert extract.rows_read == 3


def test_production_orders_validate_quantity_and_dates() -> None:
    text = (
        "Order\tMaterial\tPlant\tTotal Order Quantity\tUnit\tBasic Start Date\tBasic Finish Date\n"
        "1000001\t0001\t0100\t1.200,5\tKG\t01.03.2024\t05.03.2024\n"
        "1000002\t0001\t0100\t12 kg\tKG\t01.03.2024\t05.03.2024\n"
        "1000003\t0001\t0100\t500\tKG\t2024-03-32\t05.03.2024\n"
        "1000004\t0001\t0100\t2.500,0-\tKG\t00000000\t99991231\n"
    )
    extract = only_extract(parse_text("exports/orders.txt", text))
    assert extract.entity == "sap/production_orders"
    assert extract.layout == "csv sep=TAB decimal=','"
    assert [r.row_number for r in extract.rows] == [2]
    assert [(r.row_number, r.column, r.raw_value) for r in extract.rejects] == [
        (3, "Total Order Quantity", "12 kg"),
        (4, "Basic Start Date", "2024-03-32"),
        (5, "Basic Start Date", "00000000"),
    ]
    assert "required 'start_date' is '00000000', which means no date" in extract.rejects[2].reason
    assert "not a calendar date" in extract.rejects[1].reason


def test_batches_german_labels() -> None:
    text = "Charge;Material;Werk;Herstelldatum;Verfallsdatum\n0000012345;0001;0100;05.03.2024;\n"
    extract = only_extract(parse_text("b.csv", text))
    assert extract.entity == "sap/batches"
    assert extract.rows[0].values == {
        "batch": "0000012345",
        "material": "0001",
        "plant": "0100",
        "manufactured_on": "05.03.2024",
        "expires_on": "",
    }


def test_stock_german_number_format_br03() -> None:
    text = (
        "Material;Werk;Lagerort;Charge;Frei verwendbar;BME;Wert frei verw.;Letzter WE\n"
        "0001;0100;0001;0000012345;1.234,567;KG;12.345,67;03.08.2024\n"
        "0002;0100;0002;0000000077;1.000;ST;250,00;01.02.2024\n"
        "0002;0200;0003;0000009003;1,234.5;KG;10,00;05.06.2024\n"
    )
    extract = only_extract(parse_text("stock_de.csv", text))
    assert extract.entity == "sap/stock"
    assert extract.layout == "csv sep=';' decimal=','"
    assert [r.values["unrestricted"] for r in extract.rows] == ["1.234,567", "1.000"]
    [reject] = extract.rejects
    assert (reject.row_number, reject.column, reject.raw_value) == (4, "Frei verwendbar", "1,234.5")
    assert "1.234,56 (de-DE" in reject.reason


def test_goods_movements_trailing_minus_br04() -> None:
    text = (
        "MBLNR\tZEILE\tBWART\tMATNR\tWERKS\tMENGE\tMEINS\tDMBTR\r\n"
        "4900001202\t0001\t261\t0002\t0100\t12.500-\tKG\t93.75-\r\n"
        "4900001204\t0001\t551\t0003\t0100\t1,250.000-\tST\t2,500.00-\r\n"
        "4900001206\t0001\t711\t0004\t0200\t-3.000\tKG\t-0.24\r\n"
        "4900001208\t0001\t711\t0004\t0200\t-3.000-\tKG\t0.00\r\n"
    )
    extract = only_extract(parse_text("mb51.txt", text))
    assert extract.entity == "sap/goods_movements"
    assert [r.values["quantity"] for r in extract.rows] == ["12.500-", "1,250.000-", "-3.000"]
    [reject] = extract.rejects
    assert reject.row_number == 5
    assert "more than one sign" in reject.reason


def test_work_centers_production_versions_changeovers() -> None:
    centers = only_extract(
        parse_text("wc.csv", "ARBPL;WERKS;KTEXT;KAPAZ\nLINE1;0100;Blister line;16\n")
    )
    versions = only_extract(
        parse_text(
            "pv.csv",
            "MATNR;WERKS;ARBPL;RATE;ADATU;BDATU\n0001;0100;LINE1;1200,5;20240101;99991231\n",
        )
    )
    changeovers = only_extract(
        parse_text(
            "co.csv",
            "ARBPL;FROM_MATKL;TO_MATKL;RUEST_MIN\nLINE1;01010;01020;45\nLINE1;01020;01010;n/a\n",
        )
    )
    assert centers.entity == "sap/work_centers"
    assert centers.rows[0].values["hours_per_day"] == "16"
    assert versions.entity == "sap/production_versions"
    assert versions.rows[0].values["rate_per_hour"] == "1200,5"
    assert changeovers.entity == "sap/changeovers"
    assert [r.row_number for r in changeovers.rows] == [2]
    assert changeovers.rejects[0].column == "RUEST_MIN"


def test_material_texts_utf16_br05_layout() -> None:
    text = "Material\tSprache\tMaterialkurztext\r\n0001\tDE\tLagerung 2–8 °C, lichtgeschützt\r\n"
    data = b"\xff\xfe" + text.encode("utf-16-le")
    extract = only_extract(parse_file("sap/texts.txt", data))
    assert extract.entity == "sap/material_texts"
    assert extract.encoding == "UTF-16 LE"
    assert list(extract.rows[0].values) == ["material", "language", "description"]
    assert extract.rows[0].values["description"] == "Lagerung 2–8 °C, lichtgeschützt"


def test_damaged_byte_rejects_its_row_only() -> None:
    data = (
        "MATNR;MAKTX;MATKL\r\n0001;Füllmenge;01\r\n0002;Z".encode("cp1252")
        + b"\x81"
        + "hlung;01\r\n0003;Größe;01\r\n".encode("cp1252")
    )
    extract = only_extract(parse_file("sap/texts.csv", data))
    assert extract.encoding.startswith("Windows-1252")
    assert [r.values["description"] for r in extract.rows] == ["Füllmenge", "Größe"]
    [reject] = extract.rejects
    assert (reject.row_number, reject.column, reject.raw_value) == (3, "MAKTX", "Z\\x81hlung")
    assert "byte 0x81 at byte offset 44 (line 3) is not valid Windows-1252" in reject.reason


def test_units_t006_headerless() -> None:
    row = "000,KG,X,X,3,X, , , ,MASS,1,1,0,0.000000,0,0,KGM,X,0, , ,0, "
    other = "000,G,X,X,3,X, , , ,MASS,1,1000,0,0.000000,0,0,GRM, ,0, , ,0, "
    extract = only_extract(parse_text("sap/T006.csv", f"{row}\n{other}"))
    assert extract.entity == "sap/units"
    assert extract.layout == "csv sep=',' decimal='.' headerless"
    assert [r.row_number for r in extract.rows] == [1, 2]
    assert extract.rows[1].values["unit"] == "G"
    assert extract.rows[1].values["denominator"] == "1000"
    assert extract.rows[0].values["temperature_unit"] == ""
    assert extract.header_map["dimension"] == "DIMID"


def test_blank_and_short_records() -> None:
    text = "MATNR;MAKTX;MATKL;MEINS\n0001;Tablet;01\n\n;;;\n0002;Powder;02;KG;;\n0003\n"
    extract = only_extract(parse_text("mm.csv", text))
    assert [r.row_number for r in extract.rows] == [2, 5]
    assert extract.short_records == 1
    assert extract.blank_records == 2
    assert extract.rows[0].values["base_unit"] == ""
    [reject] = extract.rejects
    assert reject.row_number == 6
    assert "material_group is missing" in reject.reason


def test_extra_non_empty_fields_are_rejected() -> None:
    text = "MATNR;MAKTX;MATKL\n0001;Tablet; 500 mg;01\n"
    extract = only_extract(parse_text("mm.csv", text))
    assert extract.rows == []
    assert "4 fields but the header has 3 columns" in extract.rejects[0].reason


def test_sap_list_export() -> None:
    text = (
        "Table:          MARA\n"
        "\n"
        "|MATNR             |MATKL|MEINS|\n"
        "|------------------|-----|-----|\n"
        "|000000000000012345|01010|KG   |\n"
        "Page 2\n"
        "|MATNR             |MATKL|MEINS|\n"
        "|000000000000067890|00200|ST   |\n"
    )
    extract = only_extract(parse_text("se16.txt", text))
    assert extract.entity == "sap/material_master"
    assert extract.layout.startswith("sap-list sep='|'")
    assert "header-line=3" in extract.layout
    assert [r.row_number for r in extract.rows] == [5, 8]
    assert extract.rows[0].values["base_unit"] == "KG"
    assert extract.repeated_headers == 1
    assert extract.rejects == []


def test_unknown_header_is_quarantined_with_the_closest_kind() -> None:
    parsed = parse_text("sap/notes.csv", "Charge;Lagerort;Raum\n0001;0001;K2\n")
    assert parsed.extracts == []
    assert parsed.quarantine_reason is not None
    assert parsed.quarantine_reason.startswith("sap/notes.csv: UTF-8; no header")
    assert "['Charge', 'Lagerort', 'Raum']" in parsed.quarantine_reason
    assert "closest kind sap/batch_notes" in parsed.quarantine_reason
    assert "lacks required note" in parsed.quarantine_reason


def test_a_file_that_is_one_huge_line_is_quarantined_quickly() -> None:
    parsed = parse_text("sap/one_line.csv", "A;" * 300_000)
    assert parsed.extracts == []
    assert parsed.quarantine_reason is not None
    assert "more than the 2000 columns any extract has" in parsed.quarantine_reason
