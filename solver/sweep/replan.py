"""The rest of the day planned again (``streetcrew replan``): a breakdown, a closed street, a
shift cut short, work added.

What was driven before the re-plan stays as it was (:func:`streetcrew.solver.graph.kept.kept_steps`). Every other
vehicle goes on from where its plan had it, with its hopper and water as they were, and
keeps its own remaining order: the fewest changes. The work the event set free (the broken
vehicle's rest, what a cut shift no longer fits, added sweeps) is put where it adds the
fewest metres among the vehicles with room for it, each route driven again with its trips
and breaks; what fits nowhere is listed with the reason. No search runs: a dispatcher on
the phone gets the answer in seconds.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence

import numpy as np

from streetcrew.models.base import DAY_S, format_clock
from streetcrew.models.fleet import Fleet, Vehicle
from streetcrew.models.schedule import Event, InputRef, Replan, Route, Schedule, Step, Unassigned
from streetcrew.models.streets import Street
from streetcrew.solver.graph.kept import kept_steps
from streetcrew.solver.sweep.engine_ortools import SweepModel
from streetcrew.solver.sweep.events import apply_to_fleet, apply_to_streets, key_of
from streetcrew.solver.sweep.params import PlanParams
from streetcrew.solver.sweep.plan import (
    _drive_routes,
    _last_visit,
    _schedule,
    _with_snaps,
    prepare,
)
from streetcrew.solver.sweep.stable import key
from streetcrew.solver.sweep.timing import Resume, time_route


def replan(origin: Schedule, streets: Sequence[Street], fleet: Fleet, at: int,
           events: Sequence[Event], params: PlanParams | None = None,
           inputs: dict[str, InputRef] | None = None, date: dt.date | None = None) -> Schedule:
    """``origin`` planned again from ``at`` (clock seconds) after ``events``; ``streets`` and
    ``fleet`` are the files ``origin`` was made from (the events are applied here)."""
    params = params or PlanParams()
    started = time.perf_counter()
    streets = apply_to_streets(list(streets), events)
    fleet = apply_to_fleet(fleet, events)
    day = prepare(streets, fleet, params, inputs)
    closed = {e.street for e in events if e.kind == "close"}
    network = day.network.model_copy(update={"links": tuple(
        lk.model_copy(update={"length_m": CLOSED_M}) if streets[lk.street].id in closed else lk
        for lk in day.network.links)})
    model = SweepModel(streets, network, day.fleet, day.reachable, day.snapped)
    shut_links = {pair for lk in network.links if lk.length_m == CLOSED_M
                  for pair in ((lk.u, lk.v), (lk.v, lk.u))}
    index = {t.id: i for i, t in enumerate(model.tasks)}
    visit = {(v.task, v.forward): n for n, v in enumerate(model.visits) if v.task is not None}
    routes = {key(r.vehicle, r.shift): r for r in origin.routes}
    broken = {key_of(fleet, e.vehicle): max(e.at, 0) for e in events
              if e.kind == "breakdown" and e.vehicle is not None and e.at is not None}
    keep: dict[str, int] = {}
    orders: list[list[int]] = []
    resume: dict[int, Resume] = {}
    fixed: dict[int, list[Step]] = {}  # steps kept as they are unless work is put in
    idle: set[int] = set()  # vehicles that take no more work
    lost: dict[int, str] = {}
    shut: dict[int, str] = {}  # passes of closed streets: not swept today
    done: set[str] = set()
    freed_orders: dict[int, list[int]] = {}  # a broken vehicle's rest, in its order
    for k, veh in enumerate(model.vehicles):
        name = key(veh.id, sum(v.id == veh.id for v in model.vehicles[:k]))
        keep[name] = broken.get(name, at)
        route = routes.get(name)
        kept = kept_steps(route, keep[name], name in broken) if route is not None else ()
        if route is None and veh.shift_start < at and name not in broken:
            kept = _in_yard(model, veh, at)  # unused in the plan: ready in its yard
        done |= {s.task for s in kept if s.type == "serve" and s.task is not None}
        rest = route.steps[len(kept):] if route is not None else ()
        order = [visit[index[s.task], bool(s.forward)] for s in rest
                 if s.type == "serve" and s.task in index]
        over = route is not None and route.steps[-1].end <= keep[name]
        if over and name in broken:  # back in its yard when it broke down: nothing to do
            assert route is not None
            fixed[k] = list(route.steps)
            idle.add(k)
            del broken[name]
            keep[name] = at
        elif name in broken:
            why = f"{veh.id} broke down at {format_clock(broken[name])}"
            lost |= {model.visits[n].task: why for n in order}  # type: ignore[misc]
            freed_orders[k] = [n for n in order
                               if model.streets[model.tasks[model.visits[n].task]  # type: ignore[index]
                                                .street].id not in closed]
            fixed[k] = _stopped(kept, broken[name])
            idle.add(k)
            order = []
        elif kept:
            resume[k] = _state(model, kept, index, at)
        for n in list(order):
            t = model.visits[n].task
            assert t is not None
            if model.streets[model.tasks[t].street].id in closed:
                shut[t] = f"its street was closed at the re-plan ({format_clock(at)})"
                order.remove(n)
        if route is not None and k not in fixed and len(order) == sum(
                s.type == "serve" for s in rest) and route.steps[-1].end <= veh.latest_end \
                and not any(pair in shut_links for s in rest for pair in zip(s.path, s.path[1:])):
            fixed[k] = list(route.steps)  # untouched: its day as planned, unless work comes
        orders.append(order)
    planned = {model.visits[n].task for o in orders for n in o} | set(lost) | set(shut)
    before = {u.task for u in origin.unassigned}
    for t, task in enumerate(model.tasks):  # added sweeps, and any pass the origin lacked
        if t not in planned and task.id not in done and task.id not in before:
            if model.streets[task.street].id in closed:
                shut[t] = f"its street was closed at the re-plan ({format_clock(at)})"
            else:
                w = task.window
                lost[t] = ("added at the re-plan: no vehicle had room for it in its shift"
                           + (f" between {format_clock(w.start)} and {format_clock(w.end)}"
                              if w is not None and w.end < 2 * DAY_S else ""))
    deadline = started + params.time_limit
    freed = [visit_of for k in sorted(freed_orders) for visit_of in freed_orders[k]]
    for chunk in _chunks(freed, CHUNK):
        placed = _place(model, chunk, orders, resume, idle, deadline)
        if placed is not None:
            fixed.pop(placed, None)  # its route changes: driven again below
            for n in chunk:
                lost.pop(model.visits[n].task, None)  # type: ignore[arg-type]
    driven, left = _drive_routes(model, orders, deadline=deadline, left_out=lost,
                                 resume=resume, fixed=fixed, idle=idle)
    marked = [_mark(r, routes.get(key(r.vehicle, r.shift)), keep, broken) for r in driven
              if r.steps and (key(r.vehicle, r.shift) in routes
                              or any(s.type == "serve" for s in r.steps))]
    swept = {s.task for r in marked for s in r.steps if s.type == "serve"}
    reasons = {u.task: u for u in origin.unassigned}  # left as they were, with their reasons
    reasons |= {u.task: u for u in day.unassigned if u.task not in reasons}
    for t, why in {**left, **shut}.items():
        task = model.tasks[t]
        reasons[task.id] = Unassigned(task=task.id, street=model.streets[task.street].id,
                                      side=task.side, reason=why)
    unassigned = [u for u in reasons.values() if u.task not in swept]
    schedule = _schedule("partial" if unassigned else "solved", marked, unassigned,
                         sum(r.served_m for r in marked), day.total_m, started, inputs, date)
    schedule = schedule.model_copy(update={"replan": Replan(
        at=at, events=tuple(events), keep=keep, broken=broken)})
    return _with_snaps(schedule, day.snapped)


CLOSED_M = 1e6  # a closed street's length to the routes driven after the re-plan: avoided
CHUNK = 8  # a broken vehicle's passes are handed on in runs of this many, in its order


def _chunks(order: list[int], size: int) -> list[list[int]]:
    return [order[i:i + size] for i in range(0, len(order), size)]


def _place(model: SweepModel, chunk: list[int], orders: list[list[int]],
           resume: dict[int, Resume], idle: set[int], deadline: float) -> int | None:
    """Put a run of passes, as a run, where it adds the fewest metres of driving between
    passes and the route still drives without dropping anything (trips and breaks placed
    again); the vehicle it went to, or None. Places are tried cheapest first."""
    tasks = [model.visits[n].task for n in chunk]
    dist = model.dist
    inside = sum(int(dist[a, b]) for a, b in zip(chunk, chunk[1:]))
    places: list[tuple[int, int, int]] = []  # added metres, vehicle, position
    for k, veh in enumerate(model.vehicles):
        if k in idle or any(veh.type not in model.tasks[t].types for t in tasks):  # type: ignore[index]
            continue
        home = next(i for i, v in enumerate(model.visits)
                    if v.kind == "depot" and v.depot == veh.depot)
        stops = [_last_visit(model, resume[k]) if k in resume else home, *orders[k], home]
        places += [(int(dist[stops[p], chunk[0]]) + inside + int(dist[chunk[-1], stops[p + 1]])
                    - int(dist[stops[p], stops[p + 1]]), k, p) for p in range(len(stops) - 1)]
    for _, k, p in sorted(places)[:TRIES]:
        if time.perf_counter() > deadline:
            break
        trial = orders[k][:p] + chunk + orders[k][p:]
        if not time_route(model, model.vehicles[k], trial, None, resume.get(k))[1]:
            orders[k] = trial
            return k
    return None


TRIES = 6  # places tried per run of passes before it is handed on pass by pass


def _state(model: SweepModel, kept: Sequence[Step], index: dict[str, int], at: int) -> Resume:
    """Where a vehicle stands after the steps it keeps: on the arc it last drove or swept
    (turns from it are priced), or in a yard or facility; it goes on at ``at`` at the
    earliest."""
    last = kept[-1]
    arc = None
    turns = model.turns
    for s in reversed(kept):  # a break or a turn on the spot keeps the arc just driven
        if s.type == "serve" and s.task in index:
            t = index[s.task]
            arc = next((v.arc for v in model.visits
                        if v.task == t and v.forward == bool(s.forward)), None)
        elif s.type == "deadhead" and len(s.path) >= 2:
            arc = next((int(a) for a in np.flatnonzero(turns.head == s.path[-1])
                        if turns.tail[a] == s.path[-2]), None)
        elif s.type in ("break", "deadhead"):
            continue
        break
    pos = last.to_node if last.to_node is not None else 0
    if arc is None and pos not in turns.places:  # not a yard or facility: on the arc into it
        arc = next((int(a) for a in np.flatnonzero(turns.head == pos)), None)
    return Resume(steps=tuple(kept), pos=pos, arc=arc, t=max(last.end, at), hopper=last.load,
                  water=last.water, breaks_taken=sum(s.type == "break" for s in kept))


def _in_yard(model: SweepModel, veh: Vehicle, at: int) -> tuple[Step, ...]:
    """A vehicle the plan did not use, waiting in its yard since its shift began: its crew
    took the breaks whose window has passed there."""
    node = next(v.start for v in model.visits if v.kind == "depot" and v.depot == veh.depot)
    steps = [Step(type="start", start=veh.shift_start, end=veh.shift_start, from_node=node,
                  to_node=node, facility=veh.depot)]
    for b in sorted(veh.breaks, key=lambda b: b.earliest):
        begin = max(b.earliest, steps[-1].end)
        if begin + round(b.minutes * 60) <= at:
            steps.append(Step(type="break", start=begin, end=begin + round(b.minutes * 60),
                              from_node=node, to_node=node))
    return tuple(steps)


def _stopped(kept: Sequence[Step], at: int) -> list[Step]:
    """A broken vehicle's day: what it drove, then where it stopped."""
    if not kept:
        return []  # it broke down before its shift: no route
    last = kept[-1]
    return [*kept, Step(type="breakdown", start=max(at, last.end), end=max(at, last.end),
                        from_node=last.to_node, to_node=last.to_node, load=last.load,
                        water=last.water)]


def _mark(route: Route, before: Route | None, keep: dict[str, int],
          broken: dict[str, int]) -> Route:
    """The route with what changed in its rest of the day said in ``changed``."""
    name = key(route.vehicle, route.shift)
    if name in broken:
        return route.model_copy(update={"changed": f"broke down at {format_clock(broken[name])}"
                                        ": its remaining work went to other vehicles"})
    old = {s.task for s in (before.steps if before else ()) if s.type == "serve"}
    new = {s.task for s in route.steps if s.type == "serve"}
    if before is not None and route.steps == before.steps:
        return route
    gained, gone = len(new - old), len(old - new)
    what = [f"{gained} passes added"] if gained else []
    what += [f"{gone} passes taken off"] if gone else []
    return route.model_copy(update={"changed": f"re-planned from {format_clock(keep[name])}: "
                                    + (", ".join(what) or "the same passes, driven again")})
