"""Units of measure as SAP customizing defines them (table T006), and exact conversion.

Quantities reach the curated layer with units typed by people: SAP order downloads, customer
e-mails. A unit is trusted only when the unit table knows it, and a quantity moves from one
unit to another only by the factors T006 states, in rational arithmetic, so ``1500 G`` is
``1.5 KG`` and never ``1.4999999999999998``.

T006 states each unit against the SI unit of its dimension (DIMID)::

    value in SI = value * ZAEHL / NENNR * 10**EXP10 + ADDKO

(ADDKO is non-zero for temperature scales; T006 writes it with six decimals, so a Fahrenheit
conversion is as exact as SAP's own and no more.)

Rules, stated once:

- Lookup is by SAP key (MSEHI: exact case first, then ignoring case when that names one
  unit), by English commercial code (what OData APIs and English SAP sessions show: ``PC``
  for ``ST``) and by ISO code (``KGM``, ``PCE``; where several units share an ISO code, the
  one T006 flags primary stands for it). A code that names different units in different
  ways is refused as ambiguous, never settled by preference: in SAP's own T006 ``KGM`` is the
  key of kilogram per mole and the ISO code of kilogram.
- Units of the dimensionless dimension (AAAADL: piece, pack, carton, bottle ...) all have
  factor 1 in T006, yet a pack is not a piece: how many pieces a pack holds is material
  master data (alternative units, table MARM), which this pipeline does not read. So such a
  unit converts only to itself.
- A unit allows as many decimals as its rounding decimals (ANDEC). A conversion whose exact
  result needs more decimals than the target allows is refused, not rounded, unless the
  caller asks for SAP's rounding (half up to ANDEC) and then the result says it was rounded.
- Floats are refused as input: they are already rounded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from typing import Any

from pharma_pipelines.values import ValueRuleError

DIMENSIONLESS = "AAAADL"
BUILT_IN = "built-in set"
T006 = "landed T006"


class UnitError(ValueRuleError):
    """A unit code that names no unit or several; the message quotes it and says why."""


class NotConvertible(UnitError):
    """Two units between which no quantity can be converted without more master data."""


class NotRepresentable(UnitError):
    """An exact result that needs more decimals than the target unit allows."""

    def __init__(self, value: str, rule: str, allowed: str, exact: Fraction) -> None:
        super().__init__(value, rule, allowed)
        self.exact = exact


class CodeKind(Enum):
    """The ways a text can name a unit."""

    SAP_KEY = "SAP key"
    COMMERCIAL = "English commercial code"
    ISO = "ISO code"


ANY_CODE = frozenset(CodeKind)
"""For sources outside SAP (customer e-mails): any of the three kinds."""

SAP_CODES = frozenset({CodeKind.SAP_KEY, CodeKind.COMMERCIAL})
"""For SAP extracts: table downloads carry the key, GUI lists and OData the commercial code."""


@dataclass(frozen=True)
class Unit:
    """One unit of measure: a T006 row, or the built-in set's definition of a standard key."""

    key: str
    dimension: str
    numerator: int = 1
    denominator: int = 1
    exponent: int = 0
    additive: Decimal = Decimal(0)
    decimals: int = 0
    iso_code: str | None = None
    iso_primary: bool = True
    commercial_code: str | None = None
    origin: str = BUILT_IN
    raw_record_ids: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.numerator == 0 or self.denominator == 0:
            raise ValueError(f"unit {self.key}: ZAEHL and NENNR must not be 0")
        if self.decimals < 0:
            raise ValueError(f"unit {self.key}: ANDEC must not be negative")

    @property
    def factor(self) -> Fraction:
        """How many SI units of the dimension one of this unit is (additive constant aside)."""
        return Fraction(self.numerator, self.denominator) * Fraction(10) ** self.exponent

    def to_si(self, value: Fraction) -> Fraction:
        return value * self.factor + Fraction(self.additive)

    def from_si(self, value: Fraction) -> Fraction:
        return (value - Fraction(self.additive)) / self.factor

    def describe(self) -> str:
        iso = f", ISO {self.iso_code}" if self.iso_code else ""
        return f"{self.key} ({self.dimension}{iso}, {self.origin})"

    def check_precision(self, quantity: Decimal) -> None:
        """Refuse a quantity with more decimals than the unit's rounding decimals (ANDEC)."""
        places = decimal_places(quantity)
        if places > self.decimals:
            raise UnitError(
                format(quantity, "f"),
                f"has {places} decimal{'s' if places != 1 else ''} but unit {self.key} allows "
                f"{self.decimals} (rounding decimals ANDEC, from the {self.origin})",
                f"a quantity of {self.key} with at most {self.decimals} decimals",
            )


@dataclass(frozen=True)
class Converted:
    """A converted quantity at the target's precision; ``exact`` is the unrounded value."""

    value: Decimal
    unit: Unit
    exact: Fraction
    rounded: bool = False


@dataclass(frozen=True)
class _Match:
    unit: Unit
    how: str


@dataclass
class UnitTable:
    """The units in force, found by code; ``source`` says where the definitions came from."""

    units: Sequence[Unit]
    source: str = BUILT_IN
    _by_key: dict[str, Unit] = field(init=False, repr=False)
    _by_folded_key: dict[str, list[Unit]] = field(init=False, repr=False)
    _by_commercial: dict[str, list[Unit]] = field(init=False, repr=False)
    _by_iso: dict[str, list[Unit]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_key = {}
        self._by_folded_key = {}
        self._by_commercial = {}
        self._by_iso = {}
        for unit in self.units:
            if unit.key in self._by_key:
                raise ValueError(f"unit key {unit.key!r} is defined twice")
            self._by_key[unit.key] = unit
            self._by_folded_key.setdefault(unit.key.upper(), []).append(unit)
            if unit.commercial_code:
                self._by_commercial.setdefault(unit.commercial_code.upper(), []).append(unit)
            if unit.iso_code:
                self._by_iso.setdefault(unit.iso_code.upper(), []).append(unit)

    @classmethod
    def built_in(cls) -> UnitTable:
        return cls(BUILT_IN_UNITS, _source_text(BUILT_IN_UNITS))

    def find(self, code: str, kinds: frozenset[CodeKind] = ANY_CODE) -> Unit:
        """The one unit ``code`` names in the given kinds of code; UnitError otherwise."""
        text = code.strip()
        if not text:
            raise UnitError(code, "is blank", "a unit code such as ST, KG or PCE")
        matches: dict[str, list[_Match]] = {}
        for match in self._matches(text, kinds):
            matches.setdefault(match.unit.key, []).append(match)
        if len(matches) == 1:
            return next(iter(matches.values()))[0].unit
        if not matches:
            raise UnitError(
                code,
                f"is not a unit of measure the unit table ({self.source}) knows",
                f"{_kinds_text(kinds)} of a unit in the table, e.g. {self._examples(kinds)}",
            )
        readings = "; ".join(
            f"{' and '.join(m.how for m in found)} of {found[0].unit.describe()}"
            for found in matches.values()
        )
        raise UnitError(
            code,
            f"is ambiguous in the unit table ({self.source}): it is the {readings}",
            "a code that names one unit (the SAP key of the unit meant)",
        )

    def ambiguous_iso_codes(self) -> dict[str, list[Unit]]:
        """ISO codes shared by several units with not exactly one flagged primary."""
        return {
            code: units
            for code, units in sorted(self._by_iso.items())
            if len(units) > 1 and sum(unit.iso_primary for unit in units) != 1
        }

    def _matches(self, text: str, kinds: frozenset[CodeKind]) -> Iterable[_Match]:
        folded = text.upper()
        if CodeKind.SAP_KEY in kinds:
            exact = self._by_key.get(text)
            for unit in [exact] if exact else self._by_folded_key.get(folded, []):
                yield _Match(unit, "SAP key")
        if CodeKind.COMMERCIAL in kinds:
            for unit in self._by_commercial.get(folded, []):
                yield _Match(unit, "English commercial code")
        if CodeKind.ISO in kinds:
            sharing = self._by_iso.get(folded, [])
            primary = [unit for unit in sharing if unit.iso_primary]
            for unit in primary if len(sharing) > 1 and len(primary) == 1 else sharing:
                yield _Match(unit, "ISO code")

    def _examples(self, kinds: frozenset[CodeKind]) -> str:
        examples = []
        for key in ("ST", "KG", "L"):
            unit = self._by_key.get(key)
            if unit is None:
                continue
            if CodeKind.SAP_KEY in kinds:
                examples.append(unit.key)
            if CodeKind.COMMERCIAL in kinds and unit.commercial_code:
                examples.append(unit.commercial_code)
            if CodeKind.ISO in kinds and unit.iso_code:
                examples.append(unit.iso_code)
        return ", ".join(examples) or ", ".join(unit.key for unit in self.units[:3])


def _kinds_text(kinds: frozenset[CodeKind]) -> str:
    names = [kind.value for kind in CodeKind if kind in kinds]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


# --- conversion ------------------------------------------------------------------------


def exact_value(value: Decimal | Fraction | int, source: Unit, target: Unit) -> Fraction:
    """``value`` in ``source`` expressed exactly in ``target``; NotConvertible if it cannot be."""
    quantity = _exact(value)
    if source.key == target.key:
        return quantity
    check_convertible(f"{_quantity_text(value)} {source.key}", source, target)
    return target.from_si(source.to_si(quantity))


def check_convertible(what: str, source: Unit, target: Unit) -> None:
    """Raise NotConvertible, quoting ``what``, unless T006 alone converts source to target."""
    if source.key == target.key:
        return
    if source.dimension != target.dimension:
        raise NotConvertible(
            what,
            f"cannot be converted to {target.key}: {source.key} measures {source.dimension}, "
            f"{target.key} measures {target.dimension}",
            f"a unit of dimension {target.dimension}",
        )
    if source.dimension == DIMENSIONLESS:
        raise NotConvertible(
            what,
            f"cannot be converted to {target.key}: both are counted units (T006 dimension "
            f"{DIMENSIONLESS}), and how many {target.key} one {source.key} holds depends on "
            "the material (alternative units of measure, SAP table MARM), which this "
            "pipeline does not read",
            f"the unit {target.key} itself, or a conversion stated in the material master",
        )


def _quantity_text(value: Decimal | Fraction | int) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Fraction):
        return fraction_text(value)
    return str(value)


def _exact(value: Decimal | Fraction | int) -> Fraction:
    if isinstance(value, float):
        raise TypeError("a float is already rounded: pass a Decimal, Fraction or int")
    return Fraction(value)


def convert_quantity(
    value: Decimal | Fraction | int,
    source: Unit,
    target: Unit,
    *,
    sap_rounding: bool = False,
) -> Converted:
    """``value`` converted to ``target`` at its precision (ANDEC decimals).

    An exact result with more decimals than the target allows raises NotRepresentable;
    with ``sap_rounding`` it is rounded half up to ANDEC decimals instead, as SAP rounds a
    converted quantity, and the result is marked ``rounded``.
    """
    exact = exact_value(value, source, target)
    places = fraction_places(exact)
    if places is not None and places <= target.decimals:
        return Converted(fraction_to_decimal(exact, places), target, exact)
    if sap_rounding:
        return Converted(round_half_up(exact, target.decimals), target, exact, rounded=True)
    needs = "an endless decimal" if places is None else f"{places} decimals"
    raise NotRepresentable(
        f"{_quantity_text(value)} {source.key}",
        f"is exactly {fraction_text(exact)} {target.key}, which needs {needs}; "
        f"{target.key} allows {target.decimals} (rounding decimals ANDEC, from the "
        f"{target.origin})",
        f"a quantity whose value in {target.key} has at most {target.decimals} decimals",
        exact,
    )


def rate_in(value: Decimal | Fraction | int, source: Unit, target: Unit) -> Fraction:
    """A rate per ``source`` (per hour, say) as a rate per ``target``, exactly.

    A rate counts differences, so additive constants cancel and only the factors count; a
    rate is derived, so no rounding decimals apply.
    """
    check_convertible(f"{_quantity_text(value)} per {source.key}", source, target)
    return _exact(value) * source.factor / target.factor


def decimal_places(value: Decimal) -> int:
    """Decimals a value really has: ``2.500`` has 1, ``1E-7`` has 7, ``1E+3`` has 0."""
    exponent = value.normalize().as_tuple().exponent
    if not isinstance(exponent, int):
        raise ValueError(f"{value} is not a finite number")
    return max(0, -exponent)


def fraction_places(value: Fraction) -> int | None:
    """Decimals of the finite decimal expansion of ``value``; None when it never ends."""
    denominator = value.denominator
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    return max(twos, fives) if denominator == 1 else None


def fraction_to_decimal(value: Fraction, places: int) -> Decimal:
    """``value`` as a Decimal with ``places`` decimals; it must have no more."""
    scaled = value * 10**places
    if scaled.denominator != 1:
        raise ValueError(f"{value} has more than {places} decimals")
    return Decimal(scaled.numerator).scaleb(-places)


def round_half_up(value: Fraction, places: int) -> Decimal:
    """Round to ``places`` decimals, halves away from zero (SAP's commercial rounding)."""
    scaled = abs(value) * 10**places
    whole = int(scaled + Fraction(1, 2))
    return Decimal(whole if value >= 0 else -whole).scaleb(-places)


def fraction_text(value: Fraction) -> str:
    places = fraction_places(value)
    if places is not None:
        return str(fraction_to_decimal(value, places))
    return f"{value.numerator}/{value.denominator} (about {round_half_up(value, 9)})"


# --- storage ---------------------------------------------------------------------------


def unit_row(unit: Unit) -> dict[str, Any]:
    """A unit as a curated table row; the additive constant as text keeps it exact."""
    return {
        "unit": unit.key,
        "dimension": unit.dimension,
        "numerator": unit.numerator,
        "denominator": unit.denominator,
        "exponent": unit.exponent,
        "additive_constant": str(unit.additive),
        "decimals": unit.decimals,
        "iso_code": unit.iso_code,
        "iso_primary": unit.iso_primary,
        "commercial_code": unit.commercial_code,
        "origin": unit.origin,
        "raw_record_ids": list(unit.raw_record_ids),
    }


def unit_from_row(row: Mapping[str, Any]) -> Unit:
    return Unit(
        key=str(row["unit"]),
        dimension=str(row["dimension"]),
        numerator=int(row["numerator"]),
        denominator=int(row["denominator"]),
        exponent=int(row["exponent"]),
        additive=Decimal(str(row["additive_constant"])),
        decimals=int(row["decimals"]),
        iso_code=row["iso_code"] or None,
        iso_primary=bool(row["iso_primary"]),
        commercial_code=row["commercial_code"] or None,
        origin=str(row["origin"]),
        raw_record_ids=tuple(int(i) for i in row["raw_record_ids"] or ()),
    )


def table_from_rows(rows: Iterable[Mapping[str, Any]]) -> UnitTable:
    """The unit table stored as curated rows; empty means nothing was curated: built-in."""
    units = [unit_from_row(row) for row in rows]
    if not units:
        return UnitTable.built_in()
    return UnitTable(units, _source_text(units))


def overlay(t006: Sequence[Unit], withheld: Iterable[str] = ()) -> UnitTable:
    """Built-in units with a landed T006 laid over them, key by key.

    A T006 key replaces the built-in definition of that key; the English commercial code,
    which lives in T006A and not in T006, stays with the key. ``withheld`` keys (defined
    inconsistently in the landed T006) are left out altogether rather than guessed.
    """
    withheld_keys = set(withheld)
    landed = {unit.key: unit for unit in t006 if unit.key not in withheld_keys}
    units: list[Unit] = []
    for unit in BUILT_IN_UNITS:
        if unit.key in withheld_keys:
            continue
        replacement = landed.pop(unit.key, None)
        if replacement is None:
            units.append(unit)
        else:
            units.append(replace(replacement, commercial_code=unit.commercial_code))
    units.extend(landed[key] for key in sorted(landed))
    return UnitTable(units, _source_text(units))


def _source_text(units: Sequence[Unit]) -> str:
    landed = sum(unit.origin != BUILT_IN for unit in units)
    if not landed:
        return f"built-in set of {len(units)} units"
    return f"T006 for {landed} units, built-in set for {len(units) - landed}"


# --- the built-in set --------------------------------------------------------------------


def _unit(
    key: str,
    dimension: str,
    factor: tuple[int, int, int],
    decimals: int,
    iso: str | None,
    commercial: str | None = None,
    additive: str = "0",
) -> Unit:
    numerator, denominator, exponent = factor
    return Unit(
        key=key,
        dimension=dimension,
        numerator=numerator,
        denominator=denominator,
        exponent=exponent,
        additive=Decimal(additive),
        decimals=decimals,
        iso_code=iso,
        commercial_code=commercial,
    )


_ONE = (1, 1, 0)

BUILT_IN_UNITS: tuple[Unit, ...] = (
    # mass, SI unit kilogram
    _unit("KG", "MASS", _ONE, 3, "KGM"),
    _unit("G", "MASS", (1, 1000, 0), 3, "GRM"),
    _unit("MG", "MASS", (1, 1_000_000, 0), 3, "MGM"),
    _unit("TO", "MASS", (1000, 1, 0), 3, "TNE"),
    # volume, SI unit cubic metre
    _unit("M3", "VOLUME", _ONE, 3, "MTQ"),
    _unit("HL", "VOLUME", (1, 10, 0), 3, "HLT"),
    _unit("L", "VOLUME", (1, 1000, 0), 3, "LTR"),
    _unit("ML", "VOLUME", (1, 1_000_000, 0), 3, "MLT"),
    _unit("CCM", "VOLUME", (1, 1_000_000, 0), 3, "CMQ"),
    # length, SI unit metre
    _unit("KM", "LENGTH", (1000, 1, 0), 0, "KMT"),
    _unit("M", "LENGTH", _ONE, 2, "MTR"),
    _unit("CM", "LENGTH", (1, 100, 0), 3, "CMT"),
    _unit("MM", "LENGTH", (1, 1000, 0), 3, "MMT"),
    # area, SI unit square metre
    _unit("M2", "SURFAC", _ONE, 3, "MTK"),
    _unit("CM2", "SURFAC", (1, 10_000, 0), 3, "CMK"),
    # time, SI unit second
    _unit("S", "TIME", _ONE, 0, "SEC"),
    _unit("MIN", "TIME", (60, 1, 0), 3, "MIN"),
    _unit("H", "TIME", (3600, 1, 0), 3, "HUR"),
    _unit("TAG", "TIME", (86_400, 1, 0), 0, "DAY", "DAY"),
    _unit("WCH", "TIME", (604_800, 1, 0), 0, "WEE"),
    # SAP's month is 30 days and its year 365
    _unit("MON", "TIME", (2_592_000, 1, 0), 0, "MON"),
    _unit("JHR", "TIME", (31_536_000, 1, 0), 0, "ANN"),
    # proportions, SI unit one
    _unit("%", "PROPOR", (1, 100, 0), 0, "P1"),
    _unit("%O", "PROPOR", (1, 1000, 0), 0, None),
    _unit("PPM", "PROPOR", (1, 1, -6), 0, "59"),
    # temperature, SI unit kelvin; T006 keeps the Fahrenheit offset to six decimals
    _unit("K", "TEMP", _ONE, 0, "KEL"),
    _unit("GC", "TEMP", _ONE, 0, "CEL", additive="273.15"),
    _unit("FA", "TEMP", (5, 9, 0), 0, "FAH", additive="255.372222"),
    # counted units: convertible only through material master data (MARM)
    _unit("ST", DIMENSIONLESS, _ONE, 0, "PCE", "PC"),
    _unit("EA", DIMENSIONLESS, _ONE, 0, "EA"),
    _unit("PAK", DIMENSIONLESS, _ONE, 0, "PK", "PAC"),
    _unit("KAR", DIMENSIONLESS, _ONE, 0, "CT", "CAR"),
    _unit("BOT", DIMENSIONLESS, _ONE, 0, "BO", "BT"),
    _unit("BAG", DIMENSIONLESS, _ONE, 0, "BG"),
    _unit("CS", DIMENSIONLESS, _ONE, 0, "CS", "CV"),
    _unit("KAN", DIMENSIONLESS, _ONE, 0, "CA", "CAN"),
    _unit("KI", DIMENSIONLESS, _ONE, 0, "BX", "CRT"),
    _unit("PAL", DIMENSIONLESS, _ONE, 0, "PF"),
    _unit("ROL", DIMENSIONLESS, _ONE, 0, "RO"),
    _unit("DZ", DIMENSIONLESS, _ONE, 0, "DZN"),
    # activity units (biologics potency), counted with three decimals
    _unit("LE", DIMENSIONLESS, _ONE, 3, "C62", "AU"),
)
