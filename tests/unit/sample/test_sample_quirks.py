"""The quirks real exports have are in the bytes, and every header is a documented variant."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest

from tests.unit.sample.landing_reader import (
    DE_NUMBER,
    Landing,
    attachments,
    documented_variants,
    order_lines,
)

GERMAN_TEXT = "Tabletten 5 mg – Blister, Lagerung 2–8 °C"
EXTRA_COLUMNS = {"VERID", "GETRI", "MEINS"}


def test_material_master_is_windows_1252_with_german_labels(clean: Landing) -> None:
    data = clean.raw("sap/MARA_")

    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text = data.decode("cp1252")
    assert GERMAN_TEXT in text
    assert "–".encode("cp1252") in data
    assert text.startswith("Materialnummer;Materialkurztext;Materialart;Warengruppe;")
    assert text.count("\r\n") == text.count("\n")


def test_one_material_key_is_quoted_and_keeps_its_zeros(clean: Landing) -> None:
    lines = clean.raw("sap/MARA_").decode("cp1252").splitlines()

    quoted = [line for line in lines if line.startswith('"')]
    assert len(quoted) == 1
    assert re.match(r'^"0{13}\d{5}";', quoted[0])


def test_orders_are_tab_separated_crlf_with_empty_sap_dates(clean: Landing) -> None:
    data = clean.raw("sap/AFKO_")
    rows = clean.rows("sap/AFKO_", "utf-8", "\t")

    assert data.startswith(b"AUFNR\tMATNR\tWERKS\tGAMNG")
    assert data.count(b"\r\n") == data.count(b"\n")
    open_rows = [row for row in rows if not row["STTXT"].startswith("TECO")]
    assert {row["GETRI"] for row in open_rows} == {"00000000"}
    assert all(re.fullmatch(r"20\d{6}", row["GSTRP"]) for row in rows)


def test_batches_file_has_a_utf8_bom_and_an_empty_expiry(clean: Landing) -> None:
    data = clean.raw("sap/MCH1_")
    rows = clean.rows("sap/MCH1_", "utf-8", ",")

    assert data.startswith(b"\xef\xbb\xbfCHARG,")
    assert "00000000" in {row["VFDAT"] for row in rows}
    assert all(len(row["CHARG"]) == 10 and row["CHARG"].startswith("0000") for row in rows)


def test_stock_uses_german_numbers_and_a_trailing_minus(clean: Landing) -> None:
    rows = clean.rows("sap/MCHB_", "utf-8", ";")
    values = [row[column] for row in rows for column in ("CLABS", "CINSM", "CSPEM")]

    assert "12,500-" in values
    assert all(DE_NUMBER.match(value) for value in values)
    assert any(re.match(r"^\d{1,3}\.\d{3},\d{3}$", value) for value in values)


def test_unit_table_is_headerless_t006_with_blanks_as_one_space(clean: Landing) -> None:
    lines = clean.raw("sap/T006_").decode("utf-8").splitlines()
    rows = [line.split(",") for line in lines]

    assert all(len(row) == 23 for row in rows)
    assert all(re.fullmatch(r"\d{3}", row[0]) for row in rows)
    assert not any(row[1] in ("MSEHI", "unit") for row in rows)
    assert all(field == " " for row in rows for field in (row[6], row[19], row[22]))
    units = {row[1]: row for row in rows}
    assert (units["G"][9], units["G"][10], units["G"][11], units["G"][4]) == (
        "MASS",
        "1",
        "1000",
        "3",
    )


def test_one_hospital_orders_in_iso_unit_codes(clean: Landing) -> None:
    units_by_customer: dict[str, set[str]] = {}
    for path in sorted(clean.root.glob("outlook/*.eml")):
        customer = path.stem.split("_order_")[1]
        lines = order_lines(clean.mail(path.relative_to(clean.root).as_posix()))
        units_by_customer[customer] = {line["Unit"] for line in lines}

    assert units_by_customer.pop("AURELIA") == {"PCE"}
    assert all(units == {"ST"} for units in units_by_customer.values())


def test_micro_results_use_decimal_commas_and_chemistry_censored_values(clean: Landing) -> None:
    micro = clean.rows("lims/results_micro_", "utf-8", ";")
    chemistry = clean.rows("lims/results_2", "utf-8", ",")

    assert any(re.fullmatch(r"<?\s?0,\d{2}", row["Value"]) for row in micro)
    assert any(row["Value"].startswith("<") for row in micro)
    assert all(re.fullmatch(r"\d{2}\.\d{2}\.\d{4}", row["ResultCaptureDate"]) for row in micro)
    results = {row["Result"] for row in chemistry}
    assert "Complies" in results
    assert {"<0.05", "< 0.05"} & results
    assert not any("," in row["Result"] for row in chemistry)


def test_every_header_is_a_documented_variant_of_its_entity(clean: Landing) -> None:
    variants = documented_variants()
    readers = {".csv": (",", ";"), ".txt": ("\t",)}
    for written in clean.summary.files:
        if written.entity is None or written.entity.startswith("outlook/"):
            continue
        if written.entity == "sap/units":
            continue  # headerless: its columns are positional, checked on their own below
        data = (clean.root / written.path).read_bytes()
        encoding = "cp1252" if "MARA" in written.path else "utf-8-sig"
        first_line = data.decode(encoding).splitlines()[0]
        separator = next(s for s in readers[written.path[-4:]] if s in first_line)
        entity = written.entity.split("/")[1]
        unknown = {
            column
            for column in first_line.split(separator)
            if column.lower() not in variants[entity] and column not in EXTRA_COLUMNS
        }
        assert not unknown, f"{written.path}: {unknown} are not variants of {entity}"


def test_forwarded_mail_nests_the_order_file_in_an_attached_message(clean: Landing) -> None:
    message = clean.mail("outlook/20270103_order_KLINIKUMSUED")

    assert message.get_content_type() == "multipart/mixed"
    nested = [part for part in message.walk() if part.get_content_type() == "message/rfc822"]
    assert len(nested) == 1
    inner_message = nested[0].get_payload()[0]
    inner = attachments(inner_message)
    assert list(inner) == [name for name in inner if name.endswith(".csv")]
    assert len(inner) == 1
    assert next(iter(inner.values())).startswith(b"Bestellnummer;Position;Material;Menge;ME;")


def test_every_mail_is_multipart_mixed_with_one_order_sheet(clean: Landing) -> None:
    for path in sorted(clean.root.glob("outlook/*.eml")):
        message = clean.mail(path.relative_to(clean.root).as_posix())
        assert message.get_content_type() == "multipart/mixed"
        assert message["Message-ID"]
        files = attachments(message)
        assert len(files) == 1
        assert next(iter(files)).endswith((".csv", ".xlsx"))


def test_xlsx_attachments_carry_the_send_time_not_the_wall_clock(clean: Landing) -> None:
    workbooks = 0
    for path in sorted(clean.root.glob("outlook/*.eml")):
        message = clean.mail(path.relative_to(clean.root).as_posix())
        sent = message["Date"].datetime.astimezone(dt.UTC).replace(tzinfo=None)
        for name, payload in attachments(message).items():
            if not name.endswith(".xlsx"):
                continue
            workbooks += 1
            book = openpyxl.load_workbook(io.BytesIO(payload))
            assert book.properties.created == book.properties.modified == sent
            sheet = book.active
            assert sheet is not None
            header = [cell.value for cell in sheet[1]]
            assert "Material" in header
            assert isinstance(sheet.cell(row=2, column=header.index("Material") + 1).value, str)
    assert workbooks == 2
