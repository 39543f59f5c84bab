"""The asset catalogue reads well: from the Dagster UI alone, a data steward can tell what
each table is, where it comes from, who owns it and which layer and group it belongs to.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from pharma_pipelines.assets.raw import SOURCE_SYSTEMS
from pharma_pipelines.definitions import build_definitions
from pharma_pipelines.settings import PlatformSettings

LAYERS = ("landing", "raw", "curated", "planning", "quality")
# Dagster shows two kinds of owner: a team ("team:<name>") or a person's e-mail address.
OWNER = re.compile(r"^(team:[A-Za-z0-9_-]+|[^@\s]+@[^@\s]+\.[A-Za-z]+)$")
# Long enough to say what a row is and where it comes from, not just repeat the key.
MIN_DESCRIPTION_WORDS = 15

graph = build_definitions(PlatformSettings(plants=["0100"])).resolve_asset_graph()
NODES = [graph.get(key) for key in sorted(graph.get_all_asset_keys(), key=str)]


@pytest.mark.parametrize("node", [pytest.param(n, id=n.key.to_user_string()) for n in NODES])
def test_every_asset_has_a_description_owner_group_kinds_and_layer(node):
    name = node.key.to_user_string()
    layer = node.key.path[0]
    assert layer in LAYERS, f"{name}: the key's first part names no layer of {LAYERS}"
    assert node.tags.get("layer") == layer, f"{name}: tag layer={node.tags.get('layer')!r}"
    # Groups match the key prefixes; raw assets are grouped by source system.
    expected_group = f"raw_{node.key.path[1]}" if layer == "raw" else layer
    assert node.group_name == expected_group, f"{name}: group {node.group_name!r}"
    assert node.owners, f"{name} has no owner"
    assert all(OWNER.match(owner) for owner in node.owners), f"{name}: owners {node.owners}"
    assert node.kinds, f"{name} has no kinds"
    words = len((node.description or "").split())
    assert words >= MIN_DESCRIPTION_WORDS, f"{name}: description of {words} words"


@pytest.mark.parametrize(
    "node",
    [pytest.param(n, id=n.key.to_user_string()) for n in NODES if n.key.path[0] == "raw"],
)
def test_a_raw_asset_names_its_source_system(node):
    source = node.key.path[1]
    assert node.tags.get("source") == source
    assert SOURCE_SYSTEMS[source] in (node.description or "")


def test_no_two_assets_share_a_description():
    counts = Counter(node.description for node in NODES)
    shared = {text[:80]: count for text, count in counts.items() if count > 1}
    assert not shared, f"descriptions used by several assets: {shared}"
