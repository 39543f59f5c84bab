"""The Outlook raw assets on crafted mail: what lands in the warehouse, and nothing else.

Each test lays a small landing zone under ``tmp_path``, materializes the inventory and
``raw_outlook`` with their checks, and reads the warehouse (a SQLite file under
``tmp_path``, so that every file the run writes is visible there).
"""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import dagster as dg
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from pharma_pipelines.assets.raw import (
    every_mail_yields_lines,
    file_inventory,
    mail_read_without_findings,
    raw_outlook,
)
from pharma_pipelines.definitions import build_resources
from pharma_pipelines.resources import WarehouseResource
from pharma_pipelines.settings import PlatformSettings, load_settings
from pharma_pipelines.warehouse.models import RawAttachment
from tests.conftest import case_dir
from tests.integration.conftest import settings_for
from tests.unit.ingestion.builders import message
from tests.unit.ingestion.msg_builder import MsgAttachment, MsgMessage, msg_file

ORDERS = (
    b"PO Number;Item;Material;Quantity;Unit;Requested Date\r\n"
    b"4711;10;000000000000012345;500;KG;2024-03-25\r\n"
    b"4711;20;000000000000067890;70;KG;2024-03-26\r\n"
)
OTHER_ORDERS = (
    b"PO Number;Material;Quantity;Requested Date\r\n4800;000000000000000042;9;2024-04-02\r\n"
)


def _mail(subject: str, message_id: str, *files: tuple[str, bytes]) -> EmailMessage:
    mail = message(subject, message_id=message_id)
    for name, data in files:
        mail.add_attachment(data, maintype="text", subtype="csv", filename=name)
    return mail


def _run(settings: PlatformSettings, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [file_inventory, raw_outlook, mail_read_without_findings, every_mail_yields_lines],
        resources=build_resources(settings),
        instance=instance,
    )


def _land(landing: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        (landing / name).parent.mkdir(parents=True, exist_ok=True)
        (landing / name).write_bytes(data)


def _check(result: dg.ExecuteInProcessResult, name: str) -> dg.AssetCheckEvaluation:
    [evaluation] = [e for e in result.get_asset_check_evaluations() if e.check_name == name]
    return evaluation


@pytest.fixture
def file_settings(tmp_path: Path, fresh_engines: None) -> PlatformSettings:
    return PlatformSettings(
        landing_zone=str(tmp_path / "landing"),
        warehouse_url=f"sqlite:///{tmp_path / 'db' / 'warehouse.sqlite'}",
    )


def test_attachment_bytes_never_land_outside_the_warehouse(
    tmp_path: Path,
    file_settings: PlatformSettings,
    instance: dg.DagsterInstance,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    work = tmp_path / "work" / "deeper"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    hostile = [
        "../../escaped-relative.csv",
        "..\\..\\escaped-backslash.csv",
        f"{tmp_path}/escaped-absolute.csv",
        "C:\\escaped-drive.csv",
        "\\\\server\\share\\escaped-unc.csv",
        "CON",
        "LPT1.csv",
        "escaped\x00nul.csv",
        "escaped-dots.csv. . ",
        "x" * 400 + ".csv",
        "logo.png",
        "logo.png",
    ]
    mail = message("Hostile names", message_id="<hostile@example.com>")
    for number, name in enumerate(hostile):
        data = b"same logo" if name == "logo.png" else ORDERS.replace(b"4711", b"%d" % number)
        mail.add_attachment(data, maintype="text", subtype="csv", filename=name)
    _land(tmp_path / "landing", {"outlook/hostile.eml": mail.as_bytes()})
    before = set(tmp_path.rglob("*"))

    result = _run(file_settings, instance)

    assert result.success
    written = set(tmp_path.rglob("*")) - before
    database = tmp_path / "db" / "warehouse.sqlite"
    assert {p for p in written if p.is_file()} <= {database, Path(f"{database}-journal")}
    assert not list(tmp_path.parent.glob("escaped*"))
    assert not list(tmp_path.rglob("escaped*"))
    engine = WarehouseResource(url=file_settings.warehouse_url).engine()
    with Session(engine) as session:
        stored = session.execute(
            select(RawAttachment.attachment_number, RawAttachment.file_name).order_by(
                RawAttachment.attachment_number
            )
        ).all()
    names = [name for _, name in stored]
    assert [number for number, _ in stored] == list(range(1, len(hostile) + 1))
    assert names[:10] == [
        "escaped-relative.csv",
        "escaped-backslash.csv",
        "escaped-absolute.csv",
        "escaped-drive.csv",
        "escaped-unc.csv",
        "_CON",
        "_LPT1.csv",
        "escaped_nul.csv",
        "escaped-dots.csv",
        "x" * 251 + ".csv",
    ]
    for name in names:
        assert Path(name).name == name
        assert name not in ("", ".", "..")
    attachments = WarehouseResource(url=file_settings.warehouse_url).raw()
    rows = attachments.records_frame("outlook/attachments")
    assert rows["name_as_sent"].tolist()[0] == "../../escaped-relative.csv"


def _land_repeated_mail(landing: Path) -> None:
    """One order six times over: re-exported, copied, changed, re-sent, and a new one."""
    first = _mail("Order 4711", "<order-4711@customer.example.com>", ("orders.csv", ORDERS))
    as_msg = MsgMessage(
        subject="Order 4711",
        message_id="<order-4711@customer.example.com>",
        body="see attached",
        attachments=[MsgAttachment("orders.csv", ORDERS, "text/csv")],
    )
    changed = MsgMessage(
        subject="Order 4711",
        message_id="<order-4711@customer.example.com>",
        attachments=[
            MsgAttachment("orders.csv", ORDERS, "text/csv"),
            MsgAttachment("late addition.csv", OTHER_ORDERS, "text/csv"),
        ],
    )
    resent = _mail("Resent: order 4711", "<resent@customer.example.com>", ("copy.csv", ORDERS))
    new = _mail("Order 4800", "<order-4800@customer.example.com>", ("orders.csv", OTHER_ORDERS))
    _land(
        landing,
        {
            "outlook/a_order.eml": first.as_bytes(),
            "outlook/b_order re-exported.msg": msg_file(as_msg),
            "outlook/c_order copy.eml": first.as_bytes(),
            "outlook/d_order changed.msg": msg_file(changed),
            "outlook/e_resent.eml": resent.as_bytes(),
            "outlook/f_new.eml": new.as_bytes(),
        },
    )


def _assert_loaded_once(settings: PlatformSettings, instance: dg.DagsterInstance) -> None:
    result = _run(settings, instance)
    assert result.success
    raw = WarehouseResource(url=settings.warehouse_url).raw()

    lines = raw.records_frame("outlook/order_lines")
    assert sorted(zip(lines["source_file"], lines["po_number"], strict=True)) == [
        ("outlook/a_order.eml", "4711"),
        ("outlook/a_order.eml", "4711"),
        ("outlook/f_new.eml", "4800"),
    ]
    status = {(f.relative_path, f.entity): f for f in raw.loaded_files()}
    msg_copy = status[("outlook/b_order re-exported.msg", "outlook/order_lines")]
    assert msg_copy.status == "duplicate"
    assert msg_copy.rows_read == 0
    assert "Message-ID <order-4711@customer.example.com>" in (msg_copy.quarantine_reason or "")
    assert "'outlook/a_order.eml'" in (msg_copy.quarantine_reason or "")
    assert ("outlook/c_order copy.eml", "outlook/order_lines") not in status
    changed_load = status[("outlook/d_order changed.msg", "outlook/messages")]
    assert changed_load.status == "duplicate"
    assert "late addition.csv" in (changed_load.quarantine_reason or "")
    assert "a person must compare" in (changed_load.quarantine_reason or "")

    attachments = raw.records_frame("outlook/attachments")
    copy = attachments[attachments["source_file"] == "outlook/e_resent.eml"]
    assert copy["duplicate_of"].tolist() == ["outlook/a_order.eml: Order 4711 > orders.csv"]
    resent_lines = status[("outlook/e_resent.eml", "outlook/order_lines")]
    assert (resent_lines.status, resent_lines.rows_loaded) == ("loaded", 0)
    assert any(
        "loaded once" in n for n in status[("outlook/e_resent.eml", "outlook/messages")].notes
    )

    findings = _check(result, "mail_read_without_findings")
    assert "a person must compare" in str(findings.metadata["failing_rows"].value)
    review = _check(result, "every_mail_yields_lines")
    assert review.passed, review.metadata["failing_rows"]

    again = _run(settings, instance)
    assert again.success
    assert len(raw.records_frame("outlook/order_lines")) == 3


def test_the_same_mail_twice_loads_its_order_lines_once(
    tmp_path: Path, file_settings: PlatformSettings, instance: dg.DagsterInstance
) -> None:
    _land_repeated_mail(tmp_path / "landing")
    _assert_loaded_once(file_settings, instance)


@pytest.mark.postgres
def test_the_same_mail_twice_loads_once_on_postgres(
    tmp_path: Path,
    file_settings: PlatformSettings,
    postgres_url: str,
    instance: dg.DagsterInstance,
) -> None:
    _land_repeated_mail(tmp_path / "landing")
    _assert_loaded_once(file_settings.model_copy(update={"warehouse_url": postgres_url}), instance)


def test_order_lines_keep_their_lineage_and_unread_mail_is_listed_for_review(
    tmp_path: Path, file_settings: PlatformSettings, instance: dg.DagsterInstance
) -> None:
    order = _mail("Order 4711", "<order@customer.example.com>", ("orders.csv", ORDERS))
    in_body = message("Please deliver 500 kg of 12345", message_id="<body@customer.example.com>")
    broken = message("Rich text", message_id="<rich@customer.example.com>")
    broken.add_attachment(
        b"\x78\x9f\x3e\x22\x01\x00\x01\x04\x80",
        maintype="application",
        subtype="ms-tnef",
        filename="winmail.dat",
    )
    _land(
        tmp_path / "landing",
        {
            "outlook/order.eml": order.as_bytes(),
            "outlook/body.eml": in_body.as_bytes(),
            "outlook/broken.eml": broken.as_bytes(),
        },
    )
    result = _run(file_settings, instance)
    raw = WarehouseResource(url=file_settings.warehouse_url).raw()

    lines = raw.records_frame("outlook/order_lines")
    assert len(lines) == 2
    line = lines.iloc[1]
    assert line["source_file"] == "outlook/order.eml"
    assert (line["row_number"], line["attachment_line"]) == (3, "3")
    assert line["message_id"] == line["outer_message_id"] == "<order@customer.example.com>"
    assert (line["attachment"], line["container_path"]) == ("orders.csv", "Order 4711")
    assert line["_part"] == "Order 4711 > orders.csv"
    stored = raw.first_attachment(line["attachment_sha256"], "elsewhere")
    assert stored == "outlook/order.eml: Order 4711 > orders.csv"

    review = _check(result, "every_mail_yields_lines")
    assert not review.passed
    assert review.severity == dg.AssetCheckSeverity.WARN
    assert review.metadata["measured"].value == "2 of 3 mail files need review (66.7%)"
    table = str(review.metadata["failing_rows"].value)
    assert "outlook/body.eml" in table
    assert "the mail has no attachment" in table
    assert "outlook/broken.eml" in table
    assert "winmail.dat (TNEF) cannot be decoded" in table
    assert "outlook/order.eml" not in table


def test_limits_come_from_the_settings(
    tmp_path: Path,
    file_settings: PlatformSettings,
    instance: dg.DagsterInstance,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PHARMA_MAIL_ATTACHMENT_MAX_BYTES", "1024")
    monkeypatch.setenv("PHARMA_MAIL_MAX_DEPTH", "3")
    loaded = load_settings()
    assert (loaded.mail_attachment_max_bytes, loaded.mail_max_depth) == (1024, 3)
    settings = file_settings.model_copy(update={"mail_attachment_max_bytes": 1024})
    big = _mail(
        "Big", "<big@customer.example.com>", ("orders.csv", ORDERS), ("dump.csv", b"9" * 4096)
    )
    _land(tmp_path / "landing", {"outlook/big.eml": big.as_bytes()})
    _run(settings, instance)
    raw = WarehouseResource(url=settings.warehouse_url).raw()
    [reject] = raw.rejects("outlook/messages")
    assert "attachment 'dump.csv'" in reject.reason
    assert "over the limit of 1.0 KiB per attachment" in reject.reason
    assert len(raw.records_frame("outlook/order_lines")) == 2


def test_settings_reach_the_landing_zone_resource() -> None:
    settings = settings_for(Path("/nowhere"), PlatformSettings(mail_max_bytes=2048))
    landing = build_resources(settings)["landing"]
    assert landing.read_limits().mail_bytes == 2048  # type: ignore[attr-defined]


def test_br09_landing_twice_loads_every_line_once(
    tmp_path: Path, file_settings: PlatformSettings, instance: dg.DagsterInstance
) -> None:
    original = (case_dir("BR-09") / "forwarded_forecast.eml").read_bytes()
    # Saved again by a mail client: other bytes (a header more), the same Message-ID.
    resaved = b"X-Saved-By: Outlook\r\n" + original
    _land(
        tmp_path / "landing",
        {
            "outlook/forwarded_forecast.eml": original,
            "outlook/copy/forwarded_forecast (1).eml": original,
            "outlook/saved again.eml": resaved,
        },
    )
    first = _run(file_settings, instance)
    again = _run(file_settings, instance)
    assert first.success
    assert again.success
    raw = WarehouseResource(url=file_settings.warehouse_url).raw()
    assert len(raw.records_frame("outlook/order_lines")) == 5
    assert len(raw.records_frame("outlook/forecast_lines")) == 3
    assert len(raw.records_frame("outlook/attachments")) == 4
    # Files load in path order: the copy's folder sorts first, so it is the first occurrence.
    statuses = {(f.relative_path, f.status) for f in raw.loaded_files()}
    assert statuses == {
        ("outlook/copy/forwarded_forecast (1).eml", "loaded"),
        ("outlook/saved again.eml", "duplicate"),
    }
    reasons = {f.quarantine_reason for f in raw.loaded_files() if f.status == "duplicate"}
    assert all("'outlook/copy/forwarded_forecast (1).eml'" in (r or "") for r in reasons)
