"""Dump and refill trips placed by the dynamic program over a route's order."""

from __future__ import annotations

import random

import pytest

from streetcrew.models.network import build_network
from streetcrew.solver.graph.network import main_component, snap
from streetcrew.solver.sweep.engine_ortools import SweepModel
from streetcrew.solver.sweep.tasks import build_tasks
from streetcrew.solver.sweep.timing import _loads, facility_plan
from tests.helpers import grid, grid_fleet


def _model(hopper_m3: float, water_l: float) -> SweepModel:
    streets = grid()
    base = grid_fleet()
    types = tuple(t.model_copy(update={"hopper_m3": hopper_m3, "water_l": water_l})
                  for t in base.vehicle_types)
    fleet = base.model_copy(update={"vehicle_types": types})
    network = build_network(streets)
    assert main_component(network).all()
    points = {f"depot:{d.id}": d.at for d in fleet.depots}
    points |= {f"facility:{f.id}": f.at for f in fleet.facilities}
    tasks, _ = build_tasks(streets, network, fleet)
    return SweepModel(streets, network, fleet, tasks, snap(points, network))


def _added(model: SweepModel, depot: int, order: list[int],
           trips: dict[int, tuple]) -> float:
    dist = model.paths.distance
    here, total = depot, 0.0
    for i, node in enumerate(order):
        for _, f in trips.get(i, ()):
            total += dist(here, model.facility_nodes[f.id])
            here = model.facility_nodes[f.id]
        total += dist(here, model.visits[node].start)
        here = model.visits[node].end
    return total


def _greedy(model: SweepModel, vt, depot: int, order: list[int]) -> dict[int, tuple]:
    """The rule the plan used before: a trip just before the task that would overflow."""
    def nearest(kind: str, a: int, b: int):
        facs = [f for f in model.fleet.facilities if f.kind in (kind, "both")]
        return min(facs, key=lambda f: model.paths.distance(a, model.facility_nodes[f.id])
                   + model.paths.distance(model.facility_nodes[f.id], b))

    trips: dict[int, tuple] = {}
    h = w = 0.0
    here = depot
    for i, node in enumerate(order):
        debris, water = _loads(model, vt, node)
        stops = []
        if h + debris > vt.hopper_m3 * 1000:
            stops.append(("dump", nearest("dump", here, model.visits[node].start)))
            h = 0.0
        if w + water > vt.water_l:
            stops.append(("water", nearest("water", here, model.visits[node].start)))
            w = 0.0
        if stops:
            trips[i] = tuple(stops)
        h, w = h + debris, w + water
        here = model.visits[node].end
    return trips


@pytest.mark.parametrize("seed", range(6))
def test_trips_keep_the_loads_and_drive_no_more_than_the_old_rule(seed: int) -> None:
    model = _model(hopper_m3=0.4, water_l=300)
    vt = model.fleet.vehicle_type("large")
    depot = next(v.start for v in model.visits if v.kind == "depot")
    visits = {}
    for i, v in enumerate(model.visits):
        if v.task is not None and "large" in model.tasks[v.task].types:
            visits.setdefault(v.task, i)
    order = list(visits.values())
    random.Random(seed).shuffle(order)
    plan = facility_plan(model, vt, depot, order)
    assert plan is not None
    h = w = 0.0
    for i, node in enumerate(order):
        kinds = [k for k, _ in plan.get(i, ())]
        h = 0.0 if "dump" in kinds else h
        w = 0.0 if "water" in kinds else w
        debris, water = _loads(model, vt, node)
        h, w = h + debris, w + water
        assert h <= vt.hopper_m3 * 1000 + 1e-6 and w <= vt.water_l + 1e-6
    assert plan, "small hopper and tank: some trips are needed"
    greedy = _greedy(model, vt, depot, order)
    assert _added(model, depot, order, plan) <= _added(model, depot, order, greedy) + 1e-6


def test_no_plan_without_a_facility_for_a_full_hopper() -> None:
    model = _model(hopper_m3=0.4, water_l=300)
    model.fleet = model.fleet.model_copy(update={"facilities": tuple(
        f for f in model.fleet.facilities if f.kind == "water")})
    vt = model.fleet.vehicle_type("large")
    depot = next(v.start for v in model.visits if v.kind == "depot")
    order = [i for i, v in enumerate(model.visits) if v.task is not None
             and "large" in model.tasks[v.task].types][:60]
    assert facility_plan(model, vt, depot, order) is None
