"""S/4HANA API records in JSON: OData V2/V4 responses and API-call logs.

Accepted envelopes:

- ``{"d": {"results": [...]}}`` or ``{"d": {...}}`` (OData V2);
- ``{"value": [...]}`` (OData V4);
- a log record ``{"cursor", "function", "level", "message": [...] | {...}, "time"}``
  as the latonaio SAP API callers write it;
- a bare list of records.

Property names are header variants of the SAP kinds (``ManufacturingOrder``
is ``production_orders.order``). Values become text: strings as sent,
booleans ``true``/``false``, ``null`` blank, nested objects as compact JSON;
``__metadata`` is dropped. OData always writes decimals with a point.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

_LOG_KEYS = {"cursor", "function", "level", "message", "time"}


class NotRecordsError(ValueError):
    """The JSON document holds no list of records."""


@dataclass(frozen=True)
class JsonRecords:
    """Records of a JSON document, flattened to text, and which envelope held them."""

    envelope: str
    header: tuple[str, ...]
    rows: list[list[str]]
    function: str = ""


def looks_like_json(data: bytes) -> bool:
    # A head, not the whole file: stripping would copy all of it.
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return head in (b"{", b"[")


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return json.dumps(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _unwrap(document: Any) -> tuple[str, Any, str]:
    if isinstance(document, dict):
        if document.keys() >= _LOG_KEYS or {"function", "message"} <= document.keys():
            return "api-call-log", document["message"], str(document.get("function", ""))
        if "d" in document and isinstance(document["d"], dict):
            inner = document["d"]
            return "odata-v2", inner.get("results", inner), ""
        if "value" in document and isinstance(document["value"], list):
            return "odata-v4", document["value"], ""
        return "json-record", document, ""
    return "json-records", document, ""


def read_records(data: bytes) -> JsonRecords:
    """Parse ``data`` and flatten its records; raises ValueError with a precise reason."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise NotRecordsError(
            f"JSON must be UTF-8; byte 0x{data[error.start]:02X} at byte offset "
            f"{error.start} is not valid UTF-8"
        ) from error
    except json.JSONDecodeError as error:
        raise NotRecordsError(
            f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from error
    envelope, payload, function = _unwrap(document)
    records: Sequence[Any] = payload if isinstance(payload, list) else [payload]
    if not records or not all(isinstance(r, dict) for r in records):
        kinds = sorted({type(r).__name__ for r in records}) or ["nothing"]
        raise NotRecordsError(
            f"the {envelope} envelope holds {', '.join(kinds)}, not a list of records (objects)"
        )
    header: dict[str, None] = {}
    for record in records:
        for name in record:
            if name != "__metadata":
                header.setdefault(name, None)
    names = tuple(header)
    rows = [[_as_text(record.get(name)) for name in names] for record in records]
    return JsonRecords(envelope=envelope, header=names, rows=rows, function=function)
