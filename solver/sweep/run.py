"""The sweeping workflow: read the streets and fleet, plan, check, write.

One function each for the steps, and :func:`run` for all of them: the command line
(``streetcrew plan``), the benchmarks and the Python API call these, so a plan is made
and verified the same way everywhere. A plan that fails its checker is never written.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from streetcrew.models.base import InputError
from streetcrew.models.cases import Report, record_cases
from streetcrew.models.fleet import Fleet
from streetcrew.models.io.common import input_file
from streetcrew.models.io.districts import read_districts
from streetcrew.models.io.fleet import check_allowed_types, read_fleet
from streetcrew.models.io.gis import write_gpkg
from streetcrew.models.io.schedule import read_schedule
from streetcrew.models.io.streets import read_street_source
from streetcrew.models.schedule import Event, InputRef, Schedule, Violation
from streetcrew.models.streets import Street
from streetcrew.solver.graph import stop
from streetcrew.solver.graph.kept import check_replan
from streetcrew.solver.graph.network import nearest_streets
from streetcrew.solver.outputs import pictures
from streetcrew.solver.outputs.report import write_plan_report
from streetcrew.solver.outputs.schedule_files import (
    moved,
    route_features,
    staged,
    writable,
    write_routes_geojson,
    write_schedule_json,
    write_tables,
)
from streetcrew.solver.outputs.sheets import write_sheets
from streetcrew.solver.outputs.summary import write_summary
from streetcrew.solver.outputs.tables import xlsx_notes
from streetcrew.solver.sweep.check import check_schedule
from streetcrew.solver.sweep.cluster import connect
from streetcrew.solver.sweep.districts import assign_districts
from streetcrew.solver.sweep.events import apply_to_fleet, apply_to_streets, check_events
from streetcrew.solver.sweep.params import PlanParams
from streetcrew.solver.sweep.plan import plan_sweeping
from streetcrew.solver.sweep.replan import replan
from streetcrew.solver.sweep.stable import check_changes, key, orders_of, with_changes
from streetcrew.solver.sweep.tasks import coords_notes, fleet_notes

log = logging.getLogger(__name__)


@dataclass
class PlanRun:
    """A checked plan with what it was made from, the files written and the seconds taken."""

    schedule: Schedule
    streets: list[Street]
    fleet: Fleet
    seconds: dict[str, float] = field(default_factory=dict)  # read, plan, check, write
    written: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)  # urgent cases, as dispatched

    @property
    def passed(self) -> bool:
        return self.schedule.checked and not self.schedule.violations


def load(streets_path: Path, fleet_path: Path, day: dt.date | None = None,
         coords: str = "wgs84", encoding: str | None = None) -> tuple[list[Street], Fleet]:
    """The streets and the fleet, refused when a street names a vehicle type the fleet lacks;
    ``coords``: the coordinate system of a file that does not name its own; ``encoding``: a
    street CSV's text encoding, None to detect UTF-8 or GBK."""
    streets = read_street_source(streets_path, day, coords, encoding)
    fleet = read_fleet(fleet_path, coords)
    check_allowed_types(streets, fleet, str(streets_path))
    return streets, fleet


def plan(streets: Sequence[Street], fleet: Fleet, params: PlanParams | None = None,
         inputs: dict[str, InputRef] | None = None, day: dt.date | None = None) -> Schedule:
    """Plan and check: the schedule carries the checker's verdict (``violations``)."""
    schedule = plan_sweeping(streets, fleet, params, inputs, day)
    return schedule.with_check(check_schedule(streets, fleet, schedule))


def write(run: PlanRun, out: Path, attribution: str | None = None, tiles: str | None = None,
          coords: str = "wgs84", lang: str = "en") -> list[Path]:
    """schedule.json, routes.csv, steps.csv, routes.geojson, summary.md, unassigned.csv, a
    sheet per route (Markdown and HTML), map and gantt pictures and report.html; the GeoJSON
    and the page's map in the coordinate system ``coords`` (schedule.json stays WGS-84); the
    sheets and summary.md in ``lang`` (en, zh); routes.xlsx where openpyxl is installed.

    Sheets of an earlier plan in ``out/sheets`` are removed first.
    """
    log.info("writing the files")
    with staged(out) as tmp:
        files = _write(run, tmp, attribution, tiles, coords, lang)
    run.notes += pictures.font_notes(s.name for s in run.streets) + xlsx_notes("routes.xlsx")
    return moved(files, tmp, out)


def _write(run: PlanRun, out: Path, attribution: str | None, tiles: str | None,
           coords: str = "wgs84", lang: str = "en") -> list[Path]:
    schedule = run.schedule
    files = [write_schedule_json(schedule, out / "schedule.json")]
    files += write_tables(schedule, out, run.streets)
    files.append(write_routes_geojson(schedule, run.streets, out / "routes.geojson",
                                      attribution, coords))
    # the same lines as a GeoPackage layer in WGS-84 for GIS software (with the gis extra)
    gpkg = write_gpkg([f for r in route_features(schedule, run.streets) for f in r],
                      out / "routes.gpkg")
    files += [gpkg] if gpkg is not None else []
    files += write_summary(schedule, run.streets, run.fleet, out, lang)
    files += write_sheets(_rest_of_day(schedule), run.streets, out / "sheets",
                          Counter(v.id for v in run.fleet.vehicles), lang=lang,
                          notes_by_route={r.who: [r.changed] for r in schedule.routes
                                          if r.changed})
    files.append(pictures.draw_map(schedule, run.streets, out / "map.png", fleet=run.fleet))
    files.append(pictures.draw_gantt(schedule, out / "gantt.png"))
    files.append(write_plan_report(schedule, run.streets, run.fleet, out / "report.html",
                                   sheets=[f for f in files if f.parent == out / "sheets"],
                                   tiles=tiles, attribution=attribution, coords=coords))
    return files


def _rest_of_day(schedule: Schedule) -> Schedule:
    """A re-plan's routes from the re-plan on (what a driver is handed); a plan as it is."""
    if schedule.replan is None:
        return schedule
    keep = schedule.replan.keep
    routes = []
    for r in schedule.routes:
        steps = tuple(s for s in r.steps if s.end >= keep.get(key(r.vehicle, r.shift), 0))
        steps = steps or r.steps[-1:]  # its day was over: where it ended
        routes.append(r.model_copy(update={
            "steps": steps, "served_m": sum(s.distance_m for s in steps if s.type == "serve"),
            "deadhead_m": sum(s.distance_m for s in steps if s.type == "deadhead")}))
    return schedule.model_copy(update={"routes": tuple(routes)})


def replan_run(origin_path: Path, at: int, events: Sequence[Event],
               params: PlanParams | None = None, out: Path | None = None,
               started: float | None = None, tiles: str | None = None,
               coords_out: str = "wgs84", lang: str = "en", reports: Sequence[Report] = (),
               register: Path | None = None) -> PlanRun:
    """Read the plan (and the street and fleet files it names), plan the rest of its day
    again from ``at`` after ``events`` and urgent ``reports`` (each a sweep of its street
    added within its deadline), check it (against the plan too) and write it; the reports
    go into the case register ``register``, dispatched or impossible with the reason."""
    started = time.perf_counter() if started is None else started
    params = params or PlanParams()
    origin = read_schedule(origin_path)
    if origin.kind != "sweep":
        raise InputError(str(origin_path), None, "kind", f"is a {origin.kind} plan: replan takes "
                         "a sweeping plan's schedule.json")
    if out is not None and (out / "schedule.json").resolve() == origin_path.resolve():
        raise InputError(str(origin_path), None, "--out", "is the plan being re-planned: write "
                         "the re-plan into another folder")
    files = {n: input_file(origin_path, origin.inputs.get(n), n) for n in ("streets", "fleet")}
    ref = origin.inputs["streets"]
    streets, fleet = load(files["streets"], files["fleet"], origin.date, ref.coords,
                          ref.encoding)
    check_events(events, streets, fleet)
    if out is not None:
        writable(out)
    snapped = nearest_streets(streets, [(r.lon, r.lat) for r in reports], URGENT_SNAP_M)
    events = [*events, *(Event(kind="add", street=streets[k].id, at=r.filed, until=r.deadline,
                               note=r.case) for r, k in zip(reports, snapped) if k is not None)]
    read = time.perf_counter()
    refs = {n: origin.inputs[n] for n in ("streets", "fleet")}
    refs["origin"] = InputRef.of(origin_path)
    schedule = replan(origin, streets, fleet, at, events, params, refs, origin.date)
    planned = time.perf_counter()
    day_streets, day_fleet = apply_to_streets(streets, events), apply_to_fleet(fleet, events)
    schedule = schedule.with_check(_check(day_streets, day_fleet, schedule, None)
                                   + check_replan(schedule, origin))
    checked = time.perf_counter()
    result = PlanRun(schedule, day_streets, day_fleet, {
        "read": round(read - started, 2), "plan": round(planned - read, 2),
        "check": round(checked - planned, 2)})
    if out is not None and result.passed:
        result.written = write(result, out, None, tiles, coords_out, lang)
        result.seconds["write"] = round(time.perf_counter() - checked, 2)
        if reports and register is not None:
            done = [_dispatched(r.model_copy(update={"date": origin.date}), k, streets,
                                schedule) for r, k in zip(reports, snapped)]
            result.written.append(record_cases(register, done))
            result.reports = done
    return result


URGENT_SNAP_M = 100.0  # a report farther than this from every street is not on a street


def _dispatched(report: Report, k: int | None, streets: Sequence[Street],
                schedule: Schedule) -> Report:
    """The report as the re-plan dispatched it: to whom and when, or why it cannot be."""
    if k is None:
        return report.model_copy(update={"status": "impossible", "reason": (
            f"no street within {URGENT_SNAP_M:.0f} m of the place reported")})
    street = streets[k]
    sweep = f"/s{street.sweeps_per_day + 1}"  # the sweep the re-plan added
    for r in schedule.routes:
        for s in r.steps:
            if s.type == "serve" and s.street == street.id and (s.task or "").endswith(sweep):
                return report.model_copy(update={"status": "dispatched", "street": street.id,
                                                 "vehicle": r.label, "planned": s.start})
    why = next((u.reason for u in schedule.unassigned
                if u.street == street.id and u.task.endswith(sweep)), "not planned")
    return report.model_copy(update={"status": "impossible", "street": street.id,
                                     "reason": why})


def recheck_file(path: Path, schedule: Schedule) -> Schedule:
    """A sweeping plan read from ``path``, checked against the files it names (refused when
    one is missing or has changed since), and against the plan before or the plan it
    re-planned when it names one."""
    files = {n: input_file(path, schedule.inputs.get(n), n) for n in ("streets", "fleet")}
    ins = schedule.inputs
    streets = read_street_source(files["streets"], schedule.date, ins["streets"].coords,
                                 ins["streets"].encoding)
    fleet = read_fleet(files["fleet"], ins["fleet"].coords)
    name = "origin" if schedule.replan is not None else "previous"
    ref = ins.get(name)
    before = read_schedule(input_file(path, ref, name)) if ref is not None else None
    if schedule.replan is not None and before is not None:
        return recheck_replan(schedule, streets, fleet, before)
    return recheck(schedule, streets, fleet, before)


def recheck_replan(schedule: Schedule, streets: Sequence[Street], fleet: Fleet,
                   origin: Schedule) -> Schedule:
    """A re-plan read back: its events applied to the files, checked, and against its plan."""
    assert schedule.replan is not None
    events = schedule.replan.events
    return schedule.with_check(
        check_schedule(apply_to_streets(streets, events), apply_to_fleet(fleet, events),
                       schedule) + check_replan(schedule, origin))


MIN_PLAN_S = 0.5  # the least a search is given, whatever the limit


def reserve(streets: int, writing: bool) -> float:
    """Seconds kept back from the search: driving the routes after it, checking, and (when
    files are written) the files and pictures. Measured on the demo (523 streets): about
    0.3 s to drive, 0.1 s to check, 0.6 s to write; Campo Grande (13,495 streets) about ten
    times that."""
    return 0.5 + 0.0002 * streets + ((0.5 + 0.0004 * streets) if writing else 0.0)


def run(streets_path: Path, fleet_path: Path, day: dt.date | None = None,
        params: PlanParams | None = None, out: Path | None = None,
        attribution: str | None = None, tiles: str | None = None,
        started: float | None = None, coords_in: str = "wgs84", coords_out: str = "wgs84",
        encoding: str | None = None, lang: str = "en",
        previous: Path | None = None, districts: Path | None = None) -> PlanRun:
    """Read, plan, check and (when ``out`` is given and the plan passed) write, all within
    ``params.time_limit`` seconds from ``started`` (a ``time.perf_counter()`` value, by
    default now): the search gets what reading leaves, less :func:`reserve` for the rest.
    ``coords_in``: the coordinate system of an input that does not name its own;
    ``coords_out``: that of the GeoJSON and the page's map; ``encoding``: a street CSV's
    (None: detected); ``lang``: the sheets' and summary.md's language (en, zh);
    ``previous``: the plan before, to keep each pass with its vehicle (``plan --previous``);
    ``districts``: the bureau's district polygons (GeoJSON): each street is swept from a yard
    of its district, streets outside them all are not planned (listed with the reason)."""
    started = time.perf_counter() if started is None else started
    params = params or PlanParams()
    before = read_previous(previous, out) if previous is not None else None
    if before is not None:
        params = params.model_copy(update={"previous": orders_of(before)})
    log.info("reading the streets and the fleet")
    streets, fleet = load(streets_path, fleet_path, day, coords_in, encoding)
    hints = coords_notes(streets, fleet, coords_in)  # depots typed in from Amap, ...
    if districts is not None:
        streets, fleet, outside = assign_districts(streets, fleet, read_districts(districts),
                                                   str(districts))
        params = params.model_copy(update={"outside": frozenset(outside)})
        hints += [f"{len(outside)} streets lie outside every district of {districts} (first: "
                  f"{', '.join(outside[:5])}): not planned, listed with the reason"] if outside \
            else []
    if out is not None:
        writable(out)  # after the inputs are known good, before any planning time is spent
    if params.scheduler is not None:  # a scheduler that does not answer: said within 10 s
        try:
            connect(params.scheduler).close()
        except ConnectionError as exc:
            raise InputError(None, "--scheduler", "scheduler", str(exc)) from None
    refs = {"streets": InputRef.of(streets_path, coords_in, encoding),
            "fleet": InputRef.of(fleet_path, coords_in)}
    if previous is not None:
        refs["previous"] = InputRef.of(previous)
    if districts is not None:
        refs["districts"] = InputRef.of(districts)
    read = time.perf_counter()
    left = params.time_limit - (read - started) - reserve(len(streets), out is not None)
    budget = params.model_copy(update={"time_limit": max(MIN_PLAN_S, left)})
    schedule = plan_sweeping(streets, fleet, budget, refs, day)
    if stop.requested():
        schedule = schedule.model_copy(update={"interrupted": True})
    if before is not None:
        schedule = with_changes(schedule, before)
    planned = time.perf_counter()
    log.info("checking the plan (independent checker)")
    schedule = schedule.with_check(_check(streets, fleet, schedule, before))
    checked = time.perf_counter()
    result = PlanRun(schedule, streets, fleet, {
        "read": round(read - started, 2), "plan": round(planned - read, 2),
        "check": round(checked - planned, 2)}, notes=hints + fleet_notes(streets, fleet))
    if out is not None and result.passed:
        result.written = write(result, out, attribution, tiles, coords_out, lang)
        result.seconds["write"] = round(time.perf_counter() - checked, 2)
    return result


def recheck(schedule: Schedule, streets: Sequence[Street], fleet: Fleet,
            previous: Schedule | None = None) -> Schedule:
    """A schedule read back from a file, checked again against its streets and fleet (and,
    made with ``--previous``, its counts of changes against the plan before)."""
    return schedule.with_check(_check(streets, fleet, schedule, previous))


def _check(streets: Sequence[Street], fleet: Fleet, schedule: Schedule,
           previous: Schedule | None) -> list[Violation]:
    out = check_schedule(streets, fleet, schedule)
    return out + (check_changes(schedule, previous) if previous is not None else [])


def read_previous(path: Path, out: Path | None) -> Schedule:
    """The plan before (``--previous``): a sweeping plan's schedule.json, not the one this
    plan is about to write over."""
    if out is not None and path.resolve() == (out / "schedule.json").resolve():
        raise InputError(str(path), None, "--previous", f"is the schedule.json this plan writes "
                         f"over in {out}: plan into another --out, or copy it first")
    previous = read_schedule(path)
    if previous.kind != "sweep":
        raise InputError(str(path), None, "kind", f"is a {previous.kind} plan, --previous takes "
                         "a sweeping plan's schedule.json")
    return previous


def _pct(part: int, other: int) -> str:
    return f"{100 * part / (part + other):.1f} %" if part + other else "-"


def summary_rows(run: PlanRun) -> list[tuple[str, str]]:
    """What ``streetcrew plan`` prints: (label, value) pairs."""
    schedule, s = run.schedule, run.schedule.summary
    driven = s.served_km + s.deadhead_km
    bound = s.driven_km_lower_bound
    over = sum(1 for r in schedule.routes if r.overtime_s)
    gap = f"{100 * (driven - bound) / bound:.1f}" if bound else "?"
    return [
        ("status", schedule.status + (" (interrupted: the best plan found before the stop)"
                                      if schedule.interrupted else "")),
        ("vehicles used", f"{s.routes_used} of {len(run.fleet.vehicles)}"),
        ("km swept", f"{s.served_km:.1f}"),
        ("deadhead km", f"{s.deadhead_km:.1f} ({s.deadhead_pct:.1f} %)"),
        ("sweeping rate", f"{s.coverage_pct:.1f} % of the length to sweep"
                          if schedule.status != "no-work" else "- (nothing to sweep)"),
        ("unassigned", str(s.unassigned)),
        ("overtime", f"{s.overtime_s / 60:.0f} min"
                     + (f" ({over} routes past their shift end)" if s.overtime_s else "")),
        ("cost", f"{s.cost:.2f}" + (f" (the plan before: {s.previous_cost:.2f})"
                                    if s.previous_cost is not None else "")),
        *([("kept vehicle", f"{s.passes_kept} passes ({_pct(s.passes_kept, s.passes_changed)}); "
                            f"{s.passes_changed} moved to another vehicle or shift")]
          if s.passes_kept is not None and s.passes_changed is not None else []),
        ("km driven", f"{driven:.1f} (lower bound {bound:.1f}: at most {gap} % above the best "
                      "possible)" if bound else f"{driven:.1f}"),
        ("snapped", ", ".join(f"{k.split(':', 1)[1]} {m:.0f} m"
                              for k, m in schedule.snap_m.items())),
        ("checked", "feasible (independent checker)" if not schedule.violations
                    else f"{len(schedule.violations)} violation(s)"),
        ("wall s", f"{s.solve_s:.1f}"),
        *([("districts", f"{s.districts} ({s.district_s_mean or 0:.1f} s each on average, "
                         f"{s.district_s_max or 0:.1f} s at most)")] if s.districts else []),
    ]
