"""The traceability report and its gate: each requirement, its scenarios, their latest results.

A scenario proves the requirements it is tagged with (``@URS-001``); a scenario tagged
``@negative`` shows the product refusing, flagging or holding back something wrong. The gate
judges a run by these rules, and any problem fails the run:

Always, for every scenario the run collected:

1. it names at least one requirement;
2. every requirement it names is in the register.

Only when the run is *complete* (it was asked for the whole features folder, or a folder
that contains it, and no scenario of it was deselected by ``-k``, ``-m``, ``--deselect`` or
``--lf``), because a partial run cannot tell a requirement without proof from one whose proof
was not selected:

3. every scenario of every feature file in the folder was collected (a feature file that no
   test module binds proves nothing);
4. every requirement has enough scenarios: one, or two for a high-risk requirement, of which
   at least one is ``@negative``;
5. unless the run only collected (``--collect-only``), every requirement is PASS: none of its
   scenarios failed, and its *passing* scenarios meet rule 4 (skipped ones do not count).

A partial run still gets its report, with the rule 3 to 5 findings listed as not judged.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from pharma_pipelines.traceability.register import ID_PATTERN, Register, Requirement

NEGATIVE_TAG = "negative"


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    NOT_RUN = "not run"


class Status(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    NOT_COVERED = "NOT COVERED"
    NOT_RUN = "NOT RUN"


@dataclass(frozen=True)
class ScenarioResult:
    """One collected scenario (one example of an outline) and how it ended in this run."""

    feature: str
    feature_file: str
    line: int
    name: str
    requirement_ids: tuple[str, ...]
    negative: bool
    outcome: Outcome
    duration_s: float = 0.0
    node_id: str = ""
    detail: str = ""

    @property
    def where(self) -> str:
        return f"{self.feature_file}:{self.line}"


@dataclass(frozen=True)
class RunContext:
    """When the run happened, on which code, and how much of the features folder it covered."""

    started_at: dt.datetime
    finished_at: dt.datetime
    commit: str
    complete: bool
    scope: str
    collect_only: bool = False


@dataclass(frozen=True)
class Coverage:
    requirement: Requirement
    scenarios: tuple[ScenarioResult, ...]
    status: Status
    reason: str


@dataclass(frozen=True)
class TraceabilityReport:
    register_path: str
    run: RunContext
    coverage: tuple[Coverage, ...]
    scenarios: tuple[ScenarioResult, ...]
    problems: tuple[str, ...] = ()
    not_judged: tuple[str, ...] = field(default=())

    @property
    def gate(self) -> str:
        if self.problems:
            return "FAILED"
        return "PASSED" if self.run.complete else "NOT JUDGED"


def judge(
    register: Register,
    scenarios: Sequence[ScenarioResult],
    run: RunContext,
    unbound_features: Iterable[str] = (),
) -> TraceabilityReport:
    """The report of one run: every requirement's coverage, and what fails the run."""
    problems = _tag_problems(register, scenarios)
    findings = [
        f"feature file {path} has scenarios no test module collected: bind it with "
        f"scenarios({Path(path).name!r}) in a test module beside it"
        for path in unbound_features
    ]
    coverage = []
    for requirement in register.requirements:
        claimed = tuple(s for s in scenarios if requirement.id in s.requirement_ids)
        status, reason = _status(requirement, claimed, run.collect_only)
        coverage.append(Coverage(requirement, claimed, status, reason))
        if not run.complete and not claimed:
            # a partial run that selected none of its scenarios says nothing about it
            continue
        shortfall = _shortfall(requirement, claimed, "scenario")
        if shortfall:
            findings.append(f"{requirement.id} ({requirement.risk.value} risk): {shortfall}")
        elif status is not Status.PASS and not run.collect_only:
            findings.append(
                f"{requirement.id} ({requirement.risk.value} risk) is {status}: {reason}"
            )
    if run.complete:
        problems.extend(findings)
        findings = []
    return TraceabilityReport(
        register_path=register.path,
        run=run,
        coverage=tuple(coverage),
        scenarios=tuple(scenarios),
        problems=tuple(problems),
        not_judged=tuple(findings),
    )


def _tag_problems(register: Register, scenarios: Sequence[ScenarioResult]) -> list[str]:
    problems = []
    known = ", ".join(register.ids)
    for scenario in scenarios:
        label = f"scenario {scenario.name!r} ({scenario.where})"
        if not scenario.requirement_ids:
            problems.append(
                f"{label} names no requirement: tag it with the id(s) it proves, e.g. @URS-001"
            )
        for requirement_id in scenario.requirement_ids:
            if not ID_PATTERN.fullmatch(requirement_id):
                problems.append(
                    f"{label} is tagged @{requirement_id}, which is not of the form URS-001"
                )
            elif register.get(requirement_id) is None:
                problems.append(
                    f"{label} is tagged @{requirement_id}, which is not in the register "
                    f"{register.path} (known: {known})"
                )
    return problems


def _shortfall(requirement: Requirement, scenarios: Sequence[ScenarioResult], noun: str) -> str:
    """What the scenarios lack against the requirement's risk, or '' when nothing."""
    needed = requirement.scenarios_needed
    if len(scenarios) < needed:
        negative = ", one of them @negative" if requirement.needs_negative else ""
        return (
            f"has {len(scenarios)} {noun}(s); a {requirement.risk.value}-risk requirement "
            f"needs at least {needed}{negative}"
        )
    if requirement.needs_negative and not any(s.negative for s in scenarios):
        return f"has no @negative {noun}; a high-risk requirement needs one"
    return ""


def _status(
    requirement: Requirement, scenarios: Sequence[ScenarioResult], collect_only: bool
) -> tuple[Status, str]:
    if not scenarios:
        return Status.NOT_COVERED, "no scenario is tagged with it"
    if collect_only or all(s.outcome is Outcome.NOT_RUN for s in scenarios):
        return Status.NOT_RUN, "its scenarios were collected but not run"
    failed = [s for s in scenarios if s.outcome is Outcome.FAILED]
    if failed:
        names = "; ".join(f"{s.name!r} ({s.where})" for s in failed)
        return Status.FAIL, f"{len(failed)} scenario(s) failed: {names}"
    passing = [s for s in scenarios if s.outcome is Outcome.PASSED]
    shortfall = _shortfall(requirement, passing, "passing scenario")
    if shortfall:
        return Status.NOT_COVERED, shortfall
    negative = sum(1 for s in passing if s.negative)
    return Status.PASS, f"{len(passing)} passing scenario(s), {negative} negative"


# --- rendering ------------------------------------------------------------------------------

_HOW_TO_READ = (
    "A requirement is PASS when none of its scenarios failed and its passing scenarios reach "
    "what its risk needs: one, or for a high-risk requirement two of which one is negative "
    "(it shows the product refusing, flagging or holding back something wrong). Skipped "
    "scenarios do not count. NOT COVERED: too few passing scenarios; NOT RUN: collected, "
    "not run."
)


def _when(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _counts(scenarios: Sequence[ScenarioResult]) -> str:
    if not scenarios:
        return "none collected"
    parts = [
        f"{sum(1 for s in scenarios if s.outcome is outcome)} {outcome.value}"
        for outcome in Outcome
        if any(s.outcome is outcome for s in scenarios)
    ]
    return f"{len(scenarios)} collected: " + ", ".join(parts)


def _summary_rows(report: TraceabilityReport) -> list[tuple[str, str]]:
    run = report.run
    seconds = (run.finished_at - run.started_at).total_seconds()
    return [
        ("test run", f"{_when(run.started_at)} to {_when(run.finished_at)} ({seconds:.0f} s)"),
        ("code version (git commit)", run.commit),
        ("requirements register", f"{report.register_path} ({len(report.coverage)} requirements)"),
        ("scenarios", _counts(report.scenarios)),
        ("scope", run.scope + (" (collected only, not run)" if run.collect_only else "")),
        ("gate", report.gate),
    ]


def _scenario_line(scenario: ScenarioResult) -> str:
    negative = " [negative]" if scenario.negative else ""
    detail = f": {scenario.detail}" if scenario.detail else ""
    return (
        f"{scenario.outcome.value}: {scenario.feature} / {scenario.name}{negative} "
        f"({scenario.where}){detail}"
    )


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def render_markdown(report: TraceabilityReport) -> str:
    out = ["# Traceability report", "", _HOW_TO_READ, "", "| | |", "|---|---|"]
    out.extend(f"| {name} | {_md(value)} |" for name, value in _summary_rows(report))
    if report.problems:
        out.extend(["", "## Problems that fail the run", ""])
        out.extend(f"- {_md(problem)}" for problem in report.problems)
    if report.not_judged:
        out.extend(["", "## Findings not judged (partial run)", ""])
        out.extend(f"- {_md(finding)}" for finding in report.not_judged)
    out.extend(
        [
            "",
            "## Requirements",
            "",
            "| requirement | risk | implemented by | scenarios | result |",
            "|---|---|---|---|---|",
        ]
    )
    for item in report.coverage:
        requirement = item.requirement
        implemented = "<br>".join(
            f"{kind}: {', '.join(names)}"
            for kind, names in requirement.implemented_by.by_kind().items()
        )
        scenarios = "<br>".join(_md(_scenario_line(s)) for s in item.scenarios) or "none"
        out.append(
            f"| **{requirement.id}** {_md(requirement.title)}<br>{_md(requirement.text)} "
            f"| {requirement.risk.value} | {_md(implemented)} | {scenarios} "
            f"| **{item.status}**<br>{_md(item.reason)} |"
        )
    out.extend(
        [
            "",
            "## Scenarios",
            "",
            "| feature | scenario | requirements | negative | result | seconds |",
            "|---|---|---|---|---|---|",
        ]
    )
    for s in report.scenarios:
        result = s.outcome.value + (f": {s.detail}" if s.detail else "")
        out.append(
            f"| {_md(s.feature)} ({_md(s.where)}) | {_md(s.name)} "
            f"| {', '.join(s.requirement_ids) or '-'} | {'yes' if s.negative else 'no'} "
            f"| {_md(result)} | {s.duration_s:.1f} |"
        )
    return "\n".join(out) + "\n"


_STYLE = """
body { font-family: sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #bbb; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #eee; }
.PASS, .PASSED, .passed { color: #176b2c; font-weight: bold; }
.FAIL, .FAILED, .failed, .NOT-COVERED { color: #b00020; font-weight: bold; }
.NOT-RUN, .NOT-JUDGED, .skipped, .not-run { color: #8a5a00; font-weight: bold; }
ul { margin: 0; padding-left: 1.2em; }
""".strip()


def _css(word: str) -> str:
    return word.replace(" ", "-")


def render_html(report: TraceabilityReport) -> str:
    e = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8"><title>Traceability report</title>',
        f"<style>{_STYLE}</style></head><body>",
        "<h1>Traceability report</h1>",
        f"<p>{e(_HOW_TO_READ)}</p>",
        "<table>",
    ]
    for name, value in _summary_rows(report):
        css = f' class="{_css(value)}"' if name == "gate" else ""
        out.append(f"<tr><th>{e(name)}</th><td{css}>{e(value)}</td></tr>")
    out.append("</table>")
    for title, items in (
        ("Problems that fail the run", report.problems),
        ("Findings not judged (partial run)", report.not_judged),
    ):
        if items:
            out.append(f"<h2>{e(title)}</h2><ul>")
            out.extend(f"<li>{e(item)}</li>" for item in items)
            out.append("</ul>")
    out.append("<h2>Requirements</h2><table>")
    out.append(
        "<tr><th>requirement</th><th>risk</th><th>implemented by</th><th>scenarios</th>"
        "<th>result</th></tr>"
    )
    for item in report.coverage:
        requirement = item.requirement
        implemented = "".join(
            f"<li>{e(kind)}: {e(', '.join(names))}</li>"
            for kind, names in requirement.implemented_by.by_kind().items()
        )
        scenarios = "".join(
            f'<li><span class="{_css(s.outcome.value)}">{e(s.outcome.value)}</span> '
            f"{e(s.feature)} / {e(s.name)}{' [negative]' if s.negative else ''} "
            f"({e(s.where)}){e(': ' + s.detail) if s.detail else ''}</li>"
            for s in item.scenarios
        )
        out.append(
            f'<tr id="{e(requirement.id)}"><td><b>{e(requirement.id)}</b> '
            f"{e(requirement.title)}<br>{e(requirement.text)}</td>"
            f"<td>{e(requirement.risk.value)}</td><td><ul>{implemented}</ul></td>"
            f"<td><ul>{scenarios or '<li>none</li>'}</ul></td>"
            f'<td><span class="{_css(item.status.value)}">{e(item.status.value)}</span>'
            f"<br>{e(item.reason)}</td></tr>"
        )
    out.append("</table><h2>Scenarios</h2><table>")
    out.append(
        "<tr><th>feature</th><th>scenario</th><th>requirements</th><th>negative</th>"
        "<th>result</th><th>seconds</th></tr>"
    )
    for s in report.scenarios:
        out.append(
            f"<tr><td>{e(s.feature)} ({e(s.where)})</td><td>{e(s.name)}</td>"
            f"<td>{e(', '.join(s.requirement_ids) or '-')}</td>"
            f"<td>{'yes' if s.negative else 'no'}</td>"
            f'<td><span class="{_css(s.outcome.value)}">{e(s.outcome.value)}</span>'
            f"{e(': ' + s.detail) if s.detail else ''}</td><td>{s.duration_s:.1f}</td></tr>"
        )
    out.append("</table></body></html>")
    return "\n".join(out) + "\n"


def render_json(report: TraceabilityReport) -> str:
    def scenario(s: ScenarioResult) -> dict[str, Any]:
        return {
            "feature": s.feature,
            "feature_file": s.feature_file,
            "line": s.line,
            "name": s.name,
            "requirements": list(s.requirement_ids),
            "negative": s.negative,
            "outcome": s.outcome.value,
            "duration_s": round(s.duration_s, 3),
            "node_id": s.node_id,
            "detail": s.detail,
        }

    run = report.run
    document = {
        "gate": report.gate,
        "problems": list(report.problems),
        "not_judged": list(report.not_judged),
        "run": {
            "started_at": run.started_at.astimezone(dt.UTC).isoformat(),
            "finished_at": run.finished_at.astimezone(dt.UTC).isoformat(),
            "commit": run.commit,
            "complete": run.complete,
            "scope": run.scope,
            "collect_only": run.collect_only,
        },
        "register": report.register_path,
        "requirements": [
            {
                "id": c.requirement.id,
                "title": c.requirement.title,
                "text": c.requirement.text,
                "risk": c.requirement.risk.value,
                "implemented_by": {
                    k: list(v) for k, v in c.requirement.implemented_by.by_kind().items()
                },
                "status": c.status.value,
                "reason": c.reason,
                "scenarios": [scenario(s) for s in c.scenarios],
            }
            for c in report.coverage
        ],
        "scenarios": [scenario(s) for s in report.scenarios],
    }
    return json.dumps(document, indent=2) + "\n"


REPORT_NAMES = ("traceability.md", "traceability.html", "traceability.json")


def write_report(report: TraceabilityReport, folder: Path) -> list[Path]:
    """Write the report as Markdown, HTML and JSON into ``folder``; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, render in zip(REPORT_NAMES, (render_markdown, render_html, render_json), strict=True):
        path = folder / name
        path.write_text(render(report), encoding="utf-8")
        written.append(path)
    return written
