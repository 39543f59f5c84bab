"""Ingestion: SAP, LIMS and Outlook files to raw rows that keep every value as text.

The bounded context imports neither Dagster nor any other context. The asset
layer calls :func:`parse_file` for each landed file and stores its extracts
(rows, rejects, lineage) and attachments; :func:`classify` answers "what is
this file" without reading its rows. :func:`read_typed` and :func:`typed_extract`
give an extract's values typed, in an Arrow table (see
:mod:`pharma_pipelines.ingestion.columnar`). Value parsers shared with the curated
layer live in :mod:`pharma_pipelines.values`.
"""

from pharma_pipelines.ingestion.columnar import (
    NotColumnarError,
    TypedExtract,
    read_typed,
    typed_extract,
)
from pharma_pipelines.ingestion.kinds import (
    BUNDLE_KINDS,
    EMAIL_KIND,
    ENTITIES,
    SOURCES,
    kind_summary,
)
from pharma_pipelines.ingestion.limits import DEFAULT_LIMITS, ReadLimits
from pharma_pipelines.ingestion.model import (
    REJECT_RULES,
    Classification,
    ExtractedAttachment,
    ParsedExtract,
    ParsedFile,
    RawRow,
    RowReject,
    content_hash,
)
from pharma_pipelines.ingestion.parse import classify, parse_file

__all__ = [
    "BUNDLE_KINDS",
    "DEFAULT_LIMITS",
    "EMAIL_KIND",
    "ENTITIES",
    "REJECT_RULES",
    "SOURCES",
    "Classification",
    "ExtractedAttachment",
    "NotColumnarError",
    "ParsedExtract",
    "ParsedFile",
    "RawRow",
    "ReadLimits",
    "RowReject",
    "TypedExtract",
    "classify",
    "content_hash",
    "kind_summary",
    "parse_file",
    "read_typed",
    "typed_extract",
]
