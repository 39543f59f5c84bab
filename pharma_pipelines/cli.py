"""The ``pharma-pipelines`` command: thin wrappers over the definitions and contexts."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pharma_pipelines.settings import (
    PlatformSettings,
    load_settings,
    warehouse_for_landing_zone,
)


def _settings(args: argparse.Namespace) -> PlatformSettings:
    overrides: dict[str, object] = {}
    if getattr(args, "landing", None):
        # An s3:// URL is not a path: resolving it would glue it to the working folder.
        overrides["landing_zone"] = (
            args.landing
            if args.landing.startswith("s3://")
            else str(Path(args.landing).expanduser().resolve())
        )
    if getattr(args, "warehouse", None):
        overrides["warehouse_url"] = args.warehouse
    elif "landing_zone" in overrides and "PHARMA_WAREHOUSE_URL" not in os.environ:
        # The warehouse accumulates every file it has loaded; a second landing zone in the
        # same default warehouse would mix two plants, so each gets its own by default.
        overrides["warehouse_url"] = warehouse_for_landing_zone(str(overrides["landing_zone"]))
    if getattr(args, "time_limit", None):
        overrides["solver_time_limit_s"] = args.time_limit
    return load_settings().model_copy(update=overrides)


def _materialize(args: argparse.Namespace) -> int:
    from pharma_pipelines.runner import local_instance, materialize_all
    from pharma_pipelines.summary_text import render_summary

    settings = _settings(args)
    print(f"landing zone: {settings.landing_zone}")
    print(f"warehouse:    {settings.warehouse_url}")
    summary = materialize_all(
        settings, local_instance(), on_event=lambda m: print(f"  {m}", flush=True)
    )
    print(render_summary(summary))
    if args.report:
        report = Path(args.report)
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(summary.to_json(), indent=2, default=str), encoding="utf-8")
        print(f"report written to {report}")
    return summary.exit_code


def _generate_sample(args: argparse.Namespace) -> int:
    from pharma_pipelines.sample import generate_landing_zone

    summary = generate_landing_zone(Path(args.directory), seed=args.seed, defects=args.defects)
    print(f"wrote {len(summary.files)} files to {args.directory} (seed {args.seed})")
    for name, count in sorted(summary.counts.items()):
        print(f"  {name}: {count}")
    if summary.defects:
        print(f"{len(summary.defects)} deliberate defects:")
        for defect in summary.defects:
            where = f"{defect.file}" + (f" line {defect.row}" if defect.row else "")
            where += f" column {defect.column}" if defect.column else ""
            print(f"  {defect.code}: {where}: {defect.description}")
    return 0


class _ProgressLine:
    """One status line on stderr, redrawn every second while a solve runs.

    On a terminal the line is rewritten in place; otherwise (a log, CI) each
    change of phase is printed once, so logs stay short.
    """

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._live = bool(getattr(stream, "isatty", lambda: False)())
        self._state: Any = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._tick, daemon=True)

    def __enter__(self) -> _ProgressLine:
        if self._live:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._live:
            self._thread.join()
            self._stream.write("\n")
            self._stream.flush()

    def update(self, progress: Any) -> None:
        self._state = (progress, time.monotonic())
        if not self._live:
            self._stream.write(self._render() + "\n")
            self._stream.flush()

    def _render(self) -> str:
        progress, seen = self._state
        elapsed = progress.elapsed_s + (time.monotonic() - seen if self._live else 0.0)
        best = "none yet" if progress.best_objective is None else str(progress.best_objective)
        return (
            f"[{elapsed:6.1f} s of {progress.time_limit_s:g} s] {progress.phase}; "
            f"best objective {best}"
        )

    def _tick(self) -> None:
        while not self._stop.wait(1.0):
            if self._state is not None:
                self._stream.write("\r" + self._render().ljust(72))
                self._stream.flush()


def _solve_weekly(args: argparse.Namespace) -> int:
    from pharma_pipelines.scheduling.weekly import (
        WeeklyFormatError,
        read_weekly_problem,
        render_plan,
        solve_weekly,
    )

    try:
        problem = read_weekly_problem(Path(args.instance))
    except (OSError, WeeklyFormatError) as error:
        print(f"cannot read instance {args.instance}: {error}", file=sys.stderr)
        return 2
    plan = solve_weekly(problem, time_limit_s=args.time_limit, threads=args.threads, seed=args.seed)
    print(render_plan(problem, plan))
    if args.output:
        document = json.dumps(plan.to_document(), indent=1) + "\n"
        Path(args.output).write_text(document, encoding="utf-8")
        print(f"solution written to {args.output}")
    return 0 if plan.status.has_schedule else 1


def _solve(args: argparse.Namespace) -> int:
    from pharma_pipelines.scheduling.weekly import sniff_weekly_file

    if sniff_weekly_file(args.instance):
        return _solve_weekly(args)
    from pharma_pipelines.scheduling import (
        BenchFormatError,
        check_schedule,
        read_instance,
        solve,
        write_solution,
    )

    try:
        problem = read_instance(Path(args.instance))
    except (OSError, BenchFormatError) as error:
        print(f"cannot read instance {args.instance}: {error}", file=sys.stderr)
        return 2
    with _ProgressLine(sys.stderr) as progress:
        schedule = solve(
            problem,
            time_limit_s=args.time_limit,
            threads=args.threads,
            seed=args.seed,
            on_progress=progress.update,
        )
    report = check_schedule(problem, schedule) if schedule.status.has_schedule else None
    bound = "none" if schedule.bound is None else f"{schedule.bound:g}"
    gap = "none" if schedule.gap is None else f"{schedule.gap:.2%}"
    print(
        f"{problem.name}: {schedule.status.value} objective={schedule.objective} "
        f"bound={bound} gap={gap} time={schedule.solve_seconds:.1f}s solver={schedule.solver}"
    )
    if schedule.message:
        print(schedule.message)
    if report is not None:
        verdict = "feasible" if report.feasible else "INFEASIBLE"
        print(f"checker: {verdict}, objective {report.objective}")
        for violation in report.violations[:20]:
            print(f"  {violation.message}")
    if args.output:
        write_solution(schedule, Path(args.output), problem)
        print(f"solution written to {args.output}")
    return 0 if report is not None and report.feasible else 1


def _inspect(args: argparse.Namespace) -> int:
    from pharma_pipelines.ingestion.inspection import inspect_file, render, write_outputs
    from pharma_pipelines.ingestion.parse import UnknownKindError

    path = Path(args.file)
    try:
        inspection = inspect_file(path, kind=args.kind)
    except OSError as error:
        print(f"cannot read {path}: {error.strerror or error}", file=sys.stderr)
        return 2
    except UnknownKindError as error:
        print(str(error), file=sys.stderr)
        return 2
    print(render(inspection, preview=args.preview))
    if args.out:
        try:
            rows, rejects = write_outputs(inspection, Path(args.out))
        except OSError as error:
            print(f"cannot write to {args.out}: {error.strerror or error}", file=sys.stderr)
            return 2
        print(f"\ntyped rows written to {rows}\nrejects written to {rejects}")
    return inspection.exit_code


def _disposition_list(args: argparse.Namespace) -> int:
    from pharma_pipelines.runner import local_instance, steward_view
    from pharma_pipelines.warehouse.database import WarehouseSchemaError

    settings = _settings(args)
    instance = local_instance()
    try:
        view = steward_view(settings, instance, latest=args.latest)
    except WarehouseSchemaError as error:
        print(str(error), file=sys.stderr)
        return 2
    print(f"Dagster instance: {instance.root_directory}")
    print(f"warehouse:        {settings.warehouse_url}")
    awaiting = sum(1 for failed in view.failed if failed.decision is None)
    print(
        f"\n{len(view.failed)} check(s) failed in their latest evaluation, "
        f"{awaiting} awaiting a decision:"
    )
    for failed in view.failed:
        evaluation = failed.evaluation
        severity = evaluation.severity.value + (", blocking" if failed.blocking else "")
        partition = f" --partition {evaluation.partition}" if evaluation.partition else ""
        name = f"{evaluation.asset}:{evaluation.key.name}{partition}"
        print(f"  {evaluation.target}  ({severity})")
        print(f"    result:     {evaluation.description or 'failed'}")
        print(f"    evaluation: {evaluation.describe()}")
        print(f"    decision:   {failed.status}")
        print(f'    to decide:  pharma-pipelines disposition accept|reject {name} --reason "..."')
    print(f"\nlatest {len(view.latest)} decision(s):")
    for record in view.latest:
        when = record.decided_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        print(
            f"  #{record.id} {when}  {record.decision.value}  {record.check}  "
            f"by {record.decided_by}: {record.reason!r}"
        )
        print(
            f"      about evaluation {record.evaluation_id} (run {record.evaluation_run_id[:8]}) "
            f"of materialization #{record.materialization_storage_id} "
            f"(run {record.materialization_run_id[:8] or 'none'}); "
            f"content hash {record.content_hash[:12]}"
        )
    return 0


def _disposition_decide(args: argparse.Namespace) -> int:
    from pharma_pipelines.assets.dispositions import DispositionRefused, DispositionRequest
    from pharma_pipelines.runner import local_instance, record_decision
    from pharma_pipelines.warehouse.database import WarehouseSchemaError
    from pharma_pipelines.warehouse.disposition_repository import Decision

    decided_by = args.by or _os_user()
    if not decided_by:
        print("cannot tell who you are from the system: give --by NAME", file=sys.stderr)
        return 2
    request = DispositionRequest(
        decision=Decision(args.decision),
        check=args.check,
        asset=args.asset,
        partition=args.partition,
        reason=args.reason,
        decided_by=decided_by,
    )
    try:
        record = record_decision(_settings(args), local_instance(), request)
    except WarehouseSchemaError as error:
        print(str(error), file=sys.stderr)
        return 2
    except DispositionRefused as error:
        print(str(error), file=sys.stderr)
        return 1
    print(
        f"recorded disposition #{record.id}: {record.decision.value} {record.check} "
        f"by {record.decided_by} at {record.decided_at.isoformat(timespec='seconds')}"
    )
    print(f"  reason:          {record.reason}")
    print(
        f"  evaluation:      {record.evaluation_id} of run {record.evaluation_run_id}, "
        f"{record.evaluated_at.isoformat(timespec='seconds')}"
    )
    run = record.materialization_run_id or "none (reported outside a run)"
    version = f", data version {record.data_version}" if record.data_version else ""
    print(f"  materialization: #{record.materialization_storage_id} of run {run}{version}")
    print(f"  content hash:    {record.content_hash}")
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from pharma_pipelines.warehouse.database import WarehouseSchemaError, describe, make_engine
    from pharma_pipelines.warehouse.schema import head_revision, upgrade

    engine = make_engine(_settings(args).warehouse_url)
    print(f"warehouse: {describe(engine)}")
    try:
        before, after = upgrade(engine, args.revision)
    except WarehouseSchemaError as error:
        print(str(error), file=sys.stderr)
        return 2
    except SQLAlchemyError as error:
        print(f"cannot migrate {describe(engine)}: {error}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    if before == after:
        print(f"already at revision {after} (newest: {head_revision()}); nothing to do")
    else:
        print(f"migrated from revision {before or 'none (empty database)'} to {after}")
    return 0


def _lineage(args: argparse.Namespace) -> int:
    from pharma_pipelines.definitions import landing_zone
    from pharma_pipelines.lineage_text import render_lineage
    from pharma_pipelines.resources import WarehouseResource
    from pharma_pipelines.warehouse.database import WarehouseSchemaError
    from pharma_pipelines.warehouse.lineage_repository import OrderNotScheduled

    settings = _settings(args)
    warehouse = WarehouseResource(url=settings.warehouse_url)
    try:
        lineage = warehouse.lineage().order(args.order, args.plant)
    except WarehouseSchemaError as error:
        print(str(error), file=sys.stderr)
        return 2
    except OrderNotScheduled as error:
        print(str(error), file=sys.stderr)
        return 1
    landing = landing_zone(settings)
    current = {
        file.relative_path: _landed_hash(landing, file.relative_path) for file in lineage.files()
    }
    print(f"warehouse:    {warehouse.describe()}")
    print(f"landing zone: {settings.landing_zone}\n")
    print(render_lineage(lineage, current))
    return 0


def _evidence(args: argparse.Namespace) -> int:
    from pharma_pipelines.evidence import DEFAULT_REPORTS, build_evidence, describe_bundle
    from pharma_pipelines.runner import local_instance
    from pharma_pipelines.warehouse.database import WarehouseSchemaError

    settings = _settings(args)
    reports = Path(args.reports) if args.reports else DEFAULT_REPORTS
    try:
        bundle = build_evidence(
            settings,
            local_instance(),
            Path(args.out),
            reports=reports,
            junit=Path(args.junit) if args.junit else None,
            history=args.history,
        )
    except WarehouseSchemaError as error:
        print(str(error), file=sys.stderr)
        return 2
    except OSError as error:
        print(f"cannot write {args.out}: {error.strerror or error}", file=sys.stderr)
        return 2
    for line in describe_bundle(bundle):
        print(line)
    return 0


def _landed_hash(landing: Any, relative_path: str) -> str | None:
    """SHA-256 of what lies at ``relative_path`` in the landing zone now, or None."""
    from pharma_pipelines.ingestion import content_hash

    try:
        return content_hash(landing.read(relative_path))
    except (OSError, ValueError):
        return None


def _os_user() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pharma-pipelines",
        description=(
            "Materialize the pharma asset graph, inspect a file, generate sample data, "
            "solve schedules, trace an order to its sources, bundle the evidence."
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True)

    materialize = commands.add_parser(
        "materialize", help="materialize the whole asset graph in process and print a summary"
    )
    materialize.add_argument(
        "--landing", help="landing-zone folder or s3://bucket/prefix/ (default: bundled sample)"
    )
    materialize.add_argument("--warehouse", help="SQLAlchemy URL (default: SQLite in ./data)")
    materialize.add_argument("--report", help="also write the summary as JSON to this file")
    materialize.add_argument("--time-limit", type=float, help="solver time limit in seconds")
    materialize.set_defaults(handler=_materialize)

    sample = commands.add_parser("generate-sample", help="write a seeded sample landing zone")
    sample.add_argument("directory")
    sample.add_argument("--seed", type=int, default=7)
    sample.add_argument("--defects", action="store_true", help="add labelled defects")
    sample.set_defaults(handler=_generate_sample)

    inspect = commands.add_parser(
        "inspect",
        help="show what the platform makes of one file: kind, encoding, rows, rejects",
        description=(
            "Read one file exactly as the raw layer would. Exit 0 when every row loads, "
            "1 when rows are rejected or the file is quarantined, 2 when it cannot be read."
        ),
    )
    inspect.add_argument("file")
    inspect.add_argument("--kind", help="read the file as this extract kind, e.g. sap/stock")
    inspect.add_argument("--out", help="write rows.csv (typed values) and rejects.csv here")
    inspect.add_argument("--preview", type=int, default=10, help="typed rows to show")
    inspect.set_defaults(handler=_inspect)

    solve = commands.add_parser(
        "solve",
        help="solve a pharma-sched-bench/1 instance file or a weekly planning file",
        description=(
            "Solve one instance within the time limit and print its status, objective, bound "
            "and gap, with a progress line on standard error while it works. Exit 0 with a "
            "checked plan, 1 without one (INFEASIBLE, NO_SOLUTION_FOUND), 2 when the file "
            "cannot be read."
        ),
    )
    solve.add_argument("instance")
    solve.add_argument(
        "--out", "--output", "-o", dest="output", help="write the solution file here"
    )
    solve.add_argument("--time-limit", type=float, default=30.0)
    solve.add_argument("--threads", type=int, default=1)
    solve.add_argument("--seed", type=int, default=0)
    solve.set_defaults(handler=_solve)

    migrate = commands.add_parser(
        "migrate",
        help="upgrade the warehouse schema to the newest revision (alembic upgrade head)",
        description=(
            "Apply the warehouse's Alembic revisions to the database of --warehouse or "
            "PHARMA_WAREHOUSE_URL (default: the local SQLite file). The release's migration "
            "task runs this before any new code. Exit 0 when the schema is at the revision, "
            "2 when the database cannot be reached or is not a warehouse."
        ),
    )
    migrate.add_argument("--warehouse", help="SQLAlchemy URL (default: PHARMA_WAREHOUSE_URL)")
    migrate.add_argument("--revision", default="head", help="target revision (default: head)")
    migrate.set_defaults(handler=_migrate)

    disposition = commands.add_parser(
        "disposition",
        help="list failed checks, or record a data steward's decision on one",
        description=(
            "A data steward's decisions on failed checks, kept append-only in the warehouse. "
            "An accepted failure lets planning go ahead on exactly the data the check judged; "
            "new data is checked afresh. Uses the Dagster instance under DAGSTER_HOME "
            "(default ./data/dagster_home), like materialize."
        ),
    )
    decisions = disposition.add_subparsers(dest="action", required=True)
    listing = decisions.add_parser(
        "list", help="failed checks with their evaluation, data and decision; latest decisions"
    )
    listing.add_argument("--latest", type=int, default=10, help="how many decisions to show")
    listing.set_defaults(handler=_disposition_list)
    for action, verb in (("accept", "ACCEPT"), ("reject", "REJECT")):
        decide = decisions.add_parser(
            action,
            help=f"{action} the latest failed evaluation of a check, with a reason",
            description=(
                f"{verb.capitalize()} the latest evaluation of CHECK, which must have failed. "
                "Exit 0 when recorded, 1 when refused (the check passed, was never evaluated, "
                "or is not known), 2 when the warehouse cannot be used."
            ),
        )
        decide.add_argument(
            "check", help="check name, or asset:name (curated/batches:batch_is_unique)"
        )
        decide.add_argument("--reason", required=True, help="why (a deviation or CAPA number)")
        decide.add_argument("--by", help="who decides (default: the logged-in user)")
        decide.add_argument("--asset", help="the checked asset, when several have the check")
        decide.add_argument("--partition", help="the plant, for a check of a planning asset")
        decide.set_defaults(handler=_disposition_decide, decision=verb)
    lineage = commands.add_parser(
        "lineage",
        help="trace a scheduled order back to its curated rows, raw rows and source files",
        description=(
            "Print the chain of ORDER in its plant's latest published schedule: the schedule "
            "line, the curated rows that placed it, the raw rows they name and each source "
            "file with its SHA-256 (and whether the landing zone still holds those bytes). "
            "Exit 0 when found, 1 when the order is in no published schedule, 2 when the "
            "warehouse cannot be used."
        ),
    )
    lineage.add_argument("order", help="production order number as in SAP, e.g. 000001002161")
    lineage.add_argument("--plant", help="the plant (default: the one whose schedule has it)")
    lineage.set_defaults(handler=_lineage)

    evidence = commands.add_parser(
        "evidence",
        help="write the evidence bundle (tests, traceability, check history, configuration)",
        description=(
            "Write one zip for the quality system: the last test run's JUnit XML, the "
            "traceability report and register, every recorded check evaluation of the Dagster "
            "instance (DAGSTER_HOME), the stewards' decisions from the warehouse, the settings "
            "with secrets masked, and manifest.json with the git commit, the SHA-256 of uv.lock "
            "and of every file. Parts not found are listed as missing. Exit 0 when written, 2 "
            "when the warehouse cannot be used or the file cannot be written."
        ),
    )
    evidence.add_argument("--out", required=True, help="the zip file to write")
    evidence.add_argument("--reports", help="folder of the test reports (default: ./reports)")
    evidence.add_argument("--junit", help="JUnit XML of the test run (default: reports/junit.xml)")
    evidence.add_argument(
        "--history", type=int, default=100, help="latest evaluations kept per check"
    )
    evidence.set_defaults(handler=_evidence)

    for sub in (
        evidence,
        listing,
        *(decisions.choices[name] for name in ("accept", "reject")),
        lineage,
    ):
        sub.add_argument("--landing", help="landing zone whose default warehouse to use")
        sub.add_argument("--warehouse", help="SQLAlchemy URL (default: SQLite in ./data)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
