"""PyVRP engine on the shared task graph.

Each required edge becomes a mutually exclusive, required group of two
optional clients (one per service direction); the distance matrix is the task
graph's cost matrix, so PyVRP's distance is the CARP cost. Besides its best
solution, the run harvests feasible routes it meets into a pool that the
set-partitioning layer recombines.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
from pyvrp import (
    Client,
    ClientGroup,
    Depot,
    Location,
    ProblemData,
    RandomNumberGenerator,
    Solution,
    VehicleType,
)
from pyvrp.IteratedLocalSearch import (
    IteratedLocalSearch,
    IteratedLocalSearchCallbacks,
    IteratedLocalSearchParams,
)
from pyvrp.PenaltyManager import PenaltyManager, PenaltyParams
from pyvrp.search import (
    OPERATORS,
    LocalSearch,
    NeighbourhoodParams,
    PerturbationManager,
    PerturbationParams,
    compute_neighbours,
)
from pyvrp.stop import MaxRuntime

from streetcrew.solver.carp.taskgraph import TaskGraph

Route = tuple[int, ...]

# Search settings by instance size (required tasks). Measured with two seeds:
# on gdb8/9/13/23 and val4D/10D (1 s) at most 10 perturbations and a history
# of 50-100 cut the summed cost by 1.2 % against PyVRP's 25 and 300; on
# egl-s4-A (190 tasks) the same settings stalled (12524 from 3 s to 9 s) where
# PyVRP's defaults kept improving, so large instances keep the defaults.
SMALL_TASKS = 100
SMALL = (PerturbationParams(min_perturbations=1, max_perturbations=10), 100)
LARGE = (PerturbationParams(), 300)


class _Harvest(IteratedLocalSearchCallbacks):
    """Collects routes of feasible solutions the search visits.

    Every new best is taken whole; of the other feasible candidates one in
    ``every`` is sampled, which keeps the Python overhead small.
    """

    def __init__(self, nodes: np.ndarray, every: int = 16, limit: int = 200_000):
        self.nodes = nodes
        self.every = every
        self.limit = limit
        self.pool: set[Route] = set()
        self.count = 0

    def _take(self, sol: Solution) -> None:
        if len(self.pool) >= self.limit:
            return
        for route in sol.routes():
            self.pool.add(tuple(int(self.nodes[a.idx]) for a in route if a.is_client()))

    def on_best(self, best: Solution) -> None:
        self._take(best)

    def on_iteration(self, current, candidate, best, cost_evaluator) -> None:  # type: ignore[override]
        self.count += 1
        if self.count % self.every == 0 and candidate.is_feasible():
            self._take(candidate)


def build_data(graph: TaskGraph, num_vehicles: int) -> tuple[ProblemData, np.ndarray]:
    """PyVRP data and the task-graph node of each PyVRP client."""
    nodes = np.flatnonzero(graph.usable[1:]) + 1
    index = {int(x): i for i, x in enumerate(nodes)}
    locs = [0, *nodes.tolist()]
    cost = graph.cost[np.ix_(locs, locs)]
    groups: list[ClientGroup] = []
    group_of: dict[int, int] = {}
    for t in range(len(graph.problem.tasks)):
        members = [index[x] for x in (1 + 2 * t, 2 + 2 * t) if x in index]
        if len(members) == 2:  # both directions allowed: serve exactly one
            for i in members:
                group_of[i] = len(groups)
            groups.append(ClientGroup(members))
    clients = []
    for i, x in enumerate(nodes):
        grp = group_of.get(i)
        clients.append(
            Client(
                location=i + 1,
                delivery=[int(graph.demand[x])],
                required=grp is None,
                group=grp,
            )
        )
    data = ProblemData(
        locations=[Location(0, 0) for _ in locs],
        clients=clients,
        depots=[Depot(0)],
        vehicle_types=[VehicleType(num_available=num_vehicles, capacity=[graph.problem.capacity])],
        distance_matrices=[cost],  # type: ignore[list-item]  # stub says ndarray[int]
        duration_matrices=[np.zeros_like(cost)],  # type: ignore[list-item]
        groups=groups,
    )
    return data, nodes


def run_pyvrp(
    graph: TaskGraph,
    time_limit: float,
    seed: int,
    num_vehicles: int,
    initial: Sequence[Sequence[int]] | None = None,
    harvest: bool = True,
) -> tuple[list[list[int]], set[Route]]:
    """Best routes found (task-graph nodes) and the harvested route pool.

    ``time_limit`` covers the whole call: building the data and the first
    descent count against it.
    """
    started = time.perf_counter()
    data, nodes = build_data(graph, num_vehicles)
    client_of = {int(x): i for i, x in enumerate(nodes)}
    rng = RandomNumberGenerator(seed=seed)
    neighbours = compute_neighbours(data, NeighbourhoodParams())
    perturbation, history = SMALL if len(graph.problem.tasks) <= SMALL_TASKS else LARGE
    ls = LocalSearch(data, rng, neighbours, PerturbationManager(perturbation))
    for op in OPERATORS:
        if op.supports(data):
            ls.add_operator(op(data))
    penalty = PenaltyParams()
    pm = PenaltyManager(penalty.midpoint_penalties(data), penalty)
    if initial:
        init = Solution(data, [[client_of[x] for x in r] for r in initial if r])
    else:
        init = ls(Solution.make_random(data, rng), pm.max_cost_evaluator(), exhaustive=True)
    callbacks = _Harvest(nodes) if harvest else IteratedLocalSearchCallbacks()
    params = IteratedLocalSearchParams(history_length=history, callbacks=callbacks)
    result = IteratedLocalSearch(data, pm, ls, init, params).run(
        MaxRuntime(max(0.01, time_limit - (time.perf_counter() - started))),
        collect_stats=False,
    )
    best = result.best
    routes = [[int(nodes[a.idx]) for a in r if a.is_client()] for r in best.routes()]
    pool = callbacks.pool if isinstance(callbacks, _Harvest) else set()
    if not best.is_feasible():
        return [], pool
    pool.update(tuple(r) for r in routes)
    return routes, pool
