"""The requirements register: its shape, and the refusals that name what is wrong."""

from __future__ import annotations

import pytest

from pharma_pipelines.traceability import RegisterError, Risk, load_register, parse_register
from tests.conftest import PROJECT_ROOT

ONE = """
[[requirement]]
id = "URS-001"
title = "A title"
text = "What the platform must do."
risk = "high"
assets = ["raw/sap/*"]
"""


def test_the_repository_register_loads_with_unique_ids_in_order():
    register = load_register(PROJECT_ROOT / "requirements" / "urs.toml")
    ids = list(register.ids)
    assert ids == sorted(ids)
    assert ids == [f"URS-{n:03d}" for n in range(1, len(ids) + 1)]
    for requirement in register.requirements:
        assert requirement.implemented_by.by_kind(), requirement.id
        assert requirement.text.endswith("."), requirement.id


def test_a_requirement_reads_as_written():
    [requirement] = parse_register(ONE, "urs.toml").requirements
    assert (requirement.id, requirement.risk, requirement.implemented_by.assets) == (
        "URS-001",
        Risk.HIGH,
        ("raw/sap/*",),
    )
    assert (requirement.scenarios_needed, requirement.needs_negative) == (2, True)


def test_the_risk_decides_the_proof_needed():
    for risk, needed in (("medium", 1), ("low", 1)):
        [requirement] = parse_register(ONE.replace('"high"', f'"{risk}"'), "u").requirements
        assert (requirement.scenarios_needed, requirement.needs_negative) == (needed, False)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('id = "URS-001"', 'id = "URS-1"'), "urs.toml, URS-1: the id 'URS-1' does not have"),
        (('risk = "high"', 'risk = "severe"'), "risk 'severe' is not one of high, medium, low"),
        (('title = "A title"', 'title = ""'), "'title' must be a non-empty string"),
        (('assets = ["raw/sap/*"]', 'asets = ["raw/sap/*"]'), "unknown key(s) asets; allowed:"),
        (('assets = ["raw/sap/*"]', "assets = []"), "names nothing that implements it"),
        (('assets = ["raw/sap/*"]', 'assets = "raw/sap/*"'), "'assets' must be a list"),
    ],
)
def test_a_broken_entry_is_refused_naming_the_entry_and_the_rule(change, message):
    with pytest.raises(RegisterError, match=r"urs\.toml") as raised:
        parse_register(ONE.replace(*change), "urs.toml")
    assert message in str(raised.value)


def test_an_id_listed_twice_is_refused():
    with pytest.raises(RegisterError, match="URS-001 is listed twice"):
        parse_register(ONE + ONE, "urs.toml")


def test_not_toml_and_an_empty_register_are_refused(tmp_path):
    with pytest.raises(RegisterError, match="is not valid TOML"):
        parse_register("[[requirement]\n", "urs.toml")
    with pytest.raises(RegisterError, match="holds no \\[\\[requirement\\]\\] table"):
        parse_register("", "urs.toml")
    with pytest.raises(RegisterError, match="cannot read the requirements register"):
        load_register(tmp_path / "missing.toml")
