"""Street segments to sweep, as pure validated data.

A segment is one piece of street between two intersections (or dead ends),
with its geometry in WGS-84 lon/lat and what the bureau wants done on it.
Units: lengths and widths in metres, times of day in seconds after midnight
(readers accept ``"HH:MM"``), intervals in hours. Attributes a file leaves out
come from :data:`CLASS_DEFAULTS` for the segment's road class.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from streetcrew.models.base import DAY_S, Frozen, Input
from streetcrew.models.bounds import within

RoadClass = Literal[
    "motorway", "trunk", "primary", "secondary", "tertiary", "residential", "service", "alley"
]
ROAD_CLASSES: tuple[str, ...] = RoadClass.__args__  # type: ignore[attr-defined]
Sides = Literal["both", "right", "left", "centre", "none"]
Oneway = Literal["no", "forward", "backward"]  # relative to the digitised direction




class TimeWindow(Input):
    """Sweeping must happen within ``[start, end]``, seconds after midnight.

    ``end`` may exceed 86 400 for a window that runs past midnight
    (22:00-02:00 is ``79200..93600``).
    """

    start: int = Field(ge=0, le=2 * DAY_S)
    end: int = Field(ge=0, le=2 * DAY_S)

    @model_validator(mode="after")
    def _ordered(self) -> TimeWindow:
        if self.end <= self.start:
            raise ValueError(f"window ends ({self.end} s) before it starts ({self.start} s)")
        return self


class ClassDefaults(Frozen):
    """What a segment of a road class gets when its file is silent."""

    lanes: int
    sides: Sides
    passes_per_side: int
    sweeps_per_day: int
    priority: int
    walkable: bool
    min_hours_between: float = 0.0


# Documented in README ("Streets: defaults per road class"). Main roads are
# swept on both curbs and twice a day; alleys once, on the centre line.
CLASS_DEFAULTS: dict[str, ClassDefaults] = {
    "motorway": ClassDefaults(lanes=3, sides="none", passes_per_side=1, sweeps_per_day=1,
                              priority=1, walkable=False),
    "trunk": ClassDefaults(lanes=3, sides="both", passes_per_side=2, sweeps_per_day=2,
                           priority=5, walkable=False, min_hours_between=4.0),
    "primary": ClassDefaults(lanes=2, sides="both", passes_per_side=1, sweeps_per_day=2,
                             priority=5, walkable=True, min_hours_between=4.0),
    "secondary": ClassDefaults(lanes=2, sides="both", passes_per_side=1, sweeps_per_day=1,
                               priority=4, walkable=True),
    "tertiary": ClassDefaults(lanes=2, sides="both", passes_per_side=1, sweeps_per_day=1,
                              priority=3, walkable=True),
    "residential": ClassDefaults(lanes=1, sides="both", passes_per_side=1, sweeps_per_day=1,
                                 priority=2, walkable=True),
    "service": ClassDefaults(lanes=1, sides="centre", passes_per_side=1, sweeps_per_day=1,
                             priority=1, walkable=True),
    "alley": ClassDefaults(lanes=1, sides="centre", passes_per_side=1, sweeps_per_day=1,
                           priority=1, walkable=True),
}


class Street(Input):
    """One street segment; ``id`` is the file's id, kept for output and errors.

    Plausible ranges of the numbers: :data:`models.bounds.BOUNDS`.
    """

    id: str = Field(min_length=1)
    name: str = ""
    road_class: RoadClass
    coords: tuple[tuple[float, float], ...]  # (lon, lat), at least two points
    oneway: Oneway = "no"
    lanes: Annotated[int, within("lanes")]
    width_m: Annotated[float, within("width_m")] | None = None
    sides: Sides
    passes_per_side: Annotated[int, within("passes_per_side")]
    sweeps_per_day: Annotated[int, within("sweeps_per_day")]
    min_hours_between: Annotated[float, within("min_hours_between")] = 0.0
    windows: tuple[TimeWindow, ...] = ()
    allowed_types: tuple[str, ...] | None = None  # None: every type that fits the class
    priority: Annotated[int, within("priority")]
    # the district administration the street is devolved to: with districts on the depots,
    # a city is cut along them and each street is swept from a depot of its own district
    district: str | None = None

    @field_validator("coords")
    @classmethod
    def _coords(cls, v: tuple[tuple[float, float], ...]) -> tuple[tuple[float, float], ...]:
        if len(v) < 2:
            raise ValueError("a LineString needs at least two points")
        for lon, lat in v:
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise ValueError(f"({lon}, {lat}) is not a WGS-84 lon/lat point")
        return v

    @property
    def length_m(self) -> float:
        return sum(haversine_m(a, b) for a, b in zip(self.coords, self.coords[1:]))


def haversine_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres between two (lon, lat) points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(h)))


# A street file is one city or district. The largest cities span about 100 km (Beijing inside
# its 6th ring road, Greater London, Chongqing's urban core), so a street more than FAR_KM from
# the median of all the file's points is a typo or has its longitude and latitude swapped.
FAR_KM = 200.0


def median_point(streets: Sequence[Street]) -> tuple[float, float]:
    """(lon, lat): the median of every point's longitude and of every point's latitude."""
    lons = sorted(p[0] for s in streets for p in s.coords)
    lats = sorted(p[1] for s in streets for p in s.coords)
    mid = len(lons) // 2
    if len(lons) % 2:
        return lons[mid], lats[mid]
    return (lons[mid - 1] + lons[mid]) / 2, (lats[mid - 1] + lats[mid]) / 2


def far_street(streets: Sequence[Street], limit_km: float = FAR_KM
               ) -> tuple[int, float, bool] | None:
    """The first street with a point more than ``limit_km`` from :func:`median_point`:
    (its index, that point's km from the median, whether the point with longitude and
    latitude swapped would lie within the limit); None when every street is near."""
    if not streets:
        return None
    centre = median_point(streets)
    for k, street in enumerate(streets):
        far = max(street.coords, key=lambda p: haversine_m(p, centre))
        km = haversine_m(far, centre) / 1000
        if km > limit_km:
            swapped = abs(far[0]) <= 90 and haversine_m((far[1], far[0]), centre) / 1000 <= limit_km
            return k, km, swapped
    return None


def street_with_defaults(raw: dict[str, object]) -> Street:
    """Build a :class:`Street` from a reader's dict, filling class defaults."""
    cls = raw.get("road_class")
    if cls not in CLASS_DEFAULTS:
        raise ValueError(f"road_class must be one of {', '.join(ROAD_CLASSES)}, got {cls!r}")
    d = CLASS_DEFAULTS[str(cls)]
    filled: dict[str, object] = {
        "lanes": d.lanes,
        "sides": d.sides,
        "passes_per_side": d.passes_per_side,
        "sweeps_per_day": d.sweeps_per_day,
        "priority": d.priority,
        "min_hours_between": d.min_hours_between,
    }
    filled.update({k: v for k, v in raw.items() if v is not None})
    return Street.model_validate(filled)
