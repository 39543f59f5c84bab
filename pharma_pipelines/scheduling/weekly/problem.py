"""The weekly capacity-planning problem as one validated, immutable value.

Planners send this format when they plan in week buckets rather than in
continuous time: every order goes to one (line, period) on a line that can
make it, between its release and deadline periods; each product family that
runs in a (line, period) takes its setup hours once and costs its setup cost
once there; orders plus setups must fit the line's capacity of that period.
The files state these semantics in their ``model`` text, kept here verbatim.

Decisions on data the format leaves open (each with its reason):

* An order whose family is not listed under ``families`` is rejected. Reading
  it as "no setup" would understate the hours a line needs and could publish
  a plan the line cannot run.
* A line must give ``capacity_hours`` for every planning period (0 closes
  it): a missing week is more often a broken export than a closed line.
* ``capacity_hours`` and ``open_cost`` entries for periods outside
  ``periods`` are kept (a line calendar may reach past the horizon) but play
  no part in the plan; :meth:`WeeklyProblem.ignored_entries` lists them so
  the command line can say so.
* ``tardiness_cost`` defaults to 0 and ``open_cost`` to 0 per period; a
  missing ``release`` means the first period, a missing ``deadline`` the
  last, as the format's text says.
* An order that no (line, period) can take is well formed: the solver reports
  it as infeasible with the reason, not as a reading error.

Validation happens at construction, and every message quotes the bad value,
states the rule and says where it sits, because the planner fixes the export
from that message alone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

Hours = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Cost = Annotated[float, Field(ge=0, allow_inf_nan=False)]
OrderHours = Annotated[float, Field(gt=0, allow_inf_nan=False)]

Slot = tuple[str, str]
"""A (line, period) bucket."""

_MAX_LISTED = 8
"""How many valid options an error message lists before it abbreviates."""


class WeeklyFormatError(ValueError):
    """A file or document that is not a valid weekly planning problem."""


def _listing(ids: Iterable[str]) -> str:
    items = list(ids)
    if len(items) <= _MAX_LISTED:
        return ", ".join(items) or "none"
    return ", ".join(items[:_MAX_LISTED]) + f", ... ({len(items)} in total)"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WeeklyLine(_Frozen):
    """A line with its hours and opening cost per period."""

    id: str = Field(min_length=1)
    capacity_hours: dict[str, Hours]
    open_cost: dict[str, Cost] = Field(default_factory=dict)


class WeeklyFamily(_Frozen):
    """A product family: what one setup of it takes on a line in one period."""

    id: str = Field(min_length=1)
    setup_hours: Hours
    setup_cost: Cost


class WeeklyOrder(_Frozen):
    """An order; the keys of ``hours`` are its eligible lines, the values its hours there."""

    id: str = Field(min_length=1)
    family: str
    due: str
    release: str | None = None
    deadline: str | None = None
    tardiness_cost: Cost = 0.0
    hours: dict[str, OrderHours]


class WeeklyProblem(_Frozen):
    """A weekly planning instance: periods, lines, families and the orders to place."""

    name: str = Field(min_length=1)
    model: str = ""
    periods: tuple[str, ...] = Field(min_length=1)
    lines: tuple[WeeklyLine, ...]
    families: tuple[WeeklyFamily, ...]
    orders: tuple[WeeklyOrder, ...]

    _period_index: dict[str, int] = PrivateAttr(default_factory=dict)
    _lines: dict[str, WeeklyLine] = PrivateAttr(default_factory=dict)
    _families: dict[str, WeeklyFamily] = PrivateAttr(default_factory=dict)
    _orders: dict[str, WeeklyOrder] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _check_references(self) -> Self:
        errors = [
            *_duplicates("period", list(self.periods)),
            *_duplicates("line", [line.id for line in self.lines]),
            *_duplicates("family", [family.id for family in self.families]),
            *_duplicates("order", [order.id for order in self.orders]),
            *self._line_errors(),
            *self._order_errors(),
        ]
        if errors:
            raise ValueError("; ".join(errors))
        return self

    def _line_errors(self) -> list[str]:
        errors: list[str] = []
        for line in self.lines:
            missing = [period for period in self.periods if period not in line.capacity_hours]
            if missing:
                errors.append(
                    f"line {line.id} has no capacity_hours for {_listing(missing)}; every line "
                    f"needs hours for every period ({_listing(self.periods)}), 0 for a closed one"
                )
        return errors

    def _order_errors(self) -> list[str]:
        families = [family.id for family in self.families]
        lines = [line.id for line in self.lines]
        known_periods = set(self.periods)
        errors: list[str] = []
        for order in self.orders:
            if order.family not in families:
                errors.append(
                    f"order {order.id} names family {order.family!r}, which is not under "
                    f"families ({_listing(families)}); without its setup hours and cost the "
                    "capacity of a line cannot be checked"
                )
            errors.extend(
                f"order {order.id} lists line {line!r} in hours; lines are {_listing(lines)}"
                for line in order.hours
                if line not in lines
            )
            for field in ("due", "release", "deadline"):
                value = getattr(order, field)
                if value is not None and value not in known_periods:
                    errors.append(
                        f"order {order.id} has {field} {value!r}, which is not a period; "
                        f"periods are {_listing(self.periods)}"
                    )
        return errors

    def model_post_init(self, context: object, /) -> None:
        """Index ids once; the model builder and the checks look them up in loops."""
        self._period_index.update({period: t for t, period in enumerate(self.periods)})
        self._lines.update({line.id: line for line in self.lines})
        self._families.update({family.id: family for family in self.families})
        self._orders.update({order.id: order for order in self.orders})

    def period_index(self, period: str) -> int:
        """Position of ``period`` in the plan, 0 for the first."""
        return self._period_index[period]

    def has_period(self, period: str) -> bool:
        return period in self._period_index

    def has_line(self, line: str) -> bool:
        return line in self._lines

    def has_order(self, order: str) -> bool:
        return order in self._orders

    def line(self, line: str) -> WeeklyLine:
        return self._lines[line]

    def family(self, family: str) -> WeeklyFamily:
        return self._families[family]

    def order(self, order: str) -> WeeklyOrder:
        return self._orders[order]

    def capacity(self, line: str, period: str) -> float:
        return self._lines[line].capacity_hours[period]

    def open_cost(self, line: str, period: str) -> float:
        return self._lines[line].open_cost.get(period, 0.0)

    def window(self, order: str) -> tuple[int, int]:
        """First and last period index the order may use (release and deadline, inclusive)."""
        item = self._orders[order]
        first = 0 if item.release is None else self._period_index[item.release]
        last = len(self.periods) - 1 if item.deadline is None else self._period_index[item.deadline]
        return first, last

    def lateness_cost(self, order: str, period: str) -> float:
        """Tardiness cost of placing ``order`` in ``period``: cost per period after due."""
        item = self._orders[order]
        late = self._period_index[period] - self._period_index[item.due]
        return item.tardiness_cost * max(0, late)

    def slots(self, order: str) -> list[Slot]:
        """The (line, period) buckets the order can take at all.

        Eligible line, inside its window, and room for its hours plus its own
        family's setup in an otherwise empty bucket. Every plan uses one of
        these per order, so the model and the pre-checks may ignore the rest.
        """
        item = self._orders[order]
        setup = self._families[item.family].setup_hours
        first, last = self.window(order)
        return [
            (line, self.periods[t])
            for line in (entry.id for entry in self.lines)
            if line in item.hours
            for t in range(first, last + 1)
            if item.hours[line] + setup <= self.capacity(line, self.periods[t]) + TOLERANCE
        ]

    def ignored_entries(self) -> list[str]:
        """Line entries for periods outside the plan, which the plan does not use."""
        known = set(self.periods)
        return [
            f"line {line.id} {field} {period}"
            for line in self.lines
            for field, values in (
                ("capacity_hours", line.capacity_hours),
                ("open_cost", line.open_cost),
            )
            for period in values
            if period not in known
        ]

    def restricted(
        self, orders: Iterable[str] | None = None, relaxed: Iterable[Slot] = ()
    ) -> WeeklyProblem:
        """The same plant with only ``orders`` and no capacity limit in the ``relaxed`` buckets.

        Used to isolate conflicts. A relaxed bucket gets more hours than all
        orders and setups together, which no plan can fill. Validated afresh,
        so the copy has its own indexes.
        """
        keep = None if orders is None else set(orders)
        unlimited = sum(max(o.hours.values(), default=0.0) for o in self.orders) + sum(
            family.setup_hours for family in self.families
        )
        loose = set(relaxed)
        data = self.model_dump()
        data["orders"] = [o for o in data["orders"] if keep is None or o["id"] in keep]
        for line in data["lines"]:
            for period in self.periods:
                if (line["id"], period) in loose:
                    line["capacity_hours"][period] = unlimited + 1.0
        return WeeklyProblem.model_validate(data)

    def to_document(self) -> dict[str, Any]:
        """The problem in the file format, optional fields left out when unset."""
        return self.model_dump(mode="json", exclude_none=True)

    def to_json(self) -> str:
        """Serialise losslessly; :meth:`from_json` reads it back to an equal value."""
        return self.model_dump_json()

    @classmethod
    def from_json(cls, text: str) -> WeeklyProblem:
        return cls.model_validate_json(text)

    def content_hash(self) -> str:
        """SHA-256 of the canonical JSON (sorted keys, no whitespace, UTF-8).

        Key order in the input does not matter; list order (periods, lines,
        families, orders) does, since periods are ordered in time.
        """
        canonical = json.dumps(
            self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


TOLERANCE = 1e-6
"""Hours by which a bucket may appear over capacity through floating-point rounding."""


def number(value: float) -> str:
    """Hours and costs for messages: whole numbers without decimals, others to 4 places.

    Not ``:g``, which turns a cost of 1234567 into 1.23457e+06.
    """
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _duplicates(kind: str, ids: list[str]) -> list[str]:
    counts: dict[str, int] = {}
    for item in ids:
        counts[item] = counts.get(item, 0) + 1
    return [
        f"{kind} id {item} appears {count} times; {kind} ids must be unique"
        for item, count in counts.items()
        if count > 1
    ]


def is_weekly_document(data: object) -> bool:
    """Whether parsed JSON has the weekly format's shape.

    ``periods`` and ``families`` lists and lines with ``capacity_hours``: the
    pharma-sched-bench format has none of these, so the two never mix.
    """
    if not isinstance(data, Mapping):
        return False
    lines = data.get("lines")
    return (
        isinstance(data.get("periods"), list)
        and isinstance(data.get("families"), list)
        and isinstance(lines, list)
        and bool(lines)
        and all(isinstance(line, Mapping) and "capacity_hours" in line for line in lines)
    )


def sniff_weekly_file(path: str | Path) -> bool:
    """Whether the file holds a weekly problem; False for anything unreadable, too."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    return is_weekly_document(data)


def read_weekly_problem(path: str | Path) -> WeeklyProblem:
    """Read a weekly problem file; errors name the file and the entry at fault."""
    source = Path(path)
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise WeeklyFormatError(f"{source}: not JSON ({error})") from error
    return weekly_problem_from_dict(data, where=str(source))


def weekly_problem_from_dict(data: object, where: str = "problem") -> WeeklyProblem:
    """Build a problem from a parsed document."""
    if not isinstance(data, Mapping):
        raise WeeklyFormatError(
            f"{where}: top level is a {type(data).__name__}; expected an object"
        )
    try:
        return WeeklyProblem.model_validate(data)
    except ValidationError as error:
        details = "\n".join(f"  {_describe(item, data)}" for item in error.errors())
        raise WeeklyFormatError(f"{where}: not a valid weekly problem:\n{details}") from error


def _describe(error: Mapping[str, Any], data: Mapping[str, Any]) -> str:
    """One pydantic error in planner terms: where (by id), the rule, the value."""
    location = list(error.get("loc", ()))
    message = str(error.get("msg", "")).removeprefix("Value error, ")
    where = _where(location, data)
    if error.get("type") in ("value_error", "assertion_error") and not location:
        return message
    value = error.get("input")
    shown = "" if error.get("type") == "missing" else f" (got {value!r})"
    return f"{where}: {message}{shown}" if where else f"{message}{shown}"


def _where(location: list[Any], data: Mapping[str, Any]) -> str:
    """Render a location such as ('orders', 3, 'hours', 'L1') as 'order O04, hours.L1'."""
    kinds = {"orders": "order", "lines": "line", "families": "family"}
    if len(location) >= 2 and location[0] in kinds and isinstance(location[1], int):
        entries = data.get(location[0])
        entry = entries[location[1]] if isinstance(entries, list) else None
        label = entry.get("id") if isinstance(entry, Mapping) else None
        head = f"{kinds[location[0]]} {label}" if label else f"{location[0]}[{location[1]}]"
        rest = ".".join(str(part) for part in location[2:])
        return f"{head}, {rest}" if rest else head
    return ".".join(str(part) for part in location)
