"""The crew workflow: read the plans to staff, the crew and the rules, roster, check, write.

``streetcrew crews``, ``streetcrew plan --crew``, the benchmarks and the Python API call
these. A roster that fails its checker is never written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from streetcrew.models.base import InputError
from streetcrew.models.crew import CrewMember, CrewRules, Duty, Roster
from streetcrew.models.io.common import input_file, load_json_model
from streetcrew.models.io.crew import read_crew, read_rules
from streetcrew.models.io.fleet import read_fleet
from streetcrew.models.io.schedule import read_schedule
from streetcrew.models.io.streets import read_street_source
from streetcrew.models.schedule import InputRef, Schedule
from streetcrew.models.streets import Street
from streetcrew.solver.crews.check import check_roster
from streetcrew.solver.crews.duties import duties, plan_days, route_label
from streetcrew.solver.crews.engine_pulp import pick_solver, solve_roster
from streetcrew.solver.outputs import pictures
from streetcrew.solver.outputs.roster_files import (
    person_sheet,
    roster_csv,
    roster_table,
    uncovered_csv,
    uncovered_table,
)
from streetcrew.solver.outputs.schedule_files import write_schedule_json
from streetcrew.solver.outputs.sheets import SheetInfo, write_sheets
from streetcrew.solver.outputs.tables import CSV_ENCODING, write_xlsx, xlsx_notes

log = logging.getLogger(__name__)


@dataclass
class RosterRun:
    """A checked roster, the crew, the (day, plan) pairs it staffs and the files written."""

    roster: Roster
    crew: list[CrewMember]
    rules: CrewRules
    per_day: list[tuple[dt.date, Schedule]]
    duties: list[Duty]
    written: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.roster.checked and not self.roster.violations


def roster_days(plans: Sequence[Schedule], days: int | None, start: dt.date | None
                ) -> list[tuple[dt.date, Schedule]]:
    """(day, plan) pairs: one plan repeated ``days`` times, or one plan per day.

    The first day is ``start``, else the first plan's date, else tomorrow.
    """
    if days is not None and len(plans) > 1 and days != len(plans):
        raise InputError(None, "--days", "days", f"{days} days but {len(plans)} schedules: "
                         "give one schedule to repeat, or one per day")
    first = start or plans[0].date or dt.date.today() + dt.timedelta(days=1)
    dates = plan_days(first, days or len(plans))
    return [(d, plans[k] if len(plans) > 1 else plans[0]) for k, d in enumerate(dates)]


def run(schedule_paths: Sequence[Path], crew_path: Path, rules_path: Path | None = None,
        days: int | None = None, start: dt.date | None = None, out: Path | None = None,
        mip: str = "auto", time_limit: float | None = None, fleet_path: Path | None = None,
        previous_path: Path | None = None, encoding: str | None = None, lang: str = "en"
        ) -> RosterRun:
    """Roster the plans, check the roster, and (``out`` given, the check passed) write
    roster.json, roster.csv, uncovered.csv, roster.png, a sheet per person and each day's
    plan with its drivers (:func:`write`). ``encoding``: the crew CSV's, None to detect."""
    plans = [read_schedule(p) for p in schedule_paths]
    per_day = roster_days(plans, days, start)
    rules = read_rules(rules_path) if rules_path is not None else CrewRules()
    if time_limit is not None:
        rules = rules.model_copy(update={"time_limit": time_limit})
    notes: list[str] = []
    helper_types = set(rules.helper_types)
    types: list[str] | None = None
    depots: list[str] | None = None
    vehicles: list[str] | None = None
    fleet_ref = plans[0].inputs.get("fleet")
    if fleet_path is None and fleet_ref is not None and Path(fleet_ref.path).is_file():
        fleet_path = Path(fleet_ref.path)
    if fleet_path is not None:
        fleet = read_fleet(fleet_path)
        types = [t.id for t in fleet.vehicle_types]
        depots = [d.id for d in fleet.depots]
        vehicles = [v.id for v in fleet.vehicles]
        helper_types |= {t.id for t in fleet.vehicle_types if t.needs_helper}
    else:
        notes.append("no fleet file (the schedule names none; --fleet): licences and depots "
                     "are not checked against it, helpers only per --rules")
    members = read_crew(crew_path, types, depots, vehicles, encoding)
    try:
        solver = pick_solver(mip)
    except ValueError as exc:
        raise InputError(None, "--mip", "mip", str(exc)) from None
    duty_list = duties(per_day, helper_types)
    before: dict[str, str] = {}
    if previous_path is not None:
        old = load_json_model(previous_path, Roster)
        last = old.days[-1] if old.days else None
        before = {a.route: a.driver for a in old.assignments
                  if a.day == last and a.driver is not None}
    log.info("rostering %d duties over %d day(s)", len(duty_list), len(per_day))
    roster = solve_roster(duty_list, members, rules, previous=before, solver=solver)
    refs = {"crew": InputRef.of(crew_path.resolve(), encoding=encoding)}
    refs |= {f"schedule{k}" if k else "schedule": InputRef.of(p.resolve())
             for k, p in enumerate(schedule_paths)}
    if rules_path is not None:
        refs["rules"] = InputRef.of(rules_path.resolve())
    roster = roster.model_copy(update={"inputs": refs})
    roster = roster.with_check(check_roster(roster, members, rules, per_day))
    result = RosterRun(roster, members, rules, per_day, duty_list, notes=notes)
    if out is not None and result.passed:
        result.written = write(result, out, lang)
    return result


def write(run: RosterRun, out: Path, lang: str = "en") -> list[Path]:
    """The staffed plans first, then the roster naming them as its inputs (with their
    SHA-256), so ``streetcrew check roster.json`` re-reads the files beside it even when a
    staffed plan replaced the plan it was made from (``plan --crew``). The vehicle sheets
    are in ``lang``; roster.xlsx is written where openpyxl is installed."""
    roster, members = run.roster, run.crew
    out.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    plans: list[Path] = []
    names = {m.id: m.name for m in members if m.name}
    for day, plan in run.per_day:
        one = len(run.per_day) == 1
        name = "schedule.json" if one else f"schedule-{day}.json"
        crewed = staffed(plan, roster, day)
        plans.append(write_schedule_json(crewed, out / name))
        streets = _streets_of(plan)
        if streets is not None and plan.kind == "sweep":  # the vehicle sheets, people named
            files += write_sheets(crewed, streets, out / ("sheets" if one else f"sheets-{day}"),
                                  info=SheetInfo(day, names), lang=lang)
    refs = {k: v for k, v in roster.inputs.items() if not k.startswith("schedule")}
    refs |= {f"schedule{k}" if k else "schedule": InputRef.of(p.resolve())
             for k, p in enumerate(plans)}
    files = plans + files
    roster = roster.model_copy(update={"inputs": refs})
    run.roster = roster
    files += [out / "roster.json", out / "roster.csv", out / "uncovered.csv"]
    files[-3].write_text(roster.model_dump_json(indent=1), encoding="utf-8")
    files[-2].write_text(roster_csv(roster, members), encoding=CSV_ENCODING)
    files[-1].write_text(uncovered_csv(roster), encoding=CSV_ENCODING)
    book = write_xlsx(out / "roster.xlsx", {"roster": roster_table(roster, members),
                                            "uncovered": uncovered_table(roster)})
    files += [book] if book is not None else []
    run.notes += xlsx_notes("roster.xlsx")
    sheets = out / "crew-sheets"
    sheets.mkdir(exist_ok=True)
    for m in members:
        files.append(sheets / f"{m.id}.md")
        files[-1].write_text(person_sheet(m, roster), encoding="utf-8")
    files.append(pictures.draw_roster(roster, members, out / "roster.png"))
    run.notes += pictures.font_notes(m.name for m in members)
    return files


def _streets_of(plan: Schedule) -> list[Street] | None:
    """The streets the plan was made on, when its street file is still there unchanged."""
    ref = plan.inputs.get("streets")
    if ref is None or not Path(ref.path).is_file() or hashlib.sha256(
            Path(ref.path).read_bytes()).hexdigest() != ref.sha256:
        return None
    return read_street_source(Path(ref.path), plan.date, ref.coords, ref.encoding)


def staffed(plan: Schedule, roster: Roster, day: dt.date) -> Schedule:
    """The day's plan with each route's driver and helper from the roster."""
    shifts: dict[str, int] = {}
    for r in plan.routes:
        shifts[r.who] = shifts.get(r.who, 0) + 1
    who = {a.route: a for a in roster.assignments if a.day == day}
    routes = []
    for r in plan.routes:
        a = who.get(route_label(r.who, r.shift, shifts[r.who]))
        routes.append(r.model_copy(update={"driver": a.driver if a else None,
                                           "helper": a.helper if a else None}))
    return plan.model_copy(update={"routes": tuple(routes)})  # its own date: it was planned so


def recheck(path: Path) -> RosterRun:
    """A roster.json checked again against its crew file, its rules and the plans it staffs
    (each refused when changed since the roster was made)."""
    roster = load_json_model(path, Roster)
    ref = roster.inputs.get("crew")
    crew = read_crew(input_file(path, ref, "crew"), encoding=ref.encoding if ref else None)
    names = sorted((k for k in roster.inputs if k.startswith("schedule")),
                   key=lambda k: int(k.removeprefix("schedule") or 0))
    plans = [read_schedule(input_file(path, roster.inputs[k], k)) for k in names]
    per_day = [(d, plans[k] if len(plans) > 1 else plans[0]) for k, d in enumerate(roster.days)]
    rules = roster.rules
    if "rules" in roster.inputs:  # the rules file it names (unchanged since: SHA-256)
        rules = read_rules(input_file(path, roster.inputs["rules"], "rules"))
    per_day = per_day if plans else []
    roster = roster.with_check(check_roster(roster, crew, rules, per_day))
    return RosterRun(roster, crew, rules, per_day, [])
