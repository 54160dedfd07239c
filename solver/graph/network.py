"""What every domain asks of the street network: points snapped to it, its main component."""

from __future__ import annotations

import math

import numpy as np
from scipy.sparse.csgraph import connected_components

from streetcrew.models.carp import Link
from streetcrew.models.fleet import Point
from streetcrew.models.network import StreetNetwork
from streetcrew.models.streets import haversine_m
from streetcrew.solver.graph.paths import link_matrix


def snap(points: dict[str, Point], network: StreetNetwork) -> dict[str, tuple[int, float]]:
    """Nearest network node of each point and the distance to it in metres."""
    lon = np.array([p[0] for p in network.nodes])
    lat = np.array([p[1] for p in network.nodes])
    out = {}
    for key, p in points.items():
        # equirectangular distance picks the candidate, haversine reports it
        d2 = ((lon - p.lon) * math.cos(math.radians(p.lat))) ** 2 + (lat - p.lat) ** 2
        i = int(np.argmin(d2))
        out[key] = (i, haversine_m((p.lon, p.lat), network.nodes[i]))
    return out


def main_component(network: StreetNetwork) -> np.ndarray:
    """Mask of nodes in the largest strongly connected component."""
    links = [Link(u=lk.u, v=lk.v, cost=1, oneway=lk.oneway) for lk in network.links]
    graph = link_matrix(len(network.nodes), links)
    _, labels = connected_components(graph, directed=True, connection="strong")
    biggest = np.bincount(labels).argmax()
    return np.asarray(labels == biggest)
