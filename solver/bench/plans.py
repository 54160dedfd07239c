"""Benchmark of whole sweeping plans: import, plan, check, KPIs against targets.

Cases live in ``benchmarks/plans.json``: a name, a street file (GeoJSON/CSV,
or an OSM extract imported as part of the run), a fleet file, a time limit,
an optional date and the wall-clock target. Each run is checked by the
independent checker; the record keeps the KPIs, the bound on km driven and
the seconds spent importing, planning and checking.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from streetcrew.models.base import InputError, parse_date
from streetcrew.models.schedule import Schedule
from streetcrew.solver.sweep import run as sweep
from streetcrew.solver.sweep.params import PlanParams


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
    engine: Literal["pyvrp", "ortools"] | None = None  # default: pyvrp (sweep), ortools (patrol)
    reference_km: float | None = None  # sweep: km driven by the best search known (HGS-CARP)
    cluster_workers: int | None = Field(default=None, ge=1)  # sweep: districts on a Dask
    # LocalCluster of this many single-threaded worker processes, started by the runner
    # sweep: after the plan, "previous" plans again from it (same inputs and limit) and
    # records the passes kept and the cost against it; "replan" re-plans it at ``at`` after
    # ``events`` (the command line's forms: "breakdown L2@04:30", "report C-1:spill@LON,LAT-
    # HH:MM", ...) and records the seconds that took against ``then_target_s``
    then: Literal["previous", "replan"] | None = None
    at: str | None = None
    events: list[str] = Field(default_factory=list)
    then_target_s: float = 10.0

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
    routes_used: int
    served_km: float
    deadhead_km: float
    deadhead_pct: float
    coverage_pct: float
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
    priority_covered_pct: float | None = None  # patrol: priority-weighted coverage
    engine: str = "ortools"  # sweep plans: pyvrp or ortools; patrol: ortools
    km_driven: float | None = None
    reference_km: float | None = None
    vs_reference_pct: float | None = None  # km driven above the reference, in %
    wall_s: float | None = None  # read + plan + check
    covered_of_bound_pct: float | None = None  # patrol: priority covered / reachable bound
    peak_mb: float | None = None  # the largest resident memory of the bench process or of
    # any process it started and waited for, so far in the run (cases run in the order given)
    cluster_workers: int | None = None
    districts: int | None = None  # sweep plans by districts: how many, seconds each
    district_s_mean: float | None = None
    district_s_max: float | None = None
    # the most common reasons work was left out (their first words) and how many passes each
    reasons: dict[str, int] | None = None
    then: str | None = None  # what followed the plan (see PlanCase.then)
    then_s: float | None = None  # its wall seconds (re-plan: read, plan again, check)
    then_target_s: float | None = None
    then_feasible: bool | None = None
    kept_pct: float | None = None  # previous: passes on the same vehicle shift
    cost_vs_plan_pct: float | None = None  # previous: its cost against the plan's
    routes_changed: int | None = None  # replan
    then_unassigned: int | None = None


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
    from streetcrew.models.io.schedule import read_schedule
    from streetcrew.solver.crews.check import check_roster
    from streetcrew.solver.crews.duties import duties
    from streetcrew.solver.crews.engine_pulp import pick_solver, solve_roster
    from streetcrew.solver.crews.run import roster_days

    assert case.schedule is not None and case.crew is not None
    plan = read_schedule(base / case.schedule)
    crew = read_crew(base / case.crew)
    rules = read_rules(base / case.rules) if case.rules else CrewRules()
    rules = rules.model_copy(update={"time_limit": case.time_limit})
    per_day = roster_days([plan], case.days, parse_date(case.date) if case.date else None)
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
    """A patrol case: coverage of the walkable length, priority covered, reachable bound."""
    from streetcrew.solver.patrol import run as patrol
    from streetcrew.solver.patrol.plan import PatrolParams

    def path(rel: str | None) -> Path | None:
        return None if rel is None else (base / rel).resolve()

    assert case.streets is not None and case.volunteers is not None and case.date is not None
    day = parse_date(case.date)
    started = time.perf_counter()
    inputs = patrol.load(base / case.streets, base / case.volunteers, day, path(case.cases),
                         path(case.must_cover))
    imported = time.perf_counter()
    engine = case.engine or "ortools"
    result = patrol.run(inputs, PatrolParams(time_limit=case.time_limit, workers=workers,
                                             engine=engine), day)
    schedule = result.schedule
    _keep(keep, case.name, schedule)
    s, kpis = schedule.summary, schedule.patrol
    assert kpis is not None
    return PlanRecord(
        name=case.name, status=schedule.status, feasible=result.passed,
        violations=len(schedule.violations), segments=len(inputs.streets),
        vehicles=len(inputs.volunteers),
        routes_used=s.routes_used, served_km=s.served_km, deadhead_km=s.deadhead_km,
        deadhead_pct=s.deadhead_pct, coverage_pct=s.coverage_pct,
        priority_covered_pct=kpis.priority_covered_pct,
        unassigned=s.unassigned, cost=0.0, driven_km_lower_bound=None, bound_gap_pct=None,
        import_s=round(imported - started, 2), plan_s=result.seconds["plan"],
        check_s=result.seconds["check"], time_limit=case.time_limit,
        target_s=case.target_s,
        within_target=imported - started + result.seconds["plan"] <= case.target_s,
        covered_of_bound_pct=kpis.covered_of_bound_pct, engine=engine,
    )


def _keep(keep: Path | None, name: str, schedule: Schedule) -> None:
    """``<case>.schedule.json`` and ``<case>.problems.txt`` (the checker's findings)."""
    if keep is None:
        return
    keep.mkdir(parents=True, exist_ok=True)
    (keep / f"{name}.schedule.json").write_text(schedule.model_dump_json(), encoding="utf-8")
    (keep / f"{name}.problems.txt").write_text("\n".join(map(str, schedule.violations)),
                                              encoding="utf-8")


def run_case(case: PlanCase, base: Path, workers: int = 0,
             keep: Path | None = None) -> PlanRecord:
    """Plan one case and check it; import time counts towards the target.

    ``keep``: a folder to write ``<case>.schedule.json`` and ``<case>.problems.txt`` into.
    """
    if case.kind == "patrol":
        return run_patrol_case(case, base, workers, keep)
    assert case.fleet is not None and case.streets is not None, "a sweep case needs a fleet"
    day = parse_date(case.date) if case.date else None
    params = PlanParams(time_limit=case.time_limit, workers=workers,
                        engine=case.engine or "pyvrp")
    if case.cluster_workers:
        from dask.distributed import LocalCluster

        with LocalCluster(n_workers=case.cluster_workers, threads_per_worker=1,
                          processes=True, dashboard_address=None) as cluster:
            result = sweep.run((base / case.streets).resolve(), (base / case.fleet).resolve(),
                               day, params.model_copy(
                                   update={"scheduler": cluster.scheduler_address}))
    else:
        result = sweep.run((base / case.streets).resolve(), (base / case.fleet).resolve(), day,
                           params)
    schedule = result.schedule
    _keep(keep, case.name, schedule)
    s = schedule.summary
    driven = s.served_km + s.deadhead_km
    bound = s.driven_km_lower_bound
    secs = result.seconds
    then = _then(case, base, day, params, result) if case.then else {}
    return PlanRecord(**then,
        name=case.name, status=schedule.status, feasible=result.passed,
        violations=len(schedule.violations), segments=len(result.streets),
        vehicles=len(result.fleet.vehicles),
        routes_used=s.routes_used, served_km=s.served_km, deadhead_km=s.deadhead_km,
        deadhead_pct=s.deadhead_pct, coverage_pct=s.coverage_pct,
        unassigned=s.unassigned, cost=s.cost, driven_km_lower_bound=bound,
        bound_gap_pct=round(100 * (driven - bound) / bound, 2) if bound else None,
        import_s=secs["read"], plan_s=secs["plan"], check_s=secs["check"],
        time_limit=case.time_limit, target_s=case.target_s,
        within_target=secs["read"] + secs["plan"] <= case.target_s,
        engine=case.engine or "pyvrp", km_driven=round(driven, 2), reference_km=case.reference_km,
        vs_reference_pct=round(100 * (driven - case.reference_km) / case.reference_km, 2)
        if case.reference_km else None, wall_s=round(sum(secs.values()), 1),
        peak_mb=peak_mb(), cluster_workers=case.cluster_workers, districts=s.districts,
        district_s_mean=s.district_s_mean, district_s_max=s.district_s_max,
        reasons=dict(Counter(" ".join(u.reason.split()[:8]) for u in schedule.unassigned)
                     .most_common(4)),
    )


def _then(case: PlanCase, base: Path, day: dt.date | None, params: PlanParams,
          first: sweep.PlanRun) -> dict[str, Any]:
    """What follows the plan in a ``then`` case (see :class:`PlanCase`), as record fields."""
    from streetcrew.solver.sweep.events import parse_at, parse_event, parse_report

    with tempfile.TemporaryDirectory() as tmp:
        plan = Path(tmp) / "plan"
        sweep.write(first, plan)
        began = time.perf_counter()
        if case.then == "previous":
            again = sweep.run((base / str(case.streets)).resolve(),
                              (base / str(case.fleet)).resolve(), day, params,
                              previous=plan / "schedule.json")
            s = again.schedule.summary
            kept, moved = s.passes_kept or 0, s.passes_changed or 0
            return {"then": "previous", "then_s": round(time.perf_counter() - began, 2),
                    "then_target_s": case.time_limit + 20, "then_feasible": again.passed,
                    "kept_pct": round(100 * kept / (kept + moved), 2) if kept + moved else None,
                    "cost_vs_plan_pct": round(100 * (s.cost - first.schedule.summary.cost)
                                              / first.schedule.summary.cost, 2)
                    if first.schedule.summary.cost else None,
                    "then_unassigned": s.unassigned}
        at = parse_at(str(case.at))
        kinds = [e.split(" ", 1) for e in case.events]
        redo = sweep.replan_run(
            plan / "schedule.json", at,
            [parse_event(kind, text) for kind, text in kinds if kind != "report"],
            PlanParams(time_limit=case.then_target_s), Path(tmp) / "replan",
            reports=[parse_report(text, at) for kind, text in kinds if kind == "report"],
            register=Path(tmp) / "cases.csv")
        return {"then": "replan " + "; ".join(case.events),
                "then_s": round(time.perf_counter() - began, 2),
                "then_target_s": case.then_target_s, "then_feasible": redo.passed,
                "routes_changed": sum(1 for r in redo.schedule.routes if r.changed),
                "then_unassigned": redo.schedule.summary.unassigned}


def peak_mb() -> float:
    """The largest resident set (MB) of this process or of a process it waited for."""
    import resource

    return round(max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                     resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024, 1)


def render(records: list[PlanRecord]) -> str:
    head = ("| case | engine | segments | routes used (of vehicles or volunteers) | km served | "
            "deadhead km (%) | coverage % (patrol: priority covered, of bound) | unassigned | "
            "km driven / bound | vs reference | read + plan s (target) | checked |")
    rows = [head, "|" + "---|" * 12]
    for r in records:
        bound = (f"{r.served_km + r.deadhead_km:.1f} / {r.driven_km_lower_bound:.1f} "
                 f"(≤ {r.bound_gap_pct:.1f} % above)" if r.driven_km_lower_bound else "-")
        ref = (f"{r.vs_reference_pct:+.2f} % ({r.reference_km:g} km)"
               if r.vs_reference_pct is not None else "-")
        rows.append(
            f"| {r.name} | {r.engine} | {r.segments} | {r.routes_used} of {r.vehicles} | "
            f"{r.served_km:.1f} | "
            f"{r.deadhead_km:.1f} ({r.deadhead_pct:.1f} %) | {r.coverage_pct:.1f} %"
            + (f" (priority {r.priority_covered_pct:.1f} %, {r.covered_of_bound_pct:.1f} % of "
               "bound)" if r.priority_covered_pct is not None
               and r.covered_of_bound_pct is not None else "") + " | "
            f"{r.unassigned} | {bound} | {ref} | {r.import_s + r.plan_s:.0f} ({r.target_s:.0f}) "
            f"{'ok' if r.within_target else 'MISSED'} | "
            f"{'feasible' if r.feasible else f'{r.violations} violations'} |")
    then = [r for r in records if r.then]
    if then:
        rows += ["", "| case | then | s (target) | checked | kept % | cost vs plan % | "
                     "routes changed | unassigned |", "|" + "---|" * 8]
        rows += [f"| {r.name} | {r.then} | {r.then_s:.1f} ({r.then_target_s:.0f}) "
                 f"{'ok' if (r.then_s or 0) <= (r.then_target_s or 0) else 'MISSED'} | "
                 f"{'feasible' if r.then_feasible else 'FAILED'} | "
                 f"{'-' if r.kept_pct is None else f'{r.kept_pct:.1f}'} | "
                 f"{'-' if r.cost_vs_plan_pct is None else f'{r.cost_vs_plan_pct:+.2f}'} | "
                 f"{'-' if r.routes_changed is None else r.routes_changed} | "
                 f"{r.then_unassigned} |" for r in then]
    return "\n".join(rows)
