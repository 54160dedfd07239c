"""``plan_sweeping``: streets + fleet -> a checked-in-spirit :class:`Schedule`.

Builds the network, snaps depots and facilities onto the part of it that can
be driven round (the largest strongly connected component: a one-way street
leaving the map is a dead end there), turns streets into sweeping tasks,
solves the OR-Tools model and writes the routes as timed steps. Work that
cannot be planned is listed as unassigned with the reason.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

from streetcrew.models.base import InputError
from streetcrew.models.fleet import Fleet, Point
from streetcrew.models.network import StreetNetwork, build_network
from streetcrew.models.schedule import InputRef, Route, Schedule, Step, Summary, Unassigned
from streetcrew.models.streets import Street
from streetcrew.solver.graph import stop
from streetcrew.solver.graph.network import main_component, other_system_notes, snap
from streetcrew.solver.sweep.bound import deadhead_lower_bound_m, facility_visits
from streetcrew.solver.sweep.districts import (
    OUTSIDE,
    STOPPED,
    DistrictJob,
    on_city_nodes,
    plan_districts,
)
from streetcrew.solver.sweep.engine_ortools import SweepModel, SweepModelResult
from streetcrew.solver.sweep.engine_pyvrp import solve_pyvrp
from streetcrew.solver.sweep.params import PlanParams, district_size, engine_of
from streetcrew.solver.sweep.stable import key as vehicle_key
from streetcrew.solver.sweep.tasks import SweepTask, build_tasks
from streetcrew.solver.sweep.timing import Resume, time_route

log = logging.getLogger(__name__)


def plan_sweeping(
    streets: Sequence[Street],
    fleet: Fleet,
    params: PlanParams | None = None,
    inputs: dict[str, InputRef] | None = None,
    date: dt.date | None = None,
    *,
    drop_far_facilities: bool = False,
) -> Schedule:
    """Routes for ``fleet`` over ``streets``; work that cannot be done is unassigned with
    its reason. A depot or facility off the network is an :class:`InputError` naming it in
    the fleet file, unless ``drop_far_facilities`` (a district's street set: facilities near
    it but off its streets are planned without)."""
    params = params or PlanParams()
    started = time.perf_counter()
    streets = list(streets)
    day = prepare(streets, fleet, params, inputs, drop_far_facilities)
    network, fleet, snapped, reachable = day.network, day.fleet, day.snapped, day.reachable
    unassigned, total_m = day.unassigned, day.total_m
    if params.seed:  # another start for the search: a spread of plans, not one lucky one
        random.Random(params.seed).shuffle(reachable)
    if not reachable:
        return _with_snaps(
            _schedule("no-work", [], unassigned, 0.0, total_m, started, inputs, date), snapped)
    bureau_districts = any(d.district for d in fleet.depots) and any(s.district for s in streets)
    if len(reachable) > district_size(params) or bureau_districts:
        return _with_snaps(_plan_by_districts(streets, network, fleet, reachable, snapped,
                                              unassigned, total_m, params, started, inputs,
                                              date), snapped)
    log.info("building the model: %d passes, %d vehicles", len(reachable), len(fleet.vehicles))
    model = SweepModel(streets, network, fleet, reachable, snapped,
                       balance_weight=params.balance_weight)
    log.info("searching (%s)", engine_of(params))
    left = max(0.5, params.time_limit - (time.perf_counter() - started))
    if engine_of(params) == "pyvrp":
        # from the plan before, half the time goes to a search from scratch (see below)
        result = _search_pyvrp(model, params, left / 2 if params.previous else left)
    else:
        # with a solution limit the time is only a safety cap: no share of it may cut a search
        initial = _scarce_first(streets, network, fleet, reachable, snapped, params, model,
                                left / 4 if params.solution_limit is None else left)
        result = model.solve(max(0.5, params.time_limit - (time.perf_counter() - started)),
                             initial, params.solution_limit)
    orders = [[node for node, _ in result.routes.get(k, [])
               if model.visits[node].task is not None] for k in range(len(fleet.vehicles))]
    # a deterministic plan finishes its repairs; otherwise they stop near the time limit
    # (the limit stays a safety cap: repairs that would run past twice the limit are cut,
    # the only way a bounded plan can then differ between runs)
    deadline = started + params.time_limit * (2.0 if params.bounded else 0.97)
    left_out = {index: UNPLANNED for index in result.unplanned}  # the drive tries them again
    log.info("driving the routes: dump and water trips, breaks, repairs")
    routes, lost = _drive_routes(model, orders, deadline=deadline, left_out=left_out)
    if params.previous:  # the plan before, driven as it was, when the search did no better
        fresh = None
        if engine_of(params) == "pyvrp":
            fresh = _search_pyvrp(model, params.model_copy(update={"change_cost": 0.0}),
                                  max(0.5, started + params.time_limit - time.perf_counter()),
                                  warm=False)
        routes, lost = _better_or_before(model, params, routes, lost, deadline, fresh)
    for index, reason in lost.items():
        task = reachable[index]
        unassigned.append(Unassigned(task=task.id, street=streets[task.street].id,
                                     side=task.side, reason=reason))
    routes = [r for r in routes if any(s.type == "serve" for s in r.steps)]
    status = "infeasible" if result.status == "infeasible" else (
        "partial" if unassigned else "solved")
    schedule = _schedule(status, routes, unassigned, sum(r.served_m for r in routes), total_m,
                         started, inputs, date)
    swept_tasks = {st.task for r in routes for st in r.steps if st.type == "serve"}
    done = [t for t in reachable if t.id in swept_tasks]
    flow_bound = sum(t.length_m for t in done) + deadhead_lower_bound_m(
        network, done, facility_visits(fleet, streets, done, snapped),
        seconds=max(BOUND_MIN_S, started + params.time_limit - time.perf_counter()))
    bound = max(_driven_lower_bound(model, routes), flow_bound)
    summary = schedule.summary.model_copy(update={"driven_km_lower_bound": round(bound / 1000, 3)})
    return _with_snaps(schedule.model_copy(update={"summary": summary}), snapped)


# Curb passes one model takes before the area is planned by districts. OR-Tools: districts
# of 1,500 passes left its first insertion unfinished at 20 s on Campo Grande, 500 were swept
# whole in 8 s. PyVRP: see benchmarks/README.md ("Where districts start to pay").



@dataclass
class Day:
    """The streets as a network, the fleet's places on it and the work to plan."""

    network: StreetNetwork
    fleet: Fleet  # as given, less facilities off a district's streets
    snapped: dict[str, tuple[int, float]]
    tasks: list[SweepTask]  # every pass that may be planned
    reachable: list[SweepTask]  # those a vehicle can drive to and back from
    unassigned: list[Unassigned]  # those it cannot, with the reason
    total_m: float


def prepare(streets: list[Street], fleet: Fleet, params: PlanParams,
            inputs: dict[str, InputRef] | None = None, drop_far_facilities: bool = False) -> Day:
    """The network, the depots and facilities snapped onto it, and the passes to plan."""
    network = build_network(streets)
    inside = main_component(network)
    if drop_far_facilities:
        main = StreetNetwork(nodes=tuple(network.nodes[i] for i in np.flatnonzero(inside)),
                             links=())
        dist = snap({f.id: f.at for f in fleet.facilities}, main)
        fleet = fleet.model_copy(update={"facilities": tuple(
            f for f in fleet.facilities if dist[f.id][1] <= params.max_snap_m)})
    points: dict[str, Point] = {f"depot:{d.id}": d.at for d in fleet.depots}
    points |= {f"facility:{f.id}": f.at for f in fleet.facilities}
    snapped = _snap_inside(points, network, inside, params.max_snap_m, fleet, inputs)
    tasks, unplannable = build_tasks(streets, network, fleet)
    unassigned = [Unassigned(task=u.task, street=u.street_id, side=u.side,
                             reason=u.reason) for u in unplannable]
    reachable = []
    for t in tasks:
        link = network.links[t.street]
        if streets[t.street].id in params.outside:
            unassigned.append(Unassigned(task=t.id, street=streets[t.street].id, side=t.side,
                                         reason=OUTSIDE))
        elif inside[link.u] and inside[link.v]:
            reachable.append(t)
        else:
            unassigned.append(Unassigned(
                task=t.id, street=streets[t.street].id, side=t.side,
                reason="cannot be driven to and back from the depots (one-way dead end or "
                       "a part of the network not connected to the rest)"))
    total_m = sum(t.length_m for t in tasks)
    return Day(network, fleet, snapped, tasks, reachable, unassigned, total_m)


def _search_pyvrp(model: SweepModel, params: PlanParams, seconds: float,
                  warm: bool = True) -> SweepModelResult:
    """PyVRP's search (dumps inside it) in the shape of the OR-Tools model's result; from the
    plan before (``params.previous``) when there is one and ``warm``, each change at its
    price (its routes go to the vehicles that held most of their passes either way)."""
    held, initial = _from_previous(model, params.previous or {})
    found = solve_pyvrp(model, seconds * 0.9, params.seed, params.work_limit,
                        initial=initial if warm and any(initial) else None,
                        held=held if params.previous else None,
                        price=round(params.change_cost * 1000))
    routes = {k: [(n, 0) for n in order] for k, order in enumerate(found.orders)}
    return SweepModelResult(routes, found.unplanned, "solved", model.visits)


def _better_or_before(model: SweepModel, params: PlanParams, routes: list[Route],
                      lost: dict[int, str], deadline: float,
                      fresh: SweepModelResult | None = None,
                      ) -> tuple[list[Route], dict[int, str]]:
    """The priced search's plan, a search's from scratch (``fresh``: its routes go to the
    vehicles that held most of their passes), or the plan before driven again on today's
    inputs (its passes in their order and directions, work it lacks put in where it fits),
    whichever leaves least work undone and then costs least, each change priced at
    ``params.change_cost``. A search started from the plan before may start from a plan its
    own model finds infeasible (trips and breaks it only approximates) and end worse in the
    real day; when the fleet changed, one from scratch may leave less undone (the demo
    without L3: 77 passes against 90)."""
    assert params.previous is not None
    held, orders = _from_previous(model, params.previous)
    planned = {model.visits[n].task for o in orders for n in o}
    left_out = {t: UNPLANNED for t in range(len(model.tasks)) if t not in planned}
    candidates = [(routes, lost),
                  _drive_routes(model, orders, deadline=deadline, left_out=left_out)]
    if fresh is not None:
        fresh_orders = [[n for n, _ in fresh.routes.get(k, [])
                         if model.visits[n].task is not None] for k in range(len(model.vehicles))]
        candidates.append(_drive_routes(model, fresh_orders, deadline=deadline, left_out={
            t: UNPLANNED for t in fresh.unplanned}))

    index = {t.id: i for i, t in enumerate(model.tasks)}
    owner = {t: k for k, h in enumerate(held) for t in h}

    def price(rs: list[Route], gone: dict[int, str]) -> tuple[int, float]:
        moved = sum(1 for k, r in enumerate(rs) for st in r.steps if st.type == "serve"
                    and owner.get(index.get(st.task or "", -1), k) != k)
        return len(gone), sum(r.cost for r in rs) + params.change_cost * moved

    return min(candidates, key=lambda c: price(*c))


def _from_previous(model: SweepModel, previous: dict[str, tuple[tuple[str, bool], ...]]
                   ) -> tuple[list[set[int]], list[list[int]]]:
    """Per model vehicle: the tasks (indices) it swept in the plan before, and that order as
    visits in the directions swept then (a pass no longer planned, or one its type may no
    longer sweep, left out)."""
    index = {t.id: i for i, t in enumerate(model.tasks)}
    visit_of: dict[tuple[int, bool], int] = {}
    for node, v in enumerate(model.visits):
        if v.task is not None:
            visit_of[v.task, v.forward] = node
    held: list[set[int]] = []
    orders: list[list[int]] = []
    taken: set[int] = set()
    for k, veh in enumerate(model.vehicles):
        shift = sum(v.id == veh.id for v in model.vehicles[:k])
        mine = [(index[t], fwd) for t, fwd in previous.get(vehicle_key(veh.id, shift), ())
                if t in index]
        mine = [(t, fwd) for t, fwd in mine
                if veh.type in model.tasks[t].types and t not in taken]
        taken |= {t for t, _ in mine}
        held.append({t for t, _ in mine})
        orders.append([visit_of.get((t, fwd), visit_of.get((t, not fwd), -1)) for t, fwd in mine])
    return held, [[n for n in o if n >= 0] for o in orders]


def _with_snaps(schedule: Schedule, snapped: dict[str, tuple[int, float]]) -> Schedule:
    return schedule.model_copy(update={"snap_m": {k: round(d, 1) for k, (_, d) in snapped.items()}})


BOUND_MIN_S = 2.0  # the bound's linear programme is given at least this (a model's: < 1 s)
# Kept back from the districts for what follows them: the routes gathered, the whole
# city's bound (its flow part: about 2 s at 200,000 streets) and the schedule.
AFTER_DISTRICTS_S = 1.0
AFTER_DISTRICTS_PER_STREET_S = 3e-5


def _plan_by_districts(
    streets: list[Street], network: StreetNetwork, fleet: Fleet, reachable: list[SweepTask],
    snapped: dict[str, tuple[int, float]], unassigned: list[Unassigned], total_m: float,
    params: PlanParams, started: float, inputs: dict[str, InputRef] | None, date: dt.date | None,
) -> Schedule:
    """A city too big for one model: districts planned in parallel (:mod:`streetcrew.solver.sweep.districts`)."""
    deadline = started + params.time_limit
    after = AFTER_DISTRICTS_S + AFTER_DISTRICTS_PER_STREET_S * len(streets)
    routes, lost, count, took = plan_districts(streets, network, fleet, reachable, snapped,
                                               deadline - after, params, plan_district)
    unassigned = unassigned + lost
    routes = [r for r in routes if any(s.type == "serve" for s in r.steps)]
    schedule = _schedule("partial" if unassigned else "solved", routes, unassigned,
                         sum(r.served_m for r in routes), total_m, started, inputs, date)
    swept = {st.task for r in routes for st in r.steps if st.type == "serve"}
    done = [t for t in reachable if t.id in swept]
    bound = sum(t.length_m for t in done) + deadhead_lower_bound_m(
        network, done, facility_visits(fleet, streets, done, snapped),
        seconds=deadline - time.perf_counter())
    summary = schedule.summary.model_copy(update={
        "driven_km_lower_bound": round(bound / 1000, 3), "districts": count,
        "district_s_mean": round(sum(took) / len(took), 1) if took else None,
        "district_s_max": round(max(took), 1) if took else None})
    return schedule.model_copy(update={"summary": summary})


def _scarce_first(
    streets: list[Street], network: StreetNetwork, fleet: Fleet, tasks: list[SweepTask],
    snapped: dict[str, tuple[int, float]], params: PlanParams, full: SweepModel, seconds: float,
) -> list[list[int]] | None:
    """Starting routes that make room first for the work fewest vehicles may do.

    OR-Tools' insertion fills the cheap small sweepers with streets any type
    may sweep, then finds no room for the alleys only they fit, and its local
    search rarely undoes that. So for a quarter of the time the same model is
    solved with the penalty of leaving out a task raised by how few vehicles
    may do it (ranked above every priority); the full model starts from those
    routes with the true penalties. None when every task may go to every
    vehicle.
    """
    fits = [sum(1 for v in fleet.vehicles if v.type in t.types) for t in tasks]
    levels = sorted(set(fits))
    if len(levels) < 2 or (seconds < 1 and params.solution_limit is None):
        return None
    top = max(t.priority for t in tasks) + 1
    boost = {i: top * sum(1 for lv in levels if lv > f) for i, f in enumerate(fits)}
    first = SweepModel(streets, network, fleet, tasks, snapped,
                       balance_weight=params.balance_weight, boost=boost)
    result = first.solve(max(seconds, 0.5), None, params.solution_limit)
    if result.status != "solved":
        return None
    return [[n for n, _ in result.routes.get(k, []) if first.visits[n].task is not None]
            for k in range(len(fleet.vehicles))]


def _driven_lower_bound(model: SweepModel, routes: list[Route]) -> float:
    """Swept length plus, per swept task, the shortest drive into it from anywhere.

    Every task served is entered from the end of another served task, a depot
    or a facility, so the cheapest such entry (over both sweeping directions,
    on the real link lengths) bounds its deadhead from below; the sum with the
    swept length bounds the km any plan sweeping the same work must drive.
    """
    served = {s.task for r in routes for s in r.steps if s.type == "serve"}
    visits = [v for v in model.visits if v.task is not None and model.tasks[v.task].id in served]
    if not visits:
        return 0.0
    sources = sorted({v.end for v in visits}
                     | {v.start for v in model.visits if v.kind == "depot"}
                     | set(model.facility_nodes.values()))
    n = len(model.network.nodes)
    shortest: dict[tuple[int, int], float] = {}  # parallel links: keep the shorter
    for lk in model.network.links:
        for pair in [(lk.u, lk.v)] + ([] if lk.oneway else [(lk.v, lk.u)]):
            shortest[pair] = min(shortest.get(pair, np.inf), max(lk.length_m, 1e-9))
    rows, cols = zip(*shortest)
    graph = csr_array((list(shortest.values()), (list(rows), list(cols))), shape=(n, n))
    dist = dijkstra(graph, directed=True, indices=sources)
    src = np.asarray(sources)
    best: dict[str, float] = {}
    length: dict[str, float] = {}
    for v in visits:
        task = model.tasks[v.task]  # type: ignore[index]
        into = dist[:, v.start].copy()
        into[src == v.end] = np.inf  # not from its own end
        best[task.id] = min(best.get(task.id, np.inf), float(into.min()))
        length[task.id] = task.length_m
    return sum(length.values()) + sum(b for b in best.values() if np.isfinite(b))


def _snap_inside(
    points: dict[str, Point], network: StreetNetwork, inside: np.ndarray, max_m: float,
    fleet: Fleet, inputs: dict[str, InputRef] | None,
) -> dict[str, tuple[int, float]]:
    """Snap ``depot:<id>`` / ``facility:<id>`` points; too far is an error on the fleet file."""
    keep = np.flatnonzero(inside)
    sub = StreetNetwork(nodes=tuple(network.nodes[i] for i in keep), links=())
    out = {}
    for key, (i, dist) in snap(points, sub).items():
        if dist > max_m:
            kind, ident = key.split(":", 1)
            section = "depots" if kind == "depot" else "facilities"
            ids = ([d.id for d in fleet.depots] if kind == "depot"
                   else [f.id for f in fleet.facilities])
            n = ids.index(ident)
            ref = (inputs or {}).get("fleet")
            hint = other_system_notes({f"{kind} {ident}": points[key]}, sub,
                                      ref.coords if ref else "wgs84")
            raise InputError(ref.path if ref else None, f"{section}[{n}] (id {ident!r})", "at",
                             f"{dist:.0f} m from the nearest drivable street node "
                             f"(limit {max_m:.0f} m): "
                             + (hint[0] if hint else "is it outside the street network?"))
        out[key] = (int(keep[i]), dist)
    return out





# what the search chose, not a proof that the fleet is too small (other routes may have slack)
UNPLANNED = ("left out by the search: it found no room for it in any route within shifts, "
             "windows and capacities in the time it had")


def _drive_routes(
    model: SweepModel, orders: list[list[int]], rounds: int = 4, deadline: float = 0.0,
    left_out: dict[int, str] | None = None, resume: dict[int, Resume] | None = None,
    fixed: dict[int, list[Step]] | None = None, idle: set[int] | None = None,
) -> tuple[list[Route], dict[int, str]]:
    """Drive every vehicle's order; repeat sweeps wait for their gap, across vehicles.

    A repeat sweep that starts too soon after the sweep before it (the two
    may be on different vehicles) gets that earliest start and its route is
    driven again; after ``rounds`` the ones still too soon are unassigned.
    Returns the routes and, per task index left out, the reason. A vehicle in ``resume``
    goes on from where its day stands (``replan``); one in ``fixed`` keeps those steps unless
    work is put into its route; one in ``idle`` takes no work (its day is over, or it broke
    down).
    """
    resume, fixed, idle = resume or {}, fixed or {}, idle or set()

    def drive(k: int, order: list[int]) -> tuple[list[Step], dict[int, str]]:
        if k in fixed:
            return list(fixed[k]), {}
        return time_route(model, model.vehicles[k], order, earliest, resume.get(k))

    lost: dict[int, str] = dict(left_out or {})
    earliest: dict[int, int] = {}
    orders = [list(o) for o in orders]
    timed = [drive(k, o) for k, o in enumerate(orders)]
    for attempt in range(rounds + 1):
        waits = _repeat_waits(model, [steps for steps, _ in timed])
        late = {t: at for t, at in waits.items() if at > earliest.get(t, 0)}
        if not late:
            break
        if attempt < rounds:
            earliest.update(late)
        else:  # give up on the repeats that still come too soon
            for t in late:
                hours = model.streets[model.tasks[t].street].min_hours_between
                lost[t] = f"could not be swept {hours:g} h after the sweep before it"
            orders = [[n for n in o if model.visits[n].task not in late] for o in orders]
        timed = [drive(k, o) for k, o in enumerate(orders)]
    for _, dropped in timed:
        lost.update({t: why for t, why in dropped.items() if t not in lost})
    orders = [[n for n in o if model.visits[n].task not in dropped]
              for o, (_, dropped) in zip(orders, timed)]
    timed = _reinsert(model, orders, timed, lost, earliest, deadline, resume, idle)
    routes = [_route(model, k, steps) for k, (steps, _) in enumerate(timed)]
    return routes, lost


def _reinsert(model: SweepModel, orders: list[list[int]],
              timed: list[tuple[list[Step], dict[int, str]]], lost: dict[int, str],
              earliest: dict[int, int], deadline: float, resume: dict[int, Resume] | None = None,
              idle: set[int] | None = None) -> list[tuple[list[Step], dict[int, str]]]:
    """Put work the drive had to drop back where it fits: the search's model of a day is not
    the day (refill trips, breaks), so another vehicle may still have room for it.

    Each dropped task (most important first; repeat sweeps stay out, their gap is the
    drive's business) is tried at the cheapest few places of every vehicle that may sweep
    it; the route must then drive without dropping anything, and the place that adds the
    fewest metres wins. Stops at ``deadline`` (a ``time.perf_counter()`` value). A vehicle
    in ``resume`` takes work after the steps it has driven; one in ``idle`` takes none.
    """
    resume, idle = resume or {}, idle or set()
    starts = {k: _last_visit(model, r) for k, r in resume.items()}
    depot_node = {v.depot: i for i, v in enumerate(model.visits) if v.kind == "depot"}
    nodes_of: dict[int, list[int]] = {}
    for i, v in enumerate(model.visits):
        if v.task is not None:
            nodes_of.setdefault(v.task, []).append(i)
    driven = [sum(s.distance_m for s in steps) for steps, _ in timed]
    todo = sorted((t for t, why in lost.items() if not why.startswith("could not be swept")
                   and not model.streets[model.tasks[t].street].min_hours_between),
                  key=lambda t: -model.tasks[t].priority)
    dist = model.dist
    for t in todo:
        if time.perf_counter() > deadline or stop.requested():
            break
        best: tuple[float, int, list[int], tuple[list[Step], dict[int, str]]] | None = None
        for k, veh in enumerate(model.vehicles):
            if veh.type not in model.tasks[t].types or k in idle:
                continue
            home = depot_node[veh.depot]
            order = orders[k]
            stops = [starts.get(k, home), *order, home]
            places = sorted((int(dist[stops[p], n] + dist[n, stops[p + 1]]
                                 - dist[stops[p], stops[p + 1]]), p, n)
                            for n in nodes_of[t] for p in range(len(stops) - 1))
            for _, p, n in places[:4]:
                trial = order[:p] + [n] + order[p:]
                steps, dropped = time_route(model, veh, trial, earliest, resume.get(k))
                if dropped or not _gaps_kept(model, timed, k, steps):
                    continue
                added = sum(s.distance_m for s in steps) - driven[k]
                if best is None or added < best[0]:
                    best = (added, k, trial, (steps, dropped))
        if best is not None:
            _, k, trial, result = best
            orders[k], timed[k] = trial, result
            driven[k] = sum(s.distance_m for s in result[0])
            del lost[t]
    return timed


def _last_visit(model: SweepModel, resume: Resume) -> int:
    """The model visit nearest to where a resumed vehicle stands (to rank insertions)."""
    at: dict[tuple[int | None, int | None], int] = {
        (v.start, v.end): i for i, v in enumerate(model.visits) if v.task is not None}
    served = [s for s in resume.steps if s.type == "serve"]
    if served and (served[-1].from_node, served[-1].to_node) in at:
        return at[served[-1].from_node, served[-1].to_node]
    return next(i for i, v in enumerate(model.visits) if v.kind == "depot")


def _gaps_kept(model: SweepModel, timed: list[tuple[list[Step], dict[int, str]]], k: int,
               steps: list[Step]) -> bool:
    """Whether route ``k`` driven as ``steps`` keeps every repeat sweep it makes the street's
    gap away from the other sweeps of the same pass (a route put together again shifts its
    later sweeps, which may bring one too close to a sweep on another route)."""
    mine = {(st.street, st.side, _pass(st.task)) for st in steps
            if st.type == "serve" and st.task is not None}
    gaps = {s.id: s.min_hours_between * 3600 for s in model.streets if s.min_hours_between}
    mine = {m for m in mine if m[0] in gaps}
    if not mine:
        return True
    spans: dict[tuple[str | None, str | None, str], list[tuple[int, int]]] = {}
    for j, (other, _) in enumerate(timed):
        for st in steps if j == k else other:
            key = (st.street, st.side, _pass(st.task))
            if st.type == "serve" and key in mine:
                spans.setdefault(key, []).append((st.start, st.end))
    for (street, _, _), seen in spans.items():
        seen.sort()
        if any(b[0] < a[1] + gaps[street or ""] for a, b in zip(seen, seen[1:])):
            return False
    return True


def _pass(task: str | None) -> str:
    """``p1`` of the task id ``street/side/p1/s2``: the pass, whichever sweep."""
    return (task or "").rsplit("/", 2)[-2] if task and task.count("/") >= 3 else ""


def _repeat_waits(model: SweepModel, timed: list[list[Step]]) -> dict[int, int]:
    """Earliest start each repeat sweep needs: the end of the sweep before it plus the gap."""
    index = {t.id: i for i, t in enumerate(model.tasks)}
    done: dict[tuple[int, str, int], list[tuple[int, int, int]]] = {}
    for steps in timed:
        for st in steps:
            if st.type == "serve" and st.task is not None:
                t = model.tasks[index[st.task]]
                done.setdefault((t.street, t.side, t.pass_no), []).append(
                    (t.sweep_no, index[st.task], st.end))
    out: dict[int, int] = {}
    for (street, _, _), sweeps in done.items():
        gap = round(model.streets[street].min_hours_between * 3600)
        if not gap:
            continue
        sweeps.sort()
        for (_, _, end), (_, later, _) in zip(sweeps, sweeps[1:]):
            out[later] = end + gap
    return out


def _route(model: SweepModel, k: int, steps: list[Step]) -> Route:
    """Vehicle ``k``'s route from its driven steps, with distances and cost."""
    veh = model.vehicles[k]
    vt = model.fleet.vehicle_type(veh.type)
    swept = sum(s.distance_m for s in steps if s.type == "serve")
    dead = sum(s.distance_m for s in steps if s.type == "deadhead")
    hours = (steps[-1].end - steps[0].start) / 3600 if steps else 0.0
    over = max(0, steps[-1].end - veh.shift_end) if steps else 0
    cost = (vt.cost_per_km * (swept + dead) / 1000 + vt.cost_per_hour * hours
            + vt.overtime_cost_per_hour * over / 3600)
    return Route(vehicle=veh.id, shift=sum(v.id == veh.id for v in model.vehicles[:k]),
                 vehicle_type=vt.id, depot=veh.depot, steps=tuple(steps),
                 served_m=swept, deadhead_m=dead, cost=round(cost, 2), overtime_s=round(over))


def _schedule(
    status: str,
    routes: list[Route],
    unassigned: list[Unassigned],
    served_m: float,
    needed_m: float,
    started: float,
    inputs: dict[str, InputRef] | None,
    date: dt.date | None,
) -> Schedule:
    dead = sum(r.deadhead_m for r in routes)
    driven = served_m + dead
    summary = Summary(
        routes_used=len(routes),
        served_km=round(served_m / 1000, 3),
        deadhead_km=round(dead / 1000, 3),
        deadhead_pct=round(100 * dead / driven, 2) if driven else 0.0,
        coverage_pct=round(100 * served_m / needed_m, 2) if needed_m else 100.0,
        overtime_s=sum(r.overtime_s for r in routes),
        unassigned=len(unassigned),
        cost=round(sum(r.cost for r in routes), 2),
        solve_s=round(time.perf_counter() - started, 2),
    )
    return Schedule(status=status, date=date, summary=summary,  # type: ignore[arg-type]
                    routes=tuple(routes), unassigned=tuple(unassigned), inputs=inputs or {})


def plan_district(args: DistrictJob) -> Schedule | str:
    """One district's plan on the city's nodes (run in a worker process), or why it could
    not be planned.

    Facilities near the district but off its own street set are left out of its plan.
    """
    sub, sub_fleet, seconds, params, ends = args
    if stop.requested():
        return STOPPED
    # one model for the district: its depot's bureau district has done its work in the cut
    sub_fleet = sub_fleet.model_copy(update={"depots": tuple(
        d.model_copy(update={"district": None}) for d in sub_fleet.depots)})
    try:
        schedule = plan_sweeping(sub, sub_fleet, params.model_copy(update={
            "time_limit": max(1.0, seconds), "district_tasks": 10**9, "workers": 1}),
            drop_far_facilities=True)
    except InputError as exc:
        return str(exc)
    return on_city_nodes(schedule, sub, ends)
