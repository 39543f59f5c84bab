"""The production-scheduling problem as one validated, immutable value.

The model follows the pharma-sched-bench/1 instance semantics (FORMAT.md,
sections 1-3) so that benchmark files, the MIP, the heuristic and the checker
all read the same numbers. It adds two things the format reserves for later:
an optional hard ``deadline`` per order and ``plan_start``, the aware instant
that time 0 stands for, so integer times can be shown as calendar dates.

Validation happens once, at construction, and every message names the
offending value, the rule it breaks and where it sits (order, line, matrix
row), because a planner has to fix the upstream data from that message alone.
Infeasibility (an order with no eligible line, a release after the horizon)
is *not* a validation error: such a problem is well formed, and the solver
reports it as INFEASIBLE with reasons.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Annotated, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    PrivateAttr,
    field_validator,
    model_validator,
)

NonNegativeInt = Annotated[int, Field(ge=0)]

_MAX_LISTED_IDS = 8
"""How many valid ids an error message lists before it abbreviates."""


def _listing(ids: list[str]) -> str:
    """Render valid options for an error message, shortened for long lists."""
    if len(ids) <= _MAX_LISTED_IDS:
        return ", ".join(ids)
    return ", ".join(ids[:_MAX_LISTED_IDS]) + f", ... ({len(ids)} in total)"


def _fail_if(errors: list[str]) -> None:
    """Raise one error carrying every message, so all defects surface at once."""
    if errors:
        raise ValueError("; ".join(errors))


class _Frozen(BaseModel):
    """Common configuration: immutable, and unknown keys are a mistake."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Product(_Frozen):
    """A setup class: changeover times are indexed by a product's position."""

    id: str = Field(min_length=1)
    family: str | None = None
    potency: int | None = None


class Line(_Frozen):
    """A production line with its availability window and planned downtimes.

    ``available_to`` of ``None`` means "until the horizon". Downtimes are
    half-open ``[start, end)`` intervals during which neither changeover nor
    processing may run.
    """

    id: str = Field(min_length=1)
    available_from: int = 0
    available_to: int | None = None
    downtimes: tuple[tuple[int, int], ...] = ()
    initial_product: str | None = None

    @model_validator(mode="after")
    def _check_window(self) -> Self:
        errors: list[str] = []
        if self.available_from < 0:
            errors.append(
                f"line {self.id}: available_from is {self.available_from}; it must be >= 0"
            )
        if self.available_to is not None and self.available_to < self.available_from:
            errors.append(
                f"line {self.id}: available_to {self.available_to} is before available_from "
                f"{self.available_from}; the window must not be empty backwards"
            )
        for start, end in self.downtimes:
            if start < 0 or end <= start:
                errors.append(
                    f"line {self.id}: downtime [{start}, {end}) is not a half-open interval "
                    "[s, e) with 0 <= s < e"
                )
        _fail_if(errors)
        return self


class SetupTable(_Frozen):
    """Changeover times of one line.

    ``matrix[a][b]`` is the changeover when product ``b`` directly follows
    product ``a``; ``initial[b]`` is the changeover before the first order of
    the line if it is of product ``b``. ``initial`` of ``None`` means zeros.
    """

    matrix: tuple[tuple[NonNegativeInt, ...], ...]
    initial: tuple[NonNegativeInt, ...] | None = None


class Setup(_Frozen):
    """Per-line changeover tables, with a default for lines not listed."""

    by_line: dict[str, SetupTable] = Field(default_factory=dict)
    default: SetupTable | None = None


class FrozenPlacement(_Frozen):
    """Where a started or planner-frozen order stays: its line and processing start."""

    line: str = Field(min_length=1)
    start: int = Field(ge=0)


class Order(_Frozen):
    """A production order; the keys of ``proc`` are its eligible lines.

    ``frozen`` pins an order that has started or that the planner fixed: it
    keeps that line and start, and every other rule still applies to it (its
    changeover must fit before it, downtimes, windows). The solver plans the
    other orders around it.
    """

    id: str = Field(min_length=1)
    product: str
    quantity: int | None = None
    release: int = 0
    due: int = 0
    weight: int = 0
    deadline: int | None = None
    proc: dict[str, int]
    frozen: FrozenPlacement | None = None

    @model_validator(mode="after")
    def _check_numbers(self) -> Self:
        errors: list[str] = []
        for name in ("release", "due", "weight"):
            value = getattr(self, name)
            if value < 0:
                errors.append(f"order {self.id}: {name} is {value}; it must be >= 0")
        if self.deadline is not None and self.deadline < 0:
            errors.append(f"order {self.id}: deadline is {self.deadline}; it must be >= 0")
        if self.quantity is not None and self.quantity < 0:
            errors.append(f"order {self.id}: quantity is {self.quantity}; it must be >= 0")
        for line, time in self.proc.items():
            if time < 1:
                errors.append(
                    f"order {self.id}: proc time on line {line} is {time}; proc times must be >= 1"
                )
        if self.frozen is not None and self.frozen.line not in self.proc:
            errors.append(
                f"order {self.id} is frozen on line {self.frozen.line}, which is not among its "
                f"eligible lines ({', '.join(self.proc) or 'none'})"
            )
        _fail_if(errors)
        return self


class ObjectiveWeights(_Frozen):
    """Non-negative integer weights W_T, W_S, W_C of the three objective terms."""

    weighted_tardiness: NonNegativeInt = 1
    setup_time: NonNegativeInt = 1
    makespan: NonNegativeInt = 0


class SchedulingProblem(_Frozen):
    """A complete scheduling instance: what to make, where, and by when.

    All times are integers in ``time_unit`` counted from time 0, which is the
    instant ``plan_start`` when given.
    """

    name: str = Field(min_length=1)
    description: str = ""
    time_unit: str = "min"
    horizon: int = Field(ge=1)
    objective: ObjectiveWeights = ObjectiveWeights()
    products: tuple[Product, ...]
    lines: tuple[Line, ...]
    setup: Setup
    orders: tuple[Order, ...]
    plan_start: datetime | None = None
    source: dict[str, JsonValue] = Field(default_factory=dict)

    _product_index: dict[str, int] = PrivateAttr(default_factory=dict)
    _orders_by_id: dict[str, Order] = PrivateAttr(default_factory=dict)
    _lines_by_id: dict[str, Line] = PrivateAttr(default_factory=dict)

    @field_validator("plan_start")
    @classmethod
    def _plan_start_is_aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.utcoffset() is None:
            raise ValueError(
                f"plan_start {value.isoformat()} has no time zone; time 0 of a plan must be an "
                f"unambiguous instant, e.g. {value.isoformat()}+00:00"
            )
        return value

    @model_validator(mode="after")
    def _check_references(self) -> Self:
        errors = [
            *_duplicates("product", [p.id for p in self.products]),
            *_duplicates("line", [line.id for line in self.lines]),
            *_duplicates("order", [o.id for o in self.orders]),
            *self._order_reference_errors(),
            *self._line_reference_errors(),
            *self._setup_errors(),
        ]
        _fail_if(errors)
        return self

    def _order_reference_errors(self) -> list[str]:
        products = [p.id for p in self.products]
        lines = [line.id for line in self.lines]
        known_products, known_lines = set(products), set(lines)
        errors: list[str] = []
        for order in self.orders:
            if order.product not in known_products:
                errors.append(
                    f"order {order.id} names unknown product {order.product}; "
                    f"known products: {_listing(products)}"
                )
            errors.extend(
                f"order {order.id} lists unknown line {line} in proc; lines are {_listing(lines)}"
                for line in order.proc
                if line not in known_lines
            )
        return errors

    def _line_reference_errors(self) -> list[str]:
        products = [p.id for p in self.products]
        known = set(products)
        return [
            f"line {line.id} has unknown initial_product {line.initial_product}; "
            f"known products: {_listing(products)}"
            for line in self.lines
            if line.initial_product is not None and line.initial_product not in known
        ]

    def _setup_errors(self) -> list[str]:
        lines = [line.id for line in self.lines]
        known = set(lines)
        errors = [
            f"setup.by_line names unknown line {line}; lines are {_listing(lines)}"
            for line in self.setup.by_line
            if line not in known
        ]
        if self.setup.default is None:
            errors.extend(
                f"line {line} has no setup.by_line entry and setup.default is absent; "
                "every line needs a setup table"
                for line in lines
                if line not in self.setup.by_line
            )
        tables = [(f"setup.by_line[{line}]", table) for line, table in self.setup.by_line.items()]
        if self.setup.default is not None:
            tables.append(("setup.default", self.setup.default))
        for where, table in tables:
            errors.extend(_table_shape_errors(where, table, len(self.products)))
        return errors

    def model_post_init(self, context: object, /) -> None:
        """Index ids once; the solver looks them up in inner loops."""
        self._product_index.update({p.id: i for i, p in enumerate(self.products)})
        self._orders_by_id.update({o.id: o for o in self.orders})
        self._lines_by_id.update({line.id: line for line in self.lines})

    def product_index(self, product: str) -> int:
        """Position of ``product`` in ``products``, the index into setup tables."""
        return self._product_index[product]

    def order(self, order_id: str) -> Order:
        """The order with id ``order_id``."""
        return self._orders_by_id[order_id]

    def line(self, line_id: str) -> Line:
        """The line with id ``line_id``."""
        return self._lines_by_id[line_id]

    def has_order(self, order_id: str) -> bool:
        """Whether ``order_id`` is an order of this problem."""
        return order_id in self._orders_by_id

    def has_line(self, line_id: str) -> bool:
        """Whether ``line_id`` is a line of this problem."""
        return line_id in self._lines_by_id

    def setup_table(self, line_id: str) -> SetupTable:
        """The changeover table that applies to ``line_id`` (its own or the default)."""
        table = self.setup.by_line.get(line_id, self.setup.default)
        if table is None:
            raise KeyError(f"line {line_id} has no setup table")
        return table

    def setup_time(self, line_id: str, previous_product: str | None, product: str) -> int:
        """Changeover before an order of ``product`` on ``line_id``.

        ``previous_product`` is the product of the order directly before on
        the same line, or ``None`` for the line's first order, which takes the
        line's initial changeover.
        """
        table = self.setup_table(line_id)
        target = self.product_index(product)
        if previous_product is None:
            return 0 if table.initial is None else table.initial[target]
        return table.matrix[self.product_index(previous_product)][target]

    def line_window(self, line_id: str) -> tuple[int, int]:
        """The usable span ``[available_from, min(available_to, horizon)]`` of a line."""
        line = self.line(line_id)
        end = self.horizon if line.available_to is None else min(line.available_to, self.horizon)
        return line.available_from, end

    def latest_end(self, order_id: str) -> int:
        """The hard limit on an order's end: the horizon, or its deadline if earlier."""
        order = self.order(order_id)
        return self.horizon if order.deadline is None else min(order.deadline, self.horizon)

    def to_datetime(self, time: int) -> datetime:
        """The calendar instant of integer ``time``; needs ``plan_start`` and a known unit."""
        if self.plan_start is None:
            raise ValueError(
                f"problem {self.name} has no plan_start, so time {time} has no calendar date"
            )
        unit = _TIME_UNITS.get(self.time_unit)
        if unit is None:
            raise ValueError(
                f"time_unit {self.time_unit!r} of problem {self.name} is not a calendar unit; "
                f"known units: {', '.join(sorted(_TIME_UNITS))}"
            )
        return self.plan_start + time * unit

    def pinned(self) -> SchedulingProblem:
        """The same problem with each frozen order held in place by ordinary constraints.

        A frozen order gets its frozen line as its only eligible line, its
        frozen start as release and its frozen end as deadline, so its start
        can take no other value. Every solver part (pre-checks, heuristic,
        MIP) then respects it without knowing about freezing; the checker
        verifies the placement against the original problem.
        """
        if not any(order.frozen is not None for order in self.orders):
            return self
        return self.with_orders(tuple(_pinned(order) for order in self.orders))

    def has_deadlines(self) -> bool:
        """Whether any order has a hard deadline."""
        return any(order.deadline is not None for order in self.orders)

    def deadline_weight(self) -> int:
        """The tardiness weight per unit of order weight that makes a softened deadline dominate.

        It is one more than the largest value every other objective term can take, in
        units of the tardiness weight W_T:

            M = 1 + sum over orders without a deadline of w_i * max(0, H - due_i)
                  + ceil((W_S * sum over orders of their largest changeover + W_C * H) / W_T)

        No order ends after the horizon H, so the ordinary tardiness, the changeovers and the
        makespan of any plan together cost less than M * W_T: one time unit less past the
        deadlines always pays, whatever it does to the rest of the plan. A smaller weight (say,
        the sum of the order weights) would only win against local trades, and a swap of two
        long orders can cost more than it gains. The price of a strict bound is size: M is of
        the order of orders times horizon, so the objective of a least-bad plan is large and
        its relative gap says little about the rest of the plan.
        """
        weights = self.objective
        tardiness = sum(
            order.weight * max(0, self.horizon - order.due)
            for order in self.orders
            if order.deadline is None
        )
        largest_changeovers = sum(self._largest_changeover_into(order) for order in self.orders)
        rest = weights.setup_time * largest_changeovers + weights.makespan * self.horizon
        per_tardiness = max(1, weights.weighted_tardiness)
        return 1 + tardiness + -(-rest // per_tardiness)

    def _largest_changeover_into(self, order: Order) -> int:
        """The longest changeover that can precede ``order`` on any of its lines."""
        target = self.product_index(order.product)
        longest = 0
        for line in order.proc:
            table = self.setup_table(line)
            longest = max(longest, *(row[target] for row in table.matrix))
            if table.initial is not None:
                longest = max(longest, table.initial[target])
        return longest

    def with_soft_deadlines(self) -> SchedulingProblem:
        """The same plant with every hard deadline turned into a due date that dominates.

        For the least-bad plan when the hard deadlines cannot all be met. An order with a
        deadline gets the deadline as its due time, no deadline, and weight
        ``M * max(1, weight)`` with ``M`` from :meth:`deadline_weight`: any plan that misses
        the deadlines by fewer (weighted) time units is cheaper, and among equally bad
        misses the usual objective decides. Priorities still rank the deadline misses among
        themselves.

        What is given up: the lateness of such an order against its ordinary due date up to
        its deadline is no longer priced (an order has one due time in this model), so the
        least-bad plan may let a deadline order finish after its due date but before its
        deadline where the hard plan would not. Everything else stays hard: eligibility,
        releases, windows, downtimes, frozen orders and the horizon, so a problem that is
        infeasible for another reason stays infeasible. When the tardiness weight W_T is 0,
        it becomes 1 and the orders without a deadline weigh 0, keeping the rest of the
        objective as it was. The original deadlines are kept in ``source`` under
        ``softened_deadlines``.
        """
        if not self.has_deadlines():
            return self
        weight = self.deadline_weight()
        keep_tardiness = self.objective.weighted_tardiness > 0
        orders = tuple(
            order.model_copy(
                update={
                    "due": order.deadline,
                    "deadline": None,
                    "weight": weight * max(1, order.weight),
                }
            )
            if order.deadline is not None
            else (order if keep_tardiness else order.model_copy(update={"weight": 0}))
            for order in self.orders
        )
        softened = self.with_orders(orders)
        return softened.model_copy(
            update={
                "name": f"{self.name} (deadlines softened)",
                "objective": self.objective.model_copy(
                    update={"weighted_tardiness": max(1, self.objective.weighted_tardiness)}
                ),
                "source": {
                    **self.source,
                    "softened_deadlines": {
                        order.id: order.deadline
                        for order in self.orders
                        if order.deadline is not None
                    },
                },
            }
        )

    def with_orders(self, orders: tuple[Order, ...]) -> SchedulingProblem:
        """The same plant with another set of orders (used to isolate conflicts and to pin).

        The copy gets its own order index: ``model_copy`` would share the
        original's, which still points at the original orders.
        """
        copy = self.model_copy(update={"orders": orders})
        copy._orders_by_id = {order.id: order for order in orders}
        return copy

    def reference_objective(self) -> float | None:
        """The published reference objective in ``source.reference.value``, if any."""
        reference = self.source.get("reference")
        if isinstance(reference, dict):
            value = reference.get("value")
            if isinstance(value, int | float) and not isinstance(value, bool):
                return float(value)
        return None

    def to_json(self) -> str:
        """Serialise losslessly; :meth:`from_json` reads it back to an equal value."""
        return self.model_dump_json()

    @classmethod
    def from_json(cls, text: str) -> SchedulingProblem:
        """Read a problem written by :meth:`to_json`, validating it again."""
        return cls.model_validate_json(text)

    def content_hash(self) -> str:
        """SHA-256 of the canonical JSON: sorted keys, no whitespace, UTF-8.

        Two problems with the same content have the same hash whatever order
        their dictionary keys were given in; list order (products, lines,
        orders) is part of the content because setup tables index products.
        """
        canonical = json.dumps(
            self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _pinned(order: Order) -> Order:
    frozen = order.frozen
    if frozen is None:
        return order
    end = frozen.start + order.proc[frozen.line]
    deadline = end if order.deadline is None else min(order.deadline, end)
    return order.model_copy(
        update={
            "proc": {frozen.line: order.proc[frozen.line]},
            "release": max(order.release, frozen.start),
            "deadline": deadline,
        }
    )


_TIME_UNITS = {"s": timedelta(seconds=1), "min": timedelta(minutes=1), "h": timedelta(hours=1)}


def _duplicates(kind: str, ids: list[str]) -> list[str]:
    seen: set[str] = set()
    repeated: list[str] = []
    for item in ids:
        if item in seen and item not in repeated:
            repeated.append(item)
        seen.add(item)
    return [
        f"{kind} id {item} appears {ids.count(item)} times; {kind} ids must be unique"
        for item in repeated
    ]


def _table_shape_errors(where: str, table: SetupTable, products: int) -> list[str]:
    rows = len(table.matrix)
    widths = {len(row) for row in table.matrix}
    errors: list[str] = []
    if rows != products or widths - {products}:
        if len(widths) <= 1:
            shape = f"{rows}x{next(iter(widths), 0)}"
        else:
            shape = f"{rows} rows of " + " or ".join(str(w) for w in sorted(widths)) + " entries"
        errors.append(
            f"matrix for {where} is {shape} but there are {products} products; "
            f"it must be {products}x{products}, indexed by product position"
        )
    if table.initial is not None and len(table.initial) != products:
        errors.append(
            f"initial for {where} has {len(table.initial)} entries "
            f"but there are {products} products; "
            "it needs one entry per product"
        )
    return errors
