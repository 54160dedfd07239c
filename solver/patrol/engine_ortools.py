"""The patrol walks of one meeting point with OR-Tools: prize-collecting routing over both
directions of each street, started from the greedy first plan, then timed steps."""

from __future__ import annotations

import math

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from streetcrew.models.schedule import Route, Step
from streetcrew.solver.graph.stop import stop_when_asked
from streetcrew.solver.patrol import greedy as patrol_greedy
from streetcrew.solver.patrol.model import MUST_COST, PRIZE_S, Job, Team

Visit = tuple[int, int, int | None]  # (from node, to node, street) ; street None: meeting point


def job_nodes(job: Job) -> tuple[list[Visit], np.ndarray, np.ndarray,
                                  dict[tuple[int, int], float]]:
    """A meeting point's routing nodes (0: the meeting point; then each street in both
    directions), walking metres between them (rounded links), street lengths per node and
    the shortest link between each pair of nodes (for the timed steps)."""
    nets = job.network.links
    depot = job.teams[0].node
    visits: list[Visit] = [(depot, depot, None)]
    for k in job.links:
        lk = nets[k]
        visits += [(lk.u, lk.v, k), (lk.v, lk.u, k)]
    rows = [job.paths.row[v[1]] for v in visits]
    dead = job.paths.dist[rows][:, [v[0] for v in visits]]
    length = np.array([0 if v[2] is None else round(nets[v[2]].length_m) for v in visits])
    lengths: dict[tuple[int, int], float] = {}
    for lk in nets:
        for key in ((lk.u, lk.v), (lk.v, lk.u)):
            lengths[key] = min(lengths.get(key, math.inf), lk.length_m)
    return visits, dead, length, lengths


def solve_job(arg: tuple[Job, float]) -> list[Route]:
    """One meeting point's teams over its streets: OR-Tools, then timed steps."""
    job, seconds = arg
    visits, dead, length, lengths = job_nodes(job)
    n = len(visits)
    dist = np.minimum(dead + length[None, :], 10**9)
    np.fill_diagonal(dist, 0)
    manager = pywrapcp.RoutingIndexManager(n, len(job.teams), 0)
    routing = pywrapcp.RoutingModel(manager)
    by_speed: dict[float, int] = {}
    matrices: dict[float, np.ndarray] = {}
    for t in job.teams:
        if t.mps not in by_speed:
            # never promise less than the walk takes: link lengths are rounded in ``dead``
            secs = (patrol_greedy.leg_seconds(dead, t.mps)
                    + patrol_greedy.street_seconds(length, t.mps)[None, :])
            secs = np.minimum(secs, 10**9)
            np.fill_diagonal(secs, 0)
            matrices[t.mps] = secs
            by_speed[t.mps] = routing.RegisterTransitMatrix(secs.tolist())
    evals = [by_speed[t.mps] for t in job.teams]
    for k, e in enumerate(evals):
        routing.SetArcCostEvaluatorOfVehicle(e, k)
    horizon = 2 * 86_400
    routing.AddDimensionWithVehicleTransits(evals, horizon, horizon, False, "clock")
    clock = routing.GetDimensionOrDie("clock")
    routing.AddDimensionWithVehicleTransits(evals, 0, horizon, True, "walked")
    walked = routing.GetDimensionOrDie("walked")
    for k, t in enumerate(job.teams):
        clock.CumulVar(routing.Start(k)).SetRange(t.start, t.end)
        clock.CumulVar(routing.End(k)).SetRange(t.start, t.end)
        walked.CumulVar(routing.End(k)).SetMax(t.max_s)
    if job.params.balance:
        walked.SetGlobalSpanCostCoefficient(job.params.balance)
    for i in range(1, n, 2):
        street = visits[i][2]
        assert street is not None
        sid = job.streets[street].id
        penalty = MUST_COST if sid in job.must else max(1, round(job.prio[street] * PRIZE_S))
        routing.AddDisjunction([manager.NodeToIndex(i), manager.NodeToIndex(i + 1)], penalty, 1)
        kinds = job.reported.get(street)
        if kinds and sid not in job.must:
            # a street with reported cases is for the teams that take part in one of them
            barred = [k for k, t in enumerate(job.teams) if t.kinds and not t.kinds & kinds]
            if barred and len(barred) < len(job.teams):
                for node in (i, i + 1):
                    routing.VehicleVar(manager.NodeToIndex(node)).RemoveValues(barred)
    search = pywrapcp.DefaultRoutingSearchParameters()
    search.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION)
    search.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH)
    search.time_limit.FromMilliseconds(max(100, int(seconds * 1000)))
    if job.params.solutions is not None:
        search.solution_limit = job.params.solutions
        search.lns_time_limit.FromMilliseconds(max(100, int(seconds * 1000)))
    prizes = np.zeros(n)
    for i in range(1, n):
        street = visits[i][2]
        assert street is not None
        prizes[i] = MUST_COST if job.streets[street].id in job.must else job.prio[street]
    allowed = [[k for k in range(len(job.teams)) if routing.VehicleVar(
        manager.NodeToIndex(i)).Contains(k)] for i in range(n)]
    node_of = {k: 1 + 2 * j for j, k in enumerate(job.links)}
    seed = [[node_of[k] + (0 if forward else 1) for k, forward in r] for r in job.first]
    greedy = _greedy([matrices[t.mps] for t in job.teams], [t.max_s for t in job.teams],
                     prizes, allowed, seed)
    solution = None
    stop_when_asked(routing)
    if any(greedy):
        start = routing.ReadAssignmentFromRoutes(
            [[manager.NodeToIndex(i) for i in r] for r in greedy], True)
        if start is not None:
            solution = routing.SolveFromAssignmentWithParameters(start, search)
    if solution is None:
        solution = routing.SolveWithParameters(search)
    routes: list[Route] = []
    if solution is None:
        return routes
    for k, t in enumerate(job.teams):
        index = routing.Start(k)
        order = []
        while not routing.IsEnd(index):
            node = manager.IndexToNode(index)
            if node:
                order.append(node)
            index = solution.Value(routing.NextVar(index))
        if order:
            start_at = solution.Value(clock.CumulVar(routing.Start(k)))
            routes.append(_route(job, t, visits, order, start_at, lengths))
    return routes


def _greedy(secs: list[np.ndarray], budget: list[int], prizes: np.ndarray,
            allowed: list[list[int]], seed: list[list[int]]) -> list[list[int]]:
    """Routes built by best prize per added second, inserted anywhere in any route.

    Nodes come in pairs (a street's two directions: ``2j+1``, ``2j+2``; node 0 is the
    meeting point); ``secs[k]`` is team k's matrix of seconds (walk there + the
    target street), ``budget[k]`` its seconds. Must-cover streets carry a huge prize,
    so they go in first. ``seed`` routes are kept and extended. A start for the
    local search: good, quick, not optimal.
    """
    n = len(prizes)
    teams = len(secs)
    routes: list[list[int]] = [list(r) for r in seed]
    used: list[int] = [int(sum(secs[k][a, b] for a, b in zip([0] + r, r + [0]))) if r else 0
                       for k, r in enumerate(routes)]
    free = np.ones(n, dtype=bool)
    free[0] = False
    for r in routes:
        for node in r:
            free[node] = False
            free[node + 1 if node % 2 else node - 1] = False
    can = np.zeros((teams, n), dtype=bool)
    for i, ks in enumerate(allowed):
        can[ks, i] = True
    while True:
        best, pick = 0.0, None
        for k in range(teams):
            seq = [0] + routes[k] + [0]
            a = np.array(seq[:-1])
            b = np.array(seq[1:])
            m = secs[k]
            # added seconds for every (position, node): m[a, x] + m[x, b] - m[a, b]
            add = m[a][:, free & can[k]] + m[:, b].T[:, free & can[k]] - m[a, b][:, None]
            if add.size == 0:
                continue
            nodes = np.flatnonzero(free & can[k])
            ok = add <= budget[k] - used[k]
            if not ok.any():
                continue
            ratio = np.where(ok, prizes[nodes][None, :] / np.maximum(add, 1), -1.0)
            at, col = np.unravel_index(int(np.argmax(ratio)), ratio.shape)
            if ratio[at, col] > best:
                best, pick = float(ratio[at, col]), (k, int(at), int(nodes[col]),
                                                     int(add[at, col]))
        if pick is None:
            return routes
        k, pos, node, extra = pick
        routes[k].insert(pos, node)
        used[k] += extra
        twin = node + 1 if node % 2 else node - 1  # the same street the other way
        free[node] = free[twin] = False


def _route(job: Job, team: Team, visits: list[tuple[int, int, int | None]],
           order: list[int], start_at: int, lengths: dict[tuple[int, int], float]) -> Route:
    """Timed steps of a team's walk; clock times are rounded up, never promising too little."""
    steps = [Step(type="start", start=start_at, end=start_at, from_node=team.node,
                  to_node=team.node)]
    t, pos = start_at, team.node

    def walk_to(node: int) -> None:
        nonlocal t, pos
        if node == pos:
            return
        path = tuple(job.paths.path(pos, node))
        metres = sum(lengths[(a, b)] for a, b in zip(path, path[1:]))
        secs = math.ceil(metres / team.mps)
        steps.append(Step(type="deadhead", start=t, end=t + secs, distance_m=metres,
                          from_node=pos, to_node=node, path=path))
        t += secs
        pos = node

    for i in order:
        a, b, k = visits[i]
        assert k is not None
        walk_to(a)
        lk = job.network.links[k]
        secs = math.ceil(lk.length_m / team.mps)
        steps.append(Step(type="serve", start=t, end=t + secs, distance_m=lk.length_m,
                          task=job.streets[k].id, street=job.streets[k].id, side="centre",
                          from_node=a, to_node=b, forward=(a, b) == (lk.u, lk.v)))
        t += secs
        pos = b
    walk_to(team.node)
    steps.append(Step(type="end", start=t, end=t, from_node=team.node, to_node=team.node))
    served = sum(s.distance_m for s in steps if s.type == "serve")
    dead = sum(s.distance_m for s in steps if s.type == "deadhead")
    return Route(team=team.id, mode=team.mode,
                 steps=tuple(steps), served_m=served, deadhead_m=dead, cost=0.0)
