"""The independent checker catches each rule of FORMAT.md section 4 on hand-made schedules.

The valid schedule of the plant fixture, worked out by hand:
L1: O1 after the initial changeover 2 runs [2, 12); O2 (A->B changeover 4)
runs [16, 24). L2 opens at 10: O3 after changeover 1 runs [11, 21).
No order is late, so the objective is the changeover total 2 + 4 + 1 = 7.
"""

from __future__ import annotations

from typing import Any

import pytest

from pharma_pipelines.scheduling import (
    ObjectiveComponents,
    Rule,
    Schedule,
    ScheduledOrder,
    SchedulingProblem,
    check_assignments,
    check_schedule,
    check_solution_document,
)

VALID = (
    ("O1", "L1", 2, 12, 2),
    ("O2", "L1", 16, 24, 4),
    ("O3", "L2", 11, 21, 1),
)


def _placed(rows: tuple[tuple[str, str, int, int, int], ...]) -> tuple[ScheduledOrder, ...]:
    return tuple(
        ScheduledOrder(order=o, line=k, start=s, end=e, setup_before=b) for o, k, s, e, b in rows
    )


def _replace(index: int, **changes: Any) -> tuple[ScheduledOrder, ...]:
    placed = list(_placed(VALID))
    placed[index] = placed[index].model_copy(update=changes)
    return tuple(placed)


def _rules(problem: SchedulingProblem, placed: tuple[ScheduledOrder, ...]) -> dict[Rule, list[str]]:
    report = check_assignments(problem, placed)
    assert not report.feasible
    found: dict[Rule, list[str]] = {}
    for violation in report.violations:
        found.setdefault(violation.rule, []).append(violation.message)
    return found


def test_the_worked_schedule_is_feasible_with_its_objective(plant: SchedulingProblem) -> None:
    report = check_assignments(plant, _placed(VALID))
    assert report.feasible, report.summary()
    assert report.objective == 7
    assert report.components == ObjectiveComponents(
        weighted_tardiness=0, total_setup=7, makespan=24
    )


def test_tardiness_is_weighted(plant: SchedulingProblem) -> None:
    late = _replace(1, start=36, end=44)
    report = check_assignments(plant, late)
    assert report.feasible, report.summary()
    assert report.components is not None
    assert report.components.weighted_tardiness == 1 * (44 - 30)
    assert report.objective == 14 + 7


def test_rule_1_missing_order(plant: SchedulingProblem) -> None:
    found = _rules(plant, _placed(VALID[:2]))
    assert found[Rule.ASSIGNMENT] == ["order O3 is not scheduled"]
    assert check_assignments(plant, _placed(VALID[:2])).objective is None


def test_rule_1_duplicate_order(plant: SchedulingProblem) -> None:
    found = _rules(plant, _placed((*VALID, ("O1", "L2", 30, 42, 1))))
    assert any("order O1 appears 2 times (on L1, L2)" in m for m in found[Rule.ASSIGNMENT])


def test_rule_1_ineligible_line(plant: SchedulingProblem) -> None:
    found = _rules(plant, _replace(1, line="L2", start=30, end=38, setup_before=6))
    assert "order O2 is on L2 but may only run on L1" in found[Rule.ASSIGNMENT]


def test_rule_1_unknown_order_and_line(plant: SchedulingProblem) -> None:
    found = _rules(plant, _placed((*VALID, ("O9", "L1", 70, 80, 0))))
    assert "order O9 on L1 is not an order of the instance" in found[Rule.ASSIGNMENT]
    found = _rules(plant, _replace(2, line="L3"))
    assert "order O3 is on L3, which is not a line of the instance" in found[Rule.ASSIGNMENT]


def test_rule_2_end_must_equal_start_plus_proc(plant: SchedulingProblem) -> None:
    found = _rules(plant, _replace(0, end=13))
    assert found[Rule.TIMING] == ["order O1 on L1 ends at 13 but start 2 + proc 10 = 12"]


def test_rule_2_start_before_release(plant: SchedulingProblem) -> None:
    found = _rules(plant, _replace(1, start=14, end=22))
    assert "order O2 on L1 starts at 14 before its release 15" in found[Rule.TIMING]


def test_rule_2_times_must_be_integers(plant: SchedulingProblem) -> None:
    document = _document()
    document["schedule"][1]["orders"][0].update(start=11.5, end=21.5)
    report = check_solution_document(plant, document)
    assert not report.feasible
    messages = [v.message for v in report.violations if v.rule is Rule.TIMING]
    assert "order O3 on L2: start 11.5 is not an integer" in messages


def test_integral_floats_are_accepted_in_documents(plant: SchedulingProblem) -> None:
    document = _document()
    document["schedule"][1]["orders"][0].update(start=11.0, end=21.0)
    assert check_solution_document(plant, document).feasible


def test_rule_3_changeover_before_line_opens(plant: SchedulingProblem) -> None:
    found = _rules(plant, _replace(2, start=10, end=20))
    assert found[Rule.SEQUENCE] == [
        "order O3 on L2: changeover starts at 9 (start 10 - setup 1) before the line opens at 10"
    ]


def test_rule_3_changeover_overlaps_previous_order(plant: SchedulingProblem) -> None:
    found = _rules(plant, _replace(1, start=15, end=23))
    assert found[Rule.SEQUENCE] == [
        "order O2 on L1: changeover starts at 11 (start 15 - setup 4) "
        "before the previous order O1 ends at 12"
    ]


def test_rule_3_list_order_is_the_sequence(plant: SchedulingProblem) -> None:
    placed = _placed(VALID)
    swapped = (placed[1], placed[0], placed[2])
    found = _rules(plant, swapped)
    assert any("order O1 on L1: changeover starts at" in m for m in found[Rule.SEQUENCE])


def test_rule_4_end_after_line_window(plant: SchedulingProblem) -> None:
    found = _rules(plant, _replace(2, start=85, end=95))
    assert "order O3 on L2 ends at 95 after the line's available_to 90" in found[Rule.WINDOW_END]


def test_rule_4_end_after_horizon(plant: SchedulingProblem) -> None:
    found = _rules(plant, _replace(1, start=95, end=103))
    assert "order O2 on L1 ends at 103 after the horizon 100" in found[Rule.WINDOW_END]


def test_rule_5_processing_in_downtime(plant: SchedulingProblem) -> None:
    found = _rules(plant, _replace(1, start=45, end=53))
    assert found[Rule.DOWNTIME] == ["order O2 on L1: block [41, 53) overlaps downtime [50, 60)"]


def test_rule_5_changeover_in_downtime(plant: SchedulingProblem) -> None:
    found = _rules(plant, _replace(1, start=62, end=70))
    assert found[Rule.DOWNTIME] == ["order O2 on L1: block [58, 70) overlaps downtime [50, 60)"]


def test_rule_5_touching_a_downtime_is_allowed(plant: SchedulingProblem) -> None:
    report = check_assignments(plant, _replace(1, start=64, end=72))
    assert report.feasible, report.summary()


def test_rule_6_reported_setup_must_match(plant: SchedulingProblem) -> None:
    found = _rules(plant, _replace(1, setup_before=3))
    assert found[Rule.REPORTED_SETUP] == [
        "order O2 on L1 reports setup_before 3 but the required changeover is 4"
    ]


def test_hard_deadline(plant: SchedulingProblem) -> None:
    found = _rules(plant, _replace(2, start=75, end=85))
    assert found[Rule.DEADLINE] == ["order O3 on L2 ends at 85 after its deadline 80"]


def test_reported_objective_must_match(plant: SchedulingProblem) -> None:
    schedule = Schedule(status="FEASIBLE", objective=6, assignments=_placed(VALID))
    report = check_schedule(plant, schedule)
    assert not report.feasible
    assert [v.rule for v in report.violations] == [Rule.REPORTED_OBJECTIVE]
    assert report.objective == 7


def test_a_correct_schedule_passes_check_schedule(plant: SchedulingProblem) -> None:
    components = ObjectiveComponents(weighted_tardiness=0, total_setup=7, makespan=24)
    schedule = Schedule(
        status="FEASIBLE", objective=7, components=components, assignments=_placed(VALID)
    )
    assert check_schedule(plant, schedule).feasible


def test_violations_name_order_and_line(plant: SchedulingProblem) -> None:
    report = check_assignments(plant, _replace(1, start=14, end=22))
    violation = report.violations[0]
    assert (violation.order, violation.line) == ("O2", "L1")


@pytest.mark.parametrize("broken", [{"start": "x"}, {"end": None}])
def test_unreadable_document_entries_are_violations(
    plant: SchedulingProblem, broken: dict[str, Any]
) -> None:
    document = _document()
    document["schedule"][0]["orders"][0].update(broken)
    report = check_solution_document(plant, document)
    assert not report.feasible
    assert "needs order, start and end" in report.violations[0].message


def _document() -> dict[str, Any]:
    return {
        "format": "pharma-sched-bench-solution/1",
        "objective": 7,
        "schedule": [
            {
                "line": "L1",
                "orders": [
                    {"order": "O1", "start": 2, "end": 12, "setup_before": 2},
                    {"order": "O2", "start": 16, "end": 24},
                ],
            },
            {"line": "L2", "orders": [{"order": "O3", "start": 11, "end": 21, "setup_before": 1}]},
        ],
    }
