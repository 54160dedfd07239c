"""The street network built from street segments, as pure data.

Segment ends that lie within ``SNAP_M`` metres of each other become one node
(files do not always share node ids, and some share ids between different
points: Cambridge has 80 such ids), so topology comes from coordinates only.
Each segment becomes one link from its first to its last point; a one-way
segment digitised against traffic is stored reversed so that ``u -> v`` is
always the direction of travel.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from models.streets import Street, haversine_m

SNAP_M = 0.5  # segment ends closer than this are the same intersection


class NetLink(BaseModel):
    """A traversable street link: ``street`` indexes the segment list."""

    model_config = ConfigDict(frozen=True)
    u: int
    v: int
    length_m: float
    street: int
    oneway: bool


class StreetNetwork(BaseModel):
    model_config = ConfigDict(frozen=True)
    nodes: tuple[tuple[float, float], ...]  # (lon, lat)
    links: tuple[NetLink, ...]


def build_network(streets: Sequence[Street]) -> StreetNetwork:
    """Nodes from segment ends (snapped), one link per segment."""
    nodes: list[tuple[float, float]] = []
    grid: dict[tuple[int, int], list[int]] = {}
    cell = 1e-5  # ~1 m in latitude; neighbours are looked up in the 3x3 cells

    def node_at(p: tuple[float, float]) -> int:
        key = (int(p[0] // cell), int(p[1] // cell))
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for i in grid.get((key[0] + dx, key[1] + dy), ()):
                    if haversine_m(nodes[i], p) <= SNAP_M:
                        return i
        nodes.append(p)
        grid.setdefault(key, []).append(len(nodes) - 1)
        return len(nodes) - 1

    links = []
    for k, s in enumerate(streets):
        a, b = node_at(s.coords[0]), node_at(s.coords[-1])
        if s.oneway == "backward":
            a, b = b, a
        links.append(NetLink(u=a, v=b, length_m=s.length_m, street=k, oneway=s.oneway != "no"))
    return StreetNetwork(nodes=tuple(nodes), links=tuple(links))
