"""Recombine routes from every engine and restart with set covering (pulp/CBC).

Each candidate route is a set of tasks with its optimal-direction cost. The
model picks routes covering every task at least once at least total cost;
tasks covered twice are then dropped from all but one route, which never
raises the cost (deadheads are shortest paths).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pulp

from solver.improve import best_directions, drop_repeats
from solver.taskgraph import TaskGraph


class RoutePool:
    """Distinct task sets, each with the cheapest oriented route seen for it."""

    def __init__(self, graph: TaskGraph) -> None:
        self.graph = graph
        self.best: dict[frozenset[int], tuple[int, tuple[int, ...]]] = {}

    def __len__(self) -> int:
        return len(self.best)

    def add(self, routes: Iterable[Sequence[int]]) -> None:
        cap = self.graph.problem.capacity
        demand = self.graph.demand
        for r in routes:
            if not r:
                continue
            key = frozenset((x - 1) // 2 for x in r)
            if len(key) != len(r) or sum(int(demand[x]) for x in r) > cap:
                continue
            old = self.best.get(key)
            cost = self.graph.route_cost(r)
            if old is not None and old[0] <= cost:
                continue
            nodes, cost = best_directions(self.graph, r)
            if old is None or cost < old[0]:
                self.best[key] = (cost, tuple(nodes))


def recombine(
    pool: RoutePool,
    incumbent: Sequence[Sequence[int]] | None,
    time_limit: float,
    max_routes: int | None = None,
    max_columns: int = 60_000,
) -> list[list[int]] | None:
    """Best cover found by CBC within ``time_limit``; ``None`` if none found."""
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
    xs = [pulp.LpVariable(f"x{i}", cat=pulp.LpBinary) for i in range(len(items))]
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
    solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=max(1, round(time_limit)), warmStart=warm, threads=1)
    prob.solve(solver)
    if prob.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        return None
    picked = [list(items[i][1][1]) for i, x in enumerate(xs) if (x.value() or 0) > 0.5]
    return drop_repeats(graph, picked)
