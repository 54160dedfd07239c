"""Independent checker for volunteer patrol schedules.

It rebuilds the walkable network from the street file, finds each meeting
point's node itself, follows every walk along the links it names, and
verifies every route against the volunteers' free hours, their
``max_minutes`` and walking or cycling speeds, the must-cover streets, and
every figure the plan states (route metres, the summary, the patrol KPIs)
recomputed from the routes and streets. A schedule passes when the returned
list is empty.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from streetcrew.models.network import StreetNetwork, build_network
from streetcrew.models.patrol import SPEED_KMH, Case, Volunteer
from streetcrew.models.schedule import PatrolKPIs, Schedule, Step, Violation, violation
from streetcrew.models.streets import Street
from streetcrew.solver.graph.numbers import unsound_numbers
from streetcrew.solver.patrol.priorities import street_priorities, walk_streets

TOL_S = 2
TOL_M = 1.0
TOL_KM = 0.001  # kilometres are stated to 3 decimals
TOL_PCT = 0.01  # percentages to 2
TOL_PRIO = 0.01  # priorities to 2
TOL_MIN = 0.05  # route minutes to 1
NOT_WALKABLE = "a must-cover street that is not walkable"


def check_patrol(
    streets: Sequence[Street],
    volunteers: Sequence[Volunteer],
    must_cover: Sequence[str],
    schedule: Schedule,
    max_snap_m: float = 300.0,
    *,
    cases: Sequence[Case] | None = None,
) -> list[Violation]:
    """``cases``: the reported cases the plan was made with, when known (``streetcrew
    check`` reads the file the schedule names); without them the priorities are only
    checked for consistency."""
    out: list[Violation] = unsound_numbers(schedule)
    walk = walk_streets(streets)
    network = build_network(walk)
    index = {s.id: k for k, s in enumerate(walk)}
    nodes = np.array(network.nodes)
    lat0 = math.radians(float(nodes[:, 1].mean())) if len(nodes) else 0.0
    scale = np.array([111_320 * math.cos(lat0), 110_574])
    people = {v.id: v for v in volunteers}
    lengths: dict[tuple[int, int], list[float]] = {}
    for lk in network.links:
        for key in ((lk.u, lk.v), (lk.v, lk.u)):
            lengths.setdefault(key, []).append(lk.length_m)
    walked: set[str] = set()
    busy: set[str] = set()
    minutes: list[float] = []
    used = 0
    dead_total = 0.0
    for route in schedule.routes:
        where = f"route {route.who}"
        team = [people.get(p) for p in (route.team or "").split("+")]
        if any(p is None for p in team) or not team:
            out.append(violation("team", where, "unknown volunteer"))
            continue
        members = [p for p in team if p is not None]
        used += len(members)
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
        minutes.append((last.end - first.start) / 60)
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
        served = dead = 0.0
        for st in route.steps:
            if st.end - st.start < st.distance_m / mps - TOL_S:
                out.append(violation("speed", where, f"{st.distance_m:.0f} m in {st.end - st.start} s is faster "
                           f"than {mps * 3.6:g} km/h"))
            if st.type == "deadhead":
                dead += st.distance_m
                _check_walk(st, lengths, where, out)
            elif st.type == "serve":
                k = index.get(st.street or "")
                if k is None:
                    out.append(violation("coverage", where, f"patrols {st.street!r}, not a walkable street"))
                    continue
                lk = network.links[k]
                if {st.from_node, st.to_node} != {lk.u, lk.v} or \
                        abs(st.distance_m - lk.length_m) > TOL_M:
                    out.append(violation("serve", where, f"{st.street} walked between the wrong nodes or length"))
                served += lk.length_m
                walked.add(walk[k].id)
            elif st.distance_m > TOL_M:
                out.append(violation("distance", where, f"{st.type} step claims {st.distance_m:.0f} m"))
        dead_total += dead
        for name, claimed, actual in (("served_m", route.served_m, served),
                                      ("deadhead_m", route.deadhead_m, dead)):
            if not abs(claimed - actual) <= TOL_M:
                out.append(violation("route", where, f"{name} {claimed:.0f} claimed, its steps "
                           f"walk {actual:.0f} m"))
        if route.cost or route.overtime_s:
            out.append(violation("route", where, "volunteers cost nothing and work no overtime"))
    listed = {u.street for u in schedule.unassigned}
    for sid in must_cover:
        if sid not in walked and sid not in listed:
            out.append(violation("coverage", f"must-cover street {sid}", "neither patrolled nor listed unassigned"))
    for u in schedule.unassigned:
        if u.street and u.street in walked:
            out.append(violation("unassigned", f"unassigned {u.task}", "listed unassigned but "
                       "patrolled"))
        if u.reason.startswith(NOT_WALKABLE) and u.street in index:
            out.append(violation("reason", f"unassigned {u.task}", f"{u.reason!r}, but "
                       f"{u.street} is a walkable street of the file"))
    km = sum(walk[index[s]].length_m for s in walked) / 1000
    out += _check_summary(schedule, walk, network, km, dead_total)
    if schedule.patrol is not None:
        out += _check_kpis(schedule.patrol, walk, index, walked, km, set(must_cover),
                           len(volunteers), used, minutes, cases)
    return out


def _check_walk(st: Step, lengths: dict[tuple[int, int], list[float]], where: str,
                out: list[Violation]) -> None:
    """A walk between two points follows walkable links, as many metres as it says."""
    if not st.path or st.path[0] != st.from_node or st.path[-1] != st.to_node:
        out.append(violation("path", where, f"walk {st.from_node}->{st.to_node} at {st.start} s: "
                   f"its node path {st.path[:1]}...{st.path[-1:]} does not join them"))
        return
    lo = hi = 0.0
    for x, y in zip(st.path, st.path[1:]):
        options = lengths.get((x, y))
        if not options:
            out.append(violation("path", where, f"walk {st.from_node}->{st.to_node} at "
                       f"{st.start} s jumps from node {x} to {y}: no walkable street joins them"))
            return
        lo, hi = lo + min(options), hi + max(options)
    if not lo - TOL_M <= st.distance_m <= hi + TOL_M:
        out.append(violation("deadhead", where, f"walk {st.from_node}->{st.to_node} at "
                   f"{st.start} s claims {st.distance_m:.0f} m, its streets are {lo:.0f} m"))


def _differs(out: list[Violation], what: str, claimed: float, actual: float, tol: float
             ) -> None:
    if not abs(claimed - actual) <= tol:  # also true for nan
        out.append(violation("summary", None, f"{what} {claimed:g} stated, the routes and "
                   f"streets give {actual:.6g}"))


def _check_summary(schedule: Schedule, walk: list[Street], network: StreetNetwork, km: float,
                   dead_m: float) -> list[Violation]:
    out: list[Violation] = []
    s = schedule.summary
    _differs(out, "summary routes_used", s.routes_used, len(schedule.routes), 0)
    _differs(out, "summary served_km", s.served_km, km, TOL_KM)
    _differs(out, "summary deadhead_km", s.deadhead_km, dead_m / 1000, TOL_KM)
    _differs(out, "summary deadhead_pct", s.deadhead_pct,
             100 * dead_m / (dead_m + km * 1000) if dead_m + km else 0.0, TOL_PCT)
    _differs(out, "summary unassigned", s.unassigned, len(schedule.unassigned), 0)
    _differs(out, "summary cost", s.cost, 0.0, 0)
    _differs(out, "summary overtime_s", s.overtime_s, 0, 0)
    # streets walked too recently rest and need no walk; which ones is not in the schedule
    total_km = sum(lk.length_m for lk in network.links) / 1000
    resting = schedule.patrol.streets_resting if schedule.patrol is not None else 0
    full = 100 * min(km, total_km) / total_km if total_km else 100.0
    if resting == 0:
        _differs(out, "summary coverage_pct", s.coverage_pct, full, TOL_PCT)
    elif not full - TOL_PCT <= s.coverage_pct <= 100 + TOL_PCT:
        out.append(violation("summary", None, f"summary coverage_pct {s.coverage_pct:g} stated, "
                   f"the routes walk {full:.2f} % of the walkable length, and no more than "
                   "100 % of what does not rest"))
    return out


def _check_kpis(k: PatrolKPIs, walk: list[Street], index: dict[str, int], walked: set[str],
                km: float, must: set[str], volunteers: int, used: int, minutes: list[float],
                cases: Sequence[Case] | None) -> list[Violation]:
    out: list[Violation] = []
    _differs(out, "km_patrolled", k.km_patrolled, km, TOL_KM)
    _differs(out, "streets_patrolled", k.streets_patrolled, len(walked), 0)
    _differs(out, "must_cover", k.must_cover, len(must), 0)
    _differs(out, "must_cover_met", k.must_cover_met, len(must & walked), 0)
    _differs(out, "volunteers", k.volunteers, volunteers, 0)
    _differs(out, "volunteers_used", k.volunteers_used, used, 0)
    _differs(out, "mean_route_min", k.mean_route_min,
             float(np.mean(minutes)) if minutes else 0.0, TOL_MIN)
    _differs(out, "max_route_min", k.max_route_min, max(minutes, default=0.0), TOL_MIN)
    if k.streets_resting > sum(1 for s in walk if s.id not in must):
        out.append(violation("summary", None, f"{k.streets_resting} streets resting, more than "
                   "the walkable streets that are not must-cover"))
    for name, pct, whole in (("priority_covered_pct", k.priority_covered_pct, k.priority_total),
                             ("covered_of_bound_pct", k.covered_of_bound_pct,
                              k.priority_upper_bound)):
        part = k.priority_covered
        # from the stated (rounded) priorities: their rounding carries into the ratio
        slack = 100 * TOL_PRIO / 2 * (1 / whole + part / whole ** 2) if whole > 0 else 0.0
        _differs(out, name, pct, 100 * part / whole if whole else 100.0, TOL_PCT + slack)
    if not k.priority_covered <= k.priority_upper_bound + TOL_PRIO <= \
            k.priority_total + 2 * TOL_PRIO:
        out.append(violation("summary", None, f"priority covered {k.priority_covered:g}, upper "
                   f"bound {k.priority_upper_bound:g}, total {k.priority_total:g}: each must "
                   "be at most the next"))
    if cases is None and (k.cases_used or k.cases_far):
        return out  # the priorities depend on cases the checker was not given
    prio, cases_used, far = street_priorities(walk, cases or [])
    _differs(out, "cases_used", k.cases_used, cases_used, 0)
    if sorted(k.cases_far) != sorted(far):
        out.append(violation("summary", None, f"cases_far {list(k.cases_far)} stated, the "
                   f"cases farther than a street's reach are {far}"))
    total = float(prio.sum())
    covered = float(sum(prio[index[s]] for s in walked))
    if k.streets_resting == 0:
        _differs(out, "priority_total", k.priority_total, total, TOL_PRIO)
        _differs(out, "priority_covered", k.priority_covered, covered, TOL_PRIO)
        return out
    # a resting street (not must-cover) has no priority today; which ones rest is unknown
    floor = float(sum(prio[index[s]] for s in walked & must))
    if not k.priority_total <= total + TOL_PRIO:
        out.append(violation("summary", None, f"priority_total {k.priority_total:g} stated, "
                   f"the streets have {total:.2f} in all"))
    if not floor - TOL_PRIO <= k.priority_covered <= covered + TOL_PRIO:
        out.append(violation("summary", None, f"priority_covered {k.priority_covered:g} stated, "
                   f"the streets walked have {covered:.2f} (must-cover ones {floor:.2f})"))
    return out
