"""Paths and small builders the tests share (a support module, not a test module).

Fixtures built on them are in ``conftest.py``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from streetcrew.models.fleet import Fleet, Point
from streetcrew.models.io.fleet import read_fleet
from streetcrew.models.schedule import Route, Step
from streetcrew.models.streets import Street, street_with_defaults

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
TINY = DATA / "tiny.dat"
CARP = ROOT / "instances" / "carp"
REAL = ROOT.parent / "shared" / "real"  # real city data beside the checkout (may be absent)


def best_known(name: str) -> int:
    """The best known cost of a bundled CARP instance (instances/carp/bks.csv)."""
    from streetcrew.models.io.bks import read_bks

    return read_bks(CARP / "bks.csv")[name].best_known


def grid(size: int = 3, oneway: tuple[tuple[int, int], ...] = ((1, 1),)) -> list[Street]:
    """A ``size`` x ``size`` block grid of two-way residential streets around the depot of
    ``grid_fleet()``; the east-west segments at ``oneway`` (row, column) run one way."""
    x0, y0, step = 118.770, 32.040, 0.004
    streets = []
    for i in range(size + 1):
        for j in range(size):
            a = (x0 + i * step, y0 + j * step)
            b = (x0 + i * step, y0 + (j + 1) * step)
            streets.append(street_with_defaults(
                {"id": f"ns{i}{j}", "road_class": "residential", "coords": (a, b)}))
            c = (x0 + j * step, y0 + i * step)
            d = (x0 + (j + 1) * step, y0 + i * step)
            streets.append(street_with_defaults(
                {"id": f"ew{i}{j}", "road_class": "residential", "coords": (c, d),
                 "oneway": "forward" if (i, j) in oneway else "no"}))
    return streets


@functools.cache
def grid_fleet() -> Fleet:
    """tests/data/fleet/good.yaml (depot D1 at 118.78, 32.045) with its dump site and water
    point moved onto corners of :func:`grid`."""
    base = read_fleet(DATA / "fleet" / "good.yaml")
    return base.model_copy(update={"facilities": (
        base.facilities[0].model_copy(update={"at": Point(lon=118.770, lat=32.052)}),
        base.facilities[1].model_copy(update={"at": Point(lon=118.782, lat=32.040)}),
    )})


def run_and_kill_a_worker(work: Callable[[str], object]) -> object:
    """``work(scheduler_address)`` on a 2-worker Dask LocalCluster of processes, the worker
    process that first takes a task killed mid-task (its nanny starts a new one); returns
    what ``work`` returned, once it is over (it must be within 300 s)."""
    import os
    import threading
    import time

    from dask.distributed import Client, LocalCluster

    got: dict[str, object] = {}
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as watch:
        first = set(watch.scheduler_info()["workers"])
        runner = threading.Thread(target=lambda: got.update(
            result=work(cluster.scheduler_address)))
        runner.start()
        busy: list[str] = []
        deadline = time.perf_counter() + 60
        while not busy and time.perf_counter() < deadline:
            busy = [w for w, keys in watch.processing().items() if keys]
            time.sleep(0.05)
        assert busy, "no task started"
        try:
            watch.run(os._exit, 1, workers=busy[:1])
        except Exception:  # noqa: BLE001 - the worker may die before it answers
            pass
        runner.join(timeout=300)
        assert not runner.is_alive()
        assert busy[0] in first and busy[0] not in watch.scheduler_info()["workers"]
    return got["result"]


def walk_route(nodes: tuple[int, int, int], mode: str, t0: int) -> Route:
    """A team's walk from ``t0``: patrols street ``w1`` from node ``a`` to ``b`` (470 m, 5 min),
    then walks on to ``c`` (440 m, 5 min), where it ends."""
    a, b, c = nodes
    return Route(team="V01+V02", mode=mode, steps=(
        Step(type="start", start=t0, end=t0, from_node=a, to_node=a),
        Step(type="serve", start=t0, end=t0 + 300, distance_m=470, street="w1", side="centre",
             from_node=a, to_node=b),
        Step(type="deadhead", start=t0 + 300, end=t0 + 600, distance_m=440, from_node=b,
             to_node=c, path=(b, c)),
        Step(type="end", start=t0 + 600, end=t0 + 600, from_node=c, to_node=c)),
        served_m=470, deadhead_m=440, cost=0)
