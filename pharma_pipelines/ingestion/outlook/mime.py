"""RFC 822/MIME messages (``.eml``) read with the standard ``email`` package.

Outlook forwards a mail either as a proper ``message/rfc822`` part or as a
plain ``.eml`` file (``application/octet-stream``); both, at any depth, become
attached messages here, and so do ``.msg`` files and the contents of a TNEF
``winmail.dat``. A file name comes from ``Content-Disposition: filename``,
else ``Content-Type: name``, else ``Content-Description``. A text part that
is neither an attachment nor named is body (a single-part message is its own
body part); the first ``text/plain`` wins, else the first ``text/html`` as
text, else a TNEF rich-text body.

A part larger than :attr:`ReadLimits.attachment_bytes` is refused before it is
decoded, and attached messages deeper than :attr:`ReadLimits.message_depth` are
not followed: both make the message a problem for a person, never a crash.
"""

from __future__ import annotations

import base64
import binascii
import email.policy
import email.utils
import quopri
import re
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.parser import BytesParser

from pharma_pipelines.ingestion.encoding import decode_with, show_damage
from pharma_pipelines.ingestion.limits import DEFAULT_LIMITS, ReadLimits, size_text
from pharma_pipelines.ingestion.outlook.mail import AttachedMail, Mail, MailFile, html_to_text
from pharma_pipelines.ingestion.outlook.msg import MsgError, is_ole2, read_msg
from pharma_pipelines.ingestion.outlook.tnef import TnefError, is_tnef, read_tnef

_HEADER_LINE = re.compile(rb"^[!-9;-~]+:")
_MAIL_HEADERS = frozenset(
    {
        b"from",
        b"to",
        b"cc",
        b"subject",
        b"date",
        b"message-id",
        b"mime-version",
        b"received",
        b"return-path",
        b"content-type",
        b"delivered-to",
        b"reply-to",
    }
)
TNEF_TYPES = frozenset({"application/ms-tnef", "application/vnd.ms-tnef"})


HEADER_BLOCK_BYTES = 1 << 18
"""Sixty header lines fit in this many bytes; a longer block is no mail a person wrote."""


def looks_like_email(data: bytes) -> bool:
    """A header block of mail headers (at least two known ones) before the body."""
    # The header block sits at the start: looking at a head spares copying a large file.
    lines = data[:HEADER_BLOCK_BYTES].lstrip(b"\xef\xbb\xbf").split(b"\n", 60)[:60]
    if lines and lines[0].startswith(b"From "):
        lines = lines[1:]
    known: set[bytes] = set()
    for number, line in enumerate(lines):
        stripped = line.rstrip(b"\r")
        if not stripped:
            break
        if stripped[:1] in (b" ", b"\t") and number > 0:
            continue
        if not _HEADER_LINE.match(stripped):
            return False
        known.add(stripped.split(b":", 1)[0].lower())
    return len(known & _MAIL_HEADERS) >= 2 and bool(
        known & {b"from", b"subject", b"date", b"message-id", b"received"}
    )


_HEADER_PARSE_ERRORS = (ValueError, IndexError, LookupError, AttributeError, TypeError)
"""What the standard library's structured header parser raises on malformed headers."""


def _header(message: Message, name: str) -> str:
    """A header as readable text; a header the structured parser chokes on is decoded plainly."""
    try:
        value = message.get(name)
        return "" if value is None else " ".join(str(value).split())
    except _HEADER_PARSE_ERRORS:
        raw = next((v for k, v in message.raw_items() if k.lower() == name.lower()), "")
        try:
            return " ".join(str(make_header(decode_header(str(raw)))).split())
        except _HEADER_PARSE_ERRORS:
            return " ".join(str(raw).split())


def _parse(data: bytes) -> EmailMessage:
    message = BytesParser(policy=email.policy.default).parsebytes(data)
    if not isinstance(message, EmailMessage):
        raise TypeError("the default policy always yields EmailMessage objects")
    return message


_CHARSET_SUPERSETS = {
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "ks_c_5601-1987": "cp949",
    "big5": "cp950",
}
"""Charsets mailers declare for text written in a larger Windows code page: Outlook labels
cp932 text ``shift_jis`` and cp949 text ``ks_c_5601-1987``; the superset decodes both."""


def read_eml(data: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> Mail:
    """Read a MIME message with everything attached to it, at any depth."""
    return _read_message(_parse(data), 0, limits)


def _read_message(message: EmailMessage, depth: int, limits: ReadLimits) -> Mail:
    mail = Mail(message_format="eml")
    mail.message_id = _header(message, "Message-ID")
    mail.subject = _header(message, "Subject")
    mail.sender = _header(message, "From")
    mail.recipients = _header(message, "To")
    mail.cc = _header(message, "Cc")
    mail.date_header = _header(message, "Date")
    if mail.date_header:
        try:
            mail.sent_at = email.utils.parsedate_to_datetime(mail.date_header).isoformat()
        except (TypeError, ValueError):
            mail.notes.append(f"the Date header {mail.date_header!r} is not an RFC 5322 date")
    else:
        mail.notes.append("the message has no Date header")
    bodies: dict[str, str] = {}
    if message.get_content_maintype() == "multipart":
        _walk(message, mail, bodies, depth, limits)
    else:
        _visit(message, mail, bodies, depth, limits)
    if "text/plain" in bodies and bodies["text/plain"].strip():
        mail.body_text, mail.body_source = bodies["text/plain"], "text/plain"
    elif "text/html" in bodies:
        mail.body_text, mail.body_source = html_to_text(bodies["text/html"]), "text/html"
    elif "text/plain" in bodies:
        mail.body_text, mail.body_source = bodies["text/plain"], "text/plain"
    tnef_body = bodies.get("tnef")
    if tnef_body and not mail.body_text.strip():
        mail.body_text, mail.body_source = tnef_body, "winmail.dat rtf"
    return mail


_UNQUOTED_ENCODED_NAME = re.compile(r"(?:^|;)\s*(file)?name\s*=\s*(=\?[^\s;]+\?=)", re.IGNORECASE)
"""``filename==?UTF-8?B?...?=`` without quotes: wrong (``?`` and ``=`` need quotes), but
some mailers write it, and the standard parser then finds no name at all."""


def _decoded_words(name: str) -> str:
    if "=?" not in name:
        return name
    try:
        return str(make_header(decode_header(name)))
    except _HEADER_PARSE_ERRORS:
        return name


def _unquoted_encoded_name(part: Message) -> tuple[str, str] | None:
    for header, source in (
        ("Content-Disposition", "content-disposition"),
        ("Content-Type", "content-type"),
    ):
        raw = next((str(v) for k, v in part.raw_items() if k.lower() == header.lower()), "")
        found = _UNQUOTED_ENCODED_NAME.search(" ".join(raw.split()))
        if found and (found[1] or source == "content-type"):
            return _decoded_words(found[2]), source
    return None


def _file_name(part: Message) -> tuple[str, str]:
    try:
        name = part.get_filename()
        params = part.get_params(header="content-disposition") or []
    except _HEADER_PARSE_ERRORS:
        name, params = None, []
    if name and name.strip():
        in_disposition = any(k.lower() in ("filename", "filename*") for k, _ in params)
        source = "content-disposition" if in_disposition else "content-type"
        return " ".join(_decoded_words(name).split()), source
    unquoted = _unquoted_encoded_name(part)
    if unquoted is not None and unquoted[0].strip():
        return " ".join(unquoted[0].split()), unquoted[1]
    description = _header(part, "Content-Description")
    if description:
        return description, "content-description"
    return "", "generated"


def _payload(part: Message) -> bytes:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _decoded_size(part: Message) -> int:
    """The size a leaf part decodes to, from its encoded text (without decoding it)."""
    payload = part.get_payload()
    if not isinstance(payload, str):
        return 0
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if encoding == "base64":
        breaks = payload.count("\n") + payload.count("\r") + payload.count(" ")
        return (len(payload) - breaks) * 3 // 4
    return len(payload)


def _too_large(part: Message, name: str, mail: Mail, limits: ReadLimits) -> bool:
    size = _decoded_size(part)
    if size <= limits.attachment_bytes:
        return False
    what = f"attachment {name!r}" if name else "an unnamed part"
    mail.problems.append(
        f"{what} ({part.get_content_type()}) is {size_text(size)} decoded, over the limit of "
        f"{size_text(limits.attachment_bytes)} per attachment; it is neither decoded nor kept: "
        "a person must take it from the mailbox"
    )
    return True


def _part_text(part: Message, mail: Mail) -> str:
    declared = (part.get_content_charset() or "us-ascii").lower()
    charset = _CHARSET_SUPERSETS.get(declared.replace("-", "_"), declared)
    decoded = decode_with(_payload(part), charset)
    if decoded.damaged:
        mail.notes.append(
            f"a {part.get_content_type()} body part holds bytes not valid in {charset!r}: "
            f"{decoded.damaged[0].describe(decoded.encoding)}; they are shown as \\xNN"
        )
    return show_damage(decoded.text)


def _embedded_bytes(part: Message) -> bytes:
    """The bytes of a ``message/rfc822`` part, undoing a (non-standard) transfer encoding."""
    inner = part.get_payload()
    first = inner[0] if isinstance(inner, list) and inner else None
    body = first.as_bytes() if isinstance(first, Message) else b""
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if encoding == "base64":
        try:
            return base64.b64decode(body.strip(), validate=False)
        except (binascii.Error, ValueError):
            return body
    if encoding == "quoted-printable":
        return quopri.decodestring(body)
    return body


def _walk(
    part: EmailMessage, mail: Mail, bodies: dict[str, str], depth: int, limits: ReadLimits
) -> None:
    for child in part.iter_parts():
        if isinstance(child, EmailMessage):
            _visit(child, mail, bodies, depth, limits)


def _visit(
    child: EmailMessage, mail: Mail, bodies: dict[str, str], depth: int, limits: ReadLimits
) -> None:
    content_type = child.get_content_type()
    if content_type == "message/rfc822":
        _attached_message(child, mail, depth, limits)
        return
    if child.is_multipart():
        _walk(child, mail, bodies, depth, limits)
        return
    disposition = child.get_content_disposition() or ""
    name, source = _file_name(child)
    named = source in ("content-disposition", "content-type")
    if _too_large(child, name, mail, limits):
        return
    if content_type in ("text/plain", "text/html") and disposition != "attachment" and not named:
        bodies.setdefault(content_type, _part_text(child, mail))
        return
    data = _payload(child)
    item = MailFile(
        file_name=name,
        name_source=source,
        content_type=content_type,
        content=data,
        disposition=disposition or ("inline" if not named else "attachment"),
    )
    if content_type in TNEF_TYPES or name.lower() == "winmail.dat" or is_tnef(data):
        body = unpack_tnef(data, item, mail)
        if body.strip():
            bodies.setdefault("tnef", body)
        return
    if name.lower().endswith(".eml") or (
        content_type in ("application/octet-stream", "message/partial", "text/plain")
        and looks_like_email(data)
    ):
        attach_mail(data, item, mail, depth, "eml", limits)
        return
    if name.lower().endswith(".msg") and is_ole2(data):
        attach_mail(data, item, mail, depth, "msg", limits)
        return
    mail.files.append(item)


def _attached_message(part: EmailMessage, mail: Mail, depth: int, limits: ReadLimits) -> None:
    name, source = _file_name(part)
    inner = part.get_payload()
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if encoding in ("base64", "quoted-printable") or not isinstance(inner, list):
        data = _embedded_bytes(part)
        item = MailFile(
            file_name=name,
            name_source=source,
            content_type="message/rfc822",
            content=data,
            disposition=part.get_content_disposition() or "attachment",
        )
        if looks_like_email(data):
            if source == "content-description":
                item.file_name = ""
            attach_mail(data, item, mail, depth, "eml", limits)
            return
        mail.files.append(item)
        mail.notes.append(
            f"a message/rfc822 part ({name or 'unnamed'}) does not hold a message "
            f"(no mail headers after {encoding or 'no'} transfer encoding); kept as a file"
        )
        return
    embedded = inner[0] if inner else None
    if _too_deep(mail, depth, limits):
        return
    if not isinstance(embedded, Message):
        mail.problems.append(f"a message/rfc822 part ({name or 'unnamed'}) holds no message")
        return
    if not isinstance(embedded, EmailMessage):
        embedded = _parse(embedded.as_bytes())
    child = _read_message(embedded, depth + 1, limits)
    label = name if source in ("content-disposition", "content-type") else child.subject
    mail.attached.append(AttachedMail(label=label, mail=child))


def _too_deep(mail: Mail, depth: int, limits: ReadLimits) -> bool:
    if depth < limits.message_depth:
        return False
    mail.problems.append(
        f"attached messages nest deeper than {limits.message_depth} levels; the deeper ones "
        "are not followed"
    )
    return True


def attach_mail(
    data: bytes, item: MailFile, mail: Mail, depth: int, kind: str, limits: ReadLimits
) -> None:
    """Read an attached ``.eml`` or ``.msg`` file as a message attached to ``mail``."""
    if _too_deep(mail, depth, limits):
        return
    if kind == "msg":
        try:
            child = read_msg(data, limits, depth + 1)
        except MsgError as error:
            mail.files.append(item)
            mail.notes.append(
                f"attachment {item.file_name!r} is not a readable Outlook message: {error}"
            )
            return
    else:
        child = _read_message(_parse(data), depth + 1, limits)
    mail.attached.append(AttachedMail(label=item.file_name or child.subject, mail=child))


def unpack_tnef(data: bytes, item: MailFile, mail: Mail) -> str:
    """Add the files of a ``winmail.dat`` to ``mail``; returns its body text ('' if none).

    A blob that cannot be decoded stays a file and makes the message a
    problem for a person.
    """
    name = item.file_name or "winmail.dat"
    try:
        tnef = read_tnef(data)
    except TnefError as error:
        mail.files.append(item)
        mail.problems.append(
            f"{name} (TNEF) cannot be decoded ({error}); the body and attachments it holds "
            "are unknown, a person must open the message"
        )
        return ""
    for attachment in tnef.attachments:
        file_name, source = attachment.file_name
        mail.files.append(
            MailFile(
                file_name=file_name,
                name_source=source,
                content_type=attachment.mime_type or "application/octet-stream",
                content=attachment.data,
                via=name,
            )
        )
    return tnef.body_text
