"""The whole-district first plan for patrols (solver.patrol_greedy)."""

from __future__ import annotations

import heapq
import random

import numpy as np

from streetcrew.models.carp import Link
from streetcrew.solver.graph.paths import shortest_paths
from streetcrew.solver.patrol.greedy import Walker, build


def _paths(n: int, edges: list[tuple[int, int, int]]):
    links = [Link(u=u, v=v, cost=c, oneway=False) for u, v, c in edges]
    return shortest_paths(n, links, list(range(n)))


def _metres(edges: list[tuple[int, int, int]], a: int, b: int) -> float:
    """Walking metres from a to b, by a Dijkstra of its own."""
    adj: dict[int, list[tuple[int, int]]] = {}
    for u, v, c in edges:
        adj.setdefault(u, []).append((v, c))
        adj.setdefault(v, []).append((u, c))
    best = {a: 0}
    heap = [(0, a)]
    while heap:
        d, x = heapq.heappop(heap)
        if x == b:
            return d
        if d > best[x]:
            continue
        for y, c in adj.get(x, []):
            if d + c < best.get(y, 10**12):
                best[y] = d + c
                heapq.heappush(heap, (d + c, y))
    raise AssertionError("unreachable")


def test_walkers_take_what_is_near_and_cyclists_go_far() -> None:
    # a line 0 - 1 - 2 - 3 of 100 m links; streets A = 0-1 (near), B = 2-3 (far)
    edges = [(0, 1, 100), (1, 2, 100), (2, 3, 100)]
    paths = _paths(4, edges)
    walker = Walker(node=0, mps=1.0, budget=300)  # A and back (~203 s) only
    cyclist = Walker(node=0, mps=3.0, budget=205)  # A or B, not both (~206 s)
    routes, can = build(paths, [cyclist, walker], np.array([0, 2]), np.array([1, 3]),
                        np.array([100.0, 100.0]), np.array([5.0, 5.0]),
                        np.ones((2, 2), dtype=bool))
    assert can.tolist() == [[True, True], [True, False]]
    # the cyclist alone would take A (the better ratio) and leave the walker idle
    assert {v // 2 for v in routes[1]} == {0}
    assert {v // 2 for v in routes[0]} == {1}


def test_first_routes_fit_the_budgets_take_each_street_once_and_obey_allowed() -> None:
    rng = random.Random(7)
    side = 6  # a 6 x 6 grid of nodes, 80 to 160 m blocks
    node = {(i, j): i * side + j for i in range(side) for j in range(side)}
    edges = []
    for (i, j), a in node.items():
        for di, dj in ((1, 0), (0, 1)):
            if (i + di, j + dj) in node:
                edges.append((a, node[(i + di, j + dj)], rng.randint(80, 160)))
    paths = _paths(side * side, edges)
    starts = np.array([u for u, _, _ in edges])
    ends = np.array([v for _, v, _ in edges])
    length = np.array([float(c) for _, _, c in edges])
    prize = np.array([rng.choice([1.0, 2.0, 8.0]) for _ in edges])
    walkers = [Walker(node=rng.randrange(side * side), mps=rng.choice([1.4, 4.2]),
                      budget=rng.randint(300, 1500)) for _ in range(6)]
    allowed = np.array([[rng.random() < 0.8 for _ in edges] for _ in walkers])
    routes, can = build(paths, walkers, starts, ends, length, prize, allowed)
    taken = [v // 2 for r in routes for v in r]
    assert len(taken) == len(set(taken)) > 0
    for w, r in zip(walkers, routes):
        for v in r:
            assert allowed[walkers.index(w), v // 2]
        at, metres = w.node, 0.0
        for v in r:
            a, b = (starts[v // 2], ends[v // 2]) if v % 2 == 0 else (ends[v // 2],
                                                                      starts[v // 2])
            metres += _metres(edges, at, int(a)) + length[v // 2]  # walk there, then along
            at = int(b)
        metres += _metres(edges, at, w.node)
        assert metres / w.mps <= w.budget
    # every street some walker could reach and that nobody took would not fit anywhere
    assert can.any(axis=0).sum() >= len(set(taken))
