"""Street segments to GeoJSON in our own schema (what :func:`read_streets` reads back).

Every :class:`~models.streets.Street` field is a property; ``coords`` is the LineString;
windows are ``["HH:MM", "HH:MM"]`` pairs (``HH:MM:SS`` when there are seconds; a window that
runs past midnight is written with the end before the start, ``["22:00", "02:00"]``, or with
hours past 24 when it starts after midnight of the next day). The file is UTF-8 with names
unescaped. ``read_streets(p) == streets`` after ``write_geojson(streets, p)``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from streetcrew.models.base import DAY_S, format_clock
from streetcrew.models.streets import Street, TimeWindow


def window_pair(w: TimeWindow) -> list[str]:
    """A window as the ``["HH:MM", "HH:MM"]`` pair the readers take back unchanged."""
    end = w.end
    if w.start < DAY_S < end and end - DAY_S < w.start:
        end -= DAY_S  # "22:00"-"02:00": the reader adds the day back
    return [format_clock(w.start), format_clock(end)]


def street_feature(street: Street) -> dict[str, Any]:
    """One GeoJSON Feature with every field of ``street`` as a property."""
    props = street.model_dump(exclude={"coords", "windows"})
    props["windows"] = [window_pair(w) for w in street.windows]
    if street.allowed_types is not None:
        props["allowed_types"] = list(street.allowed_types)
    props = {k: props[k] for k in Street.model_fields if k in props}  # field order
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": "LineString", "coordinates": [list(p) for p in street.coords]},
    }


def write_geojson(
    streets: Iterable[Street], path: str | Path, attribution: str | None = None
) -> Path:
    """Write a FeatureCollection (one LineString feature per segment); returns the path.

    ``attribution`` becomes a top-level ``"attribution"`` member (required for OSM data:
    ``models.read_osm.ATTRIBUTION``); ``"coords": "wgs84"`` names the coordinate system (every
    street in the package is WGS-84), so ``--coords-in`` does not apply to the file.
    """
    path = Path(path)
    features = [json.dumps(street_feature(s), ensure_ascii=False) for s in streets]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as fh:  # one feature per line
        fh.write('{"type": "FeatureCollection",\n')
        if attribution is not None:
            fh.write(f'"attribution": {json.dumps(attribution, ensure_ascii=False)},\n')
        fh.write('"coords": "wgs84",\n')  # so that --coords-in leaves the file as it is
        fh.write('"features": [\n' + ",\n".join(features) + "\n]}\n")
    return path
