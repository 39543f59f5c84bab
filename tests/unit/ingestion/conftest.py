"""Shared helpers for the ingestion unit tests.

Inline fixtures make every rule testable without ``/work/shared``; tests that
read the shared cases or real files skip when that folder is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pharma_pipelines.ingestion import ParsedExtract, ParsedFile, parse_file
from pharma_pipelines.ingestion.encoding import has_damage

SHARED = Path(__file__).resolve().parents[4] / "shared"
CASES = SHARED / "cases"
REALDATA = SHARED / "realdata"


def shared_file(*parts: str) -> Path:
    """A file under the shared folder, or skip the test when it is not there."""
    path = SHARED.joinpath(*parts)
    if not path.is_file():
        pytest.skip(f"{path} is not available")
    return path


def parse_text(relative_path: str, text: str, encoding: str = "utf-8") -> ParsedFile:
    return parse_file(relative_path, text.encode(encoding))


def assert_storable(parsed: ParsedFile) -> None:
    """No key or value can break a text column: no kept-back bytes, no NUL."""
    for extract in parsed.extracts:
        for row in extract.rows:
            for text in (*row.values, *row.values.values()):
                assert not has_damage(text), (parsed.relative_path, text)
                assert "\x00" not in text, (parsed.relative_path, text)
        for reject in extract.rejects:
            for text in (reject.reason, reject.raw_value or "", reject.column or ""):
                assert not has_damage(text), (parsed.relative_path, text)
                assert "\x00" not in text, (parsed.relative_path, text)


def only_extract(parsed: ParsedFile) -> ParsedExtract:
    assert parsed.quarantine_reason is None, parsed.quarantine_reason
    assert len(parsed.extracts) == 1, [e.entity for e in parsed.extracts]
    return parsed.extracts[0]
