"""The patrol walks of one meeting point with PyVRP: a prize-collecting model.

Each street is two optional clients (its two directions, at most one walked) whose prize is
the street's priority in walking seconds (``PRIZE_S`` per point; must-cover streets far
above); a team is a vehicle type of its own walking speed, free time and longest walk.
PyVRP minimises seconds walked minus prizes collected, starting from the greedy first plan.
A street with reported cases is barred to teams that take part in none of their kinds (a
profile per speed and set of kinds). Not carried: the weight on the longest walk
(``--balance``), which only the OR-Tools model has.
"""

from __future__ import annotations

import time

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
from pyvrp import Route as PyvrpRoute
from pyvrp.IteratedLocalSearch import IteratedLocalSearch, IteratedLocalSearchParams
from pyvrp.PenaltyManager import PenaltyManager, PenaltyParams
from pyvrp.search import (
    OPERATORS,
    LocalSearch,
    NeighbourhoodParams,
    PerturbationManager,
    compute_neighbours,
)
from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria, StoppingCriterion

from streetcrew.models.schedule import Route
from streetcrew.solver.graph.stop import OrRequested
from streetcrew.solver.patrol import greedy as patrol_greedy
from streetcrew.solver.patrol.engine_ortools import _greedy, _route, job_nodes
from streetcrew.solver.patrol.model import MUST_COST, PRIZE_S, Job

BIG = 10**9
ITERATIONS_PER_SOLUTION = 100  # with a solution limit (deterministic plans): PyVRP iterations


def solve_job_pyvrp(arg: tuple[Job, float]) -> list[Route]:
    """One meeting point's teams over its streets: PyVRP, then timed steps."""
    started = time.perf_counter()
    job, seconds = arg
    visits, dead, length, lengths = job_nodes(job)
    n = len(visits)
    prizes = np.zeros(n)
    barred_for: dict[int, set[int]] = {}  # node -> teams that may not walk it
    for i in range(1, n):
        street = visits[i][2]
        assert street is not None
        sid = job.streets[street].id
        prizes[i] = MUST_COST if sid in job.must else max(1, round(job.prio[street] * PRIZE_S))
        kinds = job.reported.get(street)
        if kinds and sid not in job.must:
            barred = {k for k, t in enumerate(job.teams) if t.kinds and not t.kinds & kinds}
            if barred and len(barred) < len(job.teams):
                barred_for[i] = barred
    profiles: dict[tuple[float, frozenset[str]], int] = {}
    matrices: list[np.ndarray] = []
    by_speed: dict[float, np.ndarray] = {}
    for k, t in enumerate(job.teams):
        key = (t.mps, t.kinds)
        if key in profiles:
            continue
        if t.mps not in by_speed:
            secs = (patrol_greedy.leg_seconds(dead, t.mps)
                    + patrol_greedy.street_seconds(length, t.mps)[None, :])
            secs = np.minimum(secs, BIG)
            np.fill_diagonal(secs, 0)
            by_speed[t.mps] = secs.astype(np.int64)
        m = by_speed[t.mps].copy()
        cols = [i for i, teams in barred_for.items() if k in teams]
        m[:, cols] = BIG
        np.fill_diagonal(m, 0)
        profiles[key] = len(matrices)
        matrices.append(m)
    groups = [ClientGroup([2 * j, 2 * j + 1], required=False) for j in range(len(job.links))]
    clients = [Client(location=i, prize=int(prizes[i]), required=False, group=(i - 1) // 2)
               for i in range(1, n)]
    types = [VehicleType(num_available=1, start_depot=0, end_depot=0, tw_early=t.start,
                         tw_late=t.end, shift_duration=t.max_s,
                         profile=profiles[(t.mps, t.kinds)], unit_distance_cost=1,
                         name=t.id) for t in job.teams]
    data = ProblemData(locations=[Location(0, 0) for _ in range(n)], clients=clients,
                       depots=[Depot(location=0)], vehicle_types=types,
                       distance_matrices=matrices,  # type: ignore[arg-type]
                       duration_matrices=matrices,  # type: ignore[arg-type]
                       groups=groups)
    allowed = [[k for k in range(len(job.teams)) if k not in barred_for.get(i, set())]
               for i in range(n)]
    node_of = {k: 1 + 2 * j for j, k in enumerate(job.links)}
    seed = [[node_of[k] + (0 if forward else 1) for k, forward in r] for r in job.first]
    first = _greedy([by_speed[t.mps] for t in job.teams], [t.max_s for t in job.teams],
                    prizes, allowed, seed)
    rng = RandomNumberGenerator(seed=0)
    ls = LocalSearch(data, rng, compute_neighbours(data, NeighbourhoodParams()),
                     PerturbationManager())
    for op in OPERATORS:
        if op.supports(data):
            ls.add_operator(op(data))
    penalty = PenaltyParams()
    pm = PenaltyManager(penalty.midpoint_penalties(data), penalty)
    init = Solution(data, [PyvrpRoute(data, [i - 1 for i in r], k)
                           for k, r in enumerate(first) if r])
    left = max(0.05, seconds - (time.perf_counter() - started))
    stop: StoppingCriterion = MaxRuntime(left)
    if job.params.solutions is not None:
        stop = MultipleCriteria([MaxIterations(job.params.solutions * ITERATIONS_PER_SOLUTION),
                                 MaxRuntime(left)])
    best = IteratedLocalSearch(data, pm, ls, init, IteratedLocalSearchParams()).run(
        OrRequested(stop), collect_stats=False).best
    if not best.is_feasible():
        best = init  # the greedy plan keeps every team within its time
    routes: list[Route] = []
    for r in best.routes():
        team = job.teams[r.vehicle_type()]
        order = [a.idx + 1 for a in r if a.is_client()]
        if order:
            routes.append(_route(job, team, visits, order, max(team.start, int(r.start_time())),
                                 lengths))
    return routes
