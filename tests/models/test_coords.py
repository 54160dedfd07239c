"""models/coords.py: published reference pairs, exact round trips, identity outside China,
offsets of the right size, and the names of the systems."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streetcrew.models.base import InputError
from streetcrew.models.coords import (
    CoordSystem,
    _bd09_to_gcj02_approx,
    bd09_to_gcj02,
    bd09_to_wgs84,
    from_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    out_of_china,
    system,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from streetcrew.models.streets import haversine_m

NANJING = (118.7800, 32.0520)  # the demo's north yard
ZHENGZHOU = (113.6654, 34.7579)  # Zhengzhou, city centre
ROUND_TRIP_M = 0.05

# WGS-84 -> GCJ-02 as (lon, lat) pairs, from the test of googollee/eviltransform
# (python/test.py: Shanghai, Shenzhen, Beijing), there to 6 decimals
EVILTRANSFORM = [
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),
]
# wandergis/coordtransform, test/app.js: each function applied to (116.404, 39.915)
COORDTRANSFORM_IN = (116.404, 39.915)
COORDTRANSFORM_GCJ = (116.41024449916938, 39.91640428150164)  # wgs84togcj02
COORDTRANSFORM_BD = (116.41036949371029, 39.92133699351021)  # gcj02tobd09
COORDTRANSFORM_FROM_BD = (116.39762729119315, 39.90865673957631)  # bd09togcj02 (one step)

china = st.tuples(st.floats(74.0, 134.0), st.floats(18.0, 53.0))


@pytest.mark.parametrize(("wgs", "gcj"), EVILTRANSFORM)
def test_eviltransform_reference_pairs(wgs: tuple[float, float], gcj: tuple[float, float]
                                       ) -> None:
    assert wgs84_to_gcj02(*wgs) == pytest.approx(gcj, abs=1e-6)
    assert haversine_m(gcj02_to_wgs84(*gcj), wgs) < 0.01


def test_coordtransform_reference_values() -> None:
    assert wgs84_to_gcj02(*COORDTRANSFORM_IN) == pytest.approx(COORDTRANSFORM_GCJ, abs=1e-9)
    assert gcj02_to_bd09(*COORDTRANSFORM_IN) == pytest.approx(COORDTRANSFORM_BD, abs=1e-9)
    # theirs is the published one-step inverse; ours iterates it to the exact one
    assert _bd09_to_gcj02_approx(*COORDTRANSFORM_IN) == pytest.approx(COORDTRANSFORM_FROM_BD,
                                                                       abs=1e-9)
    exact = bd09_to_gcj02(*COORDTRANSFORM_IN)
    assert haversine_m(exact, COORDTRANSFORM_FROM_BD) < 0.1
    assert haversine_m(gcj02_to_bd09(*exact), COORDTRANSFORM_IN) < 0.001


def test_tiananmen_as_amap_shows_it() -> None:
    """A well-known approximate pair: Tiananmen at WGS-84 (116.3912757, 39.9060740), on
    Amap at about (116.3975, 39.9074); the latter is rounded to 1e-4 degrees (~10 m)."""
    assert haversine_m(wgs84_to_gcj02(116.3912757, 39.9060740), (116.3975, 39.9074)) < 15


@pytest.mark.parametrize("where", [NANJING, ZHENGZHOU], ids=["Nanjing", "Zhengzhou"])
def test_offsets_and_round_trips(where: tuple[float, float]) -> None:
    gcj, bd = wgs84_to_gcj02(*where), wgs84_to_bd09(*where)
    assert 500 < haversine_m(where, gcj) < 600  # Nanjing 541 m, Zhengzhou 570 m
    assert 1000 < haversine_m(where, bd) < 1300  # Nanjing 1193 m, Zhengzhou 1274 m
    assert haversine_m(gcj02_to_wgs84(*gcj), where) < ROUND_TRIP_M
    assert haversine_m(bd09_to_wgs84(*bd), where) < ROUND_TRIP_M
    assert haversine_m(bd09_to_gcj02(*bd), gcj) < ROUND_TRIP_M


@settings(max_examples=50, deadline=None)
@given(china)
def test_round_trips_anywhere_in_china(p: tuple[float, float]) -> None:
    for name in ("gcj02", "bd09"):
        there = from_wgs84(*p, name)  # GCJ-02 20-700 m away, BD-09 0.7-1.5 km
        assert haversine_m(to_wgs84(*there, name), p) < ROUND_TRIP_M
    gcj = wgs84_to_gcj02(*p)
    assert haversine_m(bd09_to_gcj02(*gcj02_to_bd09(*gcj)), gcj) < ROUND_TRIP_M


@pytest.mark.parametrize("where", [(-71.1097, 42.3736), (-122.4194, 37.7749), (2.35, 48.86),
                                   (139.69, 35.69)], ids=["Cambridge", "SF", "Paris", "Tokyo"])
def test_identity_outside_china(where: tuple[float, float]) -> None:
    assert out_of_china(*where)
    for name in CoordSystem:
        assert from_wgs84(*where, name) == where
        assert to_wgs84(*where, name) == where


def test_wgs84_is_the_identity() -> None:
    assert from_wgs84(*NANJING, "wgs84") == NANJING == to_wgs84(*NANJING, "wgs84")


@pytest.mark.parametrize(("text", "name"), [("gcj02", "gcj02"), ("GCJ-02", "gcj02"),
                                            (" bd-09 ", "bd09"), ("WGS84", "wgs84")])
def test_system_names(text: str, name: str) -> None:
    assert system(text) == name


def test_unknown_system_names_the_field() -> None:
    with pytest.raises(InputError) as exc:
        system("mars", "fleet.yaml")
    assert exc.value.field == "coords" and exc.value.file == "fleet.yaml"
    assert "gcj02 (Amap/Tencent)" in exc.value.message
