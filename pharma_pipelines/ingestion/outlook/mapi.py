"""MAPI properties as Outlook stores them in TNEF blobs and MSG files.

Property tags (MS-OXPROPS) are named once here; :class:`PropertyBag` holds
decoded values by property id. 8-bit strings (``PT_STRING8``) are decoded with
the message's code page, which a non-Unicode MSG or TNEF names explicitly or
through its locale; decoding them as Latin-1 turns Russian or Japanese text
into mojibake.
"""

from __future__ import annotations

import codecs
import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

PR_MESSAGE_CLASS = 0x001A
PR_SUBJECT = 0x0037
PR_CLIENT_SUBMIT_TIME = 0x0039
PR_SENT_REPRESENTING_NAME = 0x0042
PR_SENT_REPRESENTING_EMAIL_ADDRESS = 0x0065
PR_TRANSPORT_MESSAGE_HEADERS = 0x007D
PR_SENDER_NAME = 0x0C1A
PR_SENDER_EMAIL_ADDRESS = 0x0C1F
PR_DISPLAY_CC = 0x0E03
PR_DISPLAY_TO = 0x0E04
PR_MESSAGE_DELIVERY_TIME = 0x0E06
PR_BODY = 0x1000
PR_RTF_COMPRESSED = 0x1009
PR_HTML = 0x1013
PR_INTERNET_MESSAGE_ID = 0x1035
PR_DISPLAY_NAME = 0x3001
PR_CREATION_TIME = 0x3007
PR_ATTACH_DATA_BIN = 0x3701
PR_ATTACH_FILENAME = 0x3704
PR_ATTACH_METHOD = 0x3705
PR_ATTACH_LONG_FILENAME = 0x3707
PR_ATTACH_MIME_TAG = 0x370E
PR_INTERNET_CPID = 0x3FDE
PR_MESSAGE_LOCALE_ID = 0x3FF1
PR_MESSAGE_CODEPAGE = 0x3FFD
PR_SENDER_SMTP_ADDRESS = 0x5D01

ATTACH_EMBEDDED_MSG = 5

PT_I2 = 0x0002
PT_LONG = 0x0003
PT_R4 = 0x0004
PT_DOUBLE = 0x0005
PT_CURRENCY = 0x0006
PT_APPTIME = 0x0007
PT_ERROR = 0x000A
PT_BOOLEAN = 0x000B
PT_OBJECT = 0x000D
PT_I8 = 0x0014
PT_STRING8 = 0x001E
PT_UNICODE = 0x001F
PT_SYSTIME = 0x0040
PT_CLSID = 0x0048
PT_BINARY = 0x0102
MV_FLAG = 0x1000

FIXED_SIZES = {
    PT_I2: 2,
    PT_LONG: 4,
    PT_R4: 4,
    PT_DOUBLE: 8,
    PT_CURRENCY: 8,
    PT_APPTIME: 8,
    PT_ERROR: 4,
    PT_BOOLEAN: 2,
    PT_I8: 8,
    PT_SYSTIME: 8,
    PT_CLSID: 16,
}
_VARIABLE = {PT_STRING8, PT_UNICODE, PT_BINARY, PT_OBJECT}

_LCID_CODEPAGES = {
    1025: 1256,
    1026: 1251,
    1028: 950,
    1029: 1250,
    1032: 1253,
    1037: 1255,
    1038: 1250,
    1041: 932,
    1042: 949,
    1045: 1250,
    1048: 1250,
    1049: 1251,
    1050: 1250,
    1051: 1250,
    1054: 874,
    1055: 1254,
    1058: 1251,
    1059: 1251,
    1060: 1250,
    1061: 1257,
    1062: 1257,
    1063: 1257,
    1066: 1258,
    1071: 1251,
    1087: 1251,
    2052: 936,
    3076: 950,
    3098: 1251,
}


class PropertyError(ValueError):
    """A MAPI property list that breaks its own length fields."""


_CODEPAGE_CODECS = {
    1200: "utf-16-le",
    1201: "utf-16-be",
    10000: "mac-roman",
    20127: "ascii",
    20866: "koi8-r",
    21866: "koi8-u",
    50220: "iso2022-jp",
    50221: "iso2022-jp",
    50222: "iso2022-jp",
    51932: "euc-jp",
    51949: "euc-kr",
    52936: "hz",
    54936: "gb18030",
    65000: "utf-7",
    **{28590 + n: f"iso8859-{n}" for n in range(1, 16) if n != 12},
}
"""Code page numbers whose Python codec is not ``cp<number>`` (MSG and TNEF write the
internet code pages of HTML bodies, e.g. 28591 ISO-8859-1, 20866 KOI8-R, 50220 ISO-2022-JP)."""


def codepage_name(number: int) -> str:
    """Python's codec for a Windows code page number; 1252 when Python has none."""
    try:
        return codecs.lookup(_CODEPAGE_CODECS.get(number, f"cp{number}")).name
    except LookupError:
        return "cp1252"


def codepage_for_locale(lcid: int) -> str | None:
    """The ANSI code page Windows uses for a locale id (1049 Russian -> cp1251)."""
    number = _LCID_CODEPAGES.get(lcid & 0xFFFF)
    return codepage_name(number) if number else None


def filetime(value: int) -> datetime | None:
    """A Windows FILETIME (100 ns since 1601-01-01 UTC); ``None`` for 0."""
    if value <= 0:
        return None
    try:
        return datetime(1601, 1, 1, tzinfo=UTC) + timedelta(microseconds=value // 10)
    except OverflowError:
        return None


def decode_string8(data: bytes, codepage: str) -> str:
    return data.split(b"\x00", 1)[0].decode(codepage, errors="backslashreplace")


def decode_unicode(data: bytes) -> str:
    text = data.decode("utf-16-le", errors="backslashreplace")
    return text.split("\x00", 1)[0]


@dataclass
class PropertyBag:
    """Decoded property values by id (the type is implied by the value)."""

    values: dict[int, object] = field(default_factory=dict)
    oversized: dict[int, int] = field(default_factory=dict)
    """Properties left unread because they exceed a size limit, with their sizes."""

    def get_text(self, prop: int) -> str:
        value = self.values.get(prop)
        return value if isinstance(value, str) else ""

    def get_bytes(self, prop: int) -> bytes:
        value = self.values.get(prop)
        return value if isinstance(value, bytes) else b""

    def get_int(self, prop: int) -> int | None:
        value = self.values.get(prop)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def get_time(self, prop: int) -> datetime | None:
        value = self.values.get(prop)
        return value if isinstance(value, datetime) else None


def decode_fixed(kind: int, raw: bytes) -> object:
    """The value of a fixed-size property from its little-endian bytes."""
    if kind == PT_I2:
        return struct.unpack_from("<h", raw)[0]
    if kind in (PT_LONG, PT_ERROR):
        return struct.unpack_from("<i", raw)[0]
    if kind == PT_BOOLEAN:
        return struct.unpack_from("<H", raw)[0] != 0
    if kind == PT_SYSTIME:
        return filetime(struct.unpack_from("<q", raw)[0])
    if kind in (PT_I8, PT_CURRENCY):
        return struct.unpack_from("<q", raw)[0]
    if kind in (PT_DOUBLE, PT_APPTIME):
        return struct.unpack_from("<d", raw)[0]
    if kind == PT_R4:
        return struct.unpack_from("<f", raw)[0]
    return bytes(raw)


def _padded(length: int) -> int:
    return (length + 3) & ~3


def read_property_list(data: bytes, codepage: str) -> PropertyBag:
    """Decode a TNEF MAPI property list (MS-OXTNEF 2.1.3.4)."""
    bag = PropertyBag()
    if len(data) < 4:
        raise PropertyError(f"a property list needs a 4-byte count, found {len(data)} bytes")
    count = struct.unpack_from("<I", data)[0]
    position = 4

    def take(size: int) -> bytes:
        nonlocal position
        if position + size > len(data):
            raise PropertyError(
                f"property data runs past the end of the list at byte offset {position} "
                f"(needs {size} bytes, {len(data) - position} remain)"
            )
        chunk = data[position : position + size]
        position += size
        return chunk

    for _ in range(count):
        kind, prop = struct.unpack("<HH", take(4))
        if prop >= 0x8000:
            take(16)
            name_kind = struct.unpack("<I", take(4))[0]
            if name_kind == 0:
                take(4)
            else:
                name_length = struct.unpack("<I", take(4))[0]
                take(_padded(name_length))
        base = kind & ~MV_FLAG
        multi = bool(kind & MV_FLAG)
        if base in _VARIABLE:
            values_count = struct.unpack("<I", take(4))[0]
            items: list[object] = []
            for _ in range(values_count):
                length = struct.unpack("<I", take(4))[0]
                raw = take(_padded(length))[:length]
                if base == PT_STRING8:
                    items.append(decode_string8(raw, codepage))
                elif base == PT_UNICODE:
                    items.append(decode_unicode(raw))
                elif base == PT_OBJECT:
                    items.append(raw[16:])
                else:
                    items.append(raw)
            value: object = items if multi else (items[0] if items else b"")
        elif base in FIXED_SIZES:
            size = FIXED_SIZES[base]
            if multi:
                values_count = struct.unpack("<I", take(4))[0]
                value = [decode_fixed(base, take(_padded(size))) for _ in range(values_count)]
            else:
                value = decode_fixed(base, take(_padded(size)))
        else:
            raise PropertyError(f"property 0x{prop:04X} has unknown type 0x{kind:04X}")
        bag.values[prop] = value
    return bag
