"""An urgent case that needs only an inspection, put into today's running walks
(``streetcrew replan WALKS/schedule.json --at HH:MM --report ...``).

The walk that can pass the case's street at the least extra walking, before the case's
deadline and within its team's free time, takes it; what a walk did before ``--at`` stays as
it was (the walk is timed again from its start with the same order before the new street, so
those steps come out the same, and the checker compares them with the plan). Every other
walk is unchanged. A case no walk can reach in time is impossible, with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from streetcrew.models.carp import Link
from streetcrew.models.cases import Report
from streetcrew.models.network import build_network
from streetcrew.models.patrol import Case, Volunteer
from streetcrew.models.schedule import Replan, Route, Schedule
from streetcrew.models.streets import Street
from streetcrew.solver.graph.network import nearest_streets
from streetcrew.solver.graph.paths import shortest_paths
from streetcrew.solver.patrol.engine_ortools import _route
from streetcrew.solver.patrol.model import CASE_SNAP_M, Job, PatrolParams
from streetcrew.solver.patrol.plan import make_teams
from streetcrew.solver.patrol.priorities import street_priorities, walk_streets


def dispatch_inspection(origin: Schedule, streets: Sequence[Street],
                        volunteers: Sequence[Volunteer], must: Sequence[str],
                        cases: Sequence[Case], at: int, report: Report
                        ) -> tuple[Schedule, Report]:
    """The walks with the case's street put in where it costs least, and the case as
    dispatched (to whom, when) or impossible (why)."""
    walk = walk_streets(streets)
    network = build_network(walk)
    index = {s.id: k for k, s in enumerate(walk)}
    (k,) = nearest_streets(walk, [(report.lon, report.lat)], CASE_SNAP_M)
    if k is None:
        return origin, report.model_copy(update={"status": "impossible", "reason": (
            f"no walkable street within {CASE_SNAP_M:.0f} m of the place reported")})
    street = walk[k].id
    for r in origin.routes:  # a walk passes it anyway, in time: nothing to change
        for st in r.steps:
            if st.type == "serve" and st.street == street and at <= st.start \
                    and st.end <= report.deadline:
                return origin, _inspected(report, street, r.label, st.start, origin)
    teams = {t.id: t for t in make_teams(volunteers, network, PatrolParams().max_snap_m)[0]}
    links = [Link(u=lk.u, v=lk.v, cost=max(1, round(lk.length_m)), oneway=False)
             for lk in network.links]
    ends = sorted({lk.u for lk in network.links} | {lk.v for lk in network.links}
                  | {t.node for t in teams.values()})
    paths = shortest_paths(len(network.nodes), links, ends)
    lengths: dict[tuple[int, int], float] = {}
    for lk in network.links:
        for key in ((lk.u, lk.v), (lk.v, lk.u)):
            lengths[key] = min(lengths.get(key, math.inf), lk.length_m)
    job = Job(walk, network, paths, [], [], np.zeros(len(walk)), set(must), index,
              PatrolParams(), {}, [])
    link = network.links[k]
    best: tuple[float, int, Route] | None = None
    for n, r in enumerate(origin.routes):
        team = teams.get(r.team or "")
        if team is None or not r.steps or (team.kinds and report.kind not in team.kinds):
            continue  # a team that takes part in other services only
        serves = [st for st in r.steps if st.type == "serve" and st.street in index]
        done = sum(1 for st in serves if st.start < at)  # walked, or under way: kept
        visits: list[tuple[int, int, int | None]] = [
            (int(st.from_node or 0), int(st.to_node or 0), index[st.street or ""])
            for st in serves]
        before = r.served_m + r.deadhead_m
        for way in ((link.u, link.v), (link.v, link.u)):
            for p in range(done, len(visits) + 1):
                trial: list[tuple[int, int, int | None]] = [
                    *visits[:p], (way[0], way[1], k), *visits[p:]]
                new = _route(job, team, trial, list(range(len(trial))), r.steps[0].start,
                             lengths)
                seen = next(st for st in new.steps[1:] if st.type == "serve"
                            and st.street == street)
                last = new.steps[-1].end
                if seen.start < at or seen.end > report.deadline or last > team.end \
                        or last - new.steps[0].start > team.max_s:
                    continue
                added = new.served_m + new.deadhead_m - before
                if best is None or (added, seen.start) < (best[0], best[2].steps[0].start):
                    best = (added, n, new.model_copy(update={
                        "changed": f"inspects {street} for case {report.case}"}))
    if best is None:
        return origin, report.model_copy(update={"status": "impossible", "street": street,
                                                 "reason": "no walk can pass it before the "
                                                 "deadline within its team's free time"})
    _, n, new = best
    routes = [*origin.routes[:n], new, *origin.routes[n + 1:]]
    seen = next(st for st in new.steps if st.type == "serve" and st.street == street)
    again = _refigured(origin, routes, walk, index, set(must), cases)
    keep = {f"{r.who}#{r.shift}": at for r in origin.routes}
    again = again.model_copy(update={"replan": Replan(at=at, events=(), keep=keep)})
    return again, _inspected(report, street, new.label, seen.start, origin)


def _inspected(report: Report, street: str, team: str, at: int, plan: Schedule) -> Report:
    return report.model_copy(update={"status": "inspection planned", "street": street,
                                     "inspector": team, "inspected_on": plan.date,
                                     "inspection": at})


def _refigured(origin: Schedule, routes: list[Route], walk: list[Street],
               index: dict[str, int], must: set[str], cases: Sequence[Case]) -> Schedule:
    """The walks' summary and patrol figures for ``routes`` (the plan's bound and resting
    streets as they were)."""
    assert origin.patrol is not None
    k = origin.patrol
    covered = {st.street for r in routes for st in r.steps
               if st.type == "serve" and st.street is not None}
    km = sum(walk[index[s]].length_m for s in covered if s in index) / 1000
    dead = sum(r.deadhead_m for r in routes)
    mins = [(r.steps[-1].end - r.steps[0].start) / 60 for r in routes]
    prio, _, _ = street_priorities(walk, cases)
    added = float(sum(prio[index[s]] for s in covered - {st.street for r in origin.routes
                                                        for st in r.steps if st.type == "serve"}
                      if s in index))
    got = k.priority_covered + (added if k.streets_resting == 0 else 0.0)
    kpis = k.model_copy(update={
        "priority_covered": round(got, 2),
        "priority_covered_pct": round(100 * got / k.priority_total, 2) if k.priority_total
        else 100.0,
        "covered_of_bound_pct": round(100 * got / k.priority_upper_bound, 2)
        if k.priority_upper_bound else 100.0,
        "must_cover_met": len(must & covered), "streets_patrolled": len(covered),
        "km_patrolled": round(km, 3),
        "mean_route_min": round(float(np.mean(mins)), 1) if mins else 0.0,
        "max_route_min": round(max(mins), 1) if mins else 0.0})
    s = origin.summary
    needed = s.served_km * 100 / s.coverage_pct if s.coverage_pct else km
    summary = s.model_copy(update={
        "served_km": round(km, 3), "deadhead_km": round(dead / 1000, 3),
        "deadhead_pct": round(100 * dead / (dead + km * 1000), 2) if dead + km else 0.0,
        "coverage_pct": round(100 * min(km, needed) / needed, 2) if needed else 100.0})
    return origin.model_copy(update={"routes": tuple(routes), "summary": summary,
                                     "patrol": kpis, "violations": (), "checked": False})
