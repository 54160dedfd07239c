"""Volunteer patrol routes: prize-collecting arc routing with OR-Tools.

* Walkers and cyclists ignore one-way rules; only walkable road classes are
  used (``CLASS_DEFAULTS[...].walkable``).
* A street's priority is its class default plus, for every reported case
  snapped to it (within :data:`CASE_SNAP_M`), ``CASE_WEIGHT`` halved every
  :data:`HALF_LIFE_DAYS` of the case's age. It is collected once however
  many walk the street.
* Each volunteer (a buddy pair is one team: the shorter free time, the slower
  mode) walks from the meeting point and back within the free hours and
  ``max_minutes``. Leaving a street out costs ``PRIZE_S`` seconds per point
  of priority; a must-cover street (a road chief's own road) costs
  :data:`MUST_COST`, so it is only left out when no one can reach it in time,
  and then it is listed as unassigned with that reason.
* Balance: a weight on the longest walk (``balance`` per second).
* Re-patrol: a street walked less than ``rest_days`` ago (``history``) rests
  today (no priority to collect) unless it is a must-cover street.
* Service kinds: a street with reported cases goes to the teams that take part
  in at least one of its cases' kinds (a team that lists no kinds takes part
  in all); streets without cases and must-cover streets are for everyone.
* Scale: volunteers are grouped by meeting point, each street goes to the
  nearest group that can reach it and still has time to walk it (most valuable
  streets first), and the groups are solved in parallel.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from streetcrew.models.carp import Link
from streetcrew.models.network import StreetNetwork, build_network
from streetcrew.models.patrol import SPEED_KMH, Case, Volunteer
from streetcrew.models.schedule import (
    InputRef,
    PatrolKPIs,
    Route,
    Schedule,
    Summary,
    Unassigned,
)
from streetcrew.models.streets import Street
from streetcrew.solver.graph.paths import UNREACHABLE, ShortestPaths, shortest_paths
from streetcrew.solver.patrol import greedy as patrol_greedy
from streetcrew.solver.patrol.engine_ortools import solve_job
from streetcrew.solver.patrol.engine_pyvrp import solve_job_pyvrp
from streetcrew.solver.patrol.model import (
    MUST_COST,
    Job,
    PatrolParams,
    Team,
)
from streetcrew.solver.patrol.priorities import snap_cases, street_priorities, walk_streets


def teams(volunteers: Sequence[Volunteer]) -> list[tuple[str, list[Volunteer]]]:
    """Volunteers as teams: buddies walk together (listed once)."""
    by_id = {v.id: v for v in volunteers}
    seen: set[str] = set()
    out = []
    for v in volunteers:
        if v.id in seen:
            continue
        group = [v]
        if v.buddy and v.buddy in by_id and v.buddy not in seen and v.buddy != v.id:
            group.append(by_id[v.buddy])
        seen |= {g.id for g in group}
        out.append(("+".join(g.id for g in group), group))
    return out


def make_teams(volunteers: Sequence[Volunteer], network: StreetNetwork, max_snap_m: float
               ) -> tuple[list[Team], list[str]]:
    """The teams who walk (meeting point snapped to the walk network, free time, speed) and
    the ids of those who cannot (meeting point off the network, or no free time)."""
    from streetcrew.solver.graph.network import snap

    points = {f"volunteer:{v.id}": v.at for v in volunteers}
    snapped = snap(points, network)
    team_list: list[Team] = []
    off_map: list[str] = []
    for tid, group in teams(volunteers):
        node, dist = snapped[f"volunteer:{group[0].id}"]
        if dist > max_snap_m:
            off_map.append(tid)
            continue
        start = max(g.free_from for g in group)
        end = min(g.free_to for g in group)
        max_s = int(min(min(g.max_minutes for g in group) * 60, end - start))
        mode = "walk" if any(g.mode == "walk" for g in group) else "bike"
        if max_s <= 0:
            off_map.append(tid)
            continue
        kinds = frozenset() if any(not g.kinds for g in group) else frozenset(
            k for g in group for k in g.kinds)
        team_list.append(Team(tid, node, start, end, max_s, SPEED_KMH[mode] / 3.6, mode,
                              kinds))
    return team_list, off_map


def plan_patrol(
    streets: Sequence[Street],
    volunteers: Sequence[Volunteer],
    cases: Sequence[Case] = (),
    must_cover: Sequence[str] = (),
    params: PatrolParams | None = None,
    date: dt.date | None = None,
    inputs: dict[str, InputRef] | None = None,
    history: dict[str, float] | None = None,
) -> tuple[Schedule, PatrolKPIs]:
    """Plan the day's walks; ``history`` maps street ids to days since last walked."""
    params = params or PatrolParams()
    started = time.perf_counter()
    walk = walk_streets(streets)
    network = build_network(walk)
    prio, used, far = street_priorities(walk, cases)
    must = {sid for sid in must_cover}
    resting = [k for k, st in enumerate(walk) if st.id not in must
               and (history or {}).get(st.id, math.inf) < params.rest_days]
    prio[resting] = 0.0  # walked too recently: nothing to collect there today
    reported: dict[int, set[str]] = {}
    for case, k in snap_cases(walk, cases):
        if k is not None:
            reported.setdefault(k, set()).add(case.kind)
    index = {s.id: k for k, s in enumerate(walk)}
    unassigned = [Unassigned(task=sid, street=sid, side="centre",
                             reason="a must-cover street that is not walkable (road class) or "
                                    "not in the street file")
                  for sid in sorted(must) if sid not in index]
    team_list, off_map = make_teams(volunteers, network, params.max_snap_m)
    links = [Link(u=lk.u, v=lk.v, cost=max(1, round(lk.length_m)), oneway=False)
             for lk in network.links]
    ends = sorted({lk.u for lk in network.links} | {lk.v for lk in network.links}
                  | {t.node for t in team_list})
    paths = shortest_paths(len(network.nodes), links, ends)
    greedy_s = min(30.0, 0.25 * params.time_limit) if params.solutions is None else math.inf
    groups = _groups(network, paths, team_list, prio, must, index, reported, greedy_s)
    working = {t.id for ts, _, _ in groups for t in ts}
    for t in team_list:
        if t.id not in working:
            unassigned.append(Unassigned(
                task=f"volunteer:{t.id}", street="", side="",
                reason=f"free time ({t.max_s // 60} min) is shorter than a walk from the "
                       "meeting point to any street to patrol and back"))
    jobs = [Job(walk, network, paths, ts, ks, prio, must, index, params, reported, first)
            for ts, ks, first in groups]
    results = _run(jobs, params, started)
    routes: list[Route] = []
    for res in results:
        routes += res
    covered = {st.street for r in routes for st in r.steps
               if st.type == "serve" and st.street is not None}
    reach = set().union(*(set(ks) for _, ks, _ in groups)) if groups else set()
    for sid in sorted(must & set(index)):
        if sid not in covered:
            why = ("no volunteer can reach it and get back within their free time"
                   if index[sid] not in reach else
                   "the volunteers who could reach it had no time left for it")
            unassigned.append(Unassigned(task=sid, street=sid, side="centre", reason=why))
    for tid in off_map:
        unassigned.append(Unassigned(task=f"volunteer:{tid}", street="", side="",
                                     reason="meeting point off the walkable network or no "
                                            "free time"))
    km = sum(walk[index[s]].length_m for s in covered) / 1000
    dead = sum(r.deadhead_m for r in routes)
    mins = [(r.steps[-1].end - r.steps[0].start) / 60 for r in routes]
    total = float(prio.sum())
    got = float(sum(prio[index[s]] for s in covered))
    bound = min(float(sum(prio[k] for k in reach)),
                _time_bound(network, paths, [t for ts, _, _ in groups for t in ts], prio))
    kpis = PatrolKPIs(
        priority_total=round(total, 2), priority_covered=round(got, 2),
        priority_covered_pct=round(100 * got / total, 2) if total else 100.0,
        priority_upper_bound=round(bound, 2),
        covered_of_bound_pct=round(100 * got / bound, 2) if bound else 100.0,
        must_cover=len(must), must_cover_met=len(must & covered),
        streets_patrolled=len(covered), km_patrolled=round(km, 3),
        volunteers=len(volunteers),
        volunteers_used=sum(len(r.who.split("+")) for r in routes),
        mean_route_min=round(float(np.mean(mins)), 1) if mins else 0.0,
        max_route_min=round(max(mins), 1) if mins else 0.0,
        cases_used=used, cases_far=tuple(far), streets_resting=len(resting),
    )
    rest = set(resting)
    needed_km = sum(s.length_m for k, s in enumerate(walk) if k not in rest) / 1000
    summary = Summary(
        routes_used=len(routes), served_km=round(km, 3), deadhead_km=round(dead / 1000, 3),
        deadhead_pct=round(100 * dead / (dead + km * 1000), 2) if dead + km else 0.0,
        coverage_pct=round(100 * min(km, needed_km) / needed_km, 2) if needed_km else 100.0,
        overtime_s=0, unassigned=len(unassigned), cost=0.0,
        solve_s=round(time.perf_counter() - started, 2),
    )
    status = "partial" if unassigned else "solved"
    schedule = Schedule(kind="patrol", status=status, date=date, summary=summary,
                        routes=tuple(routes), unassigned=tuple(unassigned), inputs=inputs or {},
                        patrol=kpis)
    return schedule, kpis


def _time_bound(network: StreetNetwork, paths: ShortestPaths, team_list: list[Team],
                prio: np.ndarray) -> float:
    """A valid upper bound on the priority the teams can collect, from their time alone.

    A team must at least walk every street it collects, and only streets it can walk
    there and back in its time count; so it collects at most a fractional knapsack of
    those streets (priority per second of walking them) within its minutes. Summed over
    the teams (a street counted by each team that could take it, so the sum stays valid).
    """
    total = 0.0
    u = np.array([lk.u for lk in network.links])
    v = np.array([lk.v for lk in network.links])
    length = np.array([lk.length_m for lk in network.links])
    for t in team_list:
        row = paths.dist[paths.row[t.node]]
        d = np.minimum(row[u], row[v]).astype(float)
        secs = length / t.mps
        ok = (prio > 0) & (d < UNREACHABLE) & ((2 * d + length) / t.mps <= t.max_s)
        items = sorted(zip(prio[ok] / np.maximum(secs[ok], 1e-9), secs[ok], prio[ok]),
                       reverse=True)
        room = float(t.max_s)
        for _, need, value in items:
            take = min(1.0, room / need) if need > 0 else 1.0
            total += take * float(value)
            room -= take * need
            if room <= 0:
                break
    return total


def _groups(network: StreetNetwork, paths: ShortestPaths, team_list: list[Team],
            prio: np.ndarray, must: set[str], index: dict[str, int],
            reported: dict[int, set[str]], seconds: float
            ) -> list[tuple[list[Team], list[int], list[list[tuple[int, bool]]]]]:
    """Teams by meeting point, the streets each point's teams are offered, first routes.

    A first plan over all teams at once (:func:`solver.patrol_greedy.build`) decides
    who starts with which streets, so a cyclist can take streets near another
    meeting point whose walkers cannot finish them. Each point's teams are offered
    the streets of their first routes plus the streets nobody took that are nearest
    to that point among the points whose teams can reach them.
    Returns ``(teams, streets, first routes as (street, forward) per team)``.
    """
    wanted = {index[s] for s in must if s in index}
    todo = np.array([k for k in range(len(network.links)) if prio[k] > 0 or k in wanted],
                    dtype=np.int64)
    if not team_list or todo.size == 0:
        return []
    starts = np.array([network.links[k].u for k in todo])
    ends = np.array([network.links[k].v for k in todo])
    length = np.array([network.links[k].length_m for k in todo])
    prize = np.array([float(MUST_COST) if k in wanted else float(prio[k]) for k in todo])
    allowed = np.ones((len(team_list), todo.size), dtype=bool)
    for j, k in enumerate(todo):
        kinds = reported.get(int(k))
        if kinds and int(k) not in wanted:
            # a street with reported cases is for the teams that take part in one of them
            allowed[:, j] = [not t.kinds or bool(t.kinds & kinds) for t in team_list]
    walkers = [patrol_greedy.Walker(t.node, t.mps, t.max_s) for t in team_list]
    first, can = patrol_greedy.build(paths, walkers, starts, ends, length, prize, allowed,
                                     seconds)
    taken = {v // 2 for r in first for v in r}
    nodes = sorted({t.node for t in team_list})
    offered: dict[int, set[int]] = {n: set() for n in nodes}
    for w, r in enumerate(first):
        offered[team_list[w].node] |= {v // 2 for v in r}
    for spare in np.flatnonzero(can.any(axis=0)):
        j = int(spare)
        if j in taken:
            continue
        points = {team_list[w].node for w in np.flatnonzero(can[:, j])}
        lk = network.links[int(todo[j])]
        near = min(points, key=lambda n: (min(paths.distance(n, lk.u),
                                              paths.distance(n, lk.v)), n))
        offered[near].add(j)
    out = []
    for n in nodes:
        members = [w for w, t in enumerate(team_list) if t.node == n and can[w].any()]
        if members and offered[n]:
            out.append(([team_list[w] for w in members],
                        sorted(int(todo[j]) for j in offered[n]),
                        [[(int(todo[v // 2]), v % 2 == 0) for v in first[w]]
                         for w in members]))
    return out



def _run(jobs: list[Job], params: PatrolParams, started: float) -> list[list[Route]]:
    if not jobs:
        return []
    workers = max(1, min(len(jobs), params.workers or (os.cpu_count() or 1)))
    left = max(1.0, params.time_limit - (time.perf_counter() - started))
    rounds = math.ceil(len(jobs) / workers)
    seconds = max(0.5, left * 0.85 / rounds)
    args = [(job, seconds) for job in jobs]
    solve = solve_job_pyvrp if params.engine == "pyvrp" else solve_job
    if workers == 1:
        return [solve(a) for a in args]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(solve, args))


