"""OR-Tools routing engine on the shared task graph.

Each usable task-graph node (one per allowed service direction) becomes one
routing node; the depot is routing node 0. The two directions of a required
edge form one disjunction without penalty, so exactly one of them is served;
a one-way task has a single, mandatory node. Arc costs are the task graph's
cost matrix (deadhead + service of the next task), given to OR-Tools as a
matrix; demands are a unary vector on a capacity dimension. No Python callback
runs during the search.

The model is built by :class:`CarpRoutingModel` in small steps (arc costs,
service disjunctions, capacity) so that later side constraints (time windows,
shifts, breaks, reloads, allowed vehicles) get their own step.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.constraint_solver.routing_parameters_pb2 import RoutingSearchParameters

from streetcrew.solver.carp.taskgraph import TaskGraph

_FSS = routing_enums_pb2.FirstSolutionStrategy
FIRST_SOLUTION = _FSS.PARALLEL_SAVINGS
# Tried in turn when the previous first-solution heuristic gives up (status
# ROUTING_FAIL before the time limit). Savings fails fast when the fleet is
# tight (gdb13, gdb20 with the file's vehicle count); path cheapest arc still
# finds a solution there.
FALLBACK_FIRST_SOLUTIONS = (_FSS.PATH_CHEAPEST_ARC,)
METAHEURISTIC = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
MIN_SEARCH_SECONDS = 0.01  # never hand OR-Tools a zero or negative limit

_STATUS = routing_enums_pb2.RoutingSearchStatus
_SOLVED = frozenset(
    {
        _STATUS.ROUTING_SUCCESS,
        _STATUS.ROUTING_PARTIAL_SUCCESS_LOCAL_OPTIMUM_NOT_REACHED,
        _STATUS.ROUTING_OPTIMAL,
    }
)


@dataclass(frozen=True)
class OrtoolsResult:
    """What one OR-Tools run produced.

    ``status`` is the name of OR-Tools' ``RoutingSearchStatus`` of the last
    search; ``routes`` are task-graph nodes (depot excluded, empty routes
    dropped), empty unless a feasible assignment came back. ``first_solution``
    names where the search started: ``"initial"`` when the given routes were
    accepted as a warm start, else the first-solution strategy that ran last.
    """

    status: str
    routes: list[list[int]]
    first_solution: str

    @property
    def warm_started(self) -> bool:
        return self.first_solution == "initial"

    @property
    def feasible(self) -> bool:
        return bool(self.routes)


def search_parameters(
    time_limit: float,
    first_solution: int = FIRST_SOLUTION,
    metaheuristic: int = METAHEURISTIC,
) -> RoutingSearchParameters:
    """Search parameters: first solution, metaheuristic, wall-time limit."""
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = first_solution
    params.local_search_metaheuristic = metaheuristic
    ms = max(int(time_limit * 1000), int(MIN_SEARCH_SECONDS * 1000))
    params.time_limit.FromMilliseconds(ms)
    return params


class CarpRoutingModel:
    """An OR-Tools routing model of the task graph with ``num_vehicles`` routes.

    ``nodes[i]`` is the task-graph node of routing node ``i`` (``nodes[0]`` is
    the depot). With ``seed`` 0 the task nodes keep their task-graph order;
    any other seed shuffles them, which changes OR-Tools' tie-breaks (savings
    order, neighbour lists) and so gives a different but equally valid search.
    """

    def __init__(self, graph: TaskGraph, num_vehicles: int, seed: int = 0):
        if num_vehicles < 1:
            raise ValueError(f"num_vehicles must be >= 1, got {num_vehicles}")
        self.graph = graph
        self.num_vehicles = num_vehicles
        task_nodes = [int(x) for x in np.flatnonzero(graph.usable[1:]) + 1]
        if seed:
            random.Random(seed).shuffle(task_nodes)
        self.nodes: list[int] = [0, *task_nodes]
        self.index_of: dict[int, int] = {x: i for i, x in enumerate(self.nodes)}
        self.manager = pywrapcp.RoutingIndexManager(len(self.nodes), num_vehicles, 0)
        self.routing = pywrapcp.RoutingModel(self.manager)
        self._add_arc_costs()
        self._add_service_disjunctions()
        self._add_capacity()

    def _add_arc_costs(self) -> None:
        """Arc cost = task-graph cost (deadhead to the next task + its service)."""
        sub = self.graph.cost[np.ix_(self.nodes, self.nodes)]
        matrix: list[list[int]] = sub.tolist()
        evaluator = self.routing.RegisterTransitMatrix(matrix)
        self.routing.SetArcCostEvaluatorOfAllVehicles(evaluator)

    def _add_service_disjunctions(self) -> None:
        """Exactly one direction of every task: one penalty-free disjunction each."""
        for t in range(len(self.graph.problem.tasks)):
            members = [
                self.manager.NodeToIndex(self.index_of[x])
                for x in (1 + 2 * t, 2 + 2 * t)
                if x in self.index_of
            ]
            if not members:
                raise ValueError(f"task {t} has no usable direction")
            # no penalty: the disjunction is mandatory, exactly one member active
            self.routing.AddDisjunction(members, -1, 1)

    def _add_capacity(self) -> None:
        demand = [int(self.graph.demand[x]) for x in self.nodes]
        evaluator = self.routing.RegisterUnaryTransitVector(demand)
        capacity = int(self.graph.problem.capacity)
        self.routing.AddDimensionWithVehicleCapacity(
            evaluator, 0, [capacity] * self.num_vehicles, True, "load"
        )

    def to_indices(self, routes: list[list[int]]) -> list[list[int]] | None:
        """Routes of task-graph nodes as routing indices, one list per vehicle.

        ``None`` when they cannot be a warm start: too many routes, or a node
        that is the depot, unusable or repeated. Coverage and capacity are left
        to ``ReadAssignmentFromRoutes``, which rejects what breaks them.
        """
        routes = [r for r in routes if r]
        if len(routes) > self.num_vehicles:
            return None
        flat = [x for r in routes for x in r]
        if len(set(flat)) != len(flat) or any(x == 0 or x not in self.index_of for x in flat):
            return None
        out = [[self.manager.NodeToIndex(self.index_of[x]) for x in r] for r in routes]
        return out + [[] for _ in range(self.num_vehicles - len(out))]

    def routes_of(self, assignment: pywrapcp.Assignment) -> list[list[int]]:
        """Task-graph nodes of every non-empty route of ``assignment``."""
        routes = []
        for v in range(self.num_vehicles):
            index = assignment.Value(self.routing.NextVar(self.routing.Start(v)))
            route = []
            while not self.routing.IsEnd(index):
                route.append(self.nodes[self.manager.IndexToNode(index)])
                index = assignment.Value(self.routing.NextVar(index))
            if route:
                routes.append(route)
        return routes

    def solve(
        self,
        params: RoutingSearchParameters,
        initial: list[list[int]] | None = None,
    ) -> OrtoolsResult:
        """Search once; warm-start from ``initial`` when OR-Tools accepts it."""
        self.routing.CloseModelWithParameters(params)
        start = None
        if initial:
            indices = self.to_indices(initial)
            if indices is not None:
                start = self.routing.ReadAssignmentFromRoutes(indices, False)
        if start is not None:
            assignment = self.routing.SolveFromAssignmentWithParameters(start, params)
        else:
            assignment = self.routing.SolveWithParameters(params)
        status = _STATUS.Value.Name(self.routing.status())
        origin = "initial" if start is not None else _FSS.Value.Name(params.first_solution_strategy)
        if assignment is None or self.routing.status() not in _SOLVED:
            return OrtoolsResult(status, [], origin)
        routes = self.routes_of(assignment)
        verify_routes(self.graph, routes)
        return OrtoolsResult(status, routes, origin)


def verify_routes(graph: TaskGraph, routes: list[list[int]]) -> None:
    """Raise if ``routes`` miss or repeat a task, use a banned node or overload.

    A failure here is a modelling bug, never a search outcome.
    """
    served = [0] * len(graph.problem.tasks)
    for r, route in enumerate(routes):
        for x in route:
            if not 0 < x < graph.size or not graph.usable[x]:
                raise RuntimeError(f"route {r}: node {x} is not a usable task node")
            served[(x - 1) // 2] += 1
        load = sum(int(graph.demand[x]) for x in route)
        if load > graph.problem.capacity:
            raise RuntimeError(f"route {r}: load {load} > capacity {graph.problem.capacity}")
    bad = [t for t, k in enumerate(served) if k != 1]
    if bad:
        raise RuntimeError(f"tasks served other than once: {bad[:10]}")


def solve_ortools(
    graph: TaskGraph,
    time_limit: float,
    seed: int,
    num_vehicles: int,
    initial: list[list[int]] | None = None,
    first_solution: int = FIRST_SOLUTION,
) -> OrtoolsResult:
    """Build and search within ``time_limit`` wall seconds (building included).

    If the first-solution heuristic gives up early (``ROUTING_FAIL``), the
    model is rebuilt and searched again with each of
    ``FALLBACK_FIRST_SOLUTIONS`` while time is left; a closed OR-Tools model
    cannot change its search parameters.
    """
    deadline = time.perf_counter() + time_limit
    strategies = [first_solution, *(s for s in FALLBACK_FIRST_SOLUTIONS if s != first_solution)]
    result = OrtoolsResult("ROUTING_NOT_SOLVED", [], _FSS.Value.Name(first_solution))
    for k, strategy in enumerate(strategies):
        if k > 0 and deadline - time.perf_counter() < MIN_SEARCH_SECONDS:
            break
        model = CarpRoutingModel(graph, num_vehicles, seed)
        remaining = deadline - time.perf_counter()
        result = model.solve(search_parameters(remaining, strategy), initial if k == 0 else None)
        if result.status != "ROUTING_FAIL":
            break
    return result


def run_ortools(
    graph: TaskGraph,
    time_limit: float,
    seed: int,
    num_vehicles: int,
    initial: list[list[int]] | None = None,
) -> list[list[int]]:
    """Routes (task-graph nodes, depot excluded) or ``[]`` if none was found.

    Settings: PARALLEL_SAVINGS first solution (PATH_CHEAPEST_ARC if savings
    gives up, which happens when the fleet is tight), guided local search
    (lambda 0.1, OR-Tools' default), stopped by wall time. ``time_limit``
    covers model building too; the search gets what is left, at least 10 ms.

    ``initial`` routes, when OR-Tools accepts them as a solution of the model
    (each task once, capacity kept, at most ``num_vehicles`` routes), replace
    the first-solution heuristic; otherwise the run starts cold.

    OR-Tools' routing search has no random seed and is deterministic for a
    given model (up to where the wall-clock limit cuts it). ``seed`` 0 keeps
    the task-graph node order; another seed shuffles the order of the routing
    nodes, which changes tie-breaks and hence the search path. It does not
    make one run stochastic.
    """
    return solve_ortools(graph, time_limit, seed, num_vehicles, initial).routes
