"""LIMS extract kinds and their header variants.

A result value is never a number field here: ``<0.05``, ``Complies`` and
``0,8`` are all valid results and stay text (see
:func:`pharma_pipelines.values.parse_lab_result`). Specification
limits are numbers, because a limit that is not a number can never be
compared with.

Analysis services and sample types come only from a SENAITE setup workbook
(see :mod:`pharma_pipelines.ingestion.lims.setup_workbook`); their variants are
that workbook's column keys and labels, and no other table is matched against
them, so a stray ``Title`` column elsewhere never makes a file one of them.
"""

from __future__ import annotations

from pharma_pipelines.ingestion.schema import EntitySpec, day, key, number, text

_SAMPLE_ID = ("Sample ID", "SampleID", "sample", "Sample No", "Sample Number")
_BATCH = ("Batch", "Lot", "batch_id", "Lot Number", "Batch Number")
_TEST = ("Test", "Analysis", "Keyword", "analysis_keyword", "test_code", "Test Code")
# original, re-sample, retain, stability...: the sample's role, kept as the LIMS writes it
_SAMPLE_TYPE = ("Sample Type", "SampleType", "Sample Kind")

SAMPLES = EntitySpec(
    "lims/samples",
    (
        key("sample_id", *_SAMPLE_ID, required=True),
        key("batch", *_BATCH, required=True),
        key("material", "Material", "Product"),
        text("sample_type", *_SAMPLE_TYPE),
        day("sampled_on", "Date Sampled", "DateSampled", "sampled_on", "Sampling Date"),
        text("sample_point", "Sample Point", "SamplePoint"),
        text("status", "Sample Status", "Review State"),
        key("resample_of", "Resample Of", "Re-sample Of", "Original Sample", "Parent Sample"),
    ),
    "samples drawn from batches",
)

RESULTS = EntitySpec(
    "lims/results",
    (
        key("sample_id", *_SAMPLE_ID),
        key("batch", *_BATCH, required=True),
        key("test", *_TEST, required=True),
        text("test_name", "Test Name", "test_name", "Analysis Name"),
        text("result", "Result", "Value", "raw_result", "result_raw", "Result Raw", required=True),
        text("unit", "Unit"),
        day(
            "result_date",
            "Result Date",
            "ResultCaptureDate",
            "tested_on",
            "Analysed At",
            "Analyzed At",
            "Analysis Date",
            "Date Analysed",
            "Result Date Time",
        ),
        number("spec_min", "Min", "spec_min", "Lower Limit"),
        number("spec_max", "Max", "spec_max", "Upper Limit"),
        text("text_spec", "Text Spec", "text_spec", "spec_text", "Expected"),
        text("analyst", "Analyst", "Tested By"),
        text("status", "Result Status", "Review State", "Status", "Analysis Status"),
        # Retests and invalidations: run numbers and flags stay text, so an odd value ("R2",
        # "J") never costs a result its row; the curated layer reads them.
        key("result_id", "Result ID", "ResultID", "Result No", "Analysis ID"),
        text("run", "Run", "Run No", "Run Number", "Replicate", "Replicate No", "Test Run"),
        text("retest", "Retest", "Is Retest", "Retest Flag"),
        key("retest_of", "Retest Of", "RetestOf", "Retest of Result", "Original Result"),
        text("valid", "Valid", "Is Valid"),
        text("invalidated", "Invalidated", "Invalidated On", "Is Invalidated"),
        text(
            "invalidation_reason",
            "Invalidation Reason",
            "Invalidation Comment",
            "Reason for Invalidation",
            "Retraction Reason",
        ),
        text("sample_type", *_SAMPLE_TYPE),
        # Filled by the instrument report readers; as canonical names they also match a
        # results table that has such columns.
        text("measured_at"),
        text("instrument"),
        text("method"),
        text("flag"),
        text("block"),
    ),
    "one QC result per row (long layout); spec columns, when present, are kept",
)

RESULTS_WIDE = EntitySpec(
    "lims/results_wide",
    (key("batch", "batch", "Batch", "Lot", required=True),),
    "one batch per row, one test per column (each test column kept under its header)",
)

SPECIFICATIONS = EntitySpec(
    "lims/specifications",
    (
        key("material", "Material", "Product", required=True),
        key("test", *_TEST, required=True),
        number("spec_min", "Min", "spec_min", "Lower Limit"),
        number("spec_max", "Max", "spec_max", "Upper Limit"),
        text("text_spec", "Text Spec", "text_spec", "spec_text", "Expected"),
        text("unit", "Unit"),
        text("release_relevant", "Release Relevant", "release_relevant"),
        text("version", "Spec Version", "Specification Version"),
        number("tolerance_percent", "Tolerance %"),
        # A client-specific specification overrides the general one for that client only.
        text("client", "Client"),
    ),
    "release specification limits per material and test",
)

BATCH_DISPOSITION = EntitySpec(
    "lims/batch_disposition",
    (
        key("batch", *_BATCH, required=True),
        key("material", "Material", "Product"),
        text("disposition", "Disposition", "Status", "Usage Decision", required=True),
        day("decided_on", "Decision Date", "decided_on"),
        text("decided_by", "Decided By", "QP", "decided_by"),
    ),
    "QA disposition (release, reject, quarantine) of batches",
)

BATCH_SIZE_NORMALISATION = EntitySpec(
    "lims/batch_size_normalisation",
    (
        key("product_code", "Product code", required=True),
        number("batch_size", "Batch Size (tablets)", "Batch Size", required=True),
        number(
            "normalisation_factor", "Normalisation factor", "Normalization factor", required=True
        ),
    ),
    "batch size (tablets) of each product code and the factor that scales results to it",
)

ANALYSIS_SERVICES = EntitySpec(
    "lims/analysis_services",
    (
        key("keyword", "Keyword", required=True),
        text("title", "title", required=True),
        text("short_title", "ShortTitle", "Short Title"),
        text("category", "AnalysisCategory_title", "Analysis category"),
        text("unit", "Unit"),
        number("precision", "Precision"),
        number("lower_detection_limit", "LowerDetectionLimit", "LDL"),
        number("upper_detection_limit", "UpperDetectionLimit", "UDL"),
        text("method", "DefaultMethod_title", "Default Method"),
        text("instrument", "DefaultInstrument_title", "Default Instrument"),
        text("calculation", "Calculation_title", "Calculation"),
        text("accredited", "Accredited"),
    ),
    "analysis services (test methods): keyword, unit, precision and detection limits",
)

SAMPLE_TYPES = EntitySpec(
    "lims/sample_types",
    (
        text("sample_type", "title", required=True),
        text("description", "description"),
        number("retention_days", "RetentionPeriod", "Retention period (days)"),
        text("hazardous", "Hazardous"),
        text("matrix", "SampleMatrix_title", "Sample matrix"),
        key("prefix", "Prefix"),
        text("minimum_volume", "MinimumVolume", "Minimum volume or weight"),
        text("container_type", "ContainerType_title", "Container type"),
    ),
    "sample types: retention, matrix, ID prefix, minimum volume and container",
)

TABULAR_SPECS = (SAMPLES, RESULTS, SPECIFICATIONS, BATCH_DISPOSITION, BATCH_SIZE_NORMALISATION)
"""Kinds matched by header; ``results_wide`` is matched only when none of these fits."""

SETUP_SPECS = (ANALYSIS_SERVICES, SAMPLE_TYPES)
"""Kinds read only from a SENAITE setup workbook, never matched by a header."""

SETUP_WORKBOOK = "lims/setup_workbook"
"""The classification of a SENAITE setup workbook; it yields the kinds below."""

SETUP_WORKBOOK_ENTITIES = (SPECIFICATIONS.entity, ANALYSIS_SERVICES.entity, SAMPLE_TYPES.entity)
