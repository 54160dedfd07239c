"""``streetcrew``: a thin command line over the solver, the checker and the benchmark runner.

Input errors are caught here and only here: the message (file, record, field) goes to stderr and
the exit code is 2; ``--debug`` shows the traceback instead. Exit code 1 means a solution or a
benchmark run failed verification (or a quality gate); 0 means success.
"""

from __future__ import annotations

import functools
import json
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar, cast

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from streetcrew import instances
from streetcrew.models.io.bks import BestKnown, read_bks
from streetcrew.models.carp import CarpProblem
from streetcrew.models.base import InputError
from streetcrew.models.io.carp import read_carp
from streetcrew.models.io.osm import ATTRIBUTION as OSM_ATTRIBUTION
from streetcrew.models.io.osm import read_osm
from streetcrew.models.io.streets import load_streets
from streetcrew.models.solution import solution_from_dict
from streetcrew.models.streets import ROAD_CLASSES
from streetcrew.models.io.write_streets import write_geojson
from streetcrew.solver.bench.carp import (
    BenchCase,
    BenchRecord,
    Threshold,
    best_known_of,
    gap_pct,
    gate,
    load_records,
    load_thresholds,
    render_markdown,
    run_one,
    summarize_instances,
    summarize_sets,
)
from streetcrew.solver.carp.check import check
from streetcrew.solver.carp.params import Engine, SolveParams
from streetcrew.solver.carp.solve import NoSolutionError, solve

app = typer.Typer(
    help="Capacitated arc routing: solve CARPLIB instances, check solutions, run benchmarks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
err = Console(stderr=True)
_state = {"debug": False}


class EngineChoice(StrEnum):
    auto = "auto"
    ortools = "ortools"
    pyvrp = "pyvrp"


F = TypeVar("F", bound=Callable[..., Any])


def _input_boundary(fn: F) -> F:
    """Turn input errors into a one-line message on stderr and exit code 2."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
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


@app.callback()
def _main(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks instead of one-line errors.")
    ] = False,
) -> None:
    _state["debug"] = debug


def _engine(choice: EngineChoice) -> Engine:
    return cast(Engine, choice.value)


def _params(
    time_limit: float | None, seed: int, engine: EngineChoice, workers: int | None
) -> dict[str, object]:
    options: dict[str, object] = {"seed": seed, "engine": engine.value}
    if time_limit is not None:
        options["time_limit"] = time_limit
    if workers is not None:
        options["workers"] = workers
    return options


def _bks_table() -> dict[str, BestKnown]:
    return read_bks(instances.bks_path())


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


# Options shared by solve and bench
TimeLimit = Annotated[
    float | None,
    typer.Option(
        "--time-limit", "-t", min=0.001, show_default="10", help="Wall seconds per solve."
    ),
]
EngineOpt = Annotated[
    EngineChoice,
    typer.Option("--engine", "-e", help="Routing engine (auto = portfolio of engines)."),
]
Workers = Annotated[
    int | None,
    typer.Option(
        "--workers", "-w", min=1, show_default="all cores", help="Processes per solve."
    ),
]
DatFile = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, help="CARPLIB .dat file.")
]


@app.command("solve")
@_input_boundary
def solve_cmd(
    file: Annotated[
        Path | None,
        typer.Argument(
            exists=True,
            dir_okay=False,
            show_default=f"bundled {instances.DEFAULT_INSTANCE}",
            help="CARPLIB .dat file.",
        ),
    ] = None,
    time_limit: TimeLimit = None,
    seed: Annotated[int, typer.Option("--seed", "-s", min=0, help="Random seed.")] = 0,
    engine: EngineOpt = EngineChoice.auto,
    json_out: Annotated[
        Path | None,
        typer.Option("--json", help="Write the verified solution as JSON to this file."),
    ] = None,
    workers: Workers = None,
) -> None:
    """Solve one instance, verify the result with the checker, print a summary."""
    path = file if file is not None else instances.default_instance()
    problem = read_carp(path)
    params = SolveParams.model_validate(_params(time_limit, seed, engine, workers))
    start = time.perf_counter()
    try:
        solution = solve(problem, params)
    except NoSolutionError as exc:
        typer.echo(f"no solution: {exc}", err=True)
        raise typer.Exit(1) from None
    wall = time.perf_counter() - start
    violations = check(problem, solution)
    if violations:
        typer.echo(f"{problem.name}: the solver's result failed the check:", err=True)
        for v in violations:
            typer.echo(f"  {v}", err=True)
        raise typer.Exit(1)
    bk = best_known_of(problem, _bks_table())
    rows = [
        ("instance", problem.name),
        ("cost", str(solution.cost)),
        ("vehicles", str(solution.vehicles)),
        ("wall s", f"{wall:.2f}"),
        ("engine", params.engine),
    ]
    if bk is not None:
        rows += [("best known", str(bk)), ("gap %", f"{gap_pct(solution.cost, bk):.2f}")]
    for key, value in rows:
        typer.echo(f"{key:<11} {value}")
    if json_out is not None:
        _write_json(json_out, solution.to_dict(problem))
        typer.echo(f"{'json':<11} {json_out}")


@app.command("check")
@_input_boundary
def check_cmd(
    file: DatFile,
    solution_file: Annotated[
        Path | None,
        typer.Argument(
            exists=True, dir_okay=False, metavar="[SOLUTION.json]", help="Solution JSON to check."
        ),
    ] = None,
) -> None:
    """Check FILE.dat SOLUTION.json (from `solve --json`), or a plan's schedule.json alone.

    A schedule is re-verified against the street and fleet files it names (their
    SHA-256 must match). Exit 1 if anything fails.
    """
    if solution_file is None:
        if file.suffix == ".json" and '"assignments"' in file.read_text(encoding="utf-8",
                                                                         errors="replace"):
            _check_roster_file(file)
        else:
            _check_schedule_file(file)
        return
    problem = read_carp(file)
    name = str(solution_file)
    try:
        data = json.loads(solution_file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(name, f"line {exc.lineno}", None, f"not valid JSON: {exc.msg}") from None
    except UnicodeDecodeError as exc:
        raise InputError(name, None, None, f"not UTF-8 text: {exc.reason}") from None
    solution = solution_from_dict(problem, data, file=name)
    if solution.instance != problem.name:
        typer.echo(
            f"warning: solution is for {solution.instance!r}, instance is {problem.name!r}",
            err=True,
        )
    violations = check(problem, solution)
    if violations:
        typer.echo(f"infeasible: {len(violations)} violation(s)")
        for v in violations:
            typer.echo(f"  {v}")
        raise typer.Exit(1)
    typer.echo(f"feasible, cost {solution.cost}")


def _input_file(path: Path, ref: Any, name: str) -> Path:
    """The input a plan or roster names, refused when missing or changed since."""
    import hashlib

    if ref is None:
        raise InputError(str(path), "inputs", name, "missing: the file does not say its input")
    source = Path(ref.path)
    if not source.is_file():
        raise InputError(str(path), f"inputs.{name}", "path", f"{source} does not exist")
    if hashlib.sha256(source.read_bytes()).hexdigest() != ref.sha256:
        raise InputError(str(path), f"inputs.{name}", "sha256",
                         f"{source} has changed since the file was made")
    return source


def _check_roster_file(path: Path) -> None:
    """Re-verify a roster.json against its crew file, its rules and the schedules it staffs."""
    from streetcrew.models.crew import Roster
    from streetcrew.models.io.crew import read_crew
    from streetcrew.models.schedule import Schedule
    from streetcrew.solver.crews.check import check_roster

    try:
        roster = Roster.model_validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as exc:
        err = exc.errors()[0]
        raise InputError(str(path), None, ".".join(str(x) for x in err["loc"]) or None,
                         err["msg"]) from None
    crew = read_crew(_input_file(path, roster.inputs.get("crew"), "crew"))
    names = sorted((k for k in roster.inputs if k.startswith("schedule")),
                   key=lambda k: int(k.removeprefix("schedule") or 0))
    plans = [Schedule.model_validate_json(_input_file(path, roster.inputs[k], k)
                                          .read_text(encoding="utf-8")) for k in names]
    per_day = [(d, plans[k] if len(plans) > 1 else plans[0]) for k, d in enumerate(roster.days)]
    rules = roster.rules
    if "rules" in roster.inputs:  # the rules file it names (unchanged since: SHA-256)
        from streetcrew.models.io.crew import read_rules

        rules = read_rules(_input_file(path, roster.inputs["rules"], "rules"))
    problems = check_roster(roster, crew, rules, per_day if plans else [])
    if problems:
        typer.echo(f"infeasible: {len(problems)} violation(s)")
        for p in problems:
            typer.echo(f"  {p}")
        raise typer.Exit(1)
    typer.echo(f"feasible: {len(roster.assignments)} duties over {len(roster.days)} day(s), "
               f"{len(roster.uncovered)} uncovered with reasons")


def _check_schedule_file(path: Path) -> None:

    from streetcrew.models.io.fleet import read_fleet
    from streetcrew.models.schedule import Schedule
    from streetcrew.solver.sweep.check import check_schedule

    try:
        schedule = Schedule.model_validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(x) for x in err["loc"]) or None
        raise InputError(str(path), None, field, err["msg"]) from None
    needed = ("streets", "volunteers") if schedule.patrol is not None else ("streets", "fleet")
    for name in needed:
        _input_file(path, schedule.inputs.get(name), name)
    day = datetime.strptime(schedule.date, "%Y-%m-%d").date() if schedule.date else None
    streets = load_streets(Path(schedule.inputs["streets"].path), day).streets
    if schedule.patrol is not None:
        from streetcrew.models.io.patrol import read_must_cover, read_volunteers
        from streetcrew.solver.patrol.check import check_patrol

        vols = read_volunteers(Path(schedule.inputs["volunteers"].path))
        ref = schedule.inputs.get("must_cover")
        must = read_must_cover(Path(ref.path)) if ref is not None else []
        problems = check_patrol(streets, vols, must, schedule)
    else:
        fleet = read_fleet(Path(schedule.inputs["fleet"].path))
        problems = check_schedule(streets, fleet, schedule)
    if problems:
        typer.echo(f"infeasible: {len(problems)} violation(s)")
        for p in problems:
            typer.echo(f"  {p}")
        raise typer.Exit(1)
    typer.echo(f"feasible: {len(schedule.routes)} routes, {schedule.summary.unassigned} "
               f"unassigned with reasons, cost {schedule.summary.cost:.2f}")


def _bench_inputs(targets: list[str]) -> list[tuple[str, Path]]:
    """(set name, file) for every target: a bundled set name, a folder or a .dat file."""
    out: list[tuple[str, Path]] = []
    seen: set[Path] = set()
    for target in targets:
        path = Path(target)
        if target in instances.CARP_SETS and not path.exists():
            pairs = [(target, f) for f in instances.carp_set_files(target)]
        elif path.is_dir():
            files = sorted(path.glob("*.dat"), key=instances.natural_key)
            if not files:
                raise InputError(target, None, None, "folder has no .dat files")
            pairs = [(path.resolve().name, f) for f in files]
        elif path.is_file():
            pairs = [(path.resolve().parent.name, path)]
        else:
            raise InputError(
                target, None, None,
                f"not a file, a folder or a bundled set ({', '.join(instances.CARP_SETS)})",
            )
        for set_name, f in pairs:
            if f.resolve() not in seen:
                seen.add(f.resolve())
                out.append((set_name, f))
    return out


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in
                       enumerate(zip(headers, widths)))]
    for r in rows:
        lines.append(
            "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in
                      enumerate(zip(r, widths)))
        )
    return "\n".join(lines)


def _print_report(records: list[BenchRecord]) -> None:
    inst = summarize_instances(records)
    for s in summarize_sets(records):
        rows = [
            [
                i.instance,
                _fmt(i.best_known, "d"),
                _fmt(i.mean_cost, ".1f"),
                _fmt(i.mean_gap_pct, ".2f"),
                f"{i.mean_wall_s:.2f}",
                f"{i.feasible_runs}/{i.runs}",
            ]
            for i in inst
            if i.set == s.set
        ]
        typer.echo(f"\n== {s.set} ==")
        typer.echo(
            _table(["instance", "best known", "mean cost", "mean gap %", "mean s", "feasible"],
                   rows)
        )
        typer.echo(
            f"{s.set}: {s.instances} instances, {s.runs} runs; "
            f"gap to best known: mean {_fmt(s.mean_gap_pct, '.2f')} %, "
            f"max {_fmt(s.max_gap_pct, '.2f')} %; "
            f"at best known {s.runs_at_best_known}/{s.runs_with_best_known} runs; "
            f"mean {s.mean_wall_s:.2f} s; infeasible {s.infeasible}"
        )


@app.command("bench")
@_input_boundary
def bench_cmd(
    targets: Annotated[
        list[str],
        typer.Argument(
            metavar="SET_OR_DIR",
            help="Bundled set (gdb, val, egl), folder of .dat files, or .dat file.",
        ),
    ],
    time_limit: Annotated[
        float | None,
        typer.Option(
            "--time-limit", "-t", min=0.001,
            show_default="the set's tier in --threshold, else 10",
            help="Wall seconds per solve.",
        ),
    ] = None,
    seeds: Annotated[int, typer.Option("--seeds", "-k", min=1, help="Seeds 0..K-1.")] = 1,
    engine: EngineOpt = EngineChoice.auto,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write one record per run to this file.")
    ] = None,
    workers: Workers = None,
    threshold: Annotated[
        Path | None,
        typer.Option(
            "--threshold",
            exists=True,
            dir_okay=False,
            help="Thresholds JSON (benchmarks/thresholds.json); exit 1 if the run misses them.",
        ),
    ] = None,
) -> None:
    """Run instances over seeds, verify every result, report gaps to best known."""
    tiers: dict[str, Threshold] = load_thresholds(threshold) if threshold else {}
    table = _bks_table()
    default_limit = SolveParams.model_fields["time_limit"].default
    cases: list[BenchCase] = []
    for set_name, path in _bench_inputs(targets):
        problem: CarpProblem = read_carp(path)
        if time_limit is not None:
            limit = time_limit
        elif set_name in tiers:
            limit = tiers[set_name].time_limit
        else:
            limit = default_limit
        cases.append(BenchCase(set=set_name, problem=problem, time_limit=limit))

    records: list[BenchRecord] = []
    progress = Progress(
        TextColumn("{task.description:<16}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    with progress:
        task = progress.add_task("bench", total=len(cases) * seeds)
        for case in cases:
            progress.update(task, description=case.problem.name)
            for seed in range(seeds):
                records.append(run_one(case, seed, _engine(engine), workers, table))
                progress.advance(task)
    _print_report(records)
    if json_out is not None:
        _write_json(json_out, [r.model_dump() for r in records])
        typer.echo(f"\nrecords: {json_out}")
    failures = [f"{r.set}/{r.instance} seed {r.seed}: infeasible ({r.error})"
                for r in records if not r.feasible]
    if threshold is not None:
        for s in sorted({r.set for r in records} - set(tiers)):
            typer.echo(f"note: {threshold} has no tier for set {s!r}; only feasibility is gated")
        failures = gate(records, tiers)
    if failures:
        typer.echo("\nFAILED:", err=True)
        for f in failures:
            typer.echo(f"  {f}", err=True)
        raise typer.Exit(1)
    if threshold is not None:
        typer.echo("\nthresholds met")


@app.command("bench-report")
@_input_boundary
def bench_report_cmd(
    files: Annotated[
        list[Path],
        typer.Argument(metavar="RECORDS.json", help="Files written by `streetcrew bench --json`."),
    ],
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the Markdown here instead of stdout.")
    ] = None,
) -> None:
    """Render benchmark records as Markdown tables, engines side by side."""
    records = [r for f in files for r in load_records(f)]
    text = render_markdown(records)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"written: {out}")


@app.command("import-osm")
@_input_boundary
def import_osm_cmd(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, metavar="FILE.osm",
            help="OpenStreetMap XML: .osm, .osm.xml, .osm.gz or .osm.bz2.",
        ),
    ],
    out: Annotated[
        Path, typer.Option("--out", "-o", dir_okay=False, help="GeoJSON file to write.")
    ],
) -> None:
    """Build street segments from OpenStreetMap XML (split at intersections) as GeoJSON."""
    start = time.perf_counter()
    result = read_osm(file)
    write_geojson(result.streets, out, OSM_ATTRIBUTION)
    rows = [
        ("ways read", str(result.ways_read)),
        ("highway ways", str(result.highway_ways)),
        ("drivable ways", str(result.drivable_ways)),
        ("skipped ways", f"{result.skipped_ways} (area=yes or no motor access)"),
        ("segments", str(result.segments)),
        ("one-way", str(result.oneway_segments)),
        ("named", str(result.named_segments)),
        ("km", f"{result.km:.1f}"),
        ("missing nodes", f"{result.missing_nodes} (in {result.clipped_ways} clipped ways)"),
        ("wall s", f"{time.perf_counter() - start:.2f}"),
        ("written", str(out)),
    ]
    if result.oneway_unrecognised:
        rows.insert(6, ("oneway ?", f"{result.oneway_unrecognised} ways (read as implied)"))
    for key, value in rows:
        typer.echo(f"{key:<14} {value}")
    typer.echo(f"{'attribution':<14} {OSM_ATTRIBUTION}")


@app.command("streets")
@_input_boundary
def streets_cmd(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, metavar="FILE",
            help="Street file: GeoJSON (.geojson/.json) or CSV with a WKT geometry column.",
        ),
    ],
    date: Annotated[
        datetime | None,
        typer.Option(
            "--date", "-d", formats=["%Y-%m-%d"],
            help="Day to plan (selects the rows of a dated schedule such as San Francisco's).",
        ),
    ] = None,
) -> None:
    """Validate a street file and summarize it: segments per road class, km, one-way, windows."""
    result = load_streets(file, date.date() if date else None)
    streets = result.streets
    km = sum(s.length_m for s in streets) / 1000
    rows = [
        ("file", result.file),
        ("dialect", result.dialect),
        ("records", str(result.records)),
        ("segments", str(len(streets))),
        ("km", f"{km:.1f}"),
        ("one-way", str(sum(1 for s in streets if s.oneway != "no"))),
        ("windows", f"{sum(len(s.windows) for s in streets)} on "
                    f"{sum(1 for s in streets if s.windows)} segments"),
    ]
    if result.date is not None:
        rows.append(("date", f"{result.date.isoformat()} ({result.date:%A}), "
                              f"{sum(1 for s in streets if s.sweeps_per_day)} segments swept"))
    if result.no_geometry:
        rows.append(("no geometry", f"{result.no_geometry} records skipped"))
    if result.direction_missing:
        rows.append(("no direction", f"{result.direction_missing} records read as two-way"))
    for key, value in rows:
        typer.echo(f"{key:<14} {value}")
    by_class = [
        [c, str(len(seg)), f"{sum(s.length_m for s in seg) / 1000:.1f}",
         str(sum(1 for s in seg if s.oneway != "no"))]
        for c in ROAD_CLASSES
        if (seg := [s for s in streets if s.road_class == c])
    ]
    if by_class:
        typer.echo("")
        typer.echo(_table(["road class", "segments", "km", "one-way"], by_class))


@app.command("plan")
@_input_boundary
def plan_cmd(
    streets: Annotated[
        Path | None,
        typer.Option("--streets", exists=True, dir_okay=False,
                     show_default="bundled demo district (Nanjing, OSM)",
                     help="Street file: GeoJSON or CSV with WKT."),
    ] = None,
    fleet: Annotated[
        Path | None,
        typer.Option("--fleet", exists=True, dir_okay=False, show_default="bundled demo fleet",
                     help="Fleet file: YAML or JSON."),
    ] = None,
    date: Annotated[
        str | None, typer.Option("--date", help="Plan date YYYY-MM-DD (street windows by day).")
    ] = None,
    time_limit: Annotated[
        float, typer.Option("--time-limit", "-t", min=0.5, help="Wall seconds for the plan.")
    ] = 60.0,
    out: Annotated[Path, typer.Option("--out", help="Folder for the outputs.")] = Path("plan-out"),
    balance: Annotated[
        int, typer.Option("--balance", min=0,
                          help="Weight on the longest route (cost cents per second of its "
                               "span); 0 plans for cost alone.")
    ] = 0,
    workers: Annotated[
        int, typer.Option("--workers", min=0,
                          help="Processes for a city planned by districts; 0: every core.")
    ] = 0,
    crew: Annotated[
        Path | None,
        typer.Option("--crew", exists=True, dir_okay=False,
                     help="Crew CSV: also assign drivers (and helpers) to the routes.")
    ] = None,
    rules: Annotated[
        Path | None,
        typer.Option("--rules", exists=True, dir_okay=False,
                     help="Working-time rules (YAML) for --crew; documented defaults.")
    ] = None,
    days: Annotated[
        int, typer.Option("--days", min=1, max=31,
                          help="With --crew: roster this many days of the plan.")
    ] = 1,
) -> None:
    """Plan tomorrow's sweeping: routes with timed steps, unassigned work with reasons.

    With --crew, the routes also get their drivers (see `streetcrew crews`)."""

    from streetcrew.models.io.fleet import check_allowed_types, read_fleet
    from streetcrew.models.schedule import InputRef
    from streetcrew.solver.sweep.plan import PlanParams, plan_sweeping

    streets_path = streets or instances.demo_streets()
    fleet_path = fleet or instances.demo_fleet()
    day = None
    if date is not None:
        try:
            day = datetime.strptime(date, "%Y-%m-%d").date()
        except ValueError:
            raise InputError(None, "--date", "date", f"expected YYYY-MM-DD, got {date!r}") from None
    street_list = load_streets(streets_path, day).streets
    fleet_data = read_fleet(fleet_path)
    check_allowed_types(street_list, fleet_data, str(streets_path))
    refs = {
        name: InputRef.of(p)
        for name, p in (("streets", streets_path), ("fleet", fleet_path))
    }
    params = PlanParams(time_limit=time_limit, balance_weight=balance, workers=workers)
    schedule = plan_sweeping(street_list, fleet_data, params, refs, date)
    out.mkdir(parents=True, exist_ok=True)
    (out / "schedule.json").write_text(schedule.model_dump_json(indent=1), encoding="utf-8")
    _write_tables(schedule, out)
    from streetcrew.solver.outputs.schedule_files import route_sheet, write_routes_geojson

    attribution = OSM_ATTRIBUTION if streets is None else None
    write_routes_geojson(schedule, street_list, out / "routes.geojson", attribution)
    sheets = out / "sheets"
    sheets.mkdir(exist_ok=True)
    shifts = Counter(v.id for v in fleet_data.vehicles)
    for route in schedule.routes:  # <vehicle>-shift<n>.md when the vehicle has several shifts
        name = route.vehicle + (f"-shift{route.shift + 1}" if shifts[route.vehicle] > 1 else "")
        (sheets / f"{name}.md").write_text(route_sheet(route, street_list), encoding="utf-8")
    from streetcrew.solver.outputs.pictures import INSTALL_HINT, cjk_font, draw_gantt, draw_map

    draw_map(schedule, street_list, out / "map.png")
    draw_gantt(schedule, out / "gantt.png")
    if cjk_font() is None and any(not s.name.isascii() for s in street_list):
        typer.echo(f"note: {INSTALL_HINT}", err=True)
    s = schedule.summary
    for key, value in (
        ("status", schedule.status),
        ("vehicles used", f"{s.vehicles_used} of {len(fleet_data.vehicles)}"),
        ("km swept", f"{s.swept_km:.1f}"),
        ("deadhead km", f"{s.deadhead_km:.1f} ({s.deadhead_pct:.1f} %)"),
        ("sweeping rate", f"{s.sweeping_rate_pct:.1f} % of the length to sweep"),
        ("unassigned", str(s.unassigned)),
        ("overtime", f"{s.overtime_s / 60:.0f} min"
                     + (f" ({sum(1 for r in schedule.routes if r.overtime_s)} routes past "
                        "their shift end)" if s.overtime_s else "")),
        ("cost", f"{s.cost:.2f}"),
        ("km driven", f"{s.swept_km + s.deadhead_km:.1f} (lower bound "
                      f"{s.driven_km_lower_bound or 0:.1f}: at most "
                      f"{_bound_gap(s.swept_km + s.deadhead_km, s.driven_km_lower_bound)} % "
                      "above the best possible)"),
        ("snapped", ", ".join(f"{k.split(':', 1)[1]} {m:.0f} m"
                              for k, m in schedule.snap_m.items())),
        ("wall s", f"{s.solve_s:.1f}"),
        ("written", str(out / "schedule.json")),
    ):
        typer.echo(f"{key:<14} {value}")
    if crew is not None:
        typer.echo("")
        _crews([out / "schedule.json"], crew, rules, days, None, out, "auto", None)


@app.command("crews")
@_input_boundary
def crews_cmd(
    schedule: Annotated[
        list[Path],
        typer.Option("--schedule", exists=True, dir_okay=False,
                     help="A plan's schedule.json; repeat it for one plan per day.")
    ],
    crew: Annotated[
        Path | None,
        typer.Option("--crew", exists=True, dir_okay=False, show_default="bundled demo crew",
                     help="Crew CSV (see models/read_crew.py for the columns).")
    ] = None,
    rules: Annotated[
        Path | None,
        typer.Option("--rules", exists=True, dir_okay=False,
                     help="Working-time rules (YAML); every rule has a documented default.")
    ] = None,
    fleet: Annotated[
        Path | None,
        typer.Option("--fleet", exists=True, dir_okay=False,
                     show_default="the fleet the schedule names",
                     help="Fleet file: vehicle types, depots, which types need a helper.")
    ] = None,
    days: Annotated[
        int | None, typer.Option("--days", min=1, max=31,
                                 help="Days to roster; one schedule is repeated each day. "
                                      "Default: one day per schedule given.")
    ] = None,
    start: Annotated[
        str | None, typer.Option("--start", help="First day YYYY-MM-DD; default: the "
                                                  "schedule's date, else tomorrow.")
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Folder for the outputs.")] = Path("crews-out"),
    mip: Annotated[
        str, typer.Option("--mip", help="auto (HiGHS where installed, else CBC), cbc or highs.")
    ] = "auto",
    previous: Annotated[
        Path | None,
        typer.Option("--previous", exists=True, dir_okay=False,
                     help="An earlier roster.json: its last day's drivers keep their routes "
                          "where they can (route knowledge).")
    ] = None,
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", "-t", min=1.0,
                                   help="Seconds for the solver; default from the rules (60).")
    ] = None,
) -> None:
    """Assign drivers (and helpers) to the routes and build the roster, with pulp.

    Writes roster.json, roster.csv (person x day), roster.png, uncovered.csv, a sheet per
    person and the schedule(s) with each route's driver. Exit 1 when some duty is uncovered.
    """
    roster = _crews(schedule, crew or instances.demo_crew(), rules, days, start, out, mip,
                    time_limit, fleet, previous)
    if roster.uncovered:
        raise typer.Exit(1)


def _crews(schedule_paths: list[Path], crew_path: Path, rules_path: Path | None,
           days: int | None, start: str | None, out: Path, mip: str,
           time_limit: float | None, fleet_path: Path | None = None,
           previous_path: Path | None = None) -> Any:
    """Roster the schedules; writes the outputs and prints the summary. Returns the Roster."""

    from streetcrew.models.crew import CrewRules, Roster
    from streetcrew.models.io.crew import read_crew, read_rules
    from streetcrew.models.io.fleet import read_fleet
    from streetcrew.models.schedule import InputRef, Schedule
    from streetcrew.solver.outputs.roster_files import person_sheet, roster_csv, uncovered_csv
    from streetcrew.solver.crews.check import check_roster
    from streetcrew.solver.crews.engine_pulp import pick_solver, solve_roster
    from streetcrew.solver.outputs.pictures import draw_roster
    from streetcrew.solver.crews.duties import duties, plan_days

    plans = []
    for p in schedule_paths:
        try:
            plans.append(Schedule.model_validate_json(p.read_text(encoding="utf-8")))
        except ValidationError as exc:
            err = exc.errors()[0]
            raise InputError(str(p), None, ".".join(str(x) for x in err["loc"]) or None,
                             err["msg"]) from None
    if days is not None and len(plans) > 1 and days != len(plans):
        raise InputError(None, "--days", "days", f"{days} days but {len(plans)} schedules: "
                         "give one schedule to repeat, or one per day")
    n_days = days or len(plans)
    first = start or plans[0].date or (datetime.now().date() + timedelta(days=1)).isoformat()
    try:
        dates = plan_days(first, n_days)
    except ValueError:
        raise InputError(None, "--start", "date", f"expected YYYY-MM-DD, got {first!r}") from None
    per_day = [(d, plans[k] if len(plans) > 1 else plans[0]) for k, d in enumerate(dates)]
    rule_set = read_rules(rules_path) if rules_path is not None else CrewRules()
    if time_limit is not None:
        rule_set = rule_set.model_copy(update={"time_limit": time_limit})
    fleet_ref = plans[0].inputs.get("fleet")
    helper_types = set(rule_set.helper_types)
    types: list[str] | None = None
    depots: list[str] | None = None
    if fleet_path is None and fleet_ref is not None and Path(fleet_ref.path).is_file():
        fleet_path = Path(fleet_ref.path)
    if fleet_path is not None:
        fleet = read_fleet(fleet_path)
        types = [t.id for t in fleet.vehicle_types]
        depots = [d.id for d in fleet.depots]
        helper_types |= {t.id for t in fleet.vehicle_types if t.needs_helper}
    else:
        typer.echo("note: no fleet file (the schedule names none; --fleet): licences and "
                   "depots are not checked against it, helpers only per --rules", err=True)
    members = read_crew(crew_path, types, depots)
    try:
        solver = pick_solver(mip)
    except ValueError as exc:
        raise InputError(None, "--mip", "mip", str(exc)) from None
    duty_list = duties(per_day, helper_types)
    before: dict[str, str] = {}
    if previous_path is not None:
        try:
            old = Roster.model_validate_json(previous_path.read_text(encoding="utf-8"))
        except ValidationError as exc:
            err = exc.errors()[0]
            raise InputError(str(previous_path), None,
                             ".".join(str(x) for x in err["loc"]) or None, err["msg"]) from None
        last = old.days[-1] if old.days else None
        before = {a.route: a.driver for a in old.assignments
                  if a.day == last and a.driver is not None}
    roster = solve_roster(duty_list, members, rule_set, previous=before, solver=solver)

    def ref(p: Path) -> InputRef:
        return InputRef.of(p.resolve())

    refs = {"crew": ref(crew_path)}
    refs |= {f"schedule{k}" if k else "schedule": ref(p) for k, p in enumerate(schedule_paths)}
    if rules_path is not None:
        refs["rules"] = ref(rules_path)
    roster = roster.model_copy(update={"inputs": refs})
    out.mkdir(parents=True, exist_ok=True)
    (out / "roster.json").write_text(roster.model_dump_json(indent=1), encoding="utf-8")
    (out / "roster.csv").write_text(roster_csv(roster, members), encoding="utf-8")
    (out / "uncovered.csv").write_text(uncovered_csv(roster), encoding="utf-8")
    sheets = out / "crew-sheets"
    sheets.mkdir(exist_ok=True)
    for m in members:
        (sheets / f"{m.id}.md").write_text(person_sheet(m, roster), encoding="utf-8")
    draw_roster(roster, members, out / "roster.png")
    for day, plan in per_day:
        staffed = _staffed(plan, roster, day)
        name = "schedule.json" if n_days == 1 else f"schedule-{day}.json"
        (out / name).write_text(staffed.model_dump_json(indent=1), encoding="utf-8")
    problems = check_roster(roster, members, rule_set, per_day)
    for st in roster.stages:
        gap = "-" if st.gap_pct is None else f"{st.gap_pct:.2f} %"
        typer.echo(f"{'stage ' + st.name:<14} {st.status}, objective {st.objective:g}, "
                   f"gap {gap}, {st.seconds:.1f} s")
    people_used = sum(1 for pl in roster.load if pl.duties)
    for key, value in (
        ("roster", f"{roster.status} ({roster.solver}), {len(duty_list)} duties over "
                   f"{n_days} day(s), {roster.solve_s:.1f} s"),
        ("crew used", f"{people_used} of {len(members)}"),
        ("uncovered", str(len(roster.uncovered))),
        ("hours spread", f"{roster.hours_spread:.1f} h per 40 contracted (drivers)"),
        ("nights spread", str(roster.nights_spread)),
        ("route changes", f"{roster.driver_changes} (a route's driver differs from the day "
                          "before)"),
        ("checked", "feasible" if not problems else f"{len(problems)} violation(s)"),
        ("written", str(out / "roster.json")),
    ):
        typer.echo(f"{key:<14} {value}")
    for u in roster.uncovered[:20]:
        typer.echo(f"  uncovered {u.day} {u.route} {u.role}: {u.reason}")
    for problem in problems[:20]:
        typer.echo(f"  violation: {problem}", err=True)
    if problems:
        raise typer.Exit(1)
    return roster


def _staffed(plan: Any, roster: Any, day: str) -> Any:
    """The day's schedule with each route's driver and helper from the roster."""
    from streetcrew.solver.crews.duties import route_label

    shifts: dict[str, int] = {}
    for r in plan.routes:
        shifts[r.vehicle] = shifts.get(r.vehicle, 0) + 1
    who = {a.route: a for a in roster.assignments if a.day == day}
    routes = []
    for r in plan.routes:
        a = who.get(route_label(r.vehicle, r.shift, shifts[r.vehicle]))
        routes.append(r.model_copy(update={"driver": a.driver if a else None,
                                           "helper": a.helper if a else None}))
    return plan.model_copy(update={"routes": tuple(routes)})  # its own date: it was planned so


@app.command("compare")
@_input_boundary
def compare_cmd(
    scenario_files: Annotated[
        list[Path] | None,
        typer.Argument(exists=True, dir_okay=False, metavar="[SCENARIO.yaml]...",
                       show_default="the bundled demo's scenarios",
                       help="Scenario files: a base and named changes (models/scenario.py).")
    ] = None,
    time_limit: Annotated[
        float, typer.Option("--time-limit", "-t", min=1.0, help="Seconds per plan.")
    ] = 60.0,
    seeds: Annotated[int, typer.Option("--seeds", min=1, max=50,
                                       help="Plans per scenario, each from another start.")] = 1,
    solutions: Annotated[
        int | None, typer.Option("--solutions", min=1,
                                 help="Stop each search after this many solutions instead of "
                                      "at the time limit: the same plans on any machine, "
                                      "locally or on a cluster.")
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", min=0, help="Local processes; 0: every core.")
    ] = 0,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Run on a Dask cluster: tcp://HOST:PORT.")
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Folder for the outputs.")] = Path(
        "compare-out"),
) -> None:
    """Plan every scenario (and seed), check each plan, and compare the KPIs with the base.

    Writes comparison.csv, comparison.md, comparison.png and runs.json (every run).
    """
    import csv

    from streetcrew.models.io.scenario import read_scenarios
    from streetcrew.solver.scenarios.compare import compare, table, tasks_of
    from streetcrew.solver.outputs.pictures import draw_comparison

    files = scenario_files or [instances.demo_scenarios()]
    sets = [read_scenarios(f) for f in files]
    jobs = tasks_of(sets, seeds, time_limit, str(instances.demo_streets()),
                    str(instances.demo_fleet()), solutions)
    from streetcrew.models.scenario import apply_changes
    from streetcrew.solver.scenarios.compare import load_base

    bases: dict[tuple[str, str, str | None], Any] = {}
    for task, streets, fleet in jobs:  # refuse a change naming what is not there, up front
        key = (streets, fleet, task.date)
        if key not in bases:
            bases[key] = load_base(streets, fleet, task.date)
        if task.seed == 0:
            apply_changes(bases[key][1], bases[key][0], task.scenario, task.file)
    started = time.perf_counter()
    try:
        runs = compare(jobs, workers, scheduler, _say_run)
    except ConnectionError as exc:
        raise InputError(None, "--scheduler", "scheduler", str(exc)) from None
    wall = time.perf_counter() - started
    rows = table(runs)
    out.mkdir(parents=True, exist_ok=True)
    _write_json(out / "runs.json", [r.model_dump() for r in runs])
    with open(out / "comparison.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    md = _comparison_md(rows, seeds, time_limit, wall)
    (out / "comparison.md").write_text(md, encoding="utf-8")
    draw_comparison(rows, out / "comparison.png")
    typer.echo(md)
    typer.echo(f"written        {out / 'comparison.md'}")
    if not all(r.feasible for r in runs):
        raise typer.Exit(1)


def _say_run(run: Any, done: int, total: int) -> None:
    """One line on stderr per finished plan: a long comparison shows where it is."""
    what = ("FAILED: " + next(iter(run.reasons), "") if run.status == "failed" else
            f"cost {run.cost:.0f}, {run.unassigned} unassigned, "
            f"{'checked' if run.feasible else 'VIOLATIONS'}")
    typer.echo(f"[{done}/{total}] {run.scenario} (seed {run.seed}): {what}, {run.solve_s:.0f} s",
               err=True)


def _comparison_md(rows: list[dict[str, Any]], seeds: int, time_limit: float,
                   wall: float) -> str:
    from streetcrew.solver.scenarios.compare import KPI_COLUMNS

    # a KPI no scenario has (no crew, no volunteers) gets no column
    cols = [c for c in KPI_COLUMNS if any(r[c[0]] is not None for r in rows)]
    names = ["scenario", *(c[1] for c in cols), "checked", "main reason left"]
    patrol = any(r.get("patrol_priority_pct") is not None for r in rows)
    lines = [f"Scenarios: {len(rows)}, seeds: {seeds}, {time_limit:g} s per plan"
             + (" (and as much per patrol plan)" if patrol else "")
             + f", {wall:.0f} s in all. Each cell: mean over seeds (± spread), change from base.",
             "", "| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    for row in rows:
        cells = []
        for key, _, spec in cols:
            v = row[key]
            if v is None:
                cells.append("-")
                continue
            text = format(v, spec)
            if seeds > 1:
                text += f" ± {format(row[key + '_spread'], spec)}"
            delta = row.get(key + "_vs_base")
            if row["scenario"] != "base" and delta is not None:
                text += f" ({'+' if delta >= 0 else ''}{format(delta, spec)})"
            cells.append(text)
        checked = (f"FAILED ({row['failed']} of {row['seeds']})" if row["failed"]
                   else "feasible" if row["feasible"] else "VIOLATIONS")
        why = row["top_reason"][:100].replace("|", "/") or "-"
        lines.append("| " + " | ".join([row["scenario"], *cells, checked, why]) + " |")
    return "\n".join(lines) + "\n"


@app.command("size")
@_input_boundary
def size_cmd(
    vehicle_type: Annotated[str, typer.Option("--vehicle-type", help="The vehicle type to size.")],
    fleet: Annotated[
        Path | None,
        typer.Option("--fleet", exists=True, dir_okay=False, show_default="bundled demo fleet",
                     help="Fleet file; the other types stay as they are.")
    ] = None,
    streets: Annotated[
        Path | None,
        typer.Option("--streets", exists=True, dir_okay=False,
                     show_default="bundled demo district", help="Street file.")
    ] = None,
    date: Annotated[str | None, typer.Option("--date", help="Plan date YYYY-MM-DD.")] = None,
    time_limit: Annotated[
        float, typer.Option("--time-limit", "-t", min=1.0, help="Seconds per plan.")
    ] = 30.0,
    most: Annotated[int, typer.Option("--most", min=1, help="Give up above this many.")] = 200,
    workers: Annotated[int, typer.Option("--workers", min=0, help="Processes per plan.")] = 0,
    solutions: Annotated[
        int | None, typer.Option("--solutions", min=1,
                                 help="Stop each search after this many solutions: a curve "
                                      "without time-limit noise.")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write size.csv here.")] = None,
    scenarios: Annotated[
        Path | None,
        typer.Option("--scenarios", exists=True, dir_okay=False,
                     help="A scenario file: its base gives the streets, fleet and date unless "
                          "--streets/--fleet/--date do.")
    ] = None,
    scenario: Annotated[
        str | None, typer.Option("--scenario", help="Size under this scenario's changes "
                                 "(e.g. main roads twice a day); needs --scenarios.")
    ] = None,
) -> None:
    """The fewest vehicles of a type that sweep everything a fleet can (within shifts and
    windows), with the plans at one fewer and one more: the cost curve."""
    import csv

    from streetcrew.models.io.scenario import read_scenarios
    from streetcrew.models.scenario import apply_changes
    from streetcrew.solver.scenarios.compare import load_base, size_fleet

    sset = read_scenarios(scenarios) if scenarios else None
    base = sset.base if sset else None
    if scenario is not None and scenarios is None:
        raise InputError(None, "--scenario", "scenario", "name the scenario file (--scenarios)")
    fleet_path = str(fleet or (base and base.fleet) or instances.demo_fleet())
    street_list, fleet_data = load_base(
        str(streets or (base and base.streets) or instances.demo_streets()), fleet_path,
        date or (base.date if base else None))
    types = [t.id for t in fleet_data.vehicle_types]
    if vehicle_type not in types:
        raise InputError(fleet_path, "vehicle_types", "--vehicle-type",
                         f"unknown vehicle type {vehicle_type!r}; the fleet has "
                         f"{', '.join(types)}")
    if sset is not None and scenario is not None:
        chosen = next((s for s in sset.scenarios if s.name == scenario), None)
        if chosen is None:
            raise InputError(sset.file, "scenarios", "--scenario",
                             f"no scenario named {scenario!r}; the file has "
                             f"{', '.join(repr(s.name) for s in sset.scenarios)}")
        fleet_data, street_list = apply_changes(fleet_data, street_list, chosen, sset.file)
    best, points = size_fleet(street_list, fleet_data, vehicle_type, time_limit, workers, most,
                              solutions=solutions)
    typer.echo("| vehicles | cost | km driven | unassigned | of it a bigger fleet could take "
               "| checked | s |")
    typer.echo("|---|---|---|---|---|---|---|")
    for p in points:
        mark = " <- fewest" if p.vehicles == best else ""
        typer.echo(f"| {p.vehicles}{mark} | {p.cost:.2f} | {p.km_driven:.1f} | {p.unassigned} | "
                   f"{p.left_for_fleet} | {'feasible' if p.feasible else 'VIOLATIONS'} | "
                   f"{p.solve_s:.0f} |")
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        with open(out / "size.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=list(points[0].model_dump()))
            w.writeheader()
            w.writerows(p.model_dump() for p in points)
    if best is None:
        tried = max(p.vehicles for p in points)
        typer.echo(f"{tried} x {vehicle_type} still leave work unswept"
                   + (" (and twice as many did not leave less)" if tried < most else "")
                   + ": the limit is not the number of this type (windows, gaps between repeat "
                     "sweeps, streets only other types may sweep: see the reasons in a plan)")
        raise typer.Exit(1)
    typer.echo(f"fewest {vehicle_type}: {best}")


@app.command("bench-plan")
@_input_boundary
def bench_plan_cmd(
    cases_file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="Plan cases (benchmarks/plans.json).")
    ] = Path("benchmarks/plans.json"),
    only: Annotated[
        list[str] | None, typer.Option("--case", help="Run only these cases (repeatable).")
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write one record per case to this file.")
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", min=0, help="Processes for districts; 0: every core.")
    ] = 0,
    keep: Annotated[
        Path | None, typer.Option("--keep", help="Write each schedule and its check here.")
    ] = None,
) -> None:
    """Plan each case whole (import included), check it, and compare with its target time."""
    from streetcrew.solver.bench.plans import (
        load_cases,
        render,
        render_compare,
        render_crews,
        run_case,
        run_compare_case,
        run_crews_case,
    )

    cases = [c for c in load_cases(cases_file) if not only or c.name in only]
    records: list[Any] = []
    crews: list[Any] = []
    compares: list[Any] = []
    for case in cases:
        typer.echo(f"{case.name}: planning ({case.time_limit:g} s limit)...", err=True)
        if case.kind == "crews":
            crews.append(run_crews_case(case, cases_file.parent))
        elif case.kind == "compare":
            compares.append(run_compare_case(case, cases_file.parent, workers))
        else:
            records.append(run_case(case, cases_file.parent, workers, keep))
    if records:
        typer.echo(render(records))
    if crews:
        typer.echo(("\n" if records else "") + render_crews(crews))
    if compares:
        typer.echo(("\n" if records or crews else "") + render_compare(compares))
    if json_out is not None:
        _write_json(json_out, [r.model_dump() for r in records + crews + compares])
        typer.echo(f"\nrecords: {json_out}")
    if not all(r.feasible for r in records + crews + compares):
        raise typer.Exit(1)


@app.command("patrol")
@_input_boundary
def patrol_cmd(
    streets: Annotated[
        Path | None,
        typer.Option("--streets", exists=True, dir_okay=False,
                     show_default="bundled demo district", help="Street file (as for plan)."),
    ] = None,
    volunteers: Annotated[
        Path | None,
        typer.Option("--volunteers", exists=True, dir_okay=False,
                     show_default="bundled demo volunteers", help="Volunteers CSV."),
    ] = None,
    cases: Annotated[
        Path | None,
        typer.Option("--cases", exists=True, dir_okay=False,
                     show_default="bundled demo cases", help="Reported cases CSV."),
    ] = None,
    must_cover: Annotated[
        Path | None,
        typer.Option("--must-cover", exists=True, dir_okay=False,
                     show_default="bundled demo road chiefs' streets",
                     help="CSV of street ids that must be patrolled."),
    ] = None,
    date: Annotated[
        str | None, typer.Option("--date", help="Plan date YYYY-MM-DD (case ages).")
    ] = None,
    time_limit: Annotated[
        float, typer.Option("--time-limit", "-t", min=0.5, help="Wall seconds for the plan.")
    ] = 60.0,
    out: Annotated[Path, typer.Option("--out", help="Folder for the outputs.")] = Path(
        "patrol-out"),
    workers: Annotated[
        int, typer.Option("--workers", min=0, help="Processes (meeting points); 0: every core.")
    ] = 0,
    balance: Annotated[
        int, typer.Option("--balance", min=0,
                          help="Weight on the longest walk (per second); 0 lets a few walk "
                               "long while others idle.")
    ] = 1,
    history: Annotated[
        Path | None,
        typer.Option("--history", exists=True, dir_okay=False,
                     help="CSV street_id,date of earlier patrols."),
    ] = None,
    rest_days: Annotated[
        float, typer.Option("--rest-days", min=0,
                            help="A street walked less than this many days ago rests today.")
    ] = 1.0,
) -> None:
    """Plan volunteer patrols: who walks which streets, most important first."""

    from streetcrew.models.io.patrol import (
        check_must_cover,
        read_cases,
        read_history,
        read_must_cover,
        read_volunteers,
    )
    from streetcrew.models.schedule import InputRef
    from streetcrew.solver.outputs.schedule_files import route_sheet, write_routes_geojson
    from streetcrew.solver.patrol.plan import PatrolParams, plan_patrol, street_priorities, walk_streets
    from streetcrew.solver.outputs.pictures import draw_coverage

    demo = streets is None
    streets_path = streets or instances.demo_streets()
    volunteers_path = volunteers or instances.demo_volunteers()
    cases_path = cases or (instances.demo_cases() if demo else None)
    must_path = must_cover or (instances.demo_must_cover() if demo else None)
    files = {"streets": streets_path, "volunteers": volunteers_path, "cases": cases_path,
             "must_cover": must_path}
    day = datetime.now().date()
    if date is not None:
        try:
            day = datetime.strptime(date, "%Y-%m-%d").date()
        except ValueError:
            raise InputError(None, "--date", "date", f"expected YYYY-MM-DD, got {date!r}") from None
    elif demo:
        day = instances.DEMO_DATE
    street_list = load_streets(streets_path, day).streets
    vols = read_volunteers(volunteers_path)
    case_list = read_cases(cases_path, day) if cases_path else []
    must = read_must_cover(must_path) if must_path else []
    if must_path:
        check_must_cover(must, street_list, str(must_path))
    refs = {name: InputRef.of(p)
            for name, p in files.items() if p is not None}
    walked_days = read_history(history, day) if history else None
    schedule, kpis = plan_patrol(street_list, vols, case_list, must,
                                 PatrolParams(time_limit=time_limit, workers=workers,
                                              balance=balance, rest_days=rest_days),
                                 day.isoformat(), refs, walked_days)
    out.mkdir(parents=True, exist_ok=True)
    (out / "schedule.json").write_text(schedule.model_dump_json(indent=1), encoding="utf-8")
    _write_tables(schedule, out)
    attribution = OSM_ATTRIBUTION if demo else None
    write_routes_geojson(schedule, street_list, out / "patrol.geojson", attribution)
    sheets = out / "sheets"
    sheets.mkdir(exist_ok=True)
    for route in schedule.routes:
        (sheets / f"{route.vehicle}.md").write_text(route_sheet(route, street_list),
                                                     encoding="utf-8")
    walk = walk_streets(street_list)
    priority, _, _ = street_priorities(walk, case_list)
    draw_coverage(schedule, walk, list(priority), out / "coverage.png")
    for key, value in (
        ("status", schedule.status),
        ("priority", f"{kpis.priority_covered_pct:.1f} % covered ({kpis.priority_covered:.0f} "
                     f"of {kpis.priority_total:.0f}; {kpis.covered_of_bound_pct:.1f} % of the "
                     f"{kpis.priority_upper_bound:.0f} the volunteers can reach at all)"),
        ("must-cover", f"{kpis.must_cover_met} of {kpis.must_cover} met"),
        ("patrolled", f"{kpis.streets_patrolled} streets, {kpis.km_patrolled:.1f} km"),
        ("volunteers", f"{kpis.volunteers_used} of {kpis.volunteers} used"),
        ("route time", f"mean {kpis.mean_route_min:.0f} min, max {kpis.max_route_min:.0f} min"),
        ("resting", f"{kpis.streets_resting} streets walked less than {rest_days:g} day(s) ago"),
        ("cases", f"{kpis.cases_used} used, {len(kpis.cases_far)} too far from a street"
                  + (f" ({', '.join(kpis.cases_far[:5])})" if kpis.cases_far else "")),
        ("unassigned", str(schedule.summary.unassigned)),
        ("wall s", f"{schedule.summary.solve_s:.1f}"),
        ("written", str(out / "schedule.json")),
    ):
        typer.echo(f"{key:<11} {value}")


def _bound_gap(driven: float, bound: float | None) -> str:
    return f"{100 * (driven - bound) / bound:.1f}" if bound else "?"


def _write_tables(schedule: Any, out: Path) -> None:
    """routes.csv (one row per vehicle shift) and steps.csv (one row per step)."""
    import csv

    with open(out / "routes.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["vehicle", "shift", "vehicle_type", "depot", "start_s", "end_s", "swept_m",
                    "deadhead_m", "cost", "overtime_s"])
        for r in schedule.routes:
            w.writerow([r.vehicle, r.shift, r.vehicle_type, r.depot, r.steps[0].start,
                        r.steps[-1].end, round(r.swept_m, 1), round(r.deadhead_m, 1), r.cost,
                        r.overtime_s])
    with open(out / "steps.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["vehicle", "shift", "seq", "type", "start_s", "end_s", "distance_m", "task",
                    "street", "side", "from_node", "to_node", "facility", "load_l", "water_l"])
        for r in schedule.routes:
            for i, st in enumerate(r.steps):
                w.writerow([r.vehicle, r.shift, i, st.type, st.start, st.end, round(st.distance_m, 1),
                            st.task, st.street, st.side, st.from_node, st.to_node, st.facility,
                            round(st.load), round(st.water)])


def main() -> None:
    app()


if __name__ == "__main__":
    main()
