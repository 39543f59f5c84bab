"""A message tree to the raw Outlook extracts: messages, attachments, order lines.

Messages are numbered depth-first (the file's own message is record 1); a
message without a Message-ID gets ``generated:<file hash prefix>:<record>``,
stable for the same file. Every data file is one attachment row and one
:class:`ExtractedAttachment`, in the same order. CSV and XLSX attachments
whose header maps to order or forecast lines become one extract each, whose
``part`` is the attachment's container path and name; their row numbers are
lines of the attachment, and each row carries the attachment's lineage.

A message with a problem a person must solve (an undecodable
``winmail.dat``, an attachment over a size limit, a workbook that would inflate
past its limit) is a rejected message row, never a silently processed one. A
mail file that yields no order or forecast line at all keeps its message row,
with ``review_reason`` saying why, so it lands on the steward's review list.

Attachment names are made safe file names (``outlook.names``). An attachment
whose bytes (SHA-256) were seen before, earlier in the same file or (through
``first_seen``) in a file loaded earlier, names that first occurrence in
``duplicate_of`` and its lines are not read again: they load once.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from dataclasses import dataclass, field

from pharma_pipelines.ingestion.encoding import storable
from pharma_pipelines.ingestion.limits import DEFAULT_LIMITS, ReadLimits
from pharma_pipelines.ingestion.model import (
    ExtractedAttachment,
    ParsedExtract,
    RawRow,
    RowReject,
    content_hash,
)
from pharma_pipelines.ingestion.outlook.entities import ATTACHMENTS, LINE_SPECS, MESSAGES
from pharma_pipelines.ingestion.outlook.mail import Mail, MailFile
from pharma_pipelines.ingestion.outlook.names import safe_file_name
from pharma_pipelines.ingestion.readers import Outcome, read_delimited, read_workbook
from pharma_pipelines.ingestion.schema import EntitySpec
from pharma_pipelines.ingestion.spreadsheet import XLSX_CONTENT_TYPE, inflation_refusal, is_xlsx
from pharma_pipelines.ingestion.tabular import SourceRecord

SEPARATOR = " > "
_TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")
_LINE_ENTITIES = frozenset(spec.entity for spec in LINE_SPECS)
_TABLE_TYPES = frozenset(
    {"text/csv", "text/tab-separated-values", "application/vnd.ms-excel", XLSX_CONTENT_TYPE}
)
_ARCHIVES = (
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
)

FirstSeen = Callable[[str], str | None]
"""Where an attachment with this SHA-256 was loaded first (``file: container > name``)."""


@dataclass
class MailboxResult:
    extracts: list[ParsedExtract]
    attachments: list[ExtractedAttachment]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Visit:
    mail: Mail
    number: int
    message_id: str
    parent_id: str
    path: str


def _visits(top: Mail, file_hash: str) -> list[_Visit]:
    visits: list[_Visit] = []

    def visit(mail: Mail, parent_id: str, path: str) -> None:
        number = len(visits) + 1
        message_id = storable(mail.message_id.strip()) or f"generated:{file_hash[:16]}:{number}"
        visits.append(_Visit(mail, number, message_id, parent_id, path))
        for attached in mail.attached:
            label = attached.label.strip() or attached.mail.subject.strip() or "(unnamed message)"
            visit(attached.mail, message_id, f"{path}{SEPARATOR}{storable(label)}")

    visit(top, "", storable(top.subject.strip()) or "(no subject)")
    return visits


def _content_type(item: MailFile, name: str) -> str:
    if item.content_type and item.content_type != "application/octet-stream":
        return item.content_type
    guessed, _ = mimetypes.guess_type(name)
    return guessed or item.content_type or "application/octet-stream"


def _file_name(item: MailFile, index: int) -> str:
    if item.file_name:
        return item.file_name
    extension = mimetypes.guess_extension(item.content_type or "") or ".bin"
    return f"attachment-{index}{extension}"


def _attachments(
    path: str, visits: list[_Visit], first_seen: FirstSeen | None
) -> list[tuple[_Visit, ExtractedAttachment]]:
    found: list[tuple[_Visit, ExtractedAttachment]] = []
    outer = visits[0].message_id
    seen_here: dict[str, str] = {}
    for visit in visits:
        for index, item in enumerate(visit.mail.files, start=1):
            raw_name = _file_name(item, index)
            as_sent = storable(raw_name)
            fallback = _file_name(MailFile("", "", item.content_type, b""), index)
            name, changes = safe_file_name(raw_name, fallback)
            if changes:
                visit.mail.notes.append(
                    f"attachment name {as_sent!r} is not a safe file name ({'; '.join(changes)}); "
                    f"it is kept as {name!r}, the name as sent in name_as_sent"
                )
            container = f"{visit.path}{SEPARATOR}{storable(item.via)}" if item.via else visit.path
            sha256 = content_hash(item.content)
            earlier = seen_here.get(sha256) or (first_seen(sha256) if first_seen else None)
            seen_here.setdefault(sha256, f"{path}: {container}{SEPARATOR}{name}")
            attachment = ExtractedAttachment(
                message_id=outer,
                container_path=container,
                file_name=name,
                content_type=_content_type(item, name),
                content=item.content,
                sha256=sha256,
                parent_message_id=visit.message_id,
                name_source=item.name_source,
                disposition=item.disposition,
                name_as_sent=as_sent,
                duplicate_of=earlier or "",
            )
            found.append((visit, attachment))
    return found


def _message_extract(path: str, visits: list[_Visit], review_reason: str) -> ParsedExtract:
    rows: list[RawRow] = []
    rejects: list[RowReject] = []
    for visit in visits:
        mail = visit.mail
        fields = {
            "message_id": visit.message_id,
            "parent_message_id": visit.parent_id,
            "container_path": visit.path,
            "subject": mail.subject,
            "sender": mail.sender,
            "recipients": mail.recipients,
            "cc": mail.cc,
            "sent_at": mail.sent_at,
            "date_header": mail.date_header,
            "body_text": mail.body_text,
            "body_source": mail.body_source,
            "attachment_count": str(len(mail.files)),
            "attached_message_count": str(len(mail.attached)),
            "message_format": mail.message_format,
            "review_reason": review_reason if visit.number == 1 else "",
        }
        values = {name: storable(value) for name, value in fields.items()}
        if mail.problems:
            rejects.append(
                RowReject(
                    row_number=visit.number,
                    column="body_text",
                    raw_value=values["subject"],
                    reason=(
                        f"{path} message {visit.number} ({values['subject']!r}, "
                        f"{values['message_id']}): " + storable("; ".join(mail.problems))
                    ),
                    rule="mail.unreadable",
                )
            )
            continue
        rows.append(RawRow(row_number=visit.number, values=values))
    formats = sorted({v.mail.message_format for v in visits})
    return ParsedExtract(
        entity=MESSAGES.entity,
        rows=rows,
        rejects=rejects,
        encoding="mime" if formats == ["eml"] else "mapi",
        layout="+".join(formats),
        header_map={},
    )


def _attachment_extract(attachments: list[ExtractedAttachment]) -> ParsedExtract:
    rows = [
        RawRow(
            row_number=number,
            values={
                "message_id": a.message_id,
                "parent_message_id": a.parent_message_id,
                "container_path": a.container_path,
                "file_name": a.file_name,
                "name_source": a.name_source,
                "content_type": a.content_type,
                "disposition": a.disposition,
                "size": str(a.size),
                "sha256": a.sha256,
                "name_as_sent": a.name_as_sent,
                "duplicate_of": a.duplicate_of,
            },
        )
        for number, a in enumerate(attachments, start=1)
    ]
    return ParsedExtract(
        entity=ATTACHMENTS.entity, rows=rows, rejects=[], encoding="binary", layout="attachments"
    )


def _is_table(attachment: ExtractedAttachment) -> bool:
    name = attachment.file_name.lower()
    return name.endswith(_TABLE_SUFFIXES) or attachment.content_type in _TABLE_TYPES


def _archive(data: bytes) -> str | None:
    if is_xlsx(data):
        return None
    return next((what for magic, what in _ARCHIVES if data.startswith(magic)), None)


def _line_outcome(
    path: str, attachment: ExtractedAttachment, specs: tuple[EntitySpec, ...], limits: ReadLimits
) -> Outcome:
    part = f"{attachment.container_path}{SEPARATOR}{attachment.file_name}"

    def lineage(record: SourceRecord) -> dict[str, str]:
        return {
            "message_id": attachment.parent_message_id,
            "outer_message_id": attachment.message_id,
            "attachment": attachment.file_name,
            "container_path": attachment.container_path,
            "attachment_sha256": attachment.sha256,
            "attachment_line": str(record.number),
        }

    if is_xlsx(attachment.content):
        return read_workbook(
            path,
            attachment.content,
            specs,
            hint="outlook",
            with_rows=True,
            part=part,
            extra=lineage,
            inflated_limit=limits.inflated_bytes,
        )
    return read_delimited(
        path, attachment.content, specs, hint="outlook", with_rows=True, part=part, extra=lineage
    )


def mailbox_extracts(
    path: str,
    file_hash: str,
    top: Mail,
    limits: ReadLimits = DEFAULT_LIMITS,
    first_seen: FirstSeen | None = None,
) -> MailboxResult:
    """All Outlook extracts of one message file."""
    visits = _visits(top, file_hash)
    found = _attachments(path, visits, first_seen)
    attachments = [attachment for _, attachment in found]
    lines: list[ParsedExtract] = []
    unread: list[str] = []
    duplicates = 0
    for visit, attachment in found:
        where = f"attachment {attachment.file_name!r} ({attachment.container_path})"
        archive = _archive(attachment.content)
        if archive is not None:
            visit.mail.notes.append(
                f"{where} is {archive}; archives are not opened (what they hold is unknown and "
                "may inflate without bound): a person must unpack it if it holds order data"
            )
            unread.append(f"{attachment.file_name!r} is {archive} (not opened)")
            continue
        if not _is_table(attachment):
            unread.append(f"{attachment.file_name!r} ({attachment.content_type}) is not a table")
            continue
        if attachment.duplicate_of:
            # A repeat inside this file adds nothing the first copy did not; one from an
            # earlier file may have loaded lines there, so the mail is not unread.
            if attachment.duplicate_of.startswith(f"{path}: "):
                unread.append(f"{attachment.file_name!r} repeats an attachment above")
            else:
                duplicates += 1
            visit.mail.notes.append(
                f"{where} has the same bytes (SHA-256 {attachment.sha256[:16]}...) as "
                f"{attachment.duplicate_of}; its lines are loaded once, from there"
            )
            continue
        refusal = (
            inflation_refusal(attachment.content, limits.inflated_bytes)
            if is_xlsx(attachment.content)
            else None
        )
        if refusal is not None:
            visit.mail.problems.append(f"{where} is an XLSX workbook, {refusal}")
            unread.append(f"{attachment.file_name!r} was refused (see the rejected message)")
            continue
        outcome = _line_outcome(path, attachment, LINE_SPECS, limits)
        if outcome.kind in _LINE_ENTITIES:
            read = [e for e in outcome.extracts if e.entity in _LINE_ENTITIES]
            lines.extend(read)
            if not any(e.rows for e in read):
                rejected = sum(len(e.rejects) for e in read)
                unread.append(f"every line of {attachment.file_name!r} was rejected ({rejected})")
            continue
        reason = outcome.reason if outcome.kind is None else f"it reads as {outcome.kind}"
        unread.append(f"{attachment.file_name!r} holds no order or forecast header")
        if not attachment.file_name.lower().endswith(".txt"):
            visit.mail.notes.append(f"{where} is not read as order or forecast lines: {reason}")
    review = ""
    if not any(e.rows for e in lines) and not duplicates:
        review = (
            "no order or forecast lines could be read: "
            + ("; ".join(unread) if unread else "the mail has no attachment")
            + "; a person must read the mail"
        )
    result = MailboxResult(
        extracts=[
            _message_extract(path, visits, review),
            _attachment_extract(attachments),
            *lines,
        ],
        attachments=attachments,
    )
    for visit in visits:
        result.notes.extend(
            f"message {visit.number} ({visit.path}): {note}" for note in visit.mail.notes
        )
    return result
