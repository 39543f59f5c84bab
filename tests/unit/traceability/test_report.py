"""The gate's rules on made-up runs, and the report's three renderings."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from pharma_pipelines.traceability import (
    Outcome,
    RunContext,
    ScenarioResult,
    Status,
    judge,
    parse_register,
    render_html,
    render_json,
    render_markdown,
    write_report,
)

REGISTER = parse_register(
    """
[[requirement]]
id = "URS-001"
title = "High | risky"
text = "A high-risk requirement <b>with</b> markup."
risk = "high"
modules = ["a"]

[[requirement]]
id = "URS-002"
title = "Low"
text = "A low-risk requirement."
risk = "low"
modules = ["b"]
""",
    "requirements/urs.toml",
)
START = dt.datetime(2027, 1, 4, 8, 0, tzinfo=dt.UTC)
COMPLETE = RunContext(START, START + dt.timedelta(minutes=9), "abc123", True, "complete")
PARTIAL = dataclasses.replace(COMPLETE, complete=False, scope="partial: one module")


def scenario(name: str, *ids: str, negative: bool = False, outcome=Outcome.PASSED):
    return ScenarioResult(
        feature="Demo",
        feature_file="tests/features/demo.feature",
        line=3,
        name=name,
        requirement_ids=ids,
        negative=negative,
        outcome=outcome,
    )


PROVEN = [
    scenario("works", "URS-001"),
    scenario("refuses", "URS-001", negative=True),
    scenario("low", "URS-002"),
]


def test_a_complete_run_with_every_requirement_proven_passes():
    report = judge(REGISTER, PROVEN, COMPLETE)
    assert report.problems == ()
    assert report.gate == "PASSED"
    assert [c.status for c in report.coverage] == [Status.PASS, Status.PASS]


@pytest.mark.parametrize(
    ("scenarios", "problem"),
    [
        (
            PROVEN[1:],
            "URS-001 (high risk): has 1 scenario(s); a high-risk requirement needs at least 2, "
            "one of them @negative",
        ),
        (
            [*PROVEN[:1], scenario("again", "URS-001"), PROVEN[2]],
            "URS-001 (high risk): has no @negative scenario",
        ),
        (PROVEN[:2], "URS-002 (low risk): has 0 scenario(s)"),
        (
            [*PROVEN[:2], scenario("low", "URS-002", outcome=Outcome.SKIPPED)],
            "URS-002 (low risk) is NOT COVERED: has 0 passing scenario(s)",
        ),
        (
            [
                PROVEN[0],
                scenario("refuses", "URS-001", negative=True, outcome=Outcome.SKIPPED),
                PROVEN[2],
            ],
            "URS-001 (high risk) is NOT COVERED: has 1 passing scenario(s)",
        ),
        (
            [*PROVEN[:2], scenario("low", "URS-002", outcome=Outcome.FAILED)],
            "URS-002 (low risk) is FAIL: 1 scenario(s) failed: 'low'",
        ),
        (
            [*PROVEN[:2], scenario("low", "URS-002", outcome=Outcome.NOT_RUN)],
            "URS-002 (low risk) is NOT RUN",
        ),
    ],
)
def test_a_complete_run_fails_on_each_shortfall(scenarios, problem):
    report = judge(REGISTER, scenarios, COMPLETE)
    assert report.gate == "FAILED"
    assert [p for p in report.problems if p.startswith(problem)] != [], report.problems


def test_unknown_and_missing_ids_fail_even_a_partial_run():
    scenarios = [scenario("stray", "URS-999"), scenario("untagged"), scenario("odd", "URS-1")]
    report = judge(REGISTER, scenarios, PARTIAL)
    assert report.gate == "FAILED"
    assert len(report.problems) == 3
    assert (
        "is tagged @URS-999, which is not in the register requirements/urs.toml"
        in (report.problems[0])
    )
    assert "names no requirement" in report.problems[1]
    assert "is tagged @URS-1, which is not of the form URS-001" in report.problems[2]


def test_a_partial_run_lists_its_findings_without_failing():
    report = judge(REGISTER, PROVEN[:1], PARTIAL)
    assert report.problems == ()
    assert report.gate == "NOT JUDGED"
    # URS-002 had no scenario in this run: a partial run says nothing about it
    assert [f.split(" ")[0] for f in report.not_judged] == ["URS-001"]


def test_a_collect_only_run_judges_the_tags_not_the_results():
    collected = [dataclasses.replace(s, outcome=Outcome.NOT_RUN) for s in PROVEN]
    only = dataclasses.replace(COMPLETE, collect_only=True)
    report = judge(REGISTER, collected, only)
    assert report.problems == ()
    assert {c.status for c in report.coverage} == {Status.NOT_RUN}
    report = judge(REGISTER, collected[:2], only)
    assert [p.split(":")[0] for p in report.problems] == ["URS-002 (low risk)"]


def test_unbound_feature_files_fail_a_complete_run():
    report = judge(REGISTER, PROVEN, COMPLETE, ["tests/features/orphan.feature"])
    assert report.problems == (
        "feature file tests/features/orphan.feature has scenarios no test module collected: "
        "bind it with scenarios('orphan.feature') in a test module beside it",
    )


def test_the_renderings_escape_and_agree(tmp_path):
    report = judge(REGISTER, [*PROVEN[:2], scenario("a | b", "URS-002")], COMPLETE)
    markdown = render_markdown(report)
    assert "| **URS-001** High \\| risky<br>" in markdown
    assert "| code version (git commit) | abc123 |" in markdown
    assert "| test run | 2027-01-04 08:00:00 UTC to 2027-01-04 08:09:00 UTC (540 s) |" in markdown
    html = render_html(report)
    assert "&lt;b&gt;with&lt;/b&gt;" in html
    assert "<b>with</b>" not in html
    document = json.loads(render_json(report))
    assert document["gate"] == "PASSED"
    assert [r["status"] for r in document["requirements"]] == ["PASS", "PASS"]
    assert document["run"]["commit"] == "abc123"
    written = write_report(report, tmp_path / "reports")
    assert [p.name for p in written] == [
        "traceability.md",
        "traceability.html",
        "traceability.json",
    ]
    assert written[0].read_text(encoding="utf-8") == markdown
