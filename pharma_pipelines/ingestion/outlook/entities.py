"""Outlook extract kinds: messages, their data files, and order or forecast lines.

``messages`` and ``attachments`` are built from the MIME (or MSG/TNEF)
structure, not from headers, so their specs only name the fields. Order and
forecast lines come from CSV or XLSX attachments whose header maps to them.
"""

from __future__ import annotations

from pharma_pipelines.ingestion.schema import EntitySpec, day, key, number, text

MESSAGES = EntitySpec(
    "outlook/messages",
    (
        key("message_id", required=True),
        key("parent_message_id"),
        text("container_path"),
        text("subject"),
        text("sender"),
        text("recipients"),
        text("cc"),
        text("sent_at"),
        text("date_header"),
        text("body_text"),
        text("body_source"),
        number("attachment_count"),
        number("attached_message_count"),
        text("message_format"),
        text("review_reason"),
    ),
    "e-mail messages, including messages attached to messages",
)

ATTACHMENTS = EntitySpec(
    "outlook/attachments",
    (
        key("message_id", required=True),
        key("parent_message_id"),
        text("container_path"),
        text("file_name", required=True),
        text("name_source"),
        text("content_type"),
        text("disposition"),
        number("size"),
        key("sha256", required=True),
        text("name_as_sent"),
        text("duplicate_of"),
    ),
    "data files attached to messages, at any depth of attached messages",
)

_MATERIAL = (
    "Material",
    "Customer Material",
    "Material Number",
    "Materialnummer",
    "MATNR",
    "Artikel",
)
_QUANTITY = ("Quantity", "Menge", "Qty", "Order Quantity", "Bestellmenge")
_UNIT = ("Unit", "ME", "UoM", "Unit of Measure", "Einheit")
_CUSTOMER = ("Customer", "Kunde", "Customer Name", "Sold-to", "Auftraggeber")

ORDER_LINES = EntitySpec(
    "outlook/order_lines",
    (
        key("message_id"),
        key("outer_message_id"),
        text("attachment"),
        text("container_path"),
        key("attachment_sha256"),
        number("attachment_line"),
        text("customer", *_CUSTOMER),
        key(
            "po_number",
            "PO Number",
            "Bestellnummer",
            "PO",
            "PO No",
            "Customer PO",
            "Order ID",
            "Order Number",
            "Auftragsnummer",
        ),
        key("item", "Item", "Position", "Pos", "PO Item"),
        key("material", *_MATERIAL, required=True),
        number("quantity", *_QUANTITY, required=True),
        key("unit", *_UNIT),
        day(
            "requested_date",
            "Requested Date",
            "Wunschtermin",
            "Due Date",
            "Delivery Date",
            "Requested Delivery Date",
            "Liefertermin",
            required=True,
        ),
    ),
    "customer order lines read from CSV or XLSX attachments",
)

FORECAST_LINES = EntitySpec(
    "outlook/forecast_lines",
    (
        key("message_id"),
        key("outer_message_id"),
        text("attachment"),
        text("container_path"),
        key("attachment_sha256"),
        number("attachment_line"),
        text("customer", *_CUSTOMER),
        key("material", *_MATERIAL, required=True),
        text("period", "Week", "KW", "Kalenderwoche", "Period", "Month", "Monat", required=True),
        number("quantity", "Forecast", "Forecast Quantity", "Prognose", *_QUANTITY, required=True),
        key("unit", *_UNIT),
    ),
    "customer demand forecasts per material and period, read from attachments",
)

LINE_SPECS = (ORDER_LINES, FORECAST_LINES)
