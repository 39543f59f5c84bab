"""Real SAP customizing tables, product-master views and FDA registers load into their kinds.

Each test reads one real file from shared/realdata (and skips without it), pins its
kind and counts, and checks a few exact values where a quirk could have changed them:
leading zeros, Latin-1 letters, inverted dates, doubled quotes, ragged lines.
"""

from __future__ import annotations

from datetime import date
from functools import cache

import pytest

from pharma_pipelines.ingestion import ParsedExtract, ParsedFile, parse_file
from pharma_pipelines.values import DECIMAL_POINT, parse_inverted_date, parse_sap_exchange_rate

from .conftest import REALDATA as REALDATA_ROOT
from .conftest import assert_storable, only_extract, shared_file

pytestmark = pytest.mark.realdata


@cache
def _parse(relative: str) -> ParsedFile:
    """Each real file is parsed once per session; the large ones take a second or two."""
    return parse_file(relative, (REALDATA_ROOT / relative).read_bytes())


def _load(relative: str) -> ParsedExtract:
    shared_file("realdata", *relative.split("/"))
    parsed = _parse(relative)
    assert_storable(parsed)
    extract = only_extract(parsed)
    assert extract.rows_read == len(extract.rows) + len(extract.rejects)
    return extract


def _row(extract: ParsedExtract, row_number: int) -> dict[str, str]:
    return next(r.values for r in extract.rows if r.row_number == row_number)


COUNTS = {
    "sap/hana-shine-xsa/T006A.csv": ("sap/unit_texts", 1166),
    "sap/hana-shine-xsa/TCURC.csv": ("sap/currencies", 414),
    "sap/hana-shine-xsa/TCURR.csv": ("sap/exchange_rates", 784),
    "sap/hana-shine-xsa/TCURX.csv": ("sap/currency_decimals", 64),
    "sap/hana-shine-xsa/businessPartner.csv": ("sap/business_partners", 45),
    "sap/hana-shine-xsa/texts.csv": ("sap/texts", 212),
    "sap/s4hana-api-sandbox/product-master/product-master-plant-01-sample.json": (
        "sap/material_plant",
        1,
    ),
    "sap/s4hana-api-sandbox/product-master/product-master-work-scheduling-01-sample.json": (
        "sap/material_plant",
        1,
    ),
    "sap/s4hana-api-sandbox/product-master/product-master-mrp-area-01-sample.json": (
        "sap/material_mrp_areas",
        1,
    ),
    "sap/s4hana-api-sandbox/product-master/product-master-quality-01-sample.json": (
        "sap/material_quality",
        1,
    ),
    "products/fda-ndc/product_trimmed.txt": ("regulatory/ndc_products", 3),
    "products/fda-ndc/package_trimmed.txt": ("regulatory/ndc_packages", 3),
    "products/fda-ndc/unfinished_product_trimmed.txt": ("regulatory/ndc_products", 3),
    "products/fda-ndc/unfinished_package_trimmed.txt": ("regulatory/ndc_packages", 3),
    "products/fda-ndc/unfinished_product.txt": ("regulatory/ndc_products", 21478),
    "products/drugs-at-fda/Products.txt": ("regulatory/drugsfda_products", 39473),
    "products/drugs-at-fda/Applications.txt": ("regulatory/drugsfda_applications", 23267),
    "products/drugs-at-fda/MarketingStatus.txt": ("regulatory/drugsfda_marketing_status", 39788),
    "products/drugs-at-fda/MarketingStatus_Lookup.txt": (
        "regulatory/drugsfda_marketing_status_codes",
        4,
    ),
}


@pytest.mark.parametrize("relative", sorted(COUNTS))
def test_real_file_loads_into_its_kind_without_rejects(relative: str) -> None:
    entity, loaded = COUNTS[relative]
    extract = _load(relative)
    assert (extract.entity, len(extract.rows), len(extract.rejects)) == (entity, loaded, 0)


def test_t006a_unit_texts_per_language() -> None:
    extract = _load("sap/hana-shine-xsa/T006A.csv")
    assert extract.layout == "csv sep=',' decimal='.' (decimal assumed) headerless"
    assert _row(extract, 1) == {
        "client": "000",
        "language": "D",
        "unit": "%",
        "commercial_unit": "%",
        "technical_unit": "%",
        "short_text": "%",
        "long_text": "Prozent",
    }
    micro = [r.values for r in extract.rows if r.values["unit"] == "4G"]
    assert [(m["language"], m["commercial_unit"], m["long_text"]) for m in micro[:2]] == [
        ("D", "µL", "Mikroliter"),
        ("E", "µL", "Microliter"),
    ]
    # The file ends without a newline: its last record is still read whole.
    assert _row(extract, 1166)["long_text"] == "Unidad"


def test_tcurr_inverted_dates_and_indirect_rates() -> None:
    extract = _load("sap/hana-shine-xsa/TCURR.csv")
    first = _row(extract, 1)
    assert (first["rate_type"], first["from_currency"], first["to_currency"]) == (
        "100*",
        "EUR",
        "USD",
    )
    assert parse_inverted_date(first["valid_from"]).value == date(2001, 1, 1)
    dates = {parse_inverted_date(r.values["valid_from"]).value for r in extract.rows}
    assert dates == {
        date(2001, 1, 1),
        date(1800, 1, 1),
        date(2008, 1, 1),
        date(2007, 1, 1),
        date(2009, 1, 1),
    }
    negative = [r.values for r in extract.rows if r.values["rate"].startswith("-")]
    assert len(negative) == 296
    euro = next(
        r.values
        for r in extract.rows
        if (r.values["rate_type"], r.values["from_currency"]) == ("EURO", "ATS")
    )
    rate = parse_sap_exchange_rate(euro["rate"], DECIMAL_POINT)
    assert rate is not None
    assert (rate.indirect, str(rate.quoted)) == (True, "13.76030")


def test_tcurc_and_tcurx_keep_codes_as_written() -> None:
    currencies = _load("sap/hana-shine-xsa/TCURC.csv")
    assert _row(currencies, 1) == {
        "client": "000",
        "currency": "ADP",
        "iso_code": "ADP",
        "numeric_code": "020",
        "valid_until": "00000000",
        "primary_flag": "",
    }
    assert sum(1 for r in currencies.rows if r.values["primary_flag"] == "X") == 8
    decimals = _load("sap/hana-shine-xsa/TCURX.csv")
    assert {r.values["currency"]: r.values["decimals"] for r in decimals.rows}["BHD"] == "3"


def test_business_partners_and_texts_of_the_epm_demo() -> None:
    partners = _load("sap/hana-shine-xsa/businessPartner.csv")
    assert partners.encoding == "UTF-8 (BOM)"
    assert next(iter(partners.header_map)) == "partner"
    names = {r.values["partner_name"] for r in partners.rows}
    assert {"Getränkegroßhandel Janssen", "Vente Et Réparation de Ordinateur"} <= names
    assert _row(partners, 2)["address_id"] == "1000000034"
    texts = _load("sap/hana-shine-xsa/texts.csv")
    assert _row(texts, 2)["text"] == "Notebook Basic 15"
    assert "¹" in next(r.values["text"] for r in texts.rows if r.values["text_id"] == "1000000036")


def test_product_master_plant_views() -> None:
    folder = "sap/s4hana-api-sandbox/product-master"
    plant = _load(f"{folder}/product-master-plant-01-sample.json").rows[0].values
    assert (plant["material"], plant["plant"]) == ("D20_EPDM_SMRT_S", "1010")
    assert plant["mrp_type"] == "PD"
    assert (plant["gr_processing_days"], plant["production_storage_location"]) == ("1", "101E")
    scheduling = _load(f"{folder}/product-master-work-scheduling-01-sample.json").rows[0].values
    assert (scheduling["processing_time"], scheduling["production_scheduling_profile"]) == (
        "0.00",
        "",
    )
    area = _load(f"{folder}/product-master-mrp-area-01-sample.json").rows[0].values
    assert (area["mrp_area"], area["mrp_type"]) == ("KANBAN1010", "ND")
    quality = _load(f"{folder}/product-master-quality-01-sample.json").rows[0].values
    assert (quality["post_to_inspection_stock"], quality["maximum_storage_period"]) == (
        "false",
        "0",
    )


def test_ndc_products_and_packages() -> None:
    products = _load("products/fda-ndc/product_trimmed.txt")
    amyvid = _row(products, 3)
    assert amyvid["product_id"] == "0002-1200_4bd46cbe-cdc1-4329-a8e7-22816bd7fc33"
    assert amyvid["routes"] == "INTRALESIONAL; INTRAMUSCULAR;    INTRASYNOVIAL;   SOFT TISSUE"
    assert (amyvid["strengths"], amyvid["strength_units"]) == ("70; 5600; 100", "mg/1; [iU]/1")
    packages = _load("products/fda-ndc/package_trimmed.txt")
    assert _row(packages, 2)["package_ndc"] == "0002-0800-01"
    assert _row(packages, 4)["sample_package"] == "N"


def test_unfinished_ndc_products_in_latin1() -> None:
    extract = _load("products/fda-ndc/unfinished_product.txt")
    assert extract.encoding.startswith("Windows-1252 (not UTF-8: byte 0xE4")
    assert _row(extract, 170)["labeler"] == (
        "Weleda A.G. Schwäbisch Gmünd, Zweigniederlassung der Weled"
    )
    assert _row(extract, 9446)["labeler"] == "Guang’an Kingday Pharma & Chem Co., Ltd."
    assert _row(extract, 21479)["product_ndc"] == "99207-467"
    kinds = {r.values["product_type"] for r in extract.rows}
    assert {"BULK INGREDIENT", "DRUG FOR FURTHER PROCESSING"} <= kinds


def test_drugsfda_products_quotes_zeros_and_ragged_lines() -> None:
    extract = _load("products/drugs-at-fda/Products.txt")
    assert (_row(extract, 2)["application_number"], _row(extract, 2)["product_number"]) == (
        "000004",
        "004",
    )
    assert _row(extract, 1984)["drug_name"] == 'GERMA-MEDICA ""MG""'
    assert _row(extract, 12600)["drug_name"] == 'CLOPRA-""YELLOW""'
    assert extract.long_records == 3
    assert extract.layout.endswith("long-records=3")
    ragged = _row(extract, 34951)
    assert (ragged["application_number"], ragged["reference_standard"]) == ("206029", "")
    applications = _load("products/drugs-at-fda/Applications.txt")
    assert _row(applications, 3) == {
        "application_number": "000159",
        "application_type": "NDA",
        "public_notes": "",
        "sponsor": "LILLY",
    }


def test_the_encoding_fixture_stays_quarantined() -> None:
    path = shared_file("realdata", "products", "fda-ndc", "badutf8.txt")
    parsed = parse_file("products/fda-ndc/badutf8.txt", path.read_bytes())
    assert parsed.extracts == []
    assert parsed.quarantine_reason is not None
    assert "byte 0x80 at byte offset 27" in parsed.quarantine_reason
