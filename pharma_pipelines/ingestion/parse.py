"""Classify and parse one landed file: the public entry points of the context.

The kind of a file is found from its content: the container first (mail,
OLE2, XLSX, JSON, text), then headers, API property names or MIME structure.
The top folder of the path (``sap/``, ``lims/``, ``outlook/``) only breaks
ties between kinds of different source systems; a file anywhere is still
classified by content. A file that cannot be read at all is quarantined
with a reason; rows that cannot be used are rejected; nothing raises.
"""

from __future__ import annotations

from pharma_pipelines.ingestion.encoding import utf16_without_bom
from pharma_pipelines.ingestion.kinds import (
    EMAIL_KIND,
    HEADER_SPECS,
    SPECS_BY_ENTITY,
    path_hint,
)
from pharma_pipelines.ingestion.limits import DEFAULT_LIMITS, ReadLimits
from pharma_pipelines.ingestion.model import Classification, ParsedFile, content_hash
from pharma_pipelines.ingestion.outlook.mailbox import FirstSeen, mailbox_extracts
from pharma_pipelines.ingestion.outlook.reading import MailRefused, mail_format, read_mail
from pharma_pipelines.ingestion.readers import Outcome, read_api_json, read_delimited, read_workbook
from pharma_pipelines.ingestion.sap.odata import looks_like_json
from pharma_pipelines.ingestion.schema import EntitySpec
from pharma_pipelines.ingestion.spreadsheet import is_xlsx

_BINARY_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"PK\x03\x04", "a ZIP archive that is not an XLSX workbook (no xl/workbook.xml)"),
)


BINARY_NUL_SHARE = 0.01
BINARY_MIN_NULS = 8
BINARY_DENSE_SHARE = 0.1


def _binary(data: bytes) -> str | None:
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            return what
    sample = data[:4096]
    has_bom = sample.startswith((b"\xff\xfe", b"\xfe\xff"))
    # A stray NUL in a text export is one bad row, not a binary file: only a sample that
    # is full of them (as machine formats are) makes the whole file binary.
    nuls = sample.count(b"\x00")
    share = nuls / max(1, len(sample))
    many = share > BINARY_NUL_SHARE and (nuls > BINARY_MIN_NULS or share > BINARY_DENSE_SHARE)
    if many and not has_bom and utf16_without_bom(data) is None:
        return "a binary file (NUL bytes, no UTF-16 pattern)"
    return None


def _mail_outcome(data: bytes, message_format: str, limits: ReadLimits) -> Outcome:
    try:
        mail = read_mail(data, message_format, limits)
    except MailRefused as error:
        return Outcome(None, f"an {message_format.upper()} mail file, refused: {error}")
    except ValueError as error:
        return Outcome(
            None, f"an {message_format.upper()} container that is not a readable message: {error}"
        )
    what = {"eml": "RFC 822/MIME message", "msg": "Outlook MSG message", "tnef": "bare TNEF blob"}
    return Outcome(EMAIL_KIND, f"{what[message_format]} {mail.subject!r}")


def _outcome(
    relative_path: str,
    data: bytes,
    *,
    with_rows: bool,
    limits: ReadLimits = DEFAULT_LIMITS,
    specs: tuple[EntitySpec, ...] = HEADER_SPECS,
) -> Outcome:
    hint = path_hint(relative_path)
    if not data:
        return Outcome(None, "the file is empty (0 bytes)")
    if is_xlsx(data):
        return read_workbook(
            relative_path,
            data,
            specs,
            hint=hint,
            with_rows=with_rows,
            reports=True,
            inflated_limit=limits.inflated_bytes,
        )
    message_format = mail_format(data)
    if message_format is not None:
        return _mail_outcome(data, message_format, limits)
    binary = _binary(data)
    if binary is not None:
        return Outcome(
            None, f"{binary} (starts with {data[:8]!r}): not an extract, mail, workbook or API JSON"
        )
    if looks_like_json(data):
        return read_api_json(relative_path, data, specs, hint=hint, with_rows=with_rows)
    return read_delimited(relative_path, data, specs, hint=hint, with_rows=with_rows, reports=True)


def classify(
    relative_path: str, data: bytes, limits: ReadLimits = DEFAULT_LIMITS
) -> Classification:
    """Which extract kind a file is, or why it is none; never raises on bad input."""
    try:
        outcome = _outcome(relative_path, data, with_rows=False, limits=limits)
    except Exception as error:  # a landed file must never stop the pipeline; say what broke
        return Classification(
            None, f"{relative_path}: reading failed ({type(error).__name__}: {error})"
        )
    return Classification(outcome.kind, f"{relative_path}: {outcome.reason}")


class UnknownKindError(ValueError):
    """A kind was asked for that the platform does not know."""


def parse_file(
    relative_path: str,
    data: bytes,
    limits: ReadLimits = DEFAULT_LIMITS,
    first_seen: FirstSeen | None = None,
    *,
    kind: str | None = None,
) -> ParsedFile:
    """Every extract of a file, or its quarantine reason; never raises on bad input.

    ``first_seen`` tells where an e-mail attachment (by SHA-256) was loaded before, so
    that its lines load once; without it only repeats inside the one file are found.

    ``kind`` reads the file as that extract kind only (a steward's "read it as
    sap/stock"): its header must still hold the kind's required fields, and
    the quarantine reason then says what that kind lacks. An unknown ``kind``
    raises :class:`UnknownKindError`, the one error that is the caller's.
    """
    if kind is not None and kind not in SPECS_BY_ENTITY:
        raise UnknownKindError(
            f"unknown extract kind {kind!r}; known kinds: {', '.join(sorted(SPECS_BY_ENTITY))}"
        )
    file_hash = content_hash(data)
    try:
        parsed = _parse(relative_path, data, file_hash, limits, first_seen, _specs_for(kind))
    except Exception as error:  # a landed file must never stop the pipeline; say what broke
        return ParsedFile(
            relative_path=relative_path,
            content_hash=file_hash,
            extracts=[],
            attachments=[],
            quarantine_reason=f"{relative_path}: reading failed ({type(error).__name__}: {error})",
        )
    return parsed if kind is None else _only_kind(parsed, kind)


def _specs_for(kind: str | None) -> tuple[EntitySpec, ...]:
    only = tuple(spec for spec in HEADER_SPECS if spec.entity == kind)
    # Kinds found by other evidence than a header (headerless T006, wide LIMS tables, mail
    # parts) are read with every kind and filtered afterwards.
    return only or HEADER_SPECS


def _only_kind(parsed: ParsedFile, kind: str) -> ParsedFile:
    if parsed.quarantine_reason is not None:
        return parsed
    kept = [e for e in parsed.extracts if e.entity == kind]
    if kept:
        parsed.extracts = kept
        parsed.kind = kind
        return parsed
    found = ", ".join(sorted({e.entity for e in parsed.extracts})) or "nothing"
    return _quarantined(
        parsed.relative_path,
        parsed.content_hash,
        f"holds no {kind} extract; read without a kind it gives {found}",
    )


def _parse(
    relative_path: str,
    data: bytes,
    file_hash: str,
    limits: ReadLimits,
    first_seen: FirstSeen | None,
    specs: tuple[EntitySpec, ...],
) -> ParsedFile:
    message_format = mail_format(data) if data and not is_xlsx(data) else None
    if message_format is not None:
        try:
            mail = read_mail(data, message_format, limits)
        except MailRefused as error:
            return _quarantined(relative_path, file_hash, f"mail file refused: {error}")
        except ValueError as error:
            return _quarantined(relative_path, file_hash, f"not a readable message: {error}")
        result = mailbox_extracts(relative_path, file_hash, mail, limits, first_seen)
        return ParsedFile(
            relative_path=relative_path,
            content_hash=file_hash,
            extracts=result.extracts,
            attachments=result.attachments,
            quarantine_reason=None,
            kind=EMAIL_KIND,
            notes=result.notes,
        )
    outcome = _outcome(relative_path, data, with_rows=True, limits=limits, specs=specs)
    if outcome.kind is None:
        return _quarantined(relative_path, file_hash, outcome.reason)
    return ParsedFile(
        relative_path=relative_path,
        content_hash=file_hash,
        extracts=outcome.extracts,
        attachments=[],
        quarantine_reason=None,
        kind=outcome.kind,
        notes=[f"{relative_path}: {outcome.reason}", *outcome.notes],
    )


def _quarantined(relative_path: str, file_hash: str, reason: str) -> ParsedFile:
    return ParsedFile(
        relative_path=relative_path,
        content_hash=file_hash,
        extracts=[],
        attachments=[],
        quarantine_reason=f"{relative_path}: {reason}",
    )
