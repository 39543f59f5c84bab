"""Links into the Dagster UI: a check's detail on its asset page, and a run."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote, urlencode


def check_url(base_url: str | None, asset_path: Sequence[str], check: str) -> str | None:
    """The asset's Checks tab with the check opened, or ``None`` without a base URL."""
    if not base_url:
        return None
    path = "/".join(quote(part, safe="") for part in asset_path)
    query = urlencode({"view": "checks", "checkDetail": check})
    return f"{base_url.rstrip('/')}/assets/{path}?{query}"


def run_url(base_url: str | None, run_id: str) -> str | None:
    if not base_url or not run_id:
        return None
    return f"{base_url.rstrip('/')}/runs/{quote(run_id, safe='')}"
