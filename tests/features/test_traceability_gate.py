"""Scenarios of traceability_gate.feature: the gate on a small project and on this repository.

The small project runs in process through pytester, with this repository's plugin
(``tests/traceability.py``) and a register and feature of its own. The repository's own
features run in a separate pytest process on a copy, collected only: the gate's rules on tags
need no scenario to run, and running all of them twice would double the suite's time.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from tests.conftest import PROJECT_ROOT

scenarios("traceability_gate.feature")

REGISTER = """
[[requirement]]
id = "URS-101"
title = "Two is even"
text = "The demo says that two is even."
risk = "high"
modules = ["demo"]

[[requirement]]
id = "URS-102"
title = "Four is even"
text = "The demo says that four is even."
risk = "low"
modules = ["demo"]
"""

STEPS = """
from pytest_bdd import given, parsers, scenarios, then

scenarios("demo.feature")


@given(parsers.parse("the number {number:d}"), target_fixture="number")
def _number(number):
    return number


@then("it is even")
def _even(number):
    assert number % 2 == 0


@then("it is odd")
def _odd(number):
    assert number % 2 == 1
"""

SCENARIOS = {
    "URS-101": "  @URS-101\n  Scenario: Two is even\n    Given the number 2\n    Then it is even\n",
    "URS-101 negative": (
        "  @URS-101 @negative\n  Scenario: Three is not even\n"
        "    Given the number 3\n    Then it is odd\n"
    ),
    "URS-102": (
        "  @URS-102\n  Scenario: Four is even\n    Given the number 4\n    Then it is even\n"
    ),
}


def _git(project: Path, *args: str) -> str:
    completed = subprocess.run(
        ["git", "-c", "user.name=Trace Test", "-c", "user.email=trace@example.invalid", *args],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout.strip()


@given(
    "a project under git with a register of a high-risk and a low-risk requirement",
    target_fixture="project",
)
def _project(pytester: pytest.Pytester) -> Path:
    project = pytester.path
    (project / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [tool.pytest.ini_options]
            bdd_features_base_dir = "features"
            testpaths = ["features"]
            addopts = ["--strict-markers", "-p", "no:cacheprovider"]
            """
        ),
        encoding="utf-8",
    )
    (project / "conftest.py").write_text(
        'pytest_plugins = ["tests.traceability"]\n', encoding="utf-8"
    )
    (project / ".gitignore").write_text("reports/\n__pycache__/\n", encoding="utf-8")
    (project / "requirements").mkdir()
    (project / "requirements" / "urs.toml").write_text(REGISTER, encoding="utf-8")
    (project / "features").mkdir()
    (project / "features" / "test_demo.py").write_text(STEPS, encoding="utf-8")
    _git(project, "init", "--quiet")
    return project


def _write_feature(project: Path, *keys: str) -> None:
    body = "\n".join(SCENARIOS[key] for key in keys)
    (project / "features" / "demo.feature").write_text(f"Feature: Demo\n\n{body}", encoding="utf-8")


@given(
    "a feature with a passing scenario for each requirement and a passing negative one for "
    "the high-risk requirement"
)
def _full_feature(project: Path) -> None:
    _write_feature(project, "URS-101", "URS-101 negative", "URS-102")


@given("a feature with a passing scenario for the high-risk requirement only")
def _partial_feature(project: Path) -> None:
    _write_feature(project, "URS-101")


@given(parsers.parse('a passing scenario tagged "{tag}"'))
def _unknown_tag(project: Path, tag: str) -> None:
    with (project / "features" / "demo.feature").open("a", encoding="utf-8") as feature:
        feature.write(f"\n  {tag}\n  Scenario: Six is even\n    Given the number 6\n")
        feature.write("    Then it is even\n")


def _commit(project: Path) -> str:
    _git(project, "add", "--all")
    _git(project, "commit", "--quiet", "-m", "the demo project")
    return _git(project, "rev-parse", "HEAD")


@when("the project's tests run", target_fixture="outcome")
def _run(project: Path, pytester: pytest.Pytester) -> tuple[pytest.RunResult, str]:
    commit = _commit(project)
    return pytester.runpytest(), commit


@when("only the project's feature test module is run", target_fixture="outcome")
def _run_module(project: Path, pytester: pytest.Pytester) -> tuple[pytest.RunResult, str]:
    commit = _commit(project)
    return pytester.runpytest("features/test_demo.py"), commit


@when("the project's tests run in two pytest-xdist workers", target_fixture="outcome")
def _run_distributed(
    project: Path, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> tuple[pytest.RunResult, str]:
    commit = _commit(project)
    # Workers are new processes: they import the plugin from this repository.
    monkeypatch.setenv("PYTHONPATH", str(PROJECT_ROOT))
    result = pytester.runpytest_subprocess("-n", "2", timeout=300)
    result.stdout.fnmatch_lines(["*created: 2/2 workers*"])
    return result, commit


def _report(project: Path) -> dict:
    return json.loads((project / "reports" / "traceability.json").read_text(encoding="utf-8"))


@then("the run passes")
def _passes(outcome: tuple[pytest.RunResult, str]) -> None:
    result, _commit_id = outcome
    assert result.ret == pytest.ExitCode.OK, "\n".join(result.outlines)


@then("the run fails although every test passed")
def _fails_all_passed(outcome: tuple[pytest.RunResult, str]) -> None:
    result, _commit_id = outcome
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) == 4, outcomes
    assert "failed" not in outcomes, outcomes
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*traceability gate: FAILED*"])


@then(
    "the report in Markdown, HTML and JSON lists each requirement with its risk, scenarios "
    "and the result PASS"
)
def _lists_requirements(project: Path) -> None:
    report = _report(project)
    assert report["gate"] == "PASSED"
    found = {
        r["id"]: (r["risk"], r["status"], sorted(s["name"] for s in r["scenarios"]))
        for r in report["requirements"]
    }
    assert found == {
        "URS-101": ("high", "PASS", ["Three is not even", "Two is even"]),
        "URS-102": ("low", "PASS", ["Four is even"]),
    }
    markdown = (project / "reports" / "traceability.md").read_text(encoding="utf-8")
    html = (project / "reports" / "traceability.html").read_text(encoding="utf-8")
    for text in (markdown, html):
        for needle in ("URS-101", "URS-102", "Two is even", "Three is not even", "Four is even"):
            assert needle in text, needle
        assert text.count("PASS") >= 3
    assert "| **URS-101** Two is even" in markdown
    assert "| high |" in markdown
    assert "| low |" in markdown
    assert '<tr id="URS-101">' in html


@then("the report names the run's date and the project's commit")
def _date_and_commit(project: Path, outcome: tuple[pytest.RunResult, str]) -> None:
    _result, commit = outcome
    report = _report(project)
    started = dt.datetime.fromisoformat(report["run"]["started_at"])
    assert abs(dt.datetime.now(dt.UTC) - started) < dt.timedelta(minutes=10)
    assert report["run"]["commit"] == commit
    markdown = (project / "reports" / "traceability.md").read_text(encoding="utf-8")
    assert f"| code version (git commit) | {commit} |" in markdown
    assert started.strftime("%Y-%m-%d %H:%M") in markdown


@then(parsers.parse('the report names "{tag}" as not in the register'))
def _names_unknown(project: Path, tag: str) -> None:
    problems = _report(project)["problems"]
    assert len(problems) == 1, problems
    assert "'Six is even' (features/demo.feature:" in problems[0]
    assert f"is tagged {tag}, which is not in the register" in problems[0]


@then("the report says coverage was not judged because the run was partial")
def _not_judged(project: Path) -> None:
    report = _report(project)
    assert report["gate"] == "NOT JUDGED"
    assert report["problems"] == []
    assert report["run"]["complete"] is False
    assert report["run"]["scope"].startswith("partial: the run was asked for features/test_demo.py")
    assert any("URS-101" in finding for finding in report["not_judged"])


# --- the repository's own features, copied ------------------------------------------------


@given(
    parsers.parse(
        'a copy of this repository\'s features and register in which the scenario "{name}" '
        'has lost its tag "{tag}"'
    ),
    target_fixture="copy",
)
def _copy(tmp_path: Path, name: str, tag: str) -> Path:
    copy = tmp_path / "copy"
    shutil.copytree(
        PROJECT_ROOT / "tests" / "features",
        copy / "tests" / "features",
        # without __init__.py the copied modules import as top-level modules, so that the
        # repository's own `tests` package (helpers, plugin) stays the one imported
        ignore=shutil.ignore_patterns("__init__.py", "__pycache__"),
    )
    shutil.copy(PROJECT_ROOT / "tests" / "conftest.py", copy / "tests" / "conftest.py")
    shutil.copy(PROJECT_ROOT / "pyproject.toml", copy / "pyproject.toml")
    (copy / "requirements").mkdir()
    shutil.copy(PROJECT_ROOT / "requirements" / "urs.toml", copy / "requirements" / "urs.toml")
    _remove_tag(copy / "tests" / "features", name, tag)
    return copy


def _remove_tag(features: Path, name: str, tag: str) -> None:
    """Take ``tag`` off the tag lines right above ``Scenario: name``; it must be there."""
    for path in sorted(features.glob("*.feature")):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        for index, line in enumerate(lines):
            if line.strip() != f"Scenario: {name}":
                continue
            above = index - 1
            removed = False
            while above >= 0 and lines[above].strip().startswith("@"):
                tags = lines[above].split()
                if tag in tags:
                    indent = lines[above][: len(lines[above]) - len(lines[above].lstrip())]
                    lines[above] = indent + " ".join(t for t in tags if t != tag) + "\n"
                    removed = True
                above -= 1
            assert removed, f"{path.name}: scenario {name!r} is not tagged {tag}"
            path.write_text("".join(lines), encoding="utf-8")
            return
    raise AssertionError(f"no feature file has the scenario {name!r}")


@when("the copy's tests are collected in a separate pytest process", target_fixture="process")
def _collect_copy(copy: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=copy,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@then("that pytest process fails")
def _process_fails(process: subprocess.CompletedProcess[str]) -> None:
    assert process.returncode == pytest.ExitCode.TESTS_FAILED, (
        process.stdout[-4000:] + (process.stderr[-4000:])
    )
    assert "traceability gate: FAILED" in process.stdout


@then(
    parsers.parse(
        "its only traceability problems are that the scenario names no requirement and "
        '"{requirement}" has no scenario'
    )
)
def _only_problems(copy: Path, process: subprocess.CompletedProcess[str], requirement: str) -> None:
    report = json.loads((copy / "reports" / "traceability.json").read_text(encoding="utf-8"))
    assert report["run"]["complete"] is True
    assert report["run"]["collect_only"] is True
    untagged, uncovered = report["problems"]
    assert untagged.startswith("scenario 'Rejected rows are a warning that holds nothing back'")
    assert "names no requirement" in untagged
    assert uncovered.startswith(f"{requirement} (")
    assert "has 0 scenario(s)" in uncovered
    for problem in (untagged, uncovered):
        assert f"PROBLEM: {problem}" in process.stdout
