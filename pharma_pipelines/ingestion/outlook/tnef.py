"""Outlook/Exchange TNEF blobs (``winmail.dat``, ``application/ms-tnef``), MS-OXTNEF.

A rich-text mail sent through Exchange arrives as plain MIME with one opaque
``winmail.dat``: the real attachments and the only body (compressed RTF) are
inside it. This reader walks the TNEF attribute stream, reads the message
and attachment MAPI property lists, and returns the subject, the body as
plain text and each attachment under its long file name (``PR_ATTACH_LONG_
FILENAME``), falling back to the 8.3 title.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from pharma_pipelines.ingestion.outlook.mapi import (
    PR_ATTACH_DATA_BIN,
    PR_ATTACH_FILENAME,
    PR_ATTACH_LONG_FILENAME,
    PR_ATTACH_MIME_TAG,
    PR_BODY,
    PR_DISPLAY_NAME,
    PR_RTF_COMPRESSED,
    PR_SUBJECT,
    PropertyBag,
    PropertyError,
    codepage_name,
    decode_string8,
    read_property_list,
)
from pharma_pipelines.ingestion.outlook.rtf import RtfError, decompress_rtf, rtf_to_text

SIGNATURE = 0x223E9F78

_LEVEL_MESSAGE = 1
_LEVEL_ATTACHMENT = 2
_ATT_OEM_CODEPAGE = 0x9007
_ATT_MESSAGE_CLASS = 0x8008
_ATT_SUBJECT = 0x8004
_ATT_BODY = 0x800C
_ATT_MSG_PROPS = 0x9003
_ATT_REND_DATA = 0x9002
_ATT_ATTACH_DATA = 0x800F
_ATT_ATTACH_TITLE = 0x8010
_ATT_ATTACHMENT = 0x9005


class TnefError(ValueError):
    """A TNEF blob that cannot be read; the message needs a person."""


@dataclass
class TnefAttachment:
    title: str = ""
    long_name: str = ""
    mime_type: str = ""
    data: bytes = b""

    @property
    def file_name(self) -> tuple[str, str]:
        """The best name and where it came from."""
        if self.long_name:
            return self.long_name, "tnef-long-name"
        if self.title:
            return self.title, "tnef-title"
        return "", "generated"


@dataclass
class TnefMessage:
    message_class: str = ""
    subject: str = ""
    body_text: str = ""
    body_source: str = ""
    attachments: list[TnefAttachment] = field(default_factory=list)


def is_tnef(data: bytes) -> bool:
    return len(data) >= 6 and struct.unpack_from("<I", data)[0] == SIGNATURE


def read_tnef(data: bytes) -> TnefMessage:
    """Decode a TNEF blob; raises :class:`TnefError` saying where it breaks."""
    if not is_tnef(data):
        raise TnefError("the blob does not start with the TNEF signature 0x223E9F78")
    message = TnefMessage()
    codepage = "cp1252"
    current: TnefAttachment | None = None
    rtf_body = b""
    plain_body = ""
    position = 6
    while position < len(data):
        offset = position
        if position + 9 > len(data):
            raise TnefError(f"attribute header cut off at byte offset {position}")
        level = data[position]
        attribute, length = struct.unpack_from("<II", data, position + 1)
        start = position + 9
        end = start + length
        if end + 2 > len(data):
            raise TnefError(
                f"attribute 0x{attribute:08X} at byte offset {position} claims {length} bytes, "
                f"only {len(data) - start} remain"
            )
        value = data[start:end]
        checksum = struct.unpack_from("<H", data, end)[0]
        if checksum != sum(value) & 0xFFFF:
            raise TnefError(
                f"checksum of attribute 0x{attribute:08X} at byte offset {position} is wrong"
            )
        position = end + 2
        ident = attribute & 0xFFFF
        if level == _LEVEL_MESSAGE:
            if ident == _ATT_OEM_CODEPAGE and len(value) >= 4:
                codepage = codepage_name(struct.unpack_from("<I", value)[0])
            elif ident == _ATT_MESSAGE_CLASS:
                message.message_class = decode_string8(value, codepage)
            elif ident == _ATT_SUBJECT:
                message.subject = decode_string8(value, codepage)
            elif ident == _ATT_BODY:
                plain_body = decode_string8(value, codepage)
            elif ident == _ATT_MSG_PROPS:
                properties = _properties(value, codepage, offset)
                rtf_body = properties.get_bytes(PR_RTF_COMPRESSED) or rtf_body
                plain_body = properties.get_text(PR_BODY) or plain_body
                message.subject = message.subject or properties.get_text(PR_SUBJECT)
        elif level == _LEVEL_ATTACHMENT:
            if ident == _ATT_REND_DATA:
                current = TnefAttachment()
                message.attachments.append(current)
                continue
            if current is None:
                raise TnefError(
                    f"attachment attribute 0x{attribute:08X} at byte offset {offset} "
                    "comes before any attachment starts (attAttachRendData)"
                )
            if ident == _ATT_ATTACH_TITLE:
                current.title = decode_string8(value, codepage)
            elif ident == _ATT_ATTACH_DATA:
                current.data = value
            elif ident == _ATT_ATTACHMENT:
                properties = _properties(value, codepage, offset)
                current.long_name = (
                    properties.get_text(PR_ATTACH_LONG_FILENAME) or current.long_name
                )
                current.title = current.title or properties.get_text(PR_ATTACH_FILENAME)
                current.title = current.title or properties.get_text(PR_DISPLAY_NAME)
                current.mime_type = properties.get_text(PR_ATTACH_MIME_TAG) or current.mime_type
                current.data = current.data or properties.get_bytes(PR_ATTACH_DATA_BIN)
        else:
            raise TnefError(f"attribute level {level} at byte offset {offset} is neither 1 nor 2")
    if rtf_body:
        try:
            message.body_text = rtf_to_text(decompress_rtf(rtf_body))
            message.body_source = "rtf"
        except RtfError as error:
            raise TnefError(f"the compressed RTF body cannot be read: {error}") from error
    if not message.body_text.strip() and plain_body.strip():
        message.body_text, message.body_source = plain_body, "text"
    return message


def _properties(value: bytes, codepage: str, offset: int) -> PropertyBag:
    try:
        return read_property_list(value, codepage)
    except PropertyError as error:
        raise TnefError(
            f"MAPI properties of the attribute at byte offset {offset}: {error}"
        ) from error
