"""All-pairs (or from-sources) shortest paths with scipy.sparse.csgraph."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

from streetcrew.models.carp import Link

UNREACHABLE = np.iinfo(np.int64).max // 4


@dataclass(frozen=True)
class ShortestPaths:
    """Distances ``dist[i, j]`` (int, ``UNREACHABLE`` if none) and predecessors.

    Rows are the ``sources`` given (all nodes by default); ``row[node]`` maps a
    source node to its row.
    """

    dist: np.ndarray
    pred: np.ndarray
    sources: np.ndarray
    row: dict[int, int]

    def distance(self, a: int, b: int) -> int:
        return int(self.dist[self.row[a], b])

    def path(self, a: int, b: int) -> list[int]:
        """Nodes from ``a`` to ``b`` inclusive along a shortest path."""
        r = self.row[a]
        if self.dist[r, b] >= UNREACHABLE:
            raise ValueError(f"no path from node {a} to node {b}")
        out = [b]
        while out[-1] != a:
            p = int(self.pred[r, out[-1]])
            if p < 0:
                raise ValueError(f"no path from node {a} to node {b}")
            out.append(p)
        out.reverse()
        return out


def link_matrix(num_nodes: int, links: tuple[Link, ...] | list[Link]) -> csr_array:
    """Directed sparse adjacency, the cheapest link kept per ordered pair.

    Zero costs are shifted by a tiny epsilon so that scipy keeps them as edges;
    distances are rounded back to integers afterwards.
    """
    best: dict[tuple[int, int], float] = {}
    for link in links:
        pairs = [(link.u, link.v)] if link.oneway else [(link.u, link.v), (link.v, link.u)]
        for p in pairs:
            c = float(link.cost) if link.cost > 0 else 1e-9
            if c < best.get(p, np.inf):
                best[p] = c
    if not best:
        return csr_array((num_nodes, num_nodes), dtype=np.float64)
    rows, cols = zip(*best.keys())
    return csr_array(
        (list(best.values()), (list(rows), list(cols))),
        shape=(num_nodes, num_nodes),
    )


def shortest_paths(
    num_nodes: int,
    links: tuple[Link, ...] | list[Link],
    sources: list[int] | np.ndarray | None = None,
) -> ShortestPaths:
    graph = link_matrix(num_nodes, links)
    src = np.arange(num_nodes) if sources is None else np.unique(np.asarray(sources))
    dist, pred = dijkstra(graph, directed=True, indices=src, return_predecessors=True)
    finite = np.isfinite(dist)
    out = np.full(dist.shape, UNREACHABLE, dtype=np.int64)
    out[finite] = np.rint(dist[finite]).astype(np.int64)
    return ShortestPaths(
        dist=out, pred=pred, sources=src, row={int(s): i for i, s in enumerate(src)}
    )
