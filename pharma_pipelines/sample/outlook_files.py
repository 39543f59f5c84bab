"""Customer order mails as Outlook saves them: multipart/mixed ``.eml`` with real MIME.

Each customer sends its order lines in its own sheet: a CSV or an XLSX, English or German
headers. The Klinikum's mail reached the order desk only as an attachment of an internal
forward (``message/rfc822``), so its CSV sits one message deep. Boundaries and Message-IDs
are derived from the seed, so the bytes never change between runs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from zoneinfo import ZoneInfo

from pharma_pipelines.sample.model import Customer, CustomerOrderLine, Plant
from pharma_pipelines.sample.tables import Table, TextLayout
from pharma_pipelines.sample.workbook import Cell, workbook_bytes

BERLIN = ZoneInfo("Europe/Berlin")
LONDON = ZoneInfo("Europe/London")
ORDER_DESK = Address(
    "Auftragsannahme Pharmawerk Nord", "auftragsannahme", "pharmawerk-nord.example"
)
SALES_REP = Address("Markus Vogel", "m.vogel", "pharmawerk-nord.example")

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_ENGLISH_HEADER = ["PO Number", "Item", "Material", "Quantity", "Unit", "Requested Date"]
_GERMAN_HEADER = ["Bestellnummer", "Position", "Material", "Menge", "ME", "Wunschtermin"]

_SENT = {
    "ACME": (-5, 10, 42, LONDON),
    "AURELIA": (-4, 9, 15, LONDON),
    "NORDAPO": (-2, 7, 58, BERLIN),
    "KLINIKUMSUED": (-2, 14, 12, BERLIN),
}
_FORWARDED = (-1, 8, 47)


@dataclass
class Sheet:
    """An order-line attachment; rows stay typed until the file is written."""

    file_name: str
    content_type: str
    header: list[str]
    rows: list[list[Cell]]
    german: bool
    author: str
    layout: TextLayout | None = None

    def line_of(self, row_index: int) -> int:
        return row_index + 2

    def render(self, saved_at: dt.datetime) -> bytes:
        if self.layout is None:
            date_format = "DD.MM.YYYY" if self.german else "yyyy-mm-dd"
            title = "Bestellung" if self.german else "Order"
            return workbook_bytes(title, self.header, self.rows, self.author, saved_at, date_format)
        text_rows = [[self._text(cell) for cell in row] for row in self.rows]
        return Table(self.file_name, None, self.layout, self.header, text_rows).render()

    def _text(self, cell: Cell) -> str:
        if isinstance(cell, dt.date):
            return cell.strftime("%d.%m.%Y") if self.german else cell.isoformat()
        return str(cell)


@dataclass
class Mail:
    path: str | None
    sender: Address
    recipient: Address
    subject: str
    sent_at: dt.datetime
    message_id: str
    body: str
    language: str
    sheets: list[Sheet] = field(default_factory=list)
    attached_message: Mail | None = None
    attached_name: str | None = None


def build_mails(plant: Plant) -> list[Mail]:
    mails = []
    for customer in plant.customers:
        lines = [line for line in plant.order_lines if line.customer == customer.key]
        mail = _customer_mail(plant, customer, lines)
        if customer.forwarded_by is not None:
            mail = _forward(plant, mail)
        mails.append(mail)
    return mails


def _customer_mail(plant: Plant, customer: Customer, lines: Sequence[CustomerOrderLine]) -> Mail:
    days, hour, minute, zone = _SENT[customer.key]
    day = plant.plan_date + dt.timedelta(days=days)
    sent_at = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
    local, domain = customer.address.split("@")
    po_number = lines[0].po_number
    sender = Address(customer.contact, local, domain)
    recipient = SALES_REP if customer.forwarded_by else ORDER_DESK
    return Mail(
        path=f"outlook/{sent_at:%Y%m%d}_order_{customer.key}.eml",
        sender=sender,
        recipient=recipient,
        subject=f"Bestellung {po_number}" if customer.german else f"Purchase order {po_number}",
        sent_at=sent_at,
        message_id=_message_id(plant.seed, customer.key, domain),
        body=_order_body(customer, po_number, len(lines)),
        language="de-DE" if customer.german else "en-GB",
        sheets=[_sheet(customer, lines)],
    )


def _forward(plant: Plant, original: Mail) -> Mail:
    """The sales rep forwards the customer's mail as an attachment to the order desk."""
    days, hour, minute = _FORWARDED
    day = plant.plan_date + dt.timedelta(days=days)
    sent_at = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)
    body = (
        "Hallo zusammen,\n\n"
        "bitte die angehängte Bestellung vom Klinikum Süd erfassen, sie kam bei mir an.\n\n"
        "Gruß\nMarkus Vogel\nVertrieb Krankenhausmarkt\n"
    )
    inner = Mail(
        path=None,
        sender=original.sender,
        recipient=original.recipient,
        subject=original.subject,
        sent_at=original.sent_at,
        message_id=original.message_id,
        body=original.body,
        language=original.language,
        sheets=original.sheets,
    )
    return Mail(
        path=f"outlook/{sent_at:%Y%m%d}_order_KLINIKUMSUED.eml",
        sender=SALES_REP,
        recipient=ORDER_DESK,
        subject=f"WG: {original.subject} – Klinikum Süd",
        sent_at=sent_at,
        message_id=_message_id(plant.seed, "forward", "pharmawerk-nord.example"),
        body=body,
        language="de-DE",
        attached_message=inner,
        attached_name=f"{original.subject}.eml",
    )


def _sheet(customer: Customer, lines: Sequence[CustomerOrderLine]) -> Sheet:
    header = list(_GERMAN_HEADER if customer.german else _ENGLISH_HEADER)
    rows: list[list[Cell]] = [
        [line.po_number, line.item, line.material, line.quantity, line.unit, line.requested_date]
        for line in lines
    ]
    safe_po = lines[0].po_number.replace("/", "-")
    if customer.sheet == "xlsx":
        header.insert(0, "Kunde" if customer.german else "Customer")
        rows = [[customer.name, *row] for row in rows]
        prefix = "Bestellung" if customer.german else "Purchase_Order"
        return Sheet(
            f"{prefix}_{safe_po}.xlsx", _XLSX, header, rows, customer.german, customer.name
        )
    if customer.german:
        layout = TextLayout(";", "utf-8", "\r\n")
        return Sheet(
            f"Bestellung_{safe_po}.csv",
            "application/vnd.ms-excel",
            header,
            rows,
            True,
            customer.name,
            layout,
        )
    layout = TextLayout(",", "utf-8", "\r\n")
    return Sheet(
        f"{customer.key}_{safe_po}.csv", "text/csv", header, rows, False, customer.name, layout
    )


def _order_body(customer: Customer, po_number: str, line_count: int) -> str:
    if customer.german:
        return (
            "Guten Tag,\n\n"
            f"anbei unsere Bestellung {po_number} mit {line_count} Positionen.\n"
            "Bitte bestätigen Sie die Liefertermine.\n\n"
            f"Mit freundlichen Grüßen\n{customer.contact}\n{customer.name}\n"
        )
    return (
        "Hello,\n\n"
        f"please find attached our purchase order {po_number} ({line_count} lines).\n"
        "Kindly confirm the delivery dates.\n\n"
        f"Best regards\n{customer.contact}\n{customer.name}\n"
    )


def _message_id(seed: int, key: str, domain: str) -> str:
    token = hashlib.sha256(f"{seed}:{key}".encode()).hexdigest()[:28].upper()
    return f"<{token}@{domain}>"


def render_mail(mail: Mail) -> bytes:
    message = _message(mail)
    token = mail.message_id.strip("<>").split("@")[0][:16]
    multiparts = [part for part in message.walk() if part.get_content_maintype() == "multipart"]
    for index, part in enumerate(multiparts):
        part.set_boundary(f"_{index:03d}_{token}_")
    return message.as_bytes(policy=policy.SMTP)


def _message(mail: Mail) -> EmailMessage:
    """Build the MIME tree; content headers go last because ``set_content`` clears them."""
    message = EmailMessage()
    message["From"] = mail.sender
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(mail.sent_at)
    message["Message-ID"] = mail.message_id
    message["X-Mailer"] = "Microsoft Outlook 16.0"
    message.set_content(mail.body, cte="quoted-printable")
    message.add_alternative(_html(mail.body), subtype="html", cte="quoted-printable")
    for sheet in mail.sheets:
        maintype, subtype = sheet.content_type.split("/")
        message.add_attachment(
            sheet.render(mail.sent_at), maintype=maintype, subtype=subtype, filename=sheet.file_name
        )
    if mail.attached_message is not None:
        message.add_attachment(_message(mail.attached_message), filename=mail.attached_name)
    message["Content-Language"] = mail.language
    return message


def _html(body: str) -> str:
    paragraphs = "".join(
        f"<p>{html.escape(block).replace(chr(10), '<br>')}</p>" for block in body.split("\n\n")
    )
    return f'<html><body style="font-family:Calibri,sans-serif">{paragraphs}</body></html>\n'
