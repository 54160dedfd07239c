"""Route improvement that needs no engine: optimal service directions.

For a fixed order of tasks, choosing each task's direction is a shortest path
through a layered graph with two nodes per task; a small dynamic program
solves it exactly.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from streetcrew.solver.carp.taskgraph import BIG, TaskGraph


def best_directions(graph: TaskGraph, route: Sequence[int]) -> tuple[list[int], int]:
    """The cheapest orientation of ``route`` (task-graph nodes) and its cost."""
    if not route:
        return [], 0
    c = graph.cost
    # candidates per position: forward and backward node of the same task
    cand = [(1 + 2 * ((x - 1) // 2), 2 + 2 * ((x - 1) // 2)) for x in route]
    prev_cost = np.array([c[0, a] if graph.usable[a] else BIG for a in cand[0]], dtype=np.int64)
    back: list[np.ndarray] = []
    for k in range(1, len(cand)):
        nxt = np.full(2, BIG, dtype=np.int64)
        arg = np.zeros(2, dtype=np.int64)
        for j, b in enumerate(cand[k]):
            if not graph.usable[b]:
                continue
            vals = [prev_cost[i] + c[a, b] for i, a in enumerate(cand[k - 1])]
            i = int(np.argmin(vals))
            nxt[j], arg[j] = vals[i], i
        back.append(arg)
        prev_cost = nxt
    final = [prev_cost[i] + c[a, 0] for i, a in enumerate(cand[-1])]
    j = int(np.argmin(final))
    total = int(final[j])
    picks = [j]
    for arg in reversed(back):
        j = int(arg[j])
        picks.append(j)
    picks.reverse()
    return [cand[k][p] for k, p in enumerate(picks)], total


def drop_repeats(graph: TaskGraph, routes: Sequence[Sequence[int]]) -> list[list[int]]:
    """Keep each task once (in the route where dropping it saves least).

    With shortest-path deadheads, removing a served task never raises a
    route's cost, so this turns a set cover into a partition safely.
    """
    out = [_first_services(r) for r in routes]
    where: dict[int, list[int]] = {}
    for i, r in enumerate(out):
        for x in r:
            where.setdefault((x - 1) // 2, []).append(i)
    for task, owners in where.items():
        if len(owners) < 2:
            continue
        saving = []
        for i in owners:
            r = out[i]
            without = [x for x in r if (x - 1) // 2 != task]
            saving.append(graph.route_cost(r) - best_directions(graph, without)[1])
        keep = owners[int(np.argmin(saving))]
        for i in owners:
            if i != keep:
                out[i] = [x for x in out[i] if (x - 1) // 2 != task]
    return [best_directions(graph, r)[0] for r in out if r]


def _first_services(route: Sequence[int]) -> list[int]:
    """The route with any repeated task kept at its first service only."""
    seen: set[int] = set()
    out = []
    for x in route:
        task = (x - 1) // 2
        if task not in seen:
            seen.add(task)
            out.append(x)
    return out
