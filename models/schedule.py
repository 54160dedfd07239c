"""The one result type of every planner: a schedule of timed steps.

JSON is its canonical form (``Schedule.model_dump_json``); CSV, GeoJSON,
pictures and route sheets are derived from it. Units: distances in metres,
clock times in seconds after midnight of the plan date, loads in litres of
debris (hopper) and litres of water, money in the fleet's currency.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

StepType = Literal["start", "deadhead", "serve", "dump", "refill", "break", "end"]
Status = Literal["solved", "partial", "infeasible", "no-work"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Step(_Frozen):
    """One thing a vehicle does, from ``start`` to ``end`` (clock seconds).

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


class Route(_Frozen):
    """One vehicle shift's day. ``shift`` tells apart the shifts of a vehicle id that has
    several records in the fleet file: 0-based, in file order (0 when it has one)."""

    vehicle: str
    shift: int = Field(default=0, ge=0)
    vehicle_type: str
    depot: str
    steps: tuple[Step, ...]
    swept_m: float
    deadhead_m: float
    cost: float
    overtime_s: int = Field(default=0, ge=0)  # worked past the shift end
    driver: str | None = None  # from the crew roster, when one was made
    helper: str | None = None

    @property
    def label(self) -> str:
        """``L1`` for a first shift, ``L1 (2)`` for the second (pictures, sheets)."""
        return self.vehicle if self.shift == 0 else f"{self.vehicle} ({self.shift + 1})"


class Unassigned(_Frozen):
    task: str
    street: str
    side: str
    reason: str


class InputRef(_Frozen):
    """Where an input came from, with its SHA-256 so a check can refuse a changed file."""

    path: str
    sha256: str

    @classmethod
    def of(cls, path: Path) -> InputRef:
        """The file at ``path`` (kept as given) and the SHA-256 of its bytes now."""
        return cls(path=str(path), sha256=hashlib.sha256(path.read_bytes()).hexdigest())


class Summary(_Frozen):
    vehicles_used: int
    swept_km: float
    deadhead_km: float
    deadhead_pct: float
    sweeping_rate_pct: float = Field(description="swept length / length that needed sweeping")
    overtime_s: int
    unassigned: int
    cost: float
    solve_s: float
    driven_km_lower_bound: float | None = Field(
        default=None,
        description="valid lower bound on km driven (swept + deadhead) for the work planned",
    )


class PatrolKPIs(_Frozen):
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


class Schedule(_Frozen):
    status: Status
    date: str | None
    summary: Summary
    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...]
    inputs: dict[str, InputRef]
    violations: tuple[str, ...] = ()
    patrol: PatrolKPIs | None = None
    snap_m: dict[str, float] = Field(
        default_factory=dict,
        description="metres from each depot and facility ('depot:ID', 'facility:ID') to the "
                    "network node it was snapped to",
    )
