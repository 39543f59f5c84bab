"""What every file under a folder maps to: a table for people, a check for tests.

``python -m pharma_pipelines.ingestion.survey <folder>`` prints one Markdown
row per extract (entity, rows loaded and rejected) or per quarantined file
(the reason), and the time the whole pass took. Every file counts, also the
``PROVENANCE.md`` notes beside real data: a landing zone gets such files too.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

from pharma_pipelines.ingestion.model import ParsedFile
from pharma_pipelines.ingestion.parse import parse_file


@dataclass(frozen=True)
class SurveyRow:
    relative_path: str
    entity: str
    part: str
    loaded: int
    rejected: int
    detail: str


def landed_files(root: Path) -> list[Path]:
    """Every data file under ``root`` in a stable order."""
    return sorted(p for p in root.rglob("*") if p.is_file())


def survey_file(root: Path, path: Path) -> tuple[ParsedFile, list[SurveyRow]]:
    relative = path.relative_to(root).as_posix()
    parsed = parse_file(relative, path.read_bytes())
    if parsed.quarantine_reason is not None:
        return parsed, [SurveyRow(relative, "quarantined", "", 0, 0, parsed.quarantine_reason)]
    rows = [
        SurveyRow(
            relative,
            extract.entity,
            extract.part,
            len(extract.rows),
            len(extract.rejects),
            f"{extract.layout}; {extract.encoding}",
        )
        for extract in parsed.extracts
    ]
    return parsed, rows


def survey(root: Path) -> list[SurveyRow]:
    rows: list[SurveyRow] = []
    for path in landed_files(root):
        rows.extend(survey_file(root, path)[1])
    return rows


def _cell(text: str, limit: int) -> str:
    flat = " ".join(text.split()).replace("|", "\\|")
    return flat if len(flat) <= limit else f"{flat[: limit - 3]}..."


def markdown(rows: list[SurveyRow], *, reason_width: int = 400) -> str:
    lines = [
        "| file | entity | part | loaded | rejected | layout / quarantine reason |",
        "|---|---|---|---:|---:|---|",
    ]
    for row in rows:
        lines.append(
            f"| `{row.relative_path}` | {row.entity} | {_cell(row.part, 80)} | {row.loaded} | "
            f"{row.rejected} | {_cell(row.detail, reason_width)} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="What every file under a folder maps to.")
    parser.add_argument("root", type=Path, help="folder of landed files, e.g. ../shared/realdata")
    parser.add_argument("--reason-width", type=int, default=400, help="truncate reasons to N chars")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    rows = survey(args.root)
    elapsed = time.perf_counter() - started
    files = len({r.relative_path for r in rows})
    quarantined = sum(1 for r in rows if r.entity == "quarantined")
    print(markdown(rows, reason_width=args.reason_width))
    print(
        f"\n{files} files, {quarantined} quarantined, {len(rows) - quarantined} extracts, "
        f"{sum(r.loaded for r in rows)} rows loaded, {sum(r.rejected for r in rows)} rejected, "
        f"{elapsed:.1f} s"
    )


if __name__ == "__main__":
    main()
