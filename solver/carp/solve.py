"""``solve(problem, params) -> CarpSolution``: one entry point for every engine."""

from __future__ import annotations

import math
import time

from streetcrew.models.carp import CarpProblem
from streetcrew.models.solution import CarpSolution
from streetcrew.solver.carp.improve import best_directions
from streetcrew.solver.carp.params import SolveParams
from streetcrew.solver.carp.taskgraph import TaskGraph


class NoSolutionError(RuntimeError):
    """No feasible solution was found within the limits."""


def fleet_size(problem: CarpProblem, params: SolveParams) -> int:
    if problem.max_vehicles is not None:
        return problem.max_vehicles
    total = sum(t.demand for t in problem.tasks)
    lower = max(problem.vehicles_min or 0, math.ceil(total / problem.capacity), 1)
    # The fleet is unlimited: never offer fewer routes than a feasible packing needs
    # (five demands of 6 with capacity 10 need 5 routes, ceil(30 / 10) + 1 is only 4).
    return max(lower + params.fleet_slack, _first_fit_decreasing(problem))


def _first_fit_decreasing(problem: CarpProblem) -> int:
    """Number of routes first-fit decreasing packs the demands into (always load-feasible)."""
    loads: list[int] = []
    for demand in sorted((t.demand for t in problem.tasks), reverse=True):
        for i, load in enumerate(loads):
            if load + demand <= problem.capacity:
                loads[i] += demand
                break
        else:
            loads.append(demand)
    return len(loads)


def to_solution(problem: CarpProblem, graph: TaskGraph, routes: list[list[int]]) -> CarpSolution:
    routes = [r for r in routes if r]
    return CarpSolution(
        instance=problem.name,
        routes=tuple(tuple(graph.service_of(x) for x in r) for r in routes),
        cost=sum(graph.route_cost(r) for r in routes),
    )


def solve(problem: CarpProblem, params: SolveParams | None = None) -> CarpSolution:
    """Solve ``problem`` within ``params.time_limit`` wall seconds."""
    params = params or SolveParams()
    start = time.perf_counter()
    graph = TaskGraph.build(problem)
    vehicles = fleet_size(problem, params)
    remaining = params.time_limit - (time.perf_counter() - start)
    if not problem.tasks:
        return to_solution(problem, graph, [])
    if params.engine == "ortools":
        from streetcrew.solver.carp.engine_ortools import run_ortools

        routes = run_ortools(graph, remaining, params.seed, vehicles)
    elif params.engine == "pyvrp":
        from streetcrew.solver.carp.engine_pyvrp import run_pyvrp

        routes, _ = run_pyvrp(graph, remaining, params.seed, vehicles, harvest=False)
    else:
        from streetcrew.solver.carp.portfolio import run_portfolio

        routes = run_portfolio(graph, start + params.time_limit, params, vehicles)
    if not routes:
        raise NoSolutionError(
            f"{problem.name}: no feasible solution with {vehicles} vehicles "
            f"in {params.time_limit:g} s"
        )
    routes = [best_directions(graph, r)[0] for r in routes]
    return to_solution(problem, graph, routes)
