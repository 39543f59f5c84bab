import datetime as dt

from pharma_pipelines.reporting.changes import (
    ChangeKind,
    Placement,
    compare_placements,
    placements,
)
from tests.unit.reporting.plant import PLAN_START, hand_schedule, plant

UTC = dt.UTC


def at(hour: float) -> dt.datetime:
    return dt.datetime(2027, 1, 4, tzinfo=UTC) + dt.timedelta(hours=hour)


def place(order: str, line: str, start: float, hours: float = 2) -> Placement:
    return Placement(order, line, at(start), at(start + hours))


def test_new_dropped_moved_and_shifted_orders():
    previous = [
        place("A", "L1", 0),
        place("B", "L1", 2),
        place("C", "L2", 0),
        place("D", "L2", 4),
    ]
    current = [
        place("A", "L1", 0),
        place("B", "L1", 5.5),
        place("C", "L1", 8),
        place("E", "L2", 0),
    ]
    changes = compare_placements(previous, current)
    assert [(c.order, c.kind) for c in changes.changes] == [
        ("E", ChangeKind.NEW),
        ("D", ChangeKind.DROPPED),
        ("C", ChangeKind.MOVED_LINE),
        ("B", ChangeKind.SHIFTED),
    ]
    assert changes.counts() == {
        "new": 1,
        "dropped": 1,
        "moved_line": 1,
        "start_shifted": 1,
        "unchanged": 1,
    }
    by_order = {c.order: c for c in changes.changes}
    assert by_order["B"].shift_hours == 3.5
    assert by_order["C"].shift_hours == 8.0
    assert (by_order["C"].previous_line, by_order["C"].line) == ("L2", "L1")
    assert by_order["E"].shift_hours is None


def test_instants_are_compared_not_minutes_from_different_plan_starts():
    berlin = dt.timezone(dt.timedelta(hours=1))
    same_instant = at(3).astimezone(berlin)
    previous = [Placement("A", "L1", at(3), at(5))]
    current = [Placement("A", "L1", same_instant, same_instant + dt.timedelta(hours=2))]
    assert compare_placements(previous, current).changes == ()


def test_a_shift_within_the_tolerance_is_no_change():
    previous = [place("A", "L1", 0)]
    current = [place("A", "L1", 0.25)]
    assert compare_placements(previous, current, dt.timedelta(minutes=30)).unchanged == 1
    assert compare_placements(previous, current).count(ChangeKind.SHIFTED) == 1


def test_rows_show_times_in_the_plant_zone():
    changes = compare_placements([place("A", "L1", 0)], [place("A", "L1", 1)])
    [row] = changes.rows("Europe/Berlin")
    assert row["previous_start"] == "2027-01-04T01:00+01:00"
    assert row["start"] == "2027-01-04T02:00+01:00"
    assert row["shift_hours"] == 1.0


def test_placements_are_calendar_instants_of_the_problem():
    found = {p.order: p for p in placements(plant(), hand_schedule())}
    assert found["O1"].start == PLAN_START + dt.timedelta(minutes=2)
    assert found["O4"].line == "L2"
