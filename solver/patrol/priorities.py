"""What the patrol inputs mean before any plan: the streets walked on and each one's priority.

The planner and the checker share it (as they share the network built from the streets):
which street a reported case raises is a reading of the inputs, not a choice of the plan.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.spatial import cKDTree

from streetcrew.models.patrol import Case
from streetcrew.models.streets import CLASS_DEFAULTS, Street, haversine_m
from streetcrew.solver.patrol.model import CASE_SNAP_M, CASE_WEIGHT, HALF_LIFE_DAYS


def walk_streets(streets: Sequence[Street]) -> list[Street]:
    """The walkable streets, two-way for walkers."""
    return [s.model_copy(update={"oneway": "no"}) for s in streets
            if CLASS_DEFAULTS[s.road_class].walkable]


def street_priorities(streets: Sequence[Street], cases: Sequence[Case]
                      ) -> tuple[np.ndarray, int, list[str]]:
    """Priority per street, the number of cases used and the ids of those too far away."""
    prio = np.array([float(s.priority) for s in streets])
    used, far = 0, []
    for case, k in snap_cases(streets, cases):
        if k is None:
            far.append(case.id)
            continue
        prio[k] += CASE_WEIGHT * 0.5 ** (case.age_days / HALF_LIFE_DAYS)
        used += 1
    return prio, used, far


def snap_cases(streets: Sequence[Street], cases: Sequence[Case]
               ) -> list[tuple[Case, int | None]]:
    """Each case with the index of the street within :data:`CASE_SNAP_M` of it (or None)."""
    pts = [(k, p) for k, s in enumerate(streets) for p in _dense(s.coords)]
    if not pts:
        return [(c, None) for c in cases]
    owner = np.array([k for k, _ in pts])
    xy = np.array([p for _, p in pts])
    lat0 = math.radians(float(xy[:, 1].mean()))
    scale = np.array([111_320 * math.cos(lat0), 110_574])
    tree = cKDTree(xy * scale)
    out: list[tuple[Case, int | None]] = []
    for c in cases:
        dist, i = tree.query(np.array([c.at.lon, c.at.lat]) * scale)
        out.append((c, int(owner[i]) if dist <= CASE_SNAP_M else None))
    return out


def _dense(coords: Sequence[tuple[float, float]], step_m: float = 20.0
           ) -> list[tuple[float, float]]:
    """Points along a line every ``step_m`` metres (for snapping cases to streets)."""
    out = [coords[0]]
    for a, b in zip(coords, coords[1:]):
        n = max(1, int(haversine_m(a, b) // step_m))
        out += [(a[0] + (b[0] - a[0]) * j / n, a[1] + (b[1] - a[1]) * j / n)
                for j in range(1, n + 1)]
    return out
