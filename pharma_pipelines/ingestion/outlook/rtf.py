"""Outlook rich-text bodies: compressed RTF (MS-OXRTFCP) to plain text.

Outlook keeps a rich-text body only as ``PR_RTF_COMPRESSED``: an LZ77 variant
("LZFu") whose dictionary starts with a fixed RTF preamble, guarded by a
CRC-32 (initial value 0, no final inversion). The plain text is then taken
from the RTF: groups of unknown or non-text destinations (font table,
pictures, ``\\*`` groups) are skipped, ``\\par`` becomes a line break, hex and
Unicode escapes are decoded with the document's code page.
"""

from __future__ import annotations

import re
import struct
import zlib

from pharma_pipelines.ingestion.outlook.mapi import codepage_name

_PREBUFFER = (
    b"{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss "
    b"\\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier"
    b"{\\colortbl\\red0\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx"
)
_COMPRESSED = 0x75465A4C  # "LZFu"
_UNCOMPRESSED = 0x414C454D  # "MELA"
_WINDOW = 4096


class RtfError(ValueError):
    """A compressed RTF stream that cannot be decompressed."""


def _crc(data: bytes) -> int:
    return zlib.crc32(data, 0xFFFFFFFF) ^ 0xFFFFFFFF


def decompress_rtf(data: bytes) -> bytes:
    """Decompress ``PR_RTF_COMPRESSED``; raises :class:`RtfError` with the reason."""
    if len(data) < 16:
        raise RtfError(f"compressed RTF needs a 16-byte header, found {len(data)} bytes")
    comp_size, raw_size, magic, crc = struct.unpack_from("<IIII", data)
    if magic == _UNCOMPRESSED:
        return data[16 : 16 + raw_size]
    if magic != _COMPRESSED:
        raise RtfError(f"compression type 0x{magic:08X} is neither LZFu nor MELA")
    end = min(len(data), 4 + comp_size)
    if _crc(data[16:end]) != crc:
        raise RtfError("the CRC of the compressed RTF does not match its header")
    window = bytearray(_WINDOW)
    window[: len(_PREBUFFER)] = _PREBUFFER
    write = len(_PREBUFFER)
    out = bytearray()
    position = 16
    while position < end:
        control = data[position]
        position += 1
        for bit in range(8):
            if position >= end:
                break
            if control & (1 << bit):
                if position + 1 >= end:
                    raise RtfError("compressed RTF ends inside a dictionary reference")
                token = (data[position] << 8) | data[position + 1]
                position += 2
                offset, length = token >> 4, (token & 0x0F) + 2
                if offset == write:
                    return bytes(out)
                for step in range(length):
                    byte = window[(offset + step) % _WINDOW]
                    out.append(byte)
                    window[write] = byte
                    write = (write + 1) % _WINDOW
            else:
                byte = data[position]
                position += 1
                out.append(byte)
                window[write] = byte
                write = (write + 1) % _WINDOW
    return bytes(out)


_SKIPPED_DESTINATIONS = frozenset(
    {
        "fonttbl",
        "colortbl",
        "stylesheet",
        "info",
        "pict",
        "object",
        "header",
        "footer",
        "headerl",
        "headerr",
        "footerl",
        "footerr",
        "themedata",
        "colorschememapping",
        "latentstyles",
        "datastore",
        "xmlnstbl",
        "listtable",
        "listoverridetable",
        "rsidtbl",
        "generator",
        "filetbl",
        "revtbl",
        "fldinst",
        "mmathPr",
    }
)
_SYMBOLS = {
    "par": "\n",
    "line": "\n",
    "sect": "\n",
    "row": "\n",
    "tab": "\t",
    "cell": "\t",
    "emdash": "\u2014",
    "endash": "\u2013",
    "bullet": "\u2022",
    "lquote": "\u2018",
    "rquote": "\u2019",
    "ldblquote": "\u201c",
    "rdblquote": "\u201d",
    "emspace": "\u2003",
    "enspace": "\u2002",
}
_TOKEN = re.compile(
    rb"\\(?P<word>[a-zA-Z]+)(?P<param>-?\d+)? ?"
    rb"|\\'(?P<hex>[0-9a-fA-F]{2})"
    rb"|\\(?P<symbol>[^a-zA-Z])"
    rb"|(?P<brace>[{}])"
    rb"|(?P<text>[^\\{}\r\n]+)"
    rb"|[\r\n]+"
)


def rtf_to_text(rtf: bytes) -> str:
    """The visible text of an RTF document (HTML encapsulated in RTF included)."""
    codepage = "cp1252"
    skip = False
    uc = 1
    stack: list[tuple[bool, int]] = []
    pending = 0
    out: list[str] = []
    raw = bytearray()
    group_start = False

    def flush() -> None:
        if raw:
            out.append(raw.decode(codepage, errors="backslashreplace"))
            raw.clear()

    for token in _TOKEN.finditer(rtf):
        brace, word, hexa, symbol, chunk = (
            token["brace"],
            token["word"],
            token["hex"],
            token["symbol"],
            token["text"],
        )
        if brace == b"{":
            stack.append((skip, uc))
            group_start = True
            continue
        first_in_group, group_start = group_start, False
        if brace == b"}":
            flush()
            skip, uc = stack.pop() if stack else (skip, uc)
            continue
        if word is not None:
            name = word.decode("ascii")
            param = int(token["param"]) if token["param"] is not None else None
            if first_in_group and name in _SKIPPED_DESTINATIONS:
                skip = True
            elif name == "ansicpg" and param is not None:
                codepage = codepage_name(param)
            elif name == "uc" and param is not None:
                uc = param
            elif name == "htmlrtf":
                skip = param != 0
            elif name == "u" and param is not None and not skip:
                flush()
                out.append(chr(param + 0x10000 if param < 0 else param))
                pending = uc
            elif name in _SYMBOLS and not skip:
                flush()
                out.append(_SYMBOLS[name])
            continue
        if symbol is not None:
            if symbol == b"*" and first_in_group:
                skip = True
            elif skip:
                pass
            elif symbol in (b"\\", b"{", b"}"):
                raw.extend(symbol)
            elif symbol == b"~":
                flush()
                out.append("\u00a0")
            elif symbol in (b"\n", b"\r"):
                flush()
                out.append("\n")
            continue
        if skip:
            continue
        if hexa is not None:
            if pending:
                pending -= 1
                continue
            raw.append(int(hexa, 16))
            continue
        if chunk is not None:
            data = chunk
            if pending:
                drop = min(pending, len(data))
                data, pending = data[drop:], pending - drop
            raw.extend(data)
    flush()
    text = "".join(out)
    return re.sub(r"[ \t]+\n", "\n", text).strip()
