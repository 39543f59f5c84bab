"""Bytes to text without losing a letter.

SAP and desktop tools write UTF-8 (with or without BOM), UTF-16 with BOM (the
layout SAP recommends for files meant for Excel) and Windows-1252. A byte that
is invalid in the chosen encoding is never replaced or dropped silently: it is
kept as a lone surrogate (Python's ``surrogateescape``) and reported with its
byte offset and line, so the record that holds it can be rejected with its raw
bytes still visible.

How the encoding is chosen:

1. a byte-order mark decides (UTF-8, UTF-16 LE/BE);
2. without a BOM, NUL bytes on every other position mean UTF-16 without BOM;
3. text that is valid UTF-8 is UTF-8; text whose non-ASCII bytes are mostly
   valid UTF-8 sequences is UTF-8 with damaged bytes;
4. otherwise Windows-1252 (which also reads ISO-8859-1 letters correctly);
   its five undefined bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D) are damaged bytes.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DAMAGE = re.compile("[\udc80-\udcff]")
_NON_ASCII = re.compile("[^\x00-\x7f]")


class DecodingError(ValueError):
    """The bytes cannot be read as text in any supported encoding."""


@dataclass(frozen=True)
class DamagedByte:
    """A byte that is not valid in the file's encoding."""

    offset: int
    line: int
    byte: int

    def describe(self, encoding: str) -> str:
        return (
            f"byte 0x{self.byte:02X} at byte offset {self.offset} (line {self.line}) "
            f"is not valid {encoding_label(encoding)}"
        )


@dataclass(frozen=True)
class DecodedText:
    """Text of a file, its encoding, and every byte that could not be decoded."""

    text: str
    encoding: str
    damaged: tuple[DamagedByte, ...] = ()
    bom: bool = False
    note: str = ""

    @property
    def label(self) -> str:
        """The encoding as a reader sees it, with why it was chosen when not obvious."""
        label = encoding_label(self.encoding)
        return f"{label} ({self.note})" if self.note else label


def encoding_label(encoding: str) -> str:
    return {
        "utf-8": "UTF-8",
        "utf-8-sig": "UTF-8 (BOM)",
        "utf-16-le": "UTF-16 LE",
        "utf-16-be": "UTF-16 BE",
        "cp1252": "Windows-1252",
    }.get(encoding, encoding)


def has_damage(text: str) -> bool:
    """True when ``text`` holds a byte kept from a failed decode."""
    return _DAMAGE.search(text) is not None


def storable(text: str) -> str:
    """``text`` safe for any text column: damaged bytes and NUL written as ``\\xNN``."""
    return show_damage(text).replace("\x00", "\\x00")


def show_damage(text: str) -> str:
    """``text`` with each damaged byte written as ``\\xNN`` (for reasons and raw values)."""
    return _DAMAGE.sub(lambda m: f"\\x{ord(m[0]) - 0xDC00:02X}", text)


SCAN_CHUNK = 1 << 20
"""Bytes scanned per numpy pass: no file-sized temporary, and each pass stays in the cache."""


def byte_positions(data: bytes, predicate: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Offsets (ascending) of the bytes of ``data`` for which ``predicate`` holds.

    ``predicate`` maps a uint8 array to a boolean array of the same length.
    """
    view = np.frombuffer(data, dtype=np.uint8)
    found = [
        np.flatnonzero(predicate(view[start : start + SCAN_CHUNK])) + start
        for start in range(0, len(view), SCAN_CHUNK)
    ]
    return _joined(found, len(data))


def non_ascii_positions(data: bytes) -> np.ndarray:
    """Offsets (ascending) of every byte of ``data`` at or above 0x80."""
    return scan_bytes(data, line_feeds=False)[0]


SCAN_THREADS = 2
"""Threads that scan a large file; numpy compares without holding the GIL."""


def scan_bytes(data: bytes, *, line_feeds: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Offsets of the non-ASCII bytes and of the line feeds of ``data``, in one pass.

    Each chunk is compared twice while it is in the cache, so a large file is read from
    memory once for both; the chunks are shared out between threads.
    """
    view = np.frombuffer(data, dtype=np.uint8)
    check_high = not data.isascii()

    def scan(span: range) -> tuple[list[np.ndarray], list[np.ndarray]]:
        high: list[np.ndarray] = []
        feeds: list[np.ndarray] = []
        for start in span:
            chunk = view[start : start + SCAN_CHUNK]
            if check_high:
                high.append(np.flatnonzero(chunk >= 0x80) + start)
            if line_feeds:
                feeds.append(np.flatnonzero(chunk == ord("\n")) + start)
        return high, feeds

    starts = range(0, len(view), SCAN_CHUNK)
    share = max(1, -(-len(starts) // SCAN_THREADS))
    spans = [starts[i : i + share] for i in range(0, len(starts), share)]
    if len(spans) > 1:
        with ThreadPoolExecutor(SCAN_THREADS) as pool:
            found = list(pool.map(scan, spans))
    else:
        found = [scan(span) for span in spans]
    high = [h for part, _ in found for h in part]
    feeds = [f for _, part in found for f in part]
    return _joined(high, len(data)), _joined(feeds, len(data))


def offset_type(size: int) -> type[np.signedinteger]:
    """Four bytes an offset while they fit: a million positions cost 4 MB, not 8."""
    return np.int32 if size < np.iinfo(np.int32).max else np.int64


def _joined(parts: list[np.ndarray], size: int) -> np.ndarray:
    kind = offset_type(size)
    return np.concatenate(parts, dtype=kind) if parts else np.zeros(0, dtype=kind)


def _cp1252_undefined() -> np.ndarray:
    undefined = np.zeros(256, dtype=bool)
    for byte in range(0x80, 0x100):
        try:
            bytes([byte]).decode("cp1252")
        except UnicodeDecodeError:
            undefined[byte] = True
    return undefined


CP1252_UNDEFINED = _cp1252_undefined()
"""For each byte value, whether Windows-1252 leaves it undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D)."""


def _damage_offsets(
    data: bytes, encoding: str, start: int, high: np.ndarray | None = None
) -> list[int]:
    """Offsets of the bytes that do not decode in ``encoding``, from ``start`` on."""
    if encoding == "cp1252":
        # A single-byte code page fails byte by byte, so the undefined bytes are the damage.
        high = non_ascii_positions(data) if high is None else high
        high = high[high >= start]
        view = np.frombuffer(data, dtype=np.uint8)
        return high[CP1252_UNDEFINED[view[high]]].tolist()
    offsets: list[int] = []
    position = start
    while position < len(data):
        try:
            data[position:].decode(encoding)
            break
        except UnicodeDecodeError as error:
            offsets.extend(range(position + error.start, position + error.end))
            position += error.end
    return offsets


def _damaged_bytes(
    data: bytes, encoding: str, start: int, high: np.ndarray | None = None
) -> tuple[DamagedByte, ...]:
    """Locate undecodable bytes: offsets are in ``data`` (``start`` skips the BOM)."""
    found: list[DamagedByte] = []
    line, counted = 1, 0
    for offset in _damage_offsets(data, encoding, start, high):
        line += data.count(b"\n", counted, offset)
        counted = offset
        found.append(DamagedByte(offset=offset, line=line, byte=data[offset]))
    return tuple(found)


def utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.4 * half and even_nuls == 0:
        return "utf-16-le"
    if even_nuls > 0.4 * half and odd_nuls == 0:
        return "utf-16-be"
    return None


def _mostly_utf8(data: bytes, high: np.ndarray | None = None) -> bool:
    """Whether the valid UTF-8 sequences outnumber the bytes that are not valid UTF-8.

    Only the runs of non-ASCII bytes are decoded, joined by line breaks: an ASCII byte
    ends every UTF-8 sequence, so each run decodes as it would in place, and a large file
    needs no decoded copy.
    """
    high = non_ascii_positions(data) if high is None else high
    if not len(high):
        return False
    # A lone non-ASCII byte between ASCII bytes is never valid UTF-8 (Windows-1252 text
    # is mostly such bytes): it is counted, and only longer runs are decoded.
    gaps = np.diff(high)
    joined = np.concatenate([[False], gaps == 1]) | np.concatenate([gaps == 1, [False]])
    lone = len(high) - int(np.count_nonzero(joined))
    high = high[joined]
    if not len(high):
        return False
    view = np.frombuffer(data, dtype=np.uint8)
    new_run = np.flatnonzero(np.diff(high) > 1) + 1
    runs = np.insert(view[high], new_run, ord("\n")).tobytes()
    if high[-1] != len(data) - 1:
        runs += b"\n"  # the last run is followed by ASCII in the file, not by its end
    # Each undecodable byte becomes one character when escaped and none when ignored; the
    # characters left after ignoring are the letters plus the line breaks put in above.
    escaped_length = len(runs.decode("utf-8", errors="surrogateescape"))
    letters_and_breaks = len(runs.decode("utf-8", errors="ignore"))
    escaped = escaped_length - letters_and_breaks + lone
    multibyte = letters_and_breaks - runs.count(b"\n")
    return multibyte > escaped


def _first_invalid_utf8(data: bytes) -> int | None:
    """Offset of the first byte that is not valid UTF-8, ``None`` when all of it is."""
    if data.isascii():
        return None
    # Decoded piece by piece, cut after a line break (never inside a UTF-8 sequence): a
    # Windows-1252 file fails in its first piece, and no file-sized text is built.
    start, piece = 0, 1 << 16
    while start < len(data):
        end = data.find(b"\n", start + piece)
        end = len(data) if end < 0 else end + 1
        try:
            data[start:end].decode("utf-8")
        except UnicodeDecodeError as error:
            return start + error.start
        start, piece = end, min(piece * 4, 1 << 24)
    return None


@dataclass(frozen=True)
class EncodingChoice:
    """The encoding a file is read with, whether a BOM said so, and why when not obvious."""

    encoding: str
    bom: bool = False
    note: str = ""

    @property
    def label(self) -> str:
        label = encoding_label(self.encoding)
        return f"{label} ({self.note})" if self.note else label


def choose_encoding(data: bytes, high: np.ndarray | None = None) -> EncodingChoice:
    """The encoding of a whole file, chosen as the module docstring says, without decoding it.

    ``high`` may pass :func:`non_ascii_positions` of ``data`` when the caller has them.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return EncodingChoice(encoding, bom=True)
    utf16 = utf16_without_bom(data)
    if utf16 is not None:
        return EncodingChoice(utf16)
    invalid = _first_invalid_utf8(data)
    if invalid is None:
        return EncodingChoice("utf-8")
    if _mostly_utf8(data, high):
        return EncodingChoice(
            "utf-8", note="UTF-8 letters elsewhere, so damaged bytes, not another code page"
        )
    line = data.count(b"\n", 0, invalid) + 1
    return EncodingChoice(
        "cp1252",
        note=(
            f"not UTF-8: byte 0x{data[invalid]:02X} at byte offset {invalid} "
            f"(line {line}) is invalid there"
        ),
    )


def decode_bytes(data: bytes) -> DecodedText:
    """Decode a whole file; see the module docstring for how the encoding is chosen.

    Raises :class:`DecodingError` only for UTF-16 that is broken (odd length,
    lone surrogates), which cannot be read record by record.
    """
    choice = choose_encoding(data)
    return replace(_decode_as(data, choice.encoding, bom=choice.bom), note=choice.note)


def damaged_bytes(
    data: bytes, choice: EncodingChoice, high: np.ndarray | None = None
) -> tuple[DamagedByte, ...]:
    """Every byte of ``data`` that is invalid in the chosen encoding (none for UTF-16)."""
    if choice.encoding.startswith("utf-16"):
        return ()
    codec = "utf-8" if choice.encoding == "utf-8-sig" else choice.encoding
    start = len(codecs.BOM_UTF8) if choice.encoding == "utf-8-sig" else 0
    if codec == "utf-8" and _first_invalid_utf8(data[start:]) is None:
        return ()
    return _damaged_bytes(data, codec, start, high)


def _decode_as(data: bytes, encoding: str, *, bom: bool) -> DecodedText:
    if encoding.startswith("utf-16"):
        start = 2 if bom else 0
        try:
            text = data[start:].decode(encoding)
        except UnicodeDecodeError as error:
            offset = start + error.start
            line = data[start:offset].decode(encoding, errors="replace").count("\n") + 1
            raise DecodingError(
                f"bytes at byte offset {offset} (line {line}) are not valid "
                f"{encoding_label(encoding)} ({error.reason}); a UTF-16 file must have an "
                "even number of bytes and paired surrogates"
            ) from error
        return DecodedText(text=text, encoding=encoding, bom=bom)
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    start = len(codecs.BOM_UTF8) if encoding == "utf-8-sig" else 0
    text = data[start:].decode(codec, errors="surrogateescape")
    damaged = _damaged_bytes(data, codec, start) if has_damage(text) else ()
    return DecodedText(text=text, encoding=encoding, damaged=damaged, bom=bom)


def decode_with(data: bytes, charset: str) -> DecodedText:
    """Decode with a declared charset (an e-mail part's ``charset=``), damage kept visible.

    An unknown charset name falls back to :func:`decode_bytes`.
    """
    try:
        name = codecs.lookup(charset).name
    except LookupError:
        return decode_bytes(data)
    if name in ("utf-8", "cp1252") or name.startswith("utf-16"):
        return _decode_as(data, name, bom=False)
    text = data.decode(name, errors="surrogateescape")
    damaged = _damaged_bytes(data, name, 0) if has_damage(text) else ()
    return DecodedText(text=text, encoding=name, damaged=damaged)
