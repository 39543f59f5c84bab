r"""An OR-Tools CP-SAT model of pharma-sched-bench/1 (FORMAT.md sections 2-4), a benchmark peer.

It reads the instance document itself and imports nothing of the product,
because the product loads python-mip, whose COIN-OR libraries clash with
OR-Tools in one process. The parent process judges its answer with the
product's checker like any other solver's.

Data: orders j with product p_j, release r_j, due d_j, weight w_j, optional
deadline D_j, processing time p_jk on each eligible line k; lines with window
[a_k, b_k] (b_k <= H), downtimes [alpha, beta), changeovers s^k(u, v) between
products and s^k_0(v) before a line's first order.

Variables per order: block start B_j, changeover sigma_j, processing start
S_j = B_j + sigma_j, end C_j, tardiness T_j >= 0; per eligible line a
presence literal x_jk and an optional interval [B_j, C_j) of size
sigma_j + p_jk (changeover and processing together, so downtimes keep both
out); per line and ordered pair an arc literal y_ijk, plus f_jk (j first)
and l_jk (j last).

    min  W_T sum_j w_j T_j + W_S sum_j sigma_j + W_C C_max
    assign(j)      sum_k x_jk = 1
    circuit(k)     one Hamiltonian circuit through the depot 0 and the orders with
                   x_jk = 1, arcs f_jk (0 -> j), y_ijk (i -> j), l_jk (j -> 0); order j
                   skips line k through its self-loop, literal not x_jk; the depot
                   skips through e_k (line unused), and e_k excludes every x_jk
    first(j,k)     f_jk  => sigma_j = s^k_0(p_j)
    follow(i,j,k)  y_ijk => sigma_j = s^k(p_i, p_j) and B_j >= C_i
    line(j,k)      x_jk  => B_j >= a_k, C_j <= b_k, B_j + sigma_j + p_jk = C_j
    no_overlap(k)  the present blocks of line k and its downtimes as fixed intervals
    timing(j)      S_j >= r_j, C_j <= min(H, D_j), T_j = max(0, C_j - d_j), C_max = max_j C_j

Arcs that the time windows rule out (the earliest end of i plus the
changeover is after the latest start of j) and lines on which an order cannot
fit at all are left out. Frozen orders, an extension of the product outside
the format, are refused. The solver runs cold (no hint) with its default
parameters on one worker with a fixed seed; model building counts against the
time limit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import ortools
from ortools.sat.python import cp_model

SOLUTION_FORMAT = "pharma-sched-bench-solution/1"
SOLVER_LABEL = f"cpsat (OR-Tools {ortools.__version__}, own model, cold start)"

MIN_SEARCH_S = 0.1
"""Below this much time left after building, the model is reported as too large to solve."""


@dataclass(frozen=True)
class _Line:
    id: str
    opens: int
    closes: int
    downtimes: tuple[tuple[int, int], ...]
    matrix: tuple[tuple[int, ...], ...]
    initial: tuple[int, ...]


@dataclass(frozen=True)
class _Order:
    id: str
    product: int
    release: int
    due: int
    weight: int
    latest_end: int
    proc: dict[int, int]
    """Processing time per line index, only on lines where the order can fit."""


@dataclass(frozen=True)
class _Instance:
    name: str
    horizon: int
    w_tardiness: int
    w_setup: int
    w_makespan: int
    lines: tuple[_Line, ...]
    orders: tuple[_Order, ...]


def _read(document: dict[str, Any]) -> _Instance:
    """The numbers of an instance document, with the defaults FORMAT.md section 1 gives."""
    horizon = int(document["horizon"])
    products = {product["id"]: i for i, product in enumerate(document["products"])}
    setup = document["setup"]
    lines: list[_Line] = []
    for line in document["lines"]:
        table = setup.get("by_line", {}).get(line["id"]) or setup.get("default")
        if table is None:
            raise ValueError(f"line {line['id']} has no setup table and there is no default")
        closes = line.get("available_to")
        lines.append(
            _Line(
                id=line["id"],
                opens=int(line.get("available_from", 0)),
                closes=horizon if closes is None else min(int(closes), horizon),
                downtimes=tuple((int(a), int(b)) for a, b in line.get("downtimes", [])),
                matrix=tuple(tuple(int(v) for v in row) for row in table["matrix"]),
                initial=tuple(int(v) for v in table.get("initial") or [0] * len(products)),
            )
        )
    line_index = {line.id: k for k, line in enumerate(lines)}
    orders: list[_Order] = []
    for order in document["orders"]:
        release = int(order.get("release", 0))
        deadline = order.get("deadline")
        latest = horizon if deadline is None else min(horizon, int(deadline))
        if order.get("frozen") is not None:
            raise ValueError(
                f"order {order['id']} is frozen; frozen orders are not part of the bench "
                "format and this model does not handle them"
            )
        proc: dict[int, int] = {}
        for line_id, time_on_line in order["proc"].items():
            k, p = line_index[line_id], int(time_on_line)
            if max(release, lines[k].opens) + p <= min(latest, lines[k].closes):
                proc[k] = p
        orders.append(
            _Order(
                id=order["id"],
                product=products[order["product"]],
                release=release,
                due=int(order.get("due", 0)),
                weight=int(order.get("weight", 0)),
                latest_end=latest,
                proc=proc,
            )
        )
    weights = document["objective"]
    return _Instance(
        name=str(document.get("name", "")),
        horizon=horizon,
        w_tardiness=int(weights["weighted_tardiness"]),
        w_setup=int(weights["setup_time"]),
        w_makespan=int(weights["makespan"]),
        lines=tuple(lines),
        orders=tuple(orders),
    )


@dataclass
class _Variables:
    block: list[cp_model.IntVar]
    setup: list[cp_model.IntVar]
    start: list[cp_model.IntVar]
    end: list[cp_model.IntVar]
    present: dict[tuple[int, int], cp_model.IntVar]


def _order_variables(model: cp_model.CpModel, instance: _Instance) -> _Variables:
    variables = _Variables([], [], [], [], {})
    products_on = [
        {order.product for order in instance.orders if k in order.proc}
        for k in range(len(instance.lines))
    ]
    for j, order in enumerate(instance.orders):
        shortest = min(order.proc.values())
        biggest_setup = max(
            max(
                instance.lines[k].initial[order.product],
                *(instance.lines[k].matrix[u][order.product] for u in products_on[k]),
            )
            for k in order.proc
        )
        latest_start = order.latest_end - shortest
        start = model.new_int_var(order.release, latest_start, f"S[{order.id}]")
        setup = model.new_int_var(0, biggest_setup, f"sigma[{order.id}]")
        block = model.new_int_var(0, latest_start, f"B[{order.id}]")
        end = model.new_int_var(order.release + shortest, order.latest_end, f"C[{order.id}]")
        model.add(start == block + setup)
        variables.block.append(block)
        variables.setup.append(setup)
        variables.start.append(start)
        variables.end.append(end)
        for k in order.proc:
            variables.present[j, k] = model.new_bool_var(f"x[{order.id},{instance.lines[k].id}]")
        model.add_exactly_one(variables.present[j, k] for k in order.proc)
    return variables


def _line_constraints(
    model: cp_model.CpModel, instance: _Instance, variables: _Variables, k: int
) -> None:
    line = instance.lines[k]
    members = [j for j, order in enumerate(instance.orders) if k in order.proc]
    if not members:
        return
    intervals = [
        model.new_fixed_size_interval_var(alpha, beta - alpha, f"down[{line.id},{alpha}]")
        for alpha, beta in line.downtimes
    ]
    unused = model.new_bool_var(f"e[{line.id}]")
    arcs: list[tuple[int, int, Any]] = [(0, 0, unused)]
    for node, j in enumerate(members, start=1):
        order, x = instance.orders[j], variables.present[j, k]
        p = order.proc[k]
        model.add_implication(x, unused.Not())
        model.add(variables.block[j] >= line.opens).only_enforce_if(x)
        model.add(variables.end[j] <= line.closes).only_enforce_if(x)
        intervals.append(
            model.new_optional_interval_var(
                variables.block[j],
                variables.setup[j] + p,
                variables.end[j],
                x,
                f"block[{order.id},{line.id}]",
            )
        )
        first = model.new_bool_var(f"f[{order.id},{line.id}]")
        model.add(variables.setup[j] == line.initial[order.product]).only_enforce_if(first)
        arcs.append((0, node, first))
        arcs.append((node, 0, model.new_bool_var(f"l[{order.id},{line.id}]")))
        arcs.append((node, node, x.Not()))
    for tail, i in enumerate(members, start=1):
        before = instance.orders[i]
        earliest_end = max(before.release, line.opens) + before.proc[k]
        for head, j in enumerate(members, start=1):
            after = instance.orders[j]
            changeover = line.matrix[before.product][after.product]
            latest_start = min(after.latest_end, line.closes) - after.proc[k]
            if i == j or earliest_end + changeover > latest_start:
                continue
            y = model.new_bool_var(f"y[{before.id},{after.id},{line.id}]")
            model.add(variables.setup[j] == changeover).only_enforce_if(y)
            model.add(variables.block[j] >= variables.end[i]).only_enforce_if(y)
            arcs.append((tail, head, y))
    model.add_circuit(arcs)
    model.add_no_overlap(intervals)


def _objective(model: cp_model.CpModel, instance: _Instance, variables: _Variables) -> Any:
    terms: list[Any] = []
    if instance.w_tardiness:
        for j, order in enumerate(instance.orders):
            if order.weight and order.latest_end > order.due:
                tardy = model.new_int_var(0, order.latest_end - order.due, f"T[{order.id}]")
                # Equality rather than ">=": an intermediate solution then reports the
                # true objective of its schedule, which the checker recomputes.
                model.add_max_equality(tardy, [variables.end[j] - order.due, 0])
                terms.append(instance.w_tardiness * order.weight * tardy)
    if instance.w_setup:
        terms.extend(instance.w_setup * setup for setup in variables.setup)
    if instance.w_makespan:
        makespan = model.new_int_var(0, instance.horizon, "C_max")
        model.add_max_equality(makespan, variables.end)
        terms.append(instance.w_makespan * makespan)
    objective = sum(terms)
    model.minimize(objective)
    return objective


def build(instance: _Instance) -> tuple[cp_model.CpModel, _Variables, Any]:
    """The CP-SAT model of an instance whose every order has at least one line to go on.

    Returns the model, its variables and the objective expression.
    """
    model = cp_model.CpModel()
    variables = _order_variables(model, instance)
    for k in range(len(instance.lines)):
        _line_constraints(model, instance, variables, k)
    objective = _objective(model, instance, variables)
    return model, variables, objective


def solve(document: dict[str, Any], time_limit_s: float, seed: int = 0) -> dict[str, Any]:
    """Solve an instance document; the answer is a pharma-sched-bench-solution/1 document.

    The status is OPTIMAL only when CP-SAT proved it. Building the model
    counts against ``time_limit_s``.
    """
    started = time.monotonic()
    instance = _read(document)
    answer: dict[str, Any] = {
        "format": SOLUTION_FORMAT,
        "instance": instance.name,
        "solver": SOLVER_LABEL,
        "time_limit_s": time_limit_s,
        "threads": 1,
        "seed": seed,
        "schedule": [],
    }
    stranded = [order.id for order in instance.orders if not order.proc]
    if stranded:
        answer["status"] = "INFEASIBLE"
        answer["message"] = f"orders {', '.join(stranded)} fit on none of their lines"
        return answer
    model, variables, objective = build(instance)
    remaining = time_limit_s - (time.monotonic() - started)
    answer["build_s"] = time.monotonic() - started
    if remaining < MIN_SEARCH_S:
        answer["status"] = "MODEL_TOO_LARGE"
        answer["message"] = f"building the model took {answer['build_s']:.1f} s of the limit"
        return answer
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = remaining
    status = solver.solve(model)
    answer["wall_time_s"] = time.monotonic() - started
    answer["message"] = f"CP-SAT {solver.status_name(status)} after {solver.wall_time:.1f} s"
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        answer["status"] = "OPTIMAL" if status == cp_model.OPTIMAL else "FEASIBLE"
        # The objective evaluated on the solution returned: with a time limit,
        # CP-SAT's objective_value was seen to differ from its own solution's
        # (pharma_medium_s1: 1009083 reported, 996673 evaluated), and the checker
        # judges the schedule.
        answer["objective"] = int(solver.value(objective))
        answer["reported_objective"] = round(solver.objective_value)
        answer["bound"] = solver.best_objective_bound
        answer["schedule"] = _schedule(instance, variables, solver)
    elif status == cp_model.INFEASIBLE:
        answer["status"] = "INFEASIBLE"
    else:
        answer["status"] = "NO_SOLUTION"
    return answer


def _schedule(
    instance: _Instance, variables: _Variables, solver: cp_model.CpSolver
) -> list[dict[str, Any]]:
    """Per line, the orders in time order with CP-SAT's own start, end and changeover."""
    blocks = []
    for k, line in enumerate(instance.lines):
        placed = sorted(
            (solver.value(variables.start[j]), j)
            for j in range(len(instance.orders))
            if (j, k) in variables.present and solver.boolean_value(variables.present[j, k])
        )
        if placed:
            entries = [
                {
                    "order": instance.orders[j].id,
                    "start": start,
                    "end": solver.value(variables.end[j]),
                    "setup_before": solver.value(variables.setup[j]),
                }
                for start, j in placed
            ]
            blocks.append({"line": line.id, "orders": entries})
    return blocks
