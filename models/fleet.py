"""Depots, facilities, vehicle types and vehicles: the fleet file as data.

Units: volumes in m³ (hopper) and litres (water), rates per km, speeds in
km/h, costs in currency units per km and per hour, clock times in seconds
after midnight (the reader accepts ``"HH:MM"``), durations in minutes.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from streetcrew.models.base import DAY_S, Input, format_clock
from streetcrew.models.bounds import within
from streetcrew.models.streets import ROAD_CLASSES

Clock = Annotated[int, within("clock")]  # seconds after midnight, up to 48:00


class Point(Input):
    lon: float = Field(ge=-180, le=180)
    lat: float

    @field_validator("lat")
    @classmethod
    def _lat(cls, lat: float, info: ValidationInfo) -> float:
        if not -90 <= lat <= 90:
            lon = info.data.get("lon")
            guess = ("longitude and latitude swapped?" if lon is not None and abs(lon) <= 90
                     and abs(lat) <= 180 else "expected WGS-84 lon/lat in degrees (projected "
                     "coordinates?)")
            raise ValueError(f"latitude {lat:g} is outside -90..90: {guess}")
        return lat


class Depot(Input):
    id: str = Field(min_length=1)
    at: Point
    district: str | None = None  # the district whose streets its vehicles sweep


class Facility(Input):
    """A dump site (empties the hopper), a water point (fills the tank), or both."""

    id: str = Field(min_length=1)
    kind: Literal["dump", "water", "both"]
    at: Point
    opens: Clock = 0
    closes: Clock = 2 * DAY_S
    service_min: Annotated[float, within("service_min")] = 10.0

    @model_validator(mode="after")
    def _hours(self) -> Facility:
        if self.closes <= self.opens:
            raise ValueError("closes must be after opens")
        return self


class VehicleType(Input):
    """Plausible ranges of the numbers: :data:`models.bounds.BOUNDS`."""

    id: str = Field(min_length=1)
    hopper_m3: Annotated[float, within("hopper_m3")]
    # by road class; missing classes: "default"
    debris_m3_per_km: dict[str, Annotated[float, within("debris_m3_per_km")]]
    water_l: Annotated[float, within("water_l")]
    water_l_per_km: Annotated[float, within("water_l_per_km")]
    sweep_kmh: Annotated[float, within("sweep_kmh")]
    travel_kmh: Annotated[float, within("travel_kmh")]
    road_classes: tuple[str, ...]  # the classes this type fits
    cost_per_km: Annotated[float, within("cost_per_km")] = 0.0
    cost_per_hour: Annotated[float, within("cost_per_hour")] = 0.0
    # paid on top of cost_per_hour for every hour a vehicle works past its shift_end
    overtime_cost_per_hour: Annotated[float, within("overtime_cost_per_hour")] = 0.0
    needs_helper: bool = False

    @model_validator(mode="after")
    def _classes(self) -> VehicleType:
        for c in (*self.road_classes, *self.debris_m3_per_km):
            if c not in ROAD_CLASSES and c != "default":
                raise ValueError(f"unknown road class {c!r}; known: {', '.join(ROAD_CLASSES)}")
        return self

    def debris_per_km(self, road_class: str) -> float:
        return self.debris_m3_per_km.get(road_class, self.debris_m3_per_km.get("default", 0.0))


class Break(Input):
    """A break of ``minutes`` that must start within ``[earliest, latest]``."""

    earliest: Clock
    latest: Clock
    minutes: Annotated[float, within("break_minutes")]

    @model_validator(mode="after")
    def _window(self) -> Break:
        if self.latest < self.earliest:
            raise ValueError("latest must not be before earliest")
        return self


class Vehicle(Input):
    id: str = Field(min_length=1)
    type: str
    depot: str
    shift_start: Clock
    shift_end: Clock  # at most a day after shift_start
    breaks: tuple[Break, ...] = ()
    # minutes the day may run past shift_end (0: the shift end is hard)
    overtime_min: Annotated[float, within("overtime_min")] = 0.0

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
        if start is not None and shift_end - start > DAY_S:
            raise ValueError(f"{format_clock(start)}-{format_clock(shift_end)}: a shift of "
                             f"{(shift_end - start) / 3600:g} h is longer than a day (past "
                             "midnight the hours go on: 22:00-06:00 is 22:00-30:00)")
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


class TurnPenalties(Input):
    """Seconds a turn adds to a drive; see README "Turn penalties".

    Left turns cross the oncoming traffic (traffic drives on the right). A
    U-turn is a heading change of 165 degrees or more, or driving back along
    the segment just driven; at a dead end it is the only way out.
    """

    u_turn_s: Annotated[float, within("turn_s")] = 60.0
    left_s: Annotated[float, within("turn_s")] = 10.0
    right_s: Annotated[float, within("turn_s")] = 0.0
    straight_s: Annotated[float, within("turn_s")] = 0.0

    def seconds(self, kind: str) -> float:
        return {"u-turn": self.u_turn_s, "left": self.left_s, "right": self.right_s,
                "straight": self.straight_s}[kind]


class Fleet(Input):
    """A fleet as data; the reader refuses a file without depots, types or vehicles (a fleet
    made in code, e.g. by a scenario, may lack vehicles)."""

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
