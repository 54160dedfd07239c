"""The default engine: PyVRP on every core, recombined by set covering.

Phase 1 runs independent PyVRP searches (one per worker, different seeds)
that harvest the routes they meet. The union pool is recombined by a set
covering model (pulp/CBC). Phase 2 restarts every worker from the best
solution so far with fresh seeds, and a final recombination picks the best
routes of all. Every candidate is costed on the shared task graph; the
cheapest wins. Short limits (under ``TWO_PHASE_MIN_S``) run one phase.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import time
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor

from streetcrew.solver.carp.engine_pyvrp import run_pyvrp
from streetcrew.solver.carp.params import SolveParams
from streetcrew.solver.carp.setpart import RoutePool, recombine
from streetcrew.solver.carp.taskgraph import TaskGraph

log = logging.getLogger(__name__)

Job = tuple[float, int, Sequence[Sequence[int]] | None, int]  # seconds, seed, start, fleet
Found = tuple[list[list[int]], set[tuple[int, ...]]]
TWO_PHASE_MIN_S = 6.0
# Length of one fresh run in phase 1: long enough for PyVRP to reach a decent
# local optimum on an instance of that many tasks.
# Grows with the square of the task count: small instances stall within a
# second and gain from many starts; egl-s4-A (190 tasks) still improves after
# 10 s in one run and loses when its time is cut into short runs.
FRESH_RUN_S = 0.1
FRESH_RUN_PER_TASK2_S = 0.0004
MAX_FRESH_RUNS = 4


def _run(graph: TaskGraph, job: Job) -> Found:
    limit, seed, initial, vehicles = job
    return run_pyvrp(graph, limit, seed, vehicles, initial=initial)


class _Workers:
    """Runs jobs on ``n`` forked processes (in this one when ``n == 1``)."""

    def __init__(self, graph: TaskGraph, n: int) -> None:
        self.graph, self.n = graph, n
        self.pool = ProcessPoolExecutor(n, mp_context=mp.get_context("fork")) if n > 1 else None

    def submit(self, job: Job, harvest: bool) -> Future[Found]:
        """Start one job in the background (a pool of two processes or more)."""
        assert self.pool is not None
        limit, seed, initial, vehicles = job
        return self.pool.submit(run_pyvrp, self.graph, limit, seed, vehicles, initial, harvest)

    def map(self, jobs: Sequence[Job]) -> list[Found]:
        if self.pool is None:
            return [_run(self.graph, j) for j in jobs]
        futures = [self.pool.submit(_run, self.graph, j) for j in jobs]
        return [f.result() for f in futures]

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


class _Best:
    def __init__(self, graph: TaskGraph) -> None:
        self.graph = graph
        self.routes: list[list[int]] = []
        self.cost: int | None = None

    def offer(self, routes: list[list[int]] | None, source: str) -> None:
        if not routes:
            return
        cost = sum(self.graph.route_cost(r) for r in routes)
        log.debug("%s: cost %d", source, cost)
        if self.cost is None or cost < self.cost:
            self.routes, self.cost = routes, cost


def run_portfolio(
    graph: TaskGraph, deadline: float, params: SolveParams, vehicles: int
) -> list[list[int]]:
    workers = _Workers(graph, max(1, params.workers))
    try:
        return _search(graph, deadline, params.seed, workers, vehicles)
    finally:
        workers.close()


def _search(
    graph: TaskGraph, deadline: float, seed: int, workers: _Workers, fleet: int
) -> list[list[int]]:
    """Diverse fresh starts, recombination, then search from the best, and again.

    Phase 1 spends half the search time on independent fresh runs (several
    short ones per worker on small instances, where runs stall early but end
    in different local optima that recombine well). Phase 2 restarts every
    worker from the recombined best.

    Runs alternate between the full ``fleet`` and the fewest routes the
    demand allows: PyVRP rarely empties a route, so a search given spare
    vehicles stays with more routes than the best solutions use (gdb13: 544
    with 7 routes, 536 with 6). In phase 2 one worker keeps the best
    solution's route count, another gets one route more.

    With two workers or more, one of them runs the plain search of ``--engine pyvrp`` (same
    seed, fleet and settings) for the whole time beside the phases: cutting the time into
    runs and restarts loses on large instances (a published one: 5155 against the plain
    search's 4935 in 10 s), and the portfolio must never lose to its best engine alone.
    Its solution takes part in the last recombination.
    """
    pool = RoutePool(graph)
    best = _Best(graph)
    total = deadline - time.perf_counter()
    phases = 2 if total >= TWO_PHASE_MIN_S else 1
    margin = 0.1 + 0.02 * total  # process start, pool bookkeeping, re-orienting
    recombine_s = min(5.0, max(0.5, 0.06 * total))
    search_s = max(0.05, (total - margin - phases * recombine_s) / phases)
    fresh_len = FRESH_RUN_S + FRESH_RUN_PER_TASK2_S * len(graph.problem.tasks) ** 2
    runs = max(1, min(MAX_FRESH_RUNS, int(search_s / fresh_len)))

    problem = graph.problem
    tight = max(
        problem.vehicles_min or 1, -(-sum(t.demand for t in problem.tasks) // problem.capacity)
    )
    tight = min(tight, fleet)
    plain: Future[Found] | None = None
    lanes = workers.n
    if workers.n >= 2:
        plain = workers.submit((total - margin, seed, None, fleet), harvest=False)
        lanes = workers.n - 1
    for phase in range(phases):
        if phase == 0:
            jobs: list[Job] = [
                (search_s / runs, seed * 1000 + k, None, fleet if k % 2 == 0 else tight)
                for k in range(runs * lanes)
            ]
        else:
            search_s = max(0.05, deadline - time.perf_counter() - margin - recombine_s)
            used = len(best.routes)
            jobs = [
                (search_s, seed * 1000 + 100 * phase + w, best.routes, min(fleet, used + w % 2))
                for w in range(lanes)
            ]
        for k, (routes, harvested) in enumerate(workers.map(jobs)):
            best.offer(routes, f"phase {phase + 1} run {k}")
            pool.add(harvested)
        log.debug("phase %d searched, %.2f s left", phase + 1, deadline - time.perf_counter())
        until = deadline - (margin / 2 if phase == phases - 1 else margin + search_s)
        if phase == phases - 1 and plain is not None:
            routes, _ = plain.result()
            best.offer(routes, "plain search")
            pool.add(routes)
        if best.routes:
            best.offer(recombine(pool, best.routes, until), f"recombination {phase + 1}")
        log.debug(
            "after phase %d (%.2f s left): %s routes in pool, best %s",
            phase + 1,
            deadline - time.perf_counter(),
            len(pool),
            best.cost,
        )
    return best.routes
