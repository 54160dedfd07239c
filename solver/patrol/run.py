"""The patrol workflow: read streets and volunteers (cases, must-cover streets, history),
plan the walks, check them, write.

``streetcrew patrol``, the benchmarks and the Python API call these. A plan that fails its
checker is never written.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from streetcrew.models.base import InputError, hhmm
from streetcrew.models.cases import Report, read_register, record_cases, write_register
from streetcrew.models.io.common import input_file
from streetcrew.models.io.patrol import (
    check_must_cover,
    read_cases,
    read_history,
    read_must_cover,
    read_volunteers,
)
from streetcrew.models.io.schedule import read_schedule
from streetcrew.models.io.streets import read_street_source
from streetcrew.models.patrol import Case, Volunteer
from streetcrew.models.schedule import InputRef, Replan, Schedule
from streetcrew.models.streets import Street
from streetcrew.solver.graph import stop
from streetcrew.solver.graph.kept import check_replan
from streetcrew.solver.graph.network import nearest_streets
from streetcrew.solver.outputs import pictures
from streetcrew.solver.outputs.report import write_patrol_report
from streetcrew.solver.outputs.schedule_files import (
    moved,
    staged,
    writable,
    write_routes_geojson,
    write_schedule_json,
    write_tables,
)
from streetcrew.solver.outputs.sheets import Map, SheetInfo, write_sheets
from streetcrew.solver.outputs.tables import xlsx_notes
from streetcrew.solver.patrol.check import check_patrol
from streetcrew.solver.patrol.model import CASE_SNAP_M
from streetcrew.solver.patrol.plan import (
    PatrolParams,
    plan_patrol,
    snap_cases,
    street_priorities,
    walk_streets,
)
from streetcrew.solver.patrol.replan import dispatch_inspection

log = logging.getLogger(__name__)


@dataclass
class PatrolInputs:
    """What a patrol plan is made from, read and validated."""

    streets: list[Street]
    volunteers: list[Volunteer]
    cases: list[Case] = field(default_factory=list)
    must_cover: list[str] = field(default_factory=list)
    history: dict[str, float] | None = None  # street id -> days since last walked
    refs: dict[str, InputRef] = field(default_factory=dict)
    register: Path | None = None  # the case register: cases to inspect on the way
    inspect: dict[str, str] = field(default_factory=dict)  # case -> street to pass


@dataclass
class PatrolRun:
    schedule: Schedule
    inputs: PatrolInputs
    seconds: dict[str, float] = field(default_factory=dict)
    written: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)  # urgent cases, as dispatched

    @property
    def passed(self) -> bool:
        return self.schedule.checked and not self.schedule.violations


def load(streets: Path, volunteers: Path, day: dt.date, cases: Path | None = None,
         must_cover: Path | None = None, history: Path | None = None, coords: str = "wgs84",
         encoding: str | None = None, register: Path | None = None) -> PatrolInputs:
    """Read every input; a must-cover or history id that is no street is an error naming
    its row. ``coords``: the coordinate system of a file that does not name its own;
    ``encoding``: the CSVs' text encoding, None to detect UTF-8 or GBK in each."""
    street_list = read_street_source(streets, day, coords, encoding)
    must = read_must_cover(must_cover, encoding) if must_cover else []
    if must_cover:
        check_must_cover(must, street_list, str(must_cover))
    files = {"streets": streets, "volunteers": volunteers, "cases": cases,
             "must_cover": must_cover}
    inspect: dict[str, str] = {}
    if register is not None:  # cases dispatched for a fix: a walk passes to inspect them
        due = [r for r in read_register(register) if r.status == "dispatched"
               and (r.date is None or r.date < day)]  # swept by now: the next day's walk
        walk = walk_streets(street_list)
        near = nearest_streets(walk, [(r.lon, r.lat) for r in due], CASE_SNAP_M)
        inspect = {r.case: walk[k].id for r, k in zip(due, near) if k is not None}
    return PatrolInputs(
        register=register, inspect=inspect,
        streets=street_list, volunteers=read_volunteers(volunteers, coords, encoding),
        cases=read_cases(cases, day, coords, encoding) if cases else [], must_cover=must,
        history=read_history(history, day, {s.id for s in street_list}, encoding)
        if history else None,
        refs={name: InputRef.of(p, coords, encoding) for name, p in files.items()
              if p is not None})


def plan(inputs: PatrolInputs, params: PatrolParams | None = None,
         day: dt.date | None = None) -> Schedule:
    """Plan the walks and check them: the schedule carries the checker's verdict."""
    schedule, _ = plan_patrol(inputs.streets, inputs.volunteers, inputs.cases,
                              inputs.must_cover, params, day, inputs.refs, inputs.history)
    return recheck(schedule, inputs.streets, inputs.volunteers, inputs.must_cover, inputs.cases)


def _named(path: Path, schedule: Schedule
           ) -> tuple[list[Street], list[Volunteer], list[str]]:
    """The streets, volunteers and must-cover ids a walk plan names (refused when a file is
    missing or has changed since)."""
    files = {n: input_file(path, schedule.inputs.get(n), n) for n in ("streets", "volunteers")}
    ins = schedule.inputs
    streets = read_street_source(files["streets"], schedule.date, ins["streets"].coords,
                                 ins["streets"].encoding)
    ref = ins.get("must_cover")
    must = read_must_cover(Path(ref.path), ref.encoding) if ref is not None else []
    vols = read_volunteers(files["volunteers"], ins["volunteers"].coords,
                           ins["volunteers"].encoding)
    return streets, vols, must


def recheck_file(path: Path, schedule: Schedule) -> Schedule:
    """A walk plan read from ``path``, checked against the files it names (refused when one
    is missing or has changed since), and a re-plan against the plan it came from."""
    streets, vols, must = _named(path, schedule)
    checked = recheck(schedule, streets, vols, must)
    ref = schedule.inputs.get("origin")
    if ref is None:
        return checked
    origin = read_schedule(input_file(path, ref, "origin"))
    return checked.with_check(list(checked.violations) + check_replan(schedule, origin))


def replan_walks(origin_path: Path, at: int, reports: Sequence[Report],
                 register: Path | None = None, out: Path | None = None,
                 lang: str = "en") -> PatrolRun:
    """Today's walks with each urgent case that needs an inspection put into the walk that
    passes it at the least extra walking before its deadline (or found impossible, said
    why), checked, against the walks they came from too, written, and the cases registered."""
    started = time.perf_counter()
    origin = read_schedule(origin_path)
    if out is not None and (out / "schedule.json").resolve() == origin_path.resolve():
        raise InputError(str(origin_path), None, "--out", "is the plan being re-planned: write "
                         "the re-plan into another folder")
    streets, vols, must = _named(origin_path, origin)
    cases = recorded_cases(origin) or []
    if out is not None:
        writable(out)
    schedule, done = origin, []
    for report in reports:
        schedule, row = dispatch_inspection(schedule, streets, vols, must, cases, at,
                                            report.model_copy(update={"date": origin.date}))
        done.append(row)
    schedule = schedule.model_copy(update={
        "inputs": {**origin.inputs, "origin": InputRef.of(origin_path)},
        "replan": schedule.replan or Replan(at=at, events=(), keep={
            f"{r.who}#{r.shift}": at for r in origin.routes})})
    planned = time.perf_counter()
    schedule = recheck(schedule, streets, vols, must, cases)
    schedule = schedule.with_check(list(schedule.violations) + check_replan(schedule, origin))
    inputs = PatrolInputs(streets=streets, volunteers=vols, cases=cases, must_cover=must,
                          refs=dict(schedule.inputs))
    result = PatrolRun(schedule, inputs, {"plan": round(planned - started, 2),
                                          "check": round(time.perf_counter() - planned, 2)})
    result.reports = done
    if out is not None and result.passed:
        result.written = write(result, out, None, None, "wgs84", lang)
        if register is not None and done:
            result.written.append(record_cases(register, done))
    return result


def recheck(schedule: Schedule, streets: Sequence[Street], volunteers: Sequence[Volunteer],
            must_cover: Sequence[str], cases: Sequence[Case] | None = None) -> Schedule:
    """The schedule with the checker's verdict. Without ``cases``, those of the cases file the
    schedule names are read (refused when it changed since), so the priorities are checked.
    The streets of register cases it must inspect count as must-cover streets."""
    if schedule.patrol is not None and schedule.patrol.inspect:
        must_cover = [*must_cover, *(s for s in schedule.patrol.inspect if s not in must_cover)]
    if cases is None:
        cases = recorded_cases(schedule)
    return schedule.with_check(check_patrol(streets, volunteers, must_cover, schedule,
                                            cases=cases))


def recorded_cases(schedule: Schedule) -> list[Case] | None:
    """The cases of the file the schedule names, [] when it names none; None when it has no
    date to age them by."""
    ref = schedule.inputs.get("cases")
    if ref is None:
        return []
    if schedule.date is None:
        return None
    return read_cases(input_file(Path(ref.path), ref, "cases"), schedule.date, ref.coords,
                      ref.encoding)


def cases_by_walk(schedule: Schedule, streets: Sequence[Street], cases: Sequence[Case],
                  lang: str = "en") -> dict[str, list[str]]:
    """Per walk (team), a line for each reported case on a street it walks, in ``lang``."""
    at: dict[str, list[Case]] = {}
    for case, k in snap_cases(streets, cases):
        if k is not None:
            at.setdefault(streets[k].id, []).append(case)
    out: dict[str, list[str]] = {}
    streets_map = Map(streets, lang=lang)
    say = streets_map.lang
    names = {s.id: streets_map.describe(k) for k, s in enumerate(streets)}
    for r in schedule.routes:
        seen = set()
        for st in r.steps:
            for case in at.get(st.street or "", []) if st.type == "serve" else []:
                if case.id not in seen:
                    seen.add(case.id)
                    days = round(case.age_days)
                    ago = say("today") if days == 0 else say(
                        "{n} days ago" if days > 1 else "{n} day ago", n=days)
                    out.setdefault(r.who, []).append(say(
                        "look at case {case} ({kind}, reported {ago}) on {name}, about {time}",
                        case=case.id, kind=say(case.kind.replace("-", " ")), ago=ago,
                        name=names[st.street or ""], time=hhmm(st.start)))
    return out


def write(run: PatrolRun, out: Path, attribution: str | None = None, tiles: str | None = None,
          coords: str = "wgs84", lang: str = "en") -> list[Path]:
    """schedule.json, routes.csv, steps.csv, patrol.geojson, a sheet per walk, coverage.png,
    report.html; written as :func:`~streetcrew.solver.outputs.schedule_files.staged` says;
    the GeoJSON and the page's map in the coordinate system ``coords``; the sheets in
    ``lang`` (en, zh); routes.xlsx where openpyxl is installed."""
    with staged(out) as tmp:
        files = _write(run, tmp, attribution, tiles, coords, lang)
    run.notes += xlsx_notes("routes.xlsx")
    return moved(files, tmp, out)


def _write(run: PatrolRun, out: Path, attribution: str | None, tiles: str | None,
           coords: str = "wgs84", lang: str = "en") -> list[Path]:
    s, inputs = run.schedule, run.inputs
    files = [write_schedule_json(s, out / "schedule.json")]
    walk = walk_streets(inputs.streets)  # the streets the walks were planned on
    files += write_tables(s, out, walk)
    files.append(write_routes_geojson(s, walk, out / "patrol.geojson", attribution, coords))
    files += write_sheets(s, walk, out / "sheets", info=SheetInfo(
        s.date, {v.id: v.name for v in inputs.volunteers if v.name}),
        notes_by_route=cases_by_walk(s, walk, inputs.cases, lang), lang=lang)
    priority, _, _ = street_priorities(walk, inputs.cases)
    files.append(pictures.draw_coverage(s, walk, list(priority), out / "coverage.png"))
    files.append(write_patrol_report(
        s, walk, out / "report.html", priority=dict(zip([w.id for w in walk], priority)),
        cases=inputs.cases, meeting_points={v.id: v.at for v in inputs.volunteers},
        sheets=[f for f in files if f.parent == out / "sheets"], tiles=tiles,
        attribution=attribution, coords=coords))
    return files


def run(inputs: PatrolInputs, params: PatrolParams | None = None, day: dt.date | None = None,
        out: Path | None = None, attribution: str | None = None, tiles: str | None = None,
        coords_out: str = "wgs84", lang: str = "en") -> PatrolRun:
    """Plan, check and (when ``out`` is given and the plan passed) write (the GeoJSON and the
    page's map in the coordinate system ``coords_out``, the sheets in ``lang``)."""
    started = time.perf_counter()
    if out is not None:
        writable(out)  # before any planning time is spent
    log.info("planning the walks")
    must = [*inputs.must_cover, *sorted(set(inputs.inspect.values()) - set(inputs.must_cover))]
    schedule, _ = plan_patrol(inputs.streets, inputs.volunteers, inputs.cases,
                              must, params, day, inputs.refs, inputs.history)
    if inputs.inspect:
        assert schedule.patrol is not None
        schedule = schedule.model_copy(update={"patrol": schedule.patrol.model_copy(
            update={"inspect": tuple(sorted(set(inputs.inspect.values())))})})
    if stop.requested():
        schedule = schedule.model_copy(update={"interrupted": True})
    planned = time.perf_counter()
    log.info("checking the walks (independent checker)")
    schedule = recheck(schedule, inputs.streets, inputs.volunteers, inputs.must_cover,
                       inputs.cases)
    checked = time.perf_counter()
    result = PatrolRun(schedule, inputs, {"plan": round(planned - started, 2),
                                          "check": round(checked - planned, 2)})
    if out is not None and result.passed:
        result.written = write(result, out, attribution, tiles, coords_out, lang)
        if inputs.register is not None and inputs.inspect:
            result.written.append(_inspections(inputs.register, inputs.inspect, schedule))
    return result


def _inspections(register: Path, inspect: dict[str, str], schedule: Schedule) -> Path:
    """The register with each case's inspection: the first walk that passes its street."""
    passes: dict[str, tuple[int, str]] = {}
    for r in schedule.routes:
        for s in r.steps:
            if s.type == "serve" and s.street is not None:
                passes[s.street] = min(passes.get(s.street, (s.start, r.label)),
                                       (s.start, r.label))
    rows = []
    for row in read_register(register):
        street = inspect.get(row.case)
        if street is not None and street in passes:
            at, team = passes[street]
            row = row.model_copy(update={"status": "inspection planned", "inspector": team,
                                         "inspected_on": schedule.date, "inspection": at})
        rows.append(row)
    return write_register(register, rows)


def summary_rows(run: PatrolRun, rest_days: float) -> list[tuple[str, str]]:
    """What ``streetcrew patrol`` prints: (label, value) pairs."""
    schedule = run.schedule
    k = schedule.patrol
    assert k is not None
    return [
        ("status", schedule.status + (" (interrupted: the best walks found before the stop)"
                                      if schedule.interrupted else "")),
        ("priority", f"{k.priority_covered_pct:.1f} % covered ({k.priority_covered:.0f} of "
                     f"{k.priority_total:.0f}; {k.covered_of_bound_pct:.1f} % of the "
                     f"{k.priority_upper_bound:.0f} the volunteers can reach at all)"),
        ("must-cover", f"{k.must_cover_met} of {k.must_cover} met"),
        ("patrolled", f"{k.streets_patrolled} streets, {k.km_patrolled:.1f} km "
                      f"({schedule.summary.coverage_pct:.1f} % of the length to walk)"),
        ("volunteers", f"{k.volunteers_used} of {k.volunteers} used"),
        ("route time", f"mean {k.mean_route_min:.0f} min, max {k.max_route_min:.0f} min"),
        ("resting", f"{k.streets_resting} streets walked less than {rest_days:g} day(s) ago"),
        ("cases", f"{k.cases_used} used, {len(k.cases_far)} too far from a street"
                  + (f" ({', '.join(k.cases_far[:5])})" if k.cases_far else "")),
        ("unassigned", str(schedule.summary.unassigned)),
        ("checked", "feasible (independent checker)" if not schedule.violations
                    else f"{len(schedule.violations)} violation(s)"),
        ("wall s", f"{schedule.summary.solve_s:.1f}"),
    ]
