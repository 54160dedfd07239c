"""The one result type of every planner: a schedule of timed steps.

JSON is its canonical form (``Schedule.model_dump_json``, read back by
:func:`streetcrew.models.io.schedule.read_schedule`); CSV, GeoJSON, pictures and
route sheets are derived from it. Units are in the field names or stated here:
distances in metres (``_m``) or kilometres (``_km``), clock times in seconds after
midnight of the plan date, durations in seconds (``_s``), loads in litres of debris
(hopper) and litres of water, money in the fleet's currency.

Two kinds of schedule share it: ``sweep`` (vehicles of a fleet) and ``patrol``
(volunteers walking or cycling). A sweep route names its ``vehicle``, ``vehicle_type``
and ``depot``; a patrol route its ``team`` (volunteer ids joined by ``+``), its ``mode``
(its meeting point is the team's first volunteer's). The summary means the same for both; what only a patrol has is in
``patrol``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer, model_validator

from streetcrew.models.base import Frozen

SCHEMA_VERSION = 2  # 2: kind, served_*, coverage_pct, Route.team/mode, Violation records

# "breakdown": where and when a vehicle stopped for good (the last step of its route)
StepType = Literal["start", "deadhead", "serve", "dump", "refill", "break", "end", "breakdown"]
Status = Literal["solved", "partial", "infeasible", "no-work"]
Kind = Literal["sweep", "patrol"]


class Violation(Frozen):
    """One reason a result is not acceptable, from any of the independent checkers.

    ``kind`` is a short tag (``coverage``, ``capacity``, ``shift``, ``path``, ...),
    ``where`` the route, street or person it concerns (None for the whole result).
    """

    kind: str
    message: str
    where: str | None = None

    def __str__(self) -> str:
        return f"[{self.kind}] " + (f"{self.where}: " if self.where else "") + self.message


class Step(Frozen):
    """One thing a vehicle (or a patrol team) does, from ``start`` to ``end`` (clock seconds).

    ``serve`` names the task and street and the direction of travel as the
    network nodes ``from_node -> to_node``; ``deadhead`` carries the node path
    driven and ``turn_s``, the seconds of turn penalties in its duration
    (``turns`` names each turn, including the one into the next street swept;
    a deadhead may be 0 m long when only that turn costs time);
    ``dump``/``refill`` name the facility. ``load`` and ``water`` are the
    levels after the step.
    """

    type: StepType
    start: int
    end: int
    distance_m: float = 0.0
    task: str | None = None
    street: str | None = None
    side: str | None = None
    from_node: int | None = None
    to_node: int | None = None
    path: tuple[int, ...] = ()
    forward: bool | None = None  # serve: swept along the link (u -> v); loops need it
    turn_s: float = 0.0
    turns: tuple[str, ...] = ()
    facility: str | None = None
    load: float = 0.0
    water: float = 0.0


class Route(Frozen):
    """One vehicle shift's day, or one patrol team's walk.

    ``shift`` tells apart the shifts of a vehicle id that has several records in the fleet
    file: 0-based, in file order (0 when it has one).
    """

    vehicle: str | None = None  # sweep routes
    shift: int = Field(default=0, ge=0)
    vehicle_type: str | None = None
    depot: str | None = None
    team: str | None = None  # patrol routes: volunteer ids joined by "+"
    mode: str | None = None  # patrol routes: walk or bike
    steps: tuple[Step, ...]
    served_m: float  # length swept (or patrolled)
    deadhead_m: float  # length driven (or walked) without serving
    cost: float
    overtime_s: int = Field(default=0, ge=0)  # worked past the shift end
    driver: str | None = None  # from the crew roster, when one was made
    helper: str | None = None
    # a re-plan (``streetcrew replan``): what changed in this route's rest of the day
    changed: str | None = None

    @model_validator(mode="after")
    def _one_owner(self) -> Route:
        if (self.vehicle is None) == (self.team is None):
            raise ValueError("a route names either a vehicle or a team")
        return self

    @property
    def who(self) -> str:
        """The vehicle or the team."""
        return self.vehicle if self.vehicle is not None else str(self.team)

    @property
    def label(self) -> str:
        """``L1`` for a first shift, ``L1 (2)`` for the second (pictures, sheets)."""
        return self.who if self.shift == 0 else f"{self.who} ({self.shift + 1})"


class Unassigned(Frozen):
    """Work that is not in any route, and why."""

    task: str
    street: str
    side: str
    reason: str


class InputRef(Frozen):
    """Where an input came from, with its SHA-256 so a check can refuse a changed file.

    ``coords``: the coordinate system its points were read in when the file does not name
    its own (``--coords-in``), so a check reads it the same way; left out of the JSON when
    it is ``wgs84``. The schedule's own points are WGS-84 whatever it says. ``encoding``:
    the text encoding a CSV was read in when one was given (``--encoding``), likewise; left
    out when None (detected: UTF-8, else GB18030).
    """

    path: str
    sha256: str
    coords: str = "wgs84"
    encoding: str | None = None

    @classmethod
    def of(cls, path: Path, coords: str = "wgs84", encoding: str | None = None) -> InputRef:
        """The file at ``path`` (kept as given) and the SHA-256 of its bytes now."""
        return cls(path=str(path), sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
                   coords=str(coords), encoding=encoding)

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out: dict[str, Any] = handler(self)
        if out.get("coords") == "wgs84":
            del out["coords"]
        if out.get("encoding", "") is None:
            del out["encoding"]
        return out


class Summary(Frozen):
    """Figures that mean the same for every planner."""

    routes_used: int = Field(description="routes with work: vehicle shifts or patrol teams")
    served_km: float = Field(description="length served: swept curb passes, or streets "
                                         "patrolled (each street once)")
    deadhead_km: float = Field(description="length driven or walked without serving")
    deadhead_pct: float = Field(description="deadhead_km / (served_km + deadhead_km)")
    coverage_pct: float = Field(description="served length / length that needed service")
    overtime_s: int
    unassigned: int
    cost: float = Field(description="in the fleet's currency; 0 for volunteers")
    solve_s: float
    districts: int | None = Field(default=None, description="districts planned apart (a "
                                  "city too big for one model, or cut by its bureau)")
    district_s_mean: float | None = Field(default=None, description="seconds one district "
                                          "took to plan, mean and largest: the time per "
                                          "district that sizes a cluster for a deadline")
    district_s_max: float | None = None
    driven_km_lower_bound: float | None = Field(
        default=None,
        description="valid lower bound on km driven (served + deadhead) for the work planned",
    )
    passes_kept: int | None = Field(default=None, description="planned from the plan before "
                                    "(--previous): passes swept by the same vehicle and shift")
    passes_changed: int | None = Field(default=None, description="passes the plan before gave "
                                       "a vehicle that another vehicle or shift sweeps now")
    previous_cost: float | None = Field(default=None, description="the plan before's cost")


class PatrolKPIs(Frozen):
    """Patrol plans only: priority is the street's class default plus its decayed cases."""

    priority_total: float
    priority_covered: float
    priority_covered_pct: float
    priority_upper_bound: float  # what the volunteers could reach at all
    covered_of_bound_pct: float
    must_cover: int
    must_cover_met: int
    streets_patrolled: int
    km_patrolled: float
    volunteers: int
    volunteers_used: int
    mean_route_min: float
    max_route_min: float
    cases_used: int
    cases_far: tuple[str, ...]
    streets_resting: int = 0  # walked too recently to be worth walking again today
    # streets of urgent cases from the case register that a walk must pass (inspections);
    # must-cover streets like those of the must-cover file
    inspect: tuple[str, ...] = ()


class Event(Frozen):
    """Something that happened to the day's plan, for ``streetcrew replan``.

    ``breakdown``: ``vehicle`` out of service from ``at``; ``cut``: ``vehicle``'s shift ends
    at ``at``; ``close``: ``street`` closed from the re-plan on (not swept, not driven
    through); ``add``: ``street`` swept once more today, from ``at`` until ``until`` when
    given (an urgent report's deadline).
    """

    kind: Literal["breakdown", "cut", "close", "add"]
    vehicle: str | None = None  # breakdown, cut: a vehicle id, with "#shift" for a later shift
    street: str | None = None  # close, add
    at: int | None = None  # clock seconds
    until: int | None = None
    note: str | None = None  # e.g. the case number of the report it comes from

    def __str__(self) -> str:
        from streetcrew.models.base import format_clock

        what = self.vehicle if self.kind in ("breakdown", "cut") else self.street
        when = f" at {format_clock(self.at)}" if self.at is not None else ""
        until = f" until {format_clock(self.until)}" if self.until is not None else ""
        return f"{self.kind} {what}{when}{until}"


class Replan(Frozen):
    """How a schedule was made again during its day from the plan before (``inputs.origin``):
    each route's steps up to ``keep[vehicle#shift]`` are that plan's, unchanged."""

    at: int  # clock seconds of the re-plan
    events: tuple[Event, ...]
    keep: dict[str, int]  # per vehicle#shift: its steps ending by then are the plan's
    broken: dict[str, int] = Field(default_factory=dict)  # vehicle#shift -> breakdown time


class Schedule(Frozen):
    """A plan: its status, summary, routes, unassigned work with reasons, and the inputs it
    was made from (with their SHA-256, so ``streetcrew check`` can refuse changed files).

    ``violations`` is what the independent checker found (empty: it passed); a plan that
    fails its checker is never written.
    """

    schema_version: Literal[2] = 2  # SCHEMA_VERSION
    kind: Kind = "sweep"
    status: Status
    date: dt.date | None
    summary: Summary
    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...]
    inputs: dict[str, InputRef]
    violations: tuple[Violation, ...] = ()
    checked: bool = Field(default=False, description="the independent checker has run")
    patrol: PatrolKPIs | None = None
    interrupted: bool = Field(default=False, description="the search was stopped early "
                              "(Ctrl-C or SIGTERM): the best plan found by then, checked")
    snap_m: dict[str, float] = Field(
        default_factory=dict,
        description="metres from each depot and facility ('depot:ID', 'facility:ID') to the "
                    "network node it was snapped to",
    )
    replan: Replan | None = None

    @model_validator(mode="after")
    def _patrol_block(self) -> Schedule:
        if (self.kind == "patrol") != (self.patrol is not None):
            raise ValueError("a patrol schedule has its patrol block, a sweep schedule none")
        return self

    def with_check(self, violations: list[Violation]) -> Schedule:
        """This schedule with the checker's verdict recorded."""
        return self.model_copy(update={"violations": tuple(violations), "checked": True})


def violation(kind: str, where: str | None, message: str) -> Violation:
    """Shorthand the checkers use: ``violation("capacity", "vehicle L1", "hopper overfull")``."""
    return Violation(kind=kind, where=where, message=message)
