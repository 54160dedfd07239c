"""Roster outputs a depot can use: the driver x day grid (CSV, and Excel where openpyxl is
installed) and a sheet per person."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from streetcrew.models.base import hhmm
from streetcrew.models.crew import Assignment, CrewMember, Roster


def cell(a: Assignment, who: str) -> str:
    """``L1 03:00-09:40 driver``: the route, its hours and the person's role on it."""
    role = "driver" if a.driver == who else "helper"
    return f"{a.route} {hhmm(a.start)}-{hhmm(a.end)} {role}"


def roster_table(roster: Roster, crew: Sequence[CrewMember]) -> tuple[list[str], list[list[Any]]]:
    """(header, rows): one row per person, one column per day (empty: off), then duties,
    hours, nights."""
    grid: dict[str, dict[dt.date, str]] = {}
    for a in roster.assignments:
        for who in (a.driver, a.helper):
            if who is not None:
                grid.setdefault(who, {})[a.day] = cell(a, who)
    load = {pl.id: pl for pl in roster.load}
    header = ["id", "name", "role", "depot", *map(str, roster.days), "duties", "hours", "nights"]
    rows: list[list[Any]] = []
    for m in crew:
        pl = load.get(m.id)
        rows.append([m.id, m.name, m.role, m.depot,
                     *(grid.get(m.id, {}).get(d, "") for d in roster.days),
                     pl.duties if pl else 0, round(pl.hours, 2) if pl else 0.0,
                     pl.nights if pl else 0])
    return header, rows


def roster_csv(roster: Roster, crew: Sequence[CrewMember]) -> str:
    """:func:`roster_table` as CSV text (hours with two decimals)."""
    header, rows = roster_table(roster, crew)
    return _csv(header, [[*r[:-2], f"{r[-2]:.2f}", r[-1]] for r in rows])


def uncovered_table(roster: Roster) -> tuple[list[str], list[list[Any]]]:
    return (["day", "route", "role", "reason"],
            [[str(u.day), u.route, u.role, u.reason] for u in roster.uncovered])


def uncovered_csv(roster: Roster) -> str:
    return _csv(*uncovered_table(roster))


def _csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
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
