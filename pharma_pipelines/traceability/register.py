"""The user requirements register: what the platform must do, how much is at stake, and where.

The register is a TOML file (``requirements/urs.toml``): the standard library reads it, and an
auditor reads it as plain text. Each ``[[requirement]]`` table names one requirement:

- ``id``: ``URS-`` and three digits, never reused;
- ``title`` and ``text``: the requirement in a line and in one or two sentences;
- ``risk``: ``high``, ``medium`` or ``low`` (the GxP risk if the requirement were not met);
- what implements it, each a list: ``assets`` and ``checks`` (Dagster keys, ``*`` allowed:
  ``raw/sap/*``, ``curated/*:raw_rows_are_accounted_for``), ``jobs``, ``sensors``,
  ``commands`` (``pharma-pipelines`` subcommands) and ``modules`` (dotted module names).
  At least one entry in all.

The risk decides how much proof a requirement needs (:meth:`Requirement.scenarios_needed`):
a high-risk requirement needs two scenarios, one of them negative. This module checks the
file's shape only; that the named assets, checks and commands exist is a test against the
definitions, which this plain-Python context does not import.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

ID_PREFIX = "URS-"
ID_PATTERN = re.compile(r"URS-\d{3}")
REFERENCE_KINDS = ("assets", "checks", "jobs", "sensors", "commands", "modules")
_TEXT_KEYS = ("id", "title", "text", "risk")


class Risk(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class RegisterError(ValueError):
    """The register file breaks a rule; the message names the file, the entry and the rule."""


@dataclass(frozen=True)
class Implementation:
    """What implements a requirement, by kind; every entry is a name or a ``*`` pattern."""

    assets: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()
    jobs: tuple[str, ...] = ()
    sensors: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()
    modules: tuple[str, ...] = ()

    def by_kind(self) -> dict[str, tuple[str, ...]]:
        return {kind: getattr(self, kind) for kind in REFERENCE_KINDS if getattr(self, kind)}


@dataclass(frozen=True)
class Requirement:
    id: str
    title: str
    text: str
    risk: Risk
    implemented_by: Implementation

    @property
    def scenarios_needed(self) -> int:
        """Passing scenarios the requirement needs: two when high-risk, else one."""
        return 2 if self.risk is Risk.HIGH else 1

    @property
    def needs_negative(self) -> bool:
        """A high-risk requirement must also be shown to refuse or flag what is wrong."""
        return self.risk is Risk.HIGH


@dataclass(frozen=True)
class Register:
    path: str
    requirements: tuple[Requirement, ...]

    def get(self, requirement_id: str) -> Requirement | None:
        return next((r for r in self.requirements if r.id == requirement_id), None)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.requirements)


def load_register(path: str | Path) -> Register:
    """Read and validate the register at ``path``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise RegisterError(
            f"cannot read the requirements register {path}: {error.strerror or error}"
        ) from error
    return parse_register(text, str(path))


def parse_register(text: str, where: str) -> Register:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RegisterError(f"{where} is not valid TOML: {error}") from error
    unknown = sorted(set(document) - {"requirement"})
    if unknown:
        raise RegisterError(
            f"{where}: unknown top-level key(s) {', '.join(unknown)}; the register holds "
            "only [[requirement]] tables"
        )
    entries = document.get("requirement")
    if not isinstance(entries, list) or not entries:
        raise RegisterError(f"{where} holds no [[requirement]] table")
    requirements = [_requirement(entry, where, index) for index, entry in enumerate(entries, 1)]
    _refuse_repeated(requirements, where)
    return Register(path=where, requirements=tuple(requirements))


def _requirement(entry: Any, where: str, index: int) -> Requirement:
    place = f"{where}, requirement #{index}"
    if not isinstance(entry, Mapping):
        raise RegisterError(f"{place} is not a table")
    unknown = sorted(set(entry) - set(_TEXT_KEYS) - set(REFERENCE_KINDS))
    if unknown:
        raise RegisterError(
            f"{place}: unknown key(s) {', '.join(unknown)}; allowed: "
            f"{', '.join((*_TEXT_KEYS, *REFERENCE_KINDS))}"
        )
    for key in _TEXT_KEYS:
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            raise RegisterError(f"{place}: '{key}' must be a non-empty string, found {value!r}")
    requirement_id = entry["id"].strip()
    place = f"{where}, {requirement_id}"
    if not ID_PATTERN.fullmatch(requirement_id):
        raise RegisterError(
            f"{place}: the id {requirement_id!r} does not have the form URS-001 "
            "('URS-' and three digits)"
        )
    try:
        risk = Risk(entry["risk"].strip())
    except ValueError as error:
        raise RegisterError(
            f"{place}: risk {entry['risk']!r} is not one of {', '.join(r.value for r in Risk)}"
        ) from error
    references = {kind: _names(entry.get(kind, []), place, kind) for kind in REFERENCE_KINDS}
    if not any(references.values()):
        raise RegisterError(
            f"{place}: names nothing that implements it; give at least one of "
            f"{', '.join(REFERENCE_KINDS)}"
        )
    return Requirement(
        id=requirement_id,
        title=" ".join(entry["title"].split()),
        text=" ".join(entry["text"].split()),
        risk=risk,
        implemented_by=Implementation(**references),
    )


def _names(value: Any, place: str, kind: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RegisterError(
            f"{place}: '{kind}' must be a list of non-empty strings, found {value!r}"
        )
    return tuple(v.strip() for v in value)


def _refuse_repeated(requirements: Iterable[Requirement], where: str) -> None:
    seen: set[str] = set()
    for requirement in requirements:
        if requirement.id in seen:
            raise RegisterError(
                f"{where}: {requirement.id} is listed twice; an id names one requirement"
            )
        seen.add(requirement.id)
