import pytest

from pharma_pipelines.reporting.kpis import available_minutes, schedule_kpis
from pharma_pipelines.scheduling import Schedule, ScheduleStatus, check_schedule
from tests.unit.reporting.plant import hand_schedule, plant


def test_the_hand_made_schedule_is_a_valid_one():
    report = check_schedule(plant(), hand_schedule())
    assert report.feasible, report.summary()


def test_lateness_counts_and_weights():
    kpis = schedule_kpis(plant(), hand_schedule())
    assert (kpis.orders, kpis.late_orders, kpis.on_time_orders) == (4, 2, 2)
    assert kpis.on_time_share == 0.5
    # O1 2 min late at weight 2, O2 1 min late at weight 1
    assert kpis.weighted_tardiness_minutes == 5
    assert kpis.total_tardiness_minutes == 3
    assert kpis.max_tardiness_minutes == 2


def test_weighted_tardiness_is_the_solver_term():
    problem, schedule = plant(), hand_schedule()
    components = check_schedule(problem, schedule).components
    assert components is not None
    assert schedule_kpis(problem, schedule).weighted_tardiness_minutes == (
        components.weighted_tardiness
    )


def test_changeovers_include_the_first_of_each_line_and_makespan_is_the_last_end():
    kpis = schedule_kpis(plant(), hand_schedule())
    assert (kpis.changeovers, kpis.changeover_minutes) == (4, 2 + 4 + 1 + 6)
    assert kpis.makespan_minutes == 47


def test_utilisation_is_processing_over_window_in_the_span_minus_downtimes():
    kpis = schedule_kpis(plant(), hand_schedule())
    by_line = {line.line: line for line in kpis.lines}
    # L1: span [0, 47) minus the merged downtime [35, 46) = 36 min; processing 10 + 15
    assert (by_line["L1"].available_minutes, by_line["L1"].processing_minutes) == (36, 25)
    assert by_line["L1"].utilisation == pytest.approx(25 / 36)
    # L2 opens at 10: [10, 47) = 37 min; processing 20 + 10; changeovers are not processing
    assert (by_line["L2"].available_minutes, by_line["L2"].processing_minutes) == (37, 30)
    assert by_line["L2"].changeover_minutes == 7
    # L3 opens after the plan ends: no available time, no utilisation
    assert by_line["L3"].available_minutes == 0
    assert by_line["L3"].utilisation is None
    assert kpis.utilisation == pytest.approx(55 / 73)


def test_the_dict_gives_hours_and_shares():
    values = schedule_kpis(plant(), hand_schedule()).as_dict()
    assert values["weighted_tardiness_minutes"] == 5
    assert values["weighted_tardiness_hours"] == 0.08
    assert values["changeover_hours"] == 0.22
    assert values["makespan_hours"] == 0.78
    assert values["on_time_share"] == 0.5
    assert values["utilisation_by_line"] == {"L1": 0.6944, "L2": 0.8108, "L3": None}


def test_available_minutes_clips_to_the_window():
    problem = plant()
    assert available_minutes(problem, "L2", 0, 100) == 80
    assert available_minutes(problem, "L1", 30, 50) == 20 - 11
    assert available_minutes(problem, "L3", 0, 60) == 0


def test_an_empty_schedule_has_nothing_late_and_no_span():
    empty = Schedule(status=ScheduleStatus.INFEASIBLE)
    kpis = schedule_kpis(plant(), empty)
    assert (kpis.orders, kpis.on_time_share, kpis.makespan_minutes) == (0, 1.0, 0)
    assert kpis.utilisation is None
