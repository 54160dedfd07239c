"""What happens during the day (``streetcrew replan``): events read from the command line,
their effect on the streets and fleet, and the part of a route a re-plan keeps.

No engine here: the re-plan and its checker both apply events through these functions, so
they judge the same day.
"""

from __future__ import annotations

from collections.abc import Sequence

from streetcrew.models.base import DAY_S, InputError, parse_clock
from streetcrew.models.cases import Report
from streetcrew.models.fleet import Fleet, Vehicle
from streetcrew.models.schedule import Event
from streetcrew.models.streets import Street, TimeWindow

FORMS = {"breakdown": "VEHICLE@HH:MM", "cut": "VEHICLE@HH:MM", "close": "STREET",
         "add": "STREET or STREET@HH:MM-HH:MM"}


def parse_event(kind: str, text: str) -> Event:
    """``L2@07:10`` (breakdown, cut), ``ew12`` (close), ``ew12`` or ``ew12@09:30-11:00``
    (add, with the window it must be swept in); a clear error naming the option."""
    what, _, when = text.partition("@")
    option = f"--{'cut-shift' if kind == 'cut' else kind}"
    try:
        if kind in ("breakdown", "cut"):
            if not what or not when:
                raise ValueError("the vehicle and the time are both needed")
            return Event(kind=kind, vehicle=what, at=parse_clock(when))  # type: ignore[arg-type]
        if not what:
            raise ValueError("the street id is missing")
        if kind == "close":
            if when:
                raise ValueError("a closure has no time: it runs from the re-plan on")
            return Event(kind="close", street=what)
        start, _, end = when.partition("-")
        if when and not end:
            raise ValueError("give the window as HH:MM-HH:MM")
        return Event(kind="add", street=what, at=parse_clock(start) if when else None,
                     until=parse_clock(end) if when else None)
    except ValueError as exc:
        raise InputError(None, option, text, f"{exc}; the form is {FORMS[kind]}") from None


def parse_report(text: str, at: int) -> Report:
    """``CASE:KIND@LON,LAT-HH:MM`` (``--report``): an urgent case filed at ``at``, to be
    fixed by the time after the dash."""
    form = "the form is CASE:KIND@LON,LAT-HH:MM (e.g. C-17:spill@118.7800,32.0410-11:00)"
    try:
        head, _, rest = text.partition("@")
        case, _, kind = head.partition(":")
        where, _, deadline = rest.rpartition("-")
        lon, _, lat = where.partition(",")
        if not (case and kind and lon and lat and deadline):
            raise ValueError("a part is missing")
        report = Report(case=case, kind=kind, lon=float(lon), lat=float(lat), filed=at,
                        deadline=parse_clock(deadline))
    except ValueError as exc:
        raise InputError(None, "--report", text, f"{str(exc).splitlines()[0]}; {form}") from None
    if report.deadline <= at:
        raise InputError(None, "--report", text, "the deadline has passed (--at is later)")
    return report


def parse_at(text: str) -> int:
    """The re-plan's time (``--at HH:MM``)."""
    try:
        return parse_clock(text)
    except ValueError as exc:
        raise InputError(None, "--at", text, str(exc)) from None


def vehicle_keys(fleet: Fleet) -> dict[str, Vehicle]:
    """Each vehicle shift by its key ``id#shift``; a first shift also by its bare id."""
    out: dict[str, Vehicle] = {}
    for k, v in enumerate(fleet.vehicles):
        shift = sum(w.id == v.id for w in fleet.vehicles[:k])
        out[f"{v.id}#{shift}"] = v
        out.setdefault(v.id, v)
    return out


def check_events(events: Sequence[Event], streets: Sequence[Street], fleet: Fleet) -> None:
    """Every event names a vehicle of the fleet or a street of the street file."""
    keys = vehicle_keys(fleet)
    ids = {s.id for s in streets}
    for e in events:
        if e.vehicle is not None and e.vehicle not in keys:
            raise InputError(None, f"--{e.kind}", e.vehicle, "no such vehicle in the fleet "
                             f"file (known: {', '.join(sorted(v.id for v in fleet.vehicles))})")
        if e.street is not None and e.street not in ids:
            raise InputError(None, f"--{e.kind}", e.street, "no such street in the street file")
        if e.kind == "add" and e.at is not None and e.until is not None and e.until <= e.at:
            raise InputError(None, "--add", e.street, "the window ends before it starts")


def key_of(fleet: Fleet, name: str) -> str:
    """``L2`` or ``L2#1`` as the key ``id#shift``."""
    return name if "#" in name else f"{name}#0"


def apply_to_fleet(fleet: Fleet, events: Sequence[Event]) -> Fleet:
    """Shifts cut: the vehicle's shift ends at the time given, without overtime."""
    cuts = {key_of(fleet, e.vehicle): e.at for e in events
            if e.kind == "cut" and e.vehicle is not None and e.at is not None}
    if not cuts:
        return fleet
    out = []
    for k, v in enumerate(fleet.vehicles):
        key = f"{v.id}#{sum(w.id == v.id for w in fleet.vehicles[:k])}"
        end = cuts.get(key)
        if end is not None and end < v.latest_end:
            v = v.model_copy(update={"shift_end": max(v.shift_start + 1, end),
                                     "overtime_min": 0.0})
        out.append(v)
    return fleet.model_copy(update={"vehicles": tuple(out)})


def apply_to_streets(streets: Sequence[Street], events: Sequence[Event]) -> list[Street]:
    """Work added: one more sweep of the street today, in its window when given, with no
    wait after the sweep before (a spill does not wait for the street's usual gap)."""
    adds: dict[str, list[Event]] = {}
    for e in events:
        if e.kind == "add" and e.street is not None:
            adds.setdefault(e.street, []).append(e)
    out = []
    for s in streets:
        for e in adds.get(s.id, []):
            whole = TimeWindow(start=0, end=2 * DAY_S)
            old = list(s.windows) or [whole]
            windows = [old[min(i, len(old) - 1)] for i in range(s.sweeps_per_day)]
            new = whole if e.at is None else TimeWindow(start=e.at, end=e.until or 2 * DAY_S)
            s = s.model_copy(update={"sweeps_per_day": s.sweeps_per_day + 1,
                                     "windows": tuple(windows + [new]),
                                     "min_hours_between": 0.0})
        out.append(s)
    return out
