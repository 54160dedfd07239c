"""Independent checker for sweeping schedules.

It re-reads nothing from the planner: required work comes from the street
attributes (sides x passes x sweeps per street), positions from the network
built from the streets, distances from its own Dijkstra, loads and times from
the fleet's rates. A schedule passes when the returned list is empty.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

from streetcrew.models.fleet import Fleet
from streetcrew.models.network import (
    StreetNetwork,
    build_network,
    end_headings,
    link_coords,
    turn_kind,
)
from streetcrew.models.schedule import Schedule, Step, Violation, violation
from streetcrew.models.streets import Street

TOL_M = 1.0  # distances are stored rounded
TOL_S = 2  # clock times are rounded to seconds


def _sides(street: Street) -> list[str]:
    if street.sides == "none" or street.sweeps_per_day == 0:
        return []
    if street.sides == "centre":
        return ["centre"]
    return ["right", "left"] if street.sides == "both" else [street.sides]


def _allowed(street: Street, side: str) -> set[str]:
    """Directions ('fwd' along the link, 'bwd' against) in which a side may be swept."""
    one_way = street.oneway != "no"
    if side == "right" or one_way:
        return {"fwd"}
    return {"bwd"} if side == "left" else {"fwd", "bwd"}


def _shortest(network: StreetNetwork, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], float]:
    """Shortest drivable metres for each (source, target) pair, on the raw link lengths.

    scipy's Dijkstra, run here on the checker's own graph, a few hundred
    sources at a time so that a whole city stays within memory.
    """
    n = len(network.nodes)
    best: dict[tuple[int, int], float] = {}
    for lk in network.links:
        for key in [(lk.u, lk.v)] + ([] if lk.oneway else [(lk.v, lk.u)]):
            best[key] = min(best.get(key, float("inf")), max(lk.length_m, 1e-9))
    rows, cols = zip(*best) if best else ((), ())
    graph = csr_array((list(best.values()), (list(rows), list(cols))), shape=(n, n))
    sources = sorted({a for a, _ in pairs})
    out: dict[tuple[int, int], float] = {}
    for lo in range(0, len(sources), 256):
        chunk = sources[lo:lo + 256]
        dist = dijkstra(graph, directed=True, indices=chunk)
        row = {src: i for i, src in enumerate(chunk)}
        for a, b in pairs:
            if a in row:
                out[(a, b)] = float(dist[row[a], b])
    return out


Arc = tuple[int, bool]  # (link index, driven along the link)


class _Turns:
    """Seconds of the cheapest turns a node path can have (parallel links: the cheapest)."""

    def __init__(self, streets: Sequence[Street], network: StreetNetwork, fleet: Fleet) -> None:
        self.streets, self.network, self.fleet = streets, network, fleet
        self.between: dict[tuple[int, int], list[Arc]] = {}
        for k, lk in enumerate(network.links):
            self.between.setdefault((lk.u, lk.v), []).append((k, True))
            if not lk.oneway:
                self.between.setdefault((lk.v, lk.u), []).append((k, False))

    def _headings(self, arc: Arc) -> tuple[float, float]:
        k, along = arc
        coords = link_coords(self.streets[self.network.links[k].street])
        return end_headings(coords if along else coords[::-1])

    def seconds(self, a: Arc, b: Arc) -> float:
        reverses = a[0] == b[0] and a[1] != b[1]
        kind = turn_kind(self._headings(a)[1], self._headings(b)[0], reverses)
        return self.fleet.turns.seconds(kind)

    def least(self, before: Arc | None, path: Sequence[int], after: Arc | None) -> float:
        """Least turn seconds over the arcs a node path may use, from ``before`` to ``after``."""
        options: list[list[Arc]] = [[before]] if before is not None else []
        options += [self.between.get((x, y), []) for x, y in zip(path, path[1:])]
        options += [[after]] if after is not None else []
        best: dict[Arc, float] = {a: 0.0 for a in options[0]} if options else {}
        for nxt in options[1:]:
            best = {b: min(c + self.seconds(a, b) for a, c in best.items()) for b in nxt}
            if not best:
                return 0.0
        return min(best.values(), default=0.0)


def check_schedule(
    streets: Sequence[Street], fleet: Fleet, schedule: Schedule
) -> list[Violation]:
    out: list[Violation] = []
    network = build_network(streets)
    index = {s.id: k for k, s in enumerate(streets)}
    vehicles = {(v.id, sum(w.id == v.id for w in fleet.vehicles[:k])): v  # (id, shift)
                for k, v in enumerate(fleet.vehicles)}
    served: Counter[tuple[str, str]] = Counter()
    overtime = 0
    shortest = _shortest(network, {(st.from_node, st.to_node) for r in schedule.routes
                                   for st in r.steps if st.type == "deadhead"
                                   and st.from_node is not None and st.to_node is not None})
    turns = _Turns(streets, network, fleet)
    for route in schedule.routes:
        where = f"vehicle {route.vehicle}"
        veh = vehicles.get((route.vehicle, route.shift)) if route.vehicle is not None else None
        if veh is None:
            out.append(violation("fleet", where, "not in the fleet"))
            continue
        vt = fleet.vehicle_type(veh.type)
        moving = [s for s in route.steps if s.type != "break"]
        if not moving or moving[0].type != "start" or moving[-1].type != "end":
            out.append(violation("structure", where, "must begin with start and finish with end"))
            continue
        if moving[0].start < veh.shift_start - TOL_S or moving[-1].end > veh.latest_end + TOL_S:
            out.append(violation("shift", where, f"works {moving[0].start}-{moving[-1].end} s outside its shift "
                       f"{veh.shift_start}-{veh.shift_end} s"
                       + (f" (+{veh.overtime_min:g} min overtime)" if veh.overtime_min else "")))
        over = max(0, moving[-1].end - veh.shift_end)
        if abs(over - route.overtime_s) > TOL_S:
            out.append(violation("overtime", where, f"{route.overtime_s} s overtime claimed, it ends {over} s "
                       f"after its shift"))
        overtime += over
        for a, b in zip(moving, moving[1:]):
            if b.start < a.end - TOL_S:
                out.append(violation("timing", where, f"step {b.type} at {b.start} s starts before {a.type} ends"))
            if a.to_node != b.from_node:
                out.append(violation("path", where, f"jumps from node {a.to_node} to {b.from_node}"))
        breaks = [s for s in route.steps if s.type == "break"]
        for b, rule in zip(sorted(breaks, key=lambda s: s.start), veh.breaks):
            if not rule.earliest - TOL_S <= b.start <= rule.latest + TOL_S:
                out.append(violation("break", where, f"break at {b.start} s outside {rule.earliest}-{rule.latest} s"))
            if b.end - b.start < rule.minutes * 60 - TOL_S:
                out.append(violation("break", where, f"break of {b.end - b.start} s, {rule.minutes} min due"))
        # a break is due when its window opens before the vehicle is back at the depot
        back = moving[-2].end if len(moving) > 1 else moving[-1].end
        due = [rule for rule in veh.breaks if rule.earliest < back - TOL_S]
        if len(breaks) < len(due):
            out.append(violation("break", where, f"{len(due) - len(breaks)} break(s) missing"))
        hopper = water = 0.0
        driven_m = 0.0
        arc: Arc | None = None  # the arc just swept
        for i, st in enumerate(moving):
            driven_m += st.distance_m
            after = _serve_arc(moving[i + 1], index, network) if i + 1 < len(moving) else None
            if st.type == "serve" and arc is not None and (this := _serve_arc(st, index, network)):
                if turns.seconds(arc, this) > TOL_S:
                    out.append(violation("turn", where, f"the turn into {st.street} at {st.start} s is not timed"))
            if st.type == "deadhead":
                need = st.distance_m / (vt.travel_kmh / 3.6) + turns.least(arc, st.path, after)
                if st.end - st.start < need - TOL_S:
                    out.append(violation("timing", where, f"deadhead at {st.start} s takes {st.end - st.start} s, "
                               f"driving and turns need {need:.0f} s"))
                arc = None
                src, dst = st.from_node, st.to_node
                if src is None or dst is None:
                    out.append(violation("path", where, "deadhead without its end nodes"))
                    continue
                best = shortest[(src, dst)]
                if not math.isfinite(best):
                    out.append(violation("path", where, f"no drivable path from node {src} to {dst}"))
                # the planner routes on links rounded to whole metres: allow
                # half a metre per link on top of the rounding of the total
                elif st.distance_m < best - TOL_M - 0.5 * max(0, len(st.path) - 1):
                    out.append(violation("deadhead", where, f"deadhead {src}->{dst} claims {st.distance_m:.0f} m, "
                               f"shortest is {best:.0f} m"))
            if st.type in ("dump", "refill", "start"):
                arc = None  # turned round in the yard
            if st.type == "serve":
                arc = _serve_arc(st, index, network)
                k = index.get(st.street or "")
                if k is None or st.side is None:
                    out.append(violation("coverage", where, f"serves unknown street {st.street!r}"))
                    continue
                street, link = streets[k], network.links[k]
                served[(street.id, st.side)] += 1
                if street.road_class not in vt.road_classes or (
                    street.allowed_types is not None and vt.id not in street.allowed_types
                ):
                    out.append(violation("vehicle-type", where, f"type {vt.id} may not sweep {street.id}"))
                way = _way(st, link.u, link.v)
                if way not in _allowed(street, st.side):
                    out.append(violation("direction", where, f"{street.id} {st.side} curb swept against traffic"))
                if street.windows and not any(
                    w.start - TOL_S <= st.start and st.end <= w.end + TOL_S
                    for w in street.windows
                ):
                    out.append(violation("window", where, f"{street.id} swept {st.start}-{st.end} s outside its "
                               f"window(s)"))
                hopper += link.length_m / 1000 * vt.debris_per_km(street.road_class) * 1000
                water += link.length_m / 1000 * vt.water_l_per_km
                if hopper > vt.hopper_m3 * 1000 + 1:
                    out.append(violation("capacity", where, f"hopper overfull at {street.id} ({hopper:.0f} l)"))
                if water > vt.water_l + 1:
                    out.append(violation("capacity", where, f"water tank empty at {street.id} ({water:.0f} l used)"))
            elif st.type == "dump":
                hopper = 0.0
            elif st.type == "refill":
                water = 0.0
        hours = (moving[-1].end - moving[0].start) / 3600
        cost = (vt.cost_per_km * driven_m / 1000 + vt.cost_per_hour * hours
                + vt.overtime_cost_per_hour * over / 3600)
        if abs(cost - route.cost) > 0.01 + 1e-6 * cost:
            out.append(violation("cost", where, f"cost {route.cost:.2f} claimed, the fleet's rates give {cost:.2f}"))
    out += _repeat_gaps(streets, schedule)
    if abs(overtime - schedule.summary.overtime_s) > TOL_S * max(1, len(schedule.routes)):
        out.append(violation("summary", None, f"summary overtime {schedule.summary.overtime_s} s, the routes work "
                   f"{overtime} s past their shifts"))
    total = sum(r.cost for r in schedule.routes)
    if abs(total - schedule.summary.cost) > 0.01 * max(1, len(schedule.routes)):
        out.append(violation("summary", None, f"summary cost {schedule.summary.cost:.2f}, routes add up to {total:.2f}"))
    unassigned = Counter((u.street, u.side) for u in schedule.unassigned)
    for street in streets:
        for side in _sides(street):
            need = street.passes_per_side * street.sweeps_per_day
            got = served[(street.id, side)] + unassigned[(street.id, side)]
            if served[(street.id, side)] > need or got < need:
                out.append(violation("coverage", f"street {street.id} {side}", f"{need} pass(es) required, "
                           f"{served[(street.id, side)]} swept, "
                           f"{unassigned[(street.id, side)]} listed unassigned"))
    return out


def _serve_arc(st: Step, index: dict[str, int], network: StreetNetwork) -> Arc | None:
    """The arc a serve step sweeps, from its street and end nodes (None for other steps)."""
    k = index.get(st.street or "") if st.type == "serve" else None
    if k is None:
        return None
    link = network.links[k]
    return (k, _way(st, link.u, link.v) == "fwd")


def _way(st: Step, u: int, v: int) -> str | None:
    """'fwd' (along the link), 'bwd', or None when the step's ends are not the link's.

    A street that is a loop (both ends one node) tells its direction only by
    the step's ``forward`` flag.
    """
    ends = (st.from_node, st.to_node)
    if u == v and ends == (u, v) and st.forward is not None:
        return "fwd" if st.forward else "bwd"
    if ends == (u, v):
        return "fwd" if st.forward is not False else None
    return "bwd" if ends == (v, u) and st.forward is not True else None


def _repeat_gaps(streets: Sequence[Street], schedule: Schedule) -> list[Violation]:
    """Sweeps of the same curb pass at least ``min_hours_between`` apart (end to start)."""
    gap = {s.id: s.min_hours_between * 3600 for s in streets if s.min_hours_between}
    times: dict[tuple[str, str, str], list[tuple[int, int]]] = {}
    for route in schedule.routes:
        for st in route.steps:
            if st.type == "serve" and st.street in gap and st.task:
                pass_tag = next((p for p in st.task.split("/") if p.startswith("p")), "")
                times.setdefault((st.street, st.side or "", pass_tag), []).append(
                    (st.start, st.end))
    out: list[Violation] = []
    for (street, side, _), spans in times.items():
        spans.sort()
        for (_, end), (start, _) in zip(spans, spans[1:]):
            if start < end + gap[street] - TOL_S:
                out.append(violation("repeat-gap", f"street {street} {side}", f"swept again {(start - end) / 3600:.2f} h "
                           f"after the sweep before, {gap[street] / 3600:g} h required"))
    return out
