"""What every domain asks of the street network: points snapped to it, its main component."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.sparse.csgraph import connected_components

from streetcrew.models.carp import Link
from streetcrew.models.coords import LABEL, WHO_USES, CoordSystem, from_wgs84, to_wgs84
from streetcrew.models.fleet import Point
from streetcrew.models.network import StreetNetwork
from streetcrew.models.streets import Street, haversine_m
from streetcrew.solver.graph.paths import link_matrix

# Points that look given in another coordinate system (:func:`other_system_notes`): one more
# than FAR_M from every street end, CLOSER times closer when read in the other system, in a
# file whose points as a whole come closer (geometric mean of (distance + SLACK_M) ratios
# below AGREE; a point on a street is a few metres off in any case)
FAR_M = 100.0
CLOSER = 3.0
AGREE = 0.5
SLACK_M = 10.0


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


def street_ends(streets: Sequence[Street]) -> StreetNetwork:
    """The ends of the streets as the nodes of a network without links: what points snap to."""
    return StreetNetwork(nodes=tuple(dict.fromkeys(
        p for s in streets for p in (s.coords[0], s.coords[-1]))), links=())


def other_system_notes(points: dict[str, Point], network: StreetNetwork,
                       read_as: str = "wgs84") -> list[str]:
    """A note for each point (key: ``"depot north-yard"``) that looks given in another
    coordinate system than ``read_as``, the one its file was read in: GCJ-02 (Amap, Tencent)
    numbers read as WGS-84 land 500-600 m off in eastern China, beside the wrong street.

    The points are one file's, so in one system: the other system that brings them closest to
    the nodes of ``network`` as a whole is the suspect, when it brings them :data:`AGREE`
    times closer or more; a note then names each point more than :data:`FAR_M` from a node
    that it brings :data:`CLOSER` times closer. A depot in a yard far from any street can
    look shifted on its own (the bundled demo's are 60-290 m off); the whole-file test keeps
    such a fleet quiet. A point on the wrong street but near a node (30 m) is not caught."""
    if not network.nodes or not points:
        return []
    tries: dict[str, Point] = {}
    for key, p in points.items():
        given = from_wgs84(p.lon, p.lat, read_as)  # the numbers in the file
        for other in CoordSystem:
            lon, lat = (p.lon, p.lat) if other == read_as else to_wgs84(*given, other)
            tries[f"{key}|{other}"] = Point(lon=lon, lat=lat)
    dist = {k: d for k, (_, d) in snap(tries, network).items()}

    def closer(other: str) -> float:
        return math.exp(sum(math.log((dist[f"{k}|{other}"] + SLACK_M)
                                     / (dist[f"{k}|{read_as}"] + SLACK_M)) for k in points)
                        / len(points))

    suspect = min((s for s in CoordSystem if s != read_as), key=closer)
    if closer(suspect) >= AGREE:
        return []
    notes = []
    for key in points:
        now, then = dist[f"{key}|{read_as}"], dist[f"{key}|{suspect}"]
        if now > FAR_M and then * CLOSER < now:
            notes.append(f"{key} looks like {LABEL[suspect]} ({WHO_USES[suspect]}): {now:.0f} m "
                         f"from the nearest street as {LABEL[read_as]}, {then:.0f} m if read as "
                         f"{LABEL[suspect]}; declare coords: {suspect}")
    return notes


def nearest_streets(streets: Sequence[Street], points: Sequence[tuple[float, float]],
                    max_m: float) -> list[int | None]:
    """The index of the street nearest each (lon, lat) point, None when none is within
    ``max_m`` metres (streets are sampled every 20 m along their lines)."""
    from scipy.spatial import cKDTree

    pts = [(k, p) for k, s in enumerate(streets) for p in _dense(s.coords)]
    if not pts or not points:
        return [None for _ in points]
    owner = np.array([k for k, _ in pts])
    xy = np.array([p for _, p in pts])
    lat0 = math.radians(float(xy[:, 1].mean()))
    scale = np.array([111_320 * math.cos(lat0), 110_574])
    dist, idx = cKDTree(xy * scale).query(np.array(points, dtype=float) * scale)
    return [int(owner[i]) if d <= max_m else None for d, i in zip(dist, idx)]


def _dense(coords: Sequence[tuple[float, float]], step_m: float = 20.0
           ) -> list[tuple[float, float]]:
    """Points along a line every ``step_m`` metres."""
    out = [coords[0]]
    for a, b in zip(coords, coords[1:]):
        n = max(1, int(haversine_m(a, b) // step_m))
        out += [(a[0] + (b[0] - a[0]) * j / n, a[1] + (b[1] - a[1]) * j / n)
                for j in range(1, n + 1)]
    return out
