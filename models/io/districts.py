"""A bureau's district polygons (``plan --districts``): GeoJSON polygons, each named by a
property (``district`` in any case, or the one given)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from streetcrew.models.base import InputError

Ring = list[tuple[float, float]]


@dataclass(frozen=True)
class DistrictArea:
    name: str
    rings: tuple[tuple[tuple[float, float], ...], ...]  # outer rings and holes, even-odd
    feature: int  # its position in the file (0-based)


def read_districts(path: Path, field: str | None = None) -> list[DistrictArea]:
    """The polygons of a GeoJSON FeatureCollection (WGS-84), each with its district name."""
    file = str(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise InputError(file, None, None, f"not a GeoJSON file: {exc}") from None
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list) or not features:
        raise InputError(file, None, "features", "no polygon features")
    out = []
    for i, f in enumerate(features):
        where = f"feature {i}"
        props = (f or {}).get("properties") or {}
        key = field or next((k for k in props if k.lower() == "district"), None)
        if key is None or props.get(key) in (None, ""):
            raise InputError(file, where, field or "district", "no district name (a property "
                             f"named {field or 'district'} holds it)")
        geom = (f or {}).get("geometry") or {}
        kind, coords = geom.get("type"), geom.get("coordinates")
        polys: list[Any] = ([coords] if kind == "Polygon" else coords
                            if kind == "MultiPolygon" and isinstance(coords, list) else [])
        if not polys or not all(isinstance(p, list) for p in polys):
            raise InputError(file, where, "geometry", f"a {kind} is no (Multi)Polygon")
        try:
            rings = tuple(tuple((float(x), float(y)) for x, y, *_ in ring)
                          for poly in polys for ring in poly)
        except (TypeError, ValueError):
            raise InputError(file, where, "geometry", "coordinates are not [lon, lat] pairs"
                             ) from None
        if any(len(r) < 4 for r in rings) or any(
                not (-180 <= x <= 180 and -90 <= y <= 90) for r in rings for x, y in r):
            raise InputError(file, where, "geometry", "a ring needs 4 or more [lon, lat] "
                             "points in WGS-84")
        out.append(DistrictArea(str(props[key]), rings, i))
    return out
