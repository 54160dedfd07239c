"""Streets from a GIS department's files: GeoPackage (``.gpkg``) and Shapefile (``.shp``).

Read through pyogrio (GDAL; the optional extra ``pip install "streetcrew[gis]"``) and then
handed to the GeoJSON reader as features, so the fields, defaults and error messages are the
ones of :mod:`models.io.streets`. The layer must be in geographic WGS-84 (EPSG:4326) or
CGCS2000 (EPSG:4490, China's geodetic system, within centimetres of WGS-84 for street
planning); a projected layer is refused with the command that converts it.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

from streetcrew.models.base import InputError

GIS_SUFFIXES = (".gpkg", ".shp")
GEOGRAPHIC = {"EPSG:4326", "OGC:CRS84", "EPSG:4490"}


def gis_features(path: Path, known: tuple[str, ...] = ()) -> dict[str, Any]:
    """The first layer of ``path`` as a GeoJSON FeatureCollection (dict). A Shapefile cuts
    field names to 10 characters: those of ``known`` fields are given back their names."""
    file = str(path)
    try:
        from pyogrio import raw
    except ImportError:
        raise InputError(file, None, None, "reading GeoPackage and Shapefile streets needs "
                         "pyogrio: pip install \"streetcrew[gis]\" (or export the layer as "
                         "GeoJSON)") from None
    try:
        meta, _, geometry, fields = raw.read(path)
    except Exception as exc:  # noqa: BLE001 - GDAL's errors come as several types
        raise InputError(file, None, None, f"not a readable GIS file: {exc}") from None
    crs = meta.get("crs")
    if crs is not None and str(crs).upper() not in GEOGRAPHIC:
        raise InputError(file, None, "crs", f"expected WGS-84 lon/lat (EPSG:4326) or CGCS2000 "
                         f"(EPSG:4490), got {crs}: convert it first, e.g. `ogr2ogr -t_srs "
                         f"EPSG:4326 out{path.suffix} {path.name}`")
    full = {k[:10]: k for k in known} if path.suffix.lower() == ".shp" else {}
    names = [full.get(str(n), str(n)) for n in meta["fields"]]
    features = []
    for n, wkb in enumerate(geometry):
        props = {name: _plain(values[n]) for name, values in zip(names, fields)}
        geom = None
        if wkb is not None:
            try:
                geom = _geojson_geometry(bytes(wkb))
            except (ValueError, struct.error) as exc:
                raise InputError(file, f"feature {n + 1}", "geometry", str(exc)) from None
        features.append({"type": "Feature", "properties": props, "geometry": geom})
    return {"type": "FeatureCollection", "features": features}


def gis_text(path: Path, known: tuple[str, ...] = ()) -> str:
    """:func:`gis_features` as GeoJSON text, for the GeoJSON reader."""
    return json.dumps(gis_features(path, known), ensure_ascii=False)


def _plain(value: Any) -> Any:
    """A field value as JSON has it (numpy scalars to Python; NaN, the empty value, to None)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def _geojson_geometry(wkb: bytes) -> dict[str, Any]:
    """A (Multi)LineString from well-known binary (2D; Z and M ordinates dropped)."""
    kind, coords, _ = _read(wkb, 0)
    return {"type": kind, "coordinates": coords}


def _read(wkb: bytes, at: int) -> tuple[str, Any, int]:
    order = "<" if wkb[at] == 1 else ">"
    (code,) = struct.unpack_from(order + "I", wkb, at + 1)
    at += 5
    dims = 2
    if code & 0x80000000:  # EWKB Z
        dims += 1
    if code & 0x40000000:  # EWKB M
        dims += 1
    if code & 0x20000000:  # EWKB SRID
        at += 4
    code &= 0x0FFFFFFF
    base = code % 1000
    dims += {1000: 1, 2000: 1, 3000: 2}.get(code - base, 0)  # ISO Z, M, ZM
    if base == 2:  # LineString
        (count,) = struct.unpack_from(order + "I", wkb, at)
        at += 4
        points = []
        for _ in range(count):
            xy = struct.unpack_from(order + "d" * dims, wkb, at)
            points.append([xy[0], xy[1]])
            at += 8 * dims
        return "LineString", points, at
    if base == 5:  # MultiLineString
        (count,) = struct.unpack_from(order + "I", wkb, at)
        at += 4
        parts = []
        for _ in range(count):
            _, line, at = _read(wkb, at)
            parts.append(line)
        return "MultiLineString", parts, at
    raise ValueError(f"expected a LineString or MultiLineString, got WKB geometry type {code}")


def line_wkb(coords: list[tuple[float, float]]) -> bytes:
    """A 2D LineString as little-endian WKB (to write test files and outputs)."""
    out = struct.pack("<BII", 1, 2, len(coords))
    for x, y in coords:
        out += struct.pack("<dd", x, y)
    return out


def write_gpkg(features: list[dict[str, Any]], path: Path, crs: str = "EPSG:4326") -> Path | None:
    """LineString features (GeoJSON dicts with flat properties) as a GeoPackage layer, for a
    GIS department; None when pyogrio (the gis extra) is not installed."""
    try:
        import numpy as np
        from pyogrio import raw
    except ImportError:
        return None
    if not features:
        return None
    names = list(features[0]["properties"])
    fields = [np.array([f["properties"].get(n) for f in features], dtype=object) for n in names]
    geometry = np.array([line_wkb([tuple(p) for p in f["geometry"]["coordinates"]])
                         for f in features], dtype=object)
    raw.write(path, geometry, fields, fields=names, geometry_type="LineString", crs=crs,
              layer=path.stem)
    return path
