"""Independent checker for arc-routing solutions.

It shares no code with the engines: distances come from its own Dijkstra over
the raw links, and it never reads a solver's objective except to compare it
with the cost it recomputes.
"""

from __future__ import annotations

import heapq

from streetcrew.models.carp import CarpProblem
from streetcrew.models.solution import CarpSolution, Violation


def _dijkstra(problem: CarpProblem, source: int) -> list[float]:
    adj: list[list[tuple[int, int]]] = [[] for _ in range(problem.num_nodes)]
    for link in problem.links:
        adj[link.u].append((link.v, link.cost))
        if not link.oneway:
            adj[link.v].append((link.u, link.cost))
    dist = [float("inf")] * problem.num_nodes
    dist[source] = 0
    heap = [(0, source)]
    while heap:
        d, x = heapq.heappop(heap)
        if d > dist[x]:
            continue
        for y, c in adj[x]:
            nd = d + c
            if nd < dist[y]:
                dist[y] = nd
                heapq.heappush(heap, (nd, y))
    return dist


def recompute_cost(problem: CarpProblem, solution: CarpSolution) -> tuple[int, list[Violation]]:
    """Walk every route (depot, deadhead, serve, ..., depot) on the raw links."""
    cache: dict[int, list[float]] = {}
    violations: list[Violation] = []

    def dist(a: int, b: int) -> float:
        if a not in cache:
            cache[a] = _dijkstra(problem, a)
        return cache[a][b]

    total = 0
    for r, route in enumerate(solution.routes):
        if not route:
            continue
        pos = problem.depot
        cost = 0.0
        for s in route:
            task = problem.tasks[s.task]
            link = problem.links[task.link]
            a, b = (link.u, link.v) if s.forward else (link.v, link.u)
            cost += dist(pos, a) + task.service_cost
            pos = b
        cost += dist(pos, problem.depot)
        if cost == float("inf"):
            violations.append(
                Violation(kind="unreachable", message="a deadhead has no path", where=f"route {r + 1}")
            )
            continue
        total += int(cost)
    return total, violations


def check(problem: CarpProblem, solution: CarpSolution) -> list[Violation]:
    """Every violation of ``solution``; an empty list means feasible and cost right."""
    out: list[Violation] = []
    m = len(problem.tasks)
    served = [0] * m
    for r, route in enumerate(solution.routes):
        load = 0
        for s in route:
            if not 0 <= s.task < m:
                out.append(
                    Violation(kind="unknown-task", message=f"task {s.task} does not exist", where=f"route {r + 1}")
                )
                continue
            task = problem.tasks[s.task]
            served[s.task] += 1
            load += task.demand
            if task.oneway and not s.forward:
                link = problem.links[task.link]
                out.append(
                    Violation(
                        kind="direction",
                        message=(
                            f"one-way task ({problem.label(link.u)}, {problem.label(link.v)}) "
                            "served against its direction"
                        ),
                        where=f"route {r + 1}",
                    )
                )
        if load > problem.capacity:
            out.append(
                Violation(
                    kind="capacity",
                    message=f"load {load} exceeds capacity {problem.capacity}",
                    where=f"route {r + 1}",
                )
            )
    if any(not 0 <= s.task < m for route in solution.routes for s in route):
        return out
    for t, count in enumerate(served):
        if count != 1:
            link = problem.links[problem.tasks[t].link]
            out.append(
                Violation(
                    kind="coverage",
                    message=(
                        f"required edge ({problem.label(link.u)}, {problem.label(link.v)}) "
                        f"served {count} times, expected once"
                    ),
                )
            )
    if problem.max_vehicles is not None and solution.vehicles > problem.max_vehicles:
        out.append(
            Violation(
                kind="fleet",
                message=f"{solution.vehicles} routes, fleet has {problem.max_vehicles}",
            )
        )
    cost, unreachable = recompute_cost(problem, solution)
    out.extend(unreachable)
    if not unreachable and cost != solution.cost:
        out.append(
            Violation(
                kind="cost",
                message=f"claimed cost {solution.cost}, recomputed {cost}",
            )
        )
    return out
