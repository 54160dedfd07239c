"""Recombine routes from every engine and restart with set covering (pulp/CBC).

Each candidate route is a set of tasks with its optimal-direction cost. The
model picks routes covering every task at least once at least total cost;
tasks covered twice are then dropped from all but one route, which never
raises the cost (deadheads are shortest paths).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterable, Sequence

import pulp

from streetcrew.solver.carp.improve import drop_repeats
from streetcrew.solver.carp.taskgraph import TaskGraph

CBC_EXIT_S = 0.1  # CBC's own start-up and the reading back of its solution


class RoutePool:
    """Distinct task sets, each with the cheapest oriented route seen for it."""

    def __init__(self, graph: TaskGraph) -> None:
        self.graph = graph
        self.best: dict[frozenset[int], tuple[int, tuple[int, ...]]] = {}

    def __len__(self) -> int:
        return len(self.best)

    def add(self, routes: Iterable[Sequence[int]]) -> None:
        """Keep each load-feasible task set once, at the cheapest cost seen.

        Orientation is left as the engine gave it (engines already flip single
        services); the routes that the recombination keeps are re-oriented
        optimally afterwards.
        """
        cap = self.graph.problem.capacity
        demand = self.graph.demand
        for r in routes:
            if not r:
                continue
            key = frozenset((x - 1) // 2 for x in r)
            if len(key) != len(r) or sum(int(demand[x]) for x in r) > cap:
                continue
            cost = self.graph.route_cost(r)
            old = self.best.get(key)
            if old is None or cost < old[0]:
                self.best[key] = (cost, tuple(r))


def recombine(
    pool: RoutePool,
    incumbent: Sequence[Sequence[int]] | None,
    deadline: float,
    max_routes: int | None = None,
    max_columns: int = 6_000,
) -> list[list[int]] | None:
    """Best cover CBC finds before ``deadline`` (``time.perf_counter()``).

    ``None`` when no cover was found or no time is left once the model is
    built (building counts against the deadline).
    """
    graph = pool.graph
    m = len(graph.problem.tasks)
    items = sorted(pool.best.items(), key=lambda kv: kv[1][0] / max(1, len(kv[0])))
    items = items[:max_columns]
    inc_keys = set()
    if incumbent:
        pool.add(incumbent)
        inc_keys = {frozenset((x - 1) // 2 for x in r) for r in incumbent if r}
        chosen = {k for k, _ in items}
        items += [(k, pool.best[k]) for k in inc_keys if k not in chosen]
    prob = pulp.LpProblem("recombine", pulp.LpMinimize)
    xs = [prob.add_variable(f"x{i}", cat=pulp.LpBinary) for i in range(len(items))]
    prob += pulp.lpSum(c * x for (_, (c, _)), x in zip(items, xs))
    cover: list[list[pulp.LpVariable]] = [[] for _ in range(m)]
    for (key, _), x in zip(items, xs):
        for t in key:
            cover[t].append(x)
    for t in range(m):
        if not cover[t]:
            return None
        prob += pulp.lpSum(cover[t]) >= 1
    if max_routes is not None:
        prob += pulp.lpSum(xs) <= max_routes
    warm = bool(inc_keys)
    for (key, _), x in zip(items, xs):
        x.setInitialValue(1 if key in inc_keys else 0)
    limit = deadline - time.perf_counter() - CBC_EXIT_S
    if limit < 0.05:
        return None
    prob.solve(cbc(limit, warm))
    if prob.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        return None
    picked = [list(items[i][1][1]) for i, x in enumerate(xs) if (x.value() or 0) > 0.5]
    return drop_repeats(graph, picked)


def cbc(time_limit: float, warm_start: bool = False) -> pulp.LpSolver:
    """The CBC binary that ships with PuLP, quiet, on one thread.

    Root cuts and heuristics are off: with them CBC overran a 0.5 s limit by
    0.5 s on val5A's pool and found nothing better; the warm start supplies
    the incumbent and branching does the rest.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # PuLP 3.3 nudges to COIN_CMD
        return pulp.PULP_CBC_CMD(
            msg=False,
            timeLimit=round(max(0.1, time_limit), 2),
            warmStart=warm_start,
            threads=1,
            options=["cuts off", "heur off"],
        )
