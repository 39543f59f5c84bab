import datetime as dt

import pandas as pd
import pytest

from pharma_pipelines.scheduling import SchedulingProblem
from pharma_pipelines.translation.curated_to_problem import TranslationError, build_instance


def frames(hours_per_day: float = 24.0, rate: float = 100.0) -> dict[str, pd.DataFrame]:
    return {
        "orders": pd.DataFrame(
            [
                {
                    "order": "1001",
                    "material": "P1",
                    "quantity": 800.0,
                    "base_quantity": 800.0,
                    "start_date": dt.date(2027, 1, 4),
                    "finish_date": dt.date(2027, 1, 5),
                    "priority": 1,
                    "is_open": True,
                },
                {
                    "order": "1002",
                    "material": "P2",
                    "quantity": 250.0,
                    "base_quantity": 250.0,
                    "start_date": dt.date(2027, 1, 5),
                    "finish_date": dt.date(2027, 1, 8),
                    "priority": 0,
                    "is_open": True,
                },
                {
                    "order": "1003",
                    "material": "P2",
                    "quantity": 1.0,
                    "base_quantity": 1.0,
                    "start_date": dt.date(2026, 12, 1),
                    "finish_date": dt.date(2026, 12, 2),
                    "priority": 0,
                    "is_open": False,
                },
            ]
        ),
        "products": pd.DataFrame(
            [{"material": "P1", "family": "F1"}, {"material": "P2", "family": "F2"}]
        ),
        "lines": pd.DataFrame(
            [
                {
                    "work_center": "L1",
                    "available_from": None,
                    "available_to": None,
                    "hours_per_day": hours_per_day,
                }
            ]
        ),
        "eligibility": pd.DataFrame(
            [
                {"material": "P1", "work_center": "L1", "base_rate_per_hour": rate},
                {"material": "P2", "work_center": "L1", "base_rate_per_hour": rate},
            ]
        ),
        "changeovers": pd.DataFrame(
            [
                {"work_center": "L1", "from_family": a, "to_family": b, "minutes": m}
                for a, b, m in [
                    ("F1", "F1", 30),
                    ("F1", "F2", 240),
                    ("F2", "F1", 300),
                    ("F2", "F2", 45),
                ]
            ]
        ),
    }


def test_minutes_are_counted_from_midnight_of_the_first_open_order():
    translation = build_instance(**frames(), timezone="Europe/Berlin", horizon_slack_days=2)
    problem = SchedulingProblem.model_validate(
        {**translation.instance, "plan_start": translation.plan_start}
    )
    assert translation.plan_start.isoformat() == "2027-01-04T00:00:00+01:00"
    by_id = {o.id: o for o in problem.orders}
    assert set(by_id) == {"1001", "1002"}
    assert by_id["1001"].release == 0
    assert by_id["1001"].due == 2 * 1440
    assert by_id["1001"].proc == {"L1": 480}
    assert by_id["1001"].weight == 4
    assert by_id["1002"].release == 1440
    assert by_id["1002"].proc == {"L1": 150}
    assert problem.horizon == 5 * 1440 + 2 * 1440
    matrix = problem.setup.by_line["L1"].matrix
    assert [list(row) for row in matrix] == [[30, 240], [300, 45]]


def test_a_line_on_shifts_takes_longer_in_elapsed_time():
    translation = build_instance(**frames(hours_per_day=16), timezone="UTC", horizon_slack_days=0)
    by_id = {o["id"]: o for o in translation.instance["orders"]}
    assert by_id["1001"]["proc"] == {"L1": 720}
    assert translation.instance["lines"][0]["downtimes"] == []


def test_orders_without_a_line_are_excluded_with_the_reason():
    data = frames()
    data["eligibility"] = data["eligibility"][data["eligibility"]["material"] == "P1"]
    translation = build_instance(**data, timezone="UTC", horizon_slack_days=1)
    assert [(e.order, "no eligible line" in e.reason) for e in translation.excluded] == [
        ("1002", True)
    ]


def test_a_missing_changeover_pair_is_named():
    data = frames()
    data["changeovers"] = data["changeovers"].iloc[:3]
    with pytest.raises(TranslationError, match="from family 'F2' to 'F2'"):
        build_instance(**data, timezone="UTC", horizon_slack_days=1)


def test_no_open_orders_is_an_error():
    data = frames()
    data["orders"] = data["orders"].assign(is_open=False)
    with pytest.raises(TranslationError, match="no open production orders"):
        build_instance(**data, timezone="UTC", horizon_slack_days=1)


def test_an_open_ended_finish_date_means_no_due_date():
    data = frames()
    data["orders"].loc[1, "finish_date"] = dt.date(9999, 12, 31)
    translation = build_instance(**data, timezone="UTC", horizon_slack_days=1)
    by_id = {o["id"]: o for o in translation.instance["orders"]}
    assert by_id["1002"]["due"] == translation.instance["horizon"]


def test_changeovers_are_needed_only_between_products_a_line_runs():
    data = frames()
    data["lines"] = pd.concat(
        [data["lines"], data["lines"].assign(work_center="L2")], ignore_index=True
    )
    data["eligibility"] = pd.DataFrame(
        [
            {"material": "P1", "work_center": "L1", "base_rate_per_hour": 100.0},
            {"material": "P2", "work_center": "L2", "base_rate_per_hour": 100.0},
        ]
    )
    data["changeovers"] = pd.DataFrame(
        [
            {"work_center": "L1", "from_family": "F1", "to_family": "F1", "minutes": 30},
            {"work_center": "L2", "from_family": "F2", "to_family": "F2", "minutes": 45},
        ]
    )
    translation = build_instance(**data, timezone="UTC", horizon_slack_days=1)
    by_line = translation.instance["setup"]["by_line"]
    assert by_line["L1"]["matrix"] == [[30, 0], [0, 0]]
    assert by_line["L2"]["matrix"] == [[0, 0], [0, 45]]


def test_processing_time_divides_base_unit_quantity_by_base_unit_rate():
    data = frames()
    # 800 kg ordered as 800000 G; the as-ordered figures must not reach the problem
    data["orders"] = data["orders"].assign(
        quantity=[800_000.0, 250.0, 1.0], unit=["G", "KG", "KG"], base_unit="KG"
    )
    data["eligibility"] = data["eligibility"].assign(rate_per_hour=100_000.0, unit="G")
    translation = build_instance(**data, timezone="UTC", horizon_slack_days=1)
    by_id = {o["id"]: o for o in translation.instance["orders"]}
    assert by_id["1001"]["proc"] == {"L1": 480}
    assert by_id["1001"]["quantity"] == 800


def test_an_order_without_a_base_unit_quantity_is_excluded_with_the_reason():
    data = frames()
    data["orders"].loc[1, "base_quantity"] = None
    translation = build_instance(**data, timezone="UTC", horizon_slack_days=1)
    assert [(e.order, e.reason) for e in translation.excluded] == [
        ("1002", "the order has no quantity in the product's base unit")
    ]


def two_plants() -> dict[str, pd.DataFrame]:
    """The same tables with a second plant: its own line L2 and an order of P1 there."""
    data = frames()
    data["orders"] = pd.concat(
        [
            data["orders"].assign(plant="0100"),
            data["orders"]
            .iloc[[0]]
            .assign(order="2001", plant="0200", start_date=dt.date(2027, 1, 11)),
        ],
        ignore_index=True,
    )
    data["lines"] = pd.concat(
        [data["lines"].assign(plant="0100"), data["lines"].assign(work_center="L2", plant="0200")],
        ignore_index=True,
    )
    data["eligibility"] = pd.concat(
        [data["eligibility"], data["eligibility"].iloc[[0]].assign(work_center="L2")],
        ignore_index=True,
    )
    data["changeovers"] = pd.concat(
        [data["changeovers"], data["changeovers"].assign(work_center="L2")], ignore_index=True
    )
    return data


def test_each_plant_gets_its_own_orders_lines_and_plan_start():
    first = build_instance(**two_plants(), timezone="UTC", horizon_slack_days=1, plant="0100")
    second = build_instance(**two_plants(), timezone="UTC", horizon_slack_days=1, plant="0200")
    assert [o["id"] for o in first.instance["orders"]] == ["1001", "1002"]
    assert [line["id"] for line in first.instance["lines"]] == ["L1"]
    assert [o["id"] for o in second.instance["orders"]] == ["2001"]
    assert [line["id"] for line in second.instance["lines"]] == ["L2"]
    assert second.plan_start.date() == dt.date(2027, 1, 11)
    assert (first.instance["name"], second.instance["name"]) == ("plant 0100", "plant 0200")


def test_an_order_whose_material_runs_only_in_another_plant_is_excluded():
    data = two_plants()
    data["orders"].loc[data["orders"]["order"] == "2001", "material"] = "P2"
    with pytest.raises(
        TranslationError, match="has no eligible line with a positive rate in plant"
    ):
        build_instance(**data, timezone="UTC", horizon_slack_days=1, plant="0200")


def test_a_plant_without_open_orders_names_the_plants_that_have_some():
    with pytest.raises(
        TranslationError, match=r"plant 0300 has no open .* \(plants with open orders: 0100, 0200\)"
    ):
        build_instance(**two_plants(), timezone="UTC", horizon_slack_days=1, plant="0300")
