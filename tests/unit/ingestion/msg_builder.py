"""A writer for Outlook ``.msg`` test inputs: OLE2 compound files (MS-CFB) holding MS-OXMSG
property streams.

No library on the machine writes MSG files, and the real samples cannot be
varied (an RTF-only body, a Latin-1 8-bit subject, a CSV inside an embedded
message, a chain of embedded messages). The writer follows the published
formats: 512-byte sectors, a mini stream for streams under 4096 bytes, one
directory entry per storage or stream, and the property streams Outlook writes.
"""

from __future__ import annotations

import datetime as dt
import struct
from dataclasses import dataclass, field

_SECTOR = 512
_MINI_SECTOR = 64
_MINI_CUTOFF = 4096
_FREE = 0xFFFFFFFF
_END = 0xFFFFFFFE
_FAT_SECTOR = 0xFFFFFFFD
_NO_STREAM = 0xFFFFFFFF
_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

Tree = dict[str, "bytes | Tree"]


@dataclass
class _Entry:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    data: bytes = b""
    children: list[int] = field(default_factory=list)
    left: int = _NO_STREAM
    right: int = _NO_STREAM
    child: int = _NO_STREAM
    start: int = _END
    size: int = 0


def _flatten(tree: Tree) -> list[_Entry]:
    entries = [_Entry("Root Entry", 5)]

    def add(parent: int, items: Tree) -> None:
        for name, value in items.items():
            index = len(entries)
            if isinstance(value, bytes):
                entries.append(_Entry(name, 2, data=value))
            else:
                entries.append(_Entry(name, 1))
                add(index, value)
            entries[parent].children.append(index)

    add(0, tree)
    return entries


def _link_siblings(entries: list[_Entry]) -> None:
    """Siblings as a balanced binary tree ordered by (length, upper-case name), as MS-CFB asks."""

    def build(ids: list[int]) -> int:
        if not ids:
            return _NO_STREAM
        middle = len(ids) // 2
        node = entries[ids[middle]]
        node.left = build(ids[:middle])
        node.right = build(ids[middle + 1 :])
        return ids[middle]

    for entry in entries:
        ordered = sorted(
            entry.children, key=lambda i: (len(entries[i].name), entries[i].name.upper())
        )
        entry.child = build(ordered)


def _sectors(data: bytes, size: int) -> int:
    return -(-len(data) // size)


def compound_file(tree: Tree) -> bytes:
    """An OLE2 compound file whose storages and streams are ``tree`` (dict = storage)."""
    entries = _flatten(tree)
    _link_siblings(entries)
    mini_stream = bytearray()
    mini_fat: list[int] = []
    big: list[_Entry] = []
    for entry in entries:
        if entry.kind != 2:
            continue
        entry.size = len(entry.data)
        if not entry.data:
            continue
        if len(entry.data) >= _MINI_CUTOFF:
            big.append(entry)
            continue
        first = len(mini_stream) // _MINI_SECTOR
        count = _sectors(entry.data, _MINI_SECTOR)
        mini_stream += entry.data + b"\x00" * (count * _MINI_SECTOR - len(entry.data))
        mini_fat.extend(first + n + 1 for n in range(count - 1))
        mini_fat.append(_END)
        entry.start = first
    directory_sectors = -(-len(entries) * 128 // _SECTOR)
    mini_fat_sectors = -(-len(mini_fat) * 4 // _SECTOR)
    mini_stream_sectors = _sectors(bytes(mini_stream), _SECTOR)
    big_sectors = sum(_sectors(e.data, _SECTOR) for e in big)
    payload = directory_sectors + mini_fat_sectors + mini_stream_sectors + big_sectors
    fat_sectors = 1
    while fat_sectors * 128 < fat_sectors + payload:
        fat_sectors += 1
    assert fat_sectors <= 109, "test inputs stay below 7 MB (no DIFAT sectors)"

    fat: list[int] = [_FAT_SECTOR] * fat_sectors
    next_sector = fat_sectors

    def chain(count: int) -> int:
        nonlocal next_sector
        first = next_sector
        fat.extend(first + n + 1 for n in range(count - 1))
        fat.append(_END)
        next_sector += count
        return first

    directory_start = chain(directory_sectors)
    mini_fat_start = chain(mini_fat_sectors) if mini_fat_sectors else _END
    mini_stream_start = chain(mini_stream_sectors) if mini_stream_sectors else _END
    for entry in big:
        entry.start = chain(_sectors(entry.data, _SECTOR))
    entries[0].start = mini_stream_start
    entries[0].size = len(mini_stream)
    fat += [_FREE] * (fat_sectors * 128 - len(fat))

    header = bytearray(_SECTOR)
    header[0:8] = _SIGNATURE
    struct.pack_into("<HHHHH", header, 24, 0x003E, 3, 0xFFFE, 9, 6)
    struct.pack_into(
        "<IIIIIIIII",
        header,
        40,
        0,
        fat_sectors,
        directory_start,
        0,
        _MINI_CUTOFF,
        mini_fat_start,
        mini_fat_sectors,
        _END,
        0,
    )
    difat = list(range(fat_sectors)) + [_FREE] * (109 - fat_sectors)
    struct.pack_into("<109I", header, 76, *difat)

    directory = bytearray()
    for entry in entries:
        name = entry.name.encode("utf-16-le") + b"\x00\x00"
        record = bytearray(128)
        record[0 : len(name)] = name
        struct.pack_into(
            "<HBBIII", record, 64, len(name), entry.kind, 1, entry.left, entry.right, entry.child
        )
        start = entry.start if entry.kind != 1 else 0
        struct.pack_into("<IQ", record, 116, start, entry.size)
        directory += record
    directory += b"\x00" * (directory_sectors * _SECTOR - len(directory))
    for index in range(len(entries), directory_sectors * 4):
        struct.pack_into("<III", directory, index * 128 + 68, _NO_STREAM, _NO_STREAM, _NO_STREAM)

    body = bytearray(struct.pack(f"<{len(fat)}I", *fat))
    body += directory
    packed_mini_fat = struct.pack(f"<{len(mini_fat)}I", *mini_fat)
    body += packed_mini_fat + b"\xff" * (mini_fat_sectors * _SECTOR - len(packed_mini_fat))
    body += mini_stream + b"\x00" * (mini_stream_sectors * _SECTOR - len(mini_stream))
    for entry in big:
        body += entry.data + b"\x00" * (_sectors(entry.data, _SECTOR) * _SECTOR - len(entry.data))
    return bytes(header + body)


# --- MS-OXMSG ------------------------------------------------------------------------

PT_LONG = 0x0003
PT_SYSTIME = 0x0040
PT_STRING8 = 0x001E
PT_UNICODE = 0x001F
PT_BINARY = 0x0102


@dataclass
class MsgAttachment:
    """A file attached to a message (PR_ATTACH_METHOD 1, bytes in PR_ATTACH_DATA_BIN)."""

    long_name: str
    data: bytes
    mime_type: str = "application/octet-stream"
    short_name: str = ""


@dataclass
class MsgMessage:
    """The properties of one message; ``strings8`` is the codec of 8-bit strings, else UTF-16."""

    subject: str
    message_id: str = ""
    body: str | None = None
    html: bytes | None = None
    rtf_compressed: bytes | None = None
    codepage: int | None = None
    internet_codepage: int | None = None
    locale: int | None = None
    strings8: str | None = None
    sent: dt.datetime | None = dt.datetime(2024, 3, 18, 10, 0, tzinfo=dt.UTC)
    sender: str = "Customer Planning"
    sender_address: str = "planning@customer.example.com"
    attachments: list[MsgAttachment | tuple[str, MsgMessage]] = field(default_factory=list)


def _filetime(moment: dt.datetime) -> int:
    return int((moment - dt.datetime(1601, 1, 1, tzinfo=dt.UTC)).total_seconds() * 10_000_000)


class _Properties:
    def __init__(self, header_size: int, strings8: str | None) -> None:
        self.header = bytearray(header_size)
        self.fixed = bytearray()
        self.streams: Tree = {}
        self.strings8 = strings8

    def _entry(self, kind: int, prop: int, value: bytes) -> None:
        self.fixed += struct.pack("<HHI", kind, prop, 0x6) + value.ljust(8, b"\x00")

    def long(self, prop: int, value: int) -> None:
        self._entry(PT_LONG, prop, struct.pack("<i", value))

    def time(self, prop: int, moment: dt.datetime) -> None:
        self._entry(PT_SYSTIME, prop, struct.pack("<q", _filetime(moment)))

    def binary(self, prop: int, value: bytes) -> None:
        self.streams[f"__substg1.0_{prop:04X}{PT_BINARY:04X}"] = value
        self._entry(PT_BINARY, prop, struct.pack("<I", len(value)))

    def string(self, prop: int, value: str) -> None:
        if self.strings8:
            raw = value.encode(self.strings8) + b"\x00"
            kind = PT_STRING8
        else:
            raw = value.encode("utf-16-le") + b"\x00\x00"
            kind = PT_UNICODE
        self.streams[f"__substg1.0_{prop:04X}{kind:04X}"] = raw
        self._entry(kind, prop, struct.pack("<I", len(raw)))

    def storage(self) -> Tree:
        return {"__properties_version1.0": bytes(self.header + self.fixed), **self.streams}


def _message_tree(message: MsgMessage, header_size: int) -> Tree:
    props = _Properties(header_size, message.strings8)
    if header_size == 32:
        struct.pack_into("<IIII", props.header, 8, 0, len(message.attachments), 0, 0)
    props.string(0x001A, "IPM.Note")
    props.string(0x0037, message.subject)
    props.string(0x0C1A, message.sender)
    props.string(0x5D01, message.sender_address)
    props.string(0x0E04, "Supply Chain")
    if message.message_id:
        props.string(0x1035, message.message_id)
    if message.body is not None:
        props.string(0x1000, message.body)
    if message.html is not None:
        props.binary(0x1013, message.html)
    if message.rtf_compressed is not None:
        props.binary(0x1009, message.rtf_compressed)
    if message.codepage is not None:
        props.long(0x3FFD, message.codepage)
    if message.internet_codepage is not None:
        props.long(0x3FDE, message.internet_codepage)
    if message.locale is not None:
        props.long(0x3FF1, message.locale)
    if message.sent is not None:
        props.time(0x0039, message.sent)
    tree = props.storage()
    for number, attachment in enumerate(message.attachments):
        tree[f"__attach_version1.0_#{number:08X}"] = _attachment_tree(attachment, message)
    return tree


def _attachment_tree(attachment: MsgAttachment | tuple[str, MsgMessage], owner: MsgMessage) -> Tree:
    props = _Properties(8, owner.strings8)
    if isinstance(attachment, tuple):
        label, embedded = attachment
        props.string(0x3001, label)
        props.long(0x3705, 5)
        tree = props.storage()
        tree["__substg1.0_3701000D"] = _message_tree(embedded, 24)
        return tree
    props.string(0x3707, attachment.long_name)
    props.string(0x3704, attachment.short_name or attachment.long_name[:12])
    props.string(0x370E, attachment.mime_type)
    props.long(0x3705, 1)
    props.binary(0x3701, attachment.data)
    return props.storage()


def msg_file(message: MsgMessage) -> bytes:
    """An Outlook ``.msg`` file holding ``message`` and its attachments."""
    return compound_file(_message_tree(message, 32))
