"""The lineage of a scheduled order as text for a terminal: schedule line to source files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from pharma_pipelines.warehouse.lineage_repository import OrderLineage, SourceFile

PAYLOAD_SHOWN = 400
"""Characters of a raw row's values printed; the full row is in the table raw_record."""

SAME = "same"
DIFFERENT = "different"
MISSING = "missing"


def _when(value: dt.datetime) -> str:
    return value.isoformat(timespec="minutes")


def _payload(values: Mapping[str, object]) -> str:
    text = "; ".join(f"{name}={value}" for name, value in values.items() if value not in (None, ""))
    return text if len(text) <= PAYLOAD_SHOWN else text[: PAYLOAD_SHOWN - 3] + "..."


def _key(values: Mapping[str, object]) -> str:
    return ", ".join(f"{name}={value}" for name, value in values.items())


def file_state(file: SourceFile, current_hash: str | None) -> str:
    """``same``, ``different`` or ``missing``: what the landing zone holds now, against the load."""
    if current_hash is None:
        return MISSING
    return SAME if current_hash == file.content_hash else DIFFERENT


def render_lineage(lineage: OrderLineage, current_hashes: Mapping[str, str | None]) -> str:
    """The chain, one numbered step per layer; ``current_hashes`` maps a file's path to the
    SHA-256 of what lies at that path in the landing zone now (``None``: nothing)."""
    schedule, line = lineage.schedule, lineage.line
    verified = "verified by the independent checker" if schedule.verified else "NOT verified"
    out = [
        f"lineage of production order {line.order}, plant {schedule.plant}",
        "",
        "1. schedule line",
        f"   schedule #{schedule.id} of plant {schedule.plant}: {schedule.status}, {verified}; "
        f"saved {_when(schedule.created_at)} by run {schedule.run_id} "
        f"(problem {schedule.problem_hash[:12]})",
        f"   order {line.order} (material {line.material}) on line {line.line}, "
        f"no. {line.sequence}: {_when(line.start_at)} to {_when(line.end_at)}, "
        f"changeover {line.changeover_minutes} min before it, due {_when(line.due_at)}, "
        f"late {line.tardiness_minutes} min",
        "",
        f"2. curated rows that placed it ({len(lineage.curated)}; as they stand now, curated "
        "tables are rebuilt at each materialization)",
    ]
    for row in lineage.curated:
        raw = ", ".join(f"#{r.id}" for r in row.raw_rows) or "none"
        out.append(f"   {row.table} #{row.id} ({_key(row.key)}) <- raw rows {raw}")
        if row.missing_raw_ids:
            missing = ", ".join(f"#{i}" for i in row.missing_raw_ids)
            out.append(f"      MISSING raw rows {missing}: named by the row, not in raw_record")
    if not lineage.curated:
        out.append("   NONE: no curated row matches the schedule line any more")
    raw_rows = {r.id: r for row in lineage.curated for r in row.raw_rows}
    out.extend(["", f"3. raw rows ({len(raw_rows)}; values as the source wrote them)"])
    for raw in raw_rows.values():
        out.append(
            f"   #{raw.id} {raw.entity}, row {raw.row_number} of {raw.file.relative_path}: "
            f"{_payload(raw.payload)}"
        )
    files = lineage.files()
    out.extend(["", f"4. source files ({len(files)})"])
    for file in files:
        state = file_state(file, current_hashes.get(file.relative_path))
        now = {
            SAME: "in the landing zone now with the same SHA-256",
            DIFFERENT: "in the landing zone now with a DIFFERENT SHA-256 (overwritten since)",
            MISSING: "no longer in the landing zone",
        }[state]
        out.append(f"   {file.relative_path}")
        out.append(f"      sha256 {file.content_hash}")
        out.append(
            f"      loaded into {file.entity} ({file.status}) at {_when(file.loaded_at)} "
            f"by run {file.run_id}; {now}"
        )
    return "\n".join(out)
