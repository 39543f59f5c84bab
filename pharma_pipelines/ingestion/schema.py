"""Extract kinds as data: canonical fields, their header variants, and header matching.

A kind (*entity*) is a set of canonical fields; each field lists the header
variants source systems write for it (SAP technical name, German and English
labels, S/4HANA API property). A header row *is* a kind when every required
field of the kind is found among its columns. When several kinds fit, the one
that explains more columns wins, then the one with more required fields, then
the one whose source system the path names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property, lru_cache


class FieldKind(StrEnum):
    """What a field's text must be readable as; raw values stay text regardless."""

    TEXT = "text"
    IDENTIFIER = "identifier"
    NUMBER = "number"
    DATE = "date"
    INVERTED_DATE = "inverted_date"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    variants: tuple[str, ...]
    required: bool = False
    kind: FieldKind = FieldKind.TEXT


@dataclass(frozen=True)
class EntitySpec:
    """One extract kind: ``entity`` is ``<source>/<name>``, e.g. ``sap/stock``.

    ``quoted`` is False for sources whose text files never quote a field: there a ``"``
    is a letter of the value, also at the start of a field.
    """

    entity: str
    fields: tuple[FieldSpec, ...]
    summary: str
    quoted: bool = True

    @property
    def source(self) -> str:
        return self.entity.split("/", 1)[0]

    @property
    def required(self) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if f.required)

    def field(self, name: str) -> FieldSpec:
        return next(f for f in self.fields if f.name == name)

    @cached_property
    def lookup(self) -> dict[str, str]:
        """Normalised header variant -> canonical field name."""
        table: dict[str, str] = {}
        for spec in self.fields:
            for variant in (spec.name, *spec.variants):
                table.setdefault(normalize_header(variant), spec.name)
        return table


def text(name: str, *variants: str, required: bool = False) -> FieldSpec:
    return FieldSpec(name, variants, required, FieldKind.TEXT)


def key(name: str, *variants: str, required: bool = False) -> FieldSpec:
    return FieldSpec(name, variants, required, FieldKind.IDENTIFIER)


def number(name: str, *variants: str, required: bool = False) -> FieldSpec:
    return FieldSpec(name, variants, required, FieldKind.NUMBER)


def day(name: str, *variants: str, required: bool = False) -> FieldSpec:
    return FieldSpec(name, variants, required, FieldKind.DATE)


def inverted_day(name: str, *variants: str, required: bool = False) -> FieldSpec:
    return FieldSpec(name, variants, required, FieldKind.INVERTED_DATE)


_WHITESPACE = re.compile(r"\s+")
_UNIT_SUFFIX = re.compile(
    r"^(?P<base>.+?)\s*(?:\(|\[)?\b(?P<unit>kg|g|mg|t|l|ml|st|pc|pcs|ea)\b(?:\)|\])?$"
)
_TECHNICAL = re.compile(r"^[A-Z][A-Z0-9_/]{2,15}-(?P<field>[A-Z][A-Z0-9_/]{1,29})$")


def normalize_header(header: str) -> str:
    """Case, width, NBSP, underscores and spacing do not matter when matching headers."""
    folded = unicodedata.normalize("NFKC", header).replace("\ufeff", "").casefold()
    return _WHITESPACE.sub(" ", folded.replace("_", " ")).strip().strip("\"'").strip()


def header_unit(header: str) -> str | None:
    """The unit a quantity header carries (``qty_kg``, ``Menge [KG]`` -> ``KG``), if any."""
    match = _UNIT_SUFFIX.match(normalize_header(header))
    return match["unit"].upper() if match else None


@lru_cache(maxsize=8192)
def _candidates(header: str) -> tuple[str, ...]:
    """The normalised forms a header is tried under, most literal first."""
    normal = normalize_header(header)
    forms = [normal]
    if match := _UNIT_SUFFIX.match(normal):
        forms.append(match["base"].strip())
    if match := _TECHNICAL.match(header.strip()):
        forms.append(normalize_header(match["field"]))
    return tuple(forms)


@dataclass(frozen=True)
class HeaderMatch:
    """How one header row maps onto one kind."""

    spec: EntitySpec
    columns: dict[int, str]
    missing: tuple[FieldSpec, ...]
    header: tuple[str, ...]
    hinted: bool = False

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def required_found(self) -> int:
        return len(self.spec.required) - len(self.missing)

    @property
    def score(self) -> tuple[int, int, int]:
        return (len(self.columns), self.required_found, int(self.hinted))

    def describe_mapping(self) -> str:
        pairs = ", ".join(f"{name}<-{self.header[i]!r}" for i, name in self.columns.items())
        return f"{pairs} ({len(self.columns)} of {len(self.header)} columns mapped)"

    def describe_missing(self) -> str:
        return "; ".join(
            f"{spec.name} (one of {', '.join(spec.variants) or spec.name})" for spec in self.missing
        )


def match_header(
    header: Sequence[str], spec: EntitySpec, *, hint: str | None = None
) -> HeaderMatch:
    """Map each column of ``header`` to a canonical field of ``spec`` (first column wins)."""
    lookup = spec.lookup
    columns: dict[int, str] = {}
    taken: set[str] = set()
    for index, name in enumerate(header):
        for form in _candidates(name):
            canonical = lookup.get(form)
            if canonical is not None and canonical not in taken:
                columns[index] = canonical
                taken.add(canonical)
                break
    missing = tuple(f for f in spec.required if f.name not in taken)
    return HeaderMatch(
        spec=spec,
        columns=columns,
        missing=missing,
        header=tuple(header),
        hinted=hint == spec.source,
    )


def repeated_fields(
    header: Sequence[str], spec: EntitySpec, columns: dict[int, str]
) -> list[tuple[int, int, str]]:
    """Columns that name a field an earlier column already maps: (first, later, field).

    The first column provides the value; a later one that disagrees with it in a row makes
    that row ambiguous.
    """
    first_of = {canonical: index for index, canonical in columns.items()}
    repeats: list[tuple[int, int, str]] = []
    for index, name in enumerate(header):
        if index in columns:
            continue
        for form in _candidates(name):
            canonical = spec.lookup.get(form)
            if canonical is not None and canonical in first_of:
                repeats.append((first_of[canonical], index, canonical))
                break
    return repeats


@dataclass
class KindChoice:
    """The best complete match for a header, the runners-up, and the closest miss."""

    best: HeaderMatch | None
    others: list[HeaderMatch] = field(default_factory=list)
    closest: HeaderMatch | None = None


def choose_kind(
    header: Sequence[str], specs: Sequence[EntitySpec], *, hint: str | None = None
) -> KindChoice:
    matches = [match_header(header, spec, hint=hint) for spec in specs]
    complete = sorted((m for m in matches if m.complete), key=lambda m: m.score, reverse=True)
    if complete:
        return KindChoice(best=complete[0], others=complete[1:])
    partial = [m for m in matches if m.columns]
    closest = max(
        partial,
        key=lambda m: (m.required_found, len(m.columns), int(m.hinted)),
        default=None,
    )
    return KindChoice(best=None, closest=closest)


def describe_miss(choice: KindChoice) -> str:
    """Why a header is no kind: the closest kind, what it matched and what it lacks."""
    closest = choice.closest
    if closest is None:
        return "no column matches a field of any extract kind"
    return (
        f"closest kind {closest.spec.entity} matched {closest.describe_mapping()} "
        f"but lacks required {closest.describe_missing()}"
    )


def unique_keys(header: Sequence[str], columns: dict[int, str]) -> list[str]:
    """The value key of every column: canonical name, or original header made unique."""
    keys: list[str] = []
    used: set[str] = set(columns.values())
    for index, name in enumerate(header):
        if index in columns:
            keys.append(columns[index])
            continue
        base = name.strip() or f"column_{index + 1}"
        candidate, n = base, 2
        while candidate in used:
            candidate, n = f"{base} ({n})", n + 1
        used.add(candidate)
        keys.append(candidate)
    return keys
