"""A message tree to the raw Outlook extracts: messages, attachments, order lines.

Messages are numbered depth-first (the file's own message is record 1); a
message without a Message-ID gets ``generated:<file hash prefix>:<record>``,
stable for the same file. Every data file is one attachment row and one
:class:`ExtractedAttachment`, in the same order. CSV and XLSX attachments
whose header maps to order or forecast lines become one extract each, whose
``part`` is the attachment's container path and name; their row numbers are
lines of the attachment, and each row carries the attachment's lineage.

A message with a problem a person must solve (an undecodable
``winmail.dat``) is a rejected message row, never a silently processed one.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field

from pharma_pipelines.ingestion.encoding import storable
from pharma_pipelines.ingestion.model import (
    ExtractedAttachment,
    ParsedExtract,
    RawRow,
    RowReject,
    content_hash,
)
from pharma_pipelines.ingestion.outlook.entities import ATTACHMENTS, LINE_SPECS, MESSAGES
from pharma_pipelines.ingestion.outlook.mail import Mail, MailFile
from pharma_pipelines.ingestion.readers import Outcome, read_delimited, read_workbook
from pharma_pipelines.ingestion.schema import EntitySpec
from pharma_pipelines.ingestion.spreadsheet import XLSX_CONTENT_TYPE, is_xlsx
from pharma_pipelines.ingestion.tabular import SourceRecord

SEPARATOR = " > "
_TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")
_LINE_ENTITIES = frozenset(spec.entity for spec in LINE_SPECS)
_TABLE_TYPES = frozenset(
    {"text/csv", "text/tab-separated-values", "application/vnd.ms-excel", XLSX_CONTENT_TYPE}
)


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


def _attachments(visits: list[_Visit]) -> list[ExtractedAttachment]:
    found: list[ExtractedAttachment] = []
    outer = visits[0].message_id
    for visit in visits:
        for index, item in enumerate(visit.mail.files, start=1):
            name = storable(_file_name(item, index))
            container = f"{visit.path}{SEPARATOR}{storable(item.via)}" if item.via else visit.path
            found.append(
                ExtractedAttachment(
                    message_id=outer,
                    container_path=container,
                    file_name=name,
                    content_type=_content_type(item, name),
                    content=item.content,
                    sha256=content_hash(item.content),
                    parent_message_id=visit.message_id,
                    name_source=item.name_source,
                    disposition=item.disposition,
                )
            )
    return found


def _message_extract(path: str, visits: list[_Visit]) -> ParsedExtract:
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


def _line_outcome(
    path: str, attachment: ExtractedAttachment, specs: tuple[EntitySpec, ...]
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

    reader = read_workbook if is_xlsx(attachment.content) else read_delimited
    return reader(
        path, attachment.content, specs, hint="outlook", with_rows=True, part=part, extra=lineage
    )


def mailbox_extracts(path: str, file_hash: str, top: Mail) -> MailboxResult:
    """All Outlook extracts of one message file."""
    visits = _visits(top, file_hash)
    attachments = _attachments(visits)
    result = MailboxResult(
        extracts=[_message_extract(path, visits), _attachment_extract(attachments)],
        attachments=attachments,
    )
    for visit in visits:
        result.notes.extend(
            f"message {visit.number} ({visit.path}): {note}" for note in visit.mail.notes
        )
    for attachment in attachments:
        if not _is_table(attachment):
            continue
        outcome = _line_outcome(path, attachment, LINE_SPECS)
        where = f"attachment {attachment.file_name!r} ({attachment.container_path})"
        if outcome.kind in _LINE_ENTITIES:
            result.extracts.extend(e for e in outcome.extracts if e.entity in _LINE_ENTITIES)
            continue
        if not attachment.file_name.lower().endswith(".txt"):
            reason = outcome.reason if outcome.kind is None else f"it reads as {outcome.kind}"
            result.notes.append(f"{where} is not read as order or forecast lines: {reason}")
    return result
