"""``streetcrew``: a thin command line over the domains' workflows.

Each command parses its options, calls one ``run`` function of a domain (which reads,
plans, checks with the independent checker and writes only what passed), and prints.
Input errors are caught here and only here: the message (file, record, field) goes to
stderr and the exit code is 2; ``--debug`` shows the traceback instead. Exit code 1 means
a result failed its checker (nothing is written then), a benchmark missed its gate, or
work was left undone where the command promises it all; 0 means success.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import time
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar, cast

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from streetcrew import STARTED, instances
from streetcrew.models.base import InputError, hhmm, parse_date
from streetcrew.models.cases import close_cases
from streetcrew.models.coords import CoordSystem
from streetcrew.models.io.bks import read_bks
from streetcrew.models.io.carp import read_carp
from streetcrew.models.io.common import read_text
from streetcrew.models.io.osm import ATTRIBUTION as OSM_ATTRIBUTION
from streetcrew.models.io.osm import OsmImport, read_osm
from streetcrew.models.io.schedule import read_schedule
from streetcrew.models.io.streets import load_streets
from streetcrew.models.io.write_streets import write_geojson
from streetcrew.models.schedule import Violation
from streetcrew.models.streets import ROAD_CLASSES
from streetcrew.solver.bench import carp as bench
from streetcrew.solver.carp import run as carp
from streetcrew.solver.carp.params import Engine, SolveParams
from streetcrew.solver.carp.solve import NoSolutionError
from streetcrew.solver.crews import run as crews
from streetcrew.solver.graph import stop
from streetcrew.solver.outputs.progress import LiveLine
from streetcrew.solver.outputs.tables import text_table
from streetcrew.solver.patrol import run as patrol
from streetcrew.solver.patrol.plan import PatrolParams
from streetcrew.solver.scenarios import run as scenarios
from streetcrew.solver.scenarios.compare import Run
from streetcrew.solver.sweep import run as sweep
from streetcrew.solver.sweep.events import parse_at, parse_event, parse_report
from streetcrew.solver.sweep.params import CHANGE_COST, PlanParams

app = typer.Typer(
    help="Plan a city bureau's next day: sweeping routes, volunteer patrols, crews; "
         "solve and benchmark CARP instances; check any result independently.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_show_locals=False)
err = Console(stderr=True)
_state = {"debug": False}
F = TypeVar("F", bound=Callable[..., Any])


class EngineChoice(StrEnum):
    auto = "auto"
    ortools = "ortools"
    pyvrp = "pyvrp"


LangChoice = StrEnum("LangChoice", ["en", "zh"])  # the sheets' (solver/outputs/lang.py)


def _input_boundary(fn: F, name: str) -> F:
    """Turn input errors into a one-line message on stderr and exit code 2."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with LiveLine(name, enabled=name != "bench"), stop.StopOnSignal(name in stop.STOPPABLE):
                done = fn(*args, **kwargs)
            if stop.requested():  # the best plan so far was written; say it was cut short
                raise typer.Exit(130)
            return done
        except InputError as exc:
            if _state["debug"]:
                raise
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        except ValidationError as exc:
            if _state["debug"]:
                raise
            typer.echo(f"error: {exc.title}:", err=True)
            for e in exc.errors():
                where = ".".join(str(x) for x in e["loc"]) or "input"
                typer.echo(f"  field {where!r}: {e['msg']}", err=True)
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


def command(name: str) -> Callable[[F], F]:
    """A command of the app, with input errors caught at the boundary."""

    def wrap(fn: F) -> F:
        app.command(name)(_input_boundary(fn, name))
        return fn

    return wrap


@app.callback()
def _main(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks instead of one-line errors.")
    ] = False,
) -> None:
    _state["debug"] = debug


# ------------------------------------------------------------------ options shared by commands
Seconds = Annotated[float | None, typer.Option(
    "--time-limit", "-t", min=0.001, show_default="10", help="Wall seconds per solve.")]
EngineOpt = Annotated[EngineChoice, typer.Option(
    "--engine", "-e", help="Routing engine (auto = portfolio of engines).")]
CoreWorkers = Annotated[int | None, typer.Option(
    "--workers", "-w", min=1, show_default="all cores", help="Processes per solve.")]
Workers = Annotated[int, typer.Option(
    "--workers", min=0, help="Processes (districts, meeting points, scenarios); 0: every core.")]
SchedulerOpt = Annotated[str | None, typer.Option(
    "--scheduler", help="Run on a Dask cluster: tcp://HOST:PORT.")]
Tiles = Annotated[str | None, typer.Option("--tiles", help="Basemap tile URL for report.html, "
    "e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png (the page is offline without).")]
CoordsIn = Annotated[CoordSystem, typer.Option("--coords-in", help="Coordinate system of every "
    "input file that names none: wgs84 (GPS, OSM), gcj02 (Amap, Tencent), bd09 (Baidu).")]
CoordsOut = Annotated[CoordSystem, typer.Option("--coords-out", help="Coordinate system of the "
    "GeoJSON and report.html's map, e.g. gcj02 for Amap tiles (schedule.json stays wgs84).")]
Encoding = Annotated[str | None, typer.Option("--encoding", show_default="detected: UTF-8, else "
    "GB18030 (GBK)", help="Text encoding of the input CSVs, e.g. utf-8, gbk, gb18030.")]
LangOpt = Annotated[LangChoice, typer.Option("--lang", help="Language of the route sheets and "
    "summary.md: en or zh (中文).")]
GeoJsonOut = Annotated[Path, typer.Option("--out", "-o", dir_okay=False,
                                          help="GeoJSON file to write.")]
JsonOut = Annotated[Path | None, typer.Option("--json", help="Write the results as JSON here.")]
StreetsOpt = Annotated[Path | None, typer.Option(
    "--streets", exists=True, dir_okay=False, show_default="bundled demo district (Nanjing, OSM)",
    help="Street file: GeoJSON, CSV with WKT, or an OSM extract.")]
FleetOpt = Annotated[Path | None, typer.Option(
    "--fleet", exists=True, dir_okay=False, show_default="bundled demo fleet",
    help="Fleet file: YAML or JSON.")]
DateOpt = Annotated[str | None, typer.Option(
    "--date", help="Plan date YYYY-MM-DD (street windows by day, case ages).")]
PlanSeconds = Annotated[float, typer.Option(
    "--time-limit", "-t", min=0.5, help="Wall seconds for the plan.")]
Solutions = Annotated[int | None, typer.Option(
    "--solutions", min=1, help="Stop each search after this many solutions instead of at the "
                               "time limit: the same plans on any machine.")]
RulesOpt = Annotated[Path | None, typer.Option("--rules", exists=True, dir_okay=False,
    help="Working-time rules (YAML); every rule has a documented default.")]


def _out(default: str) -> Any:
    return typer.Option("--out", help="Folder for the outputs.", show_default=default)


def _day(text: str | None) -> dt.date | None:
    return None if text is None else parse_date(text, None, "--date")


def _say(rows: Sequence[tuple[str, str]], width: int = 14) -> None:
    for key, value in rows:
        typer.echo(f"{key:<{width}} {value}")


def _fail(what: str, violations: Sequence[Violation | str], err: bool = True,
          tail: str = "; nothing written") -> None:
    """Print what failed its checker (stderr for a plan, stdout for `check`) and exit 1."""
    typer.echo(f"{what}: {len(violations)} violation(s){tail}", err=err)
    for v in list(violations)[:50] if err else violations:
        typer.echo(f"  {v}", err=err)
    raise typer.Exit(1)


def _checked(violations: Sequence[object]) -> str:
    return "feasible (independent checker)" if not violations else f"{len(violations)} violation(s)"


# ------------------------------------------------------------------------------- CARP core
@command("solve")
def solve_cmd(
    file: Annotated[Path | None, typer.Argument(
        exists=True, dir_okay=False, show_default=f"bundled {instances.DEFAULT_INSTANCE}",
        help="CARPLIB .dat file.")] = None,
    time_limit: Seconds = None,
    seed: Annotated[int, typer.Option("--seed", "-s", min=0, help="Random seed.")] = 0,
    engine: EngineOpt = EngineChoice.auto,
    json_out: Annotated[Path | None, typer.Option(
        "--json", help="Write the verified solution as JSON to this file.")] = None,
    workers: CoreWorkers = None,
) -> None:
    """Solve one instance, verify the result with the checker, print a summary."""
    options: dict[str, object] = {"seed": seed, "engine": engine.value}
    options |= {k: v for k, v in (("time_limit", time_limit), ("workers", workers))
                if v is not None}
    params = SolveParams.model_validate(options)
    try:
        result = carp.run(file or instances.default_instance(), params, json_out)
    except NoSolutionError as exc:
        typer.echo(f"no solution: {exc}", err=True)
        raise typer.Exit(1) from None
    problem, solution = result.problem, result.solution
    if result.violations:
        _fail(f"{problem.name}: the solver's result failed the check", result.violations)
    rows = [("instance", problem.name), ("cost", str(solution.cost)),
            ("vehicles", str(solution.vehicles)), ("wall s", f"{result.wall_s:.2f}"),
            ("engine", params.engine)]
    bk = bench.best_known_of(problem, read_bks(instances.bks_path()))
    if bk is not None:
        rows += [("best known", str(bk)), ("gap %", f"{bench.gap_pct(solution.cost, bk):.2f}")]
    if result.written is not None:
        rows.append(("json", str(result.written)))
    _say(rows, 11)


@command("check")
def check_cmd(
    file: Annotated[Path, typer.Argument(
        exists=True, dir_okay=False, help="CARPLIB .dat file, schedule.json or roster.json.")],
    solution_file: Annotated[Path | None, typer.Argument(
        exists=True, dir_okay=False, metavar="[SOLUTION.json]",
        help="Solution JSON to check against FILE.dat.")] = None,
) -> None:
    """Check FILE.dat SOLUTION.json (from `solve --json`), or a schedule.json or roster.json
    alone.

    A schedule or roster is re-verified against the files it names (their SHA-256 must
    match). Exit 1 if anything fails.
    """
    if solution_file is None:
        if file.suffix == ".json" and '"assignments"' in read_text(file)[1]:
            _check_roster_file(file)
        else:
            _check_schedule_file(file)
        return
    problem, solution, violations = carp.recheck(file, solution_file)
    if solution.instance != problem.name:
        typer.echo(f"warning: solution is for {solution.instance!r}, instance is "
                   f"{problem.name!r}", err=True)
    _report(violations, f"feasible, cost {solution.cost}")


def _report(violations: Sequence[Violation], ok: str) -> None:
    if violations:
        _fail("infeasible", violations, err=False, tail="")
    typer.echo(ok)


def _check_roster_file(path: Path) -> None:
    result = crews.recheck(path)
    r = result.roster
    _report(r.violations, f"feasible: {len(r.assignments)} duties over {len(r.days)} day(s), "
                          f"{len(r.uncovered)} uncovered with reasons")


def _check_schedule_file(path: Path) -> None:
    schedule = read_schedule(path)
    checked = (patrol.recheck_file(path, schedule) if schedule.kind == "patrol"
               else sweep.recheck_file(path, schedule))
    _report(checked.violations, f"feasible: {len(schedule.routes)} routes, "
                                f"{schedule.summary.unassigned} unassigned with reasons, "
                                f"cost {schedule.summary.cost:.2f}")


@command("bench")
def bench_cmd(
    targets: Annotated[list[str], typer.Argument(
        metavar="SET_OR_DIR", help="Bundled set (gdb, val, egl), folder of .dat files, or "
                                   ".dat file.")],
    time_limit: Annotated[float | None, typer.Option(
        "--time-limit", "-t", min=0.001, show_default="the set's tier in --threshold, else 10",
        help="Wall seconds per solve.")] = None,
    seeds: Annotated[int, typer.Option("--seeds", "-k", min=1, help="Seeds 0..K-1.")] = 1,
    engine: EngineOpt = EngineChoice.auto,
    json_out: JsonOut = None,
    workers: CoreWorkers = None,
    threshold: Annotated[Path | None, typer.Option(
        "--threshold", exists=True, dir_okay=False,
        help="Thresholds JSON (benchmarks/thresholds.json); exit 1 if the run misses them.")
    ] = None,
) -> None:
    """Run instances over seeds, verify every result, report gaps to best known."""
    tiers = bench.load_thresholds(threshold) if threshold else {}
    table = read_bks(instances.bks_path())
    default_limit = SolveParams.model_fields["time_limit"].default
    cases = [bench.BenchCase(set=s, problem=read_carp(path), time_limit=time_limit or (
        tiers[s].time_limit if s in tiers else default_limit))
        for s, path in bench.bench_inputs(targets)]
    records: list[bench.BenchRecord] = []
    progress = Progress(TextColumn("{task.description:<16}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=err, transient=True)
    with progress:
        task = progress.add_task("bench", total=len(cases) * seeds)
        for case in cases:
            progress.update(task, description=case.problem.name)
            for seed in range(seeds):
                records.append(bench.run_one(case, seed, cast(Engine, engine.value), workers,
                                             table))
                progress.advance(task)
    typer.echo(bench.text_report(records))
    if json_out is not None:
        _write_json(json_out, [r.model_dump() for r in records])
        typer.echo(f"\nrecords: {json_out}")
    failures = [f"{r.set}/{r.instance} seed {r.seed}: infeasible ({r.error})"
                for r in records if not r.feasible]
    if threshold is not None:
        for s in sorted({r.set for r in records} - set(tiers)):
            typer.echo(f"note: {threshold} has no tier for set {s!r}; only feasibility is gated")
        failures = bench.gate(records, tiers)
    if failures:
        typer.echo("\nFAILED:", err=True)
        for f in failures:
            typer.echo(f"  {f}", err=True)
        raise typer.Exit(1)
    if threshold is not None:
        typer.echo("\nthresholds met")


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


@command("bench-report")
def bench_report_cmd(
    files: Annotated[list[Path], typer.Argument(
        metavar="RECORDS.json", help="Files written by `streetcrew bench --json`.")],
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write the Markdown here instead of stdout.")] = None,
) -> None:
    """Render benchmark records as Markdown tables, engines side by side."""
    text = bench.render_markdown([r for f in files for r in bench.load_records(f)])
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"written: {out}")


# ------------------------------------------------------------------------------- streets
@command("import-osm")
def import_osm_cmd(
    file: Annotated[Path, typer.Argument(
        exists=True, dir_okay=False, metavar="FILE.osm",
        help="OpenStreetMap: .osm, .osm.xml, .osm.gz, .osm.bz2 or .osm.pbf.")],
    out: GeoJsonOut,
) -> None:
    """Build street segments from OpenStreetMap XML (split at intersections) as GeoJSON."""
    start = time.perf_counter()
    _imported(read_osm(file), out, start)


@command("import-osmnx")
def import_osmnx_cmd(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, metavar="FILE.graphml",
                                         help="An osmnx graph saved with ox.save_graphml.")],
    out: GeoJsonOut,
) -> None:
    """Street segments from an osmnx GraphML graph (a two-way street once) as GeoJSON."""
    from streetcrew.models.io.graphml import read_graphml

    start = time.perf_counter()
    _imported(read_graphml(file), out, start)


def _imported(r: OsmImport, out: Path, start: float) -> None:
    write_geojson(r.streets, out, OSM_ATTRIBUTION)
    rows = [("ways read", str(r.ways_read)), ("highway ways", str(r.highway_ways)),
            ("drivable ways", str(r.drivable_ways)),
            ("skipped ways", f"{r.skipped_ways} (area=yes or no motor access)"),
            ("segments", str(r.segments)), ("one-way", str(r.oneway_segments)),
            ("named", str(r.named_segments)), ("km", f"{r.km:.1f}"),
            ("missing nodes", f"{r.missing_nodes} (in {r.clipped_ways} clipped ways)"),
            ("wall s", f"{time.perf_counter() - start:.2f}"), ("written", str(out)),
            ("attribution", OSM_ATTRIBUTION)]
    if r.oneway_unrecognised:
        rows.insert(6, ("oneway ?", f"{r.oneway_unrecognised} ways (read as implied)"))
    _say(rows)


@command("streets")
def streets_cmd(
    file: Annotated[Path, typer.Argument(
        exists=True, dir_okay=False, metavar="FILE",
        help="Street file: GeoJSON (.geojson/.json) or CSV with a WKT geometry column.")],
    date: Annotated[str | None, typer.Option(
        "--date", "-d", help="Day to plan YYYY-MM-DD (selects the rows of a dated schedule "
                             "such as San Francisco's).")] = None,
) -> None:
    """Validate a street file and summarize it: segments per road class, km, one-way, windows."""
    result = load_streets(file, _day(date))
    streets = result.streets
    rows = [("file", result.file), ("dialect", result.dialect),
            ("records", str(result.records)), ("segments", str(len(streets))),
            ("km", f"{sum(s.length_m for s in streets) / 1000:.1f}"),
            ("one-way", str(sum(1 for s in streets if s.oneway != "no"))),
            ("windows", f"{sum(len(s.windows) for s in streets)} on "
                        f"{sum(1 for s in streets if s.windows)} segments")]
    if result.date is not None:
        rows.append(("date", f"{result.date.isoformat()} ({result.date:%A}), "
                             f"{sum(1 for s in streets if s.sweeps_per_day)} segments swept"))
    if result.no_geometry:
        rows.append(("no geometry", f"{result.no_geometry} records skipped"))
    if result.direction_missing:
        rows.append(("no direction", f"{result.direction_missing} records read as two-way"))
    _say(rows)
    by_class = [[c, str(len(seg)), f"{sum(s.length_m for s in seg) / 1000:.1f}",
                 str(sum(1 for s in seg if s.oneway != "no"))]
                for c in ROAD_CLASSES if (seg := [s for s in streets if s.road_class == c])]
    if by_class:
        typer.echo("\n" + text_table(["road class", "segments", "km", "one-way"], by_class))


# ------------------------------------------------------------------------------- sweeping
@command("plan")
def plan_cmd(
    streets: StreetsOpt = None,
    fleet: FleetOpt = None,
    date: DateOpt = None,
    time_limit: PlanSeconds = 60.0,
    out: Annotated[Path, _out("plan-out")] = Path("plan-out"),
    balance: Annotated[int, typer.Option(
        "--balance", min=0, help="Weight on the longest route (cost cents per second of its "
                                 "span); 0 plans for cost alone.")] = 0,
    workers: Workers = 0,
    crew: Annotated[Path | None, typer.Option(
        "--crew", exists=True, dir_okay=False,
        help="Crew CSV: also assign drivers (and helpers) to the routes.")] = None,
    rules: RulesOpt = None,
    days: Annotated[int, typer.Option(
        "--days", min=1, max=31, help="With --crew: roster this many days of the plan.")] = 1,
    engine: Annotated[str, typer.Option(
        "--engine", help="pyvrp (PyVRP's search, dumps inside it) or ortools (the baseline; "
                         "also what --balance uses).")] = "pyvrp",
    seed: Annotated[int | None, typer.Option(
        "--seed", min=0, help="Plan deterministically: the search is bounded by iterations "
                              "(--iterations, else 250 per second of -t), the same plan on "
                              "every run; -t stays a safety cap.")] = None,
    iterations: Annotated[int | None, typer.Option(
        "--iterations", min=1, help="PyVRP iterations (implies --seed 0 when no seed).")] = None,
    tiles: Tiles = None,
    scheduler: SchedulerOpt = None,
    coords_in: CoordsIn = CoordSystem.wgs84,
    coords_out: CoordsOut = CoordSystem.wgs84,
    encoding: Encoding = None,
    lang: LangOpt = LangChoice.en,
    previous: Annotated[Path | None, typer.Option(
        "--previous", exists=True, dir_okay=False, help="The plan before (its schedule.json): "
        "each pass keeps its vehicle unless moving it saves more than --change-cost.")] = None,
    change_cost: Annotated[float, typer.Option(
        "--change-cost", min=0, help="With --previous: the price of moving one pass to "
        "another vehicle or shift, in the fleet's currency.")] = CHANGE_COST,
    districts: Annotated[Path | None, typer.Option(exists=True, dir_okay=False, help="The "
        "bureau's district polygons (GeoJSON, a 'district' property).")] = None,
) -> None:
    """Plan tomorrow's sweeping: routes with timed steps, unassigned work with reasons.

    With --crew, the routes also get their drivers (see `streetcrew crews`)."""
    params = PlanParams(time_limit=time_limit, balance_weight=balance, workers=workers,
                        engine=engine, seed=seed or 0, iterations=iterations,
                        deterministic=seed is not None or iterations is not None,
                        scheduler=scheduler, change_cost=change_cost)
    result = sweep.run(streets or instances.demo_streets(), fleet or instances.demo_fleet(),
                       _day(date), params, out, OSM_ATTRIBUTION if streets is None else None,
                       tiles, STARTED, coords_in=coords_in, coords_out=coords_out,
                       encoding=encoding, lang=lang, previous=previous, districts=districts)
    for note in result.notes:
        typer.echo(f"note: {note}", err=True)
    if not result.passed:
        _fail("the plan failed its independent check", result.schedule.violations)
    _say([*sweep.summary_rows(result), ("written", str(out / "schedule.json"))])
    if crew is not None:
        typer.echo("")
        _crews([out / "schedule.json"], crew, rules, days, None, out, "auto", None,
               encoding=encoding, lang=lang)


@command("replan")
def replan_cmd(
    schedule: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                             help="The day's plan (its schedule.json).")],
    at: Annotated[str, typer.Option("--at", help="Now, HH:MM: what was driven before stays.")],
    breakdown: Annotated[list[str], typer.Option(
        help="VEHICLE@HH:MM: out of service from then (repeatable).")] = [],  # noqa: B006
    close: Annotated[list[str], typer.Option(help="STREET: closed from now.")] = [],  # noqa: B006
    cut_shift: Annotated[list[str], typer.Option(
        help="VEHICLE@HH:MM: its shift ends then.")] = [],  # noqa: B006
    add: Annotated[list[str], typer.Option(help="STREET or STREET@HH:MM-HH:MM: sweep it once "
                                                "more today (in that window).")] = [],  # noqa: B006
    report: Annotated[list[str], typer.Option(help="CASE:KIND@LON,LAT-HH:MM: an urgent case, "
                                                   "swept by the deadline.")] = [],  # noqa: B006
    register: Annotated[Path, typer.Option(help="The case register (CSV) the reports go in.")
                        ] = Path("cases.csv"),
    out: Annotated[Path, _out("replan-out")] = Path("replan-out"),
    time_limit: PlanSeconds = 10.0,
    lang: LangOpt = LangChoice.en,
) -> None:
    """Plan the rest of the day again after a breakdown, a closure, a shift cut, added work or
    urgent reports (a walk plan: inspected by today's walks); the work done stays."""
    events = [parse_event(kind, text) for kind, texts in (("breakdown", breakdown),
              ("close", close), ("cut", cut_shift), ("add", add)) for text in texts]
    now = parse_at(at)
    reports = [parse_report(r, now) for r in report]
    if (walks := read_schedule(schedule).kind == "patrol") and events:
        raise InputError(str(schedule), None, "--report", "a walk plan takes reports only")
    result = (patrol.replan_walks(schedule, now, reports, register, out, lang) if walks else
              sweep.replan_run(schedule, now, events, PlanParams(time_limit=time_limit), out,
                               STARTED, lang=lang, reports=reports, register=register))
    if not result.passed:
        _fail("the re-plan failed its independent check", result.schedule.violations)
    changed = [f"{r.label}: {r.changed}" for r in result.schedule.routes if r.changed]
    cases = [f"{r.case} {r.status}" + (f": {r.reason}" if r.reason else f" ({r.vehicle or r.inspector}"
             f" at {hhmm(r.planned or r.inspection or 0)})") for r in result.reports]
    _say([*(sweep.summary_rows(result) if not walks else []),  # type: ignore[arg-type]
          ("changed", "; ".join(changed) or "no route"),
          *([("cases", "; ".join(cases) + f" (register {register})")] if cases else []),
          ("written", str(out / "schedule.json"))])


@command("cases")
def cases_cmd(
    register: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    close: Annotated[list[str], typer.Option(help="CASE: inspected, close it.")] = [],  # noqa: B006
) -> None:
    """The case register: each urgent case from filing to closing; --close the inspected."""
    rows = [(r.case, r.status, r.vehicle or "", r.inspector or "", r.reason or "")
            for r in close_cases(register, close)]
    typer.echo(text_table(["case", "status", "swept by", "inspected by", "reason"], rows))


# ------------------------------------------------------------------------------- crews
@command("crews")
def crews_cmd(
    schedule: Annotated[list[Path], typer.Option(
        "--schedule", exists=True, dir_okay=False,
        help="A plan's schedule.json; repeat it for one plan per day.")],
    crew: Annotated[Path | None, typer.Option(
        "--crew", exists=True, dir_okay=False, show_default="bundled demo crew",
        help="Crew CSV (see models/io/crew.py for the columns).")] = None,
    rules: RulesOpt = None,
    fleet: Annotated[Path | None, typer.Option(
        "--fleet", exists=True, dir_okay=False, show_default="the fleet the schedule names",
        help="Fleet file: vehicle types, depots, which types need a helper.")] = None,
    days: Annotated[int | None, typer.Option(
        "--days", min=1, max=31, help="Days to roster; one schedule is repeated each day. "
                                      "Default: one day per schedule given.")] = None,
    start: Annotated[str | None, typer.Option(
        "--start", help="First day YYYY-MM-DD; default: the schedule's date, else tomorrow.")
    ] = None,
    out: Annotated[Path, _out("crews-out")] = Path("crews-out"),
    mip: Annotated[str, typer.Option(
        "--mip", help="auto (HiGHS where installed, else CBC), cbc or highs.")] = "auto",
    previous: Annotated[Path | None, typer.Option(
        "--previous", exists=True, dir_okay=False,
        help="An earlier roster.json: its last day's drivers keep their routes where they can "
             "(route knowledge).")] = None,
    time_limit: Annotated[float | None, typer.Option(
        "--time-limit", "-t", min=1.0, help="Seconds for the solver; default from the rules "
                                            "(60).")] = None,
    encoding: Encoding = None,
    lang: LangOpt = LangChoice.en,
) -> None:
    """Assign drivers (and helpers) to the routes and build the roster, with pulp.

    Writes roster.json, roster.csv (person x day), roster.png, uncovered.csv, a sheet per
    person and the schedule(s) with each route's driver. Exit 1 when some duty is uncovered.
    """
    first = None if start is None else parse_date(start, None, "--start")
    result = _crews(schedule, crew or instances.demo_crew(), rules, days, first, out, mip,
                    time_limit, fleet, previous, encoding, lang)
    if result.roster.uncovered:
        raise typer.Exit(1)


def _crews(schedule_paths: list[Path], crew_path: Path, rules_path: Path | None,
           days: int | None, start: dt.date | None, out: Path, mip: str,
           time_limit: float | None, fleet_path: Path | None = None,
           previous_path: Path | None = None, encoding: str | None = None, lang: str = "en"
           ) -> crews.RosterRun:
    """Roster the schedules, write the outputs when the roster passed, print the summary."""
    result = crews.run(schedule_paths, crew_path, rules_path, days, start, out, mip,
                       time_limit, fleet_path, previous_path, encoding, lang)
    for note in result.notes:
        typer.echo(f"note: {note}", err=True)
    roster = result.roster
    for st in roster.stages:
        gap = "-" if st.gap_pct is None else f"{st.gap_pct:.2f} %"
        typer.echo(f"{'stage ' + st.name:<14} {st.status}, objective {st.objective:g}, "
                   f"gap {gap}, {st.seconds:.1f} s")
    _say([
        ("roster", f"{roster.status} ({roster.solver}), {len(result.duties)} duties over "
                   f"{len(roster.days)} day(s), {roster.solve_s:.1f} s"),
        ("crew used", f"{sum(1 for pl in roster.load if pl.duties)} of {len(result.crew)}"),
        ("uncovered", str(len(roster.uncovered))),
        ("hours spread", f"{roster.hours_spread:.1f} h per 40 contracted (drivers)"),
        ("nights spread", str(roster.nights_spread)),
        ("route changes", f"{roster.driver_changes} (a route's driver differs from the day "
                          "before)"),
        ("checked", _checked(roster.violations)),
        ("written", str(out / "roster.json") if result.written else "nothing"),
    ])
    for u in roster.uncovered[:20]:
        typer.echo(f"  uncovered {u.day} {u.route} {u.role}: {u.reason}")
    if roster.violations:
        _fail("the roster failed its independent check", roster.violations)
    return result


# ------------------------------------------------------------------------------- scenarios
@command("compare")
def compare_cmd(
    scenario_files: Annotated[list[Path] | None, typer.Argument(
        exists=True, dir_okay=False, metavar="[SCENARIO.yaml]...",
        show_default="the bundled demo's scenarios",
        help="Scenario files: a base and named changes (models/scenario.py).")] = None,
    time_limit: Annotated[float, typer.Option(
        "--time-limit", "-t", min=1.0, help="Seconds per plan.")] = 60.0,
    seeds: Annotated[int, typer.Option(
        "--seeds", min=1, max=50, help="Plans per scenario, each from another start.")] = 1,
    solutions: Solutions = None,
    workers: Annotated[int, typer.Option("--workers", min=0,
                                         help="Local processes; 0: every core.")] = 0,
    scheduler: SchedulerOpt = None,
    out: Annotated[Path, _out("compare-out")] = Path("compare-out"),
) -> None:
    """Plan every scenario (and seed), check each plan, and compare the KPIs with the base.

    Writes comparison.csv, comparison.md, comparison.png and runs.json (every run).
    """
    result = scenarios.run_compare(scenario_files or [instances.demo_scenarios()],
                                   instances.demo_streets(), instances.demo_fleet(), seeds,
                                   time_limit, solutions, workers, scheduler, out, _say_run)
    typer.echo(result.markdown)
    typer.echo(f"written        {out / 'comparison.md'}")
    if not result.passed:
        raise typer.Exit(1)


def _say_run(run: Run, done: int, total: int) -> None:
    """One line on stderr per finished plan: a long comparison shows where it is."""
    what = ("FAILED: " + next(iter(run.reasons), "") if run.status == "failed" else
            f"cost {run.cost:.0f}, {run.unassigned} unassigned, "
            f"{'checked' if run.feasible else 'VIOLATIONS'}")
    typer.echo(f"[{done}/{total}] {run.scenario} (seed {run.seed}): {what}, {run.solve_s:.0f} s",
               err=True)


@command("size")
def size_cmd(
    vehicle_type: Annotated[str, typer.Option("--vehicle-type",
                                              help="The vehicle type to size.")],
    fleet: Annotated[Path | None, typer.Option(
        "--fleet", exists=True, dir_okay=False, show_default="bundled demo fleet",
        help="Fleet file; the other types stay as they are.")] = None,
    streets: StreetsOpt = None,
    date: DateOpt = None,
    time_limit: Annotated[float, typer.Option(
        "--time-limit", "-t", min=1.0, help="Seconds per plan.")] = 30.0,
    most: Annotated[int, typer.Option("--most", min=1, help="Give up above this many.")] = 200,
    workers: Annotated[int, typer.Option("--workers", min=0, help="Processes per plan.")] = 0,
    solutions: Solutions = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write size.csv here.")] = None,
    scenarios_file: Annotated[Path | None, typer.Option(
        "--scenarios", exists=True, dir_okay=False,
        help="A scenario file: its base gives the streets, fleet and date unless "
             "--streets/--fleet/--date do.")] = None,
    scenario: Annotated[str | None, typer.Option(
        "--scenario", help="Size under this scenario's changes (e.g. main roads twice a day); "
                           "needs --scenarios.")] = None,
) -> None:
    """The fewest vehicles of a type that sweep everything a fleet can (within shifts and
    windows), with the plans at one fewer and one more: the cost curve."""
    if date is not None:
        _day(date)
    r = scenarios.run_size(vehicle_type, streets, fleet, instances.demo_streets(),
                           instances.demo_fleet(), date, time_limit, most, workers, solutions,
                           out, scenarios_file, scenario)
    typer.echo(scenarios.size_report(r))
    if r.best is None:
        raise typer.Exit(1)


@command("bench-plan")
def bench_plan_cmd(
    cases_file: Annotated[Path, typer.Argument(
        exists=True, dir_okay=False, help="Plan cases (benchmarks/plans.json).")
    ] = Path("benchmarks/plans.json"),
    only: Annotated[list[str] | None, typer.Option(
        "--case", help="Run only these cases (repeatable).")] = None,
    json_out: JsonOut = None,
    workers: Workers = 0,
    keep: Annotated[Path | None, typer.Option(
        "--keep", help="Write each schedule and its check here.")] = None,
) -> None:
    """Plan each case whole (import included), check it, and compare with its target time."""
    from streetcrew.solver.bench import plans

    cases = [c for c in plans.load_cases(cases_file) if not only or c.name in only]
    records: list[Any] = []
    crew_records: list[Any] = []
    compares: list[Any] = []
    for case in cases:
        typer.echo(f"{case.name}: planning ({case.time_limit:g} s limit)...", err=True)
        if case.kind == "crews":
            crew_records.append(plans.run_crews_case(case, cases_file.parent))
        elif case.kind == "compare":
            compares.append(plans.run_compare_case(case, cases_file.parent, workers))
        else:
            records.append(plans.run_case(case, cases_file.parent, workers, keep))
    parts = ([plans.render(records)] if records else []) + (
        [plans.render_crews(crew_records)] if crew_records else []) + (
        [plans.render_compare(compares)] if compares else [])
    typer.echo("\n\n".join(parts))
    every = records + crew_records + compares
    if json_out is not None:
        _write_json(json_out, [r.model_dump() for r in every])
        typer.echo(f"\nrecords: {json_out}")
    if not all(r.feasible for r in every):
        raise typer.Exit(1)


# ------------------------------------------------------------------------------- patrol
@command("patrol")
def patrol_cmd(
    streets: Annotated[Path | None, typer.Option(
        "--streets", exists=True, dir_okay=False, show_default="bundled demo district",
        help="Street file (as for plan).")] = None,
    volunteers: Annotated[Path | None, typer.Option(
        "--volunteers", exists=True, dir_okay=False, show_default="bundled demo volunteers",
        help="Volunteers CSV.")] = None,
    cases: Annotated[Path | None, typer.Option(
        "--cases", exists=True, dir_okay=False, show_default="bundled demo cases",
        help="Reported cases CSV.")] = None,
    must_cover: Annotated[Path | None, typer.Option(
        "--must-cover", exists=True, dir_okay=False,
        show_default="bundled demo road chiefs' streets",
        help="CSV of street ids that must be patrolled.")] = None,
    date: DateOpt = None,
    time_limit: PlanSeconds = 60.0,
    out: Annotated[Path, _out("patrol-out")] = Path("patrol-out"),
    workers: Workers = 0,
    balance: Annotated[int, typer.Option(
        "--balance", min=0, help="Weight on the longest walk (per second); 0 lets a few walk "
                                 "long while others idle.")] = 1,
    history: Annotated[Path | None, typer.Option(
        "--history", exists=True, dir_okay=False,
        help="CSV street_id,date of earlier patrols.")] = None,
    rest_days: Annotated[float, typer.Option(
        "--rest-days", min=0, help="A street walked less than this many days ago rests today.")
    ] = 1.0,
    engine: Annotated[str, typer.Option(
        "--engine", help="ortools (with --balance) or pyvrp (prize-collecting).")] = "ortools",
    solutions: Solutions = None,
    tiles: Tiles = None,
    coords_in: CoordsIn = CoordSystem.wgs84,
    coords_out: CoordsOut = CoordSystem.wgs84,
    encoding: Encoding = None,
    lang: LangOpt = LangChoice.en,
    register: Annotated[Path | None, typer.Option(
        exists=True, dir_okay=False, help="The case register: a walk passes the street of "
        "each dispatched case to inspect it (written back).")] = None,
) -> None:
    """Plan volunteer patrols: who walks which streets, most important first."""
    demo = streets is None
    day = _day(date) or (instances.DEMO_DATE if demo else dt.date.today())
    inputs = patrol.load(streets or instances.demo_streets(),
                         volunteers or instances.demo_volunteers(), day,
                         cases or (instances.demo_cases() if demo else None),
                         must_cover or (instances.demo_must_cover() if demo else None), history,
                         coords=coords_in, encoding=encoding, register=register)
    params = PatrolParams(time_limit=time_limit, workers=workers, balance=balance,
                          rest_days=rest_days, engine=engine, solutions=solutions)
    result = patrol.run(inputs, params, day, out, OSM_ATTRIBUTION if demo else None, tiles,
                        coords_out=coords_out, lang=lang)
    for note in result.notes:
        typer.echo(f"note: {note}", err=True)
    schedule = result.schedule
    if not result.passed:
        _fail("the patrol plan failed its independent check", schedule.violations)
    _say([*patrol.summary_rows(result, rest_days), ("written", str(out / "schedule.json"))],
         11)


def main() -> None:
    app()


if __name__ == "__main__":
    main()

