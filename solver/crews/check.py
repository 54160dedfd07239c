"""Check a roster against the crew file and the rules, on its own reading of them.

Imports no solver: it reads the assignments as written and recomputes every rule
from the crew records, so a mistake in the roster model cannot hide here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from streetcrew.models.crew import WEEKDAYS, Assignment, CrewMember, CrewRules, Roster
from streetcrew.models.schedule import Schedule, Violation, violation


def check_roster(roster: Roster, crew: Sequence[CrewMember], rules: CrewRules,
                 schedules: Sequence[tuple[dt.date, Schedule]] = ()) -> list[Violation]:
    """Every broken rule as a sentence; empty when the roster keeps them all.

    ``schedules`` (ISO date, schedule) are the plans the roster staffs: each of their
    routes must appear on its day with the same hours.
    """
    people = {m.id: m for m in crew}
    out: list[Violation] = []
    uncovered = {(u.day, u.route, u.role) for u in roster.uncovered}
    for u in roster.uncovered:
        if not u.reason.strip():
            out.append(violation("uncovered", f"{u.day} {u.route}", f"uncovered {u.role} without a reason"))
    work: dict[str, list[tuple[Assignment, str]]] = {}
    for a in roster.assignments:
        where = f"{a.day} {a.route}"
        if a.driver is None and (a.day, a.route, "driver") not in uncovered:
            out.append(violation("coverage", where, "no driver and not listed as uncovered"))
        if a.helper_needed and a.helper is None and (a.day, a.route, "helper") not in uncovered:
            out.append(violation("coverage", where, "needs a helper, none given and not listed as uncovered"))
        if a.driver is None and a.helper is not None:
            out.append(violation("helper", where, f"a helper ({a.helper}) on a vehicle without a driver"))
        if not a.helper_needed and a.helper is not None:
            out.append(violation("helper", where, "a helper on a vehicle type that needs none"))
        if a.driver is not None and a.driver == a.helper:
            out.append(violation("helper", where, f"{a.driver} is both driver and helper"))
        for who, role in ((a.driver, "driver"), (a.helper, "helper")):
            if who is None:
                continue
            m = people.get(who)
            if m is None:
                out.append(violation("crew", where, f"{role} {who!r} is not in the crew file"))
                continue
            work.setdefault(who, []).append((a, role))
            out += [violation("rule", where, f"{role} {who}: {p}") for p in _may(m, a, role, rules)]
        if a.driver in people and a.helper in people:
            d, h = people[a.driver], people[a.helper]  # type: ignore[index]
            if h.id in d.not_with or d.id in h.not_with:
                out.append(violation("not-with", where, f"{d.id} and {h.id} must not share a vehicle"))
    for who, items in work.items():
        out += _person(who, [a for a, _ in items], rules)
    loads = {pl.id: pl for pl in roster.load}
    for m in crew:
        mine = [a for a, _ in work.get(m.id, [])]
        hours = sum((a.end - a.start) / 3600 for a in mine)
        pl = loads.get(m.id)
        if pl is None:
            out.append(violation("load", m.id, "missing from the roster's load table"))
        elif pl.duties != len(mine) or abs(pl.hours - hours) > 0.01:
            out.append(violation("load", m.id, f"load table says {pl.duties} duties, {pl.hours} h; the "
                       f"assignments give {len(mine)}, {hours:.2f} h"))
    for day, schedule in schedules:
        here = {(a.vehicle, a.start, a.end) for a in roster.assignments if a.day == day}
        for r in schedule.routes:
            if r.steps and (r.vehicle, r.steps[0].start, r.steps[-1].end) not in here:
                out.append(violation("coverage", f"{day} {r.vehicle}", "route of the schedule is not in the roster"))
    return out


def _may(m: CrewMember, a: Assignment, role: str, rules: CrewRules) -> list[str]:
    out = []
    if role == "driver":
        if m.role not in ("driver", "both"):
            out.append("is not a driver")
        elif a.vehicle_type not in m.licences:
            out.append(f"has no licence for {a.vehicle_type}")
    elif m.role not in ("helper", "both"):
        out.append("is not a helper")
    if m.depot != a.depot:
        out.append(f"is based at {m.depot}, the route starts at {a.depot}")
    day = WEEKDAYS[a.day.weekday()]
    if day not in m.days:
        out.append(f"does not work on {day}")
    if a.start < m.available_from or a.end > m.available_to:
        out.append("works outside their available hours")
    if (a.end - a.start) / 3600 > rules.max_hours_day + 1e-9:
        out.append(f"duty over {rules.max_hours_day:g} h")
    return out


def _person(who: str, mine: list[Assignment], rules: CrewRules) -> list[Violation]:
    out: list[Violation] = []
    origin = min(a.day for a in mine)

    def offset(a: Assignment) -> int:
        return (a.day - origin).days

    days = [offset(a) for a in mine]
    for d in sorted(set(days)):
        if days.count(d) > 1:
            out.append(violation("duties-a-day", who, f"{days.count(d)} duties on "
                       f"{(origin + dt.timedelta(days=d)).isoformat()}"))
    timeline = sorted((offset(a) * 86_400 + a.start, offset(a) * 86_400 + a.end, a.day)
                      for a in mine)
    for (_, e1, d1), (s2, _, d2) in zip(timeline, timeline[1:]):
        if s2 - e1 < rules.min_rest_hours * 3600:
            out.append(violation("rest", who, f"{(s2 - e1) / 3600:.1f} h rest between {d1} and {d2} "
                       f"(at least {rules.min_rest_hours:g} h)"))
    for first in range(max(days) + 1):
        week = sum((a.end - a.start) / 3600 for a in mine if first <= offset(a) < first + 7)
        if week > rules.max_hours_week + 1e-6:
            out.append(violation("weekly-hours", who, f"{week:.1f} h in the 7 days from "
                       f"{(origin + dt.timedelta(days=first)).isoformat()} "
                       f"(at most {rules.max_hours_week:g})"))
    run = 0
    for d in range(max(days) + 1):
        run = run + 1 if d in days else 0
        if run > rules.max_consecutive_days:
            out.append(violation("days-in-a-row", who, f"{run} days in a row up to "
                       f"{(origin + dt.timedelta(days=d)).isoformat()} "
                       f"(at most {rules.max_consecutive_days})"))
            break
    return out
