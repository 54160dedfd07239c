"""PyVRP search for the sweeping plan, on the same nodes and costs as the OR-Tools model.

The arc-routing core's strength carried to the real plan: PyVRP's iterated local search
(the HGS family's neighbourhoods) over the curb passes, with the hopper inside the
search. Each allowed sweeping direction of a task is a client; a task's two directions
form a mutually exclusive group; every client is optional with a prize far above any
route's cost, so work is only left out when no vehicle can fit it (a prize-collecting
model). What it carries, in PyVRP 0.14 terms:

* the hopper as PyVRP's load, with the dump sites as reload depots (``reload_depots``): a
  route passes the dump when its hopper fills, where the detour is cheapest. PyVRP's reload
  empties every load at once, so the water tank cannot be a second reloaded load: its trips
  are spread over the tasks as time, as in the OR-Tools model. Making the tank the load of
  types whose tank empties first (small sweepers) was measured and lost: Campo Grande 54.6 %
  deadhead and 1,642 passes left against 52.4 % and 1,121, over its time limit, and the demo
  208.6 km against 200.7 km;
* a routing profile per vehicle type: its costs (cents: per km and per hour, as the
  OR-Tools model, in tenths of a cent, with a small charge per metre so that distance
  counts even for a fleet without prices) and times (sweep and travel speeds); a task the
  type may not sweep costs more than its prize;
* task windows, shifts (start and latest end, less the breaks' minutes), several depots.

What it does not carry is left to the timing that drives every route
(:mod:`streetcrew.solver.sweep.timing`): breaks at their times, the minimum gap between
repeat sweeps (kept apart here by slots of the day), and the trips themselves, placed there
again for both resources, optimally for the order found.
"""

from __future__ import annotations

import logging
import time
import warnings
from dataclasses import dataclass

import numpy as np
from pyvrp import (
    Client,
    ClientGroup,
    Depot,
    Location,
    ProblemData,
    RandomNumberGenerator,
    Solution,
    VehicleType,
)
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.IteratedLocalSearch import (
    IteratedLocalSearch,
    IteratedLocalSearchCallbacks,
    IteratedLocalSearchParams,
)
from pyvrp.PenaltyManager import PenaltyManager, PenaltyParams
from pyvrp.search import (
    OPERATORS,
    LocalSearch,
    NeighbourhoodParams,
    PerturbationManager,
    compute_neighbours,
)
from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria, StoppingCriterion

from streetcrew.solver.graph.paths import UNREACHABLE
from streetcrew.solver.graph.stop import OrRequested
from streetcrew.solver.sweep.engine_ortools import BIG, SweepModel
from streetcrew.solver.sweep.turns import Place

log = logging.getLogger(__name__)
# What a task is worth (tenths of a cent): far above what any route pays to sweep it, below a
# barred arc. Penalties may grow past it, so that the search drops work it cannot fit rather
# than keep a route that overruns its shift (PyVRP's default cap, 1e5 a unit, lets a task
# worth 1e7 buy 100 s of overrun).
PRIZE = 10**6
MAX_PENALTY = 1e9
PRICED_BYTES = 3 * 10**9  # the most the matrices of priced changes may take


@dataclass
class PyvrpPlan:
    orders: list[list[int]]  # per fleet vehicle: its task visits (model nodes) in order
    unplanned: list[int]  # task indices left out
    cost: float  # PyVRP's objective of the best solution (cents, prizes of dropped work)
    feasible: bool


def _data(model: SweepModel, held: list[set[int]] | None = None, price: int = 0,
          ) -> tuple[ProblemData, list[list[int]], list[int]]:
    """PyVRP data; the fleet vehicles of each PyVRP vehicle type; the model node of each
    location (-1 for a dump).

    ``held``: per fleet vehicle, the tasks (indices) it swept in the plan before; then each
    such vehicle is a PyVRP type of its own, whose every visit to a task another vehicle held
    costs ``price`` more (tenths of a cent), which keeps work with its vehicle unless moving
    it pays more (:data:`PRICED_BYTES` caps the matrices this takes)."""
    fleet = model.fleet
    depots = [i for i, v in enumerate(model.visits) if v.kind == "depot"]
    tasks = [i for i, v in enumerate(model.visits) if v.task is not None]
    dumps = list(fleet.facilities)  # every facility a PyVRP depot; the dump sites reload
    dump_places = [Place(node=model.facility_nodes[f.id]) for f in dumps]
    # locations: yards, dumps, then task visits
    outs = [model.visits[i].place_out for i in depots] + dump_places + [
        model.visits[i].place_out for i in tasks]
    ins = [model.visits[i].place_in for i in depots] + dump_places + [
        model.visits[i].place_in for i in tasks]
    node_of = depots + [-1] * len(dumps) + tasks
    n_yards, n_dumps = len(depots), len(dumps)
    # the model's deadheads between its visits, and drives to and from the dumps
    size = len(node_of)
    dead = np.full((size, size), UNREACHABLE, dtype=np.int64)
    known = [k for k, node in enumerate(node_of) if node >= 0]
    nodes = [node_of[k] for k in known]
    dead[np.ix_(known, known)] = model.deadhead[np.ix_(nodes, nodes)]
    if dumps:
        span = range(n_yards, n_yards + len(dumps))
        to_dump = model.turns.matrix(outs, dump_places)
        from_dump = model.turns.matrix(dump_places, ins)
        dead[:, span] = np.where(np.isfinite(to_dump), np.rint(to_dump), UNREACHABLE)
        dead[span, :] = np.where(np.isfinite(from_dump), np.rint(from_dump), UNREACHABLE)
    np.fill_diagonal(dead, 0)
    unreachable = dead >= UNREACHABLE
    lengths = [model.tasks[model.visits[i].task].length_m for i in tasks]  # type: ignore[index]
    serve = np.array([0.0] * (n_yards + n_dumps) + lengths, dtype=float)
    distances, durations = [], []
    for vt in model.types:
        service = np.zeros(len(node_of))
        for k, node in enumerate(node_of):
            if node >= 0 and model.visits[node].task is not None:
                t = model.visits[node].task
                assert t is not None
                service[k] = model.sweep_s(t, vt.id) + model._water_l(t, vt.id) * (
                    model.amortized.get(f"{vt.id}:water", 0.0))
        for j, f in enumerate(dumps):
            service[n_yards + j] = f.service_min * 60
        travel = dead / (vt.travel_kmh / 3.6)
        dur = np.rint(service[:, None] + travel)
        metres = dead + np.rint(serve)[None, :]
        # tenths of a cent, plus one unit per 10 m driven so that a fleet without
        # prices (or with hours only) still drives the shortest way; +1 per arc
        cents = np.rint(1000 * (vt.cost_per_km * metres / 1000 + vt.cost_per_hour * dur / 3600)
                        + metres / 10) + 1
        barred = [n_yards + n_dumps + k for k, i in enumerate(tasks)
                  if vt.id not in model.tasks[model.visits[i].task].types]  # type: ignore[index]
        cents[:, barred] = BIG
        dur[:, barred] = BIG
        cents[unreachable] = BIG
        dur[unreachable] = BIG
        np.fill_diagonal(cents, 0)
        np.fill_diagonal(dur, 0)
        distances.append(cents.astype(np.int64))
        durations.append(dur.astype(np.int64))
    type_pos = {vt.id: p for p, vt in enumerate(model.types)}
    groups: list[ClientGroup] = []
    by_task: dict[int, list[int]] = {}
    for k, i in enumerate(tasks):
        by_task.setdefault(model.visits[i].task, []).append(k)  # type: ignore[arg-type]
    group_of: dict[int, int] = {}
    for members in by_task.values():
        if len(members) == 2:
            for k in members:
                group_of[k] = len(groups)
            groups.append(ClientGroup(members, required=False))
    clients = []
    for k, i in enumerate(tasks):
        t = model.visits[i].task
        assert t is not None
        task = model.tasks[t]
        debris = max(model._debris_l(t, ty) for ty in task.types)  # loads are per client
        slowest = max(model.sweep_s(t, ty) for ty in task.types)
        early, late = 0, BIG
        if task.window is not None:
            early, late = task.window.start, max(task.window.start, task.window.end - slowest)
        slot = _repeat_slot(model, t, slowest)
        if slot is not None and max(early, slot[0]) <= min(late, slot[1]):
            early, late = max(early, slot[0]), min(late, slot[1])
        clients.append(Client(location=n_yards + n_dumps + k, delivery=[int(np.ceil(debris))],
                              tw_early=early, tw_late=late, prize=PRIZE * (1 + task.priority),
                              required=False, group=group_of.get(k)))
    yard_of = {model.visits[i].depot: p for p, i in enumerate(depots)}
    shapes: dict[tuple[str, str, int, int, int], list[int]] = {}
    priced = held is not None and price > 0 and any(held)
    for v, veh in enumerate(model.vehicles):
        # a break is due only when its window opens before the day is over
        rest = round(sum(b.minutes for b in veh.breaks if b.earliest < veh.latest_end) * 60)
        own = v if priced and held[v] else -1  # type: ignore[index]
        shapes.setdefault((veh.type, veh.depot, veh.shift_start, veh.latest_end - rest, own),
                          []).append(v)
    profile_of: dict[tuple[str, int], int] = {}
    if priced:
        assert held is not None
        owner = {t: v for v, tasks in enumerate(held) for t in tasks}
        col_task = np.array([-1] * (n_yards + n_dumps)
                            + [model.visits[i].task for i in tasks])  # type: ignore[list-item]
        wanted = {(type_id, own) for type_id, _, _, _, own in shapes}
        if len(wanted) * 2 * size * size * 8 > PRICED_BYTES:
            log.info("too many vehicles to price each change in the search (%d matrices of "
                     "%d places): the plan starts from the one before instead", len(wanted), size)
        else:
            for type_id, own in sorted(wanted):
                others = np.array([t >= 0 and t in owner and owner[t] != own for t in col_task])
                extra = distances[type_pos[type_id]].copy()
                extra[:, others] = np.minimum(extra[:, others] + price, BIG)
                np.fill_diagonal(extra, 0)
                profile_of[type_id, own] = len(distances)
                distances.append(extra)
                durations.append(durations[type_pos[type_id]])
    vehicle_types = []
    fleets = []
    for (type_id, depot, start, end, own), members in shapes.items():
        vt = fleet.vehicle_type(type_id)
        capacity = [round(vt.hopper_m3 * 1000)]
        reloads = [n_yards + j for j, f in enumerate(dumps) if f.kind in ("dump", "both")]
        vehicle_types.append(VehicleType(
            num_available=len(members), capacity=capacity,
            start_depot=yard_of[depot], end_depot=yard_of[depot], tw_early=start,
            tw_late=max(start, end), profile=profile_of.get((type_id, own), type_pos[type_id]),
            reload_depots=reloads,
            unit_distance_cost=1, unit_duration_cost=0, name=f"{type_id}@{depot}"))
        fleets.append(members)
    data = ProblemData(
        locations=[Location(0, 0) for _ in node_of],
        clients=clients,
        depots=[Depot(location=k) for k in range(n_yards + n_dumps)],
        vehicle_types=vehicle_types,
        distance_matrices=distances,  # type: ignore[arg-type]
        duration_matrices=durations,  # type: ignore[arg-type]
        groups=groups,
    )
    return data, fleets, node_of


def _repeat_slot(model: SweepModel, t: int, sweep_s: int) -> tuple[int, int] | None:
    """Start window of a repeat sweep that keeps the street's minimum gap between sweeps.

    PyVRP has no precedence between clients, so the day of the vehicles that may sweep the
    task is cut into one slot per sweep, the gap between slots: sweep ``s`` starts in slot
    ``s``, and any two sweeps are the gap apart whoever does them. None when the street is
    swept once, has no gap, or the slots would be shorter than the sweep.
    """
    task = model.tasks[t]
    street = model.streets[task.street]
    gap = round(street.min_hours_between * 3600)
    if street.sweeps_per_day < 2 or not gap:
        return None
    able = [v for v in model.vehicles if v.type in task.types]
    if not able:
        return None
    day0 = min(v.shift_start for v in able)
    day1 = max(v.latest_end for v in able)
    n = street.sweeps_per_day
    length = (day1 - day0 - (n - 1) * gap) // n
    if length < sweep_s:
        return None
    start = day0 + (task.sweep_no - 1) * (length + gap)
    return start, start + length - sweep_s


def solve_pyvrp(model: SweepModel, time_limit: float, seed: int = 0,
                iterations: int | None = None,
                initial: list[list[int]] | None = None,
                held: list[set[int]] | None = None, price: int = 0) -> PyvrpPlan:
    """Orders of task visits per fleet vehicle; ``iterations`` bounds the search by work
    (the same plan on any machine), ``time_limit`` by the clock (a cap either way).
    ``held`` and ``price``: the tasks each vehicle swept in the plan before and what moving
    one to another vehicle costs (see :func:`_data`); ``initial``: orders to start from."""
    started = time.perf_counter()
    data, fleets, node_of = _data(model, held, price)
    client_loc = {node_of[c.location]: k for k, c in enumerate(data.clients())}
    rng = RandomNumberGenerator(seed=seed)
    ls = LocalSearch(data, rng, compute_neighbours(data, NeighbourhoodParams()),
                     PerturbationManager())
    for op in OPERATORS:
        if op.supports(data):
            ls.add_operator(op(data))
    penalty = PenaltyParams(max_penalty=MAX_PENALTY)
    pm = PenaltyManager(penalty.midpoint_penalties(data), penalty)
    if initial:
        init = _from_orders(data, fleets, client_loc, initial)
    else:
        init = ls(Solution(data, []), pm.max_cost_evaluator(), exhaustive=True)
    left = max(0.05, time_limit - (time.perf_counter() - started))
    stop: StoppingCriterion = MaxRuntime(left)
    if iterations is not None:
        stop = MultipleCriteria([MaxIterations(iterations), MaxRuntime(left)])
    params = IteratedLocalSearchParams(callbacks=_Progress(len(model.tasks)))
    with warnings.catch_warnings():
        # the penalty for time over a shift reaching its cap is expected here: work that does
        # not fit is left out for its prize, and the drive then says why; not a user's concern
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        result = IteratedLocalSearch(data, pm, ls, init, params).run(
            OrRequested(stop), collect_stats=False)
    best = result.best
    log.debug("pyvrp: %d iterations in %.1f s", result.num_iterations, result.runtime)
    orders: list[list[int]] = [[] for _ in model.vehicles]
    found: list[list[list[int]]] = [[] for _ in fleets]
    for route in best.routes():
        found[route.vehicle_type()].append(
            [node_of[data.clients()[a.idx].location] for a in route if a.is_client()])
    served: set[int] = set()
    for members, routes in zip(fleets, found):
        for k, nodes in zip(_owners(model, members, routes, held), routes):
            orders[k] = nodes
            served |= {model.visits[n].task for n in nodes}  # type: ignore[misc]
    unplanned = [t for t in range(len(model.tasks)) if t not in served]
    return PyvrpPlan(orders, unplanned, float(result.cost()), best.is_feasible())


def _owners(model: SweepModel, members: list[int], routes: list[list[int]],
            held: list[set[int]] | None) -> list[int]:
    """The vehicle of each route among interchangeable ``members``: the one that held most
    of its tasks before (an assignment problem), else in fleet order."""
    if not held or len(members) < 2 or not routes:
        return members[: len(routes)]
    from scipy.optimize import linear_sum_assignment

    overlap = np.array([[len(held[k] & {model.visits[n].task for n in r}) for k in members]
                        for r in routes])
    rows, cols = linear_sum_assignment(-overlap)
    return [members[c] for _, c in sorted(zip(rows, cols))]


class _Progress(IteratedLocalSearchCallbacks):
    """Says on the progress line how much of the work the best plan so far takes."""

    def __init__(self, tasks: int) -> None:
        self.tasks = tasks

    def on_best(self, best: Solution) -> None:
        if best.is_feasible():
            log.info("searching (PyVRP): the best plan so far sweeps %d of %d passes in %d "
                     "routes", best.num_clients(), self.tasks, best.num_routes())


def _from_orders(data: ProblemData, fleets: list[list[int]], client_loc: dict[int, int],
                 orders: list[list[int]]) -> Solution:
    """A PyVRP solution from per-vehicle orders of model nodes (a warm start)."""
    from pyvrp import Route

    routes = []
    for p, members in enumerate(fleets):
        for k in members:
            if orders[k]:
                routes.append(Route(data, [client_loc[n] for n in orders[k]], p))
    return Solution(data, routes)
