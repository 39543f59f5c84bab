"""The terminal summary shows each plant's schedule, or why the plants were not planned."""

from __future__ import annotations

from pharma_pipelines.runner import CheckSummary, RunSummary
from pharma_pipelines.summary_text import render_summary


def a_summary(**fields) -> RunSummary:
    return RunSummary(
        run_id="run-0", success=True, landing_zone="landing", warehouse="sqlite://", **fields
    )


def test_each_plant_has_its_schedule_block():
    summary = a_summary(
        plant_runs={"0100": "run-1", "0200": "run-2"},
        schedules={
            "0100": {
                "status": "OPTIMAL",
                "verified": True,
                "objective": 120,
                "bound": 120.0,
                "gap": 0.0,
                "kpis": {"on_time_share": 1.0},
                "compared_with": "schedule #3 of run run-x, saved 2027-01-04T06:00+00:00",
                "changes": {"new": 1, "dropped": 0},
            },
            "0200": {
                "status": "INFEASIBLE",
                "verified": False,
                "objective": None,
                "bound": None,
                "gap": None,
                "kpis": {},
                "least_bad_plan_summary": {
                    "note": "found: it misses 2 hard deadline(s) (OPTIMAL)",
                    "deadlines_missed": 2,
                    "worst_miss_hours": 9.0,
                },
            },
        },
        checks=[
            CheckSummary(
                "planning/production_schedule", "schedule_is_feasible", "ERROR", False, "", "0200"
            )
        ],
    )
    text = render_summary(summary)
    assert "schedule of plant 0100: OPTIMAL" in text
    assert "what moved against schedule #3 of run run-x" in text
    assert "1 new, 0 dropped" in text
    assert "schedule of plant 0200: INFEASIBLE" in text
    assert "least-bad plan (deadlines softened, NOT a valid schedule)" in text
    assert "2 deadline(s) missed, the worst by 9.0 h" in text
    assert "FAILED planning/production_schedule[0200]:schedule_is_feasible" in text


def test_a_plant_whose_run_solved_nothing_says_so():
    text = render_summary(a_summary(plant_runs={"0100": "run-1"}))
    assert "schedule of plant 0100: not solved in run run-1" in text


def test_held_back_planning_names_the_reason():
    text = render_summary(
        a_summary(planning_held_back="blocking checks failed: curated/changeovers:pair_is_unique")
    )
    assert "no plant planned in this run" in text
    assert "curated/changeovers:pair_is_unique" in text


def test_a_step_that_was_retried_is_shown_even_when_the_run_succeeded():
    retry = "raw__sap__stock: lost the connection to the warehouse while loading stock.csv"
    text = render_summary(a_summary(retries=[retry]))
    assert f"RETRIED {retry}" in text
    assert "ERROR" not in text
