"""Encodings: BOMs, UTF-16, Windows-1252, and damaged bytes located, never dropped."""

from __future__ import annotations

import codecs
import random

import pytest

from pharma_pipelines.ingestion.encoding import (
    DecodingError,
    EncodingChoice,
    _mostly_utf8,
    choose_encoding,
    damaged_bytes,
    decode_bytes,
    decode_with,
    has_damage,
    show_damage,
)

TEXT = "Material;Text\r\n0001;Lösung 2–8 °C, µm €\r\n"


def test_utf8_without_bom() -> None:
    decoded = decode_bytes(TEXT.encode("utf-8"))
    assert (decoded.encoding, decoded.text, decoded.bom) == ("utf-8", TEXT, False)


def test_utf8_bom_is_not_part_of_the_first_header() -> None:
    decoded = decode_bytes(codecs.BOM_UTF8 + TEXT.encode("utf-8"))
    assert decoded.encoding == "utf-8-sig"
    assert decoded.text.startswith("Material;")


@pytest.mark.parametrize(
    ("codec", "bom"), [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE)]
)
def test_utf16_with_bom(codec: str, bom: bytes) -> None:
    decoded = decode_bytes(bom + TEXT.encode(codec))
    assert decoded.encoding == codec
    assert decoded.text == TEXT
    assert decoded.bom


def test_utf16_without_bom_is_recognised_by_its_nul_pattern() -> None:
    decoded = decode_bytes(TEXT.encode("utf-16-le"))
    assert decoded.encoding == "utf-16-le"
    assert decoded.text == TEXT


def test_broken_utf16_is_an_error_with_offset() -> None:
    with pytest.raises(DecodingError, match="byte offset"):
        decode_bytes(codecs.BOM_UTF16_LE + "ab".encode("utf-16-le") + b"\x00\xd8")


def test_windows_1252_is_not_read_as_latin1() -> None:
    decoded = decode_bytes("Füllmenge 5 µl – geprüft; Größe „XL“; 12,50 €".encode("cp1252"))
    assert decoded.encoding == "cp1252"
    assert decoded.text == "Füllmenge 5 µl – geprüft; Größe „XL“; 12,50 €"
    assert "not UTF-8" in decoded.label
    assert not decoded.damaged


def test_undefined_windows_1252_byte_is_located_not_replaced() -> None:
    data = "a;b\r\nx;Z".encode("cp1252") + b"\x81" + "hlung\r\n".encode("cp1252")
    decoded = decode_bytes(data)
    assert decoded.encoding == "cp1252"
    [damage] = decoded.damaged
    assert (damage.offset, damage.line, damage.byte) == (8, 2, 0x81)
    assert "Zhlung" not in decoded.text
    assert "\ufffd" not in decoded.text
    assert show_damage(decoded.text.splitlines()[1]) == "x;Z\\x81hlung"
    assert (
        damage.describe(decoded.encoding)
        == "byte 0x81 at byte offset 8 (line 2) is not valid Windows-1252"
    )


def test_mostly_utf8_with_one_bad_byte_stays_utf8() -> None:
    data = "Lösung;Größe\n".encode() + b"bad \x80 byte\n" + "Grüße\n".encode()
    decoded = decode_bytes(data)
    assert decoded.encoding == "utf-8"
    assert decoded.text.startswith("Lösung")
    assert [(d.line, d.byte) for d in decoded.damaged] == [(2, 0x80)]
    assert has_damage(decoded.text)


def test_declared_charset_with_damage_shown() -> None:
    decoded = decode_with(b"caf\xe9 \xff", "utf-8")
    assert show_damage(decoded.text) == "caf\\xE9 \\xFF"
    assert len(decoded.damaged) == 2


def test_unknown_declared_charset_falls_back_to_detection() -> None:
    assert decode_with("Grüße".encode(), "x-unknown-charset").text == "Grüße"


def _decoded_counts(data: bytes) -> tuple[int, int]:
    """(valid multibyte letters, undecodable bytes) of ``data`` read as UTF-8, the slow way."""
    text = data.decode("utf-8", errors="surrogateescape")
    escaped = sum(1 for ch in text if "\udc80" <= ch <= "\udcff")
    return sum(1 for ch in text if ord(ch) > 0x7F) - escaped, escaped


def test_mostly_utf8_decides_as_a_whole_decode_would() -> None:
    # Random mixes of ASCII, UTF-8 letters, cut sequences and Windows-1252 bytes, also at
    # both ends of the data, where a cut sequence decodes differently.
    rng = random.Random(5)
    pieces = [b"a", b";", b"\n", "ü".encode(), "€".encode(), "𝄞".encode(), b"\xe2\x82", b"\xfc"]
    pieces += [b"\x81", b"\xc3", b"\xa4", b"\xf0\x9d"]
    for _ in range(2000):
        data = b"".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        multibyte, escaped = _decoded_counts(data)
        assert _mostly_utf8(data) is (multibyte > escaped), data


def test_windows_1252_damage_is_found_byte_by_byte() -> None:
    rng = random.Random(9)
    for _ in range(300):
        data = bytes(
            rng.choice((0x41, 0x0A, 0x81, 0x8D, 0x8F, 0x90, 0x9D, 0xE4, 0x80)) for _ in range(20)
        )
        slow = [
            i
            for i, byte in enumerate(data)
            if bytes([byte]).decode("cp1252", "replace") == "\ufffd"
        ]
        found = damaged_bytes(data, EncodingChoice("cp1252"))
        assert [d.offset for d in found] == slow
        assert [d.line for d in found] == [data.count(b"\n", 0, i) + 1 for i in slow]


def test_choose_encoding_agrees_with_decode_bytes() -> None:
    samples = [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        TEXT.encode("cp1252"),
        "Lösung;Größe\n".encode() + b"bad \x80 byte\n",
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
    ]
    for data in samples:
        choice = choose_encoding(data)
        decoded = decode_bytes(data)
        assert (choice.encoding, choice.bom, choice.label) == (
            decoded.encoding,
            decoded.bom,
            decoded.label,
        )
        assert damaged_bytes(data, choice) == decoded.damaged
