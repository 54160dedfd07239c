"""Benchmark of whole sweeping plans: import, plan, check, KPIs against targets.

Cases live in ``benchmarks/plans.json``: a name, a street file (GeoJSON/CSV,
or an OSM extract imported as part of the run), a fleet file, a time limit,
an optional date and the wall-clock target. Each run is checked by the
independent checker; the record keeps the KPIs, the bound on km driven and
the seconds spent importing, planning and checking.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from streetcrew.models.base import InputError
from streetcrew.models.io.fleet import read_fleet
from streetcrew.models.io.osm import read_osm
from streetcrew.models.io.streets import load_streets
from streetcrew.models.schedule import InputRef, Schedule
from streetcrew.solver.sweep.check import check_schedule
from streetcrew.solver.sweep.plan import PlanParams, plan_sweeping

OSM_SUFFIXES = (".osm", ".osm.gz", ".osm.bz2", ".osm.xml")


class PlanCase(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str
    kind: Literal["sweep", "patrol", "crews", "compare"] = "sweep"
    streets: str | None = None  # paths relative to the cases file
    fleet: str | None = None  # sweep
    volunteers: str | None = None  # patrol
    cases: str | None = None
    must_cover: str | None = None
    schedule: str | None = None  # crews: the plan to staff, repeated for ``days`` days
    crew: str | None = None
    rules: str | None = None
    days: int = Field(default=1, ge=1)
    mip: str = "auto"
    target_gap_pct: float = 1.0  # crews: every stage proven optimal or within this gap
    scenarios: str | None = None  # compare: a scenario file, run on local processes and then
    seeds: int = Field(default=1, ge=1)  # on a 2-worker Dask LocalCluster
    solutions: int | None = Field(default=None, ge=1)  # compare: deterministic plans
    target_ratio: float = 2.0  # compare: local wall time / the slowest single scenario
    target_cluster_pct: float = 20.0  # compare: cluster wall time above the local one
    time_limit: float = Field(gt=0)
    target_s: float = Field(gt=0)
    date: str | None = None

    @model_validator(mode="after")
    def _inputs(self) -> PlanCase:
        if self.kind == "sweep" and self.fleet is None:
            raise ValueError("a sweep case needs a fleet")
        if self.kind == "patrol" and (self.volunteers is None or self.date is None):
            raise ValueError("a patrol case needs volunteers and a date")
        if self.kind == "crews" and (self.schedule is None or self.crew is None):
            raise ValueError("a crews case needs a schedule and a crew")
        if self.kind == "compare" and None in (self.scenarios, self.streets, self.fleet):
            raise ValueError("a compare case needs a scenario file, and the streets and "
                             "fleet its base leaves out")
        if self.kind != "crews" and self.streets is None:
            raise ValueError("a sweep or patrol case needs streets")
        return self


class PlanRecord(BaseModel):
    model_config = ConfigDict(frozen=True)
    name: str
    status: str
    feasible: bool
    violations: int
    segments: int
    vehicles: int
    vehicles_used: int
    swept_km: float
    deadhead_km: float
    deadhead_pct: float
    sweeping_rate_pct: float
    unassigned: int
    cost: float
    driven_km_lower_bound: float | None
    bound_gap_pct: float | None
    import_s: float
    plan_s: float
    check_s: float
    time_limit: float
    target_s: float
    within_target: bool
    covered_of_bound_pct: float | None = None  # patrol: priority covered / reachable bound


class CrewRecord(BaseModel):
    """A crews case: the roster's quality and the solver's proof."""

    model_config = ConfigDict(frozen=True)
    name: str
    status: str
    solver: str
    days: int
    duties: int
    people: int
    people_used: int
    uncovered: int
    stages: list[dict[str, Any]]
    gap_pct: float | None  # the largest stage gap
    target_gap_pct: float
    hours_spread: float
    nights_spread: int
    driver_changes: int
    solve_s: float
    target_s: float
    within_target: bool
    feasible: bool
    violations: int


def run_crews_case(case: PlanCase, base: Path) -> CrewRecord:
    """Roster the schedule for ``days`` days with the crew; check it; time the solve."""
    from streetcrew.models.crew import CrewRules
    from streetcrew.models.io.crew import read_crew, read_rules
    from streetcrew.solver.crews.check import check_roster
    from streetcrew.solver.crews.engine_pulp import pick_solver, solve_roster
    from streetcrew.solver.crews.duties import duties, plan_days

    assert case.schedule is not None and case.crew is not None
    plan = Schedule.model_validate_json((base / case.schedule).read_text(encoding="utf-8"))
    crew = read_crew(base / case.crew)
    rules = read_rules(base / case.rules) if case.rules else CrewRules()
    rules = rules.model_copy(update={"time_limit": case.time_limit})
    days = plan_days(case.date or plan.date, case.days)
    per_day = [(d, plan) for d in days]
    helpers = set(rules.helper_types)
    started = time.perf_counter()
    roster = solve_roster(duties(per_day, helpers), crew, rules, solver=pick_solver(case.mip))
    took = time.perf_counter() - started
    problems = check_roster(roster, crew, rules, per_day)
    gap = roster.gap_pct
    return CrewRecord(
        name=case.name, status=roster.status, solver=roster.solver, days=case.days,
        duties=len(roster.assignments), people=len(crew),
        people_used=sum(1 for pl in roster.load if pl.duties), uncovered=len(roster.uncovered),
        stages=[st.model_dump() for st in roster.stages], gap_pct=gap,
        target_gap_pct=case.target_gap_pct, hours_spread=roster.hours_spread,
        nights_spread=roster.nights_spread, driver_changes=roster.driver_changes,
        solve_s=round(took, 2), target_s=case.target_s,
        within_target=took <= case.target_s and gap is not None and gap <= case.target_gap_pct,
        feasible=not problems, violations=len(problems))


class CompareRecord(BaseModel):
    """A compare case: the scenarios on local processes, then on a 2-worker LocalCluster."""

    model_config = ConfigDict(frozen=True)
    name: str
    runs: int
    workers: int
    wall_local_s: float
    slowest_s: float  # the slowest single plan (its own solve time, one core each)
    sum_s: float
    ratio: float  # wall_local_s / slowest_s
    target_ratio: float
    wall_cluster_s: float
    cluster_pct: float  # wall_cluster_s over wall_local_s, in %
    target_cluster_pct: float
    same_plans: int  # runs whose cost and unassigned match between local and cluster
    differing: list[str] = []  # "scenario (seed): local cost/unassigned vs cluster"
    deterministic: bool  # planned with a solution limit (then every run should match)
    within_target: bool
    feasible: bool
    violations: int


def run_compare_case(case: PlanCase, base: Path, workers: int = 2) -> CompareRecord:
    from dask.distributed import LocalCluster

    from streetcrew.models.io.scenario import read_scenarios
    from streetcrew.solver.scenarios.compare import compare, tasks_of

    assert case.scenarios is not None and case.streets is not None and case.fleet is not None
    jobs = tasks_of([read_scenarios(base / case.scenarios)], case.seeds, case.time_limit,
                    str((base / case.streets).resolve()), str((base / case.fleet).resolve()),
                    case.solutions)
    workers = workers or 2
    began = time.perf_counter()
    local = compare(jobs, workers)
    wall_local = time.perf_counter() - began
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        began = time.perf_counter()
        remote = compare(jobs, scheduler=cluster.scheduler_address)
        wall_cluster = time.perf_counter() - began
    slowest = max((r.solve_s for r in local if r.status != "failed"), default=0.0)
    differing = [f"{a.scenario} ({a.seed}): {a.cost}/{a.unassigned} vs {b.cost}/{b.unassigned}"
                 for a, b in zip(local, remote)
                 if a.status == "failed" or b.status == "failed"
                 or (a.cost, a.unassigned) != (b.cost, b.unassigned)]
    same = len(jobs) - len(differing)
    ratio = wall_local / slowest if slowest else math.inf
    pct = 100 * (wall_cluster - wall_local) / wall_local
    bad = [r for r in local + remote if not r.feasible]
    return CompareRecord(
        name=case.name, runs=len(jobs), workers=workers, wall_local_s=round(wall_local, 2),
        slowest_s=slowest, sum_s=round(sum(r.solve_s for r in local), 1),
        ratio=round(ratio, 2), target_ratio=case.target_ratio,
        wall_cluster_s=round(wall_cluster, 2), cluster_pct=round(pct, 1),
        target_cluster_pct=case.target_cluster_pct, same_plans=same, differing=differing,
        deterministic=case.solutions is not None,
        within_target=ratio <= case.target_ratio and pct <= case.target_cluster_pct
        and (case.solutions is None or same == len(jobs)),
        feasible=not bad, violations=sum(r.violations for r in bad))


def render_compare(records: list[CompareRecord]) -> str:
    head = ("| case | runs | local wall s (workers) | slowest plan s | sum s | wall / slowest "
            "(target) | cluster wall s | cluster vs local (target) | same plans | checked |")
    rows = [head, "|" + "---|" * 10]
    for r in records:
        rows.append(
            f"| {r.name} | {r.runs} | {r.wall_local_s:.1f} ({r.workers}) | {r.slowest_s:.1f} | "
            f"{r.sum_s:.0f} | {r.ratio:.2f} (≤ {r.target_ratio:g}) | {r.wall_cluster_s:.1f} | "
            f"{r.cluster_pct:+.1f} % (≤ {r.target_cluster_pct:g} %) | {r.same_plans} of "
            f"{r.runs}{'' if r.deterministic else ' (time-limited)'} | "
            f"{'feasible' if r.feasible else f'{r.violations} violations'} "
            f"{'ok' if r.within_target else 'MISSED'} |")
    for r in records:
        if r.deterministic and r.differing:
            rows.append(f"\n{r.name}: not the same plan on the cluster: "
                        + "; ".join(r.differing))
    return "\n".join(rows)


def render_crews(records: list[CrewRecord]) -> str:
    head = ("| case | duties (days) | people used | uncovered | stages: gap % (s) | solver | "
            "hours spread | nights spread | route changes | solve s (target) | checked |")
    rows = [head, "|" + "---|" * 11]
    for r in records:
        stages = ", ".join(f"{st['name']} {st['gap_pct'] if st['gap_pct'] is not None else '-'}"
                           f" ({st['seconds']:.1f})" for st in r.stages)
        rows.append(
            f"| {r.name} | {r.duties} ({r.days}) | {r.people_used} of {r.people} | "
            f"{r.uncovered} | {stages} | {r.solver} | {r.hours_spread:.1f} h | "
            f"{r.nights_spread} | {r.driver_changes} | {r.solve_s:.1f} ({r.target_s:.0f}, gap "
            f"≤ {r.target_gap_pct:g} %) {'ok' if r.within_target else 'MISSED'} | "
            f"{'feasible' if r.feasible else f'{r.violations} violations'} |")
    return "\n".join(rows)


def load_cases(path: Path) -> list[PlanCase]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(str(path), None, None, f"cannot read plan cases: {exc}") from None
    cases = []
    for i, rec in enumerate(raw.get("cases", [])):
        try:
            cases.append(PlanCase.model_validate(rec))
        except ValueError as exc:
            raise InputError(str(path), f"cases[{i}]", None, str(exc)) from None
    return cases


def run_patrol_case(case: PlanCase, base: Path, workers: int = 0,
                    keep: Path | None = None) -> PlanRecord:
    """A patrol case: sweeping-rate column = priority covered; bound = reachable priority."""
    from streetcrew.models.io.patrol import read_cases, read_must_cover, read_volunteers
    from streetcrew.solver.patrol.check import check_patrol
    from streetcrew.solver.patrol.plan import PatrolParams, plan_patrol

    def path(rel: str | None) -> Path | None:
        return None if rel is None else (base / rel).resolve()

    started = time.perf_counter()
    day = _day(case.date)
    streets = list(load_streets(path(case.streets), day).streets)  # type: ignore[arg-type]
    vols = read_volunteers(path(case.volunteers))  # type: ignore[arg-type]
    cases_path, must_path = path(case.cases), path(case.must_cover)
    case_list = read_cases(cases_path, day) if cases_path and day else []
    must = read_must_cover(must_path) if must_path else []
    imported = time.perf_counter()
    schedule, kpis = plan_patrol(streets, vols, case_list, must,
                                 PatrolParams(time_limit=case.time_limit, workers=workers),
                                 case.date)
    planned = time.perf_counter()
    problems = check_patrol(streets, vols, must, schedule)
    checked = time.perf_counter()
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        (keep / f"{case.name}.schedule.json").write_text(schedule.model_dump_json(),
                                                         encoding="utf-8")
    s = schedule.summary
    return PlanRecord(
        name=case.name, status=schedule.status, feasible=not problems,
        violations=len(problems), segments=len(streets), vehicles=len(vols),
        vehicles_used=kpis.volunteers_used, swept_km=s.swept_km, deadhead_km=s.deadhead_km,
        deadhead_pct=s.deadhead_pct, sweeping_rate_pct=kpis.priority_covered_pct,
        unassigned=s.unassigned, cost=0.0, driven_km_lower_bound=None, bound_gap_pct=None,
        import_s=round(imported - started, 2), plan_s=round(planned - imported, 2),
        check_s=round(checked - planned, 2), time_limit=case.time_limit,
        target_s=case.target_s, within_target=planned - started <= case.target_s,
        covered_of_bound_pct=kpis.covered_of_bound_pct,
    )


def run_case(case: PlanCase, base: Path, workers: int = 0,
             keep: Path | None = None) -> PlanRecord:
    """Plan one case and check it; import time counts towards the target.

    ``keep``: a folder to write ``<case>.schedule.json`` and ``<case>.problems.txt`` into.
    """
    if case.kind == "patrol":
        return run_patrol_case(case, base, workers, keep)
    assert case.fleet is not None and case.streets is not None, "a sweep case needs a fleet"
    streets_path = (base / case.streets).resolve()
    fleet_path = (base / case.fleet).resolve()
    started = time.perf_counter()
    if streets_path.name.endswith(OSM_SUFFIXES):
        streets = list(read_osm(streets_path).streets)
    else:
        streets = list(load_streets(streets_path, _day(case.date)).streets)
    fleet = read_fleet(fleet_path)
    imported = time.perf_counter()
    refs = {name: InputRef.of(p)
            for name, p in (("streets", streets_path), ("fleet", fleet_path))}
    schedule = plan_sweeping(streets, fleet, PlanParams(time_limit=case.time_limit,
                                                        workers=workers), refs, case.date)
    planned = time.perf_counter()
    problems = check_schedule(streets, fleet, schedule)
    checked = time.perf_counter()
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        (keep / f"{case.name}.schedule.json").write_text(schedule.model_dump_json(),
                                                         encoding="utf-8")
        (keep / f"{case.name}.problems.txt").write_text("\n".join(problems), encoding="utf-8")
    s = schedule.summary
    driven = s.swept_km + s.deadhead_km
    bound = s.driven_km_lower_bound
    total = planned - started
    return PlanRecord(
        name=case.name, status=schedule.status, feasible=not problems,
        violations=len(problems), segments=len(streets), vehicles=len(fleet.vehicles),
        vehicles_used=s.vehicles_used, swept_km=s.swept_km, deadhead_km=s.deadhead_km,
        deadhead_pct=s.deadhead_pct, sweeping_rate_pct=s.sweeping_rate_pct,
        unassigned=s.unassigned, cost=s.cost, driven_km_lower_bound=bound,
        bound_gap_pct=round(100 * (driven - bound) / bound, 2) if bound else None,
        import_s=round(imported - started, 2), plan_s=round(planned - imported, 2),
        check_s=round(checked - planned, 2), time_limit=case.time_limit,
        target_s=case.target_s, within_target=total <= case.target_s,
    )


def _day(date: str | None):  # type: ignore[no-untyped-def]
    from datetime import datetime

    return None if date is None else datetime.strptime(date, "%Y-%m-%d").date()


def render(records: list[PlanRecord]) -> str:
    head = ("| case | segments | vehicles (volunteers) used | km swept (patrolled) | deadhead km "
            "(%) | sweeping rate (priority covered, of bound) | "
            "unassigned | km driven / bound | import + plan s (target) | checked |")
    rows = [head, "|" + "---|" * 10]
    for r in records:
        bound = (f"{r.swept_km + r.deadhead_km:.1f} / {r.driven_km_lower_bound:.1f} "
                 f"(≤ {r.bound_gap_pct:.1f} % above)" if r.driven_km_lower_bound else "-")
        rows.append(
            f"| {r.name} | {r.segments} | {r.vehicles_used} of {r.vehicles} | {r.swept_km:.1f} | "
            f"{r.deadhead_km:.1f} ({r.deadhead_pct:.1f} %) | {r.sweeping_rate_pct:.1f} %"
            + (f" ({r.covered_of_bound_pct:.1f} % of bound)"
               if r.covered_of_bound_pct is not None else "") + " | "
            f"{r.unassigned} | {bound} | {r.import_s + r.plan_s:.0f} ({r.target_s:.0f}) "
            f"{'ok' if r.within_target else 'MISSED'} | "
            f"{'feasible' if r.feasible else f'{r.violations} violations'} |")
    return "\n".join(rows)
