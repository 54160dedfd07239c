"""OR-Tools model of the next-day sweeping plan.

Routing nodes: one per depot (vehicles start and end there), one per allowed
sweeping direction of every task (the directions of a task form one
disjunction: at most one is swept; leaving the task out costs a penalty that
grows with its priority, so work is only dropped when it cannot fit). Integer
units: metres, seconds, litres, and cents for cost.

* Arc ``i -> j`` drives the best turn-aware path (``solver/turns.py``) from
  the end of ``i`` into the start of ``j`` (one-way streets respected, turns
  priced by the fleet's turn penalties at the fleet's mean travel speed) and
  then sweeps ``j``.
* Time: per vehicle type, transit = service at ``i`` + travel; task windows,
  shifts and breaks on the time dimension.
* Dump and refill trips are not nodes: each task's service time carries its
  share of them (:meth:`SweepModel._amortized_reload_s`), and
  ``solver/sweep_schedule.py`` drives the actual trips. Reload nodes with
  OR-Tools' negative-demand pattern were tried first: its local search could
  not insert a trip together with the work it makes room for (43 % of the
  demo swept against 85 % now), and in OR-Tools 9.15 per-vehicle load
  evaluators or restricted vehicle variables made even the all-unperformed
  start fail.
* Vehicle types per task: a type that may not sweep a task cannot reach it
  (its travel time into the task is beyond the horizon); per-type cost per km
  and per hour; a configurable weight on the longest route (balance).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from streetcrew.models.carp import Link
from streetcrew.models.fleet import Fleet
from streetcrew.models.network import StreetNetwork
from streetcrew.models.streets import Street
from streetcrew.solver.graph.paths import UNREACHABLE, shortest_paths
from streetcrew.solver.graph.stop import stop_when_asked
from streetcrew.solver.sweep.tasks import SweepTask
from streetcrew.solver.sweep.turns import Place, TurnGraph

BIG = 10**9
HORIZON_S = 2 * 86_400


@dataclass(frozen=True)
class Visit:
    """A routing node: what it is and where it starts and ends on the network."""

    kind: str  # depot or task
    start: int
    end: int
    task: int | None = None  # index into the task list
    forward: bool = True
    depot: str | None = None
    arc: int | None = None  # the arc swept (turn graph), tasks only

    @property
    def place_in(self) -> Place:
        """Where a drive into this visit ends."""
        return Place(arc=self.arc) if self.arc is not None else Place(node=self.start)

    @property
    def place_out(self) -> Place:
        """Where a drive out of this visit starts."""
        return Place(arc=self.arc) if self.arc is not None else Place(node=self.end)


@dataclass
class SweepModelResult:
    routes: dict[int, list[tuple[int, int]]]  # vehicle index -> (node, arrival s)
    unplanned: list[int]  # task indices left out
    status: str
    visits: list[Visit] = field(default_factory=list)



class SweepModel:
    def __init__(
        self,
        streets: list[Street],
        network: StreetNetwork,
        fleet: Fleet,
        tasks: list[SweepTask],
        snapped: dict[str, tuple[int, float]],
        balance_weight: int = 0,
        unassigned_penalty: int = 10**9,
        boost: dict[int, int] | None = None,
    ) -> None:
        self.streets, self.network, self.fleet, self.tasks = streets, network, fleet, tasks
        self.vehicles = list(fleet.vehicles)
        self.types = list(fleet.vehicle_types)
        self.facility_nodes = {
            f.id: snapped[f"facility:{f.id}"][0] for f in fleet.facilities
        }
        places = [snapped[f"depot:{d.id}"][0] for d in fleet.depots] + list(
            self.facility_nodes.values())
        mean_mps = float(np.mean([t.travel_kmh for t in fleet.vehicle_types])) / 3.6
        self.turns = TurnGraph(streets, network, fleet.turns, places, mean_mps)
        self.visits = self._visits(snapped)
        self.dist = self._distances()
        self.amortized = self._amortized_reload_s()
        self.time_matrix = self._time_matrices()
        self._options = (balance_weight, unassigned_penalty, boost or {})
        self._built = False

    def _build(self) -> None:
        """The OR-Tools routing model, made when it is first solved (PyVRP's search uses
        the same nodes and matrices without it: registering them is slow on big areas)."""
        if self._built:
            return
        balance_weight, unassigned_penalty, boost = self._options
        n = len(self.visits)
        depot_index = {v.depot: i for i, v in enumerate(self.visits) if v.kind == "depot"}
        starts = [depot_index[v.depot] for v in self.vehicles]
        self.manager = pywrapcp.RoutingIndexManager(n, len(self.vehicles), starts, starts)
        self.routing = pywrapcp.RoutingModel(self.manager)
        self._add_costs_and_time()
        self._add_tasks(unassigned_penalty, boost)
        self._add_repeat_gaps()
        if balance_weight:
            self.time.SetGlobalSpanCostCoefficient(balance_weight)
        self._built = True

    # -- nodes -------------------------------------------------------------
    def _visits(self, snapped: dict[str, tuple[int, float]]) -> list[Visit]:
        visits = [Visit("depot", snapped[f"depot:{d.id}"][0], snapped[f"depot:{d.id}"][0],
                        depot=d.id) for d in self.fleet.depots]
        for t, task in enumerate(self.tasks):
            link = self.network.links[task.street]
            if task.forward_ok:
                visits.append(Visit("task", link.u, link.v, task=t, forward=True,
                                    arc=self.turns.arc(task.street, True)))
            if task.backward_ok:
                visits.append(Visit("task", link.v, link.u, task=t, forward=False,
                                    arc=self.turns.arc(task.street, False)))
        return visits

    def _debris_l(self, t: int, type_id: str) -> float:
        """Litres of debris a vehicle of the type loads sweeping the task."""
        task = self.tasks[t]
        road_class = self.streets[task.street].road_class
        return task.length_m * self.fleet.vehicle_type(type_id).debris_per_km(road_class)

    def _water_l(self, t: int, type_id: str) -> float:
        """Litres of water a vehicle of the type uses sweeping the task."""
        return self.tasks[t].length_m / 1000 * self.fleet.vehicle_type(type_id).water_l_per_km

    # -- matrices ----------------------------------------------------------
    def _distances(self) -> np.ndarray:
        links = [Link(u=lk.u, v=lk.v, cost=max(1, round(lk.length_m)), oneway=lk.oneway)
                 for lk in self.network.links]
        ends = sorted({v.end for v in self.visits} | set(self.facility_nodes.values()))
        sp = shortest_paths(len(self.network.nodes), links, ends)
        self.paths = sp  # plain node distances: reload estimates only
        weights = self.turns.matrix([v.place_out for v in self.visits],
                                    [v.place_in for v in self.visits])
        dead = np.where(np.isfinite(weights), np.rint(weights), UNREACHABLE).astype(np.int64)
        np.fill_diagonal(dead, 0)
        self.deadhead = dead
        serve = np.array([self.tasks[v.task].length_m if v.task is not None else 0.0
                          for v in self.visits])
        d = np.where(dead >= UNREACHABLE, BIG, dead + np.rint(serve)[None, :])
        np.fill_diagonal(d, 0)
        return d.astype(np.int64)

    def _amortized_reload_s(self) -> dict[str, float]:
        """Seconds of dump and refill trips per litre, by vehicle type.

        When the trips are not in the model (the default: OR-Tools' local
        search cannot insert a trip together with the work it makes room
        for), each task carries its share of them: a round trip from the
        average task to the nearest facility of the kind plus its service,
        divided by the capacity it restores.
        """
        out: dict[str, float] = {}
        task_ends = sorted({v.end for v in self.visits if v.task is not None})
        for vt in self.types:
            for kind, cap in (("dump", vt.hopper_m3 * 1000), ("water", vt.water_l)):
                facs = [f for f in self.fleet.facilities if f.kind in (kind, "both")]
                if not facs or not task_ends:
                    continue
                trips = []
                for a in task_ends:
                    trips.append(min(
                        self.paths.distance(a, self.facility_nodes[f.id])
                        + self.paths.distance(self.facility_nodes[f.id], a)
                        for f in facs))
                valid = [t for t in trips if t < UNREACHABLE]
                metres = float(np.mean(valid)) if valid else 0.0
                service = min(f.service_min for f in facs) * 60
                out[f"{vt.id}:{kind}"] = (metres / (vt.travel_kmh / 3.6) + service) / cap
        return out

    def sweep_s(self, task: int, type_id: str) -> int:
        """Seconds to sweep a task with a vehicle of the type, nothing else."""
        return round(self.tasks[task].length_m / (self.fleet.vehicle_type(type_id).sweep_kmh / 3.6))

    def service_s(self, node: int, type_id: str) -> int:
        v = self.visits[node]
        if v.task is not None:
            return self.sweep_s(v.task, type_id) + round(
                self._debris_l(v.task, type_id) * self.amortized.get(f"{type_id}:dump", 0.0)
                + self._water_l(v.task, type_id) * self.amortized.get(f"{type_id}:water", 0.0)
            )
        return 0

    def _time_matrices(self) -> dict[str, np.ndarray]:
        """Seconds from each visit's start to the next one's, per vehicle type: service
        (with its share of reload time) and travel; a task the type may not sweep cannot be
        reached by it."""
        dead = np.where(self.deadhead >= UNREACHABLE, BIG, self.deadhead)
        out = {}
        for vt in self.types:
            service = np.array([self.service_s(i, vt.id) for i in range(len(self.visits))])
            travel = np.rint(dead / (vt.travel_kmh / 3.6)).astype(np.int64)
            tm = np.minimum(service[:, None] + travel, BIG)
            barred = [i for i, v in enumerate(self.visits)
                      if v.task is not None and vt.id not in self.tasks[v.task].types]
            tm[:, barred] = BIG
            np.fill_diagonal(tm, 0)
            out[vt.id] = tm
        return out

    def _add_costs_and_time(self) -> None:
        time_evals = []
        for vt in self.types:
            tm = self.time_matrix[vt.id]
            cents = np.rint(
                100 * (vt.cost_per_km * self.dist / 1000 + vt.cost_per_hour * tm / 3600)
            ).astype(np.int64) + 1  # +1 cent per arc: ties go to fewer moves
            cost_eval = self.routing.RegisterTransitMatrix(np.minimum(cents, BIG).tolist())
            time_evals.append(self.routing.RegisterTransitMatrix(tm.tolist()))
            for k, veh in enumerate(self.vehicles):
                if veh.type == vt.id:
                    self.routing.SetArcCostEvaluatorOfVehicle(cost_eval, k)
        type_pos = {vt.id: i for i, vt in enumerate(self.types)}
        per_vehicle = [time_evals[type_pos[v.type]] for v in self.vehicles]
        self.routing.AddDimensionWithVehicleTransits(per_vehicle, HORIZON_S, HORIZON_S, False, "time")
        self.time = self.routing.GetDimensionOrDie("time")
        solver = self.routing.solver()
        for k, veh in enumerate(self.vehicles):
            self.time.CumulVar(self.routing.Start(k)).SetRange(veh.shift_start, veh.shift_end)
            self.time.CumulVar(self.routing.End(k)).SetRange(veh.shift_start, veh.latest_end)
            premium = self.fleet.vehicle_type(veh.type).overtime_cost_per_hour
            if veh.latest_end > veh.shift_end and premium > 0:
                # the arcs already pay cost_per_hour for every second; this adds the premium
                # past the shift end, in whole cents per second (so in steps of 36 an hour)
                self.time.SetCumulVarSoftUpperBound(self.routing.End(k), veh.shift_end,
                                                    max(1, round(100 * premium / 3600)))
            self.routing.AddVariableMinimizedByFinalizer(self.time.CumulVar(self.routing.End(k)))
            self.routing.AddVariableMaximizedByFinalizer(self.time.CumulVar(self.routing.Start(k)))
            if veh.breaks:
                intervals = [
                    solver.FixedDurationIntervalVar(b.earliest, b.latest, round(b.minutes * 60),
                                                    False, f"break {veh.id} {j}")
                    for j, b in enumerate(veh.breaks)
                ]
                visit_s = [self.service_s(i, veh.type) for i in range(len(self.visits))]
                self.time.SetBreakIntervalsOfVehicle(intervals, k, visit_s)
        for node, v in enumerate(self.visits):
            if v.kind == "depot":
                continue
            index = self.manager.NodeToIndex(node)
            if v.task is not None and (w := self.tasks[v.task].window) is not None:
                slowest = max(self.service_s(node, t) for t in self.tasks[v.task].types)
                self.time.CumulVar(index).SetRange(w.start, max(w.start, w.end - slowest))

    def _add_tasks(self, penalty: int, boost: dict[int, int]) -> None:
        by_task: dict[int, list[int]] = {}
        for node, v in enumerate(self.visits):
            if v.task is not None:
                by_task.setdefault(v.task, []).append(self.manager.NodeToIndex(node))
        for t, indices in by_task.items():
            self.routing.AddDisjunction(indices, penalty * (1 + self.tasks[t].priority + boost.get(t, 0)), 1)

    def _add_repeat_gaps(self) -> None:
        """Sweep ``k + 1`` of a curb pass starts ``min_hours_between`` after sweep ``k`` ends.

        A node precedence on the time dimension, which OR-Tools enforces when
        both nodes are performed; the copies of a task are interchangeable,
        so ordering them by number loses nothing.
        """
        nodes: dict[tuple[int, str, int, int], list[int]] = {}
        for node, v in enumerate(self.visits):
            if v.task is not None:
                t = self.tasks[v.task]
                nodes.setdefault((t.street, t.side, t.pass_no, t.sweep_no), []).append(node)
        for (street, side, pass_no, sweep_no), firsts in nodes.items():
            gap = round(self.streets[street].min_hours_between * 3600)
            if not gap:
                continue
            for a in firsts:
                task = self.visits[a].task
                assert task is not None
                longest = max(self.sweep_s(task, k) for k in self.tasks[task].types)
                for b in nodes.get((street, side, pass_no, sweep_no + 1), []):
                    self.time.AddNodePrecedence(self.manager.NodeToIndex(a),
                                                self.manager.NodeToIndex(b), longest + gap)

    # -- solve -------------------------------------------------------------
    def solve(self, time_limit: float, initial: list[list[int]] | None = None,
              solutions: int | None = None) -> SweepModelResult:
        """Solve; ``initial`` gives each vehicle's starting order of task nodes;
        ``solutions`` stops the search after that many (a limit on work, not time)."""
        self._build()
        params = pywrapcp.DefaultRoutingSearchParameters()
        params.first_solution_strategy = (
            routing_enums_pb2.FirstSolutionStrategy.LOCAL_CHEAPEST_INSERTION
        )
        params.local_search_metaheuristic = (
            routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
        )
        params.time_limit.FromMilliseconds(max(10, int(time_limit * 1000)))
        if solutions is not None:
            params.solution_limit = solutions
            # a neighbour's completion (cumuls, slacks, breaks) is cut at 100 ms by default:
            # under load that cut falls elsewhere and the search takes another path
            params.lns_time_limit.FromMilliseconds(max(10, int(time_limit * 1000)))
        assignment = None
        stop_when_asked(self.routing)
        if initial is not None:
            self.routing.CloseModelWithParameters(params)
            start = self.routing.ReadAssignmentFromRoutes(
                [[self.manager.NodeToIndex(n) for n in r] for r in initial], True)
            if start is not None:
                assignment = self.routing.SolveFromAssignmentWithParameters(start, params)
        if assignment is None:
            assignment = self.routing.SolveWithParameters(params)
        all_tasks = list(range(len(self.tasks)))
        if assignment is None:
            return SweepModelResult({}, all_tasks, "infeasible", self.visits)
        routes: dict[int, list[tuple[int, int]]] = {}
        served: set[int] = set()
        for k in range(len(self.vehicles)):
            index = self.routing.Start(k)
            stops = []
            while True:
                node = self.manager.IndexToNode(index)
                stops.append((node, assignment.Value(self.time.CumulVar(index))))
                if self.visits[node].task is not None:
                    served.add(self.visits[node].task)  # type: ignore[arg-type]
                if self.routing.IsEnd(index):
                    break
                index = assignment.Value(self.routing.NextVar(index))
            routes[k] = stops
        unplanned = [t for t in all_tasks if t not in served]
        return SweepModelResult(routes, unplanned, "solved", self.visits)
