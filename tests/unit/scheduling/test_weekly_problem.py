"""The weekly problem: reading the planners' format, validation messages, round trip, hash."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from pharma_pipelines.scheduling.weekly import (
    WeeklyFormatError,
    WeeklyProblem,
    is_weekly_document,
    read_weekly_problem,
    sniff_weekly_file,
    weekly_problem_from_dict,
)
from tests.unit.scheduling.weekly_support import plant, tiny_plant


def _error(document: dict[str, Any]) -> str:
    with pytest.raises(WeeklyFormatError) as caught:
        weekly_problem_from_dict(document, where="plant.json")
    return str(caught.value)


@pytest.mark.parametrize("case", ["BR-18", "BR-19"])
def test_the_cases_load_as_they_are(cases_dir: Path, case: str) -> None:
    path = cases_dir / case / "instance.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    problem = read_weekly_problem(path)
    assert sniff_weekly_file(path)
    assert [order.id for order in problem.orders] == [o["id"] for o in document["orders"]]
    assert problem.model == document["model"]
    assert problem.ignored_entries() == []
    assert weekly_problem_from_dict(problem.to_document()) == problem
    assert problem.to_document()["orders"] == [
        {"tardiness_cost": 0.0, **order} for order in document["orders"]
    ]


def test_br18_families_include_pwd_with_its_setup(cases_dir: Path) -> None:
    problem = read_weekly_problem(cases_dir / "BR-18" / "instance.json")
    assert problem.family("PWD").setup_hours == 5
    assert problem.family("PWD").setup_cost == 380
    assert {order.family for order in problem.orders} <= {f.id for f in problem.families}


def test_accessors_follow_the_format() -> None:
    problem = WeeklyProblem.model_validate(plant())
    assert problem.window("P1") == (0, 1)
    assert problem.window("P2") == (1, 1)
    assert problem.window("P3") == (0, 1)
    assert problem.lateness_cost("P1", "W2") == 30
    assert problem.lateness_cost("P1", "W1") == 0
    assert problem.open_cost("L2", "W2") == 70
    assert problem.open_cost("L2", "W1") == 0
    assert problem.slots("P2") == [("L1", "W2"), ("L2", "W2")]
    assert problem.slots("P3") == [("L2", "W1"), ("L2", "W2")]


def test_a_bucket_too_small_for_order_and_setup_is_no_slot() -> None:
    document = plant()
    document["orders"][2]["hours"] = {"L2": 17}
    problem = WeeklyProblem.model_validate(document)
    assert problem.slots("P3") == []


def test_json_round_trip_and_hash() -> None:
    problem = WeeklyProblem.model_validate(plant())
    again = WeeklyProblem.from_json(problem.to_json())
    assert again == problem
    assert again.content_hash() == problem.content_hash()
    reordered = {key: plant()[key] for key in reversed(list(plant()))}
    reordered["lines"][0] = dict(reversed(list(reordered["lines"][0].items())))
    assert WeeklyProblem.model_validate(reordered).content_hash() == problem.content_hash()
    changed = plant()
    changed["lines"][0]["capacity_hours"]["W2"] = 39
    assert WeeklyProblem.model_validate(changed).content_hash() != problem.content_hash()


def test_the_document_reads_back_equal() -> None:
    problem = WeeklyProblem.model_validate(plant())
    assert weekly_problem_from_dict(problem.to_document()) == problem


def test_an_unknown_family_is_rejected_with_the_families_listed() -> None:
    document = plant()
    document["orders"][0]["family"] = "PWD"
    message = _error(document)
    assert message.startswith("plant.json: not a valid weekly problem")
    assert "order P1 names family 'PWD'" in message
    assert "not under families (A, B)" in message


def test_a_missing_capacity_names_line_and_period() -> None:
    document = plant()
    del document["lines"][1]["capacity_hours"]["W2"]
    message = _error(document)
    assert "line L2 has no capacity_hours for W2" in message
    assert "0 for a closed one" in message


def test_periods_outside_the_plan_are_kept_but_ignored() -> None:
    document = plant()
    document["lines"][0]["capacity_hours"]["W3"] = 40
    document["lines"][1]["open_cost"]["W0"] = 5
    problem = WeeklyProblem.model_validate(document)
    assert problem.ignored_entries() == [
        "line L1 capacity_hours W3",
        "line L2 open_cost W0",
    ]
    assert WeeklyProblem.from_json(problem.to_json()) == problem


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("due", "W9", "order P2 has due 'W9', which is not a period; periods are W1, W2"),
        ("release", "w2", "order P2 has release 'w2', which is not a period"),
        ("deadline", "", "order P2 has deadline '', which is not a period"),
    ],
)
def test_unknown_periods_are_named(field: str, value: str, expected: str) -> None:
    document = plant()
    document["orders"][1][field] = value
    assert expected in _error(document)


def test_unknown_line_in_hours_is_named() -> None:
    document = plant()
    document["orders"][1]["hours"]["L7"] = 3
    assert "order P2 lists line 'L7' in hours; lines are L1, L2" in _error(document)


def test_bad_numbers_are_located_by_id() -> None:
    document = plant()
    document["orders"][2]["hours"]["L2"] = 0
    document["families"][1]["setup_hours"] = -1
    document["lines"][0]["capacity_hours"]["W1"] = float("nan")
    message = _error(document)
    assert "order P3, hours.L2: Input should be greater than 0 (got 0)" in message
    assert "family B, setup_hours: Input should be greater than or equal to 0 (got -1)" in message
    assert "line L1, capacity_hours.W1" in message


def test_duplicates_are_rejected() -> None:
    document = plant()
    document["orders"].append(copy.deepcopy(document["orders"][0]))
    document["periods"].append("W1")
    message = _error(document)
    assert "order id P1 appears 2 times; order ids must be unique" in message
    assert "period id W1 appears 2 times" in message


def test_unknown_keys_are_rejected() -> None:
    document = plant()
    document["orders"][1]["priority"] = 3
    document["horizon"] = 5
    message = _error(document)
    assert "order P2, priority: Extra inputs are not permitted (got 3)" in message
    assert "horizon: Extra inputs are not permitted (got 5)" in message


def test_missing_fields_are_named() -> None:
    document = plant()
    del document["families"][0]["setup_cost"]
    del document["orders"][0]["due"]
    message = _error(document)
    assert "family A, setup_cost: Field required" in message
    assert "order P1, due: Field required" in message


def test_an_order_without_lines_is_well_formed() -> None:
    document = plant()
    document["orders"][0]["hours"] = {}
    problem = WeeklyProblem.model_validate(document)
    assert problem.slots("P1") == []


def test_not_an_object_and_not_json(tmp_path: Path) -> None:
    with pytest.raises(WeeklyFormatError, match="top level is a list"):
        weekly_problem_from_dict([1, 2])
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(WeeklyFormatError, match="not JSON"):
        read_weekly_problem(broken)
    assert not sniff_weekly_file(broken)
    assert not sniff_weekly_file(tmp_path / "absent.json")


def test_format_recognition() -> None:
    assert is_weekly_document(plant())
    assert is_weekly_document(tiny_plant(3))
    bench_like = {"format": "pharma-sched-bench/1", "lines": [{"id": "L1"}], "orders": []}
    assert not is_weekly_document(bench_like)
    no_families = {key: value for key, value in plant().items() if key != "families"}
    assert not is_weekly_document(no_families)
    assert not is_weekly_document([plant()])


def test_restricted_keeps_orders_and_lifts_capacities() -> None:
    problem = WeeklyProblem.model_validate(plant())
    smaller = problem.restricted(["P1", "P3"], [("L2", "W1")])
    assert [order.id for order in smaller.orders] == ["P1", "P3"]
    assert smaller.capacity("L2", "W1") > sum(
        max(order.hours.values()) for order in problem.orders
    ) + sum(family.setup_hours for family in problem.families)
    assert smaller.capacity("L2", "W2") == 20
    assert smaller.has_order("P3")
    assert not smaller.has_order("P2")
