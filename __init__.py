"""streetcrew: next-day work plans for a city's street sweepers, patrol volunteers and crews.

The public Python API. Every plan it returns has been through the independent checker:
``schedule.checked`` is true and ``schedule.violations`` lists what it found (empty when the
plan is feasible)::

    import streetcrew

    streets = streetcrew.read_streets("streets.geojson")      # or an OSM extract
    fleet = streetcrew.read_fleet("fleet.yaml")
    schedule = streetcrew.plan(streets, fleet, time_limit=30, solutions=60)
    print(schedule.summary.served_km, schedule.summary.coverage_pct, schedule.violations)
    streetcrew.check(streets, fleet, schedule)                 # [] when feasible

    problem = streetcrew.read_carp("gdb1.dat")                 # the CARP core
    solution = streetcrew.solve(problem, time_limit=2)
    streetcrew.check_carp(problem, solution)                   # []

Readers raise :class:`InputError` naming the file, the record and the field. The data
types live in :mod:`streetcrew.models`, the planners in :mod:`streetcrew.solver`; the
command line (``streetcrew``) is a thin layer over the same functions.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import TYPE_CHECKING

from streetcrew.models.base import InputError

# when the package was first imported: a command's time limit counts from here (the
# interpreter's own start, before it, is not counted)
STARTED = time.perf_counter()

if TYPE_CHECKING:
    from streetcrew.models.carp import CarpProblem
    from streetcrew.models.fleet import Fleet
    from streetcrew.models.patrol import Volunteer
    from streetcrew.models.schedule import Schedule, Violation
    from streetcrew.models.solution import CarpSolution
    from streetcrew.models.streets import Street

__version__ = "0.2.0"
__all__ = [
    "InputError",
    "check",
    "check_carp",
    "patrol",
    "plan",
    "read_carp",
    "read_fleet",
    "read_streets",
    "read_volunteers",
    "replan",
    "solve",
]


def read_streets(path: str | Path, date: dt.date | None = None, coords: str = "wgs84"
                 ) -> list[Street]:
    """Street segments from GeoJSON, CSV with WKT (our schema, Cambridge, San Francisco's
    sweeping schedule) or an OpenStreetMap extract; ``date`` picks a dated schedule's day;
    ``coords`` (``gcj02``, ``bd09``): the system of a file that names none."""
    from streetcrew.models.io.streets import read_street_source

    return read_street_source(path, date, coords)


def read_fleet(path: str | Path, coords: str = "wgs84") -> Fleet:
    """Depots, facilities, vehicle types and vehicles from YAML or JSON; ``coords`` as for
    :func:`read_streets`."""
    from streetcrew.models.io.fleet import read_fleet as read

    return read(path, coords)


def read_volunteers(path: str | Path, coords: str = "wgs84") -> list[Volunteer]:
    """Patrol volunteers from CSV; ``coords`` as for :func:`read_streets`."""
    from streetcrew.models.io.patrol import read_volunteers as read

    return read(path, coords)


def read_carp(path: str | Path) -> CarpProblem:
    """A CARPLIB ``.dat`` instance."""
    from streetcrew.models.io.carp import read_carp as read

    return read(path)


def plan(streets: list[Street], fleet: Fleet, *, time_limit: float = 60.0, seed: int = 0,
         solutions: int | None = None, date: dt.date | None = None, workers: int = 0,
         balance_weight: int = 0, scheduler: str | None = None,
         previous: Schedule | None = None, change_cost: float = 2.0) -> Schedule:
    """Sweeping routes for ``fleet`` over ``streets``, checked.

    ``solutions`` bounds each search by solutions found instead of by the clock (the time
    limit stays a safety cap): the same plan on every run and machine. ``scheduler``: a Dask
    scheduler (``tcp://host:port``) to plan a city's districts on. ``previous``: the plan
    before; each pass keeps its vehicle unless moving it saves more than ``change_cost``.
    """
    from streetcrew.solver.sweep import run
    from streetcrew.solver.sweep.params import PlanParams
    from streetcrew.solver.sweep.stable import check_changes, orders_of, with_changes

    params = PlanParams(time_limit=time_limit, seed=seed, solutions=solutions,
                        workers=workers, balance_weight=balance_weight, scheduler=scheduler,
                        change_cost=change_cost,
                        previous=orders_of(previous) if previous is not None else None)
    schedule = run.plan(streets, fleet, params, None, date)
    if previous is None:
        return schedule
    schedule = with_changes(schedule, previous)
    return schedule.with_check(list(schedule.violations) + check_changes(schedule, previous))


def replan(schedule: Schedule, streets: list[Street], fleet: Fleet, at: str, *,
           breakdown: tuple[str, ...] = (), close: tuple[str, ...] = (),
           cut_shift: tuple[str, ...] = (), add: tuple[str, ...] = (),
           time_limit: float = 10.0) -> Schedule:
    """``schedule``'s rest of the day from ``at`` (``"HH:MM"``) after the events, in the
    command line's forms (``breakdown=("L2@07:10",)``, ``close=("w123",)``,
    ``cut_shift=("L1@10:00",)``, ``add=("w45@09:30-11:00",)``), checked, against
    ``schedule`` too. ``streets`` and ``fleet`` are those ``schedule`` was made from."""
    from streetcrew.solver.graph.kept import check_replan
    from streetcrew.solver.sweep.check import check_schedule
    from streetcrew.solver.sweep.events import (
        apply_to_fleet,
        apply_to_streets,
        check_events,
        parse_at,
        parse_event,
    )
    from streetcrew.solver.sweep.params import PlanParams
    from streetcrew.solver.sweep.replan import replan as replan_day

    events = [parse_event(kind, text) for kind, texts in (
        ("breakdown", breakdown), ("close", close), ("cut", cut_shift), ("add", add))
        for text in texts]
    check_events(events, streets, fleet)
    again = replan_day(schedule, streets, fleet, parse_at(at), events,
                       PlanParams(time_limit=time_limit), dict(schedule.inputs), schedule.date)
    return again.with_check(check_schedule(apply_to_streets(streets, events),
                                           apply_to_fleet(fleet, events), again)
                            + check_replan(again, schedule))


def check(streets: list[Street], fleet: Fleet, schedule: Schedule) -> list[Violation]:
    """Every way ``schedule`` breaks the streets' and the fleet's rules, recomputed from the
    raw network (never from the planner's numbers); empty when it is feasible."""
    from streetcrew.solver.sweep.check import check_schedule

    return check_schedule(streets, fleet, schedule)


def patrol(streets: list[Street], volunteers: list[Volunteer], *, date: dt.date | None = None,
           time_limit: float = 60.0, solutions: int | None = None, workers: int = 0
           ) -> Schedule:
    """Volunteer patrol walks over the walkable streets, checked (``schedule.patrol`` holds
    the priority and must-cover figures)."""
    from streetcrew.solver.patrol import run
    from streetcrew.solver.patrol.plan import PatrolParams

    params = PatrolParams(time_limit=time_limit, solutions=solutions, workers=workers)
    return run.plan(run.PatrolInputs(list(streets), list(volunteers)), params, date)


def solve(problem: CarpProblem, *, time_limit: float = 10.0, seed: int = 0,
          engine: str = "auto", workers: int | None = None) -> CarpSolution:
    """Solve a CARP instance (``engine``: auto, pyvrp or ortools)."""
    from streetcrew.solver.carp.params import SolveParams
    from streetcrew.solver.carp.solve import solve as run

    options: dict[str, object] = {"time_limit": time_limit, "seed": seed, "engine": engine}
    if workers is not None:
        options["workers"] = workers
    return run(problem, SolveParams.model_validate(options))


def check_carp(problem: CarpProblem, solution: CarpSolution) -> list[Violation]:
    """Coverage, capacity, directions, fleet and cost of a CARP solution, recomputed."""
    from streetcrew.solver.carp.check import check as run

    return run(problem, solution)
