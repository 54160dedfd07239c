"""Roster outputs a depot can use: the driver x day grid (CSV) and a sheet per person."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence

from streetcrew.models.base import hhmm
from streetcrew.models.crew import Assignment, CrewMember, Roster


def cell(a: Assignment, who: str) -> str:
    """``L1 03:00-09:40 driver``: the route, its hours and the person's role on it."""
    role = "driver" if a.driver == who else "helper"
    return f"{a.route} {hhmm(a.start)}-{hhmm(a.end)} {role}"


def roster_csv(roster: Roster, crew: Sequence[CrewMember]) -> str:
    """One row per person, one column per day (empty: off), then duties, hours, nights."""
    grid: dict[str, dict[dt.date, str]] = {}
    for a in roster.assignments:
        for who in (a.driver, a.helper):
            if who is not None:
                grid.setdefault(who, {})[a.day] = cell(a, who)
    load = {pl.id: pl for pl in roster.load}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["id", "name", "role", "depot", *roster.days, "duties", "hours", "nights"])
    for m in crew:
        pl = load.get(m.id)
        w.writerow([m.id, m.name, m.role, m.depot,
                    *(grid.get(m.id, {}).get(d, "") for d in roster.days),
                    pl.duties if pl else 0, f"{pl.hours:.2f}" if pl else "0.00",
                    pl.nights if pl else 0])
    return buf.getvalue()


def uncovered_csv(roster: Roster) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["day", "route", "role", "reason"])
    for u in roster.uncovered:
        w.writerow([u.day, u.route, u.role, u.reason])
    return buf.getvalue()


def person_sheet(member: CrewMember, roster: Roster) -> str:
    """A printable week for one person: each day's route, vehicle, depot and hours."""
    mine = {a.day: a for a in roster.assignments if member.id in (a.driver, a.helper)}
    title = f"{member.id} {member.name}".strip()
    lines = [f"# {title}", "", f"Depot {member.depot}; {member.role}"
             + (f", licences {', '.join(member.licences)}" if member.licences else ""), "",
             "| day | route | vehicle | role | from | to | hours |",
             "|---|---|---|---|---|---|---|"]
    hours = 0.0
    for day in roster.days:
        a = mine.get(day)
        if a is None:
            lines.append(f"| {day} | off | | | | | |")
            continue
        h = (a.end - a.start) / 3600
        hours += h
        role = "driver" if a.driver == member.id else "helper"
        partner = a.helper if role == "driver" else a.driver
        with_whom = f" (with {partner})" if partner else ""
        lines.append(f"| {day} | {a.route} | {a.vehicle} ({a.vehicle_type}) | {role}{with_whom} "
                     f"| {hhmm(a.start)} | {hhmm(a.end)} | {h:.2f} |")
    lines += ["", f"{len(mine)} duties, {hours:.2f} h (contract {member.contract_hours:g} h a "
                  "week)", ""]
    return "\n".join(lines)
