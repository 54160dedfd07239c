"""Turn-aware shortest paths: Dijkstra on the graph of street directions.

A drive is a sequence of *arcs* (a link in one allowed direction). The cost
of turning from one arc into the next depends on both, so distances live on
a graph whose nodes are arcs, split in two: ``in(a)`` (about to drive ``a``)
and ``out(a)`` (just drove it). Edges:

* ``in(a) -> out(a)``: the arc's length in metres;
* ``out(a) -> in(b)`` where ``a`` ends where ``b`` starts: the turn's
  penalty in seconds times a reference speed (metres equivalent);
* ``src(x) -> in(b)`` and ``out(a) -> snk(x)`` for a place ``x`` (a depot
  or facility), where a vehicle may leave or arrive from any direction (it
  turns round in the yard).

A deadhead from having swept arc ``a`` to sweeping arc ``b`` is the path
``out(a) ~> in(b)``, which also prices the turn into ``b`` and makes driving
the same arc twice in a row (two passes) go round the block. Path choice
uses the weighted sum; :meth:`TurnGraph.leg` reports metres and turn seconds
separately for the timetable.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

from streetcrew.models.fleet import TurnPenalties
from streetcrew.models.network import StreetNetwork, end_headings, link_coords, turn_kind
from streetcrew.models.streets import Street

EPS = 1e-6  # scipy drops zero-weight edges: free moves cost a micrometre


@dataclass(frozen=True)
class Place:
    """Where a drive starts or ends: just after / just before an arc, or at a node."""

    arc: int | None = None
    node: int | None = None


@dataclass(frozen=True)
class Leg:
    nodes: tuple[int, ...]  # network nodes driven through, first and last included
    metres: float
    turn_s: float
    turns: tuple[str, ...]  # the kind of every turn taken, in order
    weight: float  # what the path minimised (metres + reference speed x turn seconds)


class TurnGraph:
    """Turn-aware paths on ``network`` between arcs and the given place nodes."""

    def __init__(
        self,
        streets: Sequence[Street],
        network: StreetNetwork,
        penalties: TurnPenalties,
        places: Iterable[int],
        ref_mps: float,
    ) -> None:
        self.network, self.penalties, self.ref_mps = network, penalties, ref_mps
        links = network.links
        n_arcs = 2 * len(links)
        self.tail = np.full(n_arcs, -1)
        self.head = np.full(n_arcs, -1)
        self.length = np.zeros(n_arcs)
        arrive = np.zeros(n_arcs)
        leave = np.zeros(n_arcs)
        for k, lk in enumerate(links):
            h0, h1 = end_headings(link_coords(streets[lk.street]))
            self.tail[2 * k], self.head[2 * k] = lk.u, lk.v
            self.length[2 * k] = lk.length_m
            leave[2 * k], arrive[2 * k] = h0, h1
            if not lk.oneway:
                self.tail[2 * k + 1], self.head[2 * k + 1] = lk.v, lk.u
                self.length[2 * k + 1] = lk.length_m
                leave[2 * k + 1], arrive[2 * k + 1] = (h1 + 180.0) % 360.0, (h0 + 180.0) % 360.0
        usable = [int(a) for a in np.flatnonzero(self.tail >= 0)]
        by_tail: dict[int, list[int]] = {}
        by_head: dict[int, list[int]] = {}
        for a in usable:
            by_tail.setdefault(int(self.tail[a]), []).append(a)
            by_head.setdefault(int(self.head[a]), []).append(a)
        self.places = sorted(set(places))
        self._place_pos = {x: i for i, x in enumerate(self.places)}
        base = self._base = 2 * n_arcs
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        self.turn_s: dict[tuple[int, int], float] = {}
        self.kind: dict[tuple[int, int], str] = {}
        for a in usable:
            rows.append(2 * a)
            cols.append(2 * a + 1)
            vals.append(max(self.length[a], EPS))
            for b in by_tail.get(int(self.head[a]), []):
                kind = turn_kind(arrive[a], leave[b], reverses=b == (a ^ 1))
                secs = penalties.seconds(kind)
                self.turn_s[(a, b)] = secs
                self.kind[(a, b)] = kind
                rows.append(2 * a + 1)
                cols.append(2 * b)
                vals.append(max(secs * ref_mps, EPS))
        for i, x in enumerate(self.places):
            for b in by_tail.get(x, []):
                rows.append(base + 2 * i)
                cols.append(2 * b)
                vals.append(EPS)
            for a in by_head.get(x, []):
                rows.append(2 * a + 1)
                cols.append(base + 2 * i + 1)
                vals.append(EPS)
        size = base + 2 * len(self.places)
        self.graph = csr_array((vals, (rows, cols)), shape=(size, size))
        self._rows: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def arc(self, link: int, forward: bool) -> int:
        return 2 * link + (0 if forward else 1)

    def _source(self, p: Place) -> int:
        if p.arc is not None:
            return 2 * p.arc + 1
        return self._base + 2 * self._place_pos[p.node]  # type: ignore[index]

    def _target(self, p: Place) -> int:
        if p.arc is not None:
            return 2 * p.arc
        return self._base + 2 * self._place_pos[p.node] + 1  # type: ignore[index]

    def matrix(self, sources: Sequence[Place], targets: Sequence[Place],
               chunk: int = 256) -> np.ndarray:
        """Weights of the best drives, ``inf`` where there is none; a place to itself is 0."""
        src = np.array([self._source(p) for p in sources])
        dst = np.array([self._target(p) for p in targets])
        out = np.empty((len(src), len(dst)))
        for lo in range(0, len(src), chunk):
            rows = dijkstra(self.graph, directed=True, indices=src[lo:lo + chunk])
            out[lo:lo + chunk] = rows[:, dst]
        out[out < 1e-3] = 0.0  # only free moves: micrometre edges
        same = [(i, j) for i, p in enumerate(sources) if p.node is not None
                for j, q in enumerate(targets) if q.node == p.node]
        for i, j in same:
            out[i, j] = 0.0
        return out

    def _tree(self, s: int) -> tuple[np.ndarray, np.ndarray]:
        if s not in self._rows:
            if len(self._rows) > 4096:
                self._rows.clear()
            dist, pred = dijkstra(self.graph, directed=True, indices=s, return_predecessors=True)
            self._rows[s] = (dist, pred)
        return self._rows[s]

    def leg(self, start: Place, end: Place) -> Leg:
        """The best drive from ``start`` to ``end``: nodes, metres and turns."""
        first = self.node_of(start, leaving=True)
        if start.node is not None and end.node == start.node:
            return Leg((first,), 0.0, 0.0, (), 0.0)
        s, t = self._source(start), self._target(end)
        dist, pred = self._tree(s)
        if not np.isfinite(dist[t]):
            raise ValueError(f"no drive from {start} to {end}")
        chain = [t]
        while chain[-1] != s:
            chain.append(int(pred[chain[-1]]))
        chain.reverse()
        driven = [c // 2 for c in chain if c < self._base and c % 2 == 0 and c != t]
        arcs = ([start.arc] if start.arc is not None else []) + driven + (
            [end.arc] if end.arc is not None else [])
        pairs = list(zip(arcs, arcs[1:]))
        nodes = (first, *(int(self.head[a]) for a in driven))
        return Leg(
            nodes=nodes,
            metres=float(sum(self.length[a] for a in driven)),
            turn_s=float(sum(self.turn_s[p] for p in pairs)),
            turns=tuple(self.kind[p] for p in pairs),
            weight=float(dist[t]),
        )

    def node_of(self, p: Place, leaving: bool) -> int:
        if p.arc is None:
            return p.node  # type: ignore[return-value]
        return int(self.head[p.arc] if leaving else self.tail[p.arc])
