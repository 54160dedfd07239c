"""Plans by districts: street types, balanced cuts, vehicle shares, and whole plans checked."""

from __future__ import annotations

import numpy as np
import pytest

from streetcrew.models.fleet import Vehicle
from streetcrew.models.network import build_network
from streetcrew.solver.graph.network import main_component
from streetcrew.solver.sweep.check import check_schedule
from streetcrew.solver.sweep.districts import (
    _bisect,
    _largest_remainder,
    make_districts,
    natural_types,
)
from streetcrew.solver.sweep.params import PlanParams
from streetcrew.solver.sweep.plan import _snap_inside, plan_sweeping
from streetcrew.solver.sweep.tasks import build_tasks
from tests.helpers import grid as _grid
from tests.helpers import grid_fleet

FLEET = grid_fleet()


def _fleet_of(n: int):
    """FLEET with ``n`` copies of each of its vehicles (ids made unique)."""
    vehicles = [v.model_copy(update={"id": f"{v.id}-{i}"})
                for i in range(n) for v in FLEET.vehicles]
    return FLEET.model_copy(update={"vehicles": tuple(vehicles)})


def test_bisection_gives_compact_parts_of_equal_weight() -> None:
    rng = np.random.default_rng(1)
    xy = rng.uniform(0, 1000, size=(200, 2))
    weight = np.ones(200)
    parts = _bisect(list(range(200)), xy, weight, 5)
    assert len(parts) == 5
    assert sorted(i for p in parts for i in p) == list(range(200))
    assert max(len(p) for p in parts) - min(len(p) for p in parts) <= 2


def test_vehicles_are_shared_in_proportion_with_at_least_one_each() -> None:
    assert _largest_remainder(np.array([3.0, 1.0]), 6) == [4, 2]
    assert _largest_remainder(np.array([0.0, 5.0, 5.0]), 3) == [1, 1, 1]
    assert sum(_largest_remainder(np.array([1.0, 2.0, 7.0]), 11)) == 11


def test_streets_only_one_type_may_sweep_go_to_it() -> None:
    streets = _grid()
    streets[0] = streets[0].model_copy(update={"allowed_types": (FLEET.vehicle_types[0].id,)})
    network = build_network(streets)
    tasks, _ = build_tasks(streets, network, FLEET)
    natural = natural_types(streets, tasks, FLEET)
    assert natural[0] == FLEET.vehicle_types[0].id
    assert set(natural) == {t.street for t in tasks}


def test_districts_cover_each_street_once_and_get_vehicles() -> None:
    streets = _grid()
    fleet = _fleet_of(3)
    network = build_network(streets)
    inside = main_component(network)
    points = {f"depot:{d.id}": d.at for d in fleet.depots}
    snapped = _snap_inside(points, network, inside, 500, fleet, None)
    tasks, _ = build_tasks(streets, network, fleet)
    districts = make_districts(streets, network, tasks, fleet, snapped, district_tasks=8)
    assert len(districts) > 1
    swept = sorted(k for d in districts for k in d.streets)
    assert swept == sorted({t.street for t in tasks})
    assert all(d.vehicles and all(isinstance(v, Vehicle) and v.type == d.type_id
                                  for v in d.vehicles) for d in districts)
    ids = [v.id for d in districts for v in d.vehicles]
    assert len(ids) == len(set(ids))  # no vehicle in two districts


def test_a_plan_by_districts_passes_the_checker_on_the_whole_network() -> None:
    streets = _grid()
    fleet = _fleet_of(3)
    schedule = plan_sweeping(streets, fleet, PlanParams(time_limit=8, district_tasks=10,
                                                        workers=1))
    assert check_schedule(streets, fleet, schedule) == []
    served = [st.task for r in schedule.routes for st in r.steps if st.type == "serve"]
    assert len(served) == len(set(served))
    network = build_network(streets)
    tasks, _ = build_tasks(streets, network, fleet)
    assert len(served) + len(schedule.unassigned) == len(tasks)
    assert len(served) >= 0.9 * len(tasks)
    assert schedule.summary.driven_km_lower_bound is not None
    s = schedule.summary  # the time per district, to size a cluster
    assert s.districts is not None and s.districts > 1
    assert 0 < s.district_s_mean <= s.district_s_max <= 8


def test_a_district_plans_without_a_facility_off_its_street_set() -> None:
    from streetcrew.models.fleet import Point
    from streetcrew.models.schedule import Schedule
    from streetcrew.solver.sweep.plan import plan_district

    far = FLEET.facilities[1].model_copy(update={"id": "far-hydrant",
                                                 "at": Point(lon=118.90, lat=32.10)})
    fleet = FLEET.model_copy(update={"facilities": (*FLEET.facilities, far)})
    grid = _grid()
    own = np.array([(lk.u, lk.v) for lk in build_network(grid).links])
    result = plan_district((grid, fleet, 3.0, PlanParams(), own + 1000))
    assert isinstance(result, Schedule) and result.routes
    assert all(st.facility != "far-hydrant" for r in result.routes for st in r.steps)
    # its routes come back on the city's nodes: here the district's own numbers + 1000
    nodes = {n for r in result.routes for st in r.steps for n in st.path}
    assert nodes and min(nodes) >= 1000 and max(nodes) <= own.max() + 1000
    # a depot off the map is still an error, reported for the district
    depot = FLEET.depots[0].model_copy(update={"at": Point(lon=118.90, lat=32.10)})
    off = FLEET.model_copy(update={"depots": (depot,)})
    message = plan_district((grid, off, 2.0, PlanParams(), own))
    assert isinstance(message, str) and "depots[0]" in message


@pytest.mark.parametrize("workers", [1, 2])
def test_districts_the_time_limit_cannot_reach_are_listed_and_the_plan_ends_on_time(
    workers: int,
) -> None:
    import time

    from streetcrew.solver.sweep.districts import LATE_TURN

    streets = _grid(5)
    fleet = _fleet_of(4)
    started = time.perf_counter()
    # 8 districts of 10 passes, one process, 2 s: each district alone takes longer than the
    # share the limit leaves, so the later ones are not started
    schedule = plan_sweeping(streets, fleet, PlanParams(time_limit=2, district_tasks=10,
                                                        workers=workers))
    took = time.perf_counter() - started
    assert check_schedule(streets, fleet, schedule) == []
    late = [u for u in schedule.unassigned if LATE_TURN in u.reason]
    if workers == 1:  # one process cannot reach every district in 2 s
        assert late, "some districts must have been left for the limit"
    assert any(st.type == "serve" for r in schedule.routes for st in r.steps)
    assert took < 2 + 4, f"{took:.1f} s for a 2 s limit"


def test_districts_on_a_dask_cluster_make_the_local_plan() -> None:
    from dask.distributed import LocalCluster

    streets = _grid()
    fleet = _fleet_of(3)
    # bounded by work, not by the clock: the same districts' plans wherever they run
    params = PlanParams(time_limit=60, district_tasks=10, workers=1, iterations=300,
                        deterministic=True)
    local = plan_sweeping(streets, fleet, params)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster:
        remote = plan_sweeping(streets, fleet, params.model_copy(
            update={"scheduler": cluster.scheduler_address}))
    assert check_schedule(streets, fleet, remote) == []
    assert len(remote.routes) == len(local.routes) > 1

    def key(s):  # the routes as driven, whatever order the districts came back in
        return sorted((r.vehicle, tuple((st.type, st.task, st.start) for st in r.steps))
                      for r in s.routes)

    assert key(remote) == key(local)
    assert remote.summary.cost == local.summary.cost


def test_a_district_whose_worker_dies_is_planned_again() -> None:
    from tests.helpers import run_and_kill_a_worker

    streets = _grid()
    fleet = _fleet_of(3)
    params = PlanParams(time_limit=120, district_tasks=10, workers=1, iterations=300,
                        deterministic=True)
    local = plan_sweeping(streets, fleet, params)
    remote = run_and_kill_a_worker(lambda address: plan_sweeping(
        streets, fleet, params.model_copy(update={"scheduler": address})))
    assert check_schedule(streets, fleet, remote) == []  # type: ignore[arg-type]
    assert not [u for u in remote.unassigned if "district" in u.reason]  # type: ignore[attr-defined]
    assert remote.summary.cost == local.summary.cost  # type: ignore[attr-defined]


def test_a_scheduler_that_does_not_answer_is_a_clear_error() -> None:
    import time

    from typer.testing import CliRunner

    from streetcrew.cli import app

    started = time.perf_counter()
    res = CliRunner().invoke(app, ["plan", "-t", "30", "--scheduler", "tcp://127.0.0.1:9"])
    assert res.exit_code == 2, res.output
    assert "did not answer within 10 s" in res.stderr and "Traceback" not in res.stderr
    assert time.perf_counter() - started < 25


def test_streets_with_a_district_are_swept_from_a_depot_of_that_district() -> None:
    from streetcrew.models.fleet import Depot, Point

    streets = _grid()
    # two yards at opposite corners; the west half of the grid belongs to the east yard's
    # district, so distance alone would give it to the west yard
    east, west = Depot(id="E", at=Point(lon=118.782, lat=32.052), district="east"), Depot(
        id="W", at=Point(lon=118.770, lat=32.040), district="west")
    streets = [s.model_copy(update={"district": "east" if s.coords[0][0] < 118.776 else "west"})
               for s in streets]
    vehicles = [v.model_copy(update={"id": f"{v.id}-{d}", "depot": d})
                for d in ("E", "W") for v in FLEET.vehicles]
    fleet = FLEET.model_copy(update={"depots": (east, west), "vehicles": tuple(vehicles)})
    network = build_network(streets)
    inside = main_component(network)
    points = {f"depot:{d.id}": d.at for d in fleet.depots}
    snapped = _snap_inside(points, network, inside, 500, fleet, None)
    tasks, _ = build_tasks(streets, network, fleet)
    districts = make_districts(streets, network, tasks, fleet, snapped, district_tasks=1000)
    for d in districts:
        own = {"E": "east", "W": "west"}[d.depot]
        assert {streets[k].district for k in d.streets} == {own}, d.depot
    # and the plan keeps to it
    schedule = plan_sweeping(streets, fleet, PlanParams(time_limit=5, district_tasks=20,
                                                        workers=1))
    assert check_schedule(streets, fleet, schedule) == []
    district_of = {s.id: s.district for s in streets}
    for r in schedule.routes:
        want = "east" if r.depot == "E" else "west"
        assert {district_of[st.street] for st in r.steps if st.type == "serve"} <= {want}
