"""Records of any tabular source to raw rows and rejects.

Whatever the source (delimited text, a worksheet, API records, an
attachment), a table arrives here as a header and records. Values stay text;
a record is rejected only when it can never be used:

- it holds a byte that is invalid in the file's encoding;
- it has more non-empty fields than the header has columns, or so few that a
  required column is missing (a record broken across lines or truncated);
  leaving out optional trailing columns is allowed and counted in
  ``short_records``, empty fields past the last column in ``long_records``;
- a required field is blank;
- a number field does not parse under the file's number format, which is
  detected once from all number fields of the file;
- a date field does not parse.

A record whose fields are all blank is no record: it is counted in
``blank_records`` and neither loaded nor rejected. Neither is a repetition of
the header (list output repeats it on every page): ``repeated_headers``.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from pharma_pipelines.ingestion.encoding import DamagedByte, has_damage, show_damage, storable
from pharma_pipelines.ingestion.model import ParsedExtract, RawRow, RowReject
from pharma_pipelines.ingestion.schema import (
    EntitySpec,
    FieldKind,
    FieldSpec,
    repeated_fields,
    unique_keys,
)
from pharma_pipelines.values import (
    DECIMAL_POINT,
    NumberFormat,
    NumberFormatDetection,
    ValueRuleError,
    detect_number_format,
    is_blank,
    parse_inverted_date,
    parse_sap_date,
    parse_sap_number,
)


@dataclass(frozen=True)
class SourceRecord:
    """One record before validation: where it starts and its fields in header order."""

    number: int
    fields: Sequence[str]


@dataclass(frozen=True)
class Table:
    """A header mapped onto a kind, ready to turn records into rows."""

    spec: EntitySpec
    header: tuple[str, ...]
    columns: dict[int, str]

    @property
    def keys(self) -> list[str]:
        return unique_keys(self.header, self.columns)

    def field_at(self, index: int) -> FieldSpec | None:
        name = self.columns.get(index)
        return self.spec.field(name) if name is not None else None


Locator = Callable[[int], str]
"""Says where a record is, e.g. ``lambda n: f"{path} line {n}"``."""


def number_columns(table: Table) -> list[int]:
    """The columns whose values decide the file's number format.

    Those of the number fields; for a kind without any (wide LIMS results), the unmapped
    columns, which the curated layer reads as numbers.
    """
    if not any(f.kind is FieldKind.NUMBER for f in table.spec.fields):
        return [i for i in range(len(table.header)) if i not in table.columns]
    return [
        i for i, name in table.columns.items() if table.spec.field(name).kind is FieldKind.NUMBER
    ]


def untyped_columns(table: Table) -> list[int]:
    """The text and unmapped columns: they decide the number format when nothing else does."""
    return [
        i
        for i in range(len(table.header))
        if i not in table.columns or table.spec.field(table.columns[i]).kind is FieldKind.TEXT
    ]


def _column_values(records: Sequence[SourceRecord], columns: list[int]) -> Iterable[str]:
    for record in records:
        for index in columns:
            if index < len(record.fields):
                yield record.fields[index]


def detect_format(
    table: Table, records: Sequence[SourceRecord], default: NumberFormat
) -> NumberFormatDetection:
    """The number format of the file, decided once from every number field's values.

    Wide LIMS results have no number fields, but their test columns are what
    the curated layer reads as numbers, so those decide there. When no number
    field decides, the text and unmapped columns may (never dates or keys).
    """
    detection = detect_number_format(
        _column_values(records, number_columns(table)), default=default
    )
    if not detection.assumed:
        return detection
    return detect_number_format(_column_values(records, untyped_columns(table)), default=default)


Problem = tuple[str, str]
"""A broken rule's name (see ``REJECT_RULES``) and what was found."""

_DATE_PARSERS = {FieldKind.DATE: parse_sap_date, FieldKind.INVERTED_DATE: parse_inverted_date}


def _problem(field: FieldSpec, value: str, detection: NumberFormatDetection) -> Problem | None:
    """What is wrong with a value of ``field``, or ``None`` when it can be used."""
    if is_blank(value):
        if field.required:
            return "value.required", (
                f"required {field.name!r} is blank; every row needs a value there"
            )
        return None
    if field.kind is FieldKind.IDENTIFIER and (why := _not_one_identifier(value)):
        return "value.identifier", (
            f"found {storable(value)!r} for identifier {field.name!r}, which {why}; "
            "allowed: one key on one line (letters, digits and punctuation, leading zeros kept)"
        )
    try:
        if field.kind is FieldKind.NUMBER:
            parse_sap_number(value, detection.format)
        elif (parse := _DATE_PARSERS.get(field.kind)) and parse(value).is_empty and field.required:
            return "value.required", (
                f"required {field.name!r} is {value.strip()!r}, which means no date"
            )
    except ValueRuleError as error:
        found = f"found {error.value!r}, which {error.rule}"
        if field.kind is FieldKind.NUMBER:
            found += f" ({detection.describe()})"
        rule = "value.number" if field.kind is FieldKind.NUMBER else "value.date"
        return rule, f"{found}; allowed: {error.allowed}"
    return None


def _not_one_identifier(value: str) -> str | None:
    """Why a text cannot be a key: several values in one (a JSON list or object), or lines."""
    stripped = value.strip()
    if stripped[:1] in "[{" and stripped[-1:] in "]}":
        try:
            loaded = json.loads(stripped)
        except ValueError:
            loaded = None
        if isinstance(loaded, list | dict):
            shape = "list" if isinstance(loaded, list) else "object"
            return f"is a JSON {shape} (several values where one key belongs)"
    if "\n" in value or "\r" in value:
        return "holds a line break"
    return None


@dataclass(frozen=True)
class Checked:
    """What one record is: ``blank``, a ``repeated`` header, a ``row`` or a ``reject``.

    ``short`` marks a record that left out optional trailing columns (counted in
    ``short_records`` whether or not a value of it is then rejected), ``long`` one with
    empty fields past the last column (``long_records``).
    """

    outcome: str
    row: RawRow | None = None
    reject: RowReject | None = None
    short: bool = False
    long: bool = False


BLANK = Checked("blank")
REPEATED = Checked("repeated")


class RecordRules:
    """The rules one record of a table must pass, in the order :func:`build_extract` applies them.

    Kept apart from the loop so that a reader which settles most records column by column
    (the columnar reader) can hand the few it cannot settle to exactly these rules.
    """

    def __init__(
        self,
        table: Table,
        detection: NumberFormatDetection,
        *,
        locate: Locator,
        codec: str,
        extra: Callable[[SourceRecord], dict[str, str]] | None = None,
        cut_line: int | None = None,
    ) -> None:
        self.table = table
        self.cut_line = cut_line
        self.detection = detection
        self.locate = locate
        self.codec = codec
        self.extra = extra
        self.keys = table.keys
        self.width = len(table.header)
        self.fields = [table.field_at(i) for i in range(self.width)]
        self.header_again = [h.strip() for h in table.header]
        self.repeats = repeated_fields(table.header, table.spec, table.columns)

    def check(self, record: SourceRecord, damage: list[DamagedByte]) -> Checked:
        """Settle one record; ``damage`` lists the undecodable bytes inside it."""
        table, width = self.table, self.width
        values_in = list(record.fields)
        if all(is_blank(v) for v in values_in):
            return BLANK
        if [v.strip() for v in values_in[:width]] == self.header_again:
            return REPEATED
        where = self.locate(record.number)
        if len(values_in) < width and record.number == self.cut_line:
            return Checked("reject", reject=_cut_reject(record, width, where))
        reject = _shape_reject(record, table, where)
        if reject is not None:
            return Checked("reject", reject=reject)
        short = len(values_in) < width
        long = len(values_in) > width
        if short:
            values_in += [""] * (width - len(values_in))
        problems = [
            (index, problem)
            for index, value in enumerate(values_in[:width])
            if (
                problem := _value_problem(
                    value, self.fields[index], self.detection, damage, self.codec
                )
            )
        ]
        problems += [
            (
                later,
                (
                    "record.conflicting_repeat",
                    f"gives {canonical} {values_in[later]!r}, but column "
                    f"{table.header[first]!r} gives {values_in[first]!r}",
                ),
            )
            for first, later, canonical in self.repeats
            if later < len(values_in)
            and values_in[first].strip()
            and values_in[later].strip()
            and values_in[first].strip() != values_in[later].strip()
        ]
        if problems:
            first, (rule, _) = problems[0]
            detail = "; ".join(f"column {table.header[i]!r}: {p}" for i, (_, p) in problems)
            return Checked(
                "reject",
                reject=RowReject(
                    row_number=record.number,
                    column=table.header[first],
                    raw_value=storable(values_in[first]),
                    reason=f"{where}, {detail}",
                    rule=rule,
                ),
                short=short,
                long=long,
            )
        values = {k: ("" if is_blank(v) else v) for k, v in zip(self.keys, values_in, strict=False)}
        if self.extra is not None:
            values.update(self.extra(record))
        return Checked(
            "row", row=RawRow(row_number=record.number, values=values), short=short, long=long
        )


def build_extract(
    table: Table,
    records: Sequence[SourceRecord],
    *,
    locate: Locator,
    encoding: str,
    layout: str,
    number_format: NumberFormat | None = None,
    default_format: NumberFormat = DECIMAL_POINT,
    part: str = "",
    extra: Callable[[SourceRecord], dict[str, str]] | None = None,
    damaged: Sequence[DamagedByte] = (),
    codec: str = "",
    cut_line: int | None = None,
) -> tuple[ParsedExtract, NumberFormatDetection]:
    """Validate ``records`` against ``table`` into an extract whose counts reconcile.

    ``number_format`` fixes the format (API records, worksheets); otherwise it
    is detected from the records with ``default_format`` when nothing decides.
    ``extra`` adds lineage values (message id, attachment) to every row;
    ``damaged`` (with the ``codec`` they broke) lets a reject name the byte,
    its offset and its line. ``cut_line`` is the line of a last record the text ends
    inside (no line break after it): short there, it is a cut-off file, not a record
    that leaves out optional columns.
    """
    if number_format is not None:
        detection = NumberFormatDetection(format=number_format, assumed=True)
    else:
        detection = detect_format(table, records, default_format)
    rules = RecordRules(
        table, detection, locate=locate, codec=codec or encoding, extra=extra, cut_line=cut_line
    )
    rows: list[RawRow] = []
    rejects: list[RowReject] = []
    tally = {"blank": 0, "repeated": 0, "short": 0, "long": 0}
    damage_at = damage_by_record([r.number for r in records], damaged)
    for record in records:
        checked = rules.check(record, damage_at.get(record.number, []))
        tally["short"] += checked.short
        tally["long"] += checked.long
        if checked.row is not None:
            rows.append(checked.row)
        elif checked.reject is not None:
            rejects.append(checked.reject)
        else:
            tally[checked.outcome] += 1
    extract = ParsedExtract(
        entity=table.spec.entity,
        rows=rows,
        rejects=rejects,
        encoding=encoding,
        layout=layout,
        part=part,
        header_map=dict(zip(rules.keys, table.header, strict=True)),
        blank_records=tally["blank"],
        short_records=tally["short"],
        long_records=tally["long"],
        repeated_headers=tally["repeated"],
        decimal_separator=detection.format.decimal,
    )
    return extract, detection


# A UTF-8 letter such as "ü" (C3 BC) read as Windows-1252 turns into "Ã¼": a lead
# character from U+00C2..U+00DF followed by what the continuation bytes 80..BF decode to.
_CONTINUATION = "".join(
    ch for byte in range(0x80, 0xC0) if (ch := bytes([byte]).decode("cp1252", "ignore"))
)
_UTF8_AS_CP1252 = re.compile(f"[\u00c2-\u00df][{re.escape(_CONTINUATION)}]")


def _value_problem(
    value: str,
    field: FieldSpec | None,
    detection: NumberFormatDetection,
    damage: list[DamagedByte],
    codec: str,
) -> Problem | None:
    """Why one value keeps its record out, or ``None`` when it can be stored."""
    if has_damage(value):
        return "encoding.undecodable", _damage_problem(value, damage, codec)
    if "\x00" in value:
        return "text.nul", (
            f"holds a NUL character ({storable(value)!r}), which no text field can store; "
            "the source is binary or mis-encoded there"
        )
    if codec in ("cp1252", "Windows-1252") and (mangled := _UTF8_AS_CP1252.search(value)):
        return "encoding.mixed", (
            f"holds {mangled.group()!r}, UTF-8 bytes read as Windows-1252 "
            f"({storable(value)!r}): the file mixes two encodings, so this row's text "
            "cannot be trusted"
        )
    if "\ufeff" in value:
        return "text.bom", (
            f"holds a byte-order mark U+FEFF ({storable(value)!r}), an invisible character "
            "that would make this value differ from the same text elsewhere; files were "
            "joined with their BOMs"
        )
    return _problem(field, value, detection) if field is not None else None


def damage_by_record(
    starts: Sequence[int], damaged: Sequence[DamagedByte]
) -> dict[int, list[DamagedByte]]:
    """The damaged bytes inside each record, by the record's first line (``starts``)."""
    if not damaged:
        return {}
    ordered = sorted(starts)
    found: dict[int, list[DamagedByte]] = {}
    for byte in damaged:
        index = bisect.bisect_right(ordered, byte.line) - 1
        if index >= 0:
            found.setdefault(ordered[index], []).append(byte)
    return found


def _damage_problem(value: str, found: list[DamagedByte], codec: str) -> str:
    where = "; ".join(b.describe(codec) for b in found) if found else f"not valid {codec}"
    return (
        f"{where}: found {show_damage(value)!r}; the record is kept out rather than stored "
        "with letters lost or replaced"
    )


def _whole_record(record: SourceRecord, rule: str, reason: str) -> RowReject:
    """A reject about the record's shape: its fields are kept joined, bad bytes shown."""
    return RowReject(
        row_number=record.number,
        column=None,
        raw_value=show_damage(" | ".join(record.fields)),
        reason=reason,
        rule=rule,
    )


def _cut_reject(record: SourceRecord, width: int, where: str) -> RowReject:
    return _whole_record(
        record,
        "record.truncated",
        f"{where}: the file ends inside this record, with no line break after its "
        f"{len(record.fields)} of {width} fields: the file looks cut off (an interrupted "
        "export or transfer), so its last values cannot be trusted; land the whole file again",
    )


def _shape_reject(record: SourceRecord, table: Table, where: str) -> RowReject | None:
    width = len(table.header)
    count = len(record.fields)
    if count > width and any(not is_blank(v) for v in record.fields[width:]):
        extra = [v for v in record.fields[width:] if not is_blank(v)]
        return _whole_record(
            record,
            "record.extra_fields",
            f"{where}: the record has {count} fields but the header has {width} columns; "
            f"the extra fields are not empty ({extra[:3]!r}); a separator inside a value "
            "must be quoted",
        )
    if count < width:
        missing = [
            name
            for i, name in table.columns.items()
            if i >= count and table.spec.field(name).required
        ]
        if missing:
            return _whole_record(
                record,
                "record.missing_required",
                f"{where}: the record has {count} fields but the header has {width} columns, "
                f"so required {', '.join(missing)} is missing; a record may leave out only "
                "optional trailing columns (it may be broken across lines or truncated)",
            )
    return None
