"""A whole-district first plan for patrols: best priority per added second, all teams.

The meeting-point groups are then improved one by one with OR-Tools, starting
from this plan. Building it over all teams at once lets a cyclist from one
meeting point take streets a crowded neighbour cannot walk, and leaves idle
only the teams that have nothing they can reach.

Times follow the OR-Tools model of :mod:`solver.patrol` exactly (see
:func:`leg_seconds`), so every route built here is a feasible start there.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from streetcrew.solver.graph.paths import ShortestPaths

POWERS = (1.2, 1.0, 0.8)  # prize / added seconds ** power; each tried while time is left


def leg_seconds(metres: np.ndarray, mps: float) -> np.ndarray:
    """Seconds promised for a walk between streets: rounded link lengths, a margin, up."""
    return np.ceil((metres.astype(float) * 1.01 + 2) / mps).astype(np.int64)


def street_seconds(metres: np.ndarray, mps: float) -> np.ndarray:
    """Seconds to walk a street (rounded metres, rounded up)."""
    return np.ceil(np.round(metres) / mps).astype(np.int64)


@dataclass(frozen=True)
class Walker:
    node: int  # meeting point
    mps: float
    budget: int  # seconds


def build(paths: ShortestPaths, walkers: list[Walker], starts: np.ndarray, ends: np.ndarray,
          length: np.ndarray, prize: np.ndarray, allowed: np.ndarray,
          seconds: float = 30.0) -> tuple[list[list[int]], np.ndarray]:
    """Routes as lists of visits ``2j`` (street ``j`` from ``starts[j]`` to ``ends[j]``)
    or ``2j + 1`` (the other way); ``allowed[w, j]``: walker ``w`` may take street ``j``.

    Each step inserts, anywhere in any route, the street with the most prize per
    added second (to the power ``p``) that still fits the walker's budget. Walkers
    join by how far they can go (seconds x speed), the least mobile first, so the
    streets near a meeting point are not all taken by cyclists while the walkers
    there have nothing in reach. Each power of :data:`POWERS` is tried while
    ``seconds`` last (the first always runs to its end); the plan collecting most
    is returned, with which streets each walker can walk there and back in its
    budget (``allowed`` and).
    """
    began = time.perf_counter()
    walk = [street_seconds(length, w.mps) for w in walkers]
    can = allowed.copy()
    for k, w in enumerate(walkers):  # only streets it can walk there and back
        row = paths.dist[paths.row[w.node]]
        out = leg_seconds(row[starts], w.mps) + walk[k] + _back(paths, ends, w)
        back = leg_seconds(row[ends], w.mps) + walk[k] + _back(paths, starts, w)
        can[k] &= np.minimum(out, back) <= w.budget
    best: tuple[float, list[list[int]]] | None = None
    reachable = float(prize[can.any(axis=0)].sum())
    for tries, power in enumerate(POWERS):
        spent = time.perf_counter() - began
        if best is not None and (spent * (tries + 1) / tries > seconds
                                 or best[0] >= reachable * (1 - 1e-9)):
            break  # another try would not finish in time, or nothing is left to gain
        routes = _insert(paths, walkers, starts, ends, walk, prize, can, power)
        got = float(sum(prize[v // 2] for r in routes for v in r))
        if best is None or got > best[0]:
            best = (got, routes)
    assert best is not None
    return best[1], can


def _insert(paths: ShortestPaths, walkers: list[Walker], starts: np.ndarray,
            ends: np.ndarray, walk: list[np.ndarray], prize: np.ndarray, can: np.ndarray,
            power: float) -> list[list[int]]:
    """One greedy construction (see :func:`build`)."""
    vs = np.stack([starts, ends], axis=1).reshape(-1)  # visit -> first node
    ve = np.stack([ends, starts], axis=1).reshape(-1)  # visit -> last node
    free = np.ones(len(prize), dtype=bool)
    routes: list[list[int]] = [[] for _ in walkers]
    used = np.zeros(len(walkers), dtype=np.int64)

    def best(k: int) -> tuple[float, int, int, int] | None:
        """(ratio, position, visit, added seconds) of walker k's best insertion."""
        cand = np.flatnonzero(free & can[k])
        if cand.size == 0:
            return None
        w = walkers[k]
        seq = routes[k]
        a = np.array([w.node] + [int(ve[v]) for v in seq])  # where each gap begins
        b = np.array([int(vs[v]) for v in seq] + [w.node])  # and ends
        rows = paths.dist[[paths.row[int(x)] for x in a]]
        base = (leg_seconds(rows[np.arange(len(a)), b], w.mps) if seq
                else np.zeros(1, dtype=np.int64))
        room = w.budget - used[k]
        top: tuple[float, int, int, int] | None = None
        for turn in (0, 1):
            first = starts[cand] if turn == 0 else ends[cand]
            last = ends[cand] if turn == 0 else starts[cand]
            into = leg_seconds(rows[:, first], w.mps)
            outof = leg_seconds(paths.dist[[paths.row[int(x)] for x in b]][:, last], w.mps)
            add = into + walk[k][cand][None, :] + outof - base[:, None]
            ratio = np.where(add <= room,
                             prize[cand][None, :] / np.maximum(add, 1) ** power, -1.0)
            pos, col = np.unravel_index(int(np.argmax(ratio)), ratio.shape)
            if ratio[pos, col] > 0 and (top is None or ratio[pos, col] > top[0]):
                top = (float(ratio[pos, col]), int(pos), int(2 * cand[col] + turn),
                       int(add[pos, col]))
        return top

    # the least mobile go first (see :func:`build`)
    reach = np.array([w.budget * w.mps for w in walkers])
    tiers = iter(np.unique(reach))
    active = reach <= next(tiers)
    bests = [best(k) if active[k] else None for k in range(len(walkers))]
    while True:
        live = [(b[0], k) for k, b in enumerate(bests) if b is not None]
        if not live:
            more = next(tiers, None)
            if more is None:
                return routes
            for joining in np.flatnonzero(~active & (reach <= more)):
                bests[joining] = best(int(joining))
            active = reach <= more
            continue
        _, k = max(live)
        pick = bests[k]
        assert pick is not None
        _, pos, visit, add = pick
        routes[k].insert(pos, visit)
        used[k] += add
        street = visit // 2
        free[street] = False
        for j, b in enumerate(bests):
            if active[j] and (j == k or (b is not None and b[2] // 2 == street)):
                bests[j] = best(j)


def _back(paths: ShortestPaths, at: np.ndarray, w: Walker) -> np.ndarray:
    """Seconds from each node in ``at`` back to the walker's meeting point."""
    home = paths.dist[[paths.row[int(x)] for x in at], w.node]
    return leg_seconds(home, w.mps)
