"""Plan every scenario (and seed), check each plan, and put the KPIs side by side.

Runs are independent tasks ``(scenario, seed)``: on local processes by default, or on a
Dask distributed cluster (``scheduler="tcp://host:port"``), where the street list is sent
to the workers once (scattered) and a task whose worker dies is run again (by the scheduler).
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import os
import statistics
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from streetcrew.models.base import InputError
from streetcrew.models.crew import CrewMember, CrewRules
from streetcrew.models.fleet import Fleet
from streetcrew.models.patrol import Case, Volunteer
from streetcrew.models.scenario import ChangeStreets, Scenario, ScenarioSet, apply_changes
from streetcrew.models.streets import Street

# (Run field, label, number format): the columns of comparison.md and the charts
KPI_COLUMNS = (("cost", "cost", ".0f"), ("cost_per_km", "cost per km swept", ".2f"),
               ("km_swept", "km swept", ".1f"),
               ("deadhead_pct", "deadhead %", ".1f"),
               ("sweeping_rate_pct", "sweeping rate %", ".1f"),
               ("vehicles_used", "vehicles used", ".1f"), ("drivers_used", "drivers", ".1f"),
               ("overtime_s", "overtime s", ".0f"), ("unassigned", "unassigned", ".0f"),
               ("patrol_priority_pct", "patrol priority %", ".1f"),
               ("patrol_must_missed", "must-cover missed", ".0f"), ("solve_s", "solve s", ".1f"))
KPIS = tuple(key for key, _, _ in KPI_COLUMNS)


class Run(BaseModel):
    """One scenario planned with one seed, checked."""

    model_config = ConfigDict(frozen=True)
    scenario: str
    seed: int
    status: str
    feasible: bool
    violations: int
    cost: float
    km_swept: float
    deadhead_pct: float
    sweeping_rate_pct: float
    vehicles: int
    vehicles_used: int
    drivers_used: int | None  # None: no crew in the scenario
    uncovered_duties: int | None
    overtime_s: int
    unassigned: int
    reasons: dict[str, int]  # unassigned work by reason
    patrol_priority_pct: float | None = None  # None: no volunteers in the scenario
    patrol_must_missed: int | None = None
    solve_s: float

    @property
    def cost_per_km(self) -> float | None:
        """What a kilometre swept costs: a plan that leaves work undone is not cheaper by it."""
        return self.cost / self.km_swept if self.km_swept > 0 else None


class PatrolInputs(BaseModel):
    """The volunteers, the day's cases and the must-cover streets, read on the client."""

    model_config = ConfigDict(frozen=True)
    volunteers: tuple[Volunteer, ...]
    cases: tuple[Case, ...] = ()
    must_cover: tuple[str, ...] = ()


class Task(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)
    file: str
    scenario: Scenario
    seed: int
    time_limit: float
    date: str | None
    crew: tuple[CrewMember, ...] | None  # read once, on the client: workers need no files
    rules: CrewRules | None
    mip: str = "cbc"  # chosen on the client, so every worker uses the same solver
    solutions: int | None = None  # deterministic plans: a limit on work instead of time
    patrol: PatrolInputs | None = None
    # the walks depend on the streets only (no seed): the scenario whose seed-0 run plans
    # them for this one ("base" when this one keeps the base's streets)
    patrol_from: str | None = None


def run(task: Task, streets: Sequence[Street], fleet: Fleet) -> Run:
    """Apply the scenario to the base, plan (one process), check, roster when a crew is given."""
    from streetcrew.solver.sweep import run as sweep
    from streetcrew.solver.sweep.params import PlanParams

    started = time.perf_counter()
    fleet2, streets2 = apply_changes(fleet, list(streets), task.scenario, task.file)
    params = PlanParams(time_limit=task.time_limit, workers=1, seed=task.seed,
                        solutions=task.solutions)
    day = _day(task.date)
    schedule = sweep.plan(streets2, fleet2, params, None, day)
    problems = list(schedule.violations)
    drivers = uncovered = None
    if task.crew is not None and schedule.routes:
        from streetcrew.solver.crews.duties import duties
        from streetcrew.solver.crews.engine_pulp import solve_roster

        rules = task.rules or CrewRules()
        helpers = {t.id for t in fleet2.vehicle_types if t.needs_helper} | set(rules.helper_types)
        roster = solve_roster(duties([(day or dt.date(2026, 1, 5), schedule)], helpers),
                              list(task.crew),
                              rules.model_copy(update={"time_limit": min(rules.time_limit, 30)}),
                              solver=task.mip)
        drivers = len({a.driver for a in roster.assignments if a.driver is not None})
        uncovered = len(roster.uncovered)
    reasons: dict[str, int] = {}
    for u in schedule.unassigned:
        reasons[u.reason] = reasons.get(u.reason, 0) + 1
    patrol_pct = must_missed = None
    if task.patrol is not None:
        from streetcrew.solver.patrol import run as patrol
        from streetcrew.solver.patrol.plan import PatrolParams

        p = task.patrol
        walks = patrol.plan(patrol.PatrolInputs(list(streets2), list(p.volunteers),
                                                list(p.cases), list(p.must_cover)),
                            PatrolParams(time_limit=task.time_limit, workers=1,
                                         solutions=task.solutions), day)
        problems += [v.model_copy(update={"where": f"patrol {v.where or ''}".strip()})
                     for v in walks.violations]
        kpis = walks.patrol
        assert kpis is not None
        patrol_pct = kpis.priority_covered_pct
        must_missed = kpis.must_cover - kpis.must_cover_met
        for u in walks.unassigned:
            why = f"patrol: {u.reason}"
            reasons[why] = reasons.get(why, 0) + 1
    s = schedule.summary
    return Run(scenario=task.scenario.name, seed=task.seed, status=schedule.status,
               feasible=not problems, violations=len(problems), cost=s.cost,
               km_swept=s.served_km, deadhead_pct=s.deadhead_pct,
               sweeping_rate_pct=s.coverage_pct, vehicles=len(fleet2.vehicles),
               vehicles_used=s.routes_used, drivers_used=drivers, uncovered_duties=uncovered,
               overtime_s=s.overtime_s, unassigned=s.unassigned, reasons=reasons,
               patrol_priority_pct=patrol_pct, patrol_must_missed=must_missed,
               solve_s=round(time.perf_counter() - started, 2))


def _local(arg: tuple[Task, str, str]) -> Run:
    task, streets_path, fleet_path = arg
    try:
        streets, fleet = _base_in_process(streets_path, fleet_path, task.date)
        return run(task, streets, fleet)
    except Exception as exc:  # noqa: BLE001 - one failed plan must not lose the others
        return failed(task, exc)


def failed(task: Task, exc: BaseException) -> Run:
    """The row of a plan that raised: counted as not feasible, with the error as its reason."""
    lines = str(exc).strip().splitlines()
    detail = lines[-1].strip() if lines else exc.__class__.__name__
    if not isinstance(exc, PlanFailed):
        detail = f"{exc.__class__.__name__}: {detail}"
    why = f"plan failed: {detail}"
    return Run(scenario=task.scenario.name, seed=task.seed, status="failed", feasible=False,
               violations=1, cost=0.0, km_swept=0.0, deadhead_pct=0.0, sweeping_rate_pct=0.0,
               vehicles=0, vehicles_used=0, drivers_used=None, uncovered_duties=None,
               overtime_s=0, unassigned=0, reasons={why: 1}, solve_s=0.0)


@functools.lru_cache(maxsize=2)
def _base_in_process(streets_path: str, fleet_path: str, date: str | None
                     ) -> tuple[tuple[Street, ...], Fleet]:
    """The base read once per local process, not once per plan (an OSM extract takes a while);
    a tuple, so no plan can change the copy the next one gets."""
    streets, fleet = load_base(streets_path, fleet_path, date)
    return tuple(streets), fleet


def load_base(streets_path: str, fleet_path: str, date: str | None
              ) -> tuple[list[Street], Fleet]:
    from streetcrew.models.io.fleet import read_fleet

    return street_file(streets_path, date), read_fleet(fleet_path)


def street_file(path: str, date: str | None) -> list[Street]:
    """The streets of an OSM extract or a street file (GeoJSON, CSV) for the day."""
    from streetcrew.models.io.streets import read_street_source

    return read_street_source(path, _day(date))


def _day(date: str | dt.date | None) -> dt.date | None:
    """A scenario file's date (checked when the file was read) as a date."""
    return dt.date.fromisoformat(date) if isinstance(date, str) else date


def tasks_of(sets: Sequence[ScenarioSet], seeds: int, time_limit: float,
             default_streets: str, default_fleet: str, solutions: int | None = None
             ) -> list[tuple[Task, str, str]]:
    from streetcrew.models.io.crew import read_crew, read_rules
    from streetcrew.models.io.fleet import read_fleet
    from streetcrew.solver.crews.engine_pulp import pick_solver

    out = []
    for sset in sets:
        streets = sset.base.streets or default_streets
        fleet = sset.base.fleet or default_fleet
        crew = rules = None
        if sset.base.crew is not None:
            base_fleet = read_fleet(fleet)
            crew = tuple(read_crew(sset.base.crew, [t.id for t in base_fleet.vehicle_types],
                                   [d.id for d in base_fleet.depots]))
            rules = read_rules(sset.base.rules) if sset.base.rules else CrewRules()
        patrol = None
        if sset.base.volunteers is not None:
            patrol = _patrol_inputs(sset, streets)
        elif sset.base.cases or sset.base.must_cover:
            raise InputError(sset.file, "base", "volunteers",
                             "cases and must_cover are for patrols: name the volunteers too")
        for sc in sset.scenarios:
            source = sc.name if any(isinstance(c, ChangeStreets) for c in sc.changes) else "base"
            for seed in range(seeds):
                plans = patrol is not None and seed == 0 and source == sc.name
                out.append((Task(file=sset.file, scenario=sc, seed=seed, time_limit=time_limit,
                                 date=sset.base.date, crew=crew, rules=rules,
                                 mip=pick_solver("auto"), solutions=solutions,
                                 patrol=patrol if plans else None,
                                 patrol_from=source if patrol is not None else None),
                            streets, fleet))
    return out


def _share_patrol(jobs: list[tuple[Task, str, str]], runs: list[Run]) -> list[Run]:
    """Give each run the patrol figures of the run that planned the walks on its streets."""
    planned = {(job[0].file, job[0].scenario.name): run for job, run in zip(jobs, runs)
               if job[0].patrol is not None and run.status != "failed"}
    out = []
    for (task, _, _), run in zip(jobs, runs):
        b = planned.get((task.file, task.patrol_from or ""))
        if task.patrol is None and b is not None and run.status != "failed":
            walks = {w: n for w, n in b.reasons.items() if w.startswith("patrol: ")}
            run = run.model_copy(update={"patrol_priority_pct": b.patrol_priority_pct,
                                         "patrol_must_missed": b.patrol_must_missed,
                                         "reasons": run.reasons | walks})
        out.append(run)
    return out


def _patrol_inputs(sset: ScenarioSet, streets_path: str) -> PatrolInputs:
    from streetcrew.models.io.patrol import (
        check_must_cover,
        read_cases,
        read_must_cover,
        read_volunteers,
    )

    base = sset.base
    assert base.volunteers is not None
    # cases fade with age: counted on the base's date, else today (as `streetcrew patrol`)
    day = _day(base.date) or dt.date.today()
    must: list[str] = []
    if base.must_cover:
        must = read_must_cover(base.must_cover)
        check_must_cover(must, street_file(streets_path, base.date), base.must_cover)
    return PatrolInputs(volunteers=tuple(read_volunteers(base.volunteers)),
                        cases=tuple(read_cases(base.cases, day)) if base.cases else (),
                        must_cover=tuple(must))


Progress = Callable[[Run, int, int], None]  # (a finished run, runs done, runs in all)


def compare(jobs: list[tuple[Task, str, str]], workers: int = 0,
            scheduler: str | None = None, progress: Progress | None = None) -> list[Run]:
    """Run every (scenario, seed); results in the order of ``jobs``; ``progress`` is told of
    each run as it finishes (in the order they finish)."""
    tell = progress or (lambda run, done, total: None)
    if scheduler is not None:
        return _share_patrol(jobs, _on_dask(jobs, scheduler, tell))
    n = max(1, min(len(jobs), workers or (os.cpu_count() or 1)))
    out: list[Run] = []
    if n == 1:
        for j in jobs:
            out.append(_local(j))
            tell(out[-1], len(out), len(jobs))
        return _share_patrol(jobs, out)
    with ProcessPoolExecutor(max_workers=n) as pool:
        futures = {pool.submit(_local, j): i for i, j in enumerate(jobs)}
        results: dict[int, Run] = {}
        for fut in as_completed(futures):
            i = futures[fut]
            try:
                results[i] = fut.result()
            except Exception as exc:  # noqa: BLE001 - a process that died (memory, crash)
                results[i] = failed(jobs[i][0], exc)
            tell(results[i], len(results), len(jobs))
        return _share_patrol(jobs, [results[i] for i in range(len(jobs))])


def _on_dask(jobs: list[tuple[Task, str, str]], scheduler: str, tell: Progress) -> list[Run]:
    from dask.distributed import as_completed

    from streetcrew.solver.sweep.cluster import connect

    client = connect(scheduler)  # a clear ConnectionError within 10 s (30 s: no workers)
    try:
        bases: dict[tuple[str, str, str | None], Any] = {}
        slots = max(1, sum(client.nthreads().values()))
        results: dict[int, Run] = {}
        pending = iter(range(len(jobs)))
        running: dict[Any, int] = {}

        def submit(i: int) -> None:
            task, streets_path, fleet_path = jobs[i]
            key = (streets_path, fleet_path, task.date)
            if key not in bases:  # the street list goes to the workers once
                streets, fleet = load_base(streets_path, fleet_path, task.date)
                bases[key] = (client.scatter(streets, broadcast=True),
                              client.scatter(fleet, broadcast=True))
            s_fut, f_fut = bases[key]
            # no retries: a plan that raised would raise again; a task whose worker died is
            # run again by the scheduler (distributed.scheduler.allowed-failures, 3)
            running[client.submit(run_apart, task, s_fut, f_fut, pure=False)] = i

        # no more tasks in flight than worker threads: a worker busy in a long solve cannot
        # answer work stealing, so tasks queued on it would wait while another idles
        for i in itertools.islice(pending, slots):
            submit(i)
        done = as_completed(list(running))
        for fut in done:
            i = running.pop(fut)
            try:  # the plan's error, or KilledWorker after its workers died three times
                results[i] = fut.result()
            except Exception as exc:  # noqa: BLE001 - one failed plan must not lose the others
                results[i] = failed(jobs[i][0], exc)
            tell(results[i], len(results), len(jobs))
            nxt = next(pending, None)
            if nxt is not None:
                submit(nxt)
                done.add(list(running)[-1])
        return [results[i] for i in range(len(jobs))]
    finally:
        client.close()


def run_apart(task: Task, streets: Sequence[Street], fleet: Fleet) -> Run:
    """:func:`run` in a child process: OR-Tools holds the GIL for a whole search, and a Dask
    worker whose event loop stalls that long misses heartbeats and cannot hand work on.
    (A plain subprocess: Dask's worker processes are daemons and may not fork a pool.)"""
    import pickle
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        given, got = Path(tmp) / "in.pickle", Path(tmp) / "out.json"
        given.write_bytes(pickle.dumps((task, list(streets), fleet)))
        # Dask's nanny sets MALLOC_TRIM_THRESHOLD_=65536 for its workers; inherited, it made
        # an OR-Tools search 10x slower (measured: 75 s -> more than 11 min, same plan)
        env = {k: v for k, v in os.environ.items() if k not in CHILD_ENV_DROP}
        done = subprocess.run([sys.executable, "-m", "streetcrew.solver.scenarios.compare", str(given), str(got),
                               str(os.getpid())],
                              capture_output=True, text=True, check=False, env=env)
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
            raise PlanFailed(last)
        return Run.model_validate_json(got.read_text(encoding="utf-8"))


CHILD_ENV_DROP = ("MALLOC_TRIM_THRESHOLD_",)


class PlanFailed(RuntimeError):
    """A plan's child process ended with an error: the message is its last line."""


def _die_with_parent(parent: int) -> None:
    """In the child: the kernel kills it when the worker dies (a plan running on after its
    worker was lost would take a core from the run that replaces it)."""
    import ctypes
    import signal
    import sys

    if sys.platform == "linux":
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the worker died before the line above
        sys.exit("the worker that started this plan is gone")


def _child(given: str, got: str) -> None:
    import pickle

    task, streets, fleet = pickle.loads(Path(given).read_bytes())
    Path(got).write_text(run(task, streets, fleet).model_dump_json(), encoding="utf-8")


def table(runs: Sequence[Run]) -> list[dict[str, Any]]:
    """One row per scenario: each KPI's mean over seeds, its spread, and the change from base."""
    by: dict[str, list[Run]] = {}
    for r in runs:
        by.setdefault(r.scenario, []).append(r)
    base = by.get("base")
    rows = []
    for name, rs in by.items():
        row: dict[str, Any] = {"scenario": name, "seeds": len(rs),
                               "feasible": all(r.feasible for r in rs),
                               "failed": sum(r.status == "failed" for r in rs),
                               "vehicles": max(r.vehicles for r in rs)}
        planned = [r for r in rs if r.status != "failed"]  # a failed plan has no KPIs
        for k in KPIS:
            values = [v for r in planned if (v := getattr(r, k)) is not None]
            if not values:
                row[k] = row[f"{k}_spread"] = row[f"{k}_vs_base"] = None
                continue
            mean = statistics.fmean(values)
            row[k] = round(mean, 2)
            row[f"{k}_spread"] = round(max(values) - min(values), 2)
            if base is not None:
                bvals = [v for r in base if r.status != "failed"
                         and (v := getattr(r, k)) is not None]
                row[f"{k}_vs_base"] = round(mean - statistics.fmean(bvals), 2) if bvals else None
        reasons: dict[str, int] = {}
        for r in rs:
            for why, n in r.reasons.items():
                reasons[why] = reasons.get(why, 0) + n
        errors = [next(iter(r.reasons)) for r in rs if r.status == "failed" and r.reasons]
        # a failure first: it says more than the work the other seeds left
        row["top_reason"] = errors[0] if errors else (
            max(reasons, key=lambda w: reasons[w]) if reasons else "")
        row["reasons"] = dict(sorted(reasons.items(), key=lambda kv: -kv[1]))
        rows.append(row)
    return rank(rows)


def rank(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows best first, numbered in ``rank``: a scenario whose plans failed their check or
    could not be made comes last; then the less work left undone, then the lower cost. Work
    left undone is never bought back by a lower cost."""
    def key(row: dict[str, Any]) -> tuple[int, float, float]:
        broken = int(bool(row["failed"]) or not row["feasible"])
        undone = row["unassigned"] if row["unassigned"] is not None else float("inf")
        cost = row["cost"] if row["cost"] is not None else float("inf")
        return broken, undone, cost

    ordered = sorted(rows, key=key)
    for i, row in enumerate(ordered, 1):
        row["rank"] = i
    return ordered


# Unassigned work a bigger fleet could take (the rest, such as a one-way dead end, it cannot).
FLEET_REASONS = ("left out by the search", "could not be swept", "its district could not",
                 "did not fit", "was missed once", "break could not be taken", "is closed when")


class SizePoint(BaseModel):
    model_config = ConfigDict(frozen=True)
    vehicles: int  # of the type sized
    cost: float
    km_driven: float
    unassigned: int  # all of it
    left_for_fleet: int  # unassigned that more vehicles could take
    feasible: bool
    solve_s: float


def size_fleet(streets: list[Street], fleet: Fleet, vtype: str, time_limit: float,
               workers: int = 0, most: int = 200, file: str = "--vehicle-type",
               solutions: int | None = None) -> tuple[int | None, list[SizePoint]]:
    """The fewest vehicles of ``vtype`` (the rest of the fleet as it is) that leave no work a
    bigger fleet could take, by doubling then halving; with the plans at one fewer and one
    more for the cost curve. Returns (that number or None when even ``most`` do not, points).
    """
    from streetcrew.models.scenario import AddVehicles, RemoveVehicles
    from streetcrew.solver.sweep import run as sweep
    from streetcrew.solver.sweep.params import PlanParams

    have = sum(1 for v in fleet.vehicles if v.type == vtype)
    seen: dict[int, SizePoint] = {}

    def at(n: int) -> SizePoint:
        if n in seen:
            return seen[n]
        change: Any = (AddVehicles(type=vtype, count=n - have) if n > have else
                       RemoveVehicles(type=vtype, count=have - n) if n < have else None)
        sc = Scenario(name=f"{n} x {vtype}", changes=(change,) if change else ())
        f2, s2 = apply_changes(fleet, streets, sc, file)
        began = time.perf_counter()
        plan = sweep.plan(s2, f2, PlanParams(time_limit=time_limit, workers=workers,
                                             solutions=solutions))
        took = time.perf_counter() - began
        left = sum(1 for u in plan.unassigned if any(r in u.reason for r in FLEET_REASONS))
        s = plan.summary
        seen[n] = SizePoint(vehicles=n, cost=s.cost, km_driven=round(s.served_km + s.deadhead_km,
                                                                      2),
                            unassigned=s.unassigned, left_for_fleet=left,
                            feasible=not plan.violations, solve_s=round(took, 1))
        return seen[n]

    lo, hi = -1, max(1, have)  # lo: known too few (-1: none known); hi: to try
    while at(hi).left_for_fleet > 0:
        # twice the vehicles and no less work left: what is left is not for want of this type
        # (windows, gaps between repeat sweeps, other types' streets)
        if hi >= most or (lo > 0 and at(hi).left_for_fleet >= at(lo).left_for_fleet):
            return None, sorted(seen.values(), key=lambda p: p.vehicles)
        lo = hi
        hi = min(most, hi * 2)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if at(mid).left_for_fleet > 0:
            lo = mid
        else:
            hi = mid
    for n in (hi - 1, hi + 1):
        if n >= 0:
            at(n)
    return hi, sorted(seen.values(), key=lambda p: p.vehicles)


if __name__ == "__main__":  # the child of run_apart
    import sys

    _die_with_parent(int(sys.argv[3]))
    _child(sys.argv[1], sys.argv[2])
