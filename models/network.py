"""The street network built from street segments, as pure data.

Segment ends that lie within ``SNAP_M`` metres of each other become one node
(files do not always share node ids, and some share ids between different
points: Cambridge has 80 such ids), so topology comes from coordinates only.
Each segment becomes one link from its first to its last point; a one-way
segment digitised against traffic is stored reversed so that ``u -> v`` is
always the direction of travel.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from streetcrew.models.streets import Street, haversine_m

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


TurnKind = Literal["straight", "right", "left", "u-turn"]
STRAIGHT_DEG = 30.0  # a heading change up to this is going straight on
U_TURN_DEG = 165.0  # from this on (or back along the same segment) it is a U-turn


def link_coords(street: Street) -> tuple[tuple[float, float], ...]:
    """The segment's points in its link's direction (``u -> v``)."""
    return street.coords[::-1] if street.oneway == "backward" else street.coords


def _heading(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Degrees counter-clockwise from east of the step ``a -> b`` (local flat frame)."""
    dx = (b[0] - a[0]) * math.cos(math.radians((a[1] + b[1]) / 2))
    return math.degrees(math.atan2(b[1] - a[1], dx))


def end_headings(coords: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """Heading when leaving the first point and when arriving at the last one.

    The first and last steps longer than 1 m are used, so that a stray
    vertex on top of an intersection does not decide the turn.
    """
    pts = list(coords)
    steps = [(a, b) for a, b in zip(pts, pts[1:]) if haversine_m(a, b) > 1.0] or [
        (pts[0], pts[-1])]
    return _heading(*steps[0]), _heading(*steps[-1])


def turn_kind(arrive_deg: float, leave_deg: float, reverses: bool = False) -> TurnKind:
    """Classify the turn from arriving at ``arrive_deg`` to leaving at ``leave_deg``.

    Positive heading changes are counter-clockwise, which is a left turn
    (across the oncoming traffic where traffic drives on the right).
    ``reverses`` marks driving straight back along the segment just driven.
    """
    change = (leave_deg - arrive_deg + 180.0) % 360.0 - 180.0
    if reverses or abs(change) >= U_TURN_DEG:
        return "u-turn"
    if abs(change) <= STRAIGHT_DEG:
        return "straight"
    return "left" if change > 0 else "right"
