"""E-mails through parse_file: messages, attachments at any depth, order and forecast lines."""

from __future__ import annotations

import hashlib
from datetime import datetime

from pharma_pipelines.ingestion import ParsedFile, parse_file

from .builders import message, tnef, xlsx

ORDERS = b"order_id,material,qty_kg,due_date\r\nSO-7001,000000000000012345,500,2024-03-25\r\n"
BACKLOG = b"order_id,material,qty_kg,due_date\r\nSO-6801,000000000000000042,2000,2024-03-15\r\n"
FORECAST = b"week,material,forecast_kg\r\n2024-W12,000000000000012345,800\r\n"


def _forwarded() -> bytes:
    """BR-09 shape: a direct CSV, an rfc822 part, and an .eml file holding another rfc822."""
    top = message("Fwd: Forecast and orders", message_id="<top@example.com>")
    top.add_attachment(ORDERS, maintype="text", subtype="csv", filename="orders_direct.csv")
    forecast = message("Forecast KW12", message_id="<forecast@example.com>")
    forecast.add_attachment(FORECAST, maintype="text", subtype="csv", filename="forecast.csv")
    top.add_attachment(forecast)
    backlog = message("Backlog", message_id="<backlog@example.com>")
    backlog.add_attachment(BACKLOG, maintype="text", subtype="csv", filename="backlog.csv")
    open_orders = message("Open orders", message_id="<open@example.com>")
    open_orders.add_attachment(backlog)
    top.add_attachment(
        open_orders.as_bytes(),
        maintype="application",
        subtype="octet-stream",
        filename="Open orders.eml",
    )
    return top.as_bytes()


def _entities(parsed: ParsedFile) -> list[str]:
    return [e.entity for e in parsed.extracts]


def test_attachments_inside_attached_messages_br09() -> None:
    parsed = parse_file("outlook/fwd.eml", _forwarded())
    assert parsed.kind == "outlook/email"
    assert _entities(parsed) == [
        "outlook/messages",
        "outlook/attachments",
        "outlook/order_lines",
        "outlook/forecast_lines",
        "outlook/order_lines",
    ]
    assert [(a.container_path, a.file_name) for a in parsed.attachments] == [
        ("Fwd: Forecast and orders", "orders_direct.csv"),
        ("Fwd: Forecast and orders > Forecast KW12", "forecast.csv"),
        ("Fwd: Forecast and orders > Open orders.eml > Backlog", "backlog.csv"),
    ]
    assert {a.message_id for a in parsed.attachments} == {"<top@example.com>"}
    assert parsed.attachments[2].parent_message_id == "<backlog@example.com>"
    assert parsed.attachments[2].content == BACKLOG
    assert parsed.attachments[2].sha256 == hashlib.sha256(BACKLOG).hexdigest()
    messages = parsed.extracts[0]
    assert [r.values["container_path"] for r in messages.rows] == [
        "Fwd: Forecast and orders",
        "Fwd: Forecast and orders > Forecast KW12",
        "Fwd: Forecast and orders > Open orders.eml",
        "Fwd: Forecast and orders > Open orders.eml > Backlog",
    ]
    assert [r.values["parent_message_id"] for r in messages.rows] == [
        "",
        "<top@example.com>",
        "<top@example.com>",
        "<open@example.com>",
    ]
    backlog_lines = parsed.extracts[4]
    assert (
        backlog_lines.part == "Fwd: Forecast and orders > Open orders.eml > Backlog > backlog.csv"
    )
    [line] = backlog_lines.rows
    assert line.row_number == 2
    assert line.values["po_number"] == "SO-6801"
    assert line.values["material"] == "000000000000000042"
    assert line.values["attachment_sha256"] == hashlib.sha256(BACKLOG).hexdigest()
    assert backlog_lines.header_map["quantity"] == "qty_kg"
    forecast_lines = parsed.extracts[3]
    assert forecast_lines.rows[0].values["period"] == "2024-W12"


def test_file_name_only_in_content_type() -> None:
    raw = (
        b"From: a@example.com\r\nTo: b@example.com\r\nSubject: Daily data\r\n"
        b"Message-ID: <daily@example.com>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
        b"--b1\r\nContent-Type: text/plain\r\n\r\nsee file\r\n"
        b'--b1\r\nContent-Type: application/octet-stream; name="D09.ZPH.txt"\r\n\r\n123\r\n'
        b"--b1--\r\n"
    )
    parsed = parse_file("inbox/daily.eml", raw)
    [attachment] = parsed.attachments
    assert (attachment.file_name, attachment.name_source) == ("D09.ZPH.txt", "content-type")
    assert attachment.content_type == "text/plain"
    messages = parsed.extracts[0]
    assert messages.rows[0].values["body_text"].strip() == "see file"
    assert messages.rows[0].values["sent_at"] == ""
    assert any("no Date header" in n for n in parsed.notes)


def test_winmail_dat_holds_the_order_file_and_the_body_br11() -> None:
    csv = (
        "PO;Item;Material;Quantity;Unit;Requested date\r\n"
        "4500001234;10;0001;1.200;KG;2024-03-28\r\n"
    )
    blob = tnef(
        subject="PO 4500001234",
        rtf_body=b"{\\rtf1\\ansi please confirm 2024-03-28\\par Quantity changed to 1.200 kg.}",
        attachments=[("PO45000~1.CSV", "PO_4500001234_changes.csv", csv.encode("cp1252"))],
    )
    mail = message("PO 4500001234", body="\n", message_id="<rich@example.com>")
    mail.add_attachment(blob, maintype="application", subtype="ms-tnef", filename="winmail.dat")
    parsed = parse_file("outlook/rich.eml", mail.as_bytes())
    [attachment] = parsed.attachments
    assert attachment.file_name == "PO_4500001234_changes.csv"
    assert attachment.container_path == "PO 4500001234 > winmail.dat"
    body = parsed.extracts[0].rows[0].values
    assert body["body_source"] == "winmail.dat rtf"
    assert "Quantity changed to 1.200 kg." in body["body_text"]
    lines = parsed.extract("outlook/order_lines")
    assert lines is not None
    assert [r.values["quantity"] for r in lines.rows] == ["1.200"]
    assert lines.layout == "csv sep=';' decimal=',' (decimal assumed)"


def test_undecodable_winmail_dat_flags_the_message_for_a_person() -> None:
    mail = message("Broken rich text", message_id="<broken@example.com>")
    mail.add_attachment(
        b"\x78\x9f\x3e\x22\x01\x00\x01\x04\x80",
        maintype="application",
        subtype="ms-tnef",
        filename="winmail.dat",
    )
    parsed = parse_file("outlook/broken.eml", mail.as_bytes())
    messages = parsed.extracts[0]
    assert messages.rows == []
    [reject] = messages.rejects
    assert "winmail.dat (TNEF) cannot be decoded" in reject.reason
    assert "a person must open the message" in reject.reason
    assert [a.file_name for a in parsed.attachments] == ["winmail.dat"]


def test_xlsx_order_lines_from_an_attachment() -> None:
    workbook = xlsx(
        [
            ["Customer", "PO Number", "Item", "Material", "Quantity", "Unit", "Requested Date"],
            ["ACME", 4500001234, 10, "000000000000012345", 1200.5, "KG", datetime(2024, 3, 28)],
            ["ACME", 4500001234, 20, "000000000000067890", "lots", "KG", datetime(2024, 4, 4)],
        ],
        blank_rows=2,
    )
    mail = message("Orders as Excel", message_id="<xlsx@example.com>")
    mail.add_attachment(
        workbook,
        maintype="application",
        subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename="orders.xlsx",
    )
    parsed = parse_file("outlook/xlsx.eml", mail.as_bytes())
    lines = parsed.extract("outlook/order_lines")
    assert lines is not None
    assert lines.part == "Orders as Excel > orders.xlsx > Orders"
    [row] = lines.rows
    assert row.row_number == 4
    assert row.values["quantity"] == "1200.5"
    assert row.values["requested_date"] == "2024-03-28"
    assert row.values["po_number"] == "4500001234"
    [reject] = lines.rejects
    assert (reject.row_number, reject.column, reject.raw_value) == (5, "Quantity", "lots")


def test_csv_attachment_that_is_no_order_list_is_a_note() -> None:
    mail = message("Scores", message_id="<scores@example.com>")
    mail.add_attachment(
        b'"Year", "Score"\n2020, 5\n', maintype="text", subtype="plain", filename="test.csv"
    )
    parsed = parse_file("outlook/scores.eml", mail.as_bytes())
    assert parsed.extract("outlook/order_lines") is None
    assert [a.file_name for a in parsed.attachments] == ["test.csv"]
    assert any(
        "'test.csv'" in n and "not read as order or forecast lines" in n for n in parsed.notes
    )


def test_message_without_message_id_gets_a_stable_generated_id() -> None:
    data = message("No id").as_bytes()
    first = parse_file("a.eml", data).extracts[0].rows[0].values["message_id"]
    second = parse_file("b.eml", data).extracts[0].rows[0].values["message_id"]
    assert first == second
    assert first.startswith("generated:")
    assert first.endswith(":1")


def test_base64_rfc822_part_without_headers_is_kept_as_a_file() -> None:
    raw = (
        b"From: a@example.com\r\nSubject: odd\r\nDate: Fri, 7 Feb 2025 09:44:18 +0000\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nbody\r\n"
        b"--b\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n"
        b"Content-Disposition: attachment\r\n\r\nQXR0YWNobWVudCBDb250ZW50\r\n--b--\r\n"
    )
    parsed = parse_file("odd.eml", raw)
    [attachment] = parsed.attachments
    assert attachment.content == b"Attachment Content"
    assert attachment.name_source == "generated"
    assert attachment.file_name == "attachment-1.eml"
    assert any("does not hold a message" in n for n in parsed.notes)
