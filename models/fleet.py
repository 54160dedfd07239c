"""Depots, facilities, vehicle types and vehicles: the fleet file as data.

Units: volumes in m³ (hopper) and litres (water), rates per km, speeds in
km/h, costs in currency units per km and per hour, clock times in seconds
after midnight (the reader accepts ``"HH:MM"``), durations in minutes.
"""

from __future__ import annotations

from typing import Literal

from pydantic import (
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from streetcrew.models.base import Frozen, format_clock
from streetcrew.models.streets import ROAD_CLASSES


class Point(Frozen):
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)


class Depot(Frozen):
    id: str = Field(min_length=1)
    at: Point


class Facility(Frozen):
    """A dump site (empties the hopper), a water point (fills the tank), or both."""

    id: str = Field(min_length=1)
    kind: Literal["dump", "water", "both"]
    at: Point
    opens: int = Field(default=0, ge=0)
    closes: int = Field(default=86_400 * 2, ge=0)
    service_min: float = Field(default=10.0, ge=0)

    @model_validator(mode="after")
    def _hours(self) -> Facility:
        if self.closes <= self.opens:
            raise ValueError("closes must be after opens")
        return self


class VehicleType(Frozen):
    id: str = Field(min_length=1)
    hopper_m3: float = Field(gt=0)
    debris_m3_per_km: dict[str, float]  # by road class; missing classes: "default"
    water_l: float = Field(gt=0)
    water_l_per_km: float = Field(ge=0)
    sweep_kmh: float = Field(gt=0)
    travel_kmh: float = Field(gt=0)
    road_classes: tuple[str, ...]  # the classes this type fits
    cost_per_km: float = Field(default=0.0, ge=0)
    cost_per_hour: float = Field(default=0.0, ge=0)
    # paid on top of cost_per_hour for every hour a vehicle works past its shift_end
    overtime_cost_per_hour: float = Field(default=0.0, ge=0)
    needs_helper: bool = False

    @model_validator(mode="after")
    def _classes(self) -> VehicleType:
        for c in (*self.road_classes, *self.debris_m3_per_km):
            if c not in ROAD_CLASSES and c != "default":
                raise ValueError(f"unknown road class {c!r}; known: {', '.join(ROAD_CLASSES)}")
        return self

    def debris_per_km(self, road_class: str) -> float:
        return self.debris_m3_per_km.get(road_class, self.debris_m3_per_km.get("default", 0.0))


class Break(Frozen):
    """A break of ``minutes`` that must start within ``[earliest, latest]``."""

    earliest: int = Field(ge=0)
    latest: int = Field(ge=0)
    minutes: float = Field(gt=0)

    @model_validator(mode="after")
    def _window(self) -> Break:
        if self.latest < self.earliest:
            raise ValueError("latest must not be before earliest")
        return self


class Vehicle(Frozen):
    id: str = Field(min_length=1)
    type: str
    depot: str
    shift_start: int = Field(ge=0)
    shift_end: int = Field(ge=0)
    breaks: tuple[Break, ...] = ()
    # minutes the day may run past shift_end (0: the shift end is hard)
    overtime_min: float = Field(default=0.0, ge=0, le=24 * 60)

    @field_validator("overtime_min")
    @classmethod
    def _overtime(cls, minutes: float, info: ValidationInfo) -> float:
        end = info.data.get("shift_end")
        if end is not None and end + minutes * 60 > 48 * 3600:
            raise ValueError(f"shift_end ({format_clock(end)}) plus {minutes:g} min of "
                             "overtime goes past 48:00")
        return minutes

    @property
    def latest_end(self) -> int:
        """The latest the vehicle may be back: the shift end plus the overtime allowed."""
        return self.shift_end + round(self.overtime_min * 60)

    # Field validators (not a model validator) so that an error names its field; fields are
    # validated in the order above, so ``info.data`` holds the shift when it is valid.
    @field_validator("shift_end")
    @classmethod
    def _shift(cls, shift_end: int, info: ValidationInfo) -> int:
        start = info.data.get("shift_start")
        if start is not None and shift_end <= start:
            raise ValueError("shift_end must be after shift_start")
        return shift_end

    @field_validator("breaks")
    @classmethod
    def _breaks(cls, breaks: tuple[Break, ...], info: ValidationInfo) -> tuple[Break, ...]:
        start, end = info.data.get("shift_start"), info.data.get("shift_end")
        if start is None or end is None:
            return breaks
        for b in breaks:
            if b.earliest < start or b.latest > end:
                raise ValueError("a break must lie inside the shift")
            if b.latest + b.minutes * 60 > end:
                raise ValueError(f"a break started at its latest ({format_clock(b.latest)}) "
                                 f"would end after shift_end ({format_clock(end)})")
        return breaks


class TurnPenalties(Frozen):
    """Seconds a turn adds to a drive; see README "Turn penalties".

    Left turns cross the oncoming traffic (traffic drives on the right). A
    U-turn is a heading change of 165 degrees or more, or driving back along
    the segment just driven; at a dead end it is the only way out.
    """

    u_turn_s: float = Field(default=60.0, ge=0)
    left_s: float = Field(default=10.0, ge=0)
    right_s: float = Field(default=0.0, ge=0)
    straight_s: float = Field(default=0.0, ge=0)

    def seconds(self, kind: str) -> float:
        return {"u-turn": self.u_turn_s, "left": self.left_s, "right": self.right_s,
                "straight": self.straight_s}[kind]


class Fleet(Frozen):
    depots: tuple[Depot, ...]
    facilities: tuple[Facility, ...] = ()
    vehicle_types: tuple[VehicleType, ...]
    vehicles: tuple[Vehicle, ...]
    turns: TurnPenalties = TurnPenalties()

    @model_validator(mode="after")
    def _references(self) -> Fleet:
        for what, items in (
            ("depot", self.depots),
            ("facility", self.facilities),
            ("vehicle type", self.vehicle_types),
        ):
            ids = [x.id for x in items]
            dup = {i for i in ids if ids.count(i) > 1}
            if dup:
                raise ValueError(f"duplicate {what} id(s): {', '.join(sorted(dup))}")
        depots = {d.id for d in self.depots}
        types = {t.id for t in self.vehicle_types}
        shifts: dict[str, list[tuple[int, int]]] = {}
        for v in self.vehicles:
            if v.type not in types:
                raise ValueError(f"vehicle {v.id!r}: unknown type {v.type!r}")
            if v.depot not in depots:
                raise ValueError(f"vehicle {v.id!r}: unknown depot {v.depot!r}")
            for a, b in shifts.get(v.id, []):
                if v.shift_start < b and a < v.latest_end:
                    raise ValueError(f"vehicle {v.id!r}: overlapping shifts (overtime included)")
            shifts.setdefault(v.id, []).append((v.shift_start, v.latest_end))
        return self

    def vehicle_type(self, type_id: str) -> VehicleType:
        return next(t for t in self.vehicle_types if t.id == type_id)
