"""Crews as pure validated data: crew members, the working-time rules, the roster.

Units: clock times in seconds after midnight of the day (readers accept
``"HH:MM"``; past midnight the hours go on, ``26:00`` is 02:00 the next day),
hours as decimal hours, dates ISO ``YYYY-MM-DD``, weekdays ``mon`` .. ``sun``.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from streetcrew.models.base import Frozen
from streetcrew.models.schedule import InputRef, Violation

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Role = Literal["driver", "helper", "both"]



class CrewMember(Frozen):
    """One person who may drive (``licences``) or help on a vehicle, at one depot."""

    id: str = Field(min_length=1)
    name: str = ""
    role: Role = "driver"
    licences: tuple[str, ...] = ()  # vehicle types this person may drive
    depot: str = Field(min_length=1)  # home depot: works only routes that start there
    days: tuple[str, ...] = WEEKDAYS  # weekdays available
    available_from: int = Field(default=0, ge=0)
    available_to: int = Field(default=86_400, ge=0)
    contract_hours: float = Field(default=40.0, gt=0)  # per week
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


class CrewRules(Frozen):
    """Working-time rules for the roster; every field has a documented default."""

    max_hours_day: float = Field(default=10.0, gt=0)  # one duty's length, start to end
    max_hours_week: float = Field(default=48.0, gt=0)  # over any 7 days of the roster
    min_rest_hours: float = Field(default=11.0, ge=0)  # from one duty's end to the next's start
    max_consecutive_days: int = Field(default=6, ge=1)
    helper_types: tuple[str, ...] = ()  # vehicle types that need a helper (besides the fleet's)
    night_from: int = Field(default=22 * 3600, ge=0)  # a duty with at least night_min_hours
    night_to: int = Field(default=30 * 3600, ge=0)  # between these clock times is a night
    night_min_hours: float = Field(default=2.0, ge=0)
    balance_slack: float = Field(default=0.02, ge=0)  # continuity may cost this much balance
    weight_same_route: int = Field(default=2, ge=0)  # per route whose driver changed
    weight_preference: int = Field(default=1, ge=0)  # per duty against a stated preference
    weight_duties_balance: int = Field(default=10, ge=0)  # per squared duty of a person
    weight_nights_balance: int = Field(default=10, ge=0)  # per squared night duty of a person
    time_limit: float = Field(default=60.0, gt=0)  # seconds for the MIP
    gap: float = Field(default=0.01, ge=0)  # relative gap at which the MIP may stop

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
