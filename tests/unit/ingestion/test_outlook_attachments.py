"""Attachments: where they are found, how they are named, what is refused, what repeats.

Inputs are crafted here (MIME with the standard library, MSG with ``msg_builder``,
zip streams by hand) and kept small: a bomb is a few kilobytes that claim or
inflate to far more than a limit.
"""

from __future__ import annotations

import gzip
import io
import struct
import tracemalloc
import zipfile
import zlib

import pytest

from pharma_pipelines.ingestion import ParsedFile, ReadLimits, parse_file
from pharma_pipelines.ingestion.outlook.names import MAX_NAME_BYTES, safe_file_name

from .builders import message, tnef, xlsx
from .msg_builder import MsgAttachment, MsgMessage, msg_file

ORDERS = (
    b"PO Number;Item;Material;Quantity;Unit;Requested Date\r\n"
    b"4711;10;000000000000012345;500;KG;2024-03-25\r\n"
)
FORECAST = b"week,material,forecast_kg\r\n2024-W12,000000000000012345,800\r\n"


def _lines(parsed: ParsedFile, entity: str = "outlook/order_lines") -> list[dict[str, str]]:
    return [r.values for e in parsed.extracts if e.entity == entity for r in e.rows]


def _rejected_messages(parsed: ParsedFile) -> list[str]:
    messages = parsed.extract("outlook/messages")
    assert messages is not None
    return [r.reason for r in messages.rejects]


# --- requirement 2: tables found at any depth, names decoded ---------------------------


def test_xlsx_forecast_and_csv_orders_in_one_mail() -> None:
    mail = message("Forecast and orders", message_id="<both@example.com>")
    mail.add_attachment(ORDERS, maintype="text", subtype="csv", filename="orders.csv")
    mail.add_attachment(
        xlsx([["Material", "Week", "Forecast"], ["000000000000067890", "2024-W14", 250]]),
        maintype="application",
        subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename="forecast.xlsx",
    )
    parsed = parse_file("outlook/both.eml", mail.as_bytes())
    assert [(v["po_number"], v["quantity"]) for v in _lines(parsed)] == [("4711", "500")]
    [forecast] = _lines(parsed, "outlook/forecast_lines")
    assert (forecast["material"], forecast["period"], forecast["quantity"]) == (
        "000000000000067890",
        "2024-W14",
        "250",
    )
    assert forecast["attachment"] == "forecast.xlsx"


def test_csv_inside_an_msg_embedded_in_an_msg_embedded_in_an_msg() -> None:
    deepest = MsgMessage(
        subject="Original order",
        message_id="<original@example.com>",
        body="see attached",
        attachments=[MsgAttachment("orders.csv", ORDERS, "text/csv")],
    )
    middle = MsgMessage(subject="FW: order", body="fyi", attachments=[("Original order", deepest)])
    top = MsgMessage(
        subject="FW: FW: order", message_id="<top@example.com>", attachments=[("FW", middle)]
    )
    parsed = parse_file("outlook/chain.msg", msg_file(top))
    [line] = _lines(parsed)
    assert line["message_id"] == "<original@example.com>"
    assert line["outer_message_id"] == "<top@example.com>"
    assert line["container_path"] == "FW: FW: order > FW > Original order"
    messages = parsed.extract("outlook/messages")
    assert messages is not None
    assert [r.values["parent_message_id"] for r in messages.rows][2] == messages.rows[1].values[
        "message_id"
    ]


def test_eml_attached_to_an_msg_and_winmail_dat_inside_an_msg() -> None:
    forwarded = message("Order as eml", message_id="<eml@example.com>")
    forwarded.add_attachment(ORDERS, maintype="text", subtype="csv", filename="from-eml.csv")
    blob = tnef(
        subject="rich",
        rtf_body=b"{\\rtf1\\ansi rich body}",
        attachments=[("FCST~1.CSV", "forecast.csv", FORECAST)],
    )
    top = MsgMessage(
        subject="Two containers",
        attachments=[
            MsgAttachment("Order as eml.eml", forwarded.as_bytes()),
            MsgAttachment("winmail.dat", blob, "application/ms-tnef"),
        ],
    )
    parsed = parse_file("outlook/containers.msg", msg_file(top))
    assert [a.container_path + " > " + a.file_name for a in parsed.attachments] == [
        "Two containers > winmail.dat > forecast.csv",
        "Two containers > Order as eml.eml > from-eml.csv",
    ]
    assert [v["message_id"] for v in _lines(parsed)] == ["<eml@example.com>"]
    assert [v["material"] for v in _lines(parsed, "outlook/forecast_lines")] == [
        "000000000000012345"
    ]


def test_an_msg_attached_to_an_eml_is_opened_with_its_files() -> None:
    inner = MsgMessage(
        subject="Bestellung",
        message_id="<msg@example.com>",
        attachments=[MsgAttachment("orders.csv", ORDERS, "text/csv")],
    )
    mail = message("FW: Bestellung", message_id="<fw@example.com>")
    mail.add_attachment(
        msg_file(inner), maintype="application", subtype="vnd.ms-outlook", filename="Bestellung.msg"
    )
    parsed = parse_file("outlook/fw.eml", mail.as_bytes())
    [attachment] = parsed.attachments
    assert attachment.container_path == "FW: Bestellung > Bestellung.msg"
    [line] = _lines(parsed)
    assert (line["message_id"], line["outer_message_id"]) == (
        "<msg@example.com>",
        "<fw@example.com>",
    )


def _with_disposition(disposition: bytes) -> bytes:
    return (
        b"From: a@example.com\r\nTo: b@example.com\r\nSubject: names\r\n"
        b"Date: Mon, 18 Mar 2024 10:00:00 +0000\r\nMessage-ID: <names@example.com>\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n'
        b"--b1\r\nContent-Type: text/plain\r\n\r\nsee file\r\n"
        b"--b1\r\nContent-Type: text/csv\r\nContent-Disposition: attachment; "
        + disposition
        + b"\r\n\r\n"
        + ORDERS
        + b"--b1--\r\n"
    )


@pytest.mark.parametrize(
    ("disposition", "name"),
    [
        (b"filename*=UTF-8''Bestellung%20M%C3%BCller%20%E2%82%AC.csv", "Bestellung Müller €.csv"),
        (b"filename*=iso-8859-1'de'Bestellung%20M%FCller.csv", "Bestellung Müller.csv"),
        (
            b"\r\n filename*0*=UTF-8''Bestellung%20;\r\n filename*1*=M%C3%BCller;"
            b'\r\n filename*2=".csv"',
            "Bestellung Müller.csv",
        ),
        (b'filename="=?UTF-8?B?QmVzdGVsbHVuZyBNw7xsbGVyLmNzdg==?="', "Bestellung Müller.csv"),
        (b'filename="=?ISO-8859-1?Q?Bestellung_M=FCller.csv?="', "Bestellung Müller.csv"),
        (b"filename==?ISO-8859-1?Q?Bestellung_M=FCller.csv?=", "Bestellung Müller.csv"),
        (
            b'filename="=?UTF-8?B?QmVzdGVsbHVu?= =?UTF-8?B?ZyBNw7xsbGVyLmNzdg==?="',
            "Bestellung Müller.csv",
        ),
    ],
)
def test_encoded_attachment_names_are_decoded(disposition: bytes, name: str) -> None:
    parsed = parse_file("outlook/names.eml", _with_disposition(disposition))
    [attachment] = parsed.attachments
    assert (attachment.file_name, attachment.name_source) == (name, "content-disposition")
    [line] = _lines(parsed)
    assert line["attachment"] == name


# --- requirement 3: names are never paths ----------------------------------------------


@pytest.mark.parametrize(
    ("sent", "safe"),
    [
        ("../../etc/cron.d/orders.csv", "orders.csv"),
        ("..\\..\\Windows\\orders.csv", "orders.csv"),
        ("/etc/passwd", "passwd"),
        ("C:\\x", "x"),
        ("C:orders.csv", "C_orders.csv"),
        ("\\\\server\\share\\orders.csv", "orders.csv"),
        ("orders\x00.csv", "orders_.csv"),
        ("ord\x07ers\r\n.csv", "ord_ers__.csv"),
        ("invoice\u202efdp.exe", "invoice_fdp.exe"),
        ("CON", "_CON"),
        ("con.csv", "_con.csv"),
        ("PRN.txt", "_PRN.txt"),
        ("AUX", "_AUX"),
        ("NUL.tar.gz", "_NUL.tar.gz"),
        ("COM1.csv", "_COM1.csv"),
        ("LPT1", "_LPT1"),
        ("orders.csv. . .", "orders.csv"),
        ("orders.csv   ", "orders.csv"),
        ("..", "attachment-1.csv"),
        ("../", "attachment-1.csv"),
        ("a<b>c:d|e?f*g.csv", "a_b_c_d_e_f_g.csv"),
        ("Bestellung Müller.csv", "Bestellung Müller.csv"),
    ],
)
def test_unsafe_names_become_one_plain_file_name(sent: str, safe: str) -> None:
    name, changes = safe_file_name(sent, "attachment-1.csv")
    assert name == safe
    assert bool(changes) == (sent != safe)
    assert not {"/", "\\", "\x00"} & set(name)


def test_an_overlong_name_keeps_its_extension_within_255_bytes() -> None:
    name, changes = safe_file_name("ü" * 300 + ".csv", "x")
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES
    assert name.endswith("ü.csv")
    assert changes == [f"shortened to {MAX_NAME_BYTES} bytes"]


def test_an_unsafe_name_in_a_mail_is_stored_safe_with_the_original_beside_it() -> None:
    parsed = parse_file("outlook/evil.eml", _with_disposition(b'filename="..\\\\..\\\\CON.csv. "'))
    [attachment] = parsed.attachments
    assert attachment.file_name == "_CON.csv"
    assert attachment.name_as_sent == "..\\..\\CON.csv."
    rows = parsed.extract("outlook/attachments")
    assert rows is not None
    assert rows.rows[0].values["name_as_sent"] == "..\\..\\CON.csv."
    assert any("is not a safe file name" in n and "'_CON.csv'" in n for n in parsed.notes)
    assert _lines(parsed)[0]["attachment"] == "_CON.csv"


# --- requirement 4: limits -------------------------------------------------------------


def _zeros_deflated(size: int) -> tuple[bytes, int]:
    """A raw deflate stream of ``size`` zero bytes (about 1 KB per MB) and their CRC-32."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b"\x00" * (1 << 20)
    out = bytearray()
    crc = 0
    for _ in range(size >> 20):
        out += packer.compress(chunk)
        crc = zlib.crc32(chunk, crc)
    return bytes(out + packer.flush()), crc


def _with_bomb(archive: bytes, name: str, inflated: int, declared: int | None = None) -> bytes:
    """``archive`` plus a member of zeros that inflates to ``inflated`` bytes.

    The deflate stream is stored as it is, then both headers of the member are
    patched to say "deflated, CRC and size of the zeros" (or a ``declared`` size).
    """
    stream, crc = _zeros_deflated(inflated)
    buffer = io.BytesIO(archive)
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_STORED) as target:
        target.writestr(name, stream)
    patched = bytearray(buffer.getvalue())
    encoded = name.encode()
    for signature, name_at, method_at in ((b"PK\x03\x04", 30, 8), (b"PK\x01\x02", 46, 10)):
        found = patched.find(signature)
        while found >= 0:
            if patched[found + name_at : found + name_at + len(encoded)] == encoded:
                struct.pack_into("<H", patched, found + method_at, 8)
                struct.pack_into("<I", patched, found + method_at + 6, crc)
                struct.pack_into("<I", patched, found + method_at + 14, declared or inflated)
            found = patched.find(signature, found + 4)
    return bytes(patched)


def _empty_zip() -> bytes:
    buffer = io.BytesIO()
    zipfile.ZipFile(buffer, "w").close()
    return buffer.getvalue()


def _bomb_workbook(inflated: int, declared: int | None = None) -> bytes:
    """A real workbook whose extra sheet part inflates to ``inflated`` bytes of zeros."""
    base = xlsx([["Material", "Quantity", "Requested Date"], ["1", 1, "2024-03-01"]])
    return _with_bomb(base, "xl/worksheets/sheet2.xml", inflated, declared)


def test_the_crafted_bomb_really_inflates_to_its_size() -> None:
    with zipfile.ZipFile(io.BytesIO(_with_bomb(_empty_zip(), "zeros", 3 << 20))) as archive:
        assert archive.read("zeros") == b"\x00" * (3 << 20)


def _mail_with(data: bytes, name: str, subtype: str) -> bytes:
    mail = message("Refused", message_id="<refused@example.com>")
    mail.add_attachment(ORDERS, maintype="text", subtype="csv", filename="orders.csv")
    mail.add_attachment(data, maintype="application", subtype=subtype, filename=name)
    return mail.as_bytes()


def test_an_xlsx_that_inflates_past_the_limit_is_refused_unopened() -> None:
    workbook = _bomb_workbook(64 << 20)
    assert len(workbook) < 200_000
    limits = ReadLimits(inflated_bytes=16 << 20)
    tracemalloc.start()
    parsed = parse_file(
        "outlook/bomb.eml", _mail_with(workbook, "orders.xlsx", "vnd.ms-excel"), limits
    )
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 8 << 20
    [reason] = _rejected_messages(parsed)
    assert "'orders.xlsx'" in reason
    assert "inflate to 64.0 MiB" in reason
    assert "over the limit of 16.0 MiB" in reason
    assert [v["attachment"] for v in _lines(parsed)] == ["orders.csv"]
    assert [a.file_name for a in parsed.attachments] == ["orders.csv", "orders.xlsx"]


def test_an_xlsx_whose_headers_claim_gigabytes_is_refused_by_its_directory() -> None:
    workbook = _bomb_workbook(1 << 20, declared=3 << 30)
    parsed = parse_file("outlook/claims.eml", _mail_with(workbook, "big.xlsx", "vnd.ms-excel"))
    [reason] = _rejected_messages(parsed)
    assert "inflate to 3.0 GiB" in reason
    assert "over the limit of 200.0 MiB" in reason


def test_a_landed_xlsx_bomb_is_quarantined_with_the_reason() -> None:
    parsed = parse_file("sap/MARA.xlsx", _bomb_workbook(1 << 20, declared=3 << 30))
    assert parsed.quarantine_reason is not None
    assert "inflate to 3.0 GiB" in parsed.quarantine_reason


@pytest.mark.parametrize("what", ["a ZIP archive", "a gzip archive"])
def test_archives_are_kept_but_never_opened(what: str) -> None:
    if what == "a ZIP archive":
        archive = _with_bomb(_empty_zip(), "orders.csv", 64 << 20)
    else:
        archive = gzip.compress(b"\x00" * (8 << 20))
    assert len(archive) < 100_000
    tracemalloc.start()
    parsed = parse_file("outlook/archive.eml", _mail_with(archive, "orders.zip", "zip"))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 8 << 20
    assert parsed.attachments[1].content == archive
    assert any(f"is {what}; archives are not opened" in n for n in parsed.notes)


def test_a_huge_base64_part_is_refused_before_it_is_decoded() -> None:
    limits = ReadLimits(attachment_bytes=64 * 1024)
    parsed = parse_file(
        "outlook/huge.eml", _mail_with(b"\x01" * (200 * 1024), "dump.bin", "octet-stream"), limits
    )
    [reason] = _rejected_messages(parsed)
    assert "attachment 'dump.bin'" in reason
    assert "200.0 KiB decoded, over the limit of 64.0 KiB" in reason
    assert "a person must take it from the mailbox" in reason
    assert [a.file_name for a in parsed.attachments] == ["orders.csv"]
    assert len(_lines(parsed)) == 1


def test_an_msg_attachment_over_the_limit_is_not_read() -> None:
    top = MsgMessage(
        subject="big",
        attachments=[
            MsgAttachment("dump.bin", b"\x01" * 9000),
            MsgAttachment("orders.csv", ORDERS, "text/csv"),
        ],
    )
    parsed = parse_file("outlook/big.msg", msg_file(top), ReadLimits(attachment_bytes=4096))
    [reason] = _rejected_messages(parsed)
    assert "attachment 'dump.bin' is 8.8 KiB, over the limit of 4.0 KiB" in reason
    assert [a.file_name for a in parsed.attachments] == ["orders.csv"]


def test_a_mail_file_over_the_limit_is_quarantined_unread() -> None:
    data = _mail_with(b"x" * 5000, "x.bin", "octet-stream")
    parsed = parse_file("outlook/large.eml", data, ReadLimits(mail_bytes=4096))
    assert parsed.quarantine_reason is not None
    assert "mail file refused: the mail file is" in parsed.quarantine_reason
    assert "over the limit of 4.0 KiB per mail file" in parsed.quarantine_reason


def _rfc822_chain(depth: int) -> bytes:
    head = b"From: a@example.com\r\nDate: Mon, 18 Mar 2024 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
    inner = head + b"Subject: bottom\r\nContent-Type: text/plain\r\n\r\nbottom\r\n"
    for level in range(depth - 1, -1, -1):
        boundary = b"b%d" % level
        inner = (
            head
            + b'Subject: level %d\r\nContent-Type: multipart/mixed; boundary="%s"\r\n\r\n'
            % (level, boundary)
            + b"--%s\r\nContent-Type: message/rfc822\r\n\r\n" % boundary
            + inner
            + b"\r\n--%s--\r\n" % boundary
        )
    return inner


def test_attached_messages_deeper_than_the_limit_are_not_followed() -> None:
    parsed = parse_file("outlook/deep.eml", _rfc822_chain(30), ReadLimits(message_depth=5))
    messages = parsed.extract("outlook/messages")
    assert messages is not None
    assert len(messages.rows) == 5
    [reject] = messages.rejects
    assert reject.row_number == 6
    assert "nest deeper than 5 levels" in reject.reason


def test_an_msg_chain_deeper_than_the_limit_is_not_followed() -> None:
    chain = MsgMessage(subject="level 8", body="bottom")
    for level in range(7, -1, -1):
        chain = MsgMessage(subject=f"level {level}", body="x", attachments=[("fwd", chain)])
    parsed = parse_file("outlook/deep.msg", msg_file(chain), ReadLimits(message_depth=3))
    messages = parsed.extract("outlook/messages")
    assert messages is not None
    assert [r.values["subject"] for r in messages.rows] == ["level 0", "level 1", "level 2"]
    assert "nest deeper than 3 levels" in messages.rejects[0].reason


def test_parts_nested_past_the_parser_are_a_quarantine_not_a_crash() -> None:
    parsed = parse_file("outlook/bomb.eml", _rfc822_chain(3000))
    assert parsed.quarantine_reason is not None
    assert "nest deeper than the mail parser can follow" in parsed.quarantine_reason
    assert "reading failed" not in parsed.quarantine_reason


# --- requirement 5: repeats inside one file, and against earlier files ------------------


def test_the_same_attachment_twice_in_one_mail_loads_its_lines_once() -> None:
    forwarded = message("Original", message_id="<original@example.com>")
    forwarded.add_attachment(ORDERS, maintype="text", subtype="csv", filename="orders.csv")
    top = message("Fwd: Original", message_id="<fwd@example.com>")
    top.add_attachment(ORDERS, maintype="text", subtype="csv", filename="orders again.csv")
    top.add_attachment(forwarded)
    parsed = parse_file("outlook/twice.eml", top.as_bytes())
    assert [a.duplicate_of for a in parsed.attachments] == [
        "",
        "outlook/twice.eml: Fwd: Original > orders again.csv",
    ]
    assert [v["attachment"] for v in _lines(parsed)] == ["orders again.csv"]
    rows = parsed.extract("outlook/attachments")
    assert rows is not None
    assert rows.rows[1].values["duplicate_of"] == parsed.attachments[1].duplicate_of
    assert any("its lines are loaded once" in n for n in parsed.notes)


def test_an_attachment_seen_in_an_earlier_file_is_named_and_not_read_again() -> None:
    mail = message("Resent", message_id="<resent@example.com>")
    mail.add_attachment(ORDERS, maintype="text", subtype="csv", filename="orders.csv")
    known = {parse_file("x", ORDERS).content_hash: "outlook/first.eml: First > orders.csv"}
    parsed = parse_file("outlook/resent.eml", mail.as_bytes(), first_seen=known.get)
    assert parsed.attachments[0].duplicate_of == "outlook/first.eml: First > orders.csv"
    assert _lines(parsed) == []
    messages = parsed.extract("outlook/messages")
    assert messages is not None
    assert messages.rows[0].values["review_reason"] == ""


# --- requirement 6: lineage and the review list ------------------------------------------


def test_every_order_line_names_its_message_attachment_and_row() -> None:
    mail = message("Order", message_id="<order@example.com>")
    mail.add_attachment(
        ORDERS + b"4711;20;000000000000067890;70;KG;2024-03-26\r\n",
        maintype="text",
        subtype="csv",
        filename="orders.csv",
    )
    parsed = parse_file("outlook/order.eml", mail.as_bytes())
    lines = parsed.extract("outlook/order_lines")
    assert lines is not None
    assert lines.part == "Order > orders.csv"
    assert [(r.row_number, r.values["attachment_line"]) for r in lines.rows] == [(2, "2"), (3, "3")]
    for row in lines.rows:
        assert row.values["message_id"] == row.values["outer_message_id"] == "<order@example.com>"
        assert row.values["attachment"] == "orders.csv"
        assert row.values["container_path"] == "Order"
        assert row.values["attachment_sha256"] == parsed.attachments[0].sha256


@pytest.mark.parametrize(
    ("attach", "reason"),
    [
        (None, "the mail has no attachment"),
        (
            (b"%PDF-1.4", "application", "pdf", "order.pdf"),
            "'order.pdf' (application/pdf) is not a table",
        ),
        (
            (b"Year;Score\r\n2020;5\r\n", "text", "csv", "scores.csv"),
            "'scores.csv' holds no order or forecast header",
        ),
        (
            (
                b"Material;Quantity;Requested Date\r\nX;lots;2024-03-01\r\n",
                "text",
                "csv",
                "bad.csv",
            ),
            "every line of 'bad.csv' was rejected (1)",
        ),
    ],
)
def test_a_mail_without_readable_lines_carries_a_review_reason(
    attach: tuple[bytes, str, str, str] | None, reason: str
) -> None:
    mail = message("Please deliver 500 kg of 12345 on 25 March", message_id="<body@example.com>")
    if attach is not None:
        data, maintype, subtype, name = attach
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    parsed = parse_file("outlook/review.eml", mail.as_bytes())
    messages = parsed.extract("outlook/messages")
    assert messages is not None
    review = messages.rows[0].values["review_reason"]
    assert review.startswith("no order or forecast lines could be read: ")
    assert reason in review
    assert review.endswith("a person must read the mail")


def test_a_repeated_unreadable_attachment_still_needs_review() -> None:
    mail = message("Scores twice", message_id="<twice@example.com>")
    for name in ("scores.csv", "scores (2).csv"):
        mail.add_attachment(
            b"Year;Score\r\n2020;5\r\n", maintype="text", subtype="csv", filename=name
        )
    messages = parse_file("outlook/twice.eml", mail.as_bytes()).extract("outlook/messages")
    assert messages is not None
    review = messages.rows[0].values["review_reason"]
    assert "'scores.csv' holds no order or forecast header" in review
    assert "'scores (2).csv' repeats an attachment above" in review


def test_a_mail_with_lines_has_no_review_reason() -> None:
    mail = message("Order", message_id="<ok@example.com>")
    mail.add_attachment(ORDERS, maintype="text", subtype="csv", filename="orders.csv")
    messages = parse_file("outlook/ok.eml", mail.as_bytes()).extract("outlook/messages")
    assert messages is not None
    assert messages.rows[0].values["review_reason"] == ""
