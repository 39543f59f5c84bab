"""The deletion filter and the capacity pre-check, with a fake feasibility oracle where needed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pharma_pipelines.scheduling import SchedulingProblem
from pharma_pipelines.scheduling.diagnosis import (
    ConflictKind,
    describe_conflict_set,
    find_conflict_set,
    precheck,
)

PlantData = Callable[..., dict[str, Any]]


def _clash_oracle(clash: set[str]) -> Callable[[SchedulingProblem, float], bool | None]:
    """Infeasible exactly when every order of ``clash`` is present."""

    def oracle(problem: SchedulingProblem, seconds: float) -> bool | None:
        return not clash <= {order.id for order in problem.orders}

    return oracle


def test_deletion_filter_keeps_only_the_clashing_orders(plant: SchedulingProblem) -> None:
    found = find_conflict_set(plant, _clash_oracle({"O1", "O3"}), budget_s=10.0)
    assert found is not None
    assert found.orders == ("O1", "O3")
    assert found.minimal


def test_unknown_answers_keep_the_order(plant: SchedulingProblem) -> None:
    def undecided(problem: SchedulingProblem, seconds: float) -> bool | None:
        return None

    found = find_conflict_set(plant, undecided, budget_s=10.0)
    assert found is not None
    assert found.orders == ("O1", "O2", "O3")


def test_no_budget_no_answer(plant: SchedulingProblem) -> None:
    assert find_conflict_set(plant, _clash_oracle({"O1"}), budget_s=0.0) is None


def test_conflict_description_lists_the_facts(plant: SchedulingProblem) -> None:
    found = find_conflict_set(plant, _clash_oracle({"O2", "O3"}), budget_s=10.0)
    assert found is not None
    conflict = describe_conflict_set(plant, found)
    assert conflict.kind is ConflictKind.CONFLICT_SET
    assert conflict.lines == ("L1", "L2")
    assert "O2 (B) released 15, horizon 100, processing L1 8" in conflict.message
    assert "O3 (A) released 0, deadline 80, processing L2 10" in conflict.message


def test_a_feasible_plant_passes_the_prechecks(plant: SchedulingProblem) -> None:
    assert precheck(plant) == []


def test_capacity_counts_changeovers_between_products(plant_data: PlantData) -> None:
    """O2 (B, 8) and a second B order need 5 + 2 changeover on L1 by 20: 23 > 20."""
    data = plant_data()
    data["orders"][1].update(release=0, deadline=20)
    data["orders"].append({"id": "O4", "product": "B", "deadline": 20, "proc": {"L1": 8}})
    data["orders"][0]["proc"] = {"L2": 12}
    conflicts = precheck(SchedulingProblem.model_validate(data))
    assert [c.kind for c in conflicts] == [ConflictKind.LINE_CAPACITY]
    assert conflicts[0].orders == ("O2", "O4")
    assert (
        "16 min processing + at least 7 min changeover before them = 23 min" in conflicts[0].message
    )
    assert "available for only 20 min" in conflicts[0].message
