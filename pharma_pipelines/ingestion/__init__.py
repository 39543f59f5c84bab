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
from pharma_pipelines.ingestion.kinds import EMAIL_KIND, ENTITIES, SOURCES
from pharma_pipelines.ingestion.model import (
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
    "EMAIL_KIND",
    "ENTITIES",
    "SOURCES",
    "Classification",
    "ExtractedAttachment",
    "NotColumnarError",
    "ParsedExtract",
    "ParsedFile",
    "RawRow",
    "RowReject",
    "TypedExtract",
    "classify",
    "content_hash",
    "parse_file",
    "read_typed",
    "typed_extract",
]
