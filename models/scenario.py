"""Fleet scenarios as pure data: a base and named changes to it, and applying them.

A scenario file (YAML) holds a ``base`` (street file, fleet file, optional crew and rules
files and date; paths relative to the scenario file, the bundled demo when left out) and a
list of ``scenarios``, each a ``name`` and ``changes`` applied in order to the base:

========================= =====================================================================
change                    fields
========================= =====================================================================
``add_vehicles``          ``type``, ``count`` (1), ``depot`` and ``shift_start``/``shift_end``
                          (default: those of the first vehicle of the type), ``id_prefix``
``remove_vehicles``       ``ids``, or ``type`` and ``count`` (the last ones of the type)
``change_shifts``         ``ids`` or ``type``; any of ``shift_start``, ``shift_end`` (breaks move
                          with the start), ``overtime_min`` (minutes a day may run over)
``move_facility``         ``id``, ``at: [lon, lat]``
``close_facility``        ``id``
``change_streets``        ``ids`` or ``road_class`` (or neither: every street); any of
                          ``sweeps_per_day``, ``min_hours_between``, ``windows``
                          (``"HH:MM-HH:MM;..."``), ``priority``
========================= =====================================================================

A change that names a vehicle, type, depot, facility, road class or street that is not
there is an :class:`~models.errors.InputError` naming the file, the scenario and the change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, Field

from streetcrew.models.base import Frozen, InputError
from streetcrew.models.fleet import Fleet, Point, Vehicle
from streetcrew.models.streets import ROAD_CLASSES, Street


class AddVehicles(Frozen):
    kind: Literal["add_vehicles"] = "add_vehicles"
    type: str
    count: int = Field(default=1, ge=1)
    depot: str | None = None
    shift_start: int | None = Field(default=None, ge=0)
    shift_end: int | None = Field(default=None, ge=0)
    id_prefix: str | None = None


class RemoveVehicles(Frozen):
    kind: Literal["remove_vehicles"] = "remove_vehicles"
    ids: tuple[str, ...] = ()
    type: str | None = None
    count: int = Field(default=1, ge=1)


class ChangeShifts(Frozen):
    kind: Literal["change_shifts"] = "change_shifts"
    ids: tuple[str, ...] = ()
    type: str | None = None
    shift_start: int | None = Field(default=None, ge=0)
    shift_end: int | None = Field(default=None, ge=0)
    overtime_min: float | None = Field(default=None, ge=0, le=24 * 60)


class MoveFacility(Frozen):
    kind: Literal["move_facility"] = "move_facility"
    id: str
    at: Point


class CloseFacility(Frozen):
    kind: Literal["close_facility"] = "close_facility"
    id: str


class ChangeStreets(Frozen):
    kind: Literal["change_streets"] = "change_streets"
    ids: tuple[str, ...] = ()
    road_class: str | None = None
    sweeps_per_day: int | None = Field(default=None, ge=0)
    min_hours_between: float | None = Field(default=None, ge=0)
    windows: tuple[tuple[int, int], ...] | None = None
    priority: int | None = Field(default=None, ge=0)


Change = AddVehicles | RemoveVehicles | ChangeShifts | MoveFacility | CloseFacility | ChangeStreets
Fail = Callable[[str, str], InputError]  # (field, message) -> the error to raise
CHANGES: dict[str, type[BaseModel]] = {
    "add_vehicles": AddVehicles, "remove_vehicles": RemoveVehicles,
    "change_shifts": ChangeShifts, "move_facility": MoveFacility,
    "close_facility": CloseFacility, "change_streets": ChangeStreets,
}


class Base(Frozen):
    streets: str | None = None  # absolute paths once read; None: the bundled demo
    fleet: str | None = None
    crew: str | None = None
    rules: str | None = None
    volunteers: str | None = None  # with these, every scenario also plans the patrol walks
    cases: str | None = None
    must_cover: str | None = None
    date: str | None = None


class Scenario(Frozen):
    name: str = Field(min_length=1)
    changes: tuple[Change, ...] = ()


class ScenarioSet(Frozen):
    file: str
    base: Base
    scenarios: tuple[Scenario, ...]  # the base itself first, named "base"


def apply_changes(fleet: Fleet, streets: list[Street], scenario: Scenario,
                  file: str) -> tuple[Fleet, list[Street]]:
    """The fleet and streets with the scenario's changes made, in order."""
    for n, change in enumerate(scenario.changes, start=1):
        where = f"scenario {scenario.name!r} change {n} ({change.kind})"

        def fail(field: str, msg: str, where: str = where) -> InputError:
            return InputError(file, where, field, msg)

        types = {t.id for t in fleet.vehicle_types}
        if isinstance(change, AddVehicles):
            fleet = _add(fleet, change, types, fail)
        elif isinstance(change, RemoveVehicles):
            fleet = _remove(fleet, change, types, fail)
        elif isinstance(change, ChangeShifts):
            fleet = _shifts(fleet, change, types, fail)
        elif isinstance(change, MoveFacility | CloseFacility):
            ids = [f.id for f in fleet.facilities]
            if change.id not in ids:
                raise fail("id", f"unknown facility {change.id!r}; the fleet has "
                                 f"{', '.join(ids) or 'none'}")
            if isinstance(change, CloseFacility):
                kept = tuple(f for f in fleet.facilities if f.id != change.id)
            else:
                kept = tuple(f.model_copy(update={"at": change.at}) if f.id == change.id else f
                             for f in fleet.facilities)
            fleet = fleet.model_copy(update={"facilities": kept})
        else:
            streets = _streets(streets, change, fail)
        try:  # the fleet's own checks (shifts of one vehicle apart, breaks inside shifts)
            fleet = Fleet.model_validate(fleet.model_dump())
        except ValueError as exc:
            msg = str(exc).splitlines()
            raise fail("changes", "the changed fleet is not valid: " + (msg[-1] if msg else str(exc))
                       .removeprefix("  Value error, ")) from None
    return fleet, streets


def _pick(fleet: Fleet, ids: tuple[str, ...], vtype: str | None, types: set[str],
          fail: Fail) -> list[Vehicle]:
    known = {v.id for v in fleet.vehicles}
    for vid in ids:
        if vid not in known:
            raise fail("ids", f"unknown vehicle {vid!r}")
    if vtype is not None and vtype not in types:
        raise fail("type", f"unknown vehicle type {vtype!r}; the fleet has "
                           f"{', '.join(sorted(types))}")
    if not ids and vtype is None:
        raise fail("ids", "name the vehicles (ids) or their type")
    return [v for v in fleet.vehicles if v.id in ids or (not ids and v.type == vtype)]


def _add(fleet: Fleet, change: AddVehicles, types: set[str], fail: Fail) -> Fleet:
    if change.type not in types:
        raise fail("type", f"unknown vehicle type {change.type!r}; the fleet has "
                           f"{', '.join(sorted(types))}")
    depots = {d.id for d in fleet.depots}
    if change.depot is not None and change.depot not in depots:
        raise fail("depot", f"unknown depot {change.depot!r}; the fleet has "
                            f"{', '.join(sorted(depots))}")
    like = [v for v in fleet.vehicles if v.type == change.type
            and (change.depot is None or v.depot == change.depot)]
    if not like and (change.shift_start is None or change.shift_end is None
                     or change.depot is None):
        raise fail("shift_start", "no vehicle of this type to copy: give depot, "
                                  "shift_start and shift_end")
    model = like[0] if like else None
    depot = change.depot or (model.depot if model else "")
    start = change.shift_start if change.shift_start is not None else model.shift_start  # type: ignore[union-attr]
    end = change.shift_end if change.shift_end is not None else model.shift_end  # type: ignore[union-attr]
    breaks = model.breaks if model and (start, end) == (model.shift_start, model.shift_end) \
        else ()
    prefix = change.id_prefix or f"{change.type}-new-"
    taken = {v.id for v in fleet.vehicles}
    added: list[Vehicle] = []
    k = 1
    while len(added) < change.count:
        vid = f"{prefix}{k}"
        k += 1
        if vid in taken:
            continue
        added.append(Vehicle(id=vid, type=change.type, depot=depot, shift_start=start,
                             shift_end=end, breaks=breaks,
                             overtime_min=model.overtime_min if model else 0.0))
    return fleet.model_copy(update={"vehicles": fleet.vehicles + tuple(added)})


def _remove(fleet: Fleet, change: RemoveVehicles, types: set[str], fail: Fail) -> Fleet:
    chosen = _pick(fleet, change.ids, change.type, types, fail)
    if not change.ids:
        if len(chosen) < change.count:
            raise fail("count", f"the fleet has only {len(chosen)} of type "
                                f"{change.type!r}")
        chosen = chosen[-change.count:]
    gone = {id(v) for v in chosen}
    return fleet.model_copy(update={"vehicles": tuple(v for v in fleet.vehicles
                                                      if id(v) not in gone)})


def _shifts(fleet: Fleet, change: ChangeShifts, types: set[str], fail: Fail) -> Fleet:
    if change.shift_start is None and change.shift_end is None and change.overtime_min is None:
        raise fail("shift_start", "give shift_start, shift_end or overtime_min")
    chosen = {id(v) for v in _pick(fleet, change.ids, change.type, types, fail)}
    out = []
    for v in fleet.vehicles:
        if id(v) in chosen:
            start = v.shift_start if change.shift_start is None else change.shift_start
            end = v.shift_end if change.shift_end is None else change.shift_end
            if end <= start:
                raise fail("shift_end", f"vehicle {v.id!r}: must be after shift_start "
                                        "(past midnight: 30:00)")
            delta = start - v.shift_start
            breaks = tuple(b.model_copy(update={"earliest": b.earliest + delta,
                                                "latest": b.latest + delta})
                           for b in v.breaks
                           if b.latest + delta + b.minutes * 60 <= end
                           and b.earliest + delta >= start)
            v = v.model_copy(update={
                "shift_start": start, "shift_end": end, "breaks": breaks,
                "overtime_min": v.overtime_min if change.overtime_min is None
                else change.overtime_min})
        out.append(v)
    return fleet.model_copy(update={"vehicles": tuple(out)})


def _streets(streets: list[Street], change: ChangeStreets, fail: Fail) -> list[Street]:
    if change.road_class is not None and change.road_class not in ROAD_CLASSES:
        raise fail("road_class", f"unknown road class {change.road_class!r}; known: "
                                 f"{', '.join(ROAD_CLASSES)}")
    known = {s.id for s in streets}
    for sid in change.ids:
        if sid not in known:
            raise fail("ids", f"no street segment has id {sid!r}")
    windows = None if change.windows is None else [{"start": a, "end": b}
                                                    for a, b in change.windows]
    update = {k: v for k, v in (("sweeps_per_day", change.sweeps_per_day),
                                ("min_hours_between", change.min_hours_between),
                                ("windows", windows), ("priority", change.priority))
              if v is not None}
    if not update:
        raise fail("sweeps_per_day", "nothing to change: give sweeps_per_day, "
                                     "min_hours_between, windows or priority")
    out = []
    for s in streets:
        if (s.id in change.ids if change.ids else
                change.road_class is None or s.road_class == change.road_class):
            s = Street.model_validate(s.model_dump() | update)
        out.append(s)
    return out
