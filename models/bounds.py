"""Plausible ranges for the numbers input files give: one table, each bound with its reason.

A number outside its range is almost always a typo or the wrong unit (metres for km, cents for
units, hours for minutes): ``cost_per_km: 1e308`` once overflowed the solver's integer costs and
gave a nonsense plan. So every bounded field refuses such a value with a message naming the
range and why it is plausible, and the input models (:class:`~models.base.Input`) refuse
``nan`` and ``inf`` in every number. The ranges are generous: a real city and fleet never
reach them. README "Fleet input", "Streets input" and the patrol and crew readers list them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pydantic import AfterValidator

from streetcrew.models.base import DAY_S


@dataclass(frozen=True)
class Bound:
    """``low <= x <= high`` (``low < x`` when ``low_open``), in ``unit``; ``why`` it is enough."""

    low: float
    high: float
    unit: str
    why: str
    low_open: bool = False  # the low end itself is refused (a speed of 0)

    def text(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        if self.low_open:
            return f"more than {self.low:,g} and at most {self.high:,g}{unit}"
        return f"{self.low:,g} to {self.high:,g}{unit}"

    def check(self, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError(f"expected a finite number, got {value}")
        if value < self.low or (self.low_open and value == self.low) or value > self.high:
            raise ValueError(f"expected {self.text()}, got {value:,g}: {self.why}")
        return value


# Keyed by the field's name in the files. The reasons are what the messages say.
BOUNDS: dict[str, Bound] = {
    # ------------------------------------------------------------------ fleet: vehicle types
    "hopper_m3": Bound(0, 50, "m³", "sweeper hoppers hold 0.5-9 m³ (the demo's large type 6)",
                       low_open=True),
    "water_l": Bound(0, 50_000, "l", "sweeper tanks hold 200-6,000 l, a flusher 30,000",
                     low_open=True),
    "water_l_per_km": Bound(0, 20_000, "l/km", "a sweeper sprays 100-500 l/km; a flusher "
                                               "giving 2 l/m² to a 10 m road uses 20,000"),
    "debris_m3_per_km": Bound(0, 10, "m³/km", "curbs give 0.1-0.5 m³/km, autumn leaves a few; "
                                              "10 would fill any hopper within 5 km"),
    "sweep_kmh": Bound(0, 60, "km/h", "sweepers sweep at 3-15 km/h, flushers up to 30",
                       low_open=True),
    "travel_kmh": Bound(0, 130, "km/h", "an average drive in town is 15-40 km/h; 130 is a "
                                        "motorway's limit", low_open=True),
    # The plans price arcs in integer tenths of a cent and bar an arc with 10^9 (BIG in the
    # engines): 10,000 per km keeps a 100 km drive below that. Give costs in thousands for a
    # currency with small units.
    "cost_per_km": Bound(0, 10_000, "per km", "the demo pays 3 (CNY) per km; more is a typo "
                                              "or cents for units"),
    "cost_per_hour": Bound(0, 10_000, "per hour", "the demo pays 90 (CNY) an hour; more is a "
                                                  "typo or cents for units"),
    "overtime_cost_per_hour": Bound(0, 10_000, "per hour", "the demo pays 45 (CNY) an hour on "
                                                           "top; more is a typo"),
    # ------------------------------------------------------------------ fleet: times
    "clock": Bound(0, 2 * DAY_S, "s after midnight", "clock times run to 48:00 (the day and the "
                                                     "night after)"),
    "service_min": Bound(0, 480, "min", "a dump or water stop takes 5-30 min; one longer than "
                                        "an 8 h shift is a typo"),
    "break_minutes": Bound(0, 240, "min", "a meal break is 20-60 min; a longer pause is two "
                                          "shifts (a vehicle may have several)", low_open=True),
    "overtime_min": Bound(0, 24 * 60, "min", "overtime of more than a day is no overtime"),
    "turn_s": Bound(0, 3600, "s", "a U-turn costs a sweeper a minute or two; an hour is a typo"),
    # ------------------------------------------------------------------ streets
    "lanes": Bound(1, 16, "lanes", "the widest avenues have 8 lanes each way"),
    "width_m": Bound(0, 150, "m", "a carriageway is 3-40 m wide; the widest avenue (9 de "
                                  "Julio, Buenos Aires) is about 140 m", low_open=True),
    "passes_per_side": Bound(1, 10, "passes", "one or two passes clean a curb"),
    "sweeps_per_day": Bound(0, 24, "sweeps", "main roads are swept 2-4 times a day; hourly is "
                                             "the most any bureau orders"),
    "min_hours_between": Bound(0, 24, "h", "the gap between two sweeps of one day"),
    "priority": Bound(0, 100, "", "the class defaults run 1-5; 100 levels rank any city"),
    # ------------------------------------------------------------------ volunteers
    "max_minutes": Bound(0, 720, "min", "volunteer patrols last 1-3 h (the demo's 60-150 min); "
                                        "12 h is a double shift", low_open=True),
    # ------------------------------------------------------------------ crew and rules
    "contract_hours": Bound(0, 84, "h a week", "contracts state 35-48 h; 84 is 12 h a day, "
                                               "7 days", low_open=True),
    "max_hours_day": Bound(0, 24, "h", "a duty is at most a day", low_open=True),
    "max_hours_week": Bound(0, 168, "h", "a week has 168 h", low_open=True),
    "min_rest_hours": Bound(0, 24, "h", "rest rules ask for 8-12 h between duties"),
    "night_min_hours": Bound(0, 24, "h", "a night duty has 2-3 h in the night window"),
    "max_consecutive_days": Bound(1, 31, "days", "a roster covers at most 31 days"),
    "share": Bound(0, 1, "", "a share: 0.02 is 2 %"),
    "weight": Bound(0, 10_000, "", "the demo's weights are 1-10; relative sizes matter"),
    "time_limit": Bound(0, 86_400, "s", "a solver time limit of more than a day is a typo",
                        low_open=True),
}


def within(name: str) -> AfterValidator:
    """The validator of ``BOUNDS[name]``, for ``Annotated[float, within(name)]`` fields."""
    return AfterValidator(BOUNDS[name].check)
