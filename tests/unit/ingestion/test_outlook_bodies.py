"""Message bodies and 8-bit text: plain, HTML-only and RTF-only, in MIME, MSG and TNEF.

Each case checks the decoded text itself (Russian, Japanese, German), so a
decoder that falls back to Latin-1 or drops the body fails.
"""

from __future__ import annotations

import base64

import pytest

from pharma_pipelines.ingestion import parse_file

from .builders import compress_rtf, message, tnef
from .msg_builder import MsgMessage, msg_file

HEAD = (
    b"From: Planning <planning@customer.example.com>\r\nTo: supply@plant.example.org\r\n"
    b"Date: Mon, 18 Mar 2024 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
)


def _first_message(data: bytes, name: str = "outlook/mail.eml") -> dict[str, str]:
    parsed = parse_file(name, data)
    assert parsed.quarantine_reason is None, parsed.quarantine_reason
    messages = parsed.extract("outlook/messages")
    assert messages is not None
    assert messages.rejects == []
    return messages.rows[0].values


def test_a_single_part_plain_message_keeps_its_body() -> None:
    data = HEAD + b"Subject: Order\r\nContent-Type: text/plain\r\n\r\nPlease deliver 500 kg.\r\n"
    values = _first_message(data)
    assert (values["body_source"], values["body_text"].strip()) == (
        "text/plain",
        "Please deliver 500 kg.",
    )


def test_a_single_part_html_message_is_read_as_text() -> None:
    data = (
        HEAD + b"Subject: html\r\nContent-Type: text/html; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        b"<html><head><style>p{}</style></head><body><p>Gr=FC=DFe aus M=FCnchen</p>"
        b"<script>alert(1)</script></body></html>\r\n"
    )
    values = _first_message(data)
    assert (values["body_source"], values["body_text"]) == ("text/html", "Grüße aus München")


def test_html_only_alternative_part_is_the_body() -> None:
    mail = message("HTML only")
    mail.set_content("<p>Menge: <b>1.200&nbsp;kg</b></p>", subtype="html")
    mail.add_attachment(b"x", maintype="application", subtype="pdf", filename="spec.pdf")
    values = _first_message(mail.as_bytes())
    assert (values["body_source"], values["body_text"]) == ("text/html", "Menge: 1.200 kg")


@pytest.mark.parametrize(
    ("charset", "subject_word", "text"),
    [
        ("iso-8859-1", b"=?ISO-8859-1?Q?Bestellung_M=FCller?=", "Menge für Köln: 5 t"),
        (
            "windows-1251",
            b"=?windows-1251?B?" + base64.b64encode("Заказ".encode("cp1251")) + b"?=",
            "Заказ №5 на 500 кг",
        ),
        (
            "shift_jis",
            b"=?ISO-2022-JP?B?" + base64.b64encode("注文書".encode("iso2022_jp")) + b"?=",
            "注文書① 500kg",
        ),
    ],
)
def test_8bit_bodies_and_encoded_subjects_decode_in_their_charset(
    charset: str, subject_word: bytes, text: str
) -> None:
    encoding = {"iso-8859-1": "latin-1", "windows-1251": "cp1251", "shift_jis": "cp932"}[charset]
    data = (
        HEAD + b"Subject: " + subject_word + b"\r\n"
        b"Content-Type: text/plain; charset=" + charset.encode() + b"\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" + text.encode(encoding) + b"\r\n"
    )
    values = _first_message(data)
    assert values["body_text"].strip() == text
    assert values["subject"] in ("Bestellung Müller", "Заказ", "注文書")
    assert "\\x" not in values["body_text"]


def test_msg_plain_body_in_unicode() -> None:
    values = _first_message(
        msg_file(MsgMessage(subject="Auftrag Köln", body="Menge 1.200 kg\r\n")), "o/a.msg"
    )
    assert (values["subject"], values["body_source"], values["body_text"]) == (
        "Auftrag Köln",
        "PR_BODY",
        "Menge 1.200 kg\r\n",
    )
    assert values["message_format"] == "msg"


@pytest.mark.parametrize(
    ("codepage", "locale", "encoding", "subject"),
    [
        (1251, None, "cp1251", "Заказ материалов"),
        (None, 1049, "cp1251", "Заказ материалов"),
        (932, None, "cp932", "日本語の注文"),
        (28591, None, "latin-1", "Bestellung für Köln"),
        (1252, None, "cp1252", "Bestellung für Köln – €"),
    ],
)
def test_msg_8bit_strings_use_the_message_code_page(
    codepage: int | None, locale: int | None, encoding: str, subject: str
) -> None:
    data = msg_file(
        MsgMessage(
            subject=subject,
            body=f"{subject}\r\n",
            strings8=encoding,
            codepage=codepage,
            locale=locale,
        )
    )
    assert subject.encode(encoding) in data
    values = _first_message(data, "o/a.msg")
    assert values["subject"] == subject
    assert values["body_text"] == f"{subject}\r\n"


def test_msg_html_only_body_uses_its_internet_code_page() -> None:
    html = "<html><body><p>Заказ на 500&nbsp;кг</p></body></html>".encode("koi8-r")
    values = _first_message(
        msg_file(MsgMessage(subject="html", html=html, internet_codepage=20866)), "o/a.msg"
    )
    assert (values["body_source"], values["body_text"]) == ("PR_HTML", "Заказ на 500 кг")


def test_msg_rtf_only_body_is_decompressed_and_read() -> None:
    rtf = (
        b"{\\rtf1\\ansi\\ansicpg1251{\\fonttbl{\\f0 Arial;}}"
        b"\\'c7\\'e0\\'ea\\'e0\\'e7: 1.200 kg\\par Liefertermin 2024-03-28}"
    )
    values = _first_message(
        msg_file(MsgMessage(subject="rtf", rtf_compressed=compress_rtf(rtf))), "o/a.msg"
    )
    assert values["body_source"] == "PR_RTF_COMPRESSED"
    assert values["body_text"] == "Заказ: 1.200 kg\nLiefertermin 2024-03-28"


def test_tnef_rtf_only_body_in_a_bare_winmail_dat() -> None:
    blob = tnef(
        subject="Заказ",
        rtf_body=b"{\\rtf1\\ansi\\ansicpg1251 \\'c7\\'e0\\'ea\\'e0\\'e7 500 kg}",
        attachments=[],
        codepage=1251,
    )
    values = _first_message(blob, "outlook/winmail.dat")
    assert (values["subject"], values["body_text"], values["message_format"]) == (
        "Заказ",
        "Заказ 500 kg",
        "tnef",
    )
