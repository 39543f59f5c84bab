"""Iterated greedy search over line sequences, on the compiled kernels.

Why iterated greedy: for sequencing with sequence-dependent changeovers
(single-line weighted tardiness, unrelated parallel lines with makespan, and
the plant's mix of both) taking a few orders out and re-inserting them
greedily, then descending with local moves, keeps finding better plans long
after plain local search has stalled. It needs two numbers (how many orders
to take out, how often to accept a worse plan) and always holds a valid plan.

One iteration:

1. take ``d`` random orders out of a copy of the current plan, ``d`` drawn
   between :func:`destroy_sizes` bounds (about a tenth to a fifth of the
   orders, at least 2 and at most :data:`MAX_DESTROY`);
2. insert them one by one where the objective grows least (ties: the
   smaller sum of squared line ends, which frees time on the critical lines
   of a makespan objective);
3. descend with run relocations and exchanges (:func:`kernels.descend`);
4. accept the result if it is no worse than the current plan, or with
   probability ``exp(-increase / T)`` otherwise. ``T`` is the temperature
   rule of Ruiz and Stützle's iterated greedy: :data:`TEMPERATURE` times a
   tenth of the mean processing time, in objective units.

The best plan seen is kept apart and returned. Random choices come from one
seeded generator, so a run with an iteration limit is reproducible; a run
stopped by the clock is reproducible up to the iteration it reached.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from pharma_pipelines.scheduling import kernels
from pharma_pipelines.scheduling.heuristic import HeuristicResult, construct, merged_downtimes
from pharma_pipelines.scheduling.kernels import Instance, IntArray, State
from pharma_pipelines.scheduling.problem import SchedulingProblem

logger = logging.getLogger(__name__)

MAX_DESTROY = 12
"""Most orders one iteration takes out: beyond this, re-insertion is mostly noise."""

TEMPERATURE = 0.4
"""Acceptance of worse plans, as a multiple of a tenth of the mean processing cost."""

MOVES_PER_CALL = 64
"""Moves one descent call may make before the clock is looked at again."""

SWAP_ORDER_LIMIT = 400
"""Orders up to which exchanges are part of the descent (they cost O(n^2) per pass)."""

RUN_LENGTH = 5
"""Longest run of consecutive orders the descent relocates as one.

Runs longer than single orders move campaigns and re-order the changeover
chain; on Cicirello's instances five did better than three (geometric mean
ratio 1.067 against 1.097 on twelve instances at 10 s) and eight no better.
"""

Improvement = Callable[[dict[str, list[str]], int], None]
"""Called with the sequences and objective of each new best plan."""


@dataclass(frozen=True)
class SearchOutcome:
    """Best sequences found, as order indices per line, with how they were found."""

    sequences: list[list[int]]
    objective: int
    iterations: int
    improvements: int
    seconds: float


def instance_arrays(problem: SchedulingProblem) -> Instance:
    """The arrays of ``problem`` for the kernels; frozen orders must already be pinned."""
    lines = [line.id for line in problem.lines]
    line_index = {line: k for k, line in enumerate(lines)}
    n, m, products = len(problem.orders), len(lines), len(problem.products)
    proc = np.zeros((n, m), dtype=np.int64)
    limit = np.zeros((n, m), dtype=np.int64)
    windows = [problem.line_window(line) for line in lines]
    for j, order in enumerate(problem.orders):
        latest = problem.latest_end(order.id)
        for line, duration in order.proc.items():
            k = line_index[line]
            proc[j, k] = duration
            limit[j, k] = min(latest, windows[k][1])
    downtimes = [merged_downtimes(problem.line(line).downtimes) for line in lines]
    width = max((len(d) for d in downtimes), default=0)
    down_start = np.zeros((m, max(1, width)), dtype=np.int64)
    down_end = np.zeros((m, max(1, width)), dtype=np.int64)
    for k, spans in enumerate(downtimes):
        for d, (start, end) in enumerate(spans):
            down_start[k, d], down_end[k, d] = start, end
    tables = [problem.setup_table(line) for line in lines]
    weights = problem.objective
    return Instance(
        product=np.array([problem.product_index(o.product) for o in problem.orders], np.int64),
        proc=proc,
        limit=limit,
        release=np.array([o.release for o in problem.orders], dtype=np.int64),
        due=np.array([o.due for o in problem.orders], dtype=np.int64),
        tardy_weight=np.array(
            [weights.weighted_tardiness * o.weight for o in problem.orders], dtype=np.int64
        ),
        opens=np.array([window[0] for window in windows], dtype=np.int64),
        setup=np.array([table.matrix for table in tables], dtype=np.int64).reshape(
            m, products, products
        ),
        initial=np.array(
            [table.initial if table.initial is not None else [0] * products for table in tables],
            dtype=np.int64,
        ).reshape(m, products),
        down_start=down_start,
        down_end=down_end,
        down_count=np.array([len(d) for d in downtimes], dtype=np.int64),
        setup_weight=weights.setup_time,
        makespan_weight=weights.makespan,
    )


def empty_state(inst: Instance) -> State:
    """A plan with every line empty (every order unplaced)."""
    n, m = inst.proc.shape
    ready = np.zeros((m, n + 1), dtype=np.int64)
    ready[:, 0] = inst.opens
    return State(
        seq=np.zeros((m, max(1, n)), dtype=np.int64),
        size=np.zeros(m, dtype=np.int64),
        ready=ready,
        prev=np.full((m, n + 1), kernels.NO_PRODUCT, dtype=np.int64),
        cost=np.zeros((m, n + 1), dtype=np.int64),
        line_of=np.full(n, -1, dtype=np.int64),
        pos_of=np.full(n, -1, dtype=np.int64),
    )


def state_of(inst: Instance, sequences: Sequence[Sequence[int]]) -> State | None:
    """The timed plan of given sequences per line, or None if a hard limit breaks."""
    state = empty_state(inst)
    for k, sequence in enumerate(sequences):
        state.seq[k, : len(sequence)] = sequence
        state.size[k] = len(sequence)
        if not kernels.retime(inst, state, k, 0):
            return None
    return state


def copied(state: State) -> State:
    return State(*(array.copy() for array in state))


def sequences_of(state: State) -> list[list[int]]:
    return [[int(j) for j in state.seq[k, : state.size[k]]] for k in range(state.size.shape[0])]


def objective_of(inst: Instance, state: State) -> int:
    return int(kernels.totals(inst, state)[0])


def greedy_insertion(inst: Instance, priority: IntArray) -> State | None:
    """Insert the orders in ``priority`` order, each where the objective grows least."""
    state = empty_state(inst)
    orders = np.ascontiguousarray(priority, dtype=np.int64)
    if not kernels.insert_greedily(inst, state, orders, len(orders)):
        return None
    return state


def descend(inst: Instance, state: State, deadline: float) -> int:
    """Local search until no move improves or the clock passes ``deadline``."""
    swaps = state.line_of.shape[0] <= SWAP_ORDER_LIMIT
    moves = 0
    while True:
        made = kernels.descend(inst, state, MOVES_PER_CALL, swaps, RUN_LENGTH)
        moves += made
        if made < MOVES_PER_CALL or time.monotonic() >= deadline:
            return moves


def destroy_sizes(orders: int) -> tuple[int, int]:
    """Fewest and most orders one iteration takes out of a plan of ``orders`` orders."""
    low = min(max(2, orders // 10), MAX_DESTROY // 2)
    high = min(max(low, orders // 5), MAX_DESTROY)
    return min(low, max(1, orders - 1)), min(high, max(1, orders - 1))


def temperature(inst: Instance) -> float:
    """The acceptance temperature (module docstring), never below one objective unit."""
    eligible = inst.proc > 0
    mean_proc = float(inst.proc[eligible].mean()) if eligible.any() else 1.0
    mean_weight = float(inst.tardy_weight.mean()) if inst.tardy_weight.size else 0.0
    per_unit = mean_weight + inst.setup_weight + inst.makespan_weight
    return max(1.0, TEMPERATURE * mean_proc / 10 * max(per_unit, 1.0))


def iterated_greedy(
    inst: Instance,
    start: State,
    deadline: float,
    seed: int,
    max_iterations: int | None = None,
    on_best: Callable[[State, int], None] | None = None,
    target: int = 0,
) -> SearchOutcome:
    """Improve ``start`` until ``deadline``, ``max_iterations`` or an objective of ``target``.

    ``target`` is a lower bound on the objective: a plan that meets it cannot
    be improved, so the search stops there. See the module docstring.
    """
    started = time.monotonic()
    rng = np.random.default_rng(seed)
    n = start.line_of.shape[0]
    current = copied(start)
    descend(inst, current, deadline)
    current_obj, current_spread = kernels.totals(inst, current)
    best, best_obj, best_spread = copied(current), current_obj, current_spread
    if on_best is not None:
        on_best(best, int(best_obj))
    scale = temperature(inst)
    low, high = destroy_sizes(n)
    iterations = improvements = 0
    while n > 1 and best_obj > target and time.monotonic() < deadline:
        if max_iterations is not None and iterations >= max_iterations:
            break
        iterations += 1
        trial = copied(current)
        size = int(rng.integers(low, high + 1))
        picked = rng.choice(n, size=size, replace=False).astype(np.int64)
        removed = kernels.remove_orders(inst, trial, picked)
        if not kernels.insert_greedily(inst, trial, picked, removed):
            continue
        descend(inst, trial, deadline)
        trial_obj, trial_spread = kernels.totals(inst, trial)
        if (trial_obj, trial_spread) < (best_obj, best_spread):
            best, best_obj, best_spread = copied(trial), trial_obj, trial_spread
            improvements += 1
            if on_best is not None:
                on_best(best, int(best_obj))
        worse_by = trial_obj - current_obj
        if (trial_obj, trial_spread) <= (current_obj, current_spread) or (
            worse_by > 0 and rng.random() < math.exp(-worse_by / scale)
        ):
            current, current_obj, current_spread = trial, trial_obj, trial_spread
    logger.debug(
        "iterated greedy: %d iterations, %d improvements, objective %d",
        iterations,
        improvements,
        best_obj,
    )
    return SearchOutcome(
        sequences=sequences_of(best),
        objective=int(best_obj),
        iterations=iterations,
        improvements=improvements,
        seconds=time.monotonic() - started,
    )


def starting_plans(problem: SchedulingProblem, inst: Instance) -> list[tuple[str, State]]:
    """First plans for the search: the dispatching rules and two greedy insertion orders.

    ``problem`` must be pinned. Greedy insertion by due date suits tardiness;
    by longest fastest processing time first, makespan (large orders placed
    while there is still room to balance the lines).
    """
    plans: list[tuple[str, State]] = []
    dispatched = construct(problem)
    if dispatched is not None:
        state = state_of(inst, _indexed(problem, dispatched.sequences))
        if state is not None:
            plans.append((dispatched.rule, state))
    longest = np.where(inst.proc > 0, inst.proc, np.iinfo(np.int64).max).min(axis=1)
    priorities = {
        "greedy insertion by due date": np.lexsort((-inst.tardy_weight, inst.due)),
        "greedy insertion, longest first": np.argsort(-longest, kind="stable"),
    }
    for name, priority in priorities.items():
        state = greedy_insertion(inst, priority.astype(np.int64))
        if state is not None:
            plans.append((name, state))
    return plans


def _indexed(problem: SchedulingProblem, sequences: dict[str, list[str]]) -> list[list[int]]:
    order_index = {order.id: j for j, order in enumerate(problem.orders)}
    return [[order_index[o] for o in sequences.get(line.id, [])] for line in problem.lines]


def _named(problem: SchedulingProblem, sequences: list[list[int]]) -> dict[str, list[str]]:
    return {
        line.id: [problem.orders[j].id for j in sequence]
        for line, sequence in zip(problem.lines, sequences, strict=True)
    }


def improve(
    problem: SchedulingProblem,
    time_budget_s: float = 5.0,
    seed: int = 0,
    iterations: int | None = None,
    on_improvement: Improvement | None = None,
    start: dict[str, list[str]] | None = None,
    target: int = 0,
) -> HeuristicResult | None:
    """The best plan the starting rules and the iterated greedy search find in the budget.

    ``iterations`` bounds the search, which makes the result the same on any
    machine fast enough to finish them; ``None`` searches until the budget is
    spent. ``start`` is a plan to begin from besides the starting rules (a
    caller's dispatching plan). The search stops early at a plan whose
    objective is ``target``, a lower bound. Frozen orders are pinned. Returns None when
    no starting plan is feasible (which does not prove that none exists).
    """
    started = time.monotonic()
    work = problem.pinned()
    inst = instance_arrays(work)
    plans = starting_plans(work, inst)
    if start is not None:
        given = state_of(inst, _indexed(work, start))
        if given is not None:
            plans.append(("the plan it was given", given))
    if not plans:
        logger.info("no starting rule found a feasible schedule for %s", problem.name)
        return None
    rule, first = min(plans, key=lambda plan: kernels.totals(inst, plan[1]))

    def report(state: State, objective: int) -> None:
        if on_improvement is not None:
            on_improvement(_named(work, sequences_of(state)), objective)

    outcome = iterated_greedy(
        inst,
        first,
        started + time_budget_s,
        seed,
        max_iterations=iterations,
        on_best=report,
        target=target,
    )
    logger.info(
        "search for %s: start %s, objective %d after %d iterations (%d improvements) in %.2f s",
        problem.name,
        rule,
        outcome.objective,
        outcome.iterations,
        outcome.improvements,
        outcome.seconds,
    )
    return HeuristicResult(
        sequences=_named(work, outcome.sequences),
        objective=outcome.objective,
        rule=rule,
        improvements=outcome.improvements,
        iterations=outcome.iterations,
        seconds=time.monotonic() - started,
    )


def warm_up() -> float:
    """Compile the kernels now (or load them from numba's disk cache); returns the seconds taken.

    The first search on a machine compiles every kernel, which takes 10 to 20 s;
    later processes load them from the cache in about a second. A caller that
    must not spend that time inside a time limit (a test session, an image
    build) calls this first.
    """
    started = time.monotonic()
    problem = SchedulingProblem.model_validate(
        {
            "name": "warm-up",
            "horizon": 1000,
            "objective": {"weighted_tardiness": 1, "setup_time": 1, "makespan": 1},
            "products": [{"id": "A"}, {"id": "B"}],
            "lines": [{"id": "L1", "downtimes": [[50, 60]]}, {"id": "L2"}],
            "setup": {"default": {"matrix": [[0, 5], [5, 0]], "initial": [1, 1]}},
            "orders": [
                {
                    "id": f"O{j}",
                    "product": "AB"[j % 2],
                    "due": 20 * j,
                    "weight": 1,
                    "proc": {"L1": 10 + j, "L2": 12},
                }
                for j in range(6)
            ],
        }
    )
    improve(problem, time_budget_s=60.0, iterations=3)
    return time.monotonic() - started
