"""OR-Tools engine: every solution goes through the independent checker."""

from __future__ import annotations

import time

import pytest

from streetcrew.models.carp import CarpProblem, Link, Task
from streetcrew.models.io.carp import parse_carp, read_carp
from streetcrew.solver.carp.check import check
from streetcrew.solver.carp.engine_ortools import CarpRoutingModel, run_ortools, solve_ortools
from streetcrew.solver.carp.params import SolveParams
from streetcrew.solver.carp.solve import fleet_size, to_solution
from streetcrew.solver.carp.taskgraph import TaskGraph
from tests.helpers import CARP, best_known

# A 4-cycle 1-2-3-4-1, depot 1, every edge required with demand 1, capacity 2:
# at least two routes of two tasks (or more routes). Shortest paths from the
# depot: d(1,2)=2, d(1,3)=5, d(1,4)=5. Best route per pair of tasks:
#   {12,23}: 1>2>3 served, 3~>1 deadhead 5      = 2+3+5   = 10
#   {34,41}: 1>4>3 served, 3~>1 deadhead 5      = 5+4+5   = 14
#   {12,41}, {23,34}, {12,34}, {23,41}: 14 each
# Pairings: {12,23}+{34,41} = 24; the other two pairings = 28. Single-task
# routes cost 4 (12), 10 (23), 14 (34), 10 (41), so any split into three
# routes costs >= 28. Optimum: 24.
CYCLE4 = """\
 NOMBRE : cycle4
 VERTICES : 4
 ARISTAS_REQ : 4
 ARISTAS_NOREQ : 0
 VEHICULOS : 2
 CAPACIDAD : 2
 TIPO_COSTES_ARISTAS : EXPLICITOS
 COSTE_TOTAL_REQ : 14
 LISTA_ARISTAS_REQ :
 ( 1, 2)  coste 2 demanda 1
 ( 2, 3)  coste 3 demanda 1
 ( 3, 4)  coste 4 demanda 1
 ( 4, 1)  coste 5 demanda 1
 DEPOSITO :   1
"""
CYCLE4_OPTIMUM = 24



def solve_checked(
    problem: CarpProblem,
    seconds: float,
    vehicles: int | None = None,
    initial: list[list[int]] | None = None,
    seed: int = 0,
) -> tuple[TaskGraph, list[list[int]], int]:
    graph = TaskGraph.build(problem)
    if vehicles is None:
        vehicles = fleet_size(problem, SolveParams(workers=1))
    routes = run_ortools(graph, seconds, seed, vehicles, initial)
    assert routes, "no solution"
    solution = to_solution(problem, graph, routes)
    assert check(problem, solution) == []
    assert len(routes) <= vehicles
    return graph, routes, solution.cost


def greedy_routes(graph: TaskGraph) -> list[list[int]]:
    """Forward services in task order, a new route when the next one overflows."""
    routes: list[list[int]] = [[]]
    load = 0
    for t in range(len(graph.problem.tasks)):
        x = 1 + 2 * t
        if load + graph.demand[x] > graph.problem.capacity:
            routes.append([])
            load = 0
        routes[-1].append(x)
        load += int(graph.demand[x])
    return routes


@pytest.fixture(scope="module")
def cycle4() -> CarpProblem:
    return parse_carp(CYCLE4, "cycle4.dat", "cycle4")


def test_cycle4_reaches_hand_optimum(cycle4: CarpProblem) -> None:
    _, routes, cost = solve_checked(cycle4, 0.5, vehicles=3)
    assert cost == CYCLE4_OPTIMUM
    assert len(routes) == 2


def test_model_has_one_disjunction_per_task(cycle4: CarpProblem) -> None:
    graph = TaskGraph.build(cycle4)
    model = CarpRoutingModel(graph, num_vehicles=3)
    assert model.routing.GetNumberOfDisjunctions() == len(cycle4.tasks)
    assert model.nodes[0] == 0
    assert sorted(model.nodes[1:]) == list(range(1, 1 + 2 * len(cycle4.tasks)))


@pytest.mark.parametrize("subdir, name, seconds", [("gdb", "gdb1", 1.0), ("val", "val1A", 2.0)])
def test_classic_instances_feasible_and_not_below_best_known(
    subdir: str, name: str, seconds: float
) -> None:
    problem = read_carp(CARP / subdir / f"{name}.dat")
    _, _, cost = solve_checked(problem, seconds)
    assert cost >= best_known(name)


def test_call_respects_time_limit() -> None:
    graph = TaskGraph.build(read_carp(CARP / "gdb" / "gdb1.dat"))
    began = time.perf_counter()
    assert run_ortools(graph, 0.5, 0, 6)
    assert time.perf_counter() - began < 0.5 + 0.3


def test_warm_start_is_used_and_never_worse() -> None:
    problem = read_carp(CARP / "val" / "val1A.dat")
    graph = TaskGraph.build(problem)
    initial = greedy_routes(graph)
    initial_cost = sum(graph.route_cost(r) for r in initial)
    assert check(problem, to_solution(problem, graph, initial)) == []
    result = solve_ortools(graph, 0.5, 0, len(initial), initial)
    assert result.warm_started
    solution = to_solution(problem, graph, result.routes)
    assert check(problem, solution) == []
    assert solution.cost <= initial_cost


def test_invalid_warm_start_falls_back_to_cold_start(cycle4: CarpProblem) -> None:
    graph = TaskGraph.build(cycle4)
    overloaded = [[1, 3, 5], [7]]  # three tasks of demand 1 on capacity 2
    result = solve_ortools(graph, 0.3, 0, 3, overloaded)
    assert not result.warm_started
    assert check(cycle4, to_solution(cycle4, graph, result.routes)) == []


def test_infeasible_fleet_returns_no_routes(cycle4: CarpProblem) -> None:
    graph = TaskGraph.build(cycle4)  # total demand 4, capacity 2: one vehicle is too few
    result = solve_ortools(graph, 0.3, 0, 1)
    assert result.routes == []
    assert result.status != "ROUTING_SUCCESS"
    assert run_ortools(graph, 0.3, 0, 1) == []


def test_seeds_shuffle_the_model_and_stay_feasible(cycle4: CarpProblem) -> None:
    graph = TaskGraph.build(cycle4)
    orders = {tuple(CarpRoutingModel(graph, 3, seed).nodes) for seed in range(5)}
    assert len(orders) > 1
    for seed in (1, 2):
        _, _, cost = solve_checked(cycle4, 0.3, vehicles=3, seed=seed)
        assert cost == CYCLE4_OPTIMUM


def test_one_way_task_served_forward_only() -> None:
    # depot 0. Task A on one-way link 1 -> 0 (cost 1), reachable only through
    # the unrequired edge 0-1 (cost 10); task B on edge 0-2 (cost 3).
    # Optimum: 0~>1 (10) + serve 1>0 (1) + serve 0>2 (3) + 2~>0 (3) = 17.
    # Serving A against its direction (0>1, 1~>0) would cost 8 in total.
    problem = CarpProblem(
        name="oneway",
        node_ids=(1, 2, 3),
        links=(
            Link(u=1, v=0, cost=1, oneway=True),
            Link(u=0, v=1, cost=10),
            Link(u=0, v=2, cost=3),
        ),
        tasks=(
            Task(link=0, demand=1, service_cost=1, oneway=True),
            Task(link=2, demand=1, service_cost=3),
        ),
        capacity=5,
        depot=0,
    )
    graph, routes, cost = solve_checked(problem, 0.3, vehicles=2)
    served = [x for r in routes for x in r]
    assert 1 in served and 2 not in served  # task 0 forward node only
    assert cost == 17
