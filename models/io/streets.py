"""Readers for street files: GeoJSON and CSV (WKT geometry), three dialects.

:func:`read_streets` picks the reader from the suffix (``.geojson``/``.json``: GeoJSON,
``.csv``: CSV with a WKT ``geometry`` column) and the dialect from the fields present.
Every error is an :class:`~models.errors.InputError` naming the file, the record
(``feature 12`` or ``row 7``, 1-based, data rows after the CSV header, plus the id when it
is known) and the field as the file spells it.

Our own schema (``streetcrew``)
-------------------------------
Properties (GeoJSON) or columns (CSV); a missing, ``null`` or empty value gets the default of
the segment's road class (:data:`models.streets.CLASS_DEFAULTS`); unknown extra properties
are ignored.

================= ============================================ ======= ======================
field             value                                        unit    default
================= ============================================ ======= ======================
id                text, unique in the file (required)                  --
name              text                                                 ``""``
road_class        motorway trunk primary secondary tertiary            -- (required)
                  residential service alley
oneway            no / forward / backward; also yes true 1 =           no
                  forward, -1 reverse = backward, 0 false = no
lanes             integer >= 1                                         class
width_m           number > 0                                   m       none
sides             both / right / left / centre (center) / none         class
passes_per_side   integer >= 1                                         class
sweeps_per_day    integer >= 0                                         class
min_hours_between number >= 0                                  h       class
windows           ``"HH:MM-HH:MM;HH:MM-HH:MM"`` or a JSON list of      local   none
                  ``["HH:MM", "HH:MM"]`` pairs; an end before the      time
                  start runs past midnight (``22:00-02:00``)
allowed_types     ``"a;b"`` or a JSON list of vehicle types            --      every type
priority          integer >= 0 (higher first)                          class
district          the administration that sweeps it (text)             --      none
geometry          LineString / MultiLineString, WGS-84 lon/lat         deg     -- (required)
================= ============================================ ======= ======================

In CSV, ``geometry`` is WKT ``LINESTRING (lon lat, ...)`` or ``MULTILINESTRING ((...), (...))``
(Z/M ordinates are dropped); ``windows`` and ``allowed_types`` may also hold JSON lists.
A MultiLineString becomes one segment per part, with ids ``<id>#1``, ``<id>#2``, ...

Geometry: a feature whose geometry is ``null`` (GeoJSON's "unlocated feature"), an empty
geometry (``"coordinates": []``, ``LINESTRING EMPTY``) or an empty CSV cell is a data gap: it is
skipped and counted in :attr:`StreetsRead.no_geometry`. Every other problem is an error: a
geometry type other than (Multi)LineString, a line with fewer than two points, a point that is
not two numbers, or a point outside lon -180..180 / lat -90..90 (projected coordinates). A
top-level ``crs`` other than WGS-84 is refused. Geometry from a Chinese web map is converted to
WGS-84 on read: a GeoJSON top-level member ``"coords": "gcj02"`` (Amap/Tencent) or ``"bd09"``
(Baidu) says so, else the reader's ``coords`` argument (``--coords-in``) does, for GeoJSON and
CSV alike (:mod:`models.coords`). OpenStreetMap extracts are WGS-84 by definition. Duplicate ids (after the ``#k`` suffixes) and
unknown road classes are errors, and so are numbers outside their plausible ranges
(:data:`models.bounds.BOUNDS`). In every dialect, a file that yields no street is an error
(``no streets in the file``), and so is a street with a point more than
:data:`models.streets.FAR_KM` from the median of all the file's points (a typo, or longitude
and latitude swapped: the message says which is likely).

Cambridge street centerlines (``cambridge``)
---------------------------------------------
Recognised by properties ``ID`` and ``Street_Name`` (City of Cambridge GIS,
``TRANS_Centerlines``). What each property becomes:

* ``ID`` -> ``id``; ``Street`` -> ``name`` (``Street_Name``, then ``Label`` when it is absent:
  one feature, ``Eastern_Con_1``, has no ``Street``).
* ``Direction`` -> ``oneway``: ``0`` two-way, ``1`` one-way along the digitised direction
  (``forward``), ``-1`` one-way against it (``backward``); text or numbers. A missing or empty
  ``Direction`` (51 features in the 2021 file) is read as two-way and counted in
  :attr:`StreetsRead.direction_missing`; any other value is an error.
* ``road_class`` from ``MajorRoad`` and ``Street_Type``. In the file ``MajorRoad`` is ``1`` on
  the arterials and parkways (Massachusetts Ave, Memorial Dr, Mt Auburn St, Alewife Brook and
  Fresh Pond Pkwy, Monsignor OBrien Hwy, Concord Tpk: 284 features), ``2`` on the collectors
  (Cambridge St, Broadway, Huron Ave, Brattle St, Main St ...: 633), ``0`` on three short
  pieces (Farwell Pl, two Memorial Dr ramps) and absent on the rest (1,723). So
  ``MajorRoad 1 -> primary``, ``2 -> secondary``; otherwise ``Street_Type "Aly" -> alley``
  (Amherst Aly) and everything else (St, Ave, Rd, Pl, Ct, Ter, Pk, Way, ...) ``-> residential``.
  Other ``MajorRoad`` values are an error. The layer also holds one footbridge (``Weeks
  Footbridge``, no ``Street_Type``); it is kept as residential, as the city drew it.
* Everything else (lanes, sides, windows, ...) comes from the class defaults; ``ROADWAYS``,
  ``Restriction``, address ranges, ``FromNode``/``ToNode`` and ``Alias`` are not used.

San Francisco street sweeping schedule (``sf-sweeping``)
--------------------------------------------------------
Recognised by CSV columns ``cnn``, ``cnnrightle``, ``weekday``, ``fromhour`` and ``tohour``
(DataSF "Street Sweeping Schedule" shapefile names). One row is one weekly sweep of one block
side; the reader makes one segment per ``(cnn, cnnrightle)``:

* ``cnn`` + ``cnnrightle`` -> ``id`` ``"<cnn>-R"`` / ``"<cnn>-L"``; ``cnnrightle`` ``R``/``L``
  -> ``sides`` ``right``/``left`` (of the centerline in its digitised direction).
* ``streetname`` -> ``name``; ``geometry`` (WKT) -> the segment's line; the rows of one block
  side must agree on it.
* ``weekday`` (Mon Tues Wed Thu Fri Sat Sun Holiday), ``week1ofmon``..``week5ofmon`` (Y/N)
  select the rows that apply on ``date``: its weekday, and week ``(day - 1) // 7 + 1`` of the
  month (days 1-7 are week 1, so "1st and 3rd Monday" is right). ``fromhour``/``tohour``
  (``HH:MM``) of those rows -> ``windows`` (``00:00``-``02:00`` is a two-hour window; an end
  before the start runs past midnight; equal ends are an error) and their number ->
  ``sweeps_per_day``. A block side with no row on that date is kept, with
  ``sweeps_per_day = 0`` and no window, so the network stays whole for deadheading.
  Without a date every row's window is kept (distinct, sorted) and ``sweeps_per_day`` is the
  class default.
* ``holidays`` (Y/N: swept on public holidays) is checked but not used, and ``Holiday`` rows only
  count without a date: the reader has no holiday calendar.
* ``road_class`` is ``residential`` (the file has no class; ``corridor`` is a street name),
  ``oneway`` is ``no`` (the file does not say). ``blockside`` (compass side), ``blocksweep``,
  ``corridor``, ``district``, address ranges, ``nhood``, ``zip_code`` and ``multigeom`` are
  not used.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from streetcrew.models.base import DAY_S, InputError, parse_clock
from streetcrew.models.coords import line_to_wgs84, system
from streetcrew.models.io.common import csv_rows, read_text, record_name
from streetcrew.models.io.gis import GIS_SUFFIXES, gis_text
from streetcrew.models.streets import (
    CLASS_DEFAULTS,
    FAR_KM,
    ROAD_CLASSES,
    Street,
    TimeWindow,
    far_street,
    median_point,
    street_with_defaults,
)

Dialect = Literal["streetcrew", "cambridge", "sf-sweeping"]

FIELDS: tuple[str, ...] = (
    "id", "name", "road_class", "oneway", "lanes", "width_m", "sides", "passes_per_side",
    "sweeps_per_day", "min_hours_between", "windows", "allowed_types", "priority", "district",
)

_ONEWAY = {
    "no": "no", "false": "no", "0": "no",
    "forward": "forward", "yes": "forward", "true": "forward", "1": "forward",
    "backward": "backward", "-1": "backward", "reverse": "backward",
}
_CAMBRIDGE_DIRECTION = {"0": "no", "1": "forward", "-1": "backward"}
_CAMBRIDGE_MAJOR = {1: "primary", 2: "secondary", 0: None}
_SF_COLUMNS = {"cnn", "cnnrightle", "weekday", "fromhour", "tohour"}
_SF_WEEKDAY = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4, "sat": 5,
    "saturday": 5, "sun": 6, "sunday": 6, "holiday": -1,
}
_WGS84_CRS = {
    "urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "urn:ogc:def:crs:EPSG::4326",
    "EPSG:4326", "CRS84",
}
_WKT = re.compile(
    r"^\s*(?P<type>[A-Za-z]+)\s*(?:ZM|Z|M)?\s*(?P<body>EMPTY|\(.*\))\s*$", re.IGNORECASE | re.S
)
_WKT_PART = re.compile(r"\(([^()]*)\)")


class StreetsRead(BaseModel):
    """What :func:`load_streets` read: the segments and what it noticed on the way."""

    model_config = ConfigDict(frozen=True)

    file: str
    dialect: Dialect
    records: int  # features or data rows in the file
    streets: tuple[Street, ...]
    no_geometry: int = 0  # records skipped: null or empty geometry
    direction_missing: int = 0  # cambridge: no Direction, read as two-way
    date: dt.date | None = None


def read_streets(path: str | Path, date: dt.date | None = None, coords: str = "wgs84",
                 encoding: str | None = None) -> list[Street]:
    """Read a GeoJSON or CSV street file (any dialect) into segments.

    ``date`` selects the rows of a dated schedule (San Francisco); other files ignore it.
    ``coords``: the system of a file that does not name its own (see the module docstring).
    ``encoding``: a CSV's text encoding, None to detect UTF-8 or GBK (GeoJSON is UTF-8).
    """
    return list(load_streets(path, date, coords, encoding).streets)


def load_streets(path: str | Path, date: dt.date | None = None, coords: str = "wgs84",
                 encoding: str | None = None) -> StreetsRead:
    """Like :func:`read_streets`, with the dialect and the counts of what was skipped."""
    path = Path(path)
    file = str(path)
    suffix = path.suffix.lower()
    source = system(coords, None, "--coords-in")
    if suffix in GIS_SUFFIXES:  # a GIS department's layer, read as GeoJSON features
        return _read_geojson(gis_text(path, FIELDS), file, source)
    if suffix not in (".geojson", ".json", ".csv"):
        raise InputError(
            file, None, None,
            f"unknown street file type {suffix or '(none)'!r}: expected .geojson, .json, "
            ".csv, .gpkg or .shp (OpenStreetMap files go through `streetcrew import-osm`)",
        )
    table = suffix == ".csv"
    _, text = read_text(path, encoding if table else None, table=table)
    if suffix == ".csv":
        return _read_csv(text, file, date, source)
    return _read_geojson(text, file, source)


# ---------------------------------------------------------------------------- shared



def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_windows(value: Any) -> tuple[TimeWindow, ...]:
    """Windows from ``"HH:MM-HH:MM;..."``, a JSON list of pairs, or a list; raises ValueError.

    An end before the start runs past midnight (``22:00-02:00`` is 79 200..93 600 s).
    """
    if _blank(value):
        return ()
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not a JSON list of pairs: {exc.msg}") from None
    pairs: list[tuple[Any, Any]] = []
    if isinstance(value, str):
        for item in value.split(";"):
            if not item.strip():
                continue
            ends = item.split("-")
            if len(ends) != 2:
                raise ValueError(f"expected HH:MM-HH:MM, got {item.strip()!r}")
            pairs.append((ends[0], ends[1]))
    elif isinstance(value, list):
        for item in value:
            if not (isinstance(item, list | tuple) and len(item) == 2):
                raise ValueError(f"expected a [\"HH:MM\", \"HH:MM\"] pair, got {item!r}")
            pairs.append((item[0], item[1]))
    else:
        raise ValueError(f"expected text or a list of pairs, got {value!r}")
    out = []
    for a, b in pairs:
        if not (isinstance(a, str) and isinstance(b, str)):
            raise ValueError(f"expected \"HH:MM\" texts, got {a!r} and {b!r}")
        try:
            start, end = parse_clock(a), parse_clock(b)
        except ValueError as exc:
            raise ValueError(f"window {a.strip()}-{b.strip()}: {exc}") from None
        if end == start:
            raise ValueError(f"window {a.strip()}-{b.strip()} is empty")
        if end < start:
            end += DAY_S
        try:
            out.append(TimeWindow(start=start, end=end))
        except ValidationError as exc:
            raise ValueError(f"window {a.strip()}-{b.strip()}: {_first_msg(exc)}") from None
    return tuple(out)


def _first_msg(exc: ValidationError) -> str:
    e = exc.errors()[0]
    return str(e["msg"]).removeprefix("Value error, ")


def _types(value: Any) -> tuple[str, ...] | None:
    if _blank(value):
        return None
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not a JSON list: {exc.msg}") from None
    if isinstance(value, str):
        return tuple(t.strip() for t in value.split(";") if t.strip())
    if isinstance(value, list) and all(isinstance(t, str) for t in value):
        return tuple(t.strip() for t in value if t.strip())
    raise ValueError(f"expected \"a;b\" or a list of texts, got {value!r}")


def _oneway(value: Any) -> str | None:
    if _blank(value):
        return None
    key = str(value).strip().lower()
    if isinstance(value, bool):
        key = "true" if value else "false"
    elif isinstance(value, float) and value.is_integer():
        key = str(int(value))
    if key not in _ONEWAY:
        raise ValueError(
            f"expected no, forward or backward (or yes/true/1, -1, 0/false), got {value!r}"
        )
    return _ONEWAY[key]


def _make(
    file: str, record: str, raw: dict[str, Any], names: dict[str, str] | None = None
) -> Street:
    """Validate one segment; ``names`` maps our field names to the file's for errors."""
    names = names or {}
    cls = raw.get("road_class")
    if cls not in CLASS_DEFAULTS:
        what = "missing" if _blank(cls) else f"unknown, got {cls!r}"
        raise InputError(
            file, record, names.get("road_class", "road_class"),
            f"road class {what}: expected one of {', '.join(ROAD_CLASSES)}",
        )
    try:
        return street_with_defaults(raw)
    except ValidationError as exc:
        e = exc.errors()[0]
        field = str(e["loc"][0]) if e["loc"] else None
        shown = names.get(field, field) if field else None
        raise InputError(file, record, shown, _first_msg(exc)) from None


def _check_point(pt: tuple[float, float], k: int) -> None:
    lon, lat = pt
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise ValueError(f"point {k} ({lon}, {lat}) is not finite")
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        guess = ("longitude and latitude swapped?" if abs(lat) <= 180 and abs(lon) <= 90
                 else "projected coordinates?")
        raise ValueError(
            f"point {k} ({lon}, {lat}) is outside lon -180..180 / lat -90..90: "
            f"expected WGS-84 lon/lat ({guess})"
        )


def _check_parts(parts: list[list[tuple[float, float]]]) -> None:
    for j, part in enumerate(parts, start=1):
        where = f"part {j}: " if len(parts) > 1 else ""
        if len(part) < 2:
            raise ValueError(f"{where}a line needs at least two points, got {len(part)}")
        for k, pt in enumerate(part, start=1):
            try:
                _check_point(pt, k)
            except ValueError as exc:
                raise ValueError(f"{where}{exc}") from None


def _split_parts(
    raw: dict[str, Any], parts: list[list[tuple[float, float]]], multi: bool, source: str
) -> Iterator[dict[str, Any]]:
    """One raw segment per part, as WGS-84 (``source``: the file's coordinate system); parts
    of a multi-line get ids ``<id>#<k>``."""
    for k, part in enumerate(parts, start=1):
        one = dict(raw, coords=tuple(line_to_wgs84(part, source) if source != "wgs84" else part))
        if multi:
            one["id"] = f"{raw['id']}#{k}"
        yield one


def _whole(file: str, streets: list[Street], ids: _Ids, records: int, no_geometry: int,
           field: str | None, no_records: str) -> None:
    """Refuse a file without streets, and one whose street lies far from the others (see
    :data:`models.streets.FAR_KM`): longitude and latitude swapped, or a typo."""
    if not streets:
        if records:
            raise InputError(file, None, "geometry", f"no streets in the file: none of its "
                             f"{records} records has a geometry ({no_geometry} null or empty)")
        raise InputError(file, None, field, f"no streets in the file: {no_records}")
    found = far_street(streets)
    if found is not None:
        k, km, swapped = found
        street = streets[k]
        lon, lat = median_point(streets)
        raise InputError(
            file, ids.seen[street.id], "geometry",
            f"street {street.id!r} lies {km:,.0f} km from the other streets (the median of "
            f"their points is {lon:.4f}, {lat:.4f}; a city spans less than {FAR_KM:g} km): "
            + ("longitude and latitude swapped?" if swapped else "a typo in its coordinates?"))


class _Ids:
    """Catches duplicate segment ids and says where the first one was."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.seen: dict[str, str] = {}

    def add(self, ident: str, record: str, field: str) -> None:
        if ident in self.seen:
            raise InputError(
                self.file, record, field, f"duplicate id {ident!r} (first in {self.seen[ident]})"
            )
        self.seen[ident] = record


def _ident(value: Any) -> str | None:
    if _blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value).strip()


# ---------------------------------------------------------------------------- GeoJSON


def _geojson_parts(geom: Any) -> tuple[list[list[tuple[float, float]]], bool] | None:
    """(parts, is_multi), or None for a null / empty geometry (a data gap)."""
    if geom is None:
        return None
    if not isinstance(geom, dict) or "type" not in geom:
        raise ValueError("expected a GeoJSON geometry object with a type")
    kind = geom["type"]
    if kind not in ("LineString", "MultiLineString"):
        raise ValueError(f"expected LineString or MultiLineString, got {kind!r}")
    coords = geom.get("coordinates")
    if not isinstance(coords, list):
        raise ValueError("coordinates must be a list")
    if not coords:
        return None
    lines = coords if kind == "MultiLineString" else [coords]
    parts = []
    for j, line in enumerate(lines, start=1):
        if not isinstance(line, list):
            raise ValueError(f"part {j} is not a list of positions")
        part = []
        for k, pos in enumerate(line, start=1):
            if not (
                isinstance(pos, list)
                and len(pos) >= 2
                and all(isinstance(x, int | float) and not isinstance(x, bool) for x in pos[:2])
            ):
                raise ValueError(f"point {k} is not a [lon, lat] pair of numbers: {pos!r}")
            part.append((float(pos[0]), float(pos[1])))
        parts.append(part)
    _check_parts(parts)
    return parts, kind == "MultiLineString"


def _read_geojson(text: str, file: str, source: str) -> StreetsRead:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(file, f"line {exc.lineno}", None, f"not valid JSON: {exc.msg}") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise InputError(file, None, "type", "expected a GeoJSON FeatureCollection")
    crs = doc.get("crs")
    if crs is not None:
        name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
        if name not in _WGS84_CRS:
            raise InputError(
                file, None, "crs", f"expected WGS-84 lon/lat (CRS84/EPSG:4326), got {name!r}"
            )
    if "coords" in doc:
        source = system(doc["coords"], file)
    features = doc.get("features")
    if not isinstance(features, list):
        raise InputError(file, None, "features", "expected a list of features")
    first = next((f.get("properties") for f in features if isinstance(f, dict)), None)
    cambridge = isinstance(first, dict) and "ID" in first and "Street_Name" in first
    dialect: Dialect = "cambridge" if cambridge else "streetcrew"
    ids = _Ids(file)
    streets: list[Street] = []
    no_geometry = direction_missing = 0
    for n, feat in enumerate(features, start=1):
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            raise InputError(file, record_name("feature", n), "type", "expected a GeoJSON Feature")
        props = feat.get("properties")
        if props is None:
            props = {}
        if not isinstance(props, dict):
            raise InputError(file, record_name("feature", n), "properties", "expected an object")
        id_field = "ID" if cambridge else "id"
        ident = _ident(props.get(id_field))
        if ident is None and not cambridge:
            ident = _ident(feat.get("id"))  # the Feature's own id member
        record = record_name("feature", n, ident)
        if ident is None:
            raise InputError(file, record, id_field, "missing or not text/integer")
        try:
            geom = _geojson_parts(feat.get("geometry"))
        except ValueError as exc:
            raise InputError(file, record, "geometry", str(exc)) from None
        if cambridge:
            raw, names, missing = _cambridge_raw(file, record, ident, props)
            direction_missing += missing
        else:
            raw, names = _own_raw(file, record, ident, props), {"coords": "geometry"}
        if geom is None:
            no_geometry += 1
            continue
        parts, multi = geom
        for one in _split_parts(raw, parts, multi, source):
            ids.add(one["id"], record, id_field)
            streets.append(_make(file, record, one, names))
    _whole(file, streets, ids, len(features), no_geometry, "features",
           "the FeatureCollection has no features")
    return StreetsRead(
        file=file, dialect=dialect, records=len(features), streets=tuple(streets),
        no_geometry=no_geometry, direction_missing=direction_missing,
    )


def _own_raw(file: str, record: str, ident: str, props: dict[str, Any]) -> dict[str, Any]:
    """Our schema's fields as :func:`street_with_defaults` wants them (blank = default)."""
    raw: dict[str, Any] = {}
    for key in FIELDS:
        value = props.get(key)
        if _blank(value):
            continue
        try:
            if key == "oneway":
                value = _oneway(value)
            elif key == "windows":
                value = parse_windows(value)
            elif key == "allowed_types":
                value = _types(value)
            elif key == "sides" and isinstance(value, str):
                value = value.strip().lower().replace("center", "centre")
            elif key == "road_class" and isinstance(value, str):
                value = value.strip()
        except ValueError as exc:
            raise InputError(file, record, key, str(exc)) from None
        raw[key] = value
    raw["id"] = ident
    raw.setdefault("name", "")
    if not isinstance(raw["name"], str):
        raise InputError(file, record, "name", f"expected text, got {raw['name']!r}")
    return raw


def _cambridge_raw(
    file: str, record: str, ident: str, props: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str], int]:
    """(raw segment, our field -> Cambridge property, 1 if Direction was missing)."""
    name = next(
        (str(props[k]) for k in ("Street", "Street_Name", "Label") if not _blank(props.get(k))),
        "",
    )
    direction = props.get("Direction")
    missing = 0
    if _blank(direction):
        oneway, missing = "no", 1
    else:
        key = str(direction).strip()
        if isinstance(direction, float) and direction.is_integer():
            key = str(int(direction))
        if isinstance(direction, bool) or key not in _CAMBRIDGE_DIRECTION:
            raise InputError(
                file, record, "Direction", f"expected 0, 1 or -1 (or none), got {direction!r}"
            )
        oneway = _CAMBRIDGE_DIRECTION[key]
    major = props.get("MajorRoad")
    road_class: str | None = None
    if not _blank(major):
        if isinstance(major, str) and major.strip().lstrip("-").isdigit():
            major = int(major)
        if isinstance(major, bool) or major not in _CAMBRIDGE_MAJOR:
            raise InputError(
                file, record, "MajorRoad", f"expected 1, 2, 0 or none, got {major!r}"
            )
        road_class = _CAMBRIDGE_MAJOR[major]
    if road_class is None:
        street_type = str(props.get("Street_Type") or "").strip().lower()
        road_class = "alley" if street_type in ("aly", "alley") else "residential"
    raw = {"id": ident, "name": name, "road_class": road_class, "oneway": oneway}
    names = {"id": "ID", "name": "Street", "road_class": "MajorRoad", "oneway": "Direction",
             "coords": "geometry"}
    return raw, names, missing


# ---------------------------------------------------------------------------- CSV


def parse_wkt(text: str) -> tuple[list[list[tuple[float, float]]], bool] | None:
    """WKT LINESTRING / MULTILINESTRING -> (parts, is_multi); None when empty; ValueError."""
    if _blank(text):
        return None
    m = _WKT.match(text)
    kind = m.group("type").upper() if m else text.strip().split("(")[0].strip().upper()
    if kind not in ("LINESTRING", "MULTILINESTRING"):
        raise ValueError(f"expected WKT LINESTRING or MULTILINESTRING, got {kind[:30]!r}")
    if m is None:
        raise ValueError(f"malformed WKT {text.strip()[:60]!r}")
    body = m.group("body").strip()
    if body.upper() == "EMPTY":
        return None
    if kind == "LINESTRING":
        if body.count("(") != 1 or body.count(")") != 1:
            raise ValueError("malformed WKT LINESTRING: expected (lon lat, lon lat, ...)")
        texts = [body[1:-1]]
    else:
        inner = body[1:-1]
        texts = _WKT_PART.findall(inner)
        if _WKT_PART.sub("", inner).replace(",", "").strip() or not texts:
            raise ValueError("malformed WKT MULTILINESTRING: expected ((lon lat, ...), (...))")
    parts = []
    for t in texts:
        part = []
        for k, pt in enumerate(t.split(","), start=1):
            xs = pt.split()
            try:
                if len(xs) < 2:
                    raise ValueError
                part.append((float(xs[0]), float(xs[1])))
            except ValueError:
                raise ValueError(f"point {k} is not 'lon lat' numbers: {pt.strip()!r}") from None
        parts.append(part)
    _check_parts(parts)
    return parts, kind == "MULTILINESTRING"



def _read_csv(text: str, file: str, date: dt.date | None, source: str) -> StreetsRead:
    header, rows = csv_rows(text, file)
    if _SF_COLUMNS <= set(header):
        return _read_sf(header, rows, file, date, source)
    for required in ("id", "geometry"):
        if required not in header:
            raise InputError(file, "header", required, "required column is missing")
    ids = _Ids(file)
    streets: list[Street] = []
    records = no_geometry = 0
    for n, row in rows:
        records += 1
        ident = _ident(row["id"])
        record = record_name("row", n, ident)
        if ident is None:
            raise InputError(file, record, "id", "missing")
        try:
            geom = parse_wkt(row["geometry"])
        except ValueError as exc:
            raise InputError(file, record, "geometry", str(exc)) from None
        raw = _own_raw(file, record, ident, dict(row))
        if geom is None:
            no_geometry += 1
            continue
        parts, multi = geom
        for one in _split_parts(raw, parts, multi, source):
            ids.add(one["id"], record, "id")
            streets.append(_make(file, record, one, {"coords": "geometry"}))
    _whole(file, streets, ids, records, no_geometry, None, "the file has a header and no rows")
    return StreetsRead(
        file=file, dialect="streetcrew", records=records, streets=tuple(streets),
        no_geometry=no_geometry,
    )


def _yes_no(file: str, record: str, field: str, value: str) -> bool:
    v = value.strip().upper()
    if v not in ("Y", "N"):
        raise InputError(file, record, field, f"expected Y or N, got {value!r}")
    return v == "Y"


def _read_sf(
    header: list[str], rows: Iterator[tuple[int, dict[str, str]]], file: str,
    date: dt.date | None, source: str,
) -> StreetsRead:
    for required in ("geometry", "streetname"):
        if required not in header:
            raise InputError(file, "header", required, "required column is missing")
    weeks = [c for c in (f"week{k}ofmon" for k in range(1, 6)) if c in header]
    week_col = f"week{(date.day - 1) // 7 + 1}ofmon" if date else None
    if week_col is not None and week_col not in header:
        raise InputError(file, "header", week_col, "required column for this date is missing")
    # (cnn, side) -> (first record, name, parts, is_multi); kept: the windows on the date
    sides: dict[tuple[str, str], tuple[str, str, list[list[tuple[float, float]]], bool]] = {}
    kept: dict[tuple[str, str], list[TimeWindow]] = {}
    records = no_geometry = 0
    for n, row in rows:
        records += 1
        cnn = row["cnn"].strip()
        record = record_name("row", n) + (f" (cnn {cnn})" if cnn else "")
        if not cnn:
            raise InputError(file, record, "cnn", "missing")
        side = row["cnnrightle"].strip().upper()
        if side not in ("R", "L"):
            raise InputError(file, record, "cnnrightle", f"expected R or L, got {side!r}")
        day_text = row["weekday"].strip().lower()
        if day_text not in _SF_WEEKDAY:
            raise InputError(
                file, record, "weekday",
                f"expected Mon Tues Wed Thu Fri Sat Sun or Holiday, got {row['weekday']!r}",
            )
        for field in ("fromhour", "tohour"):
            try:
                parse_clock(row[field])
            except ValueError as exc:
                raise InputError(file, record, field, str(exc)) from None
        try:
            (window,) = parse_windows([[row["fromhour"], row["tohour"]]])
        except ValueError as exc:
            raise InputError(file, record, "tohour", str(exc)) from None
        in_week = {c: _yes_no(file, record, c, row[c]) for c in weeks}
        if "holidays" in row:
            _yes_no(file, record, "holidays", row["holidays"])
        try:
            geom = parse_wkt(row["geometry"])
        except ValueError as exc:
            raise InputError(file, record, "geometry", str(exc)) from None
        if geom is None:
            no_geometry += 1
            continue
        key = (cnn, side)
        if key not in sides:
            sides[key] = (record, row["streetname"].strip(), *geom)
            kept[key] = []
        elif sides[key][2:] != geom:
            raise InputError(
                file, record, "geometry",
                f"differs from {sides[key][0]} for the same cnn and side",
            )
        if date is None or (
            _SF_WEEKDAY[day_text] == date.weekday() and in_week[week_col or ""]
        ):
            kept[key].append(window)
    ids = _Ids(file)
    streets: list[Street] = []
    for (cnn, side), (record, name, parts, multi) in sides.items():
        windows = kept[(cnn, side)]
        raw: dict[str, Any] = {
            "id": f"{cnn}-{side}", "name": name, "road_class": "residential", "oneway": "no",
            "sides": "right" if side == "R" else "left",
        }
        if date is None:
            raw["windows"] = tuple(sorted(set(windows), key=lambda w: (w.start, w.end)))
        else:
            raw["windows"] = tuple(sorted(windows, key=lambda w: (w.start, w.end)))
            raw["sweeps_per_day"] = len(windows)
        for one in _split_parts(raw, parts, multi, source):
            ids.add(one["id"], record, "cnn")
            streets.append(_make(file, record, one, {"coords": "geometry"}))
    _whole(file, streets, ids, records, no_geometry, None, "the file has a header and no rows")
    return StreetsRead(
        file=file, dialect="sf-sweeping", records=records, streets=tuple(streets),
        no_geometry=no_geometry, date=date,
    )


OSM_SUFFIXES = (".osm", ".osm.gz", ".osm.bz2", ".osm.xml", ".osm.pbf", ".pbf")


def read_street_source(path: str | Path, date: dt.date | None = None, coords: str = "wgs84",
                       encoding: str | None = None) -> list[Street]:
    """A street file (GeoJSON, CSV) for the day, or an OSM extract imported on the fly (always
    WGS-84: ``coords`` applies to the other files that do not name their system)."""
    if str(path).endswith(OSM_SUFFIXES):
        from streetcrew.models.io.osm import read_osm

        return list(read_osm(path).streets)
    return list(load_streets(path, date, coords, encoding).streets)
