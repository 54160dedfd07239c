"""Whole-city plans by districts, solved in parallel.

One OR-Tools model over tens of thousands of curb passes does not fit in
memory or time, and a sweeper never crosses the city anyway. So:

1. Each street gets the vehicle type that will sweep it: the only type that
   may, or, for streets several types may sweep, the largest type (by
   hopper) that still has capacity left, main roads first. Capacity is the
   fleet's sweeping km in its shifts times :data:`FILL`.
2. A street goes to the nearest depot (by driving) that has vehicles of its
   type; each depot's streets of a type are cut into districts by recursive
   coordinate bisection (balanced by number of tasks, at most
   ``district_tasks`` each, and no more districts than vehicles). Measured on
   Campo Grande: districts of 1,500 passes left OR-Tools' first insertion
   unfinished at 20 s (a third of the vehicles empty, a third of the work
   unassigned); districts of 500 are swept whole in 8 s.
3. The depot's vehicles of the type are shared out over its districts in
   proportion to their length of work (at least one each).
4. Each district is planned on its own street set (its streets plus every
   street within :data:`MARGIN_M` of them, its depot, its nearest dump and
   water point and any other facility in that box; the others drive-only) by the planner it is given (:func:`streetcrew.solver.sweep.plan.plan_district`),
   on all cores, and the routes are put back on the whole network's nodes.

Work a district cannot fit is unassigned with the district's reason.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass

import numpy as np

from streetcrew.models.base import InputError
from streetcrew.models.carp import Link
from streetcrew.models.fleet import Facility, Fleet, Point, Vehicle
from streetcrew.models.io.districts import DistrictArea
from streetcrew.models.network import StreetNetwork
from streetcrew.models.schedule import Route, Schedule, Unassigned
from streetcrew.models.streets import ROAD_CLASSES, Street
from streetcrew.solver.graph import stop
from streetcrew.solver.graph.network import main_component
from streetcrew.solver.graph.paths import link_matrix
from streetcrew.solver.sweep.params import PlanParams, district_size
from streetcrew.solver.sweep.tasks import SweepTask

FILL = 0.6  # share of a shift spent sweeping (the rest drives, dumps, refills, rests)
# its streets, fleet, seconds, the plan's parameters and its streets' city end nodes
DistrictJob = tuple[list[Street], Fleet, float, PlanParams, np.ndarray]
MARGIN_M = 1000.0  # streets this close to a district are driven through by its model


@dataclass
class District:
    type_id: str
    depot: str
    streets: list[int]  # indices of the streets it sweeps
    vehicles: list[Vehicle]


OUTSIDE = "outside every district of the bureau's district file (--districts): not its work"


def inside_rings(points: np.ndarray, rings: Sequence[Sequence[tuple[float, float]]]
                 ) -> np.ndarray:
    """Which (lon, lat) points lie inside the rings (even-odd: holes cut out)."""
    hit = np.zeros(len(points), dtype=bool)
    x, y = points[:, 0][:, None], points[:, 1][:, None]
    for ring in rings:
        r = np.asarray(ring, dtype=float)
        x0, y0, x1, y1 = r[:-1, 0], r[:-1, 1], r[1:, 0], r[1:, 1]
        crosses = (y0 > y) != (y1 > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            at = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
        hit ^= (np.count_nonzero(crosses & (x < at), axis=1) % 2).astype(bool)
    return hit


def assign_districts(streets: Sequence[Street], fleet: Fleet, areas: Sequence[DistrictArea],
                     file: str) -> tuple[list[Street], Fleet, list[str]]:
    """Streets and depots with the district whose polygon holds them (a street by its
    middle point; one on a border, within :data:`BORDER_M` of an edge, goes to the nearest),
    and the ids of the streets in none. Polygons of two districts that share a street are an
    error naming both features."""
    mids = np.array([s.coords[len(s.coords) // 2] for s in streets], dtype=float)
    yards = np.array([(d.at.lon, d.at.lat) for d in fleet.depots], dtype=float)
    where = np.array([inside_rings(mids, a.rings) for a in areas])  # area x street
    for k in np.flatnonzero(where.sum(axis=0) > 1):
        owners = [a for a, w in zip(areas, where[:, k]) if w]
        other = next((b for b in owners[1:] if b.name != owners[0].name), None)
        if other is not None:
            raise InputError(file, f"features {owners[0].feature} and {other.feature}",
                             "geometry", f"districts {owners[0].name} and {other.name} overlap: "
                             f"street {streets[int(k)].id} lies in both")
    first = np.where(where.any(axis=0), where.argmax(axis=0), -1)
    lost = np.flatnonzero(first < 0)
    if len(lost):  # a street along a border (its middle on the line): the nearest district
        near = np.array([_metres_to_rings(mids[lost], a.rings) for a in areas])
        best = near.argmin(axis=0)
        first[lost] = np.where(near.min(axis=0) <= BORDER_M, best, -1)
    out = [s.model_copy(update={"district": areas[j].name if j >= 0 else None})
           for s, j in zip(streets, first)]
    depot_in = np.array([inside_rings(yards, a.rings) for a in areas])
    depots = tuple(d.model_copy(update={"district": areas[int(depot_in[:, i].argmax())].name
                                        if depot_in[:, i].any() else None})
                   for i, d in enumerate(fleet.depots))
    outside = [s.id for s, j in zip(streets, first) if j < 0]
    return out, fleet.model_copy(update={"depots": depots}), outside


BORDER_M = 30.0  # a street whose middle is this close to a district's edge belongs to it


def _metres_to_rings(points: np.ndarray, rings: Sequence[Sequence[tuple[float, float]]]
                     ) -> np.ndarray:
    """Metres from each (lon, lat) point to the nearest edge of the rings."""
    scale = np.array([111_320 * math.cos(math.radians(float(points[:, 1].mean()))), 110_574])
    p = (points * scale)[:, None, :]
    best = np.full(len(points), np.inf)
    for ring in rings:
        r = np.asarray(ring, dtype=float) * scale
        a, b = r[:-1][None, :, :], r[1:][None, :, :]
        ab = b - a
        t = np.clip(((p - a) * ab).sum(axis=2) / np.maximum((ab * ab).sum(axis=2), 1e-9), 0, 1)
        d = np.linalg.norm(p - (a + t[..., None] * ab), axis=2).min(axis=1)
        best = np.minimum(best, d)
    return best


def _metres_xy(points: np.ndarray) -> np.ndarray:
    """Lon/lat to local metres (equirectangular), for bisection and distances."""
    lat0 = math.radians(float(points[:, 1].mean()))
    return np.column_stack([points[:, 0] * 111_320 * math.cos(lat0), points[:, 1] * 110_574])


def natural_types(streets: Sequence[Street], tasks: Sequence[SweepTask],
                  fleet: Fleet) -> dict[int, str]:
    """The vehicle type that sweeps each street (index) with work."""
    capacity: dict[str, float] = {t.id: 0.0 for t in fleet.vehicle_types}
    for v in fleet.vehicles:
        vt = fleet.vehicle_type(v.type)
        rest = sum(b.minutes for b in v.breaks) * 60
        capacity[vt.id] += (v.shift_end - v.shift_start - rest) / 3600 * vt.sweep_kmh * 1000 * FILL
    length: dict[int, float] = {}
    types: dict[int, frozenset[str]] = {}
    for t in tasks:
        length[t.street] = length.get(t.street, 0.0) + t.length_m
        types[t.street] = t.types
    out: dict[int, str] = {}
    for k, ts in types.items():
        if len(ts) == 1:
            out[k] = next(iter(ts))
            capacity[out[k]] -= length[k]
    size = {t.id: t.hopper_m3 for t in fleet.vehicle_types}
    shared = sorted((k for k in types if k not in out),
                    key=lambda k: (ROAD_CLASSES.index(streets[k].road_class), k))
    for k in shared:
        fits = sorted(types[k], key=lambda t: (-size[t], t))
        roomy = [t for t in fits if capacity[t] >= length[k]]
        out[k] = roomy[0] if roomy else max(fits, key=lambda t: capacity[t])
        capacity[out[k]] -= length[k]
    return out


def _bisect(items: list[int], xy: np.ndarray, weight: np.ndarray, parts: int) -> list[list[int]]:
    """Cut ``items`` into ``parts`` compact groups of about equal weight."""
    if parts <= 1 or len(items) <= 1:
        return [items]
    pts = xy[items]
    axis = int(np.argmax(pts.max(axis=0) - pts.min(axis=0)))
    order = [items[i] for i in np.argsort(pts[:, axis], kind="stable")]
    left_parts = parts // 2
    cum = np.cumsum(weight[order])
    cut = int(np.searchsorted(cum, cum[-1] * left_parts / parts)) + 1
    cut = min(max(cut, 1), len(order) - 1)
    return (_bisect(order[:cut], xy, weight, left_parts)
            + _bisect(order[cut:], xy, weight, parts - left_parts))


def make_districts(
    streets: Sequence[Street], network: StreetNetwork, tasks: Sequence[SweepTask],
    fleet: Fleet, snapped: dict[str, tuple[int, float]], district_tasks: int,
) -> list[District]:
    natural = natural_types(streets, tasks, fleet)
    count = np.zeros(len(streets))
    metres = np.zeros(len(streets))
    for t in tasks:
        count[t.street] += 1
        metres[t.street] += t.length_m
    mid = np.array([s.coords[len(s.coords) // 2] for s in streets])
    xy = _metres_xy(mid)
    # driving metres from each depot to every node
    graph = link_matrix(len(network.nodes), [
        Link(u=lk.u, v=lk.v, cost=max(1, round(lk.length_m)), oneway=lk.oneway)
        for lk in network.links])
    from scipy.sparse.csgraph import dijkstra

    depot_ids = [d.id for d in fleet.depots]
    depots_district = [d.district for d in fleet.depots]
    from_depot = dijkstra(graph, directed=True,
                          indices=[snapped[f"depot:{d}"][0] for d in depot_ids])
    units: dict[str, list[Vehicle]] = {}  # a vehicle id with all its shifts
    for v in fleet.vehicles:
        units.setdefault(v.id, []).append(v)
    districts: list[District] = []
    for vt in fleet.vehicle_types:
        mine = [k for k, t in natural.items() if t == vt.id]
        homes = [i for i, d in enumerate(depot_ids)
                 if any(u[0].type == vt.id and u[0].depot == d for u in units.values())]
        if not mine or not homes:
            continue
        home_of = {k: _home(k, homes, streets, depots_district, from_depot, network)
                   for k in mine}
        for i in homes:
            depot = depot_ids[i]
            group = [k for k in mine if home_of[k] == i]
            fleet_here = [u for u in units.values() if u[0].type == vt.id and u[0].depot == depot]
            if not group:
                continue
            parts = min(len(fleet_here),
                        max(1, math.ceil(count[group].sum() / district_tasks)))
            pieces = _bisect(group, xy, count, parts)
            share = np.array([metres[p].sum() for p in pieces])
            alloc = _largest_remainder(share, len(fleet_here))
            pos = 0
            for piece, n in zip(pieces, alloc):
                vehicles = [v for u in fleet_here[pos:pos + n] for v in u]
                pos += n
                districts.append(District(vt.id, depot, piece, vehicles))
    return districts


def _largest_remainder(share: np.ndarray, total: int) -> list[int]:
    """``total`` whole vehicles in proportion to ``share``, at least one each."""
    n = len(share)
    base = np.ones(n, dtype=int)
    spare = total - n
    if spare <= 0:
        return base.tolist()
    quota = share / share.sum() * spare if share.sum() > 0 else np.full(n, spare / n)
    extra = np.floor(quota).astype(int)
    order = np.argsort(-(quota - extra), kind="stable")
    extra[order[: spare - extra.sum()]] += 1
    return (base + extra).tolist()


class StreetBoxes:
    """Every street's points in one array, to find the streets near a district at once."""

    def __init__(self, streets: Sequence[Street]) -> None:
        sizes = [len(s.coords) for s in streets]
        self.xy = np.array([p for s in streets for p in s.coords], dtype=float)
        self.street = np.repeat(np.arange(len(streets)), sizes)

    def within(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Indices of the streets with a point inside the box ``lo``-``hi`` (lon, lat)."""
        inside = np.all((self.xy >= lo) & (self.xy <= hi), axis=1)
        return np.unique(self.street[inside])


def _district_inputs(
    d: District, streets: Sequence[Street], fleet: Fleet, network: StreetNetwork,
    boxes: StreetBoxes,
) -> tuple[list[Street], Fleet, np.ndarray]:
    """The district's street file (its work plus drive-only surroundings), its fleet, and the
    city's end nodes of each of those streets (to put its routes back on the city's nodes)."""
    mine = set(d.streets)
    depot = next(x for x in fleet.depots if x.id == d.depot)
    pts = np.array([p for k in d.streets for p in (streets[k].coords[0], streets[k].coords[-1])])
    centre = Point(lon=float(pts[:, 0].mean()), lat=float(pts[:, 1].mean()))
    facilities: list[Facility] = []
    for kind in ("dump", "water"):
        options = [f for f in fleet.facilities if f.kind in (kind, "both")]
        if options:
            best = min(options, key=lambda f: (f.at.lon - centre.lon) ** 2
                       + (f.at.lat - centre.lat) ** 2)
            if best not in facilities:
                facilities.append(best)
    corners = np.vstack([pts, [[depot.at.lon, depot.at.lat]],
                         [[f.at.lon, f.at.lat] for f in facilities] or np.empty((0, 2))])
    lat = math.radians(float(corners[:, 1].mean()))
    dlat = MARGIN_M / 110_574
    dlon = MARGIN_M / (111_320 * math.cos(lat))
    lo = corners.min(axis=0) - (dlon, dlat)
    hi = corners.max(axis=0) + (dlon, dlat)
    facilities += [f for f in fleet.facilities if f not in facilities
                   and lo[0] <= f.at.lon <= hi[0] and lo[1] <= f.at.lat <= hi[1]]
    near = np.union1d(boxes.within(lo, hi), d.streets).astype(int)
    sub = [streets[k] if k in mine else streets[k].model_copy(update={"sweeps_per_day": 0})
           for k in near]
    ends = np.array([(network.links[k].u, network.links[k].v) for k in near], dtype=np.int64)
    sub_fleet = Fleet(depots=(depot,), facilities=tuple(facilities),
                      vehicle_types=(fleet.vehicle_type(d.type_id),),
                      vehicles=tuple(d.vehicles), turns=fleet.turns)
    return sub, sub_fleet, ends


def _home(k: int, homes: list[int], streets: Sequence[Street],
          depots_district: list[str | None], from_depot: np.ndarray,
          network: StreetNetwork) -> int:
    """The depot a street is swept from: the nearest by road of those in the street's own
    district (its ``district`` attribute, the bureau's devolution), else of all."""
    own = [i for i in homes if streets[k].district is not None
           and depots_district[i] == streets[k].district] or homes
    return own[int(np.argmin([from_depot[i, network.links[k].u] for i in own]))]


def plan_districts(
    streets: Sequence[Street], network: StreetNetwork, fleet: Fleet,
    tasks: Sequence[SweepTask], snapped: dict[str, tuple[int, float]],
    deadline: float, params: PlanParams,
    plan_one: Callable[[DistrictJob], Schedule | str] | None = None,
) -> tuple[list[Route], list[Unassigned], int, list[float]]:
    """Routes (on ``network``'s nodes) and unassigned work; also the number of districts and
    the seconds each planned district took. Everything, the cut and the preparation of the
    districts included, ends by ``deadline`` (a ``time.perf_counter()`` value): a district
    that could not end by then is not started, and its passes say so.

    ``plan_one`` plans one district's streets and fleet (a module-level function: it runs in
    worker processes) and returns its schedule, on the city's nodes, or why it could not be
    planned.
    """
    if plan_one is None:
        raise ValueError("plan_districts needs the planner of one district (plan_one)")

    districts = make_districts(streets, network, tasks, fleet, snapped, district_size(params))
    by_street: dict[int, list[SweepTask]] = {}
    for t in tasks:
        by_street.setdefault(t.street, []).append(t)
    covered = {k for d in districts for k in d.streets}
    unassigned = [Unassigned(task=t.id, street=streets[t.street].id, side=t.side,
                             reason="no vehicle of a type that may sweep it has a depot")
                  for t in tasks if t.street not in covered]
    if not districts:
        return [], unassigned, 0, []
    boxes = StreetBoxes(streets)
    inputs = [_district_inputs(d, streets, fleet, network, boxes) for d in districts]
    if params.scheduler is not None:
        from streetcrew.solver.sweep.cluster import cluster_slots

        slots = cluster_slots(params.scheduler)
    else:
        slots = max(1, params.workers or (os.cpu_count() or 1))
    rounds = math.ceil(len(districts) / slots)
    seconds = max(1.0, deadline - time.perf_counter())
    # with a solution limit the time is only a safety cap for each district
    per = max(1.0, seconds / rounds * 0.9) if not params.bounded else seconds
    jobs = [(sub, sub_fleet, per, params, ends) for sub, sub_fleet, ends in inputs]
    order = sorted(range(len(jobs)), key=lambda i: -len(districts[i].streets))
    results: dict[int, Schedule | str] = {}
    took: list[float] = []  # seconds of the districts done so far

    def too_late() -> bool:
        """A district started now would not end by the deadline (judged by those done)."""
        expected = max(min(per, seconds) * 0.5, sum(took) / len(took) if took else 0.0)
        return time.perf_counter() + expected >= deadline or stop.requested()

    def done(i: int, result: Schedule | str) -> None:
        results[i] = result
        if isinstance(result, Schedule):
            took.append(result.summary.solve_s)

    if params.scheduler is not None:
        from streetcrew.solver.sweep.cluster import plan_on_cluster

        plan_on_cluster(params.scheduler, jobs, order, too_late, LATE_TURN, plan_one, done)
    elif slots == 1:
        for i in order:
            done(i, LATE_TURN if too_late() else plan_one(jobs[i]))
    else:
        with ProcessPoolExecutor(max_workers=slots) as pool:
            futures = {i: pool.submit(plan_one, jobs[i]) for i in order}
            waiting = set(futures)
            while waiting:
                wait([futures[i] for i in waiting], timeout=0.5, return_when=FIRST_COMPLETED)
                for i in [i for i in waiting if futures[i].done()]:
                    waiting.discard(i)
                    if not futures[i].cancelled():
                        done(i, futures[i].result())
                if too_late():
                    for f in futures.values():
                        f.cancel()  # the ones not started yet
            for i, f in futures.items():
                if f.cancelled():
                    results[i] = LATE_TURN
    inside = main_component(network)  # the city's part drivable to and from its depots
    routes: list[Route] = []
    by_id = {s.id: k for k, s in enumerate(streets)}
    for i, d in enumerate(districts):
        res = results[i]
        if isinstance(res, str):
            unassigned += [Unassigned(task=t.id, street=streets[t.street].id, side=t.side,
                                      reason=f"its district could not be planned: {res}")
                           for k in d.streets for t in by_street.get(k, ())]
            continue
        routes += res.routes
        unassigned += [_in_city(u, inside, network, by_id) for u in res.unassigned
                       if u.street in by_id]
    return routes, unassigned, len(districts), district_seconds(results)


def district_seconds(results: dict[int, Schedule | str]) -> list[float]:
    """How long each district that was planned took (its own plan's solve time)."""
    return [r.summary.solve_s for r in results.values() if isinstance(r, Schedule)]


LATE_TURN = "the time limit (-t) ended before this district's turn: a longer limit plans it"
STOPPED = "planning was stopped (Ctrl-C or SIGTERM) before this district's turn"
CUT_OFF = ("cut off from its district's depot by the district border (the whole city's streets "
           "do connect it): planned in one model, or with larger districts, it can be swept")


def _in_city(u: Unassigned, inside: np.ndarray, network: StreetNetwork,
             by_id: dict[str, int]) -> Unassigned:
    """A district's "cannot be driven to and back" is judged on the district's streets only:
    where the whole city connects the street, say what it is."""
    if not u.reason.startswith("cannot be driven to and back"):
        return u
    link = network.links[by_id[u.street]]
    if inside[link.u] and inside[link.v]:
        return u.model_copy(update={"reason": CUT_OFF})
    return u


def on_city_nodes(schedule: Schedule, sub_streets: Sequence[Street],
                  ends: np.ndarray) -> Schedule:
    """A district's schedule put on the city's nodes, by identity: link ``j`` of the
    district's network is ``sub_streets[j]``, whose city ends are ``ends[j]`` (the same
    points in the same direction, so the same nodes)."""
    from streetcrew.models.network import build_network

    sub = build_network(sub_streets)
    to_full = np.full(len(sub.nodes), -1, dtype=np.int64)
    for j, lk in enumerate(sub.links):
        to_full[lk.u], to_full[lk.v] = ends[j]
    return schedule.model_copy(update={"routes": tuple(
        r.model_copy(update={"steps": tuple(
            st.model_copy(update={
                "from_node": None if st.from_node is None else int(to_full[st.from_node]),
                "to_node": None if st.to_node is None else int(to_full[st.to_node]),
                "path": tuple(int(to_full[n]) for n in st.path),
            }) for st in r.steps)})
        for r in schedule.routes)})
