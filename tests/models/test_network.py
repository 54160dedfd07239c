"""Network building from street segments: snapping and one-way direction."""

from __future__ import annotations

from streetcrew.models.network import build_network
from streetcrew.models.streets import street_with_defaults


def _street(i: str, coords: list[tuple[float, float]], oneway: str = "no"):
    return street_with_defaults(
        {"id": i, "road_class": "residential", "coords": tuple(coords), "oneway": oneway}
    )


def test_ends_within_snap_distance_share_a_node() -> None:
    a = (118.78, 32.04)
    near_a = (118.78 + 2e-6, 32.04)  # ~0.2 m east
    b = (118.781, 32.04)
    c = (118.78, 32.041)
    net = build_network([_street("ab", [a, b]), _street("ca", [c, near_a])])
    assert len(net.nodes) == 3
    assert net.links[0].u == net.links[1].v


def test_far_ends_stay_apart_and_backward_one_way_is_reversed() -> None:
    a, b = (118.78, 32.04), (118.781, 32.04)
    far = (118.78 + 2e-5, 32.04)  # ~1.9 m: a different point
    net = build_network([_street("ab", [a, b], "backward"), _street("x", [far, (118.7, 32.0)])])
    assert len(net.nodes) == 4
    link = net.links[0]
    assert link.oneway and net.nodes[link.u] == b and net.nodes[link.v] == a
    assert 90 < link.length_m < 96  # 0.001 deg of longitude at 32 deg N is ~94.4 m
