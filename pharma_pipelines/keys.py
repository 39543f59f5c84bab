"""Asset keys, shared by the assets that define them and the sensors that request them."""

from __future__ import annotations

import dagster as dg

from pharma_pipelines.ingestion import BUNDLE_KINDS, SOURCES

INVENTORY_KEY = dg.AssetKey(["landing", "file_inventory"])
PROBLEM_KEY = dg.AssetKey(["planning", "scheduling_problem"])
SCHEDULE_KEY = dg.AssetKey(["planning", "production_schedule"])
DISPOSITIONS_KEY = dg.AssetKey(["quality", "check_dispositions"])
STEWARD_DIGEST_KEY = dg.AssetKey(["quality", "steward_digest"])
OUTLOOK_ENTITIES: tuple[str, ...] = tuple(SOURCES["outlook"])
SINGLE_FILE_ENTITIES: tuple[str, ...] = tuple(
    entity for source, entities in SOURCES.items() if source != "outlook" for entity in entities
)


def raw_key(entity: str) -> dg.AssetKey:
    source, name = entity.split("/", 1)
    return dg.AssetKey(["raw", source, name])


def curated_key(name: str) -> dg.AssetKey:
    return dg.AssetKey(["curated", name])


def file_entities(kind: str | None) -> tuple[str, ...]:
    """The single-file raw entities a landed file of ``kind`` loads into.

    A file is usually one kind; a bundle (a LIMS setup workbook) yields several.
    """
    if kind in SINGLE_FILE_ENTITIES:
        return (kind,)
    return BUNDLE_KINDS.get(kind or "", ())


def assets_for_kind(kind: str | None) -> list[dg.AssetKey]:
    """The assets one landed file of ``kind`` needs: the inventory and its raw asset(s)."""
    if kind is None:
        return [INVENTORY_KEY]
    if kind.startswith("outlook/"):
        return [INVENTORY_KEY, *(raw_key(entity) for entity in OUTLOOK_ENTITIES)]
    return [INVENTORY_KEY, *(raw_key(entity) for entity in file_entities(kind))]
