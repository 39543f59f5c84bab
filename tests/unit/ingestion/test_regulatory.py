"""FDA registers: NDC directory and Drugs@FDA files, TAB-separated and never quoted.

Each fixture reproduces a quirk of the published files: no final newline, CRLF,
Latin-1 labeler names, leading-zero keys, doubled quotes inside a value, lines that
end with an extra TAB.
"""

from __future__ import annotations

from pharma_pipelines.ingestion import parse_file

from .conftest import only_extract, parse_text

NDC_PRODUCT_HEADER = (
    "PRODUCTID\tPRODUCTNDC\tPRODUCTTYPENAME\tPROPRIETARYNAME\tPROPRIETARYNAMESUFFIX\t"
    "NONPROPRIETARYNAME\tDOSAGEFORMNAME\tROUTENAME\tSTARTMARKETINGDATE\tENDMARKETINGDATE\t"
    "MARKETINGCATEGORYNAME\tAPPLICATIONNUMBER\tLABELERNAME\tSUBSTANCENAME\t"
    "ACTIVE_NUMERATOR_STRENGTH\tACTIVE_INGRED_UNIT\tPHARM_CLASSES\tDEASCHEDULE\t"
    "NDC_EXCLUDE_FLAG\tLISTING_RECORD_CERTIFIED_THROUGH"
)
UNFINISHED_HEADER = (
    "PRODUCTID\tPRODUCTNDC\tPRODUCTTYPENAME\tNONPROPRIETARYNAME\tDOSAGEFORMNAME\t"
    "STARTMARKETINGDATE\tENDMARKETINGDATE\tMARKETINGCATEGORYNAME\tLABELERNAME\tSUBSTANCENAME\t"
    "ACTIVE_NUMERATOR_STRENGTH\tACTIVE_INGRED_UNIT\tDEASCHEDULE\tLISTING_RECORD_CERTIFIED_THROUGH"
)


def test_ndc_products_keep_ids_lists_and_irregular_spaces() -> None:
    row = (
        "0009-0001_0a1b2c3d-0000-4000-8000-000000000001\t0009-0001\tHUMAN PRESCRIPTION DRUG\t"
        "Examplex\tXR\texamplol\tINJECTION, SOLUTION\tINTRAMUSCULAR;    INTRASYNOVIAL\t"
        "20120601\t\tNDA\tNDA202008\tExample Pharma Inc.\tALPHA; BETA; GAMMA\t70; 5600; 100\t"
        "mg/1; [iU]/1\tAnalgesic [EPC],Opioid Agonists [MoA]\tCII\tN\t20191231"
    )
    extract = only_extract(parse_text("regulatory/product.txt", f"{NDC_PRODUCT_HEADER}\n{row}"))
    assert extract.entity == "regulatory/ndc_products"
    assert extract.layout.startswith("csv sep=TAB")
    values = extract.rows[0].values
    assert values["product_id"] == "0009-0001_0a1b2c3d-0000-4000-8000-000000000001"
    assert values["product_ndc"] == "0009-0001"
    assert values["routes"] == "INTRAMUSCULAR;    INTRASYNOVIAL"
    assert (values["strengths"], values["strength_units"]) == ("70; 5600; 100", "mg/1; [iU]/1")
    assert (values["start_marketing_date"], values["end_marketing_date"]) == ("20120601", "")
    assert values["dea_schedule"] == "CII"


def test_unfinished_products_in_latin1_with_crlf() -> None:
    rows = [
        UNFINISHED_HEADER,
        "0164-0025_aa\t0164-0025\tBULK INGREDIENT\tBETULA PENDULA LEAF\tTINCTURE\t20160509\t\t"
        "DRUG FOR FURTHER PROCESSING\tWeleda A.G. Schwäbisch Gmünd, Zweigniederlassung der Weled\t"
        "BETULA PENDULA LEAF\t.75\tg/g\t\t20181231",
        "0165-0001_bb\t0165-0001\tBULK INGREDIENT\tAztreonam\tPOWDER\t20120725\t\tBULK INGREDIENT\t"
        "Guang’an Kingday Pharma & Chem Co., Ltd.\tAZTREONAM\t1\tkg/kg\t\t20181231",
    ]
    data = "\r\n".join(rows).encode("cp1252") + b"\r\n"
    extract = only_extract(parse_file("products/unfinished_product.txt", data))
    assert extract.entity == "regulatory/ndc_products"
    assert extract.encoding.startswith("Windows-1252")
    assert extract.rejects == []
    first, second = (r.values for r in extract.rows)
    assert first["labeler"] == "Weleda A.G. Schwäbisch Gmünd, Zweigniederlassung der Weled"
    assert first["strengths"] == ".75"
    assert second["labeler"] == "Guang’an Kingday Pharma & Chem Co., Ltd."
    assert "proprietary_name" not in first


def test_ndc_packages_finished_and_unfinished_without_final_newline() -> None:
    finished = (
        "PRODUCTID\tPRODUCTNDC\tNDCPACKAGECODE\tPACKAGEDESCRIPTION\tSTARTMARKETINGDATE\t"
        "ENDMARKETINGDATE\tNDC_EXCLUDE_FLAG\tSAMPLE_PACKAGE\n"
        "0009-0001_aa\t0009-0001\t0009-0001-01\t1 VIAL in 1 CARTON (0009-0001-01)  > 10 mL in 1 "
        "VIAL\t19870710\t\tN\tN"
    )
    unfinished = (
        "PRODUCTID\tPRODUCTNDC\tNDCPACKAGECODE\tPACKAGEDESCRIPTION\n"
        "0002-0485_aa\t0002-0485\t0002-0485-04\t4 BOTTLE in 1 CONTAINER (0002-0485-04)  > 2000 g"
    )
    for text in (finished, unfinished):
        extract = only_extract(parse_text("products/package.txt", text))
        assert extract.entity == "regulatory/ndc_packages"
        assert len(extract.rows) == 1
    values = only_extract(parse_text("products/package.txt", finished)).rows[0].values
    assert values["package_ndc"] == "0009-0001-01"
    assert values["package_description"].endswith("(0009-0001-01)  > 10 mL in 1 VIAL")
    assert values["sample_package"] == "N"


def test_an_ndc_date_that_is_no_date_rejects_its_row() -> None:
    text = (
        "PRODUCTID\tPRODUCTNDC\tNDCPACKAGECODE\tPACKAGEDESCRIPTION\tSTARTMARKETINGDATE\n"
        "A_1\t0001-0001\t0001-0001-01\t1 VIAL\t19870710\n"
        "A_2\t0001-0002\t0001-0002-01\t1 VIAL\t7/10/1987\n"
    )
    extract = only_extract(parse_text("products/package.txt", text))
    assert [r.values["product_id"] for r in extract.rows] == ["A_1"]
    [reject] = extract.rejects
    assert (reject.row_number, reject.column) == (3, "STARTMARKETINGDATE")
    assert "slash date" in reject.reason


DRUGSFDA_PRODUCTS_HEADER = (
    "ApplNo\tProductNo\tForm\tStrength\tReferenceDrug\tDrugName\tActiveIngredient\t"
    "ReferenceStandard"
)


def test_drugsfda_products_keep_leading_zeros_and_doubled_quotes() -> None:
    text = "\r\n".join(
        [
            DRUGSFDA_PRODUCTS_HEADER,
            "000004\t004\tSOLUTION/DROPS;OPHTHALMIC\t1%\t0\tPAREDRINE\tHYDROXYAMPHETAMINE\t0",
            '017412\t002\tSOLUTION;TOPICAL\t0.25%\t0\tGERMA-MEDICA ""MG""\tHEXACHLOROPHENE\t0',
            '084827\t001\tTABLET;ORAL\t25MG;0.125MG\t0\t""25"" HYDRO-SERP\tRESERPINE\t0',
            '090001\t001\tTABLET;ORAL\t5MG\t0\t"OPEN QUOTE\tEXAMPLINE\t0',
            "090002\t001\tTABLET;ORAL\t10MG\t0\tAFTER\tEXAMPLINE\t0",
        ]
    )
    extract = only_extract(parse_text("products/Products.txt", text + "\r\n"))
    assert extract.entity == "regulatory/drugsfda_products"
    assert extract.rejects == []
    rows = [r.values for r in extract.rows]
    assert [(r["application_number"], r["product_number"]) for r in rows[:2]] == [
        ("000004", "004"),
        ("017412", "002"),
    ]
    assert rows[0]["form_route"] == "SOLUTION/DROPS;OPHTHALMIC"
    assert rows[1]["drug_name"] == 'GERMA-MEDICA ""MG""'
    assert rows[2]["drug_name"] == '""25"" HYDRO-SERP'
    assert rows[3]["drug_name"] == '"OPEN QUOTE'
    assert [r.row_number for r in extract.rows] == [2, 3, 4, 5, 6]


def test_a_line_with_an_extra_empty_field_loads_and_is_counted() -> None:
    text = "\r\n".join(
        [
            DRUGSFDA_PRODUCTS_HEADER,
            "206029\t001\tTABLET;ORAL\tEQ 1MG BASE\t0\tPITAVASTATIN\tPITAVASTATIN CALCIUM\t\t",
            "206030\t001\tTABLET;ORAL\tEQ 2MG BASE\t0\tOTHER\tOTHER\t0",
        ]
    )
    extract = only_extract(parse_text("products/Products.txt", text))
    assert [r.values["application_number"] for r in extract.rows] == ["206029", "206030"]
    assert extract.rows[0].values["reference_standard"] == ""
    assert extract.long_records == 1
    assert extract.layout.endswith("long-records=1")
    assert len(extract.rows[0].values) == 8


def test_a_line_with_a_non_empty_extra_field_is_rejected() -> None:
    text = "\n".join(
        [
            DRUGSFDA_PRODUCTS_HEADER,
            "206029\t001\tTABLET;ORAL\tEQ 1MG BASE\t0\tPITAVASTATIN\tPITAVASTATIN\t0\tSTRAY",
        ]
    )
    extract = only_extract(parse_text("products/Products.txt", text))
    assert extract.rows == []
    [reject] = extract.rejects
    assert "the record has 9 fields but the header has 8 columns" in reject.reason
    assert "'STRAY'" in reject.reason


def test_applications_marketing_status_and_its_lookup() -> None:
    applications = only_extract(
        parse_text(
            "products/Applications.txt",
            "ApplNo\tApplType\tApplPublicNotes\tSponsorName\r\n000159\tNDA\t\tLILLY\r\n",
        )
    )
    assert applications.entity == "regulatory/drugsfda_applications"
    assert applications.rows[0].values == {
        "application_number": "000159",
        "application_type": "NDA",
        "public_notes": "",
        "sponsor": "LILLY",
    }
    status = only_extract(
        parse_text(
            "products/MarketingStatus.txt",
            "MarketingStatusID\tApplNo\tProductNo\r\n3\t000004\t004\r\n",
        )
    )
    assert status.entity == "regulatory/drugsfda_marketing_status"
    assert status.rows[0].values["product_number"] == "004"
    lookup = only_extract(
        parse_text(
            "products/MarketingStatus_Lookup.txt",
            "MarketingStatusID\tMarketingStatusDescription\r\n4\tNone (Tentative Approval)\r\n",
        )
    )
    assert lookup.entity == "regulatory/drugsfda_marketing_status_codes"
    assert lookup.rows[0].values["description"] == "None (Tentative Approval)"


def test_a_short_text_with_a_bad_byte_is_no_register() -> None:
    parsed = parse_file("products/badutf8.txt", b'This is a "bad" UTF-8 file.\x80')
    assert parsed.extracts == []
    assert parsed.quarantine_reason is not None
    assert "byte 0x80 at byte offset 27" in parsed.quarantine_reason
    assert "no column matches a field of any extract kind" in parsed.quarantine_reason
