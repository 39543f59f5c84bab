"""SchedulingProblem: validation messages, helpers, JSON round trip and content hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from pharma_pipelines.scheduling import SchedulingProblem

PlantData = Callable[..., dict[str, Any]]


def _error_text(data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        SchedulingProblem.model_validate(data)
    return str(caught.value)


def test_the_plant_fixture_is_valid(plant: SchedulingProblem) -> None:
    assert [order.id for order in plant.orders] == ["O1", "O2", "O3"]
    assert plant.order("O3").deadline == 80


def test_unknown_product_names_order_product_and_options(plant_data: PlantData) -> None:
    data = plant_data()
    data["orders"][1]["product"] = "P99"
    text = _error_text(data)
    assert "order O2 names unknown product P99" in text
    assert "known products: A, B" in text


def test_unknown_line_in_proc_is_named(plant_data: PlantData) -> None:
    data = plant_data()
    data["orders"][0]["proc"]["L9"] = 5
    assert "order O1 lists unknown line L9 in proc; lines are L1, L2" in _error_text(data)


def test_matrix_shape_is_checked_against_the_product_count(plant_data: PlantData) -> None:
    data = plant_data()
    data["setup"]["by_line"]["L1"]["matrix"] = [[1, 4]]
    text = _error_text(data)
    assert "matrix for setup.by_line[L1] is 1x2 but there are 2 products" in text


def test_ragged_matrix_rows_are_reported(plant_data: PlantData) -> None:
    data = plant_data()
    data["setup"]["default"]["matrix"] = [[0, 6], [6]]
    assert (
        "matrix for setup.default is 2 rows of 1 or 2 entries but there are 2 products"
        in _error_text(data)
    )


def test_initial_length_is_checked(plant_data: PlantData) -> None:
    data = plant_data()
    data["setup"]["by_line"]["L1"]["initial"] = [2, 5, 7]
    assert "initial for setup.by_line[L1] has 3 entries but there are 2 products" in _error_text(
        data
    )


def test_negative_changeover_is_rejected_with_its_position(plant_data: PlantData) -> None:
    data = plant_data()
    data["setup"]["by_line"]["L1"]["matrix"][1][0] = -3
    text = _error_text(data)
    assert "setup.by_line.L1.matrix.1.0" in text
    assert "greater than or equal to 0" in text


@pytest.mark.parametrize("time", [0, -4])
def test_processing_time_must_be_at_least_one(plant_data: PlantData, time: int) -> None:
    data = plant_data()
    data["orders"][2]["proc"]["L2"] = time
    assert f"order O3: proc time on line L2 is {time}; proc times must be >= 1" in _error_text(data)


def test_negative_release_is_rejected(plant_data: PlantData) -> None:
    data = plant_data()
    data["orders"][0]["release"] = -1
    assert "order O1: release is -1; it must be >= 0" in _error_text(data)


def test_duplicate_ids_are_reported(plant_data: PlantData) -> None:
    data = plant_data()
    data["orders"][2]["id"] = "O1"
    assert "order id O1 appears 2 times; order ids must be unique" in _error_text(data)


def test_setup_for_an_unknown_line_is_rejected(plant_data: PlantData) -> None:
    data = plant_data()
    data["setup"]["by_line"]["L7"] = data["setup"]["by_line"]["L1"]
    assert "setup.by_line names unknown line L7" in _error_text(data)


def test_every_line_needs_a_setup_table(plant_data: PlantData) -> None:
    data = plant_data()
    del data["setup"]["default"]
    assert "line L2 has no setup.by_line entry and setup.default is absent" in _error_text(data)


def test_bad_downtime_is_rejected(plant_data: PlantData) -> None:
    data = plant_data()
    data["lines"][0]["downtimes"] = [[60, 50]]
    assert "line L1: downtime [60, 50) is not a half-open interval" in _error_text(data)


def test_window_cannot_end_before_it_starts(plant_data: PlantData) -> None:
    data = plant_data()
    data["lines"][1]["available_to"] = 5
    assert "line L2: available_to 5 is before available_from 10" in _error_text(data)


def test_all_defects_are_reported_together(plant_data: PlantData) -> None:
    data = plant_data()
    data["orders"][0]["product"] = "Z"
    data["orders"][1]["proc"] = {"L5": 3}
    text = _error_text(data)
    assert "order O1 names unknown product Z" in text
    assert "order O2 lists unknown line L5" in text


def test_naive_plan_start_is_rejected(plant_data: PlantData) -> None:
    text = _error_text(plant_data(plan_start="2026-03-02T06:00:00"))
    assert "plan_start 2026-03-02T06:00:00 has no time zone" in text


def test_aware_plan_start_maps_times_to_instants(plant_data: PlantData) -> None:
    problem = SchedulingProblem.model_validate(plant_data(plan_start="2026-03-02T06:00:00+01:00"))
    assert problem.to_datetime(90) == datetime(2026, 3, 2, 6, 30, tzinfo=UTC)
    assert problem.to_datetime(0).utcoffset() == timedelta(hours=1)


def test_to_datetime_without_plan_start_explains(plant: SchedulingProblem) -> None:
    with pytest.raises(ValueError, match="has no plan_start"):
        plant.to_datetime(5)


def test_infeasible_data_is_still_a_valid_problem(plant_data: PlantData) -> None:
    data = plant_data()
    data["orders"][1]["proc"] = {}
    data["orders"][0]["release"] = 1000
    problem = SchedulingProblem.model_validate(data)
    assert problem.order("O2").proc == {}


def test_problem_is_frozen(plant: SchedulingProblem) -> None:
    with pytest.raises(ValidationError):
        plant.horizon = 5


def test_setup_time_uses_line_table_default_and_initial(plant: SchedulingProblem) -> None:
    assert plant.setup_time("L1", None, "B") == 5
    assert plant.setup_time("L1", "A", "B") == 4
    assert plant.setup_time("L1", "B", "B") == 2
    assert plant.setup_time("L2", "A", "B") == 6
    assert plant.setup_time("L2", None, "A") == 1


def test_missing_initial_means_zero(plant_data: PlantData) -> None:
    data = plant_data()
    del data["setup"]["default"]["initial"]
    assert SchedulingProblem.model_validate(data).setup_time("L2", None, "B") == 0


def test_windows_and_latest_end(plant: SchedulingProblem) -> None:
    assert plant.line_window("L1") == (0, 100)
    assert plant.line_window("L2") == (10, 90)
    assert plant.latest_end("O3") == 80
    assert plant.latest_end("O1") == 100


def test_json_round_trip_is_lossless(plant_data: PlantData) -> None:
    problem = SchedulingProblem.model_validate(plant_data(plan_start="2026-03-02T06:00:00+00:00"))
    again = SchedulingProblem.from_json(problem.to_json())
    assert again == problem
    assert again.content_hash() == problem.content_hash()
    assert again.plan_start == problem.plan_start


def test_hash_is_sha256_of_canonical_json(plant: SchedulingProblem) -> None:
    canonical = json.dumps(plant.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    assert plant.content_hash() == hashlib.sha256(canonical.encode()).hexdigest()


def test_hash_ignores_key_order_but_not_content(plant_data: PlantData) -> None:
    data = plant_data()
    reordered = plant_data()
    reordered["orders"][0]["proc"] = {"L2": 12, "L1": 10}
    reordered = dict(reversed(list(reordered.items())))
    first = SchedulingProblem.model_validate(data)
    assert SchedulingProblem.model_validate(reordered).content_hash() == first.content_hash()
    data["orders"][0]["proc"]["L2"] = 13
    assert SchedulingProblem.model_validate(data).content_hash() != first.content_hash()
