"""Independent checker for volunteer patrol schedules.

It rebuilds the walkable network from the street file, finds each meeting
point's node itself, runs its own Dijkstra (scipy, on its own undirected
graph), and verifies every route against the volunteers' free hours, their
``max_minutes`` and walking or cycling speeds, the must-cover streets and
the KPIs the plan claims. A schedule passes when the returned list is empty.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

from streetcrew.models.network import build_network
from streetcrew.models.patrol import SPEED_KMH, Volunteer
from streetcrew.models.schedule import Schedule, Violation, violation
from streetcrew.models.streets import CLASS_DEFAULTS, Street

TOL_S = 2
TOL_M = 1.0


def check_patrol(
    streets: Sequence[Street],
    volunteers: Sequence[Volunteer],
    must_cover: Sequence[str],
    schedule: Schedule,
    max_snap_m: float = 300.0,
) -> list[Violation]:
    out: list[Violation] = []
    walk = [s.model_copy(update={"oneway": "no"}) for s in streets
            if CLASS_DEFAULTS[s.road_class].walkable]
    network = build_network(walk)
    index = {s.id: k for k, s in enumerate(walk)}
    nodes = np.array(network.nodes)
    lat0 = math.radians(float(nodes[:, 1].mean())) if len(nodes) else 0.0
    scale = np.array([111_320 * math.cos(lat0), 110_574])
    people = {v.id: v for v in volunteers}
    n = len(nodes)
    best: dict[tuple[int, int], float] = {}
    for lk in network.links:
        for key in ((lk.u, lk.v), (lk.v, lk.u)):
            best[key] = min(best.get(key, math.inf), max(lk.length_m, 1e-9))
    rows, cols = zip(*best) if best else ((), ())
    graph = csr_array((list(best.values()), (list(rows), list(cols))), shape=(n, n))
    sources = sorted({st.from_node for r in schedule.routes for st in r.steps
                      if st.type == "deadhead" and st.from_node is not None})
    dist = dijkstra(graph, directed=False, indices=sources) if sources else np.empty((0, n))
    row = {s: i for i, s in enumerate(sources)}
    walked: set[str] = set()
    busy: set[str] = set()
    for route in schedule.routes:
        where = f"route {route.who}"
        team = [people.get(p) for p in (route.team or "").split("+")]
        if any(p is None for p in team) or not team:
            out.append(violation("team", where, "unknown volunteer"))
            continue
        members = [p for p in team if p is not None]
        for p in members:
            if p.id in busy:
                out.append(violation("team", where, f"volunteer {p.id} walks two routes"))
            busy.add(p.id)
        if len(members) == 2 and members[0].buddy != members[1].id and \
                members[1].buddy != members[0].id:
            out.append(violation("team", where, f"{members[0].id} and {members[1].id} are not buddies"))
        start = max(p.free_from for p in members)
        end = min(p.free_to for p in members)
        mps = min(SPEED_KMH[p.mode] for p in members) / 3.6
        first, last = route.steps[0], route.steps[-1]
        if first.type != "start" or last.type != "end":
            out.append(violation("structure", where, "must begin with start and finish with end"))
            continue
        meet = members[0].at
        d2 = np.sum((nodes * scale - np.array([meet.lon, meet.lat]) * scale) ** 2, axis=1)
        home = int(np.argmin(d2))
        if math.sqrt(float(d2[home])) > max_snap_m or first.from_node != home or \
                last.to_node != home:
            out.append(violation("meeting-point", where, f"does not start and end at the meeting point (node {home})"))
        if first.start < start - TOL_S or last.end > end + TOL_S:
            out.append(violation("free-time", where, f"walks {first.start}-{last.end} s outside the free time "
                       f"{start}-{end} s"))
        limit = min(p.max_minutes for p in members) * 60
        if last.end - first.start > limit + TOL_S:
            out.append(violation("duration", where, f"{(last.end - first.start) / 60:.0f} min, at most "
                       f"{limit / 60:.0f} min"))
        for a, b in zip(route.steps, route.steps[1:]):
            if b.start < a.end - TOL_S:
                out.append(violation("timing", where, f"step at {b.start} s starts before the one before ends"))
            if a.to_node != b.from_node:
                out.append(violation("path", where, f"jumps from node {a.to_node} to {b.from_node}"))
        for st in route.steps:
            if st.end - st.start < st.distance_m / mps - TOL_S:
                out.append(violation("speed", where, f"{st.distance_m:.0f} m in {st.end - st.start} s is faster "
                           f"than {mps * 3.6:g} km/h"))
            if st.type == "deadhead" and st.from_node is not None and st.to_node is not None:
                shortest = float(dist[row[st.from_node], st.to_node])
                if not math.isfinite(shortest):
                    out.append(violation("path", where, f"no walkable path from node {st.from_node} to "
                               f"{st.to_node}"))
                elif st.distance_m < shortest - TOL_M:
                    out.append(violation("deadhead", where, f"walk claims {st.distance_m:.0f} m, shortest is "
                               f"{shortest:.0f} m"))
            elif st.type == "serve":
                k = index.get(st.street or "")
                if k is None:
                    out.append(violation("coverage", where, f"patrols {st.street!r}, not a walkable street"))
                    continue
                lk = network.links[k]
                if {st.from_node, st.to_node} != {lk.u, lk.v} or \
                        abs(st.distance_m - lk.length_m) > TOL_M:
                    out.append(violation("serve", where, f"{st.street} walked between the wrong nodes or length"))
                walked.add(walk[k].id)
    listed = {u.street for u in schedule.unassigned}
    for sid in must_cover:
        if sid not in walked and sid not in listed:
            out.append(violation("coverage", f"must-cover street {sid}", "neither patrolled nor listed unassigned"))
    km = sum(walk[index[s]].length_m for s in walked) / 1000
    if abs(km - schedule.summary.served_km) > 0.01:
        out.append(violation("summary", None, f"{schedule.summary.served_km} km patrolled claimed, the routes "
                   f"walk {km:.3f} km of streets"))
    return out
