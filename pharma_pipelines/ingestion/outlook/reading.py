"""Which message format a mail file is (MIME, MSG, bare TNEF), and reading it.

An MSG stores attached ``.eml`` files, ``.msg`` files saved as plain files and
``winmail.dat`` blobs as ordinary attachments; they are opened here, after
reading, so that every format yields the same tree of attached messages.

A mail file over :attr:`ReadLimits.mail_bytes`, or one whose parts nest deeper
than the parser can follow, is refused as a whole (:class:`MailRefused`).
"""

from __future__ import annotations

from pharma_pipelines.ingestion.limits import DEFAULT_LIMITS, ReadLimits, size_text
from pharma_pipelines.ingestion.outlook.mail import Mail, MailFile
from pharma_pipelines.ingestion.outlook.mime import (
    attach_mail,
    looks_like_email,
    read_eml,
    unpack_tnef,
)
from pharma_pipelines.ingestion.outlook.msg import is_ole2, read_msg
from pharma_pipelines.ingestion.outlook.tnef import is_tnef, read_tnef


class MailRefused(ValueError):
    """A mail file the readers refuse to open, and why (a limit, not a defect)."""


def mail_format(data: bytes) -> str | None:
    """``eml``, ``msg`` or ``tnef`` by content; ``None`` when the bytes are no mail.

    An OLE2 file counts as ``msg`` here; :func:`read_mail` tells an Outlook
    message from other OLE2 documents.
    """
    if is_tnef(data):
        return "tnef"
    if is_ole2(data):
        return "msg"
    if looks_like_email(data):
        return "eml"
    return None


def open_attached_containers(mail: Mail, depth: int, limits: ReadLimits = DEFAULT_LIMITS) -> None:
    """Turn the mail files among an MSG's attachments into attached messages."""
    if mail.message_format == "msg":
        files, mail.files = mail.files, []
        for item in files:
            name = item.file_name.lower()
            if name == "winmail.dat" or is_tnef(item.content):
                body = unpack_tnef(item.content, item, mail)
                if body.strip() and not mail.body_text.strip():
                    mail.body_text, mail.body_source = body, "winmail.dat rtf"
            elif name.endswith(".eml") and looks_like_email(item.content):
                attach_mail(item.content, item, mail, depth, "eml", limits)
            elif name.endswith(".msg") and is_ole2(item.content):
                attach_mail(item.content, item, mail, depth, "msg", limits)
            else:
                mail.files.append(item)
    if depth < limits.message_depth:
        for attached in mail.attached:
            open_attached_containers(attached.mail, depth + 1, limits)


def _from_tnef(data: bytes) -> Mail:
    tnef = read_tnef(data)
    mail = Mail(message_format="tnef", subject=tnef.subject)
    mail.body_text, mail.body_source = tnef.body_text, tnef.body_source
    mail.notes.append("a bare TNEF blob carries no sender, recipients or date")
    for attachment in tnef.attachments:
        name, source = attachment.file_name
        content_type = attachment.mime_type or "application/octet-stream"
        mail.files.append(MailFile(name, source, content_type, attachment.data))
    return mail


def read_mail(data: bytes, message_format: str, limits: ReadLimits = DEFAULT_LIMITS) -> Mail:
    """Read a mail file; MSG and TNEF errors and refusals propagate as ``ValueError``s."""
    if len(data) > limits.mail_bytes:
        raise MailRefused(
            f"the mail file is {size_text(len(data))}, over the limit of "
            f"{size_text(limits.mail_bytes)} per mail file; it is not opened"
        )
    try:
        if message_format == "msg":
            mail = read_msg(data, limits)
        elif message_format == "tnef":
            mail = _from_tnef(data)
        else:
            mail = read_eml(data, limits)
        open_attached_containers(mail, 0, limits)
    except RecursionError as error:
        # Only a crafted file nests parts this deep; its first levels are no use either.
        raise MailRefused(
            "its parts nest deeper than the mail parser can follow (a mail bomb, not a "
            "forward); it is not read"
        ) from error
    return mail
