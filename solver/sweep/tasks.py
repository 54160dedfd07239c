"""Sweeping tasks from street segments: one task per curb pass and sweep.

Rules (README "Sweeping tasks"):

* A curb is swept in the direction of traffic next to it. On a two-way
  street (driving on the right) the right curb is swept along the link
  (``u -> v``) and the left curb against it (``v -> u``); on a one-way
  street both curbs are swept in the one direction. ``centre`` is one task
  that may run either way on a two-way street.
* ``passes_per_side`` passes of each side are separate tasks (wide roads).
* ``sweeps_per_day`` copies of everything, ``min_hours_between`` apart.
* A task may go to a vehicle type that fits the road class and, if the
  street names ``allowed_types``, is one of them, and that has at least one
  vehicle in the fleet.

Work that cannot be planned at all is returned with the reason instead of a
task: no vehicle type fits it, no vehicle of the types that fit, or a window
shorter than the sweep takes even at the fastest compatible type.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from streetcrew.models.base import format_clock
from streetcrew.models.fleet import Fleet
from streetcrew.models.network import StreetNetwork
from streetcrew.models.streets import Street, TimeWindow
from streetcrew.solver.graph.network import other_system_notes, street_ends


@dataclass(frozen=True)
class SweepTask:
    id: str  # "<street id>/<side>/p<pass>/s<sweep>"
    street: int  # index into the street list (and the network's links)
    side: str  # right, left or centre
    forward_ok: bool  # may be swept u -> v (the link's direction)
    backward_ok: bool  # may be swept v -> u
    length_m: float
    pass_no: int
    sweep_no: int
    window: TimeWindow | None
    types: frozenset[str]  # vehicle types that may do it
    priority: int


@dataclass(frozen=True)
class Unplannable:
    """One curb pass no vehicle can do, whatever the plan (one per pass and sweep)."""

    street_id: str
    side: str
    reason: str
    task: str = ""  # the id the pass would have had as a task


def _sides(street: Street) -> list[tuple[str, bool, bool]]:
    """(side, forward allowed, backward allowed) per task on the street."""
    one_way = street.oneway != "no"
    if street.sides == "none":
        return []
    if street.sides == "centre":
        return [("centre", True, not one_way)]
    out = []
    if street.sides in ("both", "right"):
        out.append(("right", True, False))
    if street.sides in ("both", "left"):
        out.append(("left", one_way, not one_way))
    return out


def fitting_types(street: Street, fleet: Fleet) -> frozenset[str]:
    """Vehicle types that fit the road class and the street's ``allowed_types``."""
    return frozenset(
        t.id
        for t in fleet.vehicle_types
        if street.road_class in t.road_classes
        and (street.allowed_types is None or t.id in street.allowed_types)
    )


def compatible_types(street: Street, fleet: Fleet) -> frozenset[str]:
    """The fitting types that have at least one vehicle in the fleet."""
    return fitting_types(street, fleet) & {v.type for v in fleet.vehicles}


def build_tasks(
    streets: Sequence[Street], network: StreetNetwork, fleet: Fleet
) -> tuple[list[SweepTask], list[Unplannable]]:
    tasks: list[SweepTask] = []
    unplannable: list[Unplannable] = []
    for k, street in enumerate(streets):
        sides = _sides(street)
        if not sides or street.sweeps_per_day == 0:
            continue
        fitting = fitting_types(street, fleet)
        types = compatible_types(street, fleet)
        length = network.links[k].length_m
        for side, fwd, bwd in sides:
            def cannot(why: str, sweeps: range, street: Street = street, side: str = side
                       ) -> None:
                unplannable.extend(
                    Unplannable(street.id, side, why, f"{street.id}/{side}/p{p + 1}/s{s + 1}")
                    for s in sweeps for p in range(street.passes_per_side))

            every = range(street.sweeps_per_day)
            if not fitting:
                cannot(f"no vehicle type may sweep a {street.road_class} street"
                       + (f" (allowed: {', '.join(street.allowed_types)})"
                          if street.allowed_types else ""), every)
                continue
            if not types:
                cannot(f"no vehicle of type {' or '.join(sorted(fitting))} in the fleet (the "
                       f"only type(s) that may sweep this {street.road_class} street)", every)
                continue
            fastest = max(fleet.vehicle_type(t).sweep_kmh for t in types)
            sweep_s = length / (fastest / 3.6)
            windows: list[TimeWindow | None] = list(street.windows) or [None]
            for sweep_no in range(street.sweeps_per_day):
                window = windows[min(sweep_no, len(windows) - 1)]
                if window is not None and window.end - window.start < sweep_s:
                    cannot(f"window {window.start}-{window.end} s is shorter than the sweep "
                           f"({sweep_s:.0f} s at {fastest} km/h)", range(sweep_no, sweep_no + 1))
                    continue
                for pass_no in range(street.passes_per_side):
                    tasks.append(
                        SweepTask(
                            id=f"{street.id}/{side}/p{pass_no + 1}/s{sweep_no + 1}",
                            street=k,
                            side=side,
                            forward_ok=fwd,
                            backward_ok=bwd,
                            length_m=length,
                            pass_no=pass_no + 1,
                            sweep_no=sweep_no + 1,
                            window=window,
                            types=types,
                            priority=street.priority,
                        )
                    )
    return tasks, unplannable


def fleet_notes(streets: Sequence[Street], fleet: Fleet) -> list[str]:
    """What in the fleet no plan can use: a type that fits none of the streets to sweep, a
    facility kind open in no vehicle's shift; or streets with nothing to sweep at all (not an
    error: a dated schedule has days without sweeping). The plan goes on without them."""
    notes = []
    to_sweep = [s for s in streets if _sides(s) and s.sweeps_per_day > 0]
    if streets and not to_sweep:
        notes.append(f"nothing to sweep: none of the {len(streets)} streets has a curb to sweep "
                     "on this day (sides none or sweeps_per_day 0); every vehicle stays in the "
                     "yard")
    fits = {t for s in to_sweep for t in fitting_types(s, fleet)}
    for vt in fleet.vehicle_types:
        idle = [v.id for v in fleet.vehicles if v.type == vt.id]
        if idle and to_sweep and vt.id not in fits:
            notes.append(f"vehicle type {vt.id} may sweep none of these streets (its road "
                         f"classes: {', '.join(vt.road_classes)}): {', '.join(idle)} "
                         + ("stays" if len(idle) == 1 else "stay") + " in the yard")
    for kind, what, users, verb in (("dump", "dump site", "hopper", "emptied"),
                                    ("water", "water point", "tank", "filled")):
        sites = [f for f in fleet.facilities if f.kind in (kind, "both")]
        if not sites or not fleet.vehicles:
            continue
        if not any(f.opens < v.latest_end and v.shift_start < f.closes
                   for f in sites for v in fleet.vehicles):
            hours = ", ".join(f"{f.id} {format_clock(f.opens)}-{format_clock(f.closes)}"
                              for f in sites)
            notes.append(f"no {what} is open during any shift ({hours}): no {users} can be "
                         f"{verb} on the way, work beyond one {users}ful per route is left "
                         "unassigned")
    return notes


def coords_notes(streets: Sequence[Street], fleet: Fleet, read_as: str = "wgs84") -> list[str]:
    """Depots and facilities that look given in another coordinate system than ``read_as``
    (Amap's GCJ-02 read as WGS-84): far from every street end, near one when read in the
    other system (:func:`~streetcrew.solver.graph.network.other_system_notes`)."""
    points = {f"depot {d.id}": d.at for d in fleet.depots}
    points |= {f"facility {f.id}": f.at for f in fleet.facilities}
    return other_system_notes(points, street_ends(streets), read_as)
