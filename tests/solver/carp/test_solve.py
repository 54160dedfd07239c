"""solve() through every engine path; each result goes through the checker."""

from __future__ import annotations

import time

import pytest

from streetcrew.models import read_carp
from streetcrew.solver.carp.check import check
from streetcrew.solver.carp.engine_pyvrp import run_pyvrp
from streetcrew.solver.carp.params import SolveParams
from streetcrew.solver.carp.setpart import RoutePool, recombine
from streetcrew.solver.carp.solve import solve
from streetcrew.solver.carp.taskgraph import TaskGraph
from tests.helpers import CARP, best_known


@pytest.mark.parametrize("engine", ["auto", "pyvrp", "ortools"])
@pytest.mark.parametrize("name", ["gdb/gdb1", "val/val2C"])
def test_engines_give_checked_solutions(engine: str, name: str) -> None:
    problem = read_carp(CARP / f"{name}.dat")
    sol = solve(problem, SolveParams(time_limit=2, engine=engine, seed=1))
    assert check(problem, sol) == []
    assert sol.cost >= best_known(problem.name)


def test_auto_single_worker_reaches_gdb1_optimum() -> None:
    problem = read_carp(CARP / "gdb" / "gdb1.dat")
    sol = solve(problem, SolveParams(time_limit=2, workers=1))
    assert check(problem, sol) == []
    assert sol.cost == best_known("gdb1")  # proven optimal, found in well under 1 s


def test_recombination_is_feasible_and_no_worse_than_its_inputs() -> None:
    problem = read_carp(CARP / "val" / "val4D.dat")
    graph = TaskGraph.build(problem)
    pool = RoutePool(graph)
    costs = []
    incumbent: list[list[int]] = []
    for seed in (1, 2, 3):
        routes, harvested = run_pyvrp(graph, 0.5, seed, (problem.vehicles_min or 1) + 1)
        assert routes
        pool.add(harvested)
        cost = sum(graph.route_cost(r) for r in routes)
        if not costs or cost < min(costs):
            incumbent = routes
        costs.append(cost)
    mixed = recombine(pool, incumbent, deadline=time.perf_counter() + 5)
    assert mixed is not None
    from streetcrew.solver.carp.solve import to_solution

    sol = to_solution(problem, graph, mixed)
    assert check(problem, sol) == []
    assert sol.cost <= min(costs)
