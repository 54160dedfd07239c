"""Independent checker for sweeping schedules.

It re-reads nothing from the planner: required work comes from the street
attributes (sides x passes x sweeps per street), positions from the network
built from the streets, distances from the links a step says it drove, loads
and times from the fleet's rates. Every figure the schedule states (a step's
metres, seconds and litres, a route's metres and cost, each summary number) is
recomputed and compared, and a reason for unassigned work is verified where it
states a fact (no type fits, no vehicle of the type, a window too short, a
street off the depots' part of the network). A schedule passes when the
returned list is empty.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import connected_components

from streetcrew.models.fleet import Fleet, Vehicle, VehicleType
from streetcrew.models.network import (
    StreetNetwork,
    build_network,
    end_headings,
    link_coords,
    turn_kind,
)
from streetcrew.models.schedule import Route, Schedule, Step, Violation, violation
from streetcrew.models.streets import Street, TimeWindow, haversine_m
from streetcrew.solver.graph.numbers import unsound_numbers

TOL_M = 1.0  # metres: a stated length may differ from the links' by float noise
TOL_S = 2  # clock times are rounded to seconds
TOL_L = 1.0  # litres of debris or water
TOL_KM = 0.001  # summary kilometres are rounded to 3 decimals
TOL_PCT = 0.01  # summary percentages are rounded to 2 decimals
# How far a depot or facility may lie from the node its steps are at: the plan's default
# snapping limit (PlanParams.max_snap_m), or the distance the plan recorded if larger.
SNAP_M = 500.0
TASK_ID = re.compile(r"^(?P<street>.+)/(?P<side>right|left|centre)/p(?P<p>\d+)/s(?P<s>\d+)$")
UNREACHABLE = "cannot be driven to and back from the depots"


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


@dataclass(frozen=True)
class _Pass:
    """One curb pass the streets ask for, as the checker derives it from the rules."""

    street: int  # index into the streets (and the network's links)
    side: str
    pass_no: int  # 1-based
    sweep: int  # 1-based
    window: TimeWindow | None  # the sweep's window (the last one repeats)
    # why no plan can sweep it: "no-type", "no-vehicle", "window"; None when one may
    cannot: str | None


def _passes(streets: Sequence[Street], network: StreetNetwork, fleet: Fleet
            ) -> dict[str, _Pass]:
    """Every pass by its task id ``<street>/<side>/p<pass>/s<sweep>``."""
    out: dict[str, _Pass] = {}
    owned = {v.type for v in fleet.vehicles}
    for k, street in enumerate(streets):
        fits = [t for t in fleet.vehicle_types if street.road_class in t.road_classes
                and (street.allowed_types is None or t.id in street.allowed_types)]
        present = [t for t in fits if t.id in owned]
        fastest = max((t.sweep_kmh for t in present), default=0.0)
        windows: list[TimeWindow | None] = list(street.windows) or [None]
        for side in _sides(street):
            for s in range(1, street.sweeps_per_day + 1):
                window = windows[min(s, len(windows)) - 1]
                cannot = None
                if not fits:
                    cannot = "no-type"
                elif not present:
                    cannot = "no-vehicle"
                elif window is not None and (window.end - window.start) * fastest / 3.6 \
                        < network.links[k].length_m:
                    cannot = "window"
                for p in range(1, street.passes_per_side + 1):
                    out[f"{street.id}/{side}/p{p}/s{s}"] = _Pass(k, side, p, s, window, cannot)
    return out


def _depot_part(network: StreetNetwork, starts: set[int]) -> np.ndarray:
    """Mask of the nodes that can be driven to and back from a depot.

    That is the strongly connected component holding the depot's node. Depots are snapped
    onto the largest one (README "Sweeping tasks"; a depot beside a one-way spur would
    otherwise strand its vehicles), so: the largest component, and the components of the
    nodes the routes really start from (checked to be at their depot).
    """
    n = len(network.nodes)
    if not network.links:
        return np.zeros(n, dtype=bool)
    rows = [lk.u for lk in network.links] + [lk.v for lk in network.links if not lk.oneway]
    cols = [lk.v for lk in network.links] + [lk.u for lk in network.links if not lk.oneway]
    graph = csr_array((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    _, labels = connected_components(graph, directed=True, connection="strong")
    keep = {int(np.bincount(labels).argmax())} | {int(labels[s]) for s in starts if 0 <= s < n}
    return np.isin(labels, sorted(keep))


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
        """Least turn seconds over the arcs a node path may use, from ``before`` to ``after``.

        The path's links are checked first (:meth:`metres`); on a path with a missing link
        this counts no turns.
        """
        options: list[list[Arc]] = [[before]] if before is not None else []
        options += [self.between.get((x, y), []) for x, y in zip(path, path[1:])]
        options += [[after]] if after is not None else []
        best: dict[Arc, float] = {a: 0.0 for a in options[0]} if options else {}
        for nxt in options[1:]:
            best = {b: min(c + self.seconds(a, b) for a, c in best.items()) for b in nxt}
            if not best:
                return 0.0
        return min(best.values(), default=0.0)

    def metres(self, path: Sequence[int]) -> tuple[float, float] | tuple[int, int]:
        """(least, most) metres of the links of a node path (parallel links differ), or the
        first node pair with no link in that direction."""
        lo = hi = 0.0
        for x, y in zip(path, path[1:]):
            arcs = self.between.get((x, y))
            if not arcs:
                return (x, y)
            lengths = [self.network.links[k].length_m for k, _ in arcs]
            lo, hi = lo + min(lengths), hi + max(lengths)
        return (lo, hi)


@dataclass
class _Context:
    """What every route is checked against."""

    streets: Sequence[Street]
    network: StreetNetwork
    fleet: Fleet
    schedule: Schedule
    index: dict[str, int]
    passes: dict[str, _Pass]
    turns: _Turns
    served: Counter[str] = field(default_factory=Counter)  # task id -> times swept


@dataclass
class _Figures:
    """A route's figures as the checker recomputes them."""

    served_m: float = 0.0
    deadhead_m: float = 0.0
    cost: float = 0.0
    overtime_s: int = 0


def check_schedule(
    streets: Sequence[Street], fleet: Fleet, schedule: Schedule
) -> list[Violation]:
    out: list[Violation] = unsound_numbers(schedule)
    network = build_network(streets)
    ctx = _Context(streets, network, fleet, schedule, {s.id: k for k, s in enumerate(streets)},
                   _passes(streets, network, fleet), _Turns(streets, network, fleet))
    vehicles = {(v.id, sum(w.id == v.id for w in fleet.vehicles[:k])): v  # (id, shift)
                for k, v in enumerate(fleet.vehicles)}
    figures: list[_Figures] = []
    seen: set[tuple[str, int]] = set()
    for route in schedule.routes:
        where = f"vehicle {route.vehicle}"
        veh = vehicles.get((route.vehicle, route.shift)) if route.vehicle is not None else None
        if veh is None:
            out.append(violation("fleet", where, "not in the fleet"))
            continue
        if (veh.id, route.shift) in seen:
            out.append(violation("fleet", where, f"shift {route.shift} has two routes"))
        seen.add((veh.id, route.shift))
        got = _check_route(ctx, route, veh, where, out)
        if got is not None:
            figures.append(got)
    out += _repeat_gaps(streets, schedule)
    starts = {r.steps[0].from_node for r in schedule.routes
              if r.steps and r.steps[0].from_node is not None}
    out += _check_work(ctx, _depot_part(network, starts))
    out += _check_summary(ctx, figures)
    return out


def _check_route(ctx: _Context, route: Route, veh: Vehicle, where: str,
                 out: list[Violation]) -> _Figures | None:
    """Append what is wrong with one vehicle's route; its recomputed figures, or None when
    its structure is too broken to recompute them."""
    fleet, streets, network = ctx.fleet, ctx.streets, ctx.network
    vt = fleet.vehicle_type(veh.type)
    if route.vehicle_type != vt.id or route.depot != veh.depot:
        out.append(violation("fleet", where, f"states type {route.vehicle_type} at "
                   f"{route.depot}, the fleet has {vt.id} at {veh.depot}"))
    moving = [s for s in route.steps if s.type != "break"]
    replan = ctx.schedule.replan
    stopped = replan.broken.get(f"{route.vehicle}#{route.shift}") if replan else None
    last = "breakdown" if stopped is not None else "end"
    if not moving or moving[0].type != "start" or moving[-1].type != last:
        out.append(violation("structure", where, f"must begin with start and finish with {last}"
                             + (" (it broke down)" if stopped is not None else "")))
        return None
    if any(s.type == "breakdown" for s in moving[:-1]):
        out.append(violation("structure", where, "goes on after its breakdown"))
    if stopped is not None:
        if moving[-1].start != stopped:
            out.append(violation("structure", where, f"broke down at {moving[-1].start} s, the "
                                 f"re-plan says {stopped} s"))
    else:
        _check_depot(ctx, veh, moving[0], moving[-1], where, out)
    if moving[0].start < veh.shift_start - TOL_S or moving[-1].end > veh.latest_end + TOL_S:
        out.append(violation("shift", where, f"works {moving[0].start}-{moving[-1].end} s outside its shift "
                   f"{veh.shift_start}-{veh.shift_end} s"
                   + (f" (+{veh.overtime_min:g} min overtime)" if veh.overtime_min else "")))
    over = max(0, moving[-1].end - veh.shift_end)
    if abs(over - route.overtime_s) > TOL_S:
        out.append(violation("overtime", where, f"{route.overtime_s} s overtime claimed, it ends {over} s "
                   f"after its shift"))
    for st in route.steps:
        if st.end < st.start:
            out.append(violation("timing", where, f"{st.type} step ends at {st.end} s, before it "
                       f"starts ({st.start} s)"))
        elif st.type in ("start", "end", "breakdown") and st.end - st.start > TOL_S:
            out.append(violation("timing", where, f"{st.type} lasts {st.end - st.start} s; it is "
                       "a moment"))
        if st.type not in ("serve", "deadhead") and st.distance_m > TOL_M:
            out.append(violation("distance", where, f"{st.type} step at {st.start} s claims "
                       f"{st.distance_m:.0f} m; only sweeping and deadheads drive"))
    for a, b in zip(route.steps, route.steps[1:]):  # breaks too: no rest while driving
        if b.start < a.end - TOL_S:
            out.append(violation("timing", where, f"step {b.type} at {b.start} s starts before {a.type} ends"))
        if a.to_node != b.from_node:
            out.append(violation("path", where, f"jumps from node {a.to_node} to {b.from_node}"))
    _check_breaks(route, veh, moving, where, out)
    hopper = water = 0.0
    served_m = deadhead_m = 0.0
    arc: Arc | None = None  # the arc just swept (a break keeps it: the vehicle stands still)
    steps = route.steps
    for i, st in enumerate(steps):
        if st.type == "serve" and arc is not None and (this := _serve_arc(st, ctx.index, network)):
            if ctx.turns.seconds(arc, this) > TOL_S:
                out.append(violation("turn", where, f"the turn into {st.street} at {st.start} s is not timed"))
        if st.type == "deadhead":
            nxt = next((s for s in steps[i + 1:] if s.type != "break"), None)
            after = _serve_arc(nxt, ctx.index, network) if nxt is not None else None
            deadhead_m += st.distance_m
            _check_deadhead(ctx, vt, st, arc, after, where, out)
            arc = None
        elif st.type in ("dump", "refill"):
            _check_facility(ctx, st, where, out)
            arc = None  # turned round in the yard
            if st.type == "dump":
                hopper = 0.0
            else:
                water = 0.0
        elif st.type == "start":
            arc = None
        elif st.type == "serve":
            arc = _serve_arc(st, ctx.index, network)
            k = ctx.index.get(st.street or "")
            if k is None or st.side is None:
                out.append(violation("coverage", where, f"serves unknown street {st.street!r}"))
                continue
            street, link = streets[k], network.links[k]
            served_m += link.length_m
            _check_serve(ctx, vt, st, street, where, out)
            hopper += link.length_m / 1000 * vt.debris_per_km(street.road_class) * 1000
            water += link.length_m / 1000 * vt.water_l_per_km
            if hopper > vt.hopper_m3 * 1000 + TOL_L:
                out.append(violation("capacity", where, f"hopper overfull at {street.id} ({hopper:.0f} l)"))
            if water > vt.water_l + TOL_L:
                out.append(violation("capacity", where, f"water tank empty at {street.id} ({water:.0f} l used)"))
        # the levels after the step: debris in the hopper since the last dump, water used
        # since the last refill
        if not (abs(st.load - hopper) <= TOL_L and abs(st.water - water) <= TOL_L):
            out.append(violation("load", where, f"{st.type} step at {st.start} s states "
                       f"{st.load:.0f} l in the hopper and {st.water:.0f} l of water used; the "
                       f"sweeping since the last dump and refill gives {hopper:.0f} l and "
                       f"{water:.0f} l"))
    hours = (moving[-1].end - moving[0].start) / 3600
    cost = (vt.cost_per_km * (served_m + deadhead_m) / 1000 + vt.cost_per_hour * hours
            + vt.overtime_cost_per_hour * over / 3600)
    if not math.isfinite(cost):
        out.append(violation("cost", where, f"the fleet's rates give a cost of {cost} (type "
                   f"{vt.id}: {vt.cost_per_km:g} per km, {vt.cost_per_hour:g} per hour)"))
    elif abs(cost - route.cost) > 0.01 + 1e-6 * cost:
        out.append(violation("cost", where, f"cost {route.cost:.2f} claimed, the fleet's rates give {cost:.2f}"))
    if abs(route.served_m - served_m) > TOL_M:
        out.append(violation("route", where, f"served_m {route.served_m:.0f} claimed, its "
                   f"sweeps are {served_m:.0f} m of street"))
    if abs(route.deadhead_m - deadhead_m) > TOL_M:
        out.append(violation("route", where, f"deadhead_m {route.deadhead_m:.0f} claimed, its "
                   f"deadheads drive {deadhead_m:.0f} m"))
    return _Figures(served_m, deadhead_m, cost, over)


def _near(ctx: _Context, node: int | None, at: tuple[float, float], key: str) -> bool:
    """Whether a step's node is where the depot or facility ``key`` was snapped to."""
    if node is None or not 0 <= node < len(ctx.network.nodes):
        return False
    limit = max(SNAP_M, ctx.schedule.snap_m.get(key, 0.0)) + TOL_M
    return haversine_m(ctx.network.nodes[node], at) <= limit


def _check_depot(ctx: _Context, veh: Vehicle, start: Step, end: Step, where: str,
                 out: list[Violation]) -> None:
    depot = next(d for d in ctx.fleet.depots if d.id == veh.depot)
    if start.from_node != end.to_node or not _near(
            ctx, start.from_node, (depot.at.lon, depot.at.lat), f"depot:{depot.id}"):
        out.append(violation("depot", where, f"starts at node {start.from_node} and ends at "
                   f"{end.to_node}: both must be its depot {depot.id}'s node"))


def _check_breaks(route: Route, veh: Vehicle, moving: list[Step], where: str,
                  out: list[Violation]) -> None:
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


def _check_deadhead(ctx: _Context, vt: VehicleType, st: Step, before: Arc | None,
                    after: Arc | None, where: str, out: list[Violation]) -> None:
    """Its node path drives real links in their direction, as many metres as it says, in
    no less time than those metres at the travel speed plus the least turns."""
    src, dst = st.from_node, st.to_node
    if src is None or dst is None or not st.path:
        out.append(violation("path", where, f"deadhead at {st.start} s without its end nodes "
                   "and node path"))
        return
    if st.path[0] != src or st.path[-1] != dst:
        out.append(violation("path", where, f"deadhead {src}->{dst} at {st.start} s: its path "
                   f"runs {st.path[0]}->{st.path[-1]}"))
        return
    span = ctx.turns.metres(st.path)
    if isinstance(span[0], int):
        out.append(violation("path", where, f"deadhead {src}->{dst} at {st.start} s jumps from "
                   f"node {span[0]} to {span[1]}: no street runs that way between them"))
        return
    lo, hi = span
    if not lo - TOL_M <= st.distance_m <= hi + TOL_M:
        out.append(violation("deadhead", where, f"deadhead {src}->{dst} at {st.start} s claims "
                   f"{st.distance_m:.0f} m, its path's streets are {lo:.0f} m"))
    need = lo / (vt.travel_kmh / 3.6) + ctx.turns.least(before, st.path, after)
    if st.end - st.start < need - TOL_S:
        out.append(violation("timing", where, f"deadhead at {st.start} s takes {st.end - st.start} s, "
                   f"driving and turns need {need:.0f} s"))


def _check_serve(ctx: _Context, vt: VehicleType, st: Step, street: Street, where: str,
                 out: list[Violation]) -> None:
    """The task it names is this street and side, swept on the street's link in an allowed
    direction, by a type that may, within the sweep's window, at no more than sweep speed."""
    side = st.side or ""
    link = ctx.network.links[ctx.index[street.id]]
    m = TASK_ID.match(st.task or "")
    task = ctx.passes.get(st.task or "")
    if m is None or m["street"] != street.id or m["side"] != side or task is None:
        out.append(violation("task", where, f"step at {st.start} s sweeps {street.id} {side} "
                   f"but names task {st.task!r}"))
    else:
        ctx.served[st.task or ""] += 1
    if street.road_class not in vt.road_classes or (
        street.allowed_types is not None and vt.id not in street.allowed_types
    ):
        out.append(violation("vehicle-type", where, f"type {vt.id} may not sweep {street.id}"))
    way = _way(st, link.u, link.v)
    if way is None:
        out.append(violation("serve", where, f"{street.id} swept {st.from_node}->{st.to_node}, "
                   f"its link runs {link.u}->{link.v}"))
    else:
        if way not in _allowed(street, side):
            out.append(violation("direction", where, f"{street.id} {side} curb swept against "
                       "traffic"))
        if st.forward is not None and st.forward != (way == "fwd"):
            out.append(violation("serve", where, f"{street.id} swept {st.from_node}->"
                       f"{st.to_node} but marked {'along' if st.forward else 'against'} its "
                       "link"))
    windows = [task.window] if task is not None and task.window is not None else list(
        street.windows)
    if windows and not any(w.start - TOL_S <= st.start and st.end <= w.end + TOL_S
                           for w in windows):
        out.append(violation("window", where, f"{street.id} swept {st.start}-{st.end} s outside its "
                   f"window(s)"))
    if abs(st.distance_m - link.length_m) > TOL_M:
        out.append(violation("serve", where, f"{street.id} swept as {st.distance_m:.0f} m, the "
                   f"street is {link.length_m:.0f} m"))
    need = link.length_m / (vt.sweep_kmh / 3.6)
    if st.end - st.start < need - TOL_S:
        out.append(violation("timing", where, f"{street.id} ({link.length_m:.0f} m) swept in "
                   f"{st.end - st.start} s, at {vt.sweep_kmh:g} km/h it takes {need:.0f} s"))


def _check_facility(ctx: _Context, st: Step, where: str, out: list[Violation]) -> None:
    """A dump or refill at a facility of that kind, at its node, open, for its service time."""
    kind = "dump" if st.type == "dump" else "water"
    fac = next((f for f in ctx.fleet.facilities if f.id == st.facility), None)
    if fac is None or fac.kind not in (kind, "both"):
        out.append(violation("facility", where, f"{st.type} at {st.start} s at {st.facility!r}, "
                   f"not a {'dump site' if kind == 'dump' else 'water point'} of the fleet"))
        return
    if st.from_node != st.to_node or not _near(ctx, st.from_node, (fac.at.lon, fac.at.lat),
                                                f"facility:{fac.id}"):
        out.append(violation("facility", where, f"{st.type} at {st.start} s at node "
                   f"{st.from_node}, not at {fac.id}"))
    if st.start < fac.opens - TOL_S or st.end > fac.closes + TOL_S:
        out.append(violation("facility", where, f"{st.type} at {fac.id} {st.start}-{st.end} s, "
                   f"open {fac.opens}-{fac.closes} s"))
    if st.end - st.start < fac.service_min * 60 - TOL_S:
        out.append(violation("timing", where, f"{st.type} at {fac.id} takes {st.end - st.start} "
                   f"s, its service is {fac.service_min:g} min"))


def _check_work(ctx: _Context, reachable: np.ndarray) -> list[Violation]:
    """Each pass the streets ask for is swept once or listed unassigned once, and a reason
    that states a fact about the inputs is true."""
    out: list[Violation] = []
    listed: Counter[str] = Counter()
    for u in ctx.schedule.unassigned:
        where = f"unassigned {u.task}"
        task = ctx.passes.get(u.task)
        m = TASK_ID.match(u.task)
        if task is None or m is None or m["street"] != u.street or m["side"] != u.side:
            out.append(violation("unassigned", where, f"not a pass the streets ask for on "
                       f"{u.street} {u.side}"))
            continue
        listed[u.task] += 1
        if ctx.served[u.task]:
            out.append(violation("unassigned", where, "listed unassigned but swept"))
        why = _false_reason(u.reason, ctx.streets[task.street], task,
                            bool(reachable[ctx.network.links[task.street].u]
                                 and reachable[ctx.network.links[task.street].v]))
        if why:
            out.append(violation("reason", where, f"{u.reason!r}, but {why}"))
    per_curb: dict[tuple[str, str], list[str]] = {}
    for tid, task in ctx.passes.items():
        swept, out_listed = ctx.served[tid], listed[tid]
        if swept + out_listed != 1:
            per_curb.setdefault((ctx.streets[task.street].id, task.side), []).append(
                f"p{task.pass_no}/s{task.sweep} swept {swept}x, listed unassigned "
                f"{out_listed}x")
    for (sid, side), wrong in per_curb.items():
        street = ctx.streets[ctx.index[sid]]
        need = street.passes_per_side * street.sweeps_per_day
        out.append(violation("coverage", f"street {sid} {side}", f"{need} pass(es) required, each "
                   f"swept or listed unassigned once: {'; '.join(wrong)}"))
    return out


def _false_reason(reason: str, street: Street, task: _Pass, reachable: bool) -> str | None:
    """What makes a reason that states a fact about the inputs false, or None.

    Reasons about the search (a shift or window missed once trips were driven, a repeat
    sweep too soon) state no such fact and pass."""
    if reason.startswith(UNREACHABLE) and reachable:
        return f"{street.id} lies in the part of the network driven to and back from the depots"
    if reason.startswith("no vehicle type may sweep"):
        if task.cannot != "no-type":
            return f"a vehicle type of the fleet may sweep {street.id}"
        if f"a {street.road_class} street" not in reason:
            return f"{street.id} is a {street.road_class} street"
    if reason.startswith("no vehicle of type ") and task.cannot != "no-vehicle":
        return f"{street.id} may be swept by a type the fleet has vehicles of"
    if reason.startswith("window ") and task.cannot != "window":
        return "the window is long enough for the sweep at the fastest type that may do it"
    return None


def _check_summary(ctx: _Context, figures: list[_Figures]) -> list[Violation]:
    """Every summary number against the routes and streets."""
    schedule, s = ctx.schedule, ctx.schedule.summary
    out: list[Violation] = []
    served = sum(f.served_m for f in figures)
    dead = sum(f.deadhead_m for f in figures)
    needed = sum(ctx.network.links[p.street].length_m for p in ctx.passes.values()
                 if p.cannot is None)
    routes = sum(1 for r in schedule.routes if any(st.type == "serve" for st in r.steps))

    def differs(name: str, claimed: float, actual: float, tol: float, unit: str) -> None:
        if not abs(claimed - actual) <= tol:  # also true for nan
            out.append(violation("summary", None, f"summary {name} {claimed:g}{unit}, the "
                       f"routes give {actual:.4g}{unit}"))

    differs("routes_used", s.routes_used, routes, 0, "")
    differs("served_km", s.served_km, served / 1000, TOL_KM, " km")
    differs("deadhead_km", s.deadhead_km, dead / 1000, TOL_KM, " km")
    differs("deadhead_pct", s.deadhead_pct,
            100 * dead / (served + dead) if served + dead else 0.0, TOL_PCT, " %")
    differs("coverage_pct", s.coverage_pct, 100 * served / needed if needed else 100.0,
            TOL_PCT, " %")
    differs("unassigned", s.unassigned, len(schedule.unassigned), 0, "")
    if abs(sum(f.overtime_s for f in figures) - s.overtime_s) > TOL_S * max(1, len(figures)):
        out.append(violation("summary", None, f"summary overtime {s.overtime_s} s, the routes work "
                   f"{sum(f.overtime_s for f in figures)} s past their shifts"))
    stated = sum(r.cost for r in schedule.routes)
    cost = sum(f.cost for f in figures)
    tol = 0.01 * max(1, len(schedule.routes))
    if not (abs(stated - s.cost) <= tol and abs(cost - s.cost) <= tol + 1e-6 * cost):
        out.append(violation("summary", None, f"summary cost {s.cost:.2f}, routes add up to "
                   f"{stated:.2f} (the fleet's rates give {cost:.2f})"))
    bound = s.driven_km_lower_bound
    if bound is not None and bound > (served + dead) / 1000 + TOL_KM:
        out.append(violation("summary", None, f"lower bound {bound:g} km on the km driven, the "
                   f"routes drive {(served + dead) / 1000:.3f} km"))
    if (schedule.status == "solved" and schedule.unassigned) or (
            schedule.status == "no-work" and routes):
        out.append(violation("summary", None, f"status {schedule.status} with {routes} "
                   f"route(s) and {len(schedule.unassigned)} unassigned"))
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
    the step's ``forward`` flag; elsewhere the nodes tell it (a ``forward`` flag
    that contradicts them is reported by the serve check).
    """
    ends = (st.from_node, st.to_node)
    if u == v and ends == (u, v):
        return None if st.forward is None else "fwd" if st.forward else "bwd"
    return "fwd" if ends == (u, v) else "bwd" if ends == (v, u) else None


def _repeat_gaps(streets: Sequence[Street], schedule: Schedule) -> list[Violation]:
    """Sweeps of the same curb pass at least ``min_hours_between`` apart (end to start)."""
    gap = {s.id: s.min_hours_between * 3600 for s in streets if s.min_hours_between}
    times: dict[tuple[str, str, str], list[tuple[int, int]]] = {}
    for route in schedule.routes:
        for st in route.steps:
            m = TASK_ID.match(st.task or "") if st.type == "serve" else None
            if m is not None and st.street in gap:
                times.setdefault((st.street, st.side or "", m["p"]), []).append(
                    (st.start, st.end))
    out: list[Violation] = []
    for (street, side, _), spans in times.items():
        spans.sort()
        for (_, end), (start, _) in zip(spans, spans[1:]):
            if start < end + gap[street] - TOL_S:
                out.append(violation("repeat-gap", f"street {street} {side}", f"swept again {(start - end) / 3600:.2f} h "
                           f"after the sweep before, {gap[street] / 3600:g} h required"))
    return out
