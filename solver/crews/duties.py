"""Duties from sweeping schedules, who may work them, and why a duty stays uncovered.

Shared by the roster model (:mod:`solver.crews_pulp`) and the outputs; the roster
checker (:mod:`solver.check_roster`) keeps its own reading of the rules.

A **duty** is one route on one day: from the route's first step (leaving the
depot) to its last (back at the depot). Each person works at most one duty a
day, from their home depot only (no travel between depots within a shift).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from streetcrew.models.base import days_from, format_clock
from streetcrew.models.crew import WEEKDAYS, Assignment, CrewMember, CrewRules, Duty, Roster
from streetcrew.models.schedule import Schedule


def route_label(vehicle: str, shift: int, shifts: int) -> str:
    """The vehicle id, with ``-shift2`` etc. when the vehicle has more than one shift."""
    return vehicle if shifts <= 1 else f"{vehicle}-shift{shift + 1}"


def duties(schedules: Sequence[tuple[dt.date, Schedule]], helper_types: set[str]
           ) -> list[Duty]:
    """The duties of each (date, sweep schedule); routes without steps are skipped."""
    out: list[Duty] = []
    for day, schedule in schedules:
        shifts: dict[str, int] = {}
        for r in schedule.routes:
            shifts[r.who] = shifts.get(r.who, 0) + 1
        for r in schedule.routes:
            if not r.steps or r.vehicle is None or r.vehicle_type is None or r.depot is None:
                continue  # a patrol team's walk is no vehicle duty
            out.append(Duty(day=day, route=route_label(r.vehicle, r.shift, shifts[r.vehicle]),
                            vehicle=r.vehicle, vehicle_type=r.vehicle_type, depot=r.depot,
                            start=r.steps[0].start, end=r.steps[-1].end,
                            helper=r.vehicle_type in helper_types))
    return out


def plan_days(first: dt.date | None, days: int) -> list[dt.date]:
    """``days`` consecutive days from ``first`` (today when not given)."""
    return days_from(first or dt.date.today(), days)


def weekday(day: dt.date) -> str:
    return WEEKDAYS[day.weekday()]


def is_night(duty: Duty, rules: CrewRules) -> bool:
    return rules.night_hours(duty.start, duty.end) >= rules.night_min_hours > 0 or (
        rules.night_min_hours == 0 and rules.night_hours(duty.start, duty.end) > 0)


def why_not(member: CrewMember, duty: Duty, role: str, rules: CrewRules) -> str | None:
    """Why this person may never work this duty in this role (None: they may)."""
    if role == "driver":
        if not member.drives:
            return "not a driver"
        if duty.vehicle_type not in member.licences:
            return f"no licence for {duty.vehicle_type}"
    elif not member.helps:
        return "not a helper"
    if member.depot != duty.depot:
        return f"based at {member.depot}"
    if weekday(duty.day) not in member.days:
        return f"not available on {weekday(duty.day)}"
    if duty.start < member.available_from or duty.end > member.available_to:
        return (f"available {format_clock(member.available_from)}-"
                f"{format_clock(member.available_to)} only")
    if duty.hours > rules.max_hours_day + 1e-9:
        return f"the duty lasts {duty.hours:.1f} h, over {rules.max_hours_day:g} h a day"
    return None


def diagnose(duty: Duty, role: str, crew: Sequence[CrewMember], rules: CrewRules,
             roster_days: dict[str, dict[dt.date, Assignment]]) -> str:
    """Why nobody works ``duty`` in ``role``: who could in principle, and what stopped them.

    ``roster_days[person][day]`` is the person's assignment that day, if any.
    """
    what = "drive" if role == "driver" else "help on"
    licensed = ([m for m in crew if m.drives and duty.vehicle_type in m.licences]
                if role == "driver" else [m for m in crew if m.helps])
    if role == "driver" and not licensed:
        return f"no one in the crew holds a licence for {duty.vehicle_type}"
    if role == "helper" and not licensed:
        return "no one in the crew is a helper"
    at_depot = [m for m in licensed if m.depot == duty.depot]
    if not at_depot:
        return (f"no one who may {what} a {duty.vehicle_type} is based at {duty.depot} "
                f"({len(licensed)} are, at other depots; no travel between depots in a shift)")
    able = [m for m in at_depot if why_not(m, duty, role, rules) is None]
    if not able:
        reasons = sorted({str(why_not(m, duty, role, rules)) for m in at_depot})
        return (f"the {len(at_depot)} at {duty.depot} who may {what} a {duty.vehicle_type} "
                f"cannot take it on {weekday(duty.day)} "
                f"{format_clock(duty.start)}-{format_clock(duty.end)}: {'; '.join(reasons)}")
    busy: dict[str, list[str]] = {}
    for m in able:
        mine = roster_days.get(m.id, {})
        if duty.day in mine:
            key = "working another route that day"
        else:
            key = _limit(m, duty, mine, rules)
        busy.setdefault(key, []).append(m.id)
    parts = [f"{len(ids)} {key} ({', '.join(sorted(ids)[:5])}{', ...' if len(ids) > 5 else ''})"
             for key, ids in sorted(busy.items())]
    return f"all {len(able)} who could {what} it are taken: " + "; ".join(parts)


def _limit(m: CrewMember, duty: Duty, mine: dict[dt.date, Assignment], rules: CrewRules
           ) -> str:
    """Which rule keeps a free person off this duty, given their other days."""
    day0 = duty.day
    start = duty.start
    for other_day, a in mine.items():
        gap_days = (other_day - day0).days
        if gap_days == -1 and start + 86_400 - a.end < rules.min_rest_hours * 3600:
            return f"resting after a duty ending {format_clock(a.end)} the day before"
        if gap_days == 1 and a.start + 86_400 - duty.end < rules.min_rest_hours * 3600:
            return f"resting before a duty starting {format_clock(a.start)} the next day"
    for first in range(-6, 1):  # every 7-day window that holds the duty's day
        window = {day0 + dt.timedelta(days=first + k) for k in range(7)}
        hours = sum((a.end - a.start) / 3600 for d, a in mine.items() if d in window)
        if hours + duty.hours > rules.max_hours_week + 1e-9:
            return f"at the weekly hours limit ({hours:.1f} h + {duty.hours:.1f} h in 7 days)"
    run = 0
    for k in range(-rules.max_consecutive_days, rules.max_consecutive_days + 1):
        d = day0 + dt.timedelta(days=k)
        run = run + 1 if (d in mine or k == 0) else 0
        if run > rules.max_consecutive_days:
            return f"would work more than {rules.max_consecutive_days} days in a row"
    return "kept off by a partner they must not pair with, or by the solver's time limit"


def by_person(roster: Roster) -> dict[str, dict[dt.date, Assignment]]:
    out: dict[str, dict[dt.date, Assignment]] = {}
    for a in roster.assignments:
        for who in (a.driver, a.helper):
            if who is not None:
                out.setdefault(who, {})[a.day] = a
    return out
