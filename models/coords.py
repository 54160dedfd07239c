"""Coordinate systems of Chinese web maps: WGS-84, GCJ-02 and BD-09, and exact conversions.

Inside the package every point is WGS-84 lon/lat (GPS, OpenStreetMap). Points copied from a
Chinese web map are not: Amap (Gaode) and Tencent show GCJ-02, the "Mars" coordinates of the
national mapping bureau (about 500-600 m off WGS-84 in Nanjing and Zhengzhou), and Baidu shows
BD-09, a further shift of GCJ-02 (about 1-1.3 km off WGS-84). Read as WGS-84, such a depot
snaps to the wrong intersection. Readers convert on read (:func:`to_wgs84`); writers that
feed such a map convert on the way out (:func:`from_wgs84`).

The formulas are the published ones every open implementation shares (eviltransform,
coordtransform): the GCJ-02 offset is a polynomial-and-sine field (:func:`_offset`) scaled to
degrees on the Krasovsky 1940 ellipsoid (``A``, ``EE``), and is zero outside a box round China
(:func:`out_of_china`); BD-09 turns and stretches GCJ-02 about the origin and adds
0.0065/0.006 degrees. Neither has a closed-form inverse, so :func:`gcj02_to_wgs84` and
:func:`bd09_to_gcj02` iterate the forward formula to :data:`TOLERANCE_DEG` (3 to 5
iterations): a round trip comes back within a micrometre, where the one-step inverse most
libraries ship is off by up to 5 m.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from enum import StrEnum

from streetcrew.models.base import InputError


class CoordSystem(StrEnum):
    """The coordinate systems an input may be given in (and an output written in)."""

    wgs84 = "wgs84"  # GPS, OpenStreetMap, Google Earth
    gcj02 = "gcj02"  # Amap (Gaode), Tencent, Google Maps in China
    bd09 = "bd09"  # Baidu


WHO_USES = {"wgs84": "GPS, OpenStreetMap", "gcj02": "Amap/Tencent", "bd09": "Baidu"}
LABEL = {"wgs84": "WGS-84", "gcj02": "GCJ-02", "bd09": "BD-09"}

A = 6378245.0  # semi-major axis of the Krasovsky 1940 ellipsoid, metres
EE = 0.00669342162296594323  # its first eccentricity squared
X_PI = math.pi * 3000.0 / 180.0  # BD-09's angular frequency
TOLERANCE_DEG = 1e-10  # inverse iterations stop below this (about 0.01 mm)
MAX_ITERATIONS = 30  # a handful suffice; the cap only guards against a bad input

Point2 = tuple[float, float]


def system(text: str, file: str | None = None, record: str | None = None,
           field: str = "coords") -> CoordSystem:
    """``wgs84``, ``gcj02`` or ``bd09`` (also ``WGS-84``, ``GCJ-02``, ``BD-09``, any case);
    anything else is an :class:`InputError` naming ``field``."""
    key = str(text).strip().lower().replace("-", "").replace("_", "")
    try:
        return CoordSystem(key)
    except ValueError:
        raise InputError(file, record, field, f"unknown coordinate system {text!r}: expected "
                         + ", ".join(f"{s} ({WHO_USES[s]})" for s in CoordSystem)) from None


def out_of_china(lon: float, lat: float) -> bool:
    """Outside the box in which GCJ-02 differs from WGS-84 (the published bounds)."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _offset(x: float, y: float) -> Point2:
    """The GCJ-02 shift field in metres-like units at ``x = lon - 105``, ``y = lat - 35``:
    (east, north) as ``transformlon``/``transformlat`` of the published formula."""
    s = 20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)
    east = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    east += 2.0 * s / 3.0
    east += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    east += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)
             ) * 2.0 / 3.0
    north = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    north += 2.0 * s / 3.0
    north += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    north += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)
              ) * 2.0 / 3.0
    return east, north


def wgs84_to_gcj02(lon: float, lat: float) -> Point2:
    """WGS-84 to GCJ-02 (the published forward formula); identity outside China."""
    if out_of_china(lon, lat):
        return lon, lat
    east, north = _offset(lon - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    magic = 1.0 - EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = north * 180.0 / ((A * (1.0 - EE)) / (magic * sqrt_magic) * math.pi)
    dlon = east * 180.0 / (A / sqrt_magic * math.cos(rad) * math.pi)
    return lon + dlon, lat + dlat


def gcj02_to_bd09(lon: float, lat: float) -> Point2:
    """GCJ-02 to BD-09 (the published formula); identity outside China."""
    if out_of_china(lon, lat):
        return lon, lat
    z = math.hypot(lon, lat) + 0.00002 * math.sin(lat * X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def _bd09_to_gcj02_approx(lon: float, lat: float) -> Point2:
    """The published one-step inverse of :func:`gcj02_to_bd09` (off by up to a metre)."""
    x, y = lon - 0.0065, lat - 0.006
    z = math.hypot(x, y) - 0.00002 * math.sin(y * X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * X_PI)
    return z * math.cos(theta), z * math.sin(theta)


def _invert(forward: Callable[[float, float], Point2], lon: float, lat: float,
            start: Point2) -> Point2:
    """The point ``p`` with ``forward(p) == (lon, lat)``, by fixed-point iteration from
    ``start``: ``p -= forward(p) - target``. Both shifts change slowly with position (their
    gradient is below 0.01), so each step gains two decimal digits: 3 to 5 steps in all."""
    x, y = start
    for _ in range(MAX_ITERATIONS):
        fx, fy = forward(x, y)
        dx, dy = fx - lon, fy - lat
        x, y = x - dx, y - dy
        if abs(dx) < TOLERANCE_DEG and abs(dy) < TOLERANCE_DEG:
            break
    return x, y


def gcj02_to_wgs84(lon: float, lat: float) -> Point2:
    """GCJ-02 to WGS-84: the exact inverse of :func:`wgs84_to_gcj02` (iterated); identity
    outside China."""
    if out_of_china(lon, lat):
        return lon, lat
    return _invert(wgs84_to_gcj02, lon, lat, (lon, lat))


def bd09_to_gcj02(lon: float, lat: float) -> Point2:
    """BD-09 to GCJ-02: the exact inverse of :func:`gcj02_to_bd09` (iterated); identity
    outside China."""
    if out_of_china(lon, lat):
        return lon, lat
    return _invert(gcj02_to_bd09, lon, lat, _bd09_to_gcj02_approx(lon, lat))


def wgs84_to_bd09(lon: float, lat: float) -> Point2:
    """WGS-84 to BD-09 through GCJ-02; identity outside China."""
    if out_of_china(lon, lat):
        return lon, lat
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: float, lat: float) -> Point2:
    """BD-09 to WGS-84 through GCJ-02: the exact inverse of :func:`wgs84_to_bd09`."""
    if out_of_china(lon, lat):
        return lon, lat
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


_TO_WGS84: dict[str, Callable[[float, float], Point2]] = {
    "gcj02": gcj02_to_wgs84, "bd09": bd09_to_wgs84}
_FROM_WGS84: dict[str, Callable[[float, float], Point2]] = {
    "gcj02": wgs84_to_gcj02, "bd09": wgs84_to_bd09}


def to_wgs84(lon: float, lat: float, source: str) -> Point2:
    """A point given in ``source`` (a :class:`CoordSystem` value) as WGS-84."""
    fn = _TO_WGS84.get(source)
    return (lon, lat) if fn is None else fn(lon, lat)


def from_wgs84(lon: float, lat: float, target: str) -> Point2:
    """A WGS-84 point in ``target`` (a :class:`CoordSystem` value)."""
    fn = _FROM_WGS84.get(target)
    return (lon, lat) if fn is None else fn(lon, lat)


def line_to_wgs84(points: Iterable[Point2], source: str) -> list[Point2]:
    """Every point of a line given in ``source``, as WGS-84."""
    return [to_wgs84(x, y, source) for x, y in points]


def line_from_wgs84(points: Iterable[Point2], target: str) -> list[Point2]:
    """Every point of a WGS-84 line, in ``target``."""
    return [from_wgs84(x, y, target) for x, y in points]
