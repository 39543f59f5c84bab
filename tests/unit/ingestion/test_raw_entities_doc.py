"""docs/raw-entities.md and the kind specs in code must not drift apart."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pharma_pipelines.ingestion.kinds import ALL_SPECS
from pharma_pipelines.ingestion.sap.customizing import HEADERLESS_SPECS

DOC = Path(__file__).resolve().parents[3] / "docs" / "raw-entities.md"
_SECTION = re.compile(r"^## .*\(`raw/(?P<source>[a-z]+)/\.\.\.`\)")
_ROW = re.compile(
    r"^\| (?:`(?P<entity>[a-z_]+)`)? *\| `(?P<field>[a-z_0-9]+)`(?P<req>\*?) "
    r"\((?P<kind>\w+)\) \| (?P<variants>.*) \|$"
)


def _documented() -> dict[tuple[str, str], tuple[bool, str, str]]:
    if not DOC.is_file():
        pytest.skip(f"{DOC} is not available")
    rows: dict[tuple[str, str], tuple[bool, str, str]] = {}
    source = entity = ""
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if section := _SECTION.match(line):
            source = section["source"]
            continue
        row = _ROW.match(line)
        if row is None or not source:
            continue
        entity = f"{source}/{row['entity']}" if row["entity"] else entity
        rows[(entity, row["field"])] = (bool(row["req"]), row["kind"], row["variants"])
    return rows


def test_every_field_of_every_kind_is_documented_as_coded() -> None:
    documented = _documented()
    coded: dict[tuple[str, str], tuple[bool, str, str]] = {}
    for spec in ALL_SPECS:
        for position, field in enumerate(spec.fields, start=1):
            if spec in HEADERLESS_SPECS:
                variants = f"column {position} ({field.variants[0]})"
            elif field.variants:
                variants = ", ".join(field.variants)
            else:
                variants = documented.get((spec.entity, field.name), (False, "", ""))[2]
            coded[(spec.entity, field.name)] = (field.required, field.kind.value, variants)
    assert documented == coded
