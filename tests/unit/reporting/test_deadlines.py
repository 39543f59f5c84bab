from pharma_pipelines.reporting.deadlines import deadline_misses, miss_rows
from pharma_pipelines.scheduling import SchedulingProblem
from tests.unit.reporting.plant import hand_schedule, plant, plant_data


def with_deadlines(**deadlines: int) -> SchedulingProblem:
    data = plant_data()
    for order in data["orders"]:
        if order["id"] in deadlines:
            order["deadline"] = deadlines[order["id"]]
    return SchedulingProblem.model_validate(data)


def test_orders_ending_after_their_deadline_are_listed_latest_first():
    # O2 ends at 31, O3 at 31, O4 at 47
    problem = with_deadlines(O2=30, O3=31, O4=17)
    misses = deadline_misses(problem, hand_schedule())
    assert [(m.order, m.minutes_late) for m in misses] == [("O4", 30), ("O2", 1)]


def test_a_schedule_without_deadlines_misses_none():
    assert deadline_misses(plant(), hand_schedule()) == []


def test_rows_give_plant_times_and_hours():
    problem = with_deadlines(O4=17)
    [row] = miss_rows(problem, deadline_misses(problem, hand_schedule()), "Europe/Berlin")
    assert row == {
        "order": "O4",
        "line": "L2",
        "deadline": "2027-01-04T00:17+01:00",
        "planned_end": "2027-01-04T00:47+01:00",
        "hours_late": 0.5,
    }
