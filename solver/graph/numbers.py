"""Numbers no result may hold, whichever planner made it: not finite, or below zero.

Every figure of a schedule (clock times, metres, litres, money, KPIs) is a
count or a measure, so it is finite and not negative. An overflow upstream
(a fleet rate of 1e308) turns into ``inf`` or ``nan``, and a comparison with
either is always false, so a checker that only compares would pass it: the
checkers ask this first.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from pydantic import BaseModel

from streetcrew.models.schedule import Violation, violation


def unsound_numbers(result: BaseModel) -> list[Violation]:
    """A violation per number of ``result`` (nested records and lists too) that is not
    finite or is negative, named by its place (``routes[2].steps[7].load``)."""
    out = []
    for where, x in _numbers(result.model_dump(), ""):
        if not math.isfinite(x):
            out.append(violation("number", where, f"{x} is not a finite number"))
        elif x < 0:
            out.append(violation("number", where, f"{x:g} is negative"))
    return out


def _numbers(data: object, where: str) -> Iterator[tuple[str, float]]:
    if isinstance(data, bool):
        return
    if isinstance(data, int | float):
        yield where, float(data)
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _numbers(value, f"{where}.{key}" if where else str(key))
    elif isinstance(data, list | tuple):
        for i, value in enumerate(data):
            yield from _numbers(value, f"{where}[{i}]")
