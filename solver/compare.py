"""Plan every scenario (and seed), check each plan, and put the KPIs side by side.

Runs are independent tasks ``(scenario, seed)``: on local processes by default, or on a
Dask distributed cluster (``scheduler="tcp://host:port"``), where the street list is sent
to the workers once (scattered) and a task whose worker dies is run again (``retries``).
"""

from __future__ import annotations

import itertools
import os
import statistics
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from models.crew import CrewMember, CrewRules
from models.fleet import Fleet
from models.scenario import Scenario, ScenarioSet, apply_changes
from models.streets import Street

KPIS = ("cost", "km_swept", "deadhead_pct", "sweeping_rate_pct", "vehicles_used",
        "drivers_used", "overtime_s", "unassigned", "solve_s")


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
    solve_s: float


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


def run(task: Task, streets: Sequence[Street], fleet: Fleet) -> Run:
    """Apply the scenario to the base, plan (one process), check, roster when a crew is given."""
    from solver.check_schedule import check_schedule
    from solver.sweep import PlanParams, plan_sweeping

    started = time.perf_counter()
    fleet2, streets2 = apply_changes(fleet, list(streets), task.scenario, task.file)
    params = PlanParams(time_limit=task.time_limit, workers=1, seed=task.seed,
                        solutions=task.solutions)
    schedule = plan_sweeping(streets2, fleet2, params, None, task.date)
    problems = check_schedule(streets2, fleet2, schedule)
    drivers = uncovered = None
    if task.crew is not None and schedule.routes:
        from solver.crews_pulp import solve_roster
        from solver.roster import duties

        rules = task.rules or CrewRules()
        helpers = {t.id for t in fleet2.vehicle_types if t.needs_helper} | set(rules.helper_types)
        roster = solve_roster(duties([(task.date or "2026-01-05", schedule)], helpers),
                              list(task.crew),
                              rules.model_copy(update={"time_limit": min(rules.time_limit, 30)}),
                              solver=task.mip)
        drivers = len({a.driver for a in roster.assignments if a.driver is not None})
        uncovered = len(roster.uncovered)
    reasons: dict[str, int] = {}
    for u in schedule.unassigned:
        reasons[u.reason] = reasons.get(u.reason, 0) + 1
    s = schedule.summary
    return Run(scenario=task.scenario.name, seed=task.seed, status=schedule.status,
               feasible=not problems, violations=len(problems), cost=s.cost,
               km_swept=s.swept_km, deadhead_pct=s.deadhead_pct,
               sweeping_rate_pct=s.sweeping_rate_pct, vehicles=len(fleet2.vehicles),
               vehicles_used=s.vehicles_used, drivers_used=drivers, uncovered_duties=uncovered,
               overtime_s=s.overtime_s, unassigned=s.unassigned, reasons=reasons,
               solve_s=round(time.perf_counter() - started, 2))


def _local(arg: tuple[Task, str, str]) -> Run:
    task, streets_path, fleet_path = arg
    streets, fleet = load_base(streets_path, fleet_path, task.date)
    return run(task, streets, fleet)


def load_base(streets_path: str, fleet_path: str, date: str | None
              ) -> tuple[list[Street], Fleet]:
    from datetime import date as _date

    from models.read_fleet import read_fleet
    from models.read_osm import read_osm
    from models.read_streets import load_streets

    day = _date.fromisoformat(date) if date else None
    if streets_path.endswith((".osm", ".osm.gz", ".osm.bz2", ".osm.xml")):
        streets = list(read_osm(streets_path).streets)
    else:
        streets = list(load_streets(Path(streets_path), day).streets)
    return streets, read_fleet(fleet_path)


def tasks_of(sets: Sequence[ScenarioSet], seeds: int, time_limit: float,
             default_streets: str, default_fleet: str, solutions: int | None = None
             ) -> list[tuple[Task, str, str]]:
    from models.read_crew import read_crew, read_rules
    from models.read_fleet import read_fleet
    from solver.crews_pulp import pick_solver

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
        for sc in sset.scenarios:
            for seed in range(seeds):
                out.append((Task(file=sset.file, scenario=sc, seed=seed, time_limit=time_limit,
                                 date=sset.base.date, crew=crew, rules=rules,
                                 mip=pick_solver("auto"), solutions=solutions), streets, fleet))
    return out


def compare(jobs: list[tuple[Task, str, str]], workers: int = 0,
            scheduler: str | None = None) -> list[Run]:
    """Run every (scenario, seed); results in the order of ``jobs``."""
    if scheduler is not None:
        return _on_dask(jobs, scheduler)
    n = max(1, min(len(jobs), workers or (os.cpu_count() or 1)))
    if n == 1:
        return [_local(j) for j in jobs]
    with ProcessPoolExecutor(max_workers=n) as pool:
        return list(pool.map(_local, jobs))


def _on_dask(jobs: list[tuple[Task, str, str]], scheduler: str) -> list[Run]:
    from dask.distributed import Client, as_completed

    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise ConnectionError(f"the Dask scheduler at {scheduler} did not answer within "
                              f"10 s ({exc.__class__.__name__})") from None
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
            running[client.submit(run_apart, task, s_fut, f_fut, retries=2, pure=False)] = i

        # no more tasks in flight than worker threads: a worker busy in a long solve cannot
        # answer work stealing, so tasks queued on it would wait while another idles
        for i in itertools.islice(pending, slots):
            submit(i)
        done = as_completed(list(running))
        for fut in done:
            results[running.pop(fut)] = fut.result()
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
        done = subprocess.run([sys.executable, "-m", "solver.compare", str(given), str(got)],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"the plan of {task.scenario.name!r} (seed {task.seed}) failed:"
                               f" {done.stderr.strip().splitlines()[-1:]}")
        return Run.model_validate_json(got.read_text(encoding="utf-8"))


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
                               "vehicles": rs[0].vehicles}
        for k in KPIS:
            values = [v for r in rs if (v := getattr(r, k if k != "drivers_used"
                                                     else "drivers_used")) is not None]
            if not values:
                row[k] = row[f"{k}_spread"] = row[f"{k}_vs_base"] = None
                continue
            mean = statistics.fmean(values)
            row[k] = round(mean, 2)
            row[f"{k}_spread"] = round(max(values) - min(values), 2)
            if base is not None:
                bvals = [v for r in base if (v := getattr(r, k)) is not None]
                row[f"{k}_vs_base"] = round(mean - statistics.fmean(bvals), 2) if bvals else None
        reasons: dict[str, int] = {}
        for r in rs:
            for why, n in r.reasons.items():
                reasons[why] = reasons.get(why, 0) + n
        row["top_reason"] = max(reasons, key=lambda w: reasons[w]) if reasons else ""
        rows.append(row)
    return rows


# Unassigned work a bigger fleet could take (the rest, such as a one-way dead end, it cannot).
FLEET_REASONS = ("no vehicle could fit", "could not be swept", "its district could not",
                 "did not fit")


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
               workers: int = 0, most: int = 200, file: str = "--vehicle-type"
               ) -> tuple[int | None, list[SizePoint]]:
    """The fewest vehicles of ``vtype`` (the rest of the fleet as it is) that leave no work a
    bigger fleet could take, by doubling then halving; with the plans at one fewer and one
    more for the cost curve. Returns (that number or None when even ``most`` do not, points).
    """
    from models.scenario import AddVehicles, RemoveVehicles
    from solver.check_schedule import check_schedule
    from solver.sweep import PlanParams, plan_sweeping

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
        plan = plan_sweeping(s2, f2, PlanParams(time_limit=time_limit, workers=workers))
        took = time.perf_counter() - began
        left = sum(1 for u in plan.unassigned if u.reason.startswith(FLEET_REASONS))
        s = plan.summary
        seen[n] = SizePoint(vehicles=n, cost=s.cost, km_driven=round(s.swept_km + s.deadhead_km,
                                                                      2),
                            unassigned=s.unassigned, left_for_fleet=left,
                            feasible=not check_schedule(s2, f2, plan), solve_s=round(took, 1))
        return seen[n]

    lo, hi = -1, max(1, have)  # lo: known too few (-1: none known); hi: to try
    while at(hi).left_for_fleet > 0:
        lo = hi
        if hi >= most:
            return None, sorted(seen.values(), key=lambda p: p.vehicles)
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

    _child(sys.argv[1], sys.argv[2])
