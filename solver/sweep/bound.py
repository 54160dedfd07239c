"""A lower bound on the deadhead any plan needs (OR-Tools min-cost flow).

Closed vehicle walks enter and leave every node equally often. Each task
swept in a fixed direction enters its end node and leaves its start node, so
nodes where tasks arrive more often than they depart must be left by that
many deadhead traversals, and the cheapest way to do so is a min-cost flow
from those nodes to the ones with the opposite surplus over the drivable
links (the directed Chinese postman bound). Tasks that may run either way are
given free, unit-capacity arcs both ways, a relaxation of choosing their
direction, so the bound stays valid. Link lengths are rounded down to whole
metres for the same reason.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ortools.graph.python import min_cost_flow

from streetcrew.models.network import StreetNetwork
from streetcrew.solver.sweep.tasks import SweepTask


def deadhead_lower_bound_m(network: StreetNetwork, tasks: Sequence[SweepTask]) -> float:
    n = len(network.nodes)
    surplus = [0] * n  # arrivals minus departures of the fixed-direction tasks
    flexible = []
    for t in tasks:
        link = network.links[t.street]
        if t.forward_ok and t.backward_ok:
            flexible.append((link.u, link.v))
            continue
        a, b = (link.u, link.v) if t.forward_ok else (link.v, link.u)
        surplus[b] += 1
        surplus[a] -= 1
    total = sum(s for s in surplus if s > 0)
    if total == 0:
        return 0.0
    flow = min_cost_flow.SimpleMinCostFlow()
    for lk in network.links:
        metres = math.floor(lk.length_m)
        flow.add_arc_with_capacity_and_unit_cost(lk.u, lk.v, total, metres)
        if not lk.oneway:
            flow.add_arc_with_capacity_and_unit_cost(lk.v, lk.u, total, metres)
    for u, v in flexible:
        flow.add_arc_with_capacity_and_unit_cost(u, v, 1, 0)
        flow.add_arc_with_capacity_and_unit_cost(v, u, 1, 0)
    for node, s in enumerate(surplus):
        if s:
            flow.set_node_supply(node, s)
    if flow.solve() != flow.OPTIMAL:
        return 0.0  # no valid bound beyond zero (e.g. a node with no way out)
    return float(flow.optimal_cost())
