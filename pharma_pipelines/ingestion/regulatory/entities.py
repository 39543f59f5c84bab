"""Extract kinds of the public product registers a regulator publishes (US FDA).

The NDC directory (``product.txt``, ``package.txt`` and their unfinished-drug
counterparts) and the Drugs@FDA data files (``Products.txt``, ``Applications.txt``,
``MarketingStatus.txt`` and its lookup) are TAB-separated text without any quoting:
a ``"`` in them is part of the value (``GERMA-MEDICA ""MG""``), so these kinds are
read with quoting off. Keys such as ``ApplNo`` ``000004`` and ``ProductNo`` ``004``
keep their leading zeros; multi-valued fields (routes, substances, strengths joined
with ``; ``) stay one text, exactly as published.
"""

from __future__ import annotations

from pharma_pipelines.ingestion.schema import EntitySpec, FieldSpec, day, key, text


def _register(entity: str, summary: str, *fields: FieldSpec) -> EntitySpec:
    return EntitySpec(entity, fields, summary, quoted=False)


_PRODUCT_ID = key("product_id", "PRODUCTID", required=True)
_PRODUCT_NDC = key("product_ndc", "PRODUCTNDC", required=True)
_START_MARKETING = day("start_marketing_date", "STARTMARKETINGDATE")
_END_MARKETING = day("end_marketing_date", "ENDMARKETINGDATE")
_NDC_EXCLUDE = text("ndc_exclude_flag", "NDC_EXCLUDE_FLAG")
_APPLICATION = key("application_number", "ApplNo", required=True)
_PRODUCT_NUMBER = key("product_number", "ProductNo", required=True)
_MARKETING_STATUS = key("marketing_status", "MarketingStatusID", required=True)

NDC_PRODUCTS = _register(
    "regulatory/ndc_products",
    "NDC directory products: finished drugs and unfinished drugs such as bulk ingredients",
    _PRODUCT_ID,
    _PRODUCT_NDC,
    text("product_type", "PRODUCTTYPENAME"),
    text("proprietary_name", "PROPRIETARYNAME"),
    text("proprietary_name_suffix", "PROPRIETARYNAMESUFFIX"),
    text("nonproprietary_name", "NONPROPRIETARYNAME"),
    text("dosage_form", "DOSAGEFORMNAME"),
    text("routes", "ROUTENAME"),
    _START_MARKETING,
    _END_MARKETING,
    text("marketing_category", "MARKETINGCATEGORYNAME"),
    key("application_number", "APPLICATIONNUMBER"),
    text("labeler", "LABELERNAME"),
    text("substances", "SUBSTANCENAME"),
    text("strengths", "ACTIVE_NUMERATOR_STRENGTH"),
    text("strength_units", "ACTIVE_INGRED_UNIT"),
    text("pharm_classes", "PHARM_CLASSES"),
    key("dea_schedule", "DEASCHEDULE"),
    _NDC_EXCLUDE,
    day("listing_certified_through", "LISTING_RECORD_CERTIFIED_THROUGH"),
)

NDC_PACKAGES = _register(
    "regulatory/ndc_packages",
    "NDC directory packages of finished and unfinished drugs, by NDC package code",
    _PRODUCT_ID,
    _PRODUCT_NDC,
    key("package_ndc", "NDCPACKAGECODE", required=True),
    text("package_description", "PACKAGEDESCRIPTION"),
    _START_MARKETING,
    _END_MARKETING,
    _NDC_EXCLUDE,
    text("sample_package", "SAMPLE_PACKAGE"),
)

DRUGSFDA_PRODUCTS = _register(
    "regulatory/drugsfda_products",
    "Drugs@FDA approved products per application: form, strength, ingredients",
    _APPLICATION,
    _PRODUCT_NUMBER,
    text("form_route", "Form"),
    text("strength", "Strength"),
    text("reference_drug", "ReferenceDrug"),
    text("drug_name", "DrugName"),
    text("active_ingredient", "ActiveIngredient"),
    text("reference_standard", "ReferenceStandard"),
)

DRUGSFDA_APPLICATIONS = _register(
    "regulatory/drugsfda_applications",
    "Drugs@FDA applications (NDA, ANDA, BLA) and their sponsors",
    _APPLICATION,
    key("application_type", "ApplType"),
    text("public_notes", "ApplPublicNotes"),
    text("sponsor", "SponsorName"),
)

DRUGSFDA_MARKETING_STATUS = _register(
    "regulatory/drugsfda_marketing_status",
    "Drugs@FDA marketing status of each product of an application",
    _MARKETING_STATUS,
    _APPLICATION,
    _PRODUCT_NUMBER,
)

DRUGSFDA_MARKETING_STATUS_CODES = _register(
    "regulatory/drugsfda_marketing_status_codes",
    "Drugs@FDA marketing status codes and what they mean",
    _MARKETING_STATUS,
    text("description", "MarketingStatusDescription", required=True),
)

TABULAR_SPECS = (
    NDC_PRODUCTS,
    NDC_PACKAGES,
    DRUGSFDA_PRODUCTS,
    DRUGSFDA_APPLICATIONS,
    DRUGSFDA_MARKETING_STATUS,
    DRUGSFDA_MARKETING_STATUS_CODES,
)
