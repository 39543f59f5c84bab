"""Writers for test inputs the standard library cannot produce: TNEF, LZFu RTF, XLSX.

They follow the published formats (MS-OXTNEF, MS-OXRTFCP) closely enough for
the readers to be tested without the shared sample files.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Sequence
from email.message import EmailMessage

from openpyxl import Workbook

RTF_PREFIX = b"{\\rtf1\\ansi"
"""The first 11 bytes of the LZFu dictionary preamble, so a reference (0, 11) copies them."""

_PREBUFFER_LENGTH = 207
_WINDOW = 4096


def _crc(data: bytes) -> int:
    return zlib.crc32(data, 0xFFFFFFFF) ^ 0xFFFFFFFF


def compress_rtf(raw: bytes) -> bytes:
    """LZFu with literals only, plus one reference into the preamble when ``raw`` starts so."""
    tokens: list[tuple[bool, bytes]] = []
    rest = raw
    if raw.startswith(RTF_PREFIX):
        tokens.append((True, struct.pack(">H", (0 << 4) | (len(RTF_PREFIX) - 2))))
        rest = raw[len(RTF_PREFIX) :]
    tokens.extend((False, bytes([b])) for b in rest)
    end = (_PREBUFFER_LENGTH + len(raw)) % _WINDOW
    tokens.append((True, struct.pack(">H", end << 4)))
    body = bytearray()
    for start in range(0, len(tokens), 8):
        group = tokens[start : start + 8]
        control = sum(1 << i for i, (is_ref, _) in enumerate(group) if is_ref)
        body.append(control)
        for _, payload in group:
            body.extend(payload)
    return struct.pack("<IIII", len(body) + 12, len(raw), 0x75465A4C, _crc(bytes(body))) + body


def _attribute(level: int, attribute: int, data: bytes) -> bytes:
    return (
        struct.pack("<BII", level, attribute, len(data))
        + data
        + struct.pack("<H", sum(data) & 0xFFFF)
    )


def _padded(data: bytes) -> bytes:
    return data + b"\x00" * (-len(data) % 4)


def _variable_property(kind: int, prop: int, value: bytes) -> bytes:
    return struct.pack("<HHII", kind, prop, 1, len(value)) + _padded(value)


def _property_list(entries: Sequence[bytes]) -> bytes:
    return struct.pack("<I", len(entries)) + b"".join(entries)


def tnef(
    *,
    subject: str,
    rtf_body: bytes | None,
    attachments: Sequence[tuple[str, str, bytes]],
    codepage: int = 1252,
) -> bytes:
    """A TNEF blob: subject, optional compressed-RTF body, (8.3 title, long name, data) files."""
    out = bytearray(struct.pack("<IH", 0x223E9F78, 1))
    out += _attribute(1, 0x00089006, struct.pack("<I", 0x00010000))
    out += _attribute(1, 0x00069007, struct.pack("<II", codepage, 0))
    out += _attribute(1, 0x00078008, b"IPM.Microsoft Mail.Note\x00")
    out += _attribute(1, 0x00018004, subject.encode(f"cp{codepage}") + b"\x00")
    if rtf_body is not None:
        props = _property_list([_variable_property(0x0102, 0x1009, compress_rtf(rtf_body))])
        out += _attribute(1, 0x00069003, props)
    for title, long_name, data in attachments:
        out += _attribute(2, 0x00069002, b"\x01\x00\xff\xff\xff\xff" + b"\x00" * 8)
        out += _attribute(2, 0x00018010, title.encode("ascii") + b"\x00")
        out += _attribute(2, 0x0006800F, data)
        name = long_name.encode("utf-16-le") + b"\x00\x00"
        props = _property_list([_variable_property(0x001F, 0x3707, name)])
        out += _attribute(2, 0x00069005, props)
    return bytes(out)


def xlsx(rows: Sequence[Sequence[object]], *, title: str = "Orders", blank_rows: int = 0) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    for _ in range(blank_rows):
        sheet.append([])
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def message(
    subject: str, body: str = "see attached", message_id: str | None = None
) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "Customer Planning <planning@customer.example.com>"
    mail["To"] = "Supply Chain <supply@plant.example.org>"
    mail["Subject"] = subject
    mail["Date"] = "Mon, 18 Mar 2024 10:00:00 +0000"
    if message_id:
        mail["Message-ID"] = message_id
    mail.set_content(body)
    return mail
