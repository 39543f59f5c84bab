"""Acceptance over every real file in shared/realdata: nothing raises, everything is accounted for.

Besides the global properties (every file has extracts or a quarantine
reason, counts reconcile, the pass is fast), a table pins what each notable
real file maps to, so a change in classification shows up as a failure.
"""

from __future__ import annotations

import time

import pytest

from pharma_pipelines.ingestion import ENTITIES, ParsedFile, parse_file
from pharma_pipelines.ingestion.survey import landed_files, main, markdown, survey

from .conftest import REALDATA, assert_storable

pytestmark = pytest.mark.realdata

TIME_BUDGET_SECONDS = 30.0


@pytest.fixture(scope="module")
def parsed_files() -> dict[str, ParsedFile]:
    if not REALDATA.is_dir():
        pytest.skip(f"{REALDATA} is not available")
    return {
        path.relative_to(REALDATA).as_posix(): parse_file(
            path.relative_to(REALDATA).as_posix(), path.read_bytes()
        )
        for path in landed_files(REALDATA)
    }


def test_every_file_is_accounted_for_and_counts_reconcile(
    parsed_files: dict[str, ParsedFile],
) -> None:
    assert len(parsed_files) == 71
    for relative_path, parsed in parsed_files.items():
        assert parsed.relative_path == relative_path
        assert len(parsed.content_hash) == 64
        if parsed.quarantine_reason is None:
            assert parsed.extracts, relative_path
        else:
            assert parsed.extracts == [], relative_path
            assert parsed.quarantine_reason.startswith(f"{relative_path}: ")
            assert "reading failed" not in parsed.quarantine_reason
        for extract in parsed.extracts:
            assert extract.entity in ENTITIES
            assert extract.rows_read == len(extract.rows) + len(extract.rejects)
        assert_storable(parsed)


def test_the_whole_pass_is_fast() -> None:
    if not REALDATA.is_dir():
        pytest.skip(f"{REALDATA} is not available")
    started = time.perf_counter()
    rows = survey(REALDATA)
    elapsed = time.perf_counter() - started
    assert elapsed < TIME_BUDGET_SECONDS
    assert markdown(rows).count("\n") == len(rows) + 1


LOADED = {
    "sap/hana-shine-xsa/T006.csv": ("sap/units", 532, 0),
    "sap/hana-shine-xsa/products.csv": ("sap/material_master", 106, 0),
    "sap/datasphere-content/Sample_Bikes_Sales_content/CSV/Products.csv": (
        "sap/material_master",
        42,
        0,
    ),
    "sap/datasphere-content/SAP_Sample_Content/CSV/FI/ProductTexts.csv": (
        "sap/material_texts",
        41,
        0,
    ),
    "sap/s4hana-api-sandbox/production-order/production-order-01-general-sample.json": (
        "sap/production_orders",
        1,
        0,
    ),
    "sap/s4hana-api-sandbox/production-order/production-order-02-component-sample.json": (
        "sap/production_order_components",
        7,
        0,
    ),
    "sap/s4hana-api-sandbox/production-order/production-order-04-operation-sample.json": (
        "sap/production_order_operations",
        2,
        0,
    ),
    "sap/s4hana-api-sandbox/batch-master-record/batch-master-record-sample.json": (
        "sap/batches",
        1,
        0,
    ),
    "sap/s4hana-api-sandbox/work-center/work-center-01-sample.json": ("sap/work_centers", 1, 0),
    "sap/s4hana-api-sandbox/product-master/product-master-general-01-sample.json": (
        "sap/material_master",
        1,
        0,
    ),
    "sap/s4hana-api-sandbox/material-stock/material-stock-material-stock-01-sample.json": (
        "sap/stock",
        1,
        0,
    ),
    "sap/s4hana-api-sandbox/bill-of-material/bill-of-material-item-01-sample.json": (
        "sap/bom_items",
        3,
        0,
    ),
    "sap/hana-shine-xsa/salesOrderItem.csv": ("sap/sales_order_items", 6046, 0),
    "sap/datasphere-content/SAP_Sample_Content/CSV/Sales/SalesOrders.csv": (
        "sap/sales_orders",
        5166,
        0,
    ),
    "lims/zagar2022-pharma-batches/Laboratory.csv": ("lims/results_wide", 1005, 0),
    "lims/zagar2022-pharma-batches/Process.csv": ("lims/results_wide", 1005, 0),
    "lims/zagar2022-pharma-batches/Normalization.csv": ("lims/batch_size_normalisation", 25, 0),
    "lims/bika.lims.legacy/BikaARImportTemplate.csv": ("lims/samples", 10, 0),
    "lims/senaite.core/instrument-and-import-files/LC2040C.txt": ("lims/results", 55, 0),
    "lims/senaite.core/instrument-and-import-files/ICPlimstest.csv": ("lims/results", 463, 0),
    "lims/senaite.core/instrument-and-import-files/GenExpert.csv": ("lims/results", 7, 0),
    "lims/senaite.core/instrument-and-import-files/metlerToledoDL55.xlsx": ("lims/results", 85, 0),
}


@pytest.mark.parametrize("relative_path", sorted(LOADED))
def test_notable_files_map_to_their_kind(
    parsed_files: dict[str, ParsedFile], relative_path: str
) -> None:
    entity, loaded, rejected = LOADED[relative_path]
    parsed = parsed_files[relative_path]
    assert parsed.quarantine_reason is None
    [extract] = parsed.extracts
    assert (extract.entity, len(extract.rows), len(extract.rejects)) == (entity, loaded, rejected)


QUARANTINED = {
    "products/fda-ndc/badutf8.txt": "byte 0x80 at byte offset 27",
}


@pytest.mark.parametrize("relative_path", sorted(QUARANTINED))
def test_files_that_are_no_kind_are_quarantined_precisely(
    parsed_files: dict[str, ParsedFile], relative_path: str
) -> None:
    reason = parsed_files[relative_path].quarantine_reason
    assert reason is not None
    assert QUARANTINED[relative_path] in reason


def _messages(parsed: ParsedFile) -> list[dict[str, str]]:
    extract = parsed.extract("outlook/messages")
    assert extract is not None
    return [r.values for r in extract.rows]


def test_non_unicode_msg_honours_its_code_page(parsed_files: dict[str, ParsedFile]) -> None:
    cp932 = _messages(parsed_files["outlook/msg/msgreader-js/nonUnicodeCP932.msg"])[0]
    assert cp932["subject"] == "日本語 Non Unicode タイトル"
    assert cp932["body_text"].startswith("日本語 Non Unicode 本文")
    cp1251 = _messages(parsed_files["outlook/msg/apache-poi/ASCII_CP1251_LCID1049.msg"])[0]
    assert cp1251["subject"] == "Subject автоматически Subject"
    assert cp1251["body_text"].strip() == "Body автоматически Body"
    for values in (cp932, cp1251):
        for text in (values["subject"], values["body_text"]):
            # Windows-1252 or Latin-1 read of either code page shows as these letters
            assert not set(text) & set("ÐÑÃÂ¤ú“”àâòîìèåñê\ufffd"), text
            assert "\\x" not in text, text


def test_msg_attachments_keep_order_long_names_and_nesting(
    parsed_files: dict[str, ParsedFile],
) -> None:
    order = parsed_files["outlook/msg/msgreader-js/attachmentsOrder.msg"]
    assert [a.file_name for a in order.attachments] == ["A.docx", "B.docx", "C.docx", "D.docx"]
    two = parsed_files["outlook/msg/MSGReader/EmailWith2Attachments.msg"]
    assert [a.file_name for a in two.attachments] == [
        "Installatie handleiding.docx",
        "Installatiehandleiding S&I Agro.xlsx",
    ]
    assert two.attachments[1].name_source == "msg-long-name"
    assert _messages(two)[0]["sender"].startswith("Spelde van, CMMA (Kees)")
    nested = _messages(parsed_files["outlook/msg/msgreader-js/msgInMsg.msg"])
    assert [m["subject"] for m in nested] == [
        "I have attachments!",
        "Microsoft Outlook テスト メッセージ",
    ]
    assert nested[1]["parent_message_id"] == nested[0]["message_id"]
    assert (
        nested[1]["container_path"] == "I have attachments! > Microsoft Outlook テスト メッセージ"
    )
    assert nested[1]["body_text"].startswith("この電子メール メッセージは")
    poi = _messages(parsed_files["outlook/msg/apache-poi/58214_with_attachment.msg"])
    assert [m["subject"] for m in poi] == ["Master mail", "Test mail attachment"]


def test_msg_without_any_date_says_so(parsed_files: dict[str, ParsedFile]) -> None:
    parsed = parsed_files["outlook/msg/msg-extractor/strangeDate.msg"]
    assert _messages(parsed)[0]["sent_at"] == ""
    assert any("no submit or delivery time" in n for n in parsed.notes)


def test_eml_quirks(parsed_files: dict[str, ParsedFile]) -> None:
    csv_as_text = parsed_files["outlook/eml/eml_parser/sample_attachments.eml"]
    assert [a.file_name for a in csv_as_text.attachments] == [
        "text.txt",
        "document.pdf",
        "test.csv",
    ]
    named_in_type = parsed_files["outlook/eml/imap_tools/att_name_in_content_type.eml"]
    assert [(a.file_name, a.name_source) for a in named_in_type.attachments] == [
        ("D09.ZPH.txt", "content-type")
    ]
    encoded_words = _messages(parsed_files["outlook/eml/php-mime-mail-parser/m0013"])[0]
    assert encoded_words["subject"] == "50032266 CAR 11_MNPA00A01_9PTX_H00 ATT N° 1467829. pdf"
    cp1252 = _messages(
        parsed_files["outlook/eml/MSGReader/TestWithInlineHavingWindows1252Fields.eml"]
    )[0]
    assert cp1252["sender"].startswith("Müller Peter")
    ten = parsed_files["outlook/eml/php-mime-mail-parser/m0028"]
    assert len(ten.attachments) == 10


def test_real_values_stay_text(parsed_files: dict[str, ParsedFile]) -> None:
    bikes = parsed_files["sap/datasphere-content/Sample_Bikes_Sales_content/CSV/Products.csv"]
    row = bikes.extracts[0].rows[0].values
    assert row["SUPPLIER_PARTNERID"] == "0100000000"
    batch = parsed_files[
        "sap/s4hana-api-sandbox/batch-master-record/batch-master-record-sample.json"
    ]
    assert batch.extracts[0].rows[0].values["batch"] == "0000000136"
    t006 = parsed_files["sap/hana-shine-xsa/T006.csv"].extracts[0].rows[0].values
    assert (t006["client"], t006["unit"], t006["dimension"], t006["denominator"]) == (
        "000",
        "%",
        "PROPOR",
        "100",
    )


def test_survey_command_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    if not REALDATA.is_dir():
        pytest.skip(f"{REALDATA} is not available")
    main([str(REALDATA), "--reason-width", "80"])
    out = capsys.readouterr().out
    assert out.startswith("| file | entity |")
    assert "71 files" in out
    assert "`sap/hana-shine-xsa/T006.csv` | sap/units" in out
