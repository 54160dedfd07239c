"""Volunteer patrols as pure validated data: volunteers, reported cases, targets.

Units: clock times in seconds after midnight (readers accept ``"HH:MM"``),
durations in minutes, speeds in km/h, positions WGS-84 lon/lat, case times
as ISO dates or date-times (age in days for the decay).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from streetcrew.models.base import Input
from streetcrew.models.bounds import within
from streetcrew.models.fleet import Clock, Point

Mode = Literal["walk", "bike"]
SPEED_KMH: dict[str, float] = {"walk": 4.5, "bike": 12.0}

# The bureau's eleven kinds of service a volunteer may take part in and a case may report.
SERVICE_KINDS: tuple[str, ...] = (
    "dirty-street", "overflowing-bin", "illegal-dumping", "broken-facility", "road-damage",
    "illegal-stall", "illegal-parking", "blocked-waterway", "graffiti", "greenery-damage",
    "other",
)



class Volunteer(Input):
    id: str = Field(min_length=1)
    name: str = ""
    at: Point  # meeting point
    free_from: Clock
    free_to: Clock
    mode: Mode = "walk"
    max_minutes: Annotated[float, within("max_minutes")]  # range: models.bounds.BOUNDS
    kinds: tuple[str, ...] = ()  # empty: every kind
    buddy: str | None = None  # walks together with this volunteer

    @model_validator(mode="after")
    def _hours(self) -> Volunteer:
        if self.free_to <= self.free_from:
            raise ValueError("free_to must be after free_from")
        for k in self.kinds:
            if k not in SERVICE_KINDS:
                raise ValueError(f"unknown kind {k!r}; known: {', '.join(SERVICE_KINDS)}")
        return self


class Case(Input):
    """A problem reported at a place: it raises the priority of the nearest street."""

    id: str = Field(min_length=1)
    at: Point
    kind: str
    age_days: float = Field(ge=0)  # at the plan date

    @model_validator(mode="after")
    def _kind(self) -> Case:
        if self.kind not in SERVICE_KINDS:
            raise ValueError(f"unknown kind {self.kind!r}; known: {', '.join(SERVICE_KINDS)}")
        return self
