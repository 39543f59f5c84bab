"""Reads a generated landing zone back from disk, as the ingestion will.

Tests check the files rather than the generator's own records; this reader knows only
separators and encodings.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import openpyxl

from pharma_pipelines.sample import GenerationSummary

DOCS = Path(__file__).resolve().parents[3] / "docs" / "raw-entities.md"


@dataclass(frozen=True)
class Landing:
    root: Path
    summary: GenerationSummary

    def path(self, prefix: str) -> Path:
        matches = sorted(self.root.glob(f"{prefix}*"))
        assert len(matches) == 1, f"expected one file named {prefix}*, found {matches}"
        return matches[0]

    def raw(self, prefix: str) -> bytes:
        return self.path(prefix).read_bytes()

    def rows(self, prefix: str, encoding: str, separator: str) -> list[dict[str, str]]:
        """Data rows as dicts; ``_line`` is the physical 1-based line (header is line 1)."""
        return parse_rows(self.raw(prefix).decode(encoding), separator)

    def mail(self, prefix: str) -> EmailMessage:
        message = BytesParser(policy=policy.default).parsebytes(self.raw(prefix))
        assert isinstance(message, EmailMessage)
        return message


def parse_rows(text: str, separator: str) -> list[dict[str, str]]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=separator)
    header = next(reader)
    return [
        {"_line": str(line), **dict(zip(header, row, strict=True))}
        for line, row in enumerate(reader, start=2)
    ]


def documented_variants() -> dict[str, set[str]]:
    """Header variants per entity from the raw-entities table, lower-cased."""
    variants: dict[str, set[str]] = {}
    entity = ""
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] == "entity" or cells[0].startswith("---"):
            continue
        if cells[0]:
            entity = cells[0].strip("`")
        names = {name.strip().lower() for name in cells[2].split(",") if name.strip()}
        variants.setdefault(entity, set()).update(names)
    return variants


def attachments(message: EmailMessage) -> dict[str, bytes]:
    """Every file attachment, also inside attached messages, by file name."""
    found: dict[str, bytes] = {}
    for part in message.walk():
        name = part.get_filename()
        if name and part.get_content_type() != "message/rfc822":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            found[name] = payload
    return found


DE_NUMBER = re.compile(r"^\d{1,3}(\.\d{3})*,\d{3}-?$")


def verdict(result: str, spec_min: str, spec_max: str, text_spec: str) -> str:
    """Judge a LIMS result the way QC does: limits inclusive, ``<X`` is "somewhere below X"."""
    value = result.strip().replace(",", ".")
    if text_spec:
        return "PASS" if value.lower() == text_spec.lower() else "FAIL"
    lower = float(spec_min.replace(",", ".")) if spec_min else None
    upper = float(spec_max.replace(",", ".")) if spec_max else None
    number = float(value.lstrip("<").strip())
    if value.startswith("<"):
        if lower is not None:
            return "FAIL" if number <= lower else "INDETERMINATE"
        return "INDETERMINATE" if upper is not None and number > upper else "PASS"
    too_low = lower is not None and number < lower
    too_high = upper is not None and number > upper
    return "FAIL" if too_low or too_high else "PASS"


def order_lines(message: EmailMessage) -> list[dict[str, str]]:
    """Order lines of every CSV or XLSX attachment, with English keys."""
    keys = {"Menge": "Quantity", "Wunschtermin": "Requested Date", "ME": "Unit"}
    lines: list[dict[str, str]] = []
    for name, payload in attachments(message).items():
        if name.endswith(".csv"):
            text = payload.decode("utf-8")
            rows = parse_rows(text, ";" if ";" in text.splitlines()[0] else ",")
        else:
            rows = _sheet_rows(payload)
        lines.extend({keys.get(k, k): v for k, v in row.items()} for row in rows)
    return lines


def _sheet_rows(payload: bytes) -> list[dict[str, str]]:
    sheet = openpyxl.load_workbook(io.BytesIO(payload)).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    header = [str(cell) for cell in values[0]]
    rows = []
    for line, row in enumerate(values[1:], start=2):
        texts = [c.date().isoformat() if isinstance(c, dt.datetime) else str(c) for c in row]
        rows.append({"_line": str(line), **dict(zip(header, texts, strict=True))})
    return rows


def sap_day(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%Y%m%d").date()


def any_day(text: str) -> dt.date:
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is no ISO or German date")
