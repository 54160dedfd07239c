"""Recombine routes from every engine and restart with set covering (pulp/CBC).

Each candidate route is a set of tasks with its optimal-direction cost. The
model picks routes covering every task at least once at least total cost;
tasks covered twice are then dropped from all but one route, which never
raises the cost (deadheads are shortest paths).
"""

from __future__ import annotations

import math
import os
import shlex
import shutil
import tempfile
import time
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

import pulp

from streetcrew.solver.carp.improve import drop_repeats
from streetcrew.solver.carp.taskgraph import TaskGraph

CBC_EXIT_S = 0.1  # CBC's own start-up and the reading back of its solution


class RoutePool:
    """Distinct task sets, each with the cheapest oriented route seen for it."""

    def __init__(self, graph: TaskGraph) -> None:
        self.graph = graph
        self.best: dict[frozenset[int], tuple[int, tuple[int, ...]]] = {}

    def __len__(self) -> int:
        return len(self.best)

    def add(self, routes: Iterable[Sequence[int]]) -> None:
        """Keep each load-feasible task set once, at the cheapest cost seen.

        Orientation is left as the engine gave it (engines already flip single
        services); the routes that the recombination keeps are re-oriented
        optimally afterwards.
        """
        cap = self.graph.problem.capacity
        demand = self.graph.demand
        for r in routes:
            if not r:
                continue
            key = frozenset((x - 1) // 2 for x in r)
            if len(key) != len(r) or sum(int(demand[x]) for x in r) > cap:
                continue
            cost = self.graph.route_cost(r)
            old = self.best.get(key)
            if old is None or cost < old[0]:
                self.best[key] = (cost, tuple(r))


def recombine(
    pool: RoutePool,
    incumbent: Sequence[Sequence[int]] | None,
    deadline: float,
    max_routes: int | None = None,
    max_columns: int = 6_000,
) -> list[list[int]] | None:
    """Best cover CBC finds before ``deadline`` (``time.perf_counter()``).

    ``None`` when no cover was found or no time is left once the model is
    built (building counts against the deadline).
    """
    graph = pool.graph
    m = len(graph.problem.tasks)
    items = sorted(pool.best.items(), key=lambda kv: kv[1][0] / max(1, len(kv[0])))
    items = items[:max_columns]
    inc_keys = set()
    if incumbent:
        pool.add(incumbent)
        inc_keys = {frozenset((x - 1) // 2 for x in r) for r in incumbent if r}
        chosen = {k for k, _ in items}
        items += [(k, pool.best[k]) for k in inc_keys if k not in chosen]
    prob = pulp.LpProblem("recombine", pulp.LpMinimize)
    xs = [prob.add_variable(f"x{i}", cat=pulp.LpBinary) for i in range(len(items))]
    prob += pulp.lpSum(c * x for (_, (c, _)), x in zip(items, xs))
    cover: list[list[pulp.LpVariable]] = [[] for _ in range(m)]
    for (key, _), x in zip(items, xs):
        for t in key:
            cover[t].append(x)
    for t in range(m):
        if not cover[t]:
            return None
        prob += pulp.lpSum(cover[t]) >= 1
    if max_routes is not None:
        prob += pulp.lpSum(xs) <= max_routes
    warm = bool(inc_keys)
    for (key, _), x in zip(items, xs):
        x.setInitialValue(1 if key in inc_keys else 0)
    limit = deadline - time.perf_counter() - CBC_EXIT_S
    if limit < 0.05:
        return None
    try:
        prob.solve(cbc(limit, warm))
    except pulp.PulpSolverError:  # stopped at the wall: no solution to read back
        return None
    if prob.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        return None
    picked = [list(items[i][1][1]) for i, x in enumerate(xs) if (x.value() or 0) > 0.5]
    return drop_repeats(graph, picked)


WALL_S = 1.0  # CBC's own limit is soft: past it by this much, the process is killed


def cbc(time_limit: float, warm_start: bool = False) -> pulp.LpSolver:
    """The CBC binary that ships with PuLP, quiet, on one thread, with a hard wall.

    Root cuts and heuristics are off: with them CBC overran a 0.5 s limit by
    0.5 s on val5A's pool and found nothing better; the warm start supplies
    the incumbent and branching does the rest. CBC checks its ``-sec`` limit only
    between nodes: on a 1,799-task pool it kept going for over five minutes past it. So the
    binary runs under ``timeout`` (coreutils), killed ``WALL_S`` after the limit; PuLP then
    finds no solution file and the caller keeps its incumbent.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # PuLP 3.3 nudges to COIN_CMD
        bundled = pulp.PULP_CBC_CMD(msg=False)
        options = dict(msg=False, timeLimit=round(max(0.1, time_limit), 2),
                       warmStart=warm_start, threads=1, options=["cuts off", "heur off"])
        wall = _walled(bundled.path, max(0.1, time_limit) + WALL_S)
        if wall is None:
            return pulp.PULP_CBC_CMD(**options)  # type: ignore[arg-type]
        return pulp.COIN_CMD(path=str(wall), **options)  # type: ignore[arg-type]


def _walled(binary: str, seconds: float) -> Path | None:
    """A script that runs ``binary`` killed after ``seconds``; None without ``timeout``."""
    timeout = shutil.which("timeout")
    if timeout is None or not Path(binary).is_file():
        return None
    folder = Path(tempfile.gettempdir()) / f"streetcrew-cbc-{os.getpid()}"
    folder.mkdir(exist_ok=True)
    seconds = math.ceil(seconds)  # a few scripts per process, not one per limit
    script = folder / f"cbc-{seconds}"
    if not script.exists():
        script.write_text(f'#!/bin/sh\nexec {shlex.quote(timeout)} -s KILL {seconds} '
                          f'{shlex.quote(binary)} "$@"\n', encoding="utf-8")
        script.chmod(0o755)
    return script
