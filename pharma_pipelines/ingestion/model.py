"""The records the ingestion context hands to the raw layer.

Every value of a source record stays the original text; only column names are
conformed to canonical field names (see ``docs/raw-entities.md``). A record that
can never be used becomes a :class:`RowReject` instead of a :class:`RawRow`, so
``rows_read == rows loaded + rows rejected`` holds for every extract.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


def content_hash(data: bytes) -> str:
    """SHA-256 of ``data`` as lowercase hex: the identity of a file or attachment."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class RawRow:
    """One source record, every value kept as the original text.

    ``row_number`` is the 1-based physical line in the file where the record
    starts (header lines counted), or the 1-based record index for JSON and
    e-mail sources. ``values`` maps canonical field names to the original text
    (``''`` when blank); unmapped columns stay under their original header.
    """

    row_number: int
    values: dict[str, str]


@dataclass(frozen=True)
class RowReject:
    """A source record that can never be used, and why.

    ``reason`` says what was found, the rule it breaks and what is allowed.
    ``column`` is the original header (or canonical field for JSON and e-mail
    sources) the finding is about, ``None`` when it concerns the whole record.
    ``rule`` is the stable name of the broken rule (one of :data:`REJECT_RULES`),
    so rejects can be counted and filtered by kind of fault.
    """

    row_number: int
    column: str | None
    raw_value: str | None
    reason: str
    rule: str

    def __post_init__(self) -> None:
        if self.rule not in REJECT_RULES:
            raise ValueError(f"unknown reject rule {self.rule!r}")


REJECT_RULES: dict[str, str] = {
    "encoding.undecodable": "a byte that is invalid in the file's encoding",
    "encoding.mixed": "UTF-8 text inside a Windows-1252 file",
    "text.nul": "a NUL character, which no text field can store",
    "text.bom": "a byte-order mark inside a value",
    "value.required": "a required value is blank or means no date",
    "value.number": "a number that does not fit the file's number format",
    "value.date": "a date that is not in an accepted form or not in the calendar",
    "value.unit": "a unit of measure that is not in the unit table",
    "value.identifier": "an identifier that is not a single text value",
    "record.extra_fields": "more non-empty fields than the header has columns",
    "record.missing_required": "a short record that leaves out a required column",
    "record.conflicting_repeat": "two columns for one field with different values",
    "record.unclosed_quote": "a quoted field that never closes",
    "record.truncated": "a short last record the file ends inside: the file was cut off",
    "record.layout": "a line of a report layout that fits no part of the report",
    "mail.unreadable": "a message whose body or headers cannot be read",
}
"""Every rule a rejected record can break, with what it means."""


@dataclass(frozen=True)
class ExtractedAttachment:
    """A data file found in an e-mail, at any depth of attached messages.

    ``message_id`` is the outermost message of the file; ``container_path``
    names the chain of containers down to the file (outer subject, then each
    attached message's file name or subject, then ``winmail.dat`` for TNEF),
    joined with ``' > '``. ``name_source`` says where ``file_name`` came from:
    ``content-disposition``, ``content-type``, ``content-description``,
    ``tnef-long-name``, ``tnef-title``, ``msg-long-name``, ``msg-short-name``,
    ``msg-display-name`` or ``generated`` when the source named it nowhere.
    ``file_name`` is always one plain file name (see ``outlook.names``);
    ``name_as_sent`` is the name the mail gave, as text. ``duplicate_of`` names the
    first attachment with the same bytes (file, container path and name), when
    there was one.
    """

    message_id: str
    container_path: str
    file_name: str
    content_type: str
    content: bytes
    sha256: str
    parent_message_id: str = ""
    name_source: str = "generated"
    disposition: str = "attachment"
    name_as_sent: str = ""
    duplicate_of: str = ""

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass
class ParsedExtract:
    """The rows of one entity read from one file (or one part of it).

    ``layout`` describes how the source was read, e.g. ``csv sep=';'
    decimal=','``; ``part`` names the sheet or attachment inside the file
    when the file has several; ``header_map`` maps each key of
    :attr:`RawRow.values` to the original header it was read from;
    ``blank_records`` counts records that were entirely blank and
    ``repeated_headers`` repetitions of the header (neither is a row);
    ``short_records`` counts rows that left out optional trailing columns,
    ``long_records`` rows that carried empty fields past the last column (an export
    that ends lines with a separator; nothing is lost with them);
    ``decimal_separator`` is the one the numbers were read with, for sources
    that write numbers as text (``None`` for JSON and mail metadata).
    """

    entity: str
    rows: list[RawRow]
    rejects: list[RowReject]
    encoding: str
    layout: str
    part: str = ""
    header_map: dict[str, str] = field(default_factory=dict)
    blank_records: int = 0
    short_records: int = 0
    long_records: int = 0
    repeated_headers: int = 0
    decimal_separator: str | None = None

    @property
    def rows_read(self) -> int:
        return len(self.rows) + len(self.rejects)


@dataclass
class Classification:
    """Which extract kind a file is, or why it is none of them."""

    kind: str | None
    reason: str


@dataclass
class ParsedFile:
    """Everything read from one landed file.

    ``quarantine_reason`` is set when the file cannot be read at all; then
    ``extracts`` is empty. ``notes`` carries findings that reject nothing but
    a person should see (an attachment that looks like an order list but is
    not one, a message without any date).
    """

    relative_path: str
    content_hash: str
    extracts: list[ParsedExtract]
    attachments: list[ExtractedAttachment]
    quarantine_reason: str | None
    kind: str | None = None
    notes: list[str] = field(default_factory=list)

    def extract(self, entity: str) -> ParsedExtract | None:
        """The first extract of ``entity``, or ``None`` when the file has none."""
        return next((e for e in self.extracts if e.entity == entity), None)
