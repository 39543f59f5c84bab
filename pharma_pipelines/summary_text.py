"""The run summary as text for a terminal."""

from __future__ import annotations

from collections import defaultdict

from pharma_pipelines.runner import FileAccount, RunSummary

REJECTS_SHOWN = 20


def render_summary(summary: RunSummary) -> str:
    out: list[str] = ["", "=" * 78, f"run {summary.run_id or '-'}", "=" * 78]
    out.append(
        f"assets: {len(summary.assets_materialized)} materialized, "
        f"{len(summary.assets_not_materialized)} not materialized"
    )
    out.extend(f"  not materialized: {key}" for key in summary.assets_not_materialized)
    out.append(
        f"checks: {summary.checks_passed} passed, {summary.checks_warned} warned, "
        f"{summary.checks_failed} failed, {len(summary.checks_not_run)} not run "
        "(their asset was not materialized)"
    )
    for check in summary.checks:
        if not check.passed:
            label = "FAILED" if check.severity == "ERROR" else "warned"
            out.append(f"  {label} {check.target} - {check.description}")
    out.append("  (failing rows of each check: asset metadata in the UI, or --report JSON)")

    out.extend(["", "ingestion, per file:"])
    by_file: dict[str, list[FileAccount]] = defaultdict(list)
    for account in summary.files:
        by_file[account.file].append(account)
    for name, accounts in by_file.items():
        out.append(f"  {name}: " + "; ".join(_describe(accounts)))
    totals = summary.to_json()["totals"]
    new_files = len({f.file for f in summary.files if f.loaded_in_this_run})
    out.append(
        f"  total: {totals['files']} files ({new_files} new in this run), "
        f"{totals['rows_loaded']} rows loaded, "
        f"{totals['rows_rejected']} rejected, {totals['files_quarantined']} files quarantined"
    )
    if summary.rejected_rows:
        out.append(f"rejected rows (first {REJECTS_SHOWN}; all in --report and table raw_reject):")
        for reject in summary.rejected_rows[:REJECTS_SHOWN]:
            column = f", column {reject.column!r}" if reject.column else ""
            where = f"{reject.file} line {reject.row}{column}"
            out.append(f"  {where} [{reject.rule}]: {reject.reason}")

    out.append("")
    out.extend(_schedule_lines(summary))
    out.extend(f"RETRIED {retry} (a later attempt ran)" for retry in summary.retries)
    out.extend(f"ERROR {error}" for error in summary.errors)
    out.append(f"exit status {summary.exit_code}")
    return "\n".join(out)


def _describe(accounts: list[FileAccount]) -> list[str]:
    parts = []
    for a in accounts:
        if a.status == "quarantined":
            parts.append(f"{a.entity or a.kind}: QUARANTINED ({a.quarantine_reason})")
        elif a.status == "duplicate":
            parts.append(f"{a.entity}: DUPLICATE ({a.quarantine_reason})")
        elif a.status == "not loaded":
            parts.append(f"NOT LOADED ({a.quarantine_reason})")
        elif a.rows_loaded or a.rows_rejected:
            when = "" if a.loaded_in_this_run else " (already loaded)"
            parts.append(f"{a.entity}: {a.rows_loaded} loaded, {a.rows_rejected} rejected{when}")
    return parts or [f"{accounts[0].entity}: no rows"]


def _schedule_lines(summary: RunSummary) -> list[str]:
    if summary.planning_held_back:
        return [
            "schedules: no plant planned in this run: an upstream asset was not materialized "
            f"or a blocking ERROR check failed ({summary.planning_held_back}), so the "
            "schedules were held back"
        ]
    lines: list[str] = []
    for plant in summary.plant_runs:
        lines.extend(_plant_schedule(summary, plant))
    return lines or ["schedules: no plant planned in this run"]


def _plant_schedule(summary: RunSummary, plant: str) -> list[str]:
    s = summary.schedules.get(plant) or {}
    if not s:
        return [
            f"schedule of plant {plant}: not solved in run {summary.plant_runs[plant]}: its "
            "problem failed or a blocking ERROR check on it failed (see above)"
        ]
    gap = s.get("gap")
    bound = s.get("bound")
    lines = [
        f"schedule of plant {plant}: {s.get('status')} (verified by the independent checker: "
        f"{s.get('verified')}), solved in {s.get('solve_seconds')} s "
        f"(limit {s.get('time_limit_s')} s)",
        f"  objective {s.get('objective')} = weighted tardiness minutes + changeover minutes",
        f"  lower bound {bound:.0f}, gap {gap:.1%}"
        if gap is not None and bound is not None
        else "  no lower bound (no proof of quality)",
    ]
    if gap is not None and gap > 0.05:
        lines.append(
            "  the gap is not closed: a longer PHARMA_SOLVER_TIME_LIMIT_S may find a better plan"
        )
    for name, value in (s.get("kpis") or {}).items():
        lines.append(f"  {name}: {value}")
    least_bad = s.get("least_bad_plan_summary")
    if least_bad:
        lines.append(
            f"  least-bad plan (deadlines softened, NOT a valid schedule): {least_bad['note']}"
        )
        if least_bad.get("deadlines_missed"):
            lines.append(
                f"    {least_bad['deadlines_missed']} deadline(s) missed, the worst by "
                f"{least_bad['worst_miss_hours']} h; see least_bad_plan in the UI"
            )
    if s.get("gantt_png"):
        lines.append(f"  Gantt chart: {s['gantt_png']}")
    changes = s.get("changes") or {}
    if changes:
        moved = ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in changes.items())
        lines.append(f"  what moved against {s['compared_with']}: {moved}")
    elif s.get("compared_with"):
        lines.append(f"  what moved: nothing to compare ({s['compared_with']})")
    return lines
