"""Crew assignment and the roster as a mixed-integer programme in pulp.

Variables ``x[d, p, r]``: person ``p`` works duty ``d`` in role ``r`` (driver or
helper), only where :func:`solver.roster.why_not` allows it (licence, depot,
weekday, hours, length). ``u[d, r]`` marks a role left uncovered.

Hard rules: each role of each duty is filled once or uncovered; one duty per
person per day; at least ``min_rest_hours`` from one duty's end to the next
one's start (across days; one constraint per person, day and later start
time); at most ``max_hours_week`` in any 7 consecutive days; at most
``max_consecutive_days`` working days in a row; people who must not pair never
share a vehicle.

Two stages, as the bureau ranks them: first the fewest uncovered roles; then,
with that coverage kept, the least unfairness and the most continuity:
``weight_hours_spread`` x (most - least hours per 40 contracted hours, among
people who could work at all, drivers and helpers apart) + ``weight_nights_spread``
x (most - least night duties among those who could work one) +
``weight_same_route`` x (routes whose driver changed from the day before) +
``weight_preference`` x (duties against a stated preference).

CBC (bundled with pulp) by default; HiGHS when ``highspy`` is installed and
asked for. The stage-2 bound and gap come from the solver's log.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pulp

from streetcrew.models.crew import (
    Assignment,
    CrewMember,
    CrewRules,
    Duty,
    PersonLoad,
    Roster,
    Stage,
    Uncovered,
)
from streetcrew.solver.crews.duties import by_person, diagnose, is_night, plan_days, why_not

ROLES = ("driver", "helper")
DRIVER_WEIGHT = 10  # in the coverage stage, an uncovered driver counts this many helpers


def available_solvers() -> list[str]:
    return ["cbc"] + (["highs"] if "HiGHS" in pulp.listSolvers(onlyAvailable=True) else [])


def pick_solver(name: str) -> str:
    """``auto``: HiGHS where installed (``pip install highspy``), else CBC (ships with pulp)."""
    have = available_solvers()
    if name == "auto":
        return "highs" if "highs" in have else "cbc"
    if name not in have:
        raise ValueError(f"MIP solver {name!r} is not available here; available: "
                         f"{', '.join(have)}")
    return name


def solve_roster(duty_list: Sequence[Duty], crew: Sequence[CrewMember], rules: CrewRules,
                 previous: dict[str, str] | None = None, solver: str = "cbc",
                 threads: int = 1) -> Roster:
    """Assign the duties; ``previous`` maps route labels to yesterday's driver (day 1)."""
    started = time.perf_counter()
    duty_list = list(duty_list)
    # every date from the first to the last, so a day without duties still parts two others
    seen = sorted({d.day for d in duty_list})
    days = plan_days(seen[0], (seen[-1] - seen[0]).days + 1) if seen else []
    day_ix = {d: k for k, d in enumerate(days)}
    slots = [(i, r) for i, d in enumerate(duty_list) for r in ROLES
             if r == "driver" or d.helper]
    prob = pulp.LpProblem("roster", pulp.LpMinimize)
    x: dict[tuple[int, str, str], pulp.LpVariable] = {}
    for i, r in slots:
        for m in crew:
            if why_not(m, duty_list[i], r, rules) is None:
                x[i, m.id, r] = prob.add_variable(f"x_{i}_{len(x)}", cat="Binary")
    u = {(i, r): prob.add_variable(f"u_{i}_{r}", lowBound=0, upBound=1) for i, r in slots}
    by_slot: dict[tuple[int, str], list[pulp.LpVariable]] = {s: [] for s in slots}
    mine: dict[str, list[tuple[int, str]]] = {}
    for (i, p, r), var in x.items():
        by_slot[i, r].append(var)
        mine.setdefault(p, []).append((i, r))
    for (i, r), vs in by_slot.items():
        prob += pulp.lpSum(vs) + u[i, r] == 1, f"fill_{i}_{r}"
    for p, keys in mine.items():
        _person_rules(prob, p, keys, x, duty_list, day_ix, rules)
    for m in crew:
        for other in m.not_with:
            for i, _ in slots:
                for a, b in ((m.id, other), (other, m.id)):
                    if (i, a, "driver") in x and (i, b, "helper") in x:
                        prob += x[i, a, "driver"] + x[i, b, "helper"] <= 1
    # stage 1: coverage
    for i, r in slots:
        if r == "helper":  # a helper only goes out with a driver
            prob += u[i, "driver"] <= u[i, "helper"], f"helper_with_driver_{i}"
    # a vehicle without a driver stays in: a driver counts ten helpers
    uncovered = pulp.lpSum((DRIVER_WEIGHT if r == "driver" else 1) * v for (_, r), v in u.items())
    stages: list[Stage] = []
    stages.append(_stage(prob, "coverage", uncovered, solver, 0.3 * rules.time_limit, 0.0,
                         threads))
    prob += uncovered <= round(stages[-1].objective), "coverage"
    # stage 2: balance, with that coverage; stage 3: continuity, with that balance
    balance, continuity = _fairness(prob, crew, mine, x, duty_list, rules, previous or {},
                                    days)
    for name, expr, share in (("balance", balance, 0.5), ("continuity", continuity, 1.0)):
        if not expr.keys():
            continue
        left = rules.time_limit - (time.perf_counter() - started)
        stages.append(_stage(prob, name, expr, solver, max(1.0, share * left), rules.gap,
                             threads))
        if name == "balance":  # whole numbers: keep the balance found exactly
            prob += expr <= stages[-1].objective * (1 + rules.balance_slack), "balance"
    return _roster(duty_list, crew, rules, x, days, stages, solver,
                   time.perf_counter() - started)


def _stage(prob: pulp.LpProblem, name: str, expr: pulp.LpAffineExpression, solver: str,
           seconds: float, gap: float, threads: int) -> Stage:
    prob.setObjective(expr)
    began = time.perf_counter()
    kept = {v.name: v.varValue for v in prob.variables()}  # the previous stage's answer
    status, bound = _run(prob, solver, seconds, gap, threads)
    if status == "infeasible" and any(val is not None for val in kept.values()):
        # no answer within the time: keep the previous stage's (it satisfies this one)
        for v in prob.variables():
            v.varValue = kept.get(v.name)
        status, bound = "feasible", None
    value = float(pulp.value(expr) or 0.0)
    if status == "optimal" and bound is None:
        bound = value
    gap_pct = None
    if bound is not None:
        gap_pct = round(100 * max(0.0, value - bound) / abs(value), 3) if value else 0.0
        if status == "optimal" and gap_pct > 1e-3:
            status = "within_gap"  # the solver stopped at the relative gap asked for
    return Stage(name=name, status=status, objective=round(value, 4),
                 bound=None if bound is None else round(bound, 4), gap_pct=gap_pct,
                 seconds=round(time.perf_counter() - began, 2))


def _person_rules(prob: pulp.LpProblem, p: str, keys: list[tuple[int, str]],
                  x: dict[tuple[int, str, str], pulp.LpVariable], duty_list: list[Duty],
                  day_ix: dict[dt.date, int], rules: CrewRules) -> None:
    per_day: dict[int, list[tuple[int, str]]] = {}
    for i, r in keys:
        per_day.setdefault(day_ix[duty_list[i].day], []).append((i, r))
    for ks in per_day.values():
        if len(ks) > 1:
            prob += pulp.lpSum(x[i, p, r] for i, r in ks) <= 1
    rest = rules.min_rest_hours * 3600

    def absolute(i: int, at: int) -> int:
        return day_ix[duty_list[i].day] * 86_400 + at

    for k, ks in per_day.items():
        for k2 in (k + 1, k + 2):
            later = per_day.get(k2, [])
            for sigma in sorted({absolute(j, duty_list[j].start) for j, _ in later}):
                before = [(i, r) for i, r in ks if absolute(i, duty_list[i].end) + rest > sigma]
                if not before:
                    continue
                after = [(j, r) for j, r in later if absolute(j, duty_list[j].start) <= sigma]
                prob += pulp.lpSum(x[i, p, r] for i, r in before + after) <= 1
    n_days = max(day_ix.values()) + 1 if day_ix else 0
    for k in range(max(1, n_days - 6)):
        week = [(i, r) for d in range(k, k + 7) for i, r in per_day.get(d, [])]
        if sum(duty_list[i].hours for i, _ in week) > rules.max_hours_week:
            prob += pulp.lpSum(duty_list[i].hours * x[i, p, r] for i, r in week) \
                <= rules.max_hours_week
    span = rules.max_consecutive_days + 1
    for k in range(0, n_days - span + 1):
        run = [(i, r) for d in range(k, k + span) for i, r in per_day.get(d, [])]
        if len({day_ix[duty_list[i].day] for i, _ in run}) == span:
            prob += pulp.lpSum(x[i, p, r] for i, r in run) <= rules.max_consecutive_days


def _fairness(prob: pulp.LpProblem, crew: Sequence[CrewMember],
              mine: dict[str, list[tuple[int, str]]],
              x: dict[tuple[int, str, str], pulp.LpVariable], duty_list: list[Duty],
              rules: CrewRules, previous: dict[str, str], days: list[dt.date]
              ) -> tuple[pulp.LpAffineExpression, pulp.LpAffineExpression]:
    """(balance, continuity): the stage-2 and stage-3 objectives."""
    terms = []
    people = {m.id: m for m in crew}
    if rules.weight_duties_balance > 0:
        for n, (p, keys) in enumerate(mine.items()):  # names by index: pulp mangles ids
            # the square of the person's duties, as steps costing 1, 3, 5, ... (the k-th duty
            # costs 2k - 1), weighted up for a shorter contract: convex with whole-number
            # breaks, so the relaxation's value at a fractional mix of duties is that of the
            # whole-duty mix: the bound is tight (a most-minus-least spread, or squared
            # hours, leave a gap of a few per cent the solver cannot close in time)
            n_days = len({duty_list[i].day for i, _ in keys})
            weight = round(rules.weight_duties_balance * 40 / people[p].contract_hours)
            steps = [prob.add_variable(f"w_{n}_{k}", lowBound=0, upBound=1)
                     for k in range(n_days)]
            prob += pulp.lpSum(steps) >= pulp.lpSum(x[i, p, r] for i, r in keys)
            terms += [weight * (2 * k + 1) * v for k, v in enumerate(steps)]
    nights = {i for i, d in enumerate(duty_list) if is_night(d, rules)}
    if nights and rules.weight_nights_balance > 0:
        for n, (p, keys) in enumerate(mine.items()):
            mine_nights = [(i, r) for i, r in keys if i in nights]
            n_days = len({duty_list[i].day for i, _ in mine_nights})
            if n_days < 2:
                continue
            steps = [prob.add_variable(f"n_{n}_{k}", lowBound=0, upBound=1)
                     for k in range(n_days)]
            prob += pulp.lpSum(steps) >= pulp.lpSum(x[i, p, r] for i, r in mine_nights)
            terms += [rules.weight_nights_balance * (2 * k + 1) * v for k, v in enumerate(steps)]
    balance = pulp.lpSum(terms)
    terms = []
    if rules.weight_same_route > 0:
        # route knowledge: each route gets a regular driver (the one who may drive it on
        # the most days, yesterday's driver first), and a duty driven by anyone else costs
        # the weight. Linear in x, so the relaxation stays tight (a "driver changed since
        # yesterday" variable per duty leaves the solver a 90 % gap)
        regular = _regulars(duty_list, x, previous, people)
        for (i, p, r), var in x.items():
            route = duty_list[i].route
            if r == "driver" and route in regular and regular[route] != p:
                terms.append(rules.weight_same_route * var)
    if rules.weight_preference > 0:
        for (i, p, r), var in x.items():
            m, d = people[p], duty_list[i]
            wants = [w for w in (m.prefer_vehicle, m.prefer_route) if w]
            if wants and r == "driver" and d.vehicle not in wants and d.route not in wants:
                terms.append(rules.weight_preference * var)
    return balance, pulp.lpSum(terms)


def _regulars(duty_list: list[Duty], x: dict[tuple[int, str, str], pulp.LpVariable],
              previous: dict[str, str], people: dict[str, CrewMember]) -> dict[str, str]:
    """A regular driver per route, each person regular on one route at most.

    An assignment maximising, over the pairs chosen, the days the person may drive
    the route (plus a week for yesterday's driver of it, half a day for a person who
    prefers that vehicle or route), so the regular can be there most days.
    """
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    days_on: dict[tuple[str, str], int] = {}
    for (i, p, r) in x:
        if r == "driver":
            key = (duty_list[i].route, p)
            days_on[key] = days_on.get(key, 0) + 1
    people_of = people
    routes = sorted({k[0] for k in days_on})
    who = sorted({k[1] for k in days_on})
    if not routes:
        return {}
    score = np.zeros((len(routes), len(who)))
    vehicle = {d.route: d.vehicle for d in duty_list}
    for (route, p), n in days_on.items():
        m = people_of[p]
        likes = route == m.prefer_route or vehicle[route] == m.prefer_vehicle
        score[routes.index(route), who.index(p)] = (n + (7 if previous.get(route) == p else 0)
                                                    + (0.5 if likes else 0))
    rows, cols = linear_sum_assignment(-score)
    return {routes[a]: who[b] for a, b in zip(rows, cols) if score[a, b] > 0}


def _run(prob: pulp.LpProblem, solver: str, seconds: float, gap: float,
         threads: int) -> tuple[str, float | None]:
    """Solve; (status, best bound on the objective or None)."""
    if solver == "highs":
        with _quiet():  # highspy prints its banner even with msg=False
            prob.solve(pulp.HiGHS(msg=False, timeLimit=seconds, gapRel=gap, threads=threads))
        status = {1: "optimal", 2: "feasible"}.get(prob.sol_status, "infeasible")
        info = prob.solverModel.getInfo()
        bound = float(info.mip_dual_bound) if status != "infeasible" else None
        return status, bound
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "solver.log"
        prob.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=seconds, gapRel=gap, threads=threads,
                                     logPath=str(log), warmStart=True))
        text = log.read_text(errors="replace") if log.exists() else ""
    status = {1: "optimal", 2: "feasible"}.get(prob.sol_status, "infeasible")
    bound = None
    m = re.search(r"Lower bound:\s*(-?[\d.eE+-]+)", text)
    if m:
        bound = float(m.group(1))
    if "Stopped on time" in text:
        status = "feasible" if prob.sol_status in (1, 2) else "infeasible"
    return status, bound


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Standard output of this process (and its C libraries) to /dev/null for a while."""
    sys.stdout.flush()
    saved = os.dup(1)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)


def _roster(duty_list: list[Duty], crew: Sequence[CrewMember], rules: CrewRules,
            x: dict[tuple[int, str, str], pulp.LpVariable], days: list[dt.date],
            stages: list[Stage], solver: str, seconds: float) -> Roster:
    people = {m.id: m for m in crew}
    status = ("infeasible" if any(st.status == "infeasible" for st in stages) else
              "optimal" if all(st.status == "optimal" for st in stages) else
              "within_gap" if all(st.status in ("optimal", "within_gap") for st in stages)
              else "feasible")
    who: dict[tuple[int, str], str] = {}
    for (i, p, r), var in x.items():
        if (var.value() or 0) > 0.5:
            who[i, r] = p
    assignments = tuple(Assignment(
        day=d.day, route=d.route, vehicle=d.vehicle, vehicle_type=d.vehicle_type,
        depot=d.depot, start=d.start, end=d.end, driver=who.get((i, "driver")),
        helper=who.get((i, "helper")), helper_needed=d.helper) for i, d in enumerate(duty_list))
    partial = Roster(status=status, days=tuple(days), assignments=assignments, uncovered=(),
                     load=(), stages=(), gap_pct=None, hours_spread=0,
                     nights_spread=0, solver=solver, solve_s=0, rules=rules)
    taken = by_person(partial)
    uncovered = []
    for i, d in enumerate(duty_list):
        for r in ROLES:
            if (r == "driver" or d.helper) and (i, r) not in who:
                why = ("no driver: the vehicle stays in, and its helper with it"
                       if r == "helper" and (i, "driver") not in who
                       else diagnose(d, r, crew, rules, taken))
                uncovered.append(Uncovered(day=d.day, route=d.route, role=r, reason=why))
    load = []
    for m in crew:
        work = taken.get(m.id, {}).values()
        load.append(PersonLoad(id=m.id, name=m.name, duties=len(work),
                               hours=round(sum((a.end - a.start) / 3600 for a in work), 2),
                               contract_hours=m.contract_hours,
                               nights=sum(1 for a in work if is_night(_duty(a), rules))))
    could = {p for (_, p, _) in x if people[p].drives}  # fairness is reported for drivers
    hours = [pl.hours * 40 / pl.contract_hours for pl in load if pl.id in could]
    night_list = [pl.nights for pl in load if pl.id in could]
    gaps = [st.gap_pct for st in stages]
    gap = None if any(g is None for g in gaps) else max(gaps, default=0.0)  # type: ignore[type-var]
    if uncovered:
        status = "partial" if status != "infeasible" else status
    drove = {(a.day, a.route): a.driver for a in assignments}
    changes = sum(1 for a in assignments if a.driver is not None and a.day != days[0]
                  and drove.get((days[days.index(a.day) - 1], a.route)) not in (None, a.driver))
    return partial.model_copy(update=dict(
        status=status, uncovered=tuple(uncovered), load=tuple(load), stages=tuple(stages),
        gap_pct=gap,
        hours_spread=round(max(hours) - min(hours), 2) if hours else 0.0,
        nights_spread=max(night_list) - min(night_list) if night_list else 0,
        driver_changes=changes,
        solve_s=round(seconds, 2)))


def _duty(a: Assignment) -> Duty:
    return Duty(day=a.day, route=a.route, vehicle=a.vehicle, vehicle_type=a.vehicle_type,
                depot=a.depot, start=a.start, end=a.end, helper=a.helper_needed)

