"""Outlook containers below the mailbox: compressed RTF, RTF text, TNEF."""

from __future__ import annotations

import struct

import pytest

from pharma_pipelines.ingestion.outlook.mail import Mail, MailFile
from pharma_pipelines.ingestion.outlook.reading import open_attached_containers
from pharma_pipelines.ingestion.outlook.rtf import RtfError, decompress_rtf, rtf_to_text
from pharma_pipelines.ingestion.outlook.tnef import TnefError, read_tnef

from .builders import compress_rtf, message, tnef

RTF = (
    b"{\\rtf1\\ansi\\ansicpg1252{\\fonttbl{\\f0 Arial;}}{\\*\\generator Test;}"
    b"Dear planning,\\par Quantity changed to 1.200 kg.\\par Gr\\'fc\\'dfe \\u8364?\\tab end}"
)


def test_lzfu_round_trip_with_a_preamble_reference() -> None:
    assert decompress_rtf(compress_rtf(RTF)) == RTF


def test_lzfu_crc_mismatch_is_refused() -> None:
    broken = bytearray(compress_rtf(RTF))
    broken[-3] ^= 0xFF
    with pytest.raises(RtfError, match="CRC"):
        decompress_rtf(bytes(broken))


def test_uncompressed_mela_rtf() -> None:
    data = struct.pack("<IIII", len(RTF) + 12, len(RTF), 0x414C454D, 0) + RTF
    assert decompress_rtf(data) == RTF


def test_rtf_to_text_skips_destinations_and_decodes_escapes() -> None:
    assert rtf_to_text(RTF) == "Dear planning,\nQuantity changed to 1.200 kg.\nGrüße €\tend"


def test_rtf_with_encapsulated_html_keeps_only_text() -> None:
    rtf = (
        b"{\\rtf1\\ansi\\fromhtml1{\\*\\htmltag64 <p>}\\htmlrtf {\\htmlrtf0 Hello }"
        b"{\\*\\htmltag72 </p>}\\htmlrtf \\par \\htmlrtf0 world}"
    )
    assert rtf_to_text(rtf) == "Hello world"


def test_tnef_gives_long_file_name_and_rtf_body_br11() -> None:
    csv = (
        b"PO;Item;Material;Quantity;Unit;Requested date\r\n"
        b"4500001234;10;0001;1200;KG;2024-03-28\r\n"
    )
    blob = tnef(
        subject="PO 4500001234 delivery date",
        rtf_body=RTF,
        attachments=[("PO45000~1.CSV", "PO_4500001234_changes.csv", csv)],
    )
    message = read_tnef(blob)
    assert message.subject == "PO 4500001234 delivery date"
    assert message.message_class == "IPM.Microsoft Mail.Note"
    assert "Quantity changed to 1.200 kg." in message.body_text
    [attachment] = message.attachments
    assert attachment.file_name == ("PO_4500001234_changes.csv", "tnef-long-name")
    assert attachment.title == "PO45000~1.CSV"
    assert attachment.data == csv


def test_tnef_honours_its_oem_code_page() -> None:
    message = read_tnef(tnef(subject="Заказ", rtf_body=None, attachments=[], codepage=1251))
    assert message.subject == "Заказ"


@pytest.mark.parametrize(
    ("blob", "fragment"),
    [
        (b"not tnef at all", "signature"),
        (tnef(subject="x", rtf_body=None, attachments=[])[:-3], "claims"),
    ],
)
def test_broken_tnef_says_where(blob: bytes, fragment: str) -> None:
    with pytest.raises(TnefError, match=fragment):
        read_tnef(blob)


def test_tnef_checksum_is_verified() -> None:
    blob = bytearray(tnef(subject="checksum", rtf_body=None, attachments=[]))
    blob[-4] ^= 0x01
    with pytest.raises(TnefError, match="checksum"):
        read_tnef(bytes(blob))


def test_mail_files_inside_an_msg_become_attached_messages() -> None:
    forwarded = message("Forwarded as file", message_id="<fwd@example.com>")
    forwarded.add_attachment(b"a;b\n", maintype="text", subtype="csv", filename="inner.csv")
    blob = tnef(
        subject="rich", rtf_body=b"{\\rtf1\\ansi rich body}", attachments=[("A.CSV", "a.csv", b"x")]
    )
    mail = Mail(message_format="msg", subject="Outer")
    mail.files = [
        MailFile(
            "Forwarded.eml", "msg-long-name", "application/octet-stream", forwarded.as_bytes()
        ),
        MailFile("winmail.dat", "msg-long-name", "application/ms-tnef", blob),
        MailFile("report.pdf", "msg-long-name", "application/pdf", b"%PDF"),
    ]
    open_attached_containers(mail, 0)
    assert [f.file_name for f in mail.files] == ["a.csv", "report.pdf"]
    assert mail.files[0].via == "winmail.dat"
    assert mail.body_text == "rich body"
    [attached] = mail.attached
    assert attached.label == "Forwarded.eml"
    assert attached.mail.message_id == "<fwd@example.com>"
    assert [f.file_name for f in attached.mail.files] == ["inner.csv"]
