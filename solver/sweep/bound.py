"""A lower bound on the deadhead any plan needs: a linear programme (scipy's HiGHS).

Closed vehicle walks enter and leave every node equally often. Each task
swept in a fixed direction enters its end node and leaves its start node, so
nodes where tasks arrive more often than they depart must be left by that
many deadhead traversals, and the cheapest way to do so is a flow from those
nodes to the ones with the opposite surplus over the drivable links (the
directed Chinese postman bound). Tasks that may run either way are given free,
unit-capacity arcs both ways, a relaxation of choosing their direction, so the
bound stays valid. Link lengths are rounded down to whole metres for the same
reason.

Trips to the yard and the facilities (:class:`Visits`): every route ends at
its depot, and a route that collects more debris than a hopper holds must
enter a dump once per extra hopperful before its end. Each of these events is
reached over its own link traversal (between two of them at least one pass is
swept), so the walks enter the depot and dump nodes, together, at least
``ceil(debris / hopper)`` times (the least debris any allowed type would
collect over the largest hopper); likewise depots and water points for the
tank. Those two counts are rows added to the flow, which makes it a linear
programme; its optimum, integral or not, is still a lower bound.

Without those rows the bound is a min-cost flow, which OR-Tools' network simplex solves
in seconds on a city (200,000 streets: about 2 s, where the linear programme took 190 s).
It is always computed; the linear programme then runs within the time it is given and,
when it finishes, raises the bound by the yard and dump trips.
"""

from __future__ import annotations

import math
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from streetcrew.models.fleet import Fleet
from streetcrew.models.network import StreetNetwork
from streetcrew.models.streets import Street
from streetcrew.solver.sweep.tasks import SweepTask


@dataclass(frozen=True)
class Visits:
    """Walks must enter the ``nodes`` (depots and facilities of a kind) ``at_least`` times."""

    nodes: Collection[int]
    at_least: int


def deadhead_lower_bound_m(
    network: StreetNetwork, tasks: Sequence[SweepTask], visits: Sequence[Visits] = (),
    seconds: float | None = None,
) -> float:
    """Metres of deadhead every plan sweeping ``tasks`` drives at least; ``seconds``
    bounds the linear programme with the ``visits`` rows (None: no limit)."""
    started = time.perf_counter()
    n = len(network.nodes)
    surplus = np.zeros(n)  # arrivals minus departures of the fixed-direction tasks
    arrivals = np.zeros(n)  # fixed-direction tasks ending at each node
    flexible = []
    for t in tasks:
        link = network.links[t.street]
        if t.forward_ok and t.backward_ok:
            flexible.append((link.u, link.v))
            continue
        a, b = (link.u, link.v) if t.forward_ok else (link.v, link.u)
        surplus[b] += 1
        surplus[a] -= 1
        arrivals[b] += 1
    rows = [v for v in visits if v.nodes and v.at_least > 0]
    if not surplus.any() and not rows:
        return 0.0
    tails: list[int] = []
    heads: list[int] = []
    cost: list[int] = []
    upper: list[int | None] = []
    for lk in network.links:
        metres = math.floor(lk.length_m)
        for u, v in ((lk.u, lk.v),) if lk.oneway else ((lk.u, lk.v), (lk.v, lk.u)):
            tails.append(u)
            heads.append(v)
            cost.append(metres)
            upper.append(None)
    for u, v in flexible:
        for a, b in ((u, v), (v, u)):
            tails.append(a)
            heads.append(b)
            cost.append(0)
            upper.append(1)
    flow = _min_cost_flow(n, tails, heads, cost, upper, surplus)
    if flow is None:
        return 0.0  # no valid bound beyond zero (e.g. a node with no way out)
    left = None if seconds is None else seconds - (time.perf_counter() - started)
    if not rows or (left is not None and left <= 0):
        return flow
    m = len(tails)
    cols = np.arange(m)
    # deadhead out of a node minus into it equals the tasks' surplus there
    balance = coo_matrix(
        (np.r_[np.ones(m), -np.ones(m)], (np.r_[tails, heads], np.r_[cols, cols])), shape=(n, m)
    ).tocsr()
    a_ub, b_ub = [], []
    heads_arr = np.asarray(heads)
    for row in rows:
        inside = np.zeros(n, dtype=bool)
        inside[list(row.nodes)] = True
        # -(deadhead entries) <= fixed-task entries - at_least; a flexible task's free arc
        # into the set counts as the entry it is when swept that way
        a_ub.append(-inside[heads_arr].astype(float))
        b_ub.append(float(arrivals[inside].sum()) - row.at_least)
    result = linprog(
        np.asarray(cost, dtype=float),
        A_ub=np.array(a_ub) if a_ub else None,
        b_ub=np.array(b_ub) if b_ub else None,
        A_eq=balance,
        b_eq=surplus,
        bounds=[(0, u) for u in upper],
        method="highs-ipm",  # half the time of the simplex on a 50,000-street city
        options={} if left is None else {"time_limit": left},
    )
    if result.status != 0:
        return flow  # out of time: the flow alone is still a bound
    return max(flow, float(result.fun) - 1e-6 * abs(float(result.fun)))  # solver tolerance


def _min_cost_flow(n: int, tails: list[int], heads: list[int], cost: list[int],
                   upper: list[int | None], supply: np.ndarray) -> float | None:
    """The cheapest flow sending each node's ``supply`` (None when there is none)."""
    big = int(np.abs(supply).sum()) + 1  # no arc carries more than all the supply
    mcf = min_cost_flow.SimpleMinCostFlow()
    mcf.add_arcs_with_capacity_and_unit_cost(
        np.asarray(tails, dtype=np.int32), np.asarray(heads, dtype=np.int32),
        np.array([big if u is None else u for u in upper], dtype=np.int64),
        np.asarray(cost, dtype=np.int64))
    mcf.set_nodes_supplies(np.arange(n, dtype=np.int32), supply.astype(np.int64))
    if mcf.solve() != mcf.OPTIMAL:
        return None
    return float(mcf.optimal_cost())


def facility_visits(
    fleet: Fleet, streets: Sequence[Street], tasks: Sequence[SweepTask],
    snapped: dict[str, tuple[int, float]],
) -> list[Visits]:
    """The least number of entries into depots with dumps, and depots with water points.

    Each pass counts with the least debris and water any type allowed on it collects; the
    counts use the largest hopper and tank of the fleet.
    """
    types = {vt.id: vt for vt in fleet.vehicle_types}
    used = [types[v.type] for v in fleet.vehicles if v.type in types]
    if not tasks or not used:
        return []
    debris = water = 0.0
    for t in tasks:
        allowed = [types[name] for name in t.types if name in types] or used
        km = t.length_m / 1000
        road_class = streets[t.street].road_class
        debris += km * min(vt.debris_per_km(road_class) for vt in allowed)
        water += km * min(vt.water_l_per_km for vt in allowed)
    depots = {snapped[f"depot:{d.id}"][0] for d in fleet.depots if f"depot:{d.id}" in snapped}

    def where(kinds: tuple[str, ...]) -> set[int]:
        return depots | {snapped[f"facility:{f.id}"][0] for f in fleet.facilities
                         if f.kind in kinds and f"facility:{f.id}" in snapped}

    hopper = max(vt.hopper_m3 for vt in used)
    tank = max(vt.water_l for vt in used)
    return [Visits(where(("dump", "both")), max(1, math.ceil(debris / hopper - 1e-9))),
            Visits(where(("water", "both")), max(1, math.ceil(water / tank - 1e-9)))]
