"""Which message format a mail file is (MIME, MSG, bare TNEF), and reading it.

An MSG stores attached ``.eml`` files, ``.msg`` files saved as plain files and
``winmail.dat`` blobs as ordinary attachments; they are opened here, after
reading, so that every format yields the same tree of attached messages.
"""

from __future__ import annotations

from pharma_pipelines.ingestion.outlook.mail import Mail, MailFile
from pharma_pipelines.ingestion.outlook.mime import (
    MAX_DEPTH,
    attach_mail,
    looks_like_email,
    read_eml,
    unpack_tnef,
)
from pharma_pipelines.ingestion.outlook.msg import is_ole2, read_msg
from pharma_pipelines.ingestion.outlook.tnef import is_tnef, read_tnef


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


def open_attached_containers(mail: Mail, depth: int) -> None:
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
                attach_mail(item.content, item, mail, depth, "eml")
            elif name.endswith(".msg") and is_ole2(item.content):
                attach_mail(item.content, item, mail, depth, "msg")
            else:
                mail.files.append(item)
    if depth < MAX_DEPTH:
        for attached in mail.attached:
            open_attached_containers(attached.mail, depth + 1)


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


def read_mail(data: bytes, message_format: str) -> Mail:
    """Read a mail file; MSG and TNEF errors propagate as ``ValueError`` subclasses."""
    if message_format == "msg":
        mail = read_msg(data)
    elif message_format == "tnef":
        mail = _from_tnef(data)
    else:
        mail = read_eml(data)
    open_attached_containers(mail, 0)
    return mail
