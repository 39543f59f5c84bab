"""pytest plugin: every test run writes the traceability report and applies its gate.

``tests/conftest.py`` registers it, so ``uv run pytest`` needs nothing more. Feature-file tags
become marks here: ``@URS-001`` the ``requirement("URS-001")`` mark, ``@negative`` the
``negative`` mark; every other tag stays pytest-bdd's (a registered marker, such as
``@postgres``). After collection the plugin notes each scenario, after each test its outcome;
at the end of the session it judges them against ``requirements/urs.toml`` by the rules in
:mod:`pharma_pipelines.traceability.report`, writes ``reports/traceability.md``, ``.html`` and
``.json`` under the rootdir when the run collected any scenario, and turns a passing run into a
failing one (exit status 1) when the gate finds a problem.

Under pytest-xdist the workers collect and the controller judges: each worker sends what it
collected in its ``workeroutput`` when it finishes, and every test's outcome reaches the
controller as a report, so the report and the gate are the controller's alone.

The scenario behind a test item is looked up in pytest-bdd's own registry of scenario
functions: pytest-bdd offers no public way to ask an item for its scenario.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pytest_bdd.scenario import scenario_wrapper_template_registry

from pharma_pipelines.traceability import (
    ID_PREFIX,
    Outcome,
    Register,
    RegisterError,
    RunContext,
    ScenarioResult,
    TraceabilityReport,
    code_version,
    judge,
    load_register,
    write_report,
)
from pharma_pipelines.traceability.report import NEGATIVE_TAG

REGISTER = Path("requirements") / "urs.toml"
REPORTS = Path("reports")
REQUIREMENT_MARK = "requirement"


@pytest.hookimpl(tryfirst=True)
def pytest_bdd_apply_tag(tag: str, function: object) -> bool | None:
    """Requirement ids and ``negative`` become this plugin's marks; other tags pytest-bdd's."""
    if tag.startswith(ID_PREFIX):
        pytest.mark.requirement(tag)(function)
        return True
    if tag == NEGATIVE_TAG:
        pytest.mark.negative(function)
        return True
    return None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "requirement(id): the scenario proves this user requirement (from @URS-nnn)"
    )
    config.addinivalue_line(
        "markers",
        "negative: the scenario shows the product refusing, flagging or holding back "
        "something wrong (from @negative)",
    )
    base = config.getini("bdd_features_base_dir")
    if not base:
        return
    try:
        register = load_register(config.rootpath / REGISTER)
    except RegisterError as error:
        raise pytest.UsageError(str(error)) from error
    # the report names the register as the repository does, not by this machine's path
    register = dataclasses.replace(register, path=REGISTER.as_posix())
    config.pluginmanager.register(
        TraceabilityGate(
            config,
            register,
            (config.rootpath / base).resolve(),
            worker=hasattr(config, "workerinput"),
        ),
        "traceability-gate",
    )


@dataclass
class _Collected:
    """A collected scenario item and what happened to it so far."""

    feature: str
    feature_file: Path
    line: int
    name: str
    template_name: str
    requirement_ids: tuple[str, ...]
    negative: bool

    def to_wire(self) -> dict[str, object]:
        """Plain values, as xdist carries them from a worker to the controller."""
        return {
            **dataclasses.asdict(self),
            "feature_file": str(self.feature_file),
            "requirement_ids": list(self.requirement_ids),
        }

    @classmethod
    def from_wire(cls, values: dict) -> _Collected:
        return cls(
            **{
                **values,
                "feature_file": Path(values["feature_file"]),
                "requirement_ids": tuple(values["requirement_ids"]),
            }
        )


@dataclass
class _Seen:
    """What the reports of one test said so far: its worst phase wins."""

    outcome: Outcome = Outcome.NOT_RUN
    duration_s: float = 0.0
    detail: str = ""

    def add(self, report: pytest.TestReport) -> None:
        self.duration_s += report.duration
        if self.outcome is Outcome.FAILED:
            return
        if report.failed:
            self.outcome = Outcome.FAILED
            self.detail = f"failed in {report.when}"
        elif report.skipped:
            self.outcome = Outcome.SKIPPED
            self.detail = _skip_reason(report)
        elif report.when == "call":
            self.outcome = Outcome.PASSED


@dataclass(eq=False)  # pluggy keeps plugins in sets: hashed by identity
class TraceabilityGate:
    """The plugin's state for one pytest session."""

    config: pytest.Config
    register: Register
    features_dir: Path
    started_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    worker: bool = False
    scenarios: dict[str, _Collected] = field(default_factory=dict)
    seen: dict[str, _Seen] = field(default_factory=dict)
    feature_scenarios: dict[Path, set[str]] = field(default_factory=dict)
    outside_scenarios: list[str] = field(default_factory=list)
    deselected: int = 0
    report: TraceabilityReport | None = None
    written: list[Path] = field(default_factory=list)

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        self.deselected += sum(1 for item in items if _template(item) is not None)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        for item in session.items:
            template = _template(item)
            ids = tuple(
                dict.fromkeys(str(m.args[0]) for m in item.iter_markers(REQUIREMENT_MARK) if m.args)
            )
            if template is None:
                if ids:
                    self.outside_scenarios.append(item.nodeid)
                continue
            callspec = getattr(item, "callspec", None)
            feature_file = Path(template.feature.filename).resolve()
            self.feature_scenarios[feature_file] = set(template.feature.scenarios)
            self.scenarios[item.nodeid] = _Collected(
                feature=template.feature.name or feature_file.stem,
                feature_file=feature_file,
                line=template.line_number,
                name=template.name + (f" [{callspec.id}]" if callspec is not None else ""),
                template_name=template.name,
                requirement_ids=ids,
                negative=item.get_closest_marker("negative") is not None,
            )

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # On the controller of an xdist run the scenarios arrive only at the end: every
        # report is kept, and matched with its scenario when the session finishes.
        self.seen.setdefault(report.nodeid, _Seen()).add(report)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: object, error: object) -> None:
        """An xdist worker finished: take over what it collected."""
        sent = getattr(node, "workeroutput", {}).get("traceability")
        if sent is None:
            return
        for node_id, values in sent["scenarios"].items():
            self.scenarios[node_id] = _Collected.from_wire(values)
        for path, names in sent["feature_scenarios"].items():
            self.feature_scenarios[Path(path)] = set(names)
        self.outside_scenarios = sorted({*self.outside_scenarios, *sent["outside_scenarios"]})
        self.deselected = max(self.deselected, sent["deselected"])

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.worker:
            self.config.workeroutput["traceability"] = {
                "scenarios": {node_id: c.to_wire() for node_id, c in self.scenarios.items()},
                "feature_scenarios": {
                    str(path): sorted(names) for path, names in self.feature_scenarios.items()
                },
                "outside_scenarios": self.outside_scenarios,
                "deselected": self.deselected,
            }
            return
        complete, scope = self._scope(exitstatus)
        run = RunContext(
            started_at=self.started_at,
            finished_at=dt.datetime.now(dt.UTC),
            commit=code_version(self.config.rootpath).describe(),
            complete=complete,
            scope=scope,
            collect_only=bool(self.config.option.collectonly),
        )
        report = judge(
            self.register,
            [self._result(node_id, s) for node_id, s in self.scenarios.items()],
            run,
            self._unbound_features() if complete else (),
        )
        problems = [
            f"{node_id} claims a requirement with a requirement mark, but only Given/When/Then "
            "scenarios prove requirements: move it into a feature file"
            for node_id in self.outside_scenarios
        ]
        if problems:
            report = TraceabilityReport(
                register_path=report.register_path,
                run=report.run,
                coverage=report.coverage,
                scenarios=report.scenarios,
                problems=(*report.problems, *problems),
                not_judged=report.not_judged,
            )
        self.report = report
        if self.scenarios or complete:
            self.written = write_report(report, self.config.rootpath / REPORTS)
        if report.problems and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        report = self.report
        if report is None:
            return
        if not self.scenarios and not report.run.complete:
            terminalreporter.write_line(
                "traceability: no scenario in this run; report not written, gate not judged"
            )
            return
        terminalreporter.section("traceability")
        statuses: dict[str, int] = {}
        for item in report.coverage:
            statuses[item.status.value] = statuses.get(item.status.value, 0) + 1
        counts = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
        terminalreporter.write_line(
            f"{len(report.coverage)} requirements ({counts}); {len(report.scenarios)} scenarios; "
            f"{report.run.scope}"
        )
        for problem in report.problems:
            terminalreporter.write_line(f"PROBLEM: {problem}", red=True)
        if report.not_judged:
            terminalreporter.write_line(
                f"{len(report.not_judged)} finding(s) not judged in a partial run (see the report)"
            )
        for path in self.written:
            terminalreporter.write_line(f"report: {path}")
        terminalreporter.write_line(
            f"traceability gate: {report.gate}", red=report.gate == "FAILED", bold=True
        )

    def _scope(self, exitstatus: int) -> tuple[bool, str]:
        """Whether the run covered the whole features folder, and why (not)."""
        folder = _relative(self.features_dir, self.config.rootpath)
        if exitstatus == pytest.ExitCode.INTERRUPTED:
            return False, f"partial: the run was interrupted before {folder} was done"
        invocation = self.config.invocation_params.dir
        asked = list(self.config.args)
        covering = [
            arg
            for arg in asked
            if "::" not in arg
            and (invocation / arg).resolve() in (self.features_dir, *self.features_dir.parents)
        ]
        if not covering:
            return False, (
                f"partial: the run was asked for {', '.join(asked)}, which does not contain "
                f"the whole features folder {folder}"
            )
        if self.deselected:
            return False, (
                f"partial: {self.deselected} scenario(s) of {folder} were deselected "
                "(-k, -m, --deselect or --lf)"
            )
        return True, f"complete: every scenario of {folder} was selected"

    def _result(self, node_id: str, collected: _Collected) -> ScenarioResult:
        seen = self.seen.get(node_id, _Seen())
        return ScenarioResult(
            feature=collected.feature,
            feature_file=_relative(collected.feature_file, self.config.rootpath),
            line=collected.line,
            name=collected.name,
            requirement_ids=collected.requirement_ids,
            negative=collected.negative,
            outcome=seen.outcome,
            duration_s=seen.duration_s,
            node_id=node_id,
            detail=seen.detail,
        )

    def _unbound_features(self) -> list[str]:
        """Feature files of the folder with a scenario that no collected item runs."""
        collected: dict[Path, set[str]] = {}
        for scenario in self.scenarios.values():
            collected.setdefault(scenario.feature_file, set()).add(scenario.template_name)
        unbound = []
        for path in sorted(p.resolve() for p in self.features_dir.rglob("*.feature")):
            if path not in collected or self.feature_scenarios[path] - collected[path]:
                unbound.append(_relative(path, self.config.rootpath))
        return unbound


def _template(item: pytest.Item):
    function = getattr(item, "obj", None)
    if function is None:
        return None
    try:
        return scenario_wrapper_template_registry.get(function)
    except TypeError:  # not weak-referenceable: not a scenario function
        return None


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return "skipped"


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
