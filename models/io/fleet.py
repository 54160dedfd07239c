"""Reader for the fleet file (YAML or JSON); see README "Fleet input".

Clock times may be given as ``"HH:MM"`` (hours up to 48 for shifts past
midnight) and points as ``{lon, lat}`` or ``[lon, lat]``. Each record is
validated on its own so that an error names it: ``vehicles[3] (id 'S4')``
and the field.

Points are WGS-84 unless a top-level ``coords: gcj02`` (Amap/Tencent) or ``coords: bd09``
(Baidu) says otherwise (or, when the file says nothing, the reader's ``coords`` argument:
``--coords-in``); they are converted to WGS-84 on read (:mod:`models.coords`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from streetcrew.models.base import InputError, format_clock, parse_clock
from streetcrew.models.coords import system, to_wgs84
from streetcrew.models.fleet import (
    Depot,
    Facility,
    Fleet,
    Point,
    TurnPenalties,
    Vehicle,
    VehicleType,
)
from streetcrew.models.io.common import load_mapping
from streetcrew.models.streets import Street

_SECTIONS: dict[str, type[BaseModel]] = {
    "depots": Depot,
    "facilities": Facility,
    "vehicle_types": VehicleType,
    "vehicles": Vehicle,
}
_CLOCK_FIELDS = {"opens", "closes", "shift_start", "shift_end", "earliest", "latest"}


def read_fleet(path: str | Path, coords: str = "wgs84") -> Fleet:
    """The fleet file; its points in the system its ``coords`` field names, else ``coords``."""
    path = Path(path)
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(file, None, None, f"cannot read file: {exc.strerror}") from exc
    data = load_mapping(file, text, path.suffix.lower())
    if not isinstance(data, dict):
        raise InputError(file, None, None, "expected a mapping with depots, vehicle_types, vehicles")
    unknown = set(data) - set(_SECTIONS) - {"turns", "coords"}
    if unknown:
        raise InputError(file, None, sorted(unknown)[0], "unknown section")
    source = (system(data["coords"], file) if "coords" in data
              else system(coords, None, "--coords-in"))
    parsed: dict[str, list[Any]] = {}
    names: dict[str, list[str]] = {}
    for section, model in _SECTIONS.items():
        raw = data.get(section, [] if section == "facilities" else None)
        if not isinstance(raw, list):
            raise InputError(file, None, section, "expected a list")
        if not raw and section != "facilities":
            raise InputError(file, None, section, f"no {section.replace('_', ' ')} in the "
                             "file: a fleet needs at least one")
        items = []
        names[section] = []
        for i, rec in enumerate(raw):
            where = f"{section}[{i}]"
            if isinstance(rec, dict) and "id" in rec:
                where += f" (id {rec['id']!r})"
            item = _record(file, where, model, rec)
            if isinstance(item, Depot | Facility) and source != "wgs84":
                lon, lat = to_wgs84(item.at.lon, item.at.lat, source)
                item = item.model_copy(update={"at": Point(lon=lon, lat=lat)})
            items.append(item)
            names[section].append(where)
        parsed[section] = items
    _references(file, parsed, names)
    extra: dict[str, Any] = {}
    if "turns" in data:
        extra["turns"] = _record(file, "turns", TurnPenalties, data["turns"])
    try:
        return Fleet(**parsed, **extra)
    except ValidationError as exc:
        msg = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise InputError(file, None, None, msg) from None


def _references(file: str, parsed: dict[str, list[Any]], names: dict[str, list[str]]) -> None:
    """Duplicate ids, unknown types and depots and overlapping shifts, named by record and field.

    ``Fleet._references`` checks the same again (without the records) for fleets made in code.
    """
    for section in ("depots", "facilities", "vehicle_types"):
        first: dict[str, int] = {}
        for i, item in enumerate(parsed[section]):
            j = first.setdefault(item.id, i)
            if j != i:
                raise InputError(file, names[section][i], "id",
                                 f"duplicate id {item.id!r} (first in {section}[{j}])")
    known = {"type": [t.id for t in parsed["vehicle_types"]],
             "depot": [d.id for d in parsed["depots"]]}
    vehicles: list[Vehicle] = parsed["vehicles"]
    for i, v in enumerate(vehicles):
        where = names["vehicles"][i]
        for field, ids in known.items():
            value = getattr(v, field)
            if value not in ids:
                raise InputError(file, where, field, f"unknown {field} {value!r}; the fleet has: "
                                 f"{', '.join(ids) or 'none'}")
        for j, w in enumerate(vehicles[:i]):
            if w.id == v.id and v.shift_start < w.latest_end and w.shift_start < v.latest_end:
                plain = v.shift_start < w.shift_end and w.shift_start < v.shift_end
                raise InputError(file, where, "shift_start" if plain else "overtime_min",
                                 f"overlapping shifts: {_span(v)} overlaps {_span(w)} of "
                                 f"{names['vehicles'][j]}")


def _span(v: Vehicle) -> str:
    over = f" +{v.overtime_min:g} min overtime" if v.overtime_min else ""
    return f"{format_clock(v.shift_start)}-{format_clock(v.shift_end)}{over}"


def check_allowed_types(streets: Sequence[Street], fleet: Fleet, streets_file: str | None) -> None:
    """Refuse a street whose ``allowed_types`` names a vehicle type the fleet does not have.

    A typo or a stale type name would otherwise narrow the street to the other types or leave
    it unswept without a word. Needs both files, so the command line calls it after reading them.
    """
    types = [t.id for t in fleet.vehicle_types]
    for street in streets:
        unknown = [t for t in street.allowed_types or () if t not in types]
        if unknown:
            raise InputError(streets_file, f"street {street.id!r}", "allowed_types",
                             f"unknown vehicle type(s) {', '.join(map(repr, unknown))}; "
                             f"the fleet has: {', '.join(types) or 'none'}")



def _record(file: str, where: str, model: type[BaseModel], rec: Any) -> BaseModel:
    if not isinstance(rec, dict):
        raise InputError(file, where, None, "expected a mapping")
    rec = _normalise(file, where, rec)
    try:
        return model.model_validate(rec)
    except ValidationError as exc:
        raise InputError.from_validation(exc, file, where) from None


def _normalise(file: str, where: str, rec: dict[str, Any]) -> dict[str, Any]:
    out = dict(rec)
    for key, value in rec.items():
        if key in _CLOCK_FIELDS and isinstance(value, str):
            try:
                out[key] = parse_clock(value)
            except ValueError as exc:
                raise InputError(file, where, key, str(exc)) from None
        elif key == "at" and isinstance(value, list | tuple) and len(value) == 2:
            out[key] = {"lon": value[0], "lat": value[1]}
        elif key == "breaks" and isinstance(value, list):
            out[key] = [
                _normalise(file, f"{where} break {j}", b) if isinstance(b, dict) else b
                for j, b in enumerate(value)
            ]
    return out
