r"""Mixed integer program of the weekly capacity plan, solved by CBC (python-mip).

Sets and data
-------------
O orders, L lines, F families, periods t = 0 .. |P|-1 in plan order.
f(o) the family of o, h_ol the hours of o on line l, S_f the setup hours and
c^S_f the setup cost of family f, C_lt the capacity and c^O_lt the opening
cost of line l in period t, c^T_o the tardiness cost per period of o, d_o
its due period, [r_o, D_o] its release and deadline periods.

Data reduction (the bounds are tight because no variable is created that
the data already rule out):

    B_o = { (l, t) : l eligible for o, r_o <= t <= D_o, h_ol + S_f(o) <= C_lt }

the buckets o can take at all (:meth:`WeeklyProblem.slots`). Given the cost
U of a verified plan, a bucket whose own cost
c^T_o max(0, t - d_o) + c^S_f(o) + c^O_lt exceeds U is dropped as well: no
plan costing at most U uses it, the verified plan included. B_f is the union
of B_o over the orders of f, O_lt the orders o with (l, t) in B_o, O_flt
those of family f, and B^open the buckets of some B_o with c^O_lt > 0.

Variables
---------
x_olt in {0,1} for (l, t) in B_o     order o goes to line l in period t
y_flt in {0,1} for (l, t) in B_f     family f runs (is set up) on l in t
z_lt  in {0,1} for (l, t) in B^open  l is opened in t (only where it costs)

Model
-----
    min  sum_{o,(l,t)} c^T_o max(0, t - d_o) x_olt + sum c^S_f y_flt + sum c^O_lt z_lt

    assign(o)        sum_{(l,t) in B_o} x_olt = 1
    setup(o,l,t)     x_olt <= y_f(o)lt
    family(f,l,t)    sum_{o in O_flt} h_ol x_olt <= M_flt y_flt,
                     M_flt = min(C_lt - S_f, sum_{o in O_flt} h_ol)
    capacity(l,t)    sum_{o in O_lt} h_ol x_olt + sum_f S_f y_flt <= C_lt  (times z_lt on B^open)
    open(f,l,t)      y_flt <= z_lt                                           on B^open

``family`` follows from ``capacity`` for integer points; it is there for the
LP, which otherwise pays only a fraction of a setup for a full week of a
family's orders. y_flt is never forced to 0 without orders: every cost is
non-negative, so such a y only costs, and the plan is read from x alone (the
evaluator prices the plan, not the solver's y).

Why the absolute gap: when every cost is an integer the objective is too, so
a gap below one unit proves optimality, and CBC's default relative gap
(1e-4) would stop early on a large objective.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

import mip as python_mip

from pharma_pipelines.scheduling.mip import trusted_bound
from pharma_pipelines.scheduling.weekly.problem import Slot, WeeklyProblem

logger = logging.getLogger(__name__)

mip: Any = python_mip
"""python-mip typed as ``Any``: its ``numbers.Real`` annotations reject ``3 * x`` in checkers.

Same workaround as :mod:`pharma_pipelines.scheduling.mip`
(https://github.com/coin-or/python-mip/issues/173); remove both once a
python-mip release annotates ``float``.
"""
Var: TypeAlias = Any

SOLVER_NAME = f"cbc via python-mip {python_mip.__version__}"

INTEGRAL_GAP = 0.999
"""Absolute gap that proves optimality when every cost is an integer."""

FRACTIONAL_GAP = 1e-6
"""Absolute gap used when some cost has decimals."""

PROOF_MARGIN = 0.95
"""A CBC 'infeasible' is taken as a proof only if CBC stopped before this share of its limit."""

INFEASIBLE_STATUSES = frozenset({"INFEASIBLE", "INT_INFEASIBLE"})


@dataclass(frozen=True)
class CbcAnswer:
    """What CBC reported, as plain values that travel as JSON from the worker process.

    ``assignment`` is CBC's incumbent, None when it has none; ``bound`` is
    its lower bound when it reports a finite one.
    """

    status: str
    objective: float | None
    bound: float | None
    assignment: dict[str, tuple[str, str]] | None
    build_seconds: float
    solve_seconds: float
    variables: int
    constraints: int

    @property
    def claims_infeasible(self) -> bool:
        return self.status in INFEASIBLE_STATUSES

    def proves_infeasible(self, time_limit_s: float) -> bool:
        """CBC's 'infeasible' counts only if it finished well inside its limit.

        At the limit CBC may say 'infeasible' having merely run out of time
        (BR-18), which proves nothing.
        """
        return self.claims_infeasible and (
            self.build_seconds + self.solve_seconds < PROOF_MARGIN * time_limit_s
        )

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CbcAnswer:
        assignment = data.get("assignment")
        return cls(
            status=data["status"],
            objective=data.get("objective"),
            bound=data.get("bound"),
            assignment=None
            if assignment is None
            else {order: (slot[0], slot[1]) for order, slot in assignment.items()},
            build_seconds=data["build_seconds"],
            solve_seconds=data["solve_seconds"],
            variables=data["variables"],
            constraints=data["constraints"],
        )


def integral_costs(problem: WeeklyProblem) -> bool:
    """Whether every cost is a whole number, which makes the objective one too."""
    costs = [order.tardiness_cost for order in problem.orders]
    costs += [family.setup_cost for family in problem.families]
    costs += [value for line in problem.lines for value in line.open_cost.values()]
    return all(float(value).is_integer() for value in costs)


def bucket_cost(problem: WeeklyProblem, order: str, slot: Slot) -> float:
    """The least an order adds to any plan by sitting in ``slot`` (its own costs there)."""
    line, period = slot
    family = problem.family(problem.order(order).family)
    return (
        problem.lateness_cost(order, period) + family.setup_cost + problem.open_cost(line, period)
    )


@dataclass
class _Built:
    model: Any
    x: dict[tuple[str, str, str], Var]
    y: dict[tuple[str, str, str], Var]
    z: dict[tuple[str, str], Var]


def build(
    problem: WeeklyProblem,
    threads: int = 1,
    seed: int = 0,
    upper_bound: float | None = None,
    feasibility_only: bool = False,
) -> _Built:
    """The python-mip model of the module docstring; ``feasibility_only`` drops the objective."""
    model = mip.Model(name=problem.name, sense=mip.MINIMIZE, solver_name=mip.CBC)
    model.verbose = 0
    model.threads = threads
    model.seed = seed
    model.max_mip_gap = 1e-9
    model.max_mip_gap_abs = INTEGRAL_GAP if integral_costs(problem) else FRACTIONAL_GAP
    buckets: dict[str, list[Slot]] = {}
    for order in problem.orders:
        slots = problem.slots(order.id)
        if upper_bound is not None:
            slots = [s for s in slots if bucket_cost(problem, order.id, s) <= upper_bound + 1e-6]
        if not slots:
            raise ValueError(
                f"order {order.id} has no bucket it can take; run the pre-checks first"
            )
        buckets[order.id] = slots
    x = {
        (o, line, period): model.add_var(f"x({o},{line},{period})", var_type=mip.BINARY)
        for o, slots in buckets.items()
        for line, period in slots
    }
    families = {(problem.order(o).family, line, period) for (o, line, period) in x}
    y = {
        key: model.add_var(f"y({key[0]},{key[1]},{key[2]})", var_type=mip.BINARY)
        for key in sorted(families)
    }
    used = sorted({(line, period) for (_, line, period) in x})
    z = {
        slot: model.add_var(f"z({slot[0]},{slot[1]})", var_type=mip.BINARY)
        for slot in used
        if problem.open_cost(*slot) > 0
    }
    for o, slots in buckets.items():
        model.add_constr(
            mip.xsum(x[o, line, period] for line, period in slots) == 1, f"assign({o})"
        )
        family = problem.order(o).family
        for line, period in slots:
            model.add_constr(
                x[o, line, period] <= y[family, line, period], f"setup({o},{line},{period})"
            )
    members: dict[tuple[str, str, str], list[tuple[float, Var]]] = {key: [] for key in y}
    for (o, line, period), var in x.items():
        order = problem.order(o)
        members[order.family, line, period].append((order.hours[line], var))
    in_bucket: dict[Slot, list[tuple[str, Var]]] = {slot: [] for slot in used}
    for (family, line, period), var in y.items():
        in_bucket[line, period].append((family, var))
    for (family, line, period), terms in members.items():
        setup = problem.family(family).setup_hours
        limit = min(problem.capacity(line, period) - setup, sum(h for h, _ in terms))
        model.add_constr(
            mip.xsum(h * var for h, var in terms) <= limit * y[family, line, period],
            f"family({family},{line},{period})",
        )
    for (line, period), running in in_bucket.items():
        load = mip.xsum(
            h * var for family, _ in running for h, var in members[family, line, period]
        ) + mip.xsum(problem.family(family).setup_hours * var for family, var in running)
        capacity = problem.capacity(line, period)
        opened = z.get((line, period))
        if opened is None:
            model.add_constr(load <= capacity, f"capacity({line},{period})")
            continue
        model.add_constr(load <= capacity * opened, f"capacity({line},{period})")
        for family, var in running:
            model.add_constr(var <= opened, f"open({family},{line},{period})")
    if feasibility_only:
        model.objective = mip.minimize(mip.LinExpr())
    else:
        model.objective = mip.minimize(
            mip.xsum(
                problem.lateness_cost(o, period) * var
                for (o, _, period), var in x.items()
                if problem.lateness_cost(o, period) > 0
            )
            + mip.xsum(
                problem.family(family).setup_cost * var
                for (family, _, _), var in y.items()
                if problem.family(family).setup_cost > 0
            )
            + mip.xsum(problem.open_cost(*slot) * var for slot, var in z.items())
        )
    return _Built(model, x, y, z)


def _start_values(
    problem: WeeklyProblem, built: _Built, plan: Mapping[str, Slot]
) -> list[tuple[Var, float]]:
    """Variable values of a known plan for ``model.start``; empty if it uses dropped buckets."""
    values: list[tuple[Var, float]] = []
    families: set[tuple[str, str, str]] = set()
    for order, (line, period) in plan.items():
        var = built.x.get((order, line, period))
        if var is None:
            return []
        values.append((var, 1.0))
        families.add((problem.order(order).family, line, period))
    values.extend((built.y[key], 1.0) for key in sorted(families))
    opened = {(line, period) for _, line, period in families}
    values.extend((var, 1.0) for slot, var in built.z.items() if slot in opened)
    return values


def solve_model(
    problem: WeeklyProblem,
    time_limit_s: float,
    threads: int = 1,
    seed: int = 0,
    warm_start: Mapping[str, Slot] | None = None,
    upper_bound: float | None = None,
    feasibility_only: bool = False,
) -> CbcAnswer:
    """Build and run CBC in this process; callers needing a hard stop use the worker process."""
    started = time.monotonic()
    built = build(problem, threads, seed, upper_bound, feasibility_only)
    if warm_start:
        values = _start_values(problem, built, warm_start)
        if values:
            built.model.start = values
    build_seconds = time.monotonic() - started
    remaining = max(0.01, time_limit_s - build_seconds)
    logger.info(
        "weekly MIP %s: %d variables, %d constraints, built in %.2f s, %.2f s for CBC",
        problem.name,
        built.model.num_cols,
        built.model.num_rows,
        build_seconds,
        remaining,
    )
    status = built.model.optimize(max_seconds=remaining)
    solve_seconds = time.monotonic() - started - build_seconds
    found = status in (mip.OptimizationStatus.OPTIMAL, mip.OptimizationStatus.FEASIBLE)
    found = found and built.model.num_solutions > 0
    bound = trusted_bound(built.model, found)
    return CbcAnswer(
        status=status.name,
        objective=float(built.model.objective_value) if found else None,
        bound=None if feasibility_only else bound,
        assignment=_assignment(built) if found else None,
        build_seconds=build_seconds,
        solve_seconds=solve_seconds,
        variables=built.model.num_cols,
        constraints=built.model.num_rows,
    )


def _assignment(built: _Built) -> dict[str, tuple[str, str]]:
    plan: dict[str, tuple[str, str]] = {}
    for (order, line, period), var in built.x.items():
        if (var.x or 0.0) > 0.5:
            plan[order] = (line, period)
    return plan
