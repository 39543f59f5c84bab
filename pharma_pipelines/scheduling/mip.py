r"""Mixed integer program of the line-scheduling problem, solved by CBC.

Two formulations are built here because they were measured against each
other (``benchmarks/formulations.py``); :data:`DEFAULT_FORMULATION` is the
one that won and the one :func:`pharma_pipelines.scheduling.solve` uses.

Sets and data
-------------
J orders, K lines, K_j the eligible lines of j (keys of ``proc``), J_k the
orders eligible on k. p_jk processing time, r_j release, d_j due date, w_j
weight, H horizon, D_j deadline (H when absent), [a_k, b_k] the line window
(b_k <= H), Delta_k the downtimes [alpha, beta) of line k, s^k_ij the
changeover on k when j follows i, s^k_0j the initial changeover of j on k.

Data-derived bounds (they replace one big constant by one M per row):
``UBC_jk = min(H, D_j, b_k)``, ``LBS_jk = max(r_j, a_k + min_in_jk)`` with
min_in_jk the smallest changeover any predecessor (or the initial state) can
give j on k, ``UBS_jk = UBC_jk - p_jk``; ``LBS_j``/``UBS_j`` are the minimum
and maximum over k in K_j. A line with ``LBS_jk > UBS_jk`` is dropped from
K_j, as is an arc (i, j, k) with ``LBS_ik + p_ik + s^k_ij > UBS_jk``.

Formulation ``line-arcs`` (immediate precedence arcs per line)
---------------------------------------------------------------
Variables: x_jk in {0,1} (j runs on k), f_jk in {0,1} (j is first on k),
y_ijk in {0,1} (i directly precedes j on k), S_j >= 0 (processing start),
T_j >= 0 (tardiness), C_max >= 0, and v_jkt in {0,1} (j's block lies after
downtime t of k) where the data leave both sides of t open.

    min  W_T sum_j w_j T_j + W_S sum_j sigma_j + W_C C_max
    with sigma_j = sum_k ( s^k_0j f_jk + sum_i s^k_ij y_ijk )     (changeover before j)
         C_j     = S_j + sum_k p_jk x_jk

    assign(j)      sum_k x_jk = 1
    first(k)       sum_j f_jk <= 1
    in(j,k)        f_jk + sum_i y_ijk = x_jk
    out(j,k)       sum_l y_jlk <= x_jk
    prec(i,j,k)    S_j >= S_i + p_ik + s^k_ij - M_ijk (1 - y_ijk),
                   M_ijk = max(0, p_ik + s^k_ij + UBS_i - LBS_j)
    open(j,k)      S_j >= (a_k + s^k_0j) f_jk
    window(j)      sum_k LBS_jk x_jk <= S_j <= sum_k UBS_jk x_jk
    tardy(j)       T_j >= C_j - d_j
    makespan(j)    C_max >= C_j                                   (only if W_C > 0)
    down(j,k,t)    C_j <= alpha_t + Mb (1 - x_jk + v_jkt)          (block before t)
                   S_j - sigma^k_j >= beta_t - Ma (1 - v_jkt)      (block after t)
                   v_jkt <= x_jk
                   with sigma^k_j the line-k part of sigma_j, Mb = UBS_j + p_jk - alpha_t,
                   Ma = beta_t - LBS_j + max_in_jk; when the data rule out one side,
                   v_jkt is dropped and the other side holds whenever x_jk = 1.

    pred_start(j)  S_j >= sum_k [ max(r_j, a_k + s^k_0j) f_jk
                                  + sum_i max(r_j, LBS_ik + p_ik + s^k_ij) y_ijk ]
    entry(P,k,j)   sum_{l in P} ( f_lk + sum_{i not in P} y_ilk ) >= x_jk   for j in P
                   (P the orders of one product)
    load(k)        C_max >= a_k + sum_j ( p_jk x_jk + sigma^k_j )          (only if W_C > 0)

prec with p >= 1 also removes subtours. A changeover chain can only start
at a line's first order, so ``open`` is needed for f_jk alone. pred_start
and entry are valid inequalities (:class:`Cuts`): pred_start carries the
changeover into the LP start times (exactly one predecessor term is 1);
entry says that a product used on a line is entered at least once from the
initial state or from another product, which makes the LP pay for campaign
changes. On pharma_small_s1 (cold start) they cut CBC's proof from 18.5 s
to 9.6 s; on the BR-18 embedding (warm start) entry lifts the 30 s bound
from 0.3 to 42 of 50, on pharma_medium_s1 from 4,112 to 4,912. load says
that a line ends no earlier than all its work and changeovers one after the
other; without it the LP spreads the makespan over the lines and its bound
is useless. On the Vallada-Ruiz instances I_10_2_S_1-124_7, I_12_2_S_1-49_10
and I_12_3_S_1-124_1 (warm start) CBC proved the optimum in 0.7, 0.2 and
2.0 s with it and had bounds of 169, 99 and 117 (optima 276, 234, 239)
after 30 s without it.

Formulation ``shared-arcs`` (one arc variable per pair, lines linked)
----------------------------------------------------------------------
y_ij in {0,1} (i directly precedes j on whichever line), x_jk, f_jk as above
and a continuous changeover sigma_j >= 0:

    in(j)          sum_k f_jk + sum_i y_ij = 1,    out(i)   sum_j y_ij <= 1
    first(k)       sum_j f_jk <= 1,                f_jk <= x_jk
    same(i,j,k)    y_ij + x_ik - x_jk <= 1 and y_ij + x_jk - x_ik <= 1
    setup(i,j,k)   sigma_j >= s^k_ij (y_ij + x_jk - 1),   sigma_j >= sum_k s^k_0j f_jk
    prec(i,j)      S_j - sigma_j >= S_i + sum_k p_ik x_ik - M_ij (1 - y_ij)
    open(j)        S_j - sigma_j >= sum_k a_k f_jk

with window, tardy, makespan and down as above (using sigma_j).

Incumbent cutoff: given the objective U of a verified schedule, D_j is
lowered to d_j + U / (W_T w_j) (when W_T w_j > 0) and to U / W_C (when
W_C > 0). No solution at least as good as U is lost, and every M shrinks.

Why the objective gap is absolute: all weights and times are integers, so
the objective is integral and a gap below one unit proves optimality; the
default relative gap of CBC (1e-4) would stop early on large objectives.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeAlias

import mip as python_mip

from pharma_pipelines.scheduling.problem import SchedulingProblem
from pharma_pipelines.scheduling.schedule import ScheduledOrder

logger = logging.getLogger(__name__)

mip: Any = python_mip
"""python-mip, typed as ``Any`` for the static checker.

python-mip 2.0 annotates numbers as ``numbers.Real``, which static checkers
do not relate to ``int`` or ``float``, so every ``3 * x`` on its variables is
flagged (https://github.com/coin-or/python-mip/issues/173 and /427). Remove
this alias, and use the package directly, once a release annotates ``float``.
"""
Var: TypeAlias = Any
Expression: TypeAlias = Any
Model: TypeAlias = Any

SOLVER_NAME = f"cbc via python-mip {python_mip.__version__}"

INTEGRAL_GAP = 0.999
"""Absolute gap that proves optimality of an integral objective."""


class Formulation(StrEnum):
    """Which MIP formulation to build (see the module docstring)."""

    LINE_ARCS = "line-arcs"
    SHARED_ARCS = "shared-arcs"


DEFAULT_FORMULATION = Formulation.LINE_ARCS


@dataclass(frozen=True)
class Cuts:
    """Valid inequalities added to the line-arcs formulation (see the module docstring)."""

    pred_start: bool = True
    product_entry: bool = True
    makespan_load: bool = True


INFEASIBLE_STATUSES = frozenset({"INFEASIBLE", "INT_INFEASIBLE"})
"""python-mip statuses that claim a proof of infeasibility."""

PROOF_MARGIN = 0.95
"""A CBC 'infeasible' counts as a proof only if CBC stopped before this share of its limit."""


@dataclass(frozen=True)
class MipResult:
    """What CBC reported, translated to plain values.

    ``status`` is the python-mip status name. ``sequences`` holds the order
    ids per line of the incumbent, or None when CBC has no solution.
    """

    status: str
    objective: float | None
    bound: float | None
    sequences: dict[str, list[str]] | None
    solve_seconds: float
    build_seconds: float
    variables: int
    constraints: int
    formulation: str

    @property
    def has_solution(self) -> bool:
        return self.sequences is not None

    @property
    def claims_infeasible(self) -> bool:
        return self.status in INFEASIBLE_STATUSES

    def proves_infeasible(self, time_limit_s: float) -> bool:
        """CBC's 'infeasible' is a proof only if CBC stopped well inside its limit (see BR-18)."""
        return self.claims_infeasible and (
            self.build_seconds + self.solve_seconds < PROOF_MARGIN * time_limit_s
        )


class UnplaceableOrders(ValueError):
    """Some order fits on none of its lines within the (cutoff-tightened) end limits."""


@dataclass
class _Bounds:
    """Per order and line bounds derived from the data (see module docstring)."""

    eligible: dict[int, list[int]]
    lbs: dict[tuple[int, int], int]
    ubs: dict[tuple[int, int], int]
    min_in: dict[tuple[int, int], int]
    max_in: dict[tuple[int, int], int]
    lbs_order: dict[int, int] = field(default_factory=dict)
    ubs_order: dict[int, int] = field(default_factory=dict)


def _latest_end(problem: SchedulingProblem, order_id: str, cutoff: int | None) -> int:
    """Hard end limit of an order, tightened by an incumbent objective ``cutoff``.

    A solution at least as good as the incumbent has W_T w_j T_j <= cutoff and
    W_C C_max <= cutoff, so those limits lose no such solution (the incumbent
    itself included) while shrinking every big-M derived from them.
    """
    latest = problem.latest_end(order_id)
    if cutoff is None:
        return latest
    order, weights = problem.order(order_id), problem.objective
    if weights.weighted_tardiness * order.weight > 0:
        latest = min(latest, order.due + cutoff // (weights.weighted_tardiness * order.weight))
    if weights.makespan > 0:
        latest = min(latest, cutoff // weights.makespan)
    return latest


class _Data:
    """Index-based view of the problem shared by both formulations."""

    def __init__(self, problem: SchedulingProblem, cutoff: int | None = None) -> None:
        self.problem = problem
        self.orders = [order.id for order in problem.orders]
        self.lines = [line.id for line in problem.lines]
        self.product = [problem.product_index(order.product) for order in problem.orders]
        self.release = [order.release for order in problem.orders]
        self.due = [order.due for order in problem.orders]
        self.weight = [order.weight for order in problem.orders]
        line_index = {line: k for k, line in enumerate(self.lines)}
        self.proc = [
            {line_index[line]: t for line, t in order.proc.items()} for order in problem.orders
        ]
        self.latest = [_latest_end(problem, order.id, cutoff) for order in problem.orders]
        self.window = [problem.line_window(line) for line in self.lines]
        self.downtimes = [sorted(problem.line(line).downtimes) for line in self.lines]
        tables = [problem.setup_table(line) for line in self.lines]
        products = len(problem.products)
        self.matrix = [[list(row) for row in table.matrix] for table in tables]
        self.initial = [
            list(table.initial) if table.initial else [0] * products for table in tables
        ]

    def setup(self, k: int, i: int, j: int) -> int:
        return self.matrix[k][self.product[i]][self.product[j]]

    def bounds(self) -> _Bounds:
        on_line = {
            k: [j for j in range(len(self.orders)) if k in self.proc[j]]
            for k in range(len(self.lines))
        }
        bounds = _Bounds({}, {}, {}, {}, {})
        for j in range(len(self.orders)):
            bounds.eligible[j] = []
            for k in sorted(self.proc[j]):
                incoming = [self.initial[k][self.product[j]]] + [
                    self.setup(k, i, j) for i in on_line[k] if i != j
                ]
                low = max(self.release[j], self.window[k][0] + min(incoming))
                high = min(self.latest[j], self.window[k][1]) - self.proc[j][k]
                if low > high:
                    continue
                bounds.lbs[j, k], bounds.ubs[j, k] = low, high
                bounds.min_in[j, k], bounds.max_in[j, k] = min(incoming), max(incoming)
                sides = [
                    self.downtime_sides(bounds, j, k, t) for t in range(len(self.downtimes[k]))
                ]
                if all(side is None or any(side) for side in sides):
                    bounds.eligible[j].append(k)
            if bounds.eligible[j]:
                bounds.lbs_order[j] = min(bounds.lbs[j, k] for k in bounds.eligible[j])
                bounds.ubs_order[j] = max(bounds.ubs[j, k] for k in bounds.eligible[j])
        return bounds

    def downtime_sides(self, bounds: _Bounds, j: int, k: int, t: int) -> tuple[bool, bool] | None:
        """Whether j's block on k can lie (before, after) downtime t; None if t cannot touch it."""
        alpha, beta = self.downtimes[k][t]
        p = self.proc[j][k]
        block_low = max(self.window[k][0], self.release[j] - bounds.max_in[j, k])
        if bounds.ubs[j, k] + p <= alpha or block_low >= beta:
            return None
        before = bounds.lbs[j, k] + p <= alpha
        after = max(beta + bounds.min_in[j, k], bounds.lbs[j, k]) <= bounds.ubs[j, k]
        return before, after

    def arc_possible(self, bounds: _Bounds, i: int, j: int, k: int) -> bool:
        return bounds.lbs[i, k] + self.proc[i][k] + self.setup(k, i, j) <= bounds.ubs[j, k]


@dataclass
class _Built:
    """The python-mip model and the variables needed to read or seed a solution."""

    model: Model
    start: dict[int, Var]
    assign: dict[tuple[int, int], Var]
    first: dict[tuple[int, int], Var]
    arcs: dict[tuple[int, ...], Var]
    after: dict[tuple[int, int, int], Var]
    line_setup: dict[tuple[int, int], Expression] = field(default_factory=dict)
    """Changeover before j when j runs on k, and 0 otherwise (line-arcs only)."""


def _new_model(name: str, threads: int, seed: int, solver_name: str = "CBC") -> Model:
    model = mip.Model(name=name, sense=mip.MINIMIZE, solver_name=solver_name)
    model.verbose = 0
    model.threads = threads
    model.seed = seed
    model.max_mip_gap = 1e-9
    model.max_mip_gap_abs = INTEGRAL_GAP
    return model


def _common_variables(model: Model, data: _Data, bounds: _Bounds) -> _Built:
    lines, orders = data.lines, data.orders
    start = {
        j: model.add_var(f"S({orders[j]})", lb=bounds.lbs_order[j], ub=bounds.ubs_order[j])
        for j in range(len(orders))
    }
    assign = {
        (j, k): model.add_var(f"x({orders[j]},{lines[k]})", var_type=mip.BINARY)
        for j in range(len(orders))
        for k in bounds.eligible[j]
    }
    first = {
        (j, k): model.add_var(f"f({orders[j]},{lines[k]})", var_type=mip.BINARY)
        for j in range(len(orders))
        for k in bounds.eligible[j]
    }
    return _Built(model, start, assign, first, {}, {})


def _completion(data: _Data, bounds: _Bounds, built: _Built, j: int) -> Expression:
    return built.start[j] + mip.xsum(
        data.proc[j][k] * built.assign[j, k] for k in bounds.eligible[j]
    )


def _add_assignment_and_window(data: _Data, bounds: _Bounds, built: _Built) -> None:
    model, orders = built.model, data.orders
    for j in range(len(orders)):
        x = [(k, built.assign[j, k]) for k in bounds.eligible[j]]
        model.add_constr(mip.xsum(var for _, var in x) == 1, f"assign({orders[j]})")
        model.add_constr(
            built.start[j] >= mip.xsum(bounds.lbs[j, k] * var for k, var in x),
            f"window_lo({orders[j]})",
        )
        model.add_constr(
            built.start[j] <= mip.xsum(bounds.ubs[j, k] * var for k, var in x),
            f"window_hi({orders[j]})",
        )
    for k, line in enumerate(data.lines):
        firsts = [built.first[j, k] for j in range(len(orders)) if (j, k) in built.first]
        if firsts:
            model.add_constr(mip.xsum(firsts) <= 1, f"first({line})")


def _objective_terms(
    data: _Data, bounds: _Bounds, built: _Built, setups: Expression, cuts: Cuts
) -> Expression:
    model, weights, orders = built.model, data.problem.objective, data.orders
    tardiness = mip.LinExpr()
    for j in range(len(orders)):
        latest_end = bounds.ubs_order[j] + max(data.proc[j][k] for k in bounds.eligible[j])
        if weights.weighted_tardiness and data.weight[j] and latest_end > data.due[j]:
            tardy = model.add_var(f"T({orders[j]})", lb=0, ub=latest_end - data.due[j])
            model.add_constr(
                tardy >= _completion(data, bounds, built, j) - data.due[j], f"tardy({orders[j]})"
            )
            tardiness.add_term(tardy, data.weight[j])
    objective = weights.weighted_tardiness * tardiness + weights.setup_time * setups
    if weights.makespan:
        makespan = model.add_var("C_max", lb=0, ub=data.problem.horizon)
        for j in range(len(orders)):
            model.add_constr(
                makespan >= _completion(data, bounds, built, j), f"makespan({orders[j]})"
            )
        if cuts.makespan_load and built.line_setup:
            _add_makespan_load(data, built, makespan)
        objective = objective + weights.makespan * makespan
    return objective


def _add_makespan_load(data: _Data, built: _Built, makespan: Var) -> None:
    """load(k): the makespan is at least the line's opening plus all work and changeovers on it."""
    for k, line in enumerate(data.lines):
        members = [j for (j, line_k) in built.assign if line_k == k]
        if not members:
            continue
        work = mip.xsum(
            data.proc[j][k] * built.assign[j, k] + built.line_setup[j, k] for j in members
        )
        built.model.add_constr(makespan >= data.window[k][0] + work, f"load({line})")


def _add_downtimes(
    data: _Data,
    bounds: _Bounds,
    built: _Built,
    line_setup: dict[tuple[int, int], Expression],
    setup_off_line: dict[int, int],
) -> None:
    """The down(j,k,t) rows.

    ``setup_off_line[j]`` is the largest value ``line_setup[j, k]`` can take
    while j is not on k (0 for line arcs, whose line part vanishes; the upper
    bound of sigma_j for shared arcs), which sets Ma.
    """
    model, orders, lines = built.model, data.orders, data.lines
    for j in range(len(orders)):
        for k in bounds.eligible[j]:
            for t, (alpha, beta) in enumerate(data.downtimes[k]):
                sides = data.downtime_sides(bounds, j, k, t)
                if sides is None:
                    continue
                before, after = sides
                name = f"{orders[j]},{lines[k]},{t}"
                completion = _completion(data, bounds, built, j)
                x = built.assign[j, k]
                block_start = built.start[j] - line_setup[j, k]
                m_before = max(0, bounds.ubs_order[j] + data.proc[j][k] - alpha)
                m_after_off = max(0, beta - bounds.lbs_order[j] + setup_off_line[j])
                if before and after:
                    m_after = max(m_after_off, beta - bounds.lbs_order[j] + bounds.max_in[j, k])
                    v = model.add_var(f"v({name})", var_type=mip.BINARY)
                    built.after[j, k, t] = v
                    model.add_constr(v <= x, f"down_on({name})")
                    model.add_constr(
                        completion <= alpha + m_before * (1 - x + v), f"down_before({name})"
                    )
                    model.add_constr(block_start >= beta - m_after * (1 - v), f"down_after({name})")
                elif before:
                    model.add_constr(
                        completion <= alpha + m_before * (1 - x), f"down_before({name})"
                    )
                else:
                    model.add_constr(
                        block_start >= beta - m_after_off * (1 - x), f"down_after({name})"
                    )


def _add_pred_start(
    data: _Data,
    bounds: _Bounds,
    built: _Built,
    incoming: dict[tuple[int, int], list[tuple[int, Var]]],
) -> None:
    """pred_start(j): the start is at least what the chosen predecessor allows."""
    for j in range(len(data.orders)):
        terms = []
        for k in bounds.eligible[j]:
            opening = max(data.release[j], data.window[k][0] + data.initial[k][data.product[j]])
            terms.append(opening * built.first[j, k])
            terms.extend(
                max(data.release[j], bounds.lbs[i, k] + data.proc[i][k] + data.setup(k, i, j)) * y
                for i, y in incoming[j, k]
            )
        built.model.add_constr(built.start[j] >= mip.xsum(terms), f"pred_start({data.orders[j]})")


def _add_product_entry(
    data: _Data, built: _Built, incoming: dict[tuple[int, int], list[tuple[int, Var]]]
) -> None:
    """entry(p,k,j): a product used on a line is entered once, from the start or another product."""
    groups: dict[tuple[int, int], list[int]] = {}
    for j, k in built.assign:
        groups.setdefault((data.product[j], k), []).append(j)
    for (product, k), members in groups.items():
        entries = mip.xsum(
            [built.first[j, k] for j in members]
            + [y for j in members for i, y in incoming[j, k] if data.product[i] != product]
        )
        for j in members:
            built.model.add_constr(
                entries >= built.assign[j, k],
                f"entry({data.problem.products[product].id},{data.lines[k]},{data.orders[j]})",
            )


def _build_line_arcs(data: _Data, bounds: _Bounds, built: _Built, cuts: Cuts) -> Expression:
    """Arcs y_ijk, flow rows, prec rows; returns the total changeover expression."""
    model, orders, lines = built.model, data.orders, data.lines
    incoming: dict[tuple[int, int], list[tuple[int, Var]]] = {key: [] for key in built.assign}
    outgoing: dict[tuple[int, int], list[Var]] = {key: [] for key in built.assign}
    for k, line in enumerate(lines):
        members = [j for j in range(len(orders)) if (j, k) in built.assign]
        for i in members:
            for j in members:
                if i != j and data.arc_possible(bounds, i, j, k):
                    y = model.add_var(f"y({orders[i]},{orders[j]},{line})", var_type=mip.BINARY)
                    built.arcs[i, j, k] = y
                    incoming[j, k].append((i, y))
                    outgoing[i, k].append(y)
    line_setup: dict[tuple[int, int], Expression] = {}
    for (j, k), x in built.assign.items():
        name = f"{orders[j]},{lines[k]}"
        f = built.first[j, k]
        model.add_constr(f + mip.xsum(y for _, y in incoming[j, k]) == x, f"in({name})")
        model.add_constr(mip.xsum(outgoing[j, k]) <= x, f"out({name})")
        opening = data.window[k][0] + data.initial[k][data.product[j]]
        if opening > bounds.lbs_order[j]:
            model.add_constr(built.start[j] >= opening * f, f"open({name})")
        line_setup[j, k] = data.initial[k][data.product[j]] * f + mip.xsum(
            data.setup(k, i, j) * y for i, y in incoming[j, k]
        )
    built.line_setup = line_setup
    if cuts.pred_start:
        _add_pred_start(data, bounds, built, incoming)
    if cuts.product_entry:
        _add_product_entry(data, built, incoming)
    for (i, j, k), y in built.arcs.items():
        gap = data.proc[i][k] + data.setup(k, i, j)
        big_m = max(0, gap + bounds.ubs_order[i] - bounds.lbs_order[j])
        model.add_constr(
            built.start[j] >= built.start[i] + gap - big_m * (1 - y),
            f"prec({orders[i]},{orders[j]},{lines[k]})",
        )
    _add_downtimes(data, bounds, built, line_setup, dict.fromkeys(range(len(orders)), 0))
    return mip.xsum(line_setup.values())


def _build_shared_arcs(data: _Data, bounds: _Bounds, built: _Built) -> Expression:
    """Arcs y_ij with line-linking rows and a continuous changeover per order."""
    model, orders, lines = built.model, data.orders, data.lines
    n = len(orders)
    sigma_ub = {j: max(bounds.max_in[j, k] for k in bounds.eligible[j]) for j in range(n)}
    sigma = {j: model.add_var(f"sigma({orders[j]})", lb=0, ub=sigma_ub[j]) for j in range(n)}
    preds: dict[int, list[Var]] = {j: [] for j in range(n)}
    succs: dict[int, list[Var]] = {j: [] for j in range(n)}
    for i in range(n):
        for j in range(n):
            shared = [
                k
                for k in bounds.eligible[i]
                if k in bounds.eligible[j] and data.arc_possible(bounds, i, j, k)
            ]
            if i != j and shared:
                y = model.add_var(f"y({orders[i]},{orders[j]})", var_type=mip.BINARY)
                built.arcs[i, j] = y
                preds[j].append(y)
                succs[i].append(y)
    for j in range(n):
        firsts = [built.first[j, k] for k in bounds.eligible[j]]
        model.add_constr(mip.xsum(firsts) + mip.xsum(preds[j]) == 1, f"in({orders[j]})")
        model.add_constr(mip.xsum(succs[j]) <= 1, f"out({orders[j]})")
        initial = mip.xsum(
            data.initial[k][data.product[j]] * built.first[j, k] for k in bounds.eligible[j]
        )
        model.add_constr(sigma[j] >= initial, f"setup0({orders[j]})")
        opening = mip.xsum(data.window[k][0] * built.first[j, k] for k in bounds.eligible[j])
        model.add_constr(built.start[j] - sigma[j] >= opening, f"open({orders[j]})")
        for k in bounds.eligible[j]:
            model.add_constr(
                built.first[j, k] <= built.assign[j, k], f"first_on({orders[j]},{lines[k]})"
            )
    for (i, j), y in built.arcs.items():
        _link_shared_arc(data, bounds, built, sigma, sigma_ub, (i, j), y)
    line_setup = {(j, k): mip.LinExpr() + sigma[j] for (j, k) in built.assign}
    _add_downtimes(data, bounds, built, line_setup, sigma_ub)
    return mip.xsum(sigma.values())


def _link_shared_arc(
    data: _Data,
    bounds: _Bounds,
    built: _Built,
    sigma: dict[int, Var],
    sigma_ub: dict[int, int],
    pair: tuple[int, int],
    y: Var,
) -> None:
    """same, setup and prec rows of one shared arc y_ij."""
    model, orders, lines = built.model, data.orders, data.lines
    i, j = pair
    name = f"{orders[i]},{orders[j]}"
    for k in sorted(set(bounds.eligible[i]) | set(bounds.eligible[j])):
        xi, xj = built.assign.get((i, k)), built.assign.get((j, k))
        if xi is not None and xj is not None:
            model.add_constr(y + xi - xj <= 1, f"same({name},{lines[k]})")
            model.add_constr(y + xj - xi <= 1, f"same_back({name},{lines[k]})")
            if data.setup(k, i, j):
                model.add_constr(
                    sigma[j] >= data.setup(k, i, j) * (y + xj - 1), f"setup({name},{lines[k]})"
                )
        elif xi is not None:
            model.add_constr(y + xi <= 1, f"same({name},{lines[k]})")
        elif xj is not None:
            model.add_constr(y + xj <= 1, f"same({name},{lines[k]})")
    longest = max(data.proc[i][k] for k in bounds.eligible[i])
    big_m = max(0, bounds.ubs_order[i] + longest + sigma_ub[j] - bounds.lbs_order[j])
    completion = _completion(data, bounds, built, i)
    model.add_constr(built.start[j] - sigma[j] >= completion - big_m * (1 - y), f"prec({name})")


def build(
    problem: SchedulingProblem,
    formulation: Formulation = DEFAULT_FORMULATION,
    threads: int = 1,
    seed: int = 0,
    feasibility_only: bool = False,
    cutoff: int | None = None,
    cuts: Cuts = Cuts(),
    solver_name: str = "CBC",
) -> tuple[_Built, _Data, _Bounds]:
    """Build the model; ``feasibility_only`` drops the objective (used to isolate conflicts)."""
    data = _Data(problem.pinned(), cutoff)
    bounds = data.bounds()
    unplaceable = [data.orders[j] for j, lines in bounds.eligible.items() if not lines]
    if unplaceable:
        raise UnplaceableOrders(
            f"orders {', '.join(unplaceable)} fit on none of their lines; run the pre-checks first"
        )
    built = _common_variables(_new_model(problem.name, threads, seed, solver_name), data, bounds)
    _add_assignment_and_window(data, bounds, built)
    if formulation is Formulation.LINE_ARCS:
        setups = _build_line_arcs(data, bounds, built, cuts)
    else:
        setups = _build_shared_arcs(data, bounds, built)
    objective = _objective_terms(data, bounds, built, setups, cuts)
    built.model.objective = mip.minimize(mip.LinExpr() if feasibility_only else objective)
    return built, data, bounds


def count_binaries(problem: SchedulingProblem, cutoff: int | None = None) -> int:
    """Arc and downtime-side binaries the default formulation would create: its size driver.

    With the objective ``cutoff`` of a known plan the data bounds tighten (see
    :func:`_latest_end`), which can shrink a model by orders of magnitude: a
    makespan cutoff rules out most arcs on a plant with many lines.
    """
    data = _Data(problem.pinned(), cutoff)
    bounds = data.bounds()
    total = 0
    for k in range(len(data.lines)):
        members = [j for j in range(len(data.orders)) if k in bounds.eligible[j]]
        total += sum(
            1 for i in members for j in members if i != j and data.arc_possible(bounds, i, j, k)
        )
        for j in members:
            sides = (data.downtime_sides(bounds, j, k, t) for t in range(len(data.downtimes[k])))
            total += sum(1 for side in sides if side is not None and all(side))
    return total


def _warm_start(
    built: _Built, data: _Data, assignments: Sequence[ScheduledOrder]
) -> list[tuple[Var, float]]:
    """Binary values of a known schedule, for ``model.start``."""
    order_index = {order: j for j, order in enumerate(data.orders)}
    line_index = {line: k for k, line in enumerate(data.lines)}
    values: list[tuple[Var, float]] = []
    previous: dict[int, int] = {}
    for item in assignments:
        j, k = order_index[item.order], line_index[item.line]
        if (j, k) not in built.assign:
            return []
        values.append((built.assign[j, k], 1.0))
        arc = None
        if k in previous:
            arc = built.arcs.get((previous[k], j, k), built.arcs.get((previous[k], j)))
            if arc is None:
                return []
            values.append((arc, 1.0))
        else:
            values.append((built.first[j, k], 1.0))
        for t, (_, beta) in enumerate(data.downtimes[k]):
            after = built.after.get((j, k, t))
            if after is not None and item.start - item.setup_before >= beta:
                values.append((after, 1.0))
        previous[k] = j
    return values


def trusted_bound(model: Model, has_solution: bool) -> float | None:
    """CBC's objective bound when it can be trusted: next to a solution, and finite.

    Stopped without a solution, CBC reports whatever its search left behind:
    the largest float before a first LP solution, and with an objective cutoff
    the cutoff itself, which is no bound at all (it once "proved" a makespan
    of 111 optimal where one of 102 is published).
    """
    if not has_solution:
        return None
    value = model.objective_bound
    if value is None or not math.isfinite(value) or abs(value) >= 1e30:
        return None
    return float(value)


def _sequences(built: _Built, data: _Data) -> dict[str, list[str]]:
    placed: dict[int, list[tuple[float, int]]] = {}
    for (j, k), x in built.assign.items():
        if (x.x or 0.0) > 0.5:
            placed.setdefault(k, []).append((built.start[j].x or 0.0, j))
    return {
        data.lines[k]: [data.orders[j] for _, j in sorted(items)] for k, items in placed.items()
    }


def solve_mip(
    problem: SchedulingProblem,
    time_limit_s: float,
    threads: int = 1,
    seed: int = 0,
    warm_start: Sequence[ScheduledOrder] | None = None,
    formulation: Formulation = DEFAULT_FORMULATION,
    feasibility_only: bool = False,
    cutoff: int | None = None,
    cuts: Cuts = Cuts(),
    solver_name: str = "CBC",
    better_than: int | None = None,
) -> MipResult:
    """Build and solve in this process; callers that need a hard stop run it in a child process.

    ``better_than`` asks only for plans with a smaller objective than a known
    plan's: the bounds tighten to that objective minus one (it is integral)
    and CBC cuts off anything else, so the model is smaller and an INFEASIBLE
    answer proves the known plan optimal. No warm start is given then, since
    the known plan is outside the model.
    """
    started = time.monotonic()
    if better_than is not None:
        cutoff, warm_start = better_than - 1, None
    try:
        built, data, _ = build(
            problem, formulation, threads, seed, feasibility_only, cutoff, cuts, solver_name
        )
    except UnplaceableOrders:
        if better_than is None:
            raise
        # Some order cannot end early enough for any better plan: that is the proof.
        return MipResult(
            "INFEASIBLE", None, None, None, 0.0, time.monotonic() - started, 0, 0, str(formulation)
        )
    if better_than is not None:
        built.model.cutoff = better_than - 0.5
    if warm_start:
        values = _warm_start(built, data, warm_start)
        if values:
            built.model.start = values
    build_seconds = time.monotonic() - started
    remaining = max(0.01, time_limit_s - build_seconds)
    logger.info(
        "MIP %s for %s: %d variables, %d constraints, built in %.2f s, %.2f s left for CBC",
        formulation,
        problem.name,
        built.model.num_cols,
        built.model.num_rows,
        build_seconds,
        remaining,
    )
    status = built.model.optimize(max_seconds=remaining)
    solve_seconds = time.monotonic() - started - build_seconds
    has_solution = status in (mip.OptimizationStatus.OPTIMAL, mip.OptimizationStatus.FEASIBLE)
    has_solution = has_solution and built.model.num_solutions > 0
    bound = trusted_bound(built.model, has_solution)
    return MipResult(
        status=status.name,
        objective=built.model.objective_value if has_solution else None,
        bound=None if bound is None else float(bound),
        sequences=_sequences(built, data) if has_solution else None,
        solve_seconds=solve_seconds,
        build_seconds=build_seconds,
        variables=built.model.num_cols,
        constraints=built.model.num_rows,
        formulation=str(formulation),
    )
