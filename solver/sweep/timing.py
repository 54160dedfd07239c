"""Timing a vehicle's route and inserting its dump and refill trips.

The search orders the work; here the route is driven step by step. Where the
dump and refill trips go is chosen for the whole order at once
(:func:`facility_plan`: a dynamic program over the gaps between tasks, both
resources, least added driving); a task the plan did not foresee (its order
changed since) falls back to the nearest facility before the task that would
overfill the hopper (or empty the tank). Breaks are taken when
their window opens (or before a step would carry past it), windows are
waited for, and a task whose window is missed, or the last task while the
shift is overrun, is dropped and the route driven again.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from streetcrew.models.base import format_clock
from streetcrew.models.fleet import Break, Facility, Vehicle, VehicleType
from streetcrew.models.schedule import Step
from streetcrew.solver.sweep.engine_ortools import SweepModel
from streetcrew.solver.sweep.turns import Place


@dataclass
class _Drive:
    model: SweepModel
    vt: VehicleType
    steps: list[Step]
    t: int
    pos: int
    arc: int | None = None  # the arc just swept; None at a depot or facility
    hopper: float = 0.0
    water: float = 0.0

    def to(self, place: Place) -> None:
        """Drive to a place (a node, or into an arc about to be swept), turns included."""
        here = Place(arc=self.arc) if self.arc is not None else Place(node=self.pos)
        leg = self.model.turns.leg(here, place)
        if place.node is not None:
            self.arc = None  # turned round in the yard
        if leg.metres == 0 and leg.turn_s == 0:
            return
        secs = round(leg.metres / (self.vt.travel_kmh / 3.6) + leg.turn_s)
        self.steps.append(Step(type="deadhead", start=self.t, end=self.t + secs,
                               distance_m=leg.metres, from_node=self.pos, to_node=leg.nodes[-1],
                               path=leg.nodes, turn_s=leg.turn_s, turns=leg.turns,
                               load=self.hopper, water=self.water))
        self.t += secs
        self.pos = leg.nodes[-1]
        self.arc = None


@dataclass(frozen=True)
class Resume:
    """Where a vehicle's day stands when the rest of it is planned again (``replan``): the
    steps it has driven, kept as they are, and its place, clock and loads after them."""

    steps: tuple[Step, ...]
    pos: int  # the network node it stands at
    arc: int | None  # the arc it has just swept (turn graph), None at a node
    t: int
    hopper: float
    water: float
    breaks_taken: int


def _take_breaks(d: _Drive, pending: list[Break], next_s: int, final: bool = False) -> bool:
    """Take every break that is due before a step of ``next_s`` seconds; False if one is missed."""
    while pending:
        b = pending[0]
        if not (d.t >= b.earliest or d.t + next_s > b.latest or final):
            return True
        start = max(d.t, b.earliest)
        if start > b.latest:
            return False
        end = start + round(b.minutes * 60)
        d.steps.append(Step(type="break", start=start, end=end, from_node=d.pos, to_node=d.pos,
                            load=d.hopper, water=d.water))
        d.t = end
        pending.pop(0)
    return True


def _loads(model: SweepModel, vt: VehicleType, node: int) -> tuple[float, float]:
    """Litres of debris and of water a vehicle of the type takes sweeping a task visit."""
    task = model.tasks[model.visits[node].task]  # type: ignore[index]
    road_class = model.streets[task.street].road_class
    return (task.length_m / 1000 * vt.debris_per_km(road_class) * 1000,
            task.length_m / 1000 * vt.water_l_per_km)


LABELS = 48  # labels kept per gap: a bound on the work, the best by added metres first


Trip = tuple[str, Facility]  # ("dump" or "water", where)


def facility_plan(model: SweepModel, vt: VehicleType, depot: int, nodes: list[int],
                  hopper: float = 0.0, water: float = 0.0,
                  ) -> dict[int, tuple[Trip, ...]] | None:
    """The dump and refill trips of a fixed order that add the least driving.

    A dynamic program over the gaps before each task: in a gap the vehicle may go to a dump,
    to a water point, to both (in the better order, or one facility that is both) or on; a
    label is (added metres, hopper, water) after the gap's trips and the task, labels that
    another beats on all three are dropped. Returns, per task position, the facilities to
    visit before it; None when no plan keeps within the capacities (a facility kind is
    missing), and the caller falls back to trips as the loads require. The vehicle starts
    at node ``depot`` with ``hopper`` and ``water`` litres already taken.
    """
    cap_h, cap_w = vt.hopper_m3 * 1000, vt.water_l
    dumps = [f for f in model.fleet.facilities if f.kind in ("dump", "both")]
    wells = [f for f in model.fleet.facilities if f.kind in ("water", "both")]
    dist = model.paths.distance
    node_of = model.facility_nodes

    def via(a: int, b: int, stops: tuple[Trip, ...]) -> float:
        here, metres = a, 0.0
        for _, f in stops:
            metres += dist(here, node_of[f.id])
            here = node_of[f.id]
        return metres + dist(here, b) - dist(a, b)

    def options(a: int, b: int) -> list[tuple[float, str, tuple[Trip, ...]]]:
        out: list[tuple[float, str, tuple[Trip, ...]]] = [(0.0, "", ())]
        if dumps:
            out.append(min(((via(a, b, s), "d", s) for s in [(("dump", f),) for f in dumps]),
                           key=lambda o: o[0]))
        if wells:
            out.append(min(((via(a, b, s), "w", s) for s in [(("water", f),) for f in wells]),
                           key=lambda o: o[0]))
        if dumps and wells:
            pairs = [(("dump", f), ("water", g)) for f in dumps for g in wells]
            pairs += [(("water", g), ("dump", f)) for f in dumps for g in wells]
            out.append(min(((via(a, b, s), "dw", s) for s in pairs), key=lambda o: o[0]))
        return out

    # label: (added metres, hopper, water, previous label index, trips before this task)
    Label = tuple[float, float, float, int, tuple[Trip, ...]]
    layers: list[list[Label]] = []
    current: list[Label] = [(0.0, hopper, water, -1, ())]
    here = depot
    for node in nodes:
        debris, water = _loads(model, vt, node)
        if debris > cap_h + 1e-9 or water > cap_w + 1e-9:
            return None
        nxt: list[Label] = []
        for metres, kinds, stops in options(here, model.visits[node].start):
            for k, (cost, h, w, _, _) in enumerate(current):
                h2 = (0.0 if "d" in kinds else h) + debris
                w2 = (0.0 if "w" in kinds else w) + water
                if h2 <= cap_h + 1e-9 and w2 <= cap_w + 1e-9:
                    nxt.append((cost + metres, h2, w2, k, stops))
        if not nxt:
            return None
        nxt.sort(key=lambda lab: (lab[0], lab[1], lab[2]))
        kept = _undominated(nxt)
        layers.append(kept)
        current = kept
        here = model.visits[node].end
    plan: dict[int, tuple[Trip, ...]] = {}
    k = 0  # the cheapest label after the last task
    for i in range(len(layers) - 1, -1, -1):
        _, _, _, prev, stops = layers[i][k]
        if stops:
            plan[i] = stops
        k = prev
    return plan


def _undominated(labels: list[Any]) -> list[Any]:
    """The first :data:`LABELS` of ``labels`` (sorted by cost) that no earlier kept label
    beats on both hopper and water (fields 1 and 2). The kept ones are held by hopper with
    the least water up to each, so a check is a binary search."""
    kept: list[Any] = []
    hs: list[float] = []  # kept hoppers, ascending
    ws: list[float] = []  # their water, same order
    least: list[float] = []  # least water among hs[:i + 1]
    for lab in labels:
        i = bisect_right(hs, lab[1])
        if i and least[i - 1] <= lab[2]:
            continue
        kept.append(lab)
        if len(kept) >= LABELS:
            break
        hs.insert(i, lab[1])
        ws.insert(i, lab[2])
        least[i:] = list(accumulate(ws[i:], min, initial=least[i - 1] if i else math.inf))[1:]
    return kept


def _simulate(model: SweepModel, veh: Vehicle, nodes: list[int], earliest: dict[int, int],
              why: list[str], skipped: dict[int, str], resume: Resume | None = None,
              ) -> tuple[list[Step], int | None]:
    """The route's steps, and the position in ``nodes`` of the first task that fails (its
    reason appended to ``why``).

    A task that needs a dump (or water) when no such facility is open for the rest of the
    shift is left out on the spot (task index and reason in ``skipped``) and the drive goes
    on: every later task that needs one fares the same, and driving the route again per
    such task would take quadratic time. With ``resume``, the drive goes on from there."""
    vt = model.fleet.vehicle_type(veh.type)
    depot = next(v.start for v in model.visits if v.kind == "depot" and v.depot == veh.depot)
    pending = sorted(veh.breaks, key=lambda b: b.earliest)
    if resume is None:
        planned = facility_plan(model, vt, depot, nodes)
        d = _Drive(model, vt, [Step(type="start", start=veh.shift_start, end=veh.shift_start,
                                    from_node=depot, to_node=depot, facility=veh.depot)],
                   veh.shift_start, depot)
    else:
        planned = facility_plan(model, vt, resume.pos, nodes, resume.hopper, resume.water)
        d = _Drive(model, vt, list(resume.steps), resume.t, resume.pos, resume.arc,
                   resume.hopper, resume.water)
        pending = pending[resume.breaks_taken:]
    for i, node in enumerate(nodes):
        visit = model.visits[node]
        assert visit.task is not None
        task = model.tasks[visit.task]
        road_class = model.streets[task.street].road_class
        debris = task.length_m / 1000 * vt.debris_per_km(road_class) * 1000
        water = task.length_m / 1000 * vt.water_l_per_km
        trips: list[tuple[str, Facility | None]] = list(planned.get(i, ()) if planned else ())
        need = {"dump": d.hopper + debris > vt.hopper_m3 * 1000,
                "water": d.water + water > vt.water_l}
        # the planned trips, and any the plan did not foresee (tasks left out since)
        trips += [(kind, None) for kind, due in need.items()
                  if due and kind not in {k for k, _ in trips}]
        shut = {kind: _closed(model, kind, veh, d.t) for kind, _ in trips}
        closed = [why_shut for kind, why_shut in shut.items() if why_shut and need[kind]]
        if closed:
            skipped[visit.task] = closed[0]
            continue
        trips = [(kind, fac) for kind, fac in trips if not shut[kind]]
        for kind, fac in trips:
            fac = fac or _nearest(model, kind, d.pos, visit.start)
            if fac is None:
                why.append(f"no {'dump site' if kind == 'dump' else 'water point'} in the fleet "
                           "file for the trip it needs")
                return d.steps, i
            d.to(Place(node=model.facility_nodes[fac.id]))
            service = round(fac.service_min * 60)
            if max(d.t, fac.opens) + service > min(fac.closes, veh.latest_end):
                why.append(_closed_reason(fac, veh))
                return d.steps, i
            if not _take_breaks(d, pending, service + max(0, fac.opens - d.t)):
                why.append(f"{veh.id}'s break could not be taken in its window")
                return d.steps, i
            d.t = max(d.t, fac.opens)
            if kind == "dump":
                d.hopper = 0.0
            else:
                d.water = 0.0
            d.steps.append(Step(type="refill" if kind == "water" else "dump", start=d.t,
                                end=d.t + service, facility=fac.id, from_node=d.pos,
                                to_node=d.pos, load=d.hopper, water=d.water))
            d.t += service
        d.to(visit.place_in)
        sweep = model.sweep_s(visit.task, vt.id)
        if not _take_breaks(d, pending, sweep):
            why.append(f"{veh.id}'s break could not be taken in its window")
            return d.steps, i
        d.t = max(d.t, earliest.get(visit.task, 0))
        if task.window is not None:
            d.t = max(d.t, task.window.start)
            if d.t + sweep > task.window.end:
                why.append(f"its window ({format_clock(task.window.start)}-"
                           f"{format_clock(task.window.end)}) was missed once dump and refill "
                           "trips and breaks were driven")
                return d.steps, i
        d.hopper += debris
        d.water += water
        d.steps.append(Step(type="serve", start=d.t, end=d.t + sweep, distance_m=task.length_m,
                            task=task.id, street=model.streets[task.street].id, side=task.side,
                            from_node=visit.start, to_node=visit.end, forward=visit.forward,
                            load=d.hopper,
                            water=d.water))
        d.t += sweep
        d.pos, d.arc = visit.end, visit.arc
    d.to(Place(node=depot))
    # a break that would only start after the vehicle is back is not due: the day is over
    pending = [b for b in pending if b.earliest < d.t]
    if not _take_breaks(d, pending, 0, final=True) and nodes:
        why.append(f"{veh.id}'s break could not be taken in its window")
        return d.steps, len(nodes) - 1
    d.steps.append(Step(type="end", start=d.t, end=d.t, from_node=depot, to_node=depot,
                        facility=veh.depot, load=d.hopper, water=d.water))
    if d.t > veh.latest_end and nodes:
        why.append(LATE)
        return d.steps, len(nodes) - 1
    return d.steps, None


def _closed(model: SweepModel, kind: str, veh: Vehicle, now: int) -> str | None:
    """Why no facility of ``kind`` can serve ``veh`` from ``now`` to its shift's end, or None."""
    sites = [f for f in model.fleet.facilities if f.kind in (kind, "both")]
    if not sites or any(max(now, f.opens) + round(f.service_min * 60)
                        <= min(f.closes, veh.latest_end) for f in sites):
        return None
    return "; ".join(_closed_reason(f, veh) for f in sites)


def _closed_reason(fac: Facility, veh: Vehicle) -> str:
    return (f"{fac.id} ({fac.kind}) is closed when {veh.id} needs it (open "
            f"{format_clock(fac.opens)}-{format_clock(fac.closes)}, {veh.id}'s shift "
            f"{format_clock(veh.shift_start)}-{format_clock(veh.latest_end)})")


def _nearest(model: SweepModel, kind: str, here: int, then: int) -> Facility | None:
    best, best_m = None, float("inf")
    for fac in model.fleet.facilities:
        if fac.kind not in (kind, "both"):
            continue
        node = model.facility_nodes[fac.id]
        metres = model.paths.distance(here, node) + model.paths.distance(node, then)
        if metres < best_m:
            best, best_m = fac, metres
    return best


# A choice of the search, not a shortage: other vehicles may have hours of slack.
LATE = ("left out by the search: it did not fit the shift of the route it was planned in once "
        "dump and refill trips and breaks were driven, and no other route took it")


def time_route(
    model: SweepModel, veh: Vehicle, nodes: list[int], earliest: dict[int, int] | None = None,
    resume: Resume | None = None,
) -> tuple[list[Step], dict[int, str]]:
    """Steps of a feasible route and the tasks (indices) that had to be dropped, each with
    the reason.

    ``earliest`` holds, per task index, a clock time before which it may not
    start (a repeat sweep waits for its gap after the one before).
    """
    keep = list(nodes)
    dropped: dict[int, str] = {}
    while True:
        why: list[str] = []
        skipped: dict[int, str] = {}
        steps, failed = _simulate(model, veh, keep, earliest or {}, why, skipped, resume)
        if failed is None:
            return steps, dropped | skipped
        task = model.visits[keep[failed]].task
        assert task is not None
        dropped[task] = why[0] if why else LATE
        del keep[failed]
