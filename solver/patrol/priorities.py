"""What the patrol inputs mean before any plan: the streets walked on and each one's priority.

The planner and the checker share it (as they share the network built from the streets):
which street a reported case raises is a reading of the inputs, not a choice of the plan.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from streetcrew.models.patrol import Case
from streetcrew.models.streets import CLASS_DEFAULTS, Street
from streetcrew.solver.graph.network import nearest_streets
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
    near = nearest_streets(streets, [(c.at.lon, c.at.lat) for c in cases], CASE_SNAP_M)
    return list(zip(cases, near))
