"""Real users' faults (shared/cases BR-01, 03, 04, 05, 07, 09, 11) through the ingestion context.

Each test reads the case's input and compares with its expected files; it
skips when ``/work/shared`` is absent (inline equivalents live in the other
test modules).
"""

from __future__ import annotations

import csv
import hashlib
import io
from decimal import Decimal
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from pharma_pipelines.ingestion import parse_file
from pharma_pipelines.ingestion.encoding import decode_bytes
from pharma_pipelines.ingestion.schema import header_unit
from pharma_pipelines.values import (
    detect_number_format,
    parse_lab_result,
    parse_sap_date,
    parse_sap_number,
)

from .conftest import only_extract, shared_file


def _expected(*parts: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(shared_file(*parts).read_text(encoding="utf-8"))))


def _parse(*parts: str):
    path = shared_file(*parts)
    return parse_file(f"{parts[-2]}/{parts[-1]}", path.read_bytes())


def test_br01_identifiers_keep_leading_zeros_and_files_join() -> None:
    master = only_extract(_parse("cases", "BR-01", "material_master.csv"))
    stock = only_extract(_parse("cases", "BR-01", "batch_stock.csv"))
    expected = _expected("cases", "BR-01", "expected.csv")
    assert master.entity == "sap/material_master"
    assert [
        {
            "MATNR": r.values["material"],
            "MAKTX": r.values["description"],
            "MTART": r.values["material_type"],
            "MEINS": r.values["base_unit"],
            "WERKS": r.values["plant"],
            "MATKL": r.values["material_group"],
        }
        for r in master.rows
    ] == expected
    assert stock.entity == "sap/stock"
    by_material = {r.values["material"]: r for r in master.rows}
    joined = [r for r in stock.rows if r.values["material"] in by_material]
    assert len(joined) == len(stock.rows) == 4
    for expected_row, row in zip(
        _expected("cases", "BR-01", "expected_join.csv"), stock.rows, strict=True
    ):
        assert row.values["batch"] == expected_row["CHARG"]
        assert row.values["plant"] == expected_row["WERKS"]
        assert str(parse_sap_date(row.values["manufactured_on"]).value) == expected_row["HSDAT"]
        fmt = detect_number_format(r.values["unrestricted"] for r in stock.rows).format
        assert parse_sap_number(row.values["unrestricted"], fmt) == Decimal(expected_row["CLABS"])


def test_br03_german_numbers_and_dates_one_reject() -> None:
    extract = only_extract(_parse("cases", "BR-03", "stock_de.csv"))
    expected = _expected("cases", "BR-03", "expected.csv")
    [error] = _expected("cases", "BR-03", "expected_errors.csv")
    fmt = detect_number_format(
        v for r in extract.rows for v in (r.values["unrestricted"], r.values["unrestricted_value"])
    ).format
    assert fmt.locale == "de-DE"
    assert extract.layout == "csv sep=';' decimal=','"
    for row, want in zip(extract.rows, expected, strict=False):
        assert row.values["material"] == want["material"]
        assert row.values["storage_location"] == want["sloc"]
        assert row.values["batch"] == want["batch"]
        assert parse_sap_number(row.values["unrestricted"], fmt) == Decimal(
            want["unrestricted_qty"]
        )
        assert parse_sap_number(row.values["unrestricted_value"], fmt) == Decimal(want["value_eur"])
        assert (
            str(parse_sap_date(row.values["last_goods_receipt_on"]).value) == want["last_gr_date"]
        )
    [reject] = extract.rejects
    assert reject.row_number == int(error["file_line"])
    assert reject.column == error["column"]
    assert reject.raw_value == error["raw_value"]
    assert "1.234,56" in reject.reason
    assert "de-DE" in reject.reason


def test_br04_trailing_minus_all_lines_loaded() -> None:
    extract = only_extract(_parse("cases", "BR-04", "goods_movements.txt"))
    expected = _expected("cases", "BR-04", "expected.csv")
    assert extract.entity == "sap/goods_movements"
    assert (len(extract.rows), len(extract.rejects)) == (7, 0)
    fmt = detect_number_format(
        v for r in extract.rows for v in (r.values["quantity"], r.values["amount"])
    ).format
    net: dict[str, Decimal] = {}
    for row, want in zip(extract.rows, expected, strict=True):
        quantity = parse_sap_number(row.values["quantity"], fmt)
        assert quantity == Decimal(want["MENGE"])
        assert parse_sap_number(row.values["amount"], fmt) == Decimal(want["DMBTR"])
        assert quantity is not None
        net[row.values["material"]] = net.get(row.values["material"], Decimal(0)) + quantity
    assert net == {
        "000000000000012345": Decimal(250),
        "000000000000067890": Decimal(0),
        "000000000000000042": Decimal(-1250),
        "000000000001200000": Decimal(-8),
    }


def test_br05_utf16_material_texts() -> None:
    extract = only_extract(_parse("cases", "BR-05", "material_texts_utf16.txt"))
    assert extract.encoding == "UTF-16 LE"
    assert extract.header_map["material"] == "Material"
    assert [
        {
            "Material": r.values["material"],
            "Sprache": r.values["language"],
            "Materialkurztext": r.values["description"],
        }
        for r in extract.rows
    ] == _expected("cases", "BR-05", "expected_material_texts.csv")


def test_br05_windows_1252_batch_notes_load_exactly() -> None:
    extract = only_extract(_parse("cases", "BR-05", "batch_notes_cp1252.csv"))
    assert extract.entity == "sap/batch_notes"
    assert extract.encoding.startswith("Windows-1252")
    assert [
        {
            "Charge": r.values["batch"],
            "Lagerort": r.values["storage_location"],
            "Bemerkung": r.values["note"],
            "Wert": r.values["value_text"],
        }
        for r in extract.rows
    ] == _expected("cases", "BR-05", "expected_batch_notes.csv")
    decoded = decode_bytes(shared_file("cases", "BR-05", "batch_notes_cp1252.csv").read_bytes())
    assert decoded.encoding == "cp1252"
    assert not any("\x80" <= ch <= "\x9f" for ch in decoded.text)


def test_br05_corrupt_byte_rejects_its_row_naming_offset_line_and_encoding() -> None:
    parsed = _parse("cases", "BR-05", "batch_notes_corrupt.csv")
    extract = only_extract(parsed)
    assert [r.row_number for r in extract.rows] == [2, 4]
    assert all(
        "Zhlung" not in v and "\ufffd" not in v for r in extract.rows for v in r.values.values()
    )
    [reject] = extract.rejects
    assert (reject.row_number, reject.column, reject.rule) == (
        3,
        "Bemerkung",
        "encoding.undecodable",
    )
    assert "BR-05/batch_notes_corrupt.csv line 3" in reject.reason
    assert "byte 0x81 at byte offset 117 (line 3) is not valid Windows-1252" in reject.reason
    # The kept-aside value shows the undecodable byte instead of dropping it.
    assert reject.raw_value == "Temperatur 25 °C, Z\\x81hlung ok"


def test_br07_results_stay_verbatim_and_split_cleanly() -> None:
    extract = only_extract(_parse("cases", "BR-07", "lims_results.csv"))
    expected = _expected("cases", "BR-07", "expected.csv")
    assert extract.entity == "lims/results"
    assert (len(extract.rows), len(extract.rejects)) == (13, 0)
    for row, want in zip(extract.rows, expected, strict=True):
        assert row.values["sample_id"] == want["sample_id"]
        assert row.values["test"] == want["test_code"]
        assert row.values["result"] == want["result_raw"]
        assert row.values["unit"] == want["unit"]
        result = parse_lab_result(row.values["result"])
        assert result.qualifier == want["qualifier"]
        assert (str(result.value) if result.value is not None else "") == want["result_value"]
        assert (result.text or "") == want["result_text"]
        assert str(result.censored).lower() == want["censored"]
        assert {"spec_min", "spec_max", "text_spec"} <= row.values.keys()


def _lines(parsed, entity: str) -> list:
    return [r for e in parsed.extracts if e.entity == entity for r in e.rows]


def test_br09_files_inside_forwarded_messages() -> None:
    parsed = _parse("cases", "BR-09", "forwarded_forecast.eml")
    expected = _expected("cases", "BR-09", "expected_attachments.csv")
    assert parsed.quarantine_reason is None
    # 1. exactly the four data files, byte for byte
    assert [
        {
            "container_path": a.container_path,
            "filename": a.file_name,
            "content_type": a.content_type,
            "size_bytes": str(a.size),
            "sha256": a.sha256,
        }
        for a in parsed.attachments
    ] == expected
    assert [hashlib.sha256(a.content).hexdigest() for a in parsed.attachments] == [
        e["sha256"] for e in expected
    ]
    # 2. every file and every line names the outer message and the chain down to it
    outer = "<br09-l1@customer.example.com>"
    assert {a.message_id for a in parsed.attachments} == {outer}
    messages = parsed.extract("outlook/messages")
    assert messages is not None
    by_path = {r.values["container_path"]: r.values for r in messages.rows}
    assert list(by_path) == [
        "Fwd: Forecast KW12 and open orders",
        "Fwd: Forecast KW12 and open orders > Forecast KW12",
        "Fwd: Forecast KW12 and open orders > Open orders.eml",
        "Fwd: Forecast KW12 and open orders > Open orders.eml > Backlog as of 2024-03-15",
    ]
    for attachment in parsed.attachments:
        assert attachment.parent_message_id == by_path[attachment.container_path]["message_id"]
    where = {e["filename"]: e for e in expected}
    orders = _lines(parsed, "outlook/order_lines")
    forecast = _lines(parsed, "outlook/forecast_lines")
    for row in (*orders, *forecast):
        source = where[row.values["attachment"]]
        assert row.values["outer_message_id"] == outer
        assert row.values["container_path"] == source["container_path"]
        assert row.values["attachment_sha256"] == source["sha256"]
        assert row.values["message_id"] == by_path[source["container_path"]]["message_id"]
        assert row.values["attachment_line"] == str(row.row_number)
    # 3. five order lines, three forecast rows, every expected value
    assert [
        {
            "source_file": r.values["attachment"],
            "order_id": r.values["po_number"],
            "material": r.values["material"],
            "qty_kg": r.values["quantity"],
            "due_date": r.values["requested_date"],
        }
        for r in orders
    ] == _expected("cases", "BR-09", "expected_order_lines.csv")
    assert [
        {
            "source_file": r.values["attachment"],
            "week": r.values["period"],
            "material": r.values["material"],
            "forecast_kg": r.values["quantity"],
        }
        for r in forecast
    ] == _expected("cases", "BR-09", "expected_forecast.csv")
    for extract in parsed.extracts:
        assert extract.rejects == [], extract.part
        if extract.entity in ("outlook/order_lines", "outlook/forecast_lines"):
            assert header_unit(extract.header_map["quantity"]) == "KG"
    # 4. the .eml containers are messages, not files that failed to read as CSV
    assert not any(a.file_name.endswith(".eml") for a in parsed.attachments)
    assert not any(".eml" in n and "not read" in n for n in parsed.notes)
    assert by_path["Fwd: Forecast KW12 and open orders"]["review_reason"] == ""
    # 5. the identity of every line (Message-ID, part, content hash, row) is unique and stable
    keys = [
        (
            r.values["message_id"],
            r.values["container_path"],
            r.values["attachment_sha256"],
            r.row_number,
        )
        for r in orders
    ]
    assert len(set(keys)) == len(keys) == 5
    again = _parse("cases", "BR-09", "forwarded_forecast.eml")
    assert keys == [
        (
            r.values["message_id"],
            r.values["container_path"],
            r.values["attachment_sha256"],
            r.row_number,
        )
        for r in _lines(again, "outlook/order_lines")
    ]


def test_br11_winmail_dat_long_name_lines_and_body() -> None:
    parsed = _parse("cases", "BR-11", "rich_text_order.eml")
    [want] = _expected("cases", "BR-11", "expected_attachments.csv")
    # 1. the file inside winmail.dat under its long name, and its two order lines
    [attachment] = parsed.attachments
    assert (attachment.file_name, str(attachment.size), attachment.sha256) == (
        want["filename"],
        want["size_bytes"],
        want["sha256"],
    )
    assert attachment.name_source == "tnef-long-name"
    assert attachment.container_path == "PO 4500001234 delivery date > winmail.dat"
    lines = parsed.extract("outlook/order_lines")
    assert lines is not None
    assert lines.rejects == []
    assert [
        (
            r.values["po_number"],
            r.values["item"],
            r.values["material"],
            r.values["quantity"],
            r.values["unit"],
        )
        for r in lines.rows
    ] == [
        ("4500001234", "10", "000000000000012345", "1200", "KG"),
        ("4500001234", "20", "000000000000067890", "350", "KG"),
    ]
    assert [str(parse_sap_date(r.values["requested_date"]).value) for r in lines.rows] == [
        "2024-03-28",
        "2024-04-04",
    ]
    assert {r.values["attachment_sha256"] for r in lines.rows} == {want["sha256"]}
    # 2. winmail.dat is opened, not kept as a file nor reported as unsupported
    assert not any("winmail" in n.lower() for n in parsed.notes)
    # 3. the body comes from the compressed RTF
    messages = parsed.extract("outlook/messages")
    assert messages is not None
    [message] = messages.rows
    body = message.values["body_text"]
    assert message.values["body_source"] == "winmail.dat rtf"
    assert "please confirm the delivery date 2024-03-28 for purchase order 4500001234." in body
    assert "Quantity changed to 1.200 kg (was 1.000 kg)." in body
    assert message.values["review_reason"] == ""


def test_br11_an_undecodable_winmail_dat_is_flagged_for_a_person() -> None:
    mail = BytesParser(policy=policy.default).parsebytes(
        shared_file("cases", "BR-11", "rich_text_order.eml").read_bytes()
    )
    assert isinstance(mail, EmailMessage)
    [part] = [p for p in mail.iter_attachments() if p.get_filename() == "winmail.dat"]
    blob = bytearray(part.get_content())
    blob[40] ^= 0xFF  # inside the first attribute: its checksum no longer matches
    part.set_content(bytes(blob), maintype="application", subtype="ms-tnef", filename="winmail.dat")
    parsed = parse_file("BR-11/broken_rich_text.eml", mail.as_bytes())
    messages = parsed.extract("outlook/messages")
    assert messages is not None
    assert messages.rows == []
    [reject] = messages.rejects
    assert "winmail.dat (TNEF) cannot be decoded" in reject.reason
    assert "a person must open the message" in reject.reason
    assert [a.file_name for a in parsed.attachments] == ["winmail.dat"]
    assert parsed.extract("outlook/order_lines") is None
