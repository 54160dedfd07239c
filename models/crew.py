"""Crews as pure validated data: crew members, the working-time rules, the roster.

Units: clock times in seconds after midnight of the day (readers accept
``"HH:MM"``; past midnight the hours go on, ``26:00`` is 02:00 the next day),
hours as decimal hours, dates ISO ``YYYY-MM-DD``, weekdays ``mon`` .. ``sun``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, model_validator

from streetcrew.models.base import Frozen, Input
from streetcrew.models.bounds import within
from streetcrew.models.fleet import Clock
from streetcrew.models.schedule import InputRef, Violation

Weight = Annotated[int, within("weight")]
Share = Annotated[float, within("share")]

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Role = Literal["driver", "helper", "both"]



class CrewMember(Input):
    """One person who may drive (``licences``) or help on a vehicle, at one depot.

    Plausible ranges of the numbers: :data:`models.bounds.BOUNDS`.
    """

    id: str = Field(min_length=1)
    name: str = ""
    role: Role = "driver"
    licences: tuple[str, ...] = ()  # vehicle types this person may drive
    depot: str = Field(min_length=1)  # home depot: works only routes that start there
    days: tuple[str, ...] = WEEKDAYS  # weekdays available
    available_from: Clock = 0
    available_to: Clock = 86_400
    contract_hours: Annotated[float, within("contract_hours")] = 40.0  # per week
    prefer_vehicle: str | None = None
    prefer_route: str | None = None  # a route label (see Assignment.route)
    not_with: tuple[str, ...] = ()  # ids of people this one must not share a vehicle with

    @model_validator(mode="after")
    def _check(self) -> CrewMember:
        if self.available_to <= self.available_from:
            raise ValueError("available_to must be after available_from")
        for d in self.days:
            if d not in WEEKDAYS:
                raise ValueError(f"unknown weekday {d!r}; known: {', '.join(WEEKDAYS)}")
        if self.role in ("driver", "both") and not self.licences:
            raise ValueError("a driver needs at least one licence (a vehicle type)")
        return self

    @property
    def drives(self) -> bool:
        return self.role in ("driver", "both")

    @property
    def helps(self) -> bool:
        return self.role in ("helper", "both")


class CrewRules(Input):
    """Working-time rules for the roster; every field has a documented default and a
    plausible range (:data:`models.bounds.BOUNDS`)."""

    max_hours_day: Annotated[float, within("max_hours_day")] = 10.0  # one duty, start to end
    max_hours_week: Annotated[float, within("max_hours_week")] = 48.0  # any 7 days of the roster
    # from one duty's end to the next's start
    min_rest_hours: Annotated[float, within("min_rest_hours")] = 11.0
    max_consecutive_days: Annotated[int, within("max_consecutive_days")] = 6
    helper_types: tuple[str, ...] = ()  # vehicle types that need a helper (besides the fleet's)
    night_from: Clock = 22 * 3600  # a duty with at least night_min_hours
    night_to: Clock = 30 * 3600  # between these clock times is a night
    night_min_hours: Annotated[float, within("night_min_hours")] = 2.0
    balance_slack: Share = 0.02  # continuity may cost this much balance
    weight_same_route: Weight = 2  # per route whose driver changed
    weight_preference: Weight = 1  # per duty against a stated preference
    weight_duties_balance: Weight = 10  # per squared duty of a person
    weight_nights_balance: Weight = 10  # per squared night duty of a person
    time_limit: Annotated[float, within("time_limit")] = 60.0  # seconds for the MIP
    gap: Share = 0.01  # relative gap at which the MIP may stop

    @model_validator(mode="after")
    def _check(self) -> CrewRules:
        if self.night_to <= self.night_from:
            raise ValueError("night_to must be after night_from (06:00 the next day is 30:00)")
        return self

    def night_hours(self, start: int, end: int) -> float:
        """Hours of [start, end) inside the night window (of the duty's day or the one before)."""
        total = 0
        for shift in (-86_400, 0, 86_400):
            lo, hi = self.night_from + shift, self.night_to + shift
            total += max(0, min(end, hi) - max(start, lo))
        return total / 3600


class Duty(Frozen):
    """A route to staff on one day: taken from a schedule."""

    day: dt.date
    route: str  # label: the vehicle id, ``L1-shift2`` when the vehicle has several shifts
    vehicle: str
    vehicle_type: str
    depot: str
    start: int  # seconds after midnight of ``day``
    end: int
    helper: bool = False  # the vehicle type needs a helper

    @property
    def hours(self) -> float:
        return (self.end - self.start) / 3600


class Assignment(Frozen):
    day: dt.date
    route: str
    vehicle: str
    vehicle_type: str
    depot: str
    start: int
    end: int
    driver: str | None
    helper: str | None = None
    helper_needed: bool = False


class Uncovered(Frozen):
    day: dt.date
    route: str
    role: Literal["driver", "helper"]
    reason: str


class PersonLoad(Frozen):
    id: str
    name: str
    duties: int
    hours: float
    contract_hours: float
    nights: int


class Stage(Frozen):
    """One objective of the roster, solved with the earlier ones kept."""

    name: Literal["coverage", "balance", "continuity"]
    status: Literal["optimal", "within_gap", "feasible", "infeasible"]
    objective: float
    bound: float | None  # the solver's best bound (minimising); None when it gave none
    gap_pct: float | None
    seconds: float


class Roster(Frozen):
    """Who works which route on which day; uncovered duties listed with the reason."""

    # optimal: every stage proven; within_gap: proven within ``rules.gap``; feasible: the
    # time ran out first; partial: some duty is uncovered (see ``uncovered``)
    status: Literal["optimal", "within_gap", "feasible", "partial", "infeasible"]
    days: tuple[dt.date, ...]
    assignments: tuple[Assignment, ...]
    uncovered: tuple[Uncovered, ...]
    load: tuple[PersonLoad, ...]
    stages: tuple[Stage, ...]  # coverage, then balance, then continuity and preferences
    gap_pct: float | None  # the largest gap of the stages
    hours_spread: float  # between the most and least loaded people who may work
    nights_spread: int
    driver_changes: int = 0  # routes whose driver differs from the day before's
    solver: str
    solve_s: float
    rules: CrewRules
    inputs: dict[str, InputRef] = Field(default_factory=dict)  # crew, rules, schedules
    checked: bool = False  # the independent checker has run
    violations: tuple[Violation, ...] = ()  # what it found; a roster that fails is not written

    def with_check(self, violations: list[Violation]) -> Roster:
        """This roster with the checker's verdict recorded."""
        return self.model_copy(update={"violations": tuple(violations), "checked": True})
