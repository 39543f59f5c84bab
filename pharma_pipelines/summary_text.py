"""The run summary as text for a terminal."""

from __future__ import annotations

from collections import defaultdict

from pharma_pipelines.runner import RunSummary


def render_summary(summary: RunSummary) -> str:
    out: list[str] = ["", "=" * 78, f"run {summary.run_id or '-'}", "=" * 78]
    out.append(
        f"assets: {len(summary.assets_materialized)} materialized, "
        f"{len(summary.assets_not_materialized)} not materialized"
    )
    for key in summary.assets_not_materialized:
        out.append(f"  not materialized: {key}")
    out.append(
        f"checks: {summary.checks_passed} passed, {summary.checks_warned} warned, "
        f"{summary.checks_failed} failed"
    )
    for check in summary.checks:
        if not check.passed:
            label = "FAILED" if check.severity == "ERROR" else "warned"
            out.append(f"  {label} {check.asset}:{check.check} - {check.description}")

    out.append("")
    out.append("ingestion, per file:")
    by_file: dict[str, list] = defaultdict(list)
    for account in summary.files:
        by_file[account.file].append(account)
    for name, accounts in by_file.items():
        parts = []
        for a in accounts:
            if a.status == "quarantined":
                parts.append(f"{a.entity or a.kind}: QUARANTINED ({a.quarantine_reason})")
            elif a.status == "duplicate":
                parts.append(f"{a.entity}: DUPLICATE ({a.quarantine_reason})")
            elif a.status == "not loaded":
                parts.append(f"NOT LOADED ({a.quarantine_reason})")
            else:
                parts.append(f"{a.entity}: {a.rows_loaded} loaded, {a.rows_rejected} rejected")
        out.append(f"  {name}: " + "; ".join(parts))
    totals = summary.to_json()["totals"]
    out.append(
        f"  total: {totals['files']} files, {totals['rows_loaded']} rows loaded, "
        f"{totals['rows_rejected']} rejected, {totals['files_quarantined']} files quarantined"
    )

    out.append("")
    if summary.schedule:
        s = summary.schedule
        out.append(
            f"schedule: {s.get('status')} (verified: {s.get('verified')}), objective "
            f"{s.get('objective')}, bound {s.get('bound')}, gap {s.get('gap')}, "
            f"{s.get('solve_seconds')} s of {s.get('time_limit_s')} s"
        )
        for name, value in (s.get("kpis") or {}).items():
            out.append(f"  {name}: {value}")
    else:
        out.append("schedule: not solved in this run")
    for error in summary.errors:
        out.append(f"ERROR {error}")
    out.append(f"exit status {summary.exit_code}")
    return "\n".join(out)
