"""Every extract kind the ingestion context can produce, grouped by source system."""

from __future__ import annotations

from pharma_pipelines.ingestion.lims import entities as lims
from pharma_pipelines.ingestion.outlook import entities as outlook
from pharma_pipelines.ingestion.regulatory import entities as regulatory
from pharma_pipelines.ingestion.sap import entities as sap
from pharma_pipelines.ingestion.sap.customizing import HEADERLESS_SPECS
from pharma_pipelines.ingestion.schema import EntitySpec

EMAIL_KIND = "outlook/email"
"""The classification of an e-mail file; it yields messages, attachments and lines."""

HEADER_SPECS: tuple[EntitySpec, ...] = (
    *sap.TABULAR_SPECS,
    *lims.TABULAR_SPECS,
    *outlook.LINE_SPECS,
    *regulatory.TABULAR_SPECS,
)
"""Kinds recognised by a header row (or by API property names)."""

ALL_SPECS: tuple[EntitySpec, ...] = (
    *HEADER_SPECS,
    *HEADERLESS_SPECS,
    lims.RESULTS_WIDE,
    *lims.SETUP_SPECS,
    outlook.MESSAGES,
    outlook.ATTACHMENTS,
)

BUNDLE_KINDS: dict[str, tuple[str, ...]] = {lims.SETUP_WORKBOOK: lims.SETUP_WORKBOOK_ENTITIES}
"""Classifications of single files that yield several kinds (outside Outlook), and those kinds."""

SPECS_BY_ENTITY = {spec.entity: spec for spec in ALL_SPECS}


def kind_summary(entity: str) -> str:
    """What one extract kind holds, in a phrase naming its source tables or API."""
    return SPECS_BY_ENTITY[entity].summary


ENTITIES: tuple[str, ...] = tuple(spec.entity for spec in ALL_SPECS)

SOURCES: dict[str, tuple[str, ...]] = {
    source: tuple(e for e in ENTITIES if e.startswith(f"{source}/"))
    for source in dict.fromkeys(spec.source for spec in ALL_SPECS)
}
"""Extract kinds by source system, in the order the systems are first named above."""

SOURCE_FOLDERS = ("sap", "lims", "outlook", "regulatory")


def path_hint(relative_path: str) -> str | None:
    """The source system the top folder names, if any."""
    top = relative_path.replace("\\", "/").lstrip("/").split("/", 1)[0].lower()
    return top if top in SOURCE_FOLDERS else None
