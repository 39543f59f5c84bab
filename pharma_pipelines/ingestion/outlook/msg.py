"""Outlook ``.msg`` files (OLE2 compound files, MS-OXMSG) read with olefile.

Each property of a message sits in a stream ``__substg1.0_<id><type>``
(strings, binaries) or in the fixed 16-byte entries of
``__properties_version1.0`` (numbers, times). Attachments are storages
``__attach_version1.0_#NNNNNNNN`` in order; an attached message is a storage
``__substg1.0_3701000D`` inside one and is read the same way, recursively.

8-bit strings (``001E``) of a non-Unicode MSG are decoded with the message's
code page (``PR_MESSAGE_CODEPAGE``, else the code page of its locale
``PR_MESSAGE_LOCALE_ID``, else Windows-1252); an HTML body uses its internet
code page ``PR_INTERNET_CPID``.

A binary stream larger than :attr:`ReadLimits.attachment_bytes` is not read
(its size is known from the directory), and embedded messages deeper than
:attr:`ReadLimits.message_depth` are not followed; both make the message a
problem for a person.
"""

from __future__ import annotations

import email.parser
import email.policy
import io
import struct

import olefile

from pharma_pipelines.ingestion.limits import DEFAULT_LIMITS, ReadLimits, size_text
from pharma_pipelines.ingestion.outlook.mail import AttachedMail, Mail, MailFile, html_to_text
from pharma_pipelines.ingestion.outlook.mapi import (
    ATTACH_EMBEDDED_MSG,
    FIXED_SIZES,
    PR_ATTACH_DATA_BIN,
    PR_ATTACH_FILENAME,
    PR_ATTACH_LONG_FILENAME,
    PR_ATTACH_METHOD,
    PR_ATTACH_MIME_TAG,
    PR_BODY,
    PR_CLIENT_SUBMIT_TIME,
    PR_CREATION_TIME,
    PR_DISPLAY_CC,
    PR_DISPLAY_NAME,
    PR_DISPLAY_TO,
    PR_HTML,
    PR_INTERNET_CPID,
    PR_INTERNET_MESSAGE_ID,
    PR_MESSAGE_CLASS,
    PR_MESSAGE_CODEPAGE,
    PR_MESSAGE_DELIVERY_TIME,
    PR_MESSAGE_LOCALE_ID,
    PR_RTF_COMPRESSED,
    PR_SENDER_EMAIL_ADDRESS,
    PR_SENDER_NAME,
    PR_SENDER_SMTP_ADDRESS,
    PR_SENT_REPRESENTING_EMAIL_ADDRESS,
    PR_SENT_REPRESENTING_NAME,
    PR_SUBJECT,
    PR_TRANSPORT_MESSAGE_HEADERS,
    PT_BINARY,
    PT_STRING8,
    PT_UNICODE,
    PropertyBag,
    codepage_for_locale,
    codepage_name,
    decode_fixed,
    decode_string8,
    decode_unicode,
)
from pharma_pipelines.ingestion.outlook.rtf import RtfError, decompress_rtf, rtf_to_text

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PROPERTIES = "__properties_version1.0"
_EMBEDDED = "__substg1.0_3701000D"
_TOP_HEADER = 32
_EMBEDDED_HEADER = 24
_CHILD_HEADER = 8


class MsgError(ValueError):
    """An OLE2 file that is not a readable Outlook message."""


def is_ole2(data: bytes) -> bool:
    return data.startswith(OLE_SIGNATURE)


class _Storage:
    """The streams of one message or attachment storage, by name."""

    def __init__(
        self, ole: olefile.OleFileIO, prefix: tuple[str, ...], entries: list[tuple[str, ...]]
    ) -> None:
        self.ole = ole
        self.prefix = prefix
        depth = len(prefix)
        self.streams = {e[depth]: e for e in entries if len(e) == depth + 1 and e[:depth] == prefix}
        self.children = sorted(
            {e[depth] for e in entries if len(e) > depth + 1 and e[:depth] == prefix}
        )

    def read(self, name: str) -> bytes | None:
        path = self.streams.get(name)
        return None if path is None else self.ole.openstream(list(path)).read()

    def size(self, name: str) -> int:
        path = self.streams.get(name)
        return 0 if path is None else int(self.ole.get_size(list(path)))

    def properties(
        self, header_size: int, codepage: str | None, limits: ReadLimits
    ) -> tuple[PropertyBag, str]:
        """The storage's properties; streams over the size limit stay unread (``oversized``)."""
        bag = PropertyBag()
        fixed = self.read(_PROPERTIES) or b""
        for offset in range(header_size, len(fixed) - 15, 16):
            kind, prop = struct.unpack_from("<HH", fixed, offset)
            size = FIXED_SIZES.get(kind)
            if size is not None and size <= 8:
                bag.values[prop] = decode_fixed(kind, fixed[offset + 8 : offset + 8 + size])
        chosen = codepage or _message_codepage(bag)
        for name in self.streams:
            if not name.startswith("__substg1.0_") or len(name) != 20:
                continue
            try:
                prop, kind = int(name[12:16], 16), int(name[16:20], 16)
            except ValueError:
                continue
            size = self.size(name)
            if size > limits.attachment_bytes:
                bag.oversized[prop] = size
                continue
            raw = self.read(name) or b""
            if kind == PT_UNICODE:
                bag.values[prop] = decode_unicode(raw)
            elif kind == PT_STRING8:
                bag.values[prop] = decode_string8(raw, chosen)
            elif kind == PT_BINARY:
                bag.values[prop] = raw
        return bag, chosen


def _message_codepage(bag: PropertyBag) -> str:
    number = bag.get_int(PR_MESSAGE_CODEPAGE)
    if number:
        return codepage_name(number)
    locale = bag.get_int(PR_MESSAGE_LOCALE_ID)
    if locale:
        from_locale = codepage_for_locale(locale)
        if from_locale:
            return from_locale
    return "cp1252"


def read_msg(data: bytes, limits: ReadLimits = DEFAULT_LIMITS, depth: int = 0) -> Mail:
    """Read an Outlook message and its attachments; raises :class:`MsgError`.

    ``depth`` is how deep the message already sits in attached messages.
    """
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except (OSError, ValueError) as error:
        raise MsgError(f"not a readable OLE2 compound file ({error})") from error
    try:
        entries = [tuple(e) for e in ole.listdir(streams=True, storages=False)]
        root = _Storage(ole, (), entries)
        if _PROPERTIES not in root.streams or not any(
            n.startswith("__substg1.0_") for n in root.streams
        ):
            names = ", ".join(sorted({e[0] for e in entries})[:6])
            raise MsgError(
                "an OLE2 compound file without the streams of an Outlook message "
                f"(__properties_version1.0, __substg1.0_*); it holds {names}; legacy Office "
                "documents (.xls, .doc) are OLE2 files too"
            )
        return _read_message(root, entries, _TOP_HEADER, depth, limits)
    finally:
        ole.close()


def _sender(bag: PropertyBag) -> str:
    name = bag.get_text(PR_SENDER_NAME) or bag.get_text(PR_SENT_REPRESENTING_NAME)
    address = next(
        (
            a
            for a in (
                bag.get_text(PR_SENDER_SMTP_ADDRESS),
                bag.get_text(PR_SENDER_EMAIL_ADDRESS),
                bag.get_text(PR_SENT_REPRESENTING_EMAIL_ADDRESS),
            )
            if "@" in a
        ),
        "",
    )
    if name and address and name != address:
        return f"{name} <{address}>"
    return name or address


def _transport_headers(bag: PropertyBag) -> dict[str, str]:
    raw = bag.get_text(PR_TRANSPORT_MESSAGE_HEADERS)
    if not raw:
        return {}
    headers = email.parser.Parser(policy=email.policy.compat32).parsestr(raw, headersonly=True)
    return {k.lower(): str(v) for k, v in headers.items()}


def _body(bag: PropertyBag, codepage: str, mail: Mail) -> None:
    if bag.get_text(PR_BODY).strip():
        mail.body_text, mail.body_source = bag.get_text(PR_BODY), "PR_BODY"
        return
    markup = bag.values.get(PR_HTML)
    if isinstance(markup, bytes | str) and markup:
        internet = bag.get_int(PR_INTERNET_CPID)
        charset = codepage_name(internet) if internet else codepage
        text = markup if isinstance(markup, str) else markup.decode(charset, "backslashreplace")
        mail.body_text, mail.body_source = html_to_text(text), "PR_HTML"
        return
    rtf = bag.get_bytes(PR_RTF_COMPRESSED)
    if rtf:
        try:
            mail.body_text = rtf_to_text(decompress_rtf(rtf))
            mail.body_source = "PR_RTF_COMPRESSED"
        except RtfError as error:
            mail.problems.append(f"the rich-text body (PR_RTF_COMPRESSED) cannot be read: {error}")


def _read_message(
    storage: _Storage,
    entries: list[tuple[str, ...]],
    header_size: int,
    depth: int,
    limits: ReadLimits,
) -> Mail:
    bag, codepage = storage.properties(header_size, None, limits)
    headers = _transport_headers(bag)
    mail = Mail(message_format="msg")
    mail.subject = bag.get_text(PR_SUBJECT)
    mail.sender = _sender(bag) or headers.get("from", "")
    mail.recipients = bag.get_text(PR_DISPLAY_TO) or headers.get("to", "")
    mail.cc = bag.get_text(PR_DISPLAY_CC) or headers.get("cc", "")
    mail.message_id = bag.get_text(PR_INTERNET_MESSAGE_ID) or headers.get("message-id", "").strip()
    mail.date_header = headers.get("date", "")
    sent = bag.get_time(PR_CLIENT_SUBMIT_TIME) or bag.get_time(PR_MESSAGE_DELIVERY_TIME)
    if sent is not None:
        mail.sent_at = sent.isoformat()
    else:
        created = bag.get_time(PR_CREATION_TIME)
        mail.notes.append(
            "the message has no submit or delivery time (PR_CLIENT_SUBMIT_TIME, "
            "PR_MESSAGE_DELIVERY_TIME)"
            + (f"; only its creation time {created.isoformat()}" if created else "")
        )
    for prop, size in bag.oversized.items():
        mail.problems.append(
            f"property 0x{prop:04X} of the message is {size_text(size)}, over the limit of "
            f"{size_text(limits.attachment_bytes)}; it is not read"
        )
    _body(bag, codepage, mail)
    message_class = bag.get_text(PR_MESSAGE_CLASS)
    if message_class and not message_class.upper().startswith("IPM"):
        mail.notes.append(f"message class {message_class!r} is not an IPM message")
    for child in storage.children:
        if child.startswith("__attach_version1.0_#"):
            attachment = _Storage(storage.ole, (*storage.prefix, child), entries)
            _read_attachment(attachment, entries, codepage, mail, depth, limits)
    return mail


def _read_attachment(
    storage: _Storage,
    entries: list[tuple[str, ...]],
    codepage: str,
    mail: Mail,
    depth: int,
    limits: ReadLimits,
) -> None:
    bag, _ = storage.properties(_CHILD_HEADER, codepage, limits)
    name, source = "", "generated"
    for prop, label in (
        (PR_ATTACH_LONG_FILENAME, "msg-long-name"),
        (PR_ATTACH_FILENAME, "msg-short-name"),
        (PR_DISPLAY_NAME, "msg-display-name"),
    ):
        if bag.get_text(prop).strip():
            name, source = bag.get_text(prop).strip(), label
            break
    if _EMBEDDED in storage.children:
        if depth + 1 > limits.message_depth:
            mail.problems.append(
                f"attached messages nest deeper than {limits.message_depth} levels; the deeper "
                "ones are not followed"
            )
            return
        inner = _Storage(storage.ole, (*storage.prefix, _EMBEDDED), entries)
        embedded = _read_message(inner, entries, _EMBEDDED_HEADER, depth + 1, limits)
        mail.attached.append(AttachedMail(label=name or embedded.subject, mail=embedded))
        return
    if bag.get_int(PR_ATTACH_METHOD) == ATTACH_EMBEDDED_MSG:
        mail.problems.append(
            f"attachment {name or storage.prefix[-1]!r} is marked as an attached message "
            "(PR_ATTACH_METHOD 5) but has no message storage (__substg1.0_3701000D)"
        )
        return
    if PR_ATTACH_DATA_BIN in bag.oversized:
        mail.problems.append(
            f"attachment {name or storage.prefix[-1]!r} is "
            f"{size_text(bag.oversized[PR_ATTACH_DATA_BIN])}, over the limit of "
            f"{size_text(limits.attachment_bytes)} per attachment; it is neither read nor kept: "
            "a person must take it from the mailbox"
        )
        return
    content = bag.get_bytes(PR_ATTACH_DATA_BIN)
    mail.files.append(
        MailFile(
            file_name=name,
            name_source=source,
            content_type=bag.get_text(PR_ATTACH_MIME_TAG) or "application/octet-stream",
            content=content,
        )
    )
