"""Files derived from a schedule: the JSON itself, tables and GeoJSON of the routes (the
sheets are in :mod:`~streetcrew.solver.outputs.sheets`).

All are made from the schedule plus the streets it was planned on; ``schedule.json``
stays the one source of truth.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from streetcrew.models.base import InputError, format_clock, hhmm
from streetcrew.models.coords import line_from_wgs84
from streetcrew.models.network import build_network
from streetcrew.models.schedule import Schedule
from streetcrew.models.streets import Street, haversine_m
from streetcrew.solver.outputs.tables import write_csv, write_xlsx


def route_features(schedule: Schedule, streets: Sequence[Street], coords: str = "wgs84"
                   ) -> list[list[dict[str, Any]]]:
    """Per route (in schedule order), one GeoJSON LineString Feature per serve and per deadhead
    step along the street geometry: a street swept in the direction it is swept, a drive along
    its node path; properties: vehicle, shift, type (or team, mode), step, times, street.
    Points in the coordinate system ``coords`` (:mod:`~streetcrew.models.coords`)."""
    network = build_network(streets)
    by_id = {s.id: s for s in streets}
    out: list[list[dict[str, Any]]] = []
    for route in schedule.routes:
        features: list[dict[str, Any]] = []
        for seq, st in enumerate(route.steps):
            line: list[tuple[float, float]] = []
            if st.type == "serve" and st.street in by_id:
                street = by_id[st.street]
                line = list(street.coords)
                if st.from_node is not None:  # draw it in the direction it is swept
                    here = network.nodes[st.from_node]
                    if haversine_m(here, line[-1]) < haversine_m(here, line[0]):
                        line.reverse()
            elif st.type == "deadhead" and len(st.path) >= 2:
                line = [network.nodes[n] for n in st.path]
            if len(line) < 2:
                continue
            features.append({
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [
                    list(c) for c in line_from_wgs84(line, coords)]},
                "properties": {
                    **({"vehicle": route.vehicle, "shift": route.shift,
                        "vehicle_type": route.vehicle_type} if route.vehicle is not None
                       else {"team": route.team, "mode": route.mode}),
                    "seq": seq,
                    "step": st.type, "street": st.street, "side": st.side,
                    "start": format_clock(st.start), "end": format_clock(st.end),
                    "distance_m": round(st.distance_m, 1),
                },
            })
        out.append(features)
    return out


def write_routes_geojson(
    schedule: Schedule, streets: Sequence[Street], path: Path, attribution: str | None = None,
    coords: str = "wgs84",
) -> Path:
    """One LineString per serve and per deadhead step, with vehicle, shift, type, times, street;
    in the coordinate system ``coords``, which the top-level member ``"coords"`` names."""
    features = [f for route in route_features(schedule, streets, coords) for f in route]
    doc: dict[str, Any] = {"type": "FeatureCollection", "coords": str(coords),
                           "features": features}
    if attribution:
        doc["attribution"] = attribution
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


ROUTE_COLUMNS = ("vehicle", "shift", "vehicle_type", "depot", "start_s", "end_s", "served_m",
                 "deadhead_m", "cost", "overtime_s", "start_hhmm", "end_hhmm", "streets",
                 "changed")
STEP_COLUMNS = ("vehicle", "shift", "seq", "type", "start_s", "end_s", "distance_m", "task",
                "street", "side", "from_node", "to_node", "facility", "load_l", "water_l",
                "street_name", "start_hhmm", "end_hhmm")


def route_rows(schedule: Schedule, streets: Sequence[Street] = ()) -> list[list[Any]]:
    """The rows of routes.csv (:data:`ROUTE_COLUMNS`): ``streets`` the names of the streets
    served, in route order, each once."""
    names = {s.id: s.name for s in streets if s.name}
    return [[r.who, r.shift, r.vehicle_type or r.mode, r.depot, r.steps[0].start,
             r.steps[-1].end, round(r.served_m, 1), round(r.deadhead_m, 1), r.cost,
             r.overtime_s, hhmm(r.steps[0].start), hhmm(r.steps[-1].end),
             "; ".join(dict.fromkeys(names[st.street] for st in r.steps
                                     if st.type == "serve" and st.street in names)),
             r.changed or ""]
            for r in schedule.routes]


def write_tables(schedule: Schedule, out: Path, streets: Sequence[Street] = ()) -> list[Path]:
    """routes.csv (one row per route), steps.csv (one row per step) and, when openpyxl is
    installed, routes.xlsx (the routes). Times in seconds after midnight and as HH:MM, the
    street's name beside its id (``streets``: those the plan was made on); the columns of
    earlier versions come first, unchanged. The CSVs open in Excel on Chinese Windows
    (:data:`~streetcrew.solver.outputs.tables.CSV_ENCODING`)."""
    routes = route_rows(schedule, streets)
    names = {s.id: s.name for s in streets}
    steps = [[r.who, r.shift, i, st.type, st.start, st.end, round(st.distance_m, 1), st.task,
              st.street, st.side, st.from_node, st.to_node, st.facility, round(st.load),
              round(st.water), names.get(st.street or ""), hhmm(st.start), hhmm(st.end)]
             for r in schedule.routes for i, st in enumerate(r.steps)]
    files = [write_csv(out / "routes.csv", ROUTE_COLUMNS, routes),
             write_csv(out / "steps.csv", STEP_COLUMNS, steps)]
    book = write_xlsx(out / "routes.xlsx", {"routes": (ROUTE_COLUMNS, routes)})
    return files + ([book] if book is not None else [])


def write_schedule_json(schedule: Schedule, path: Path) -> Path:
    """The canonical form; a schedule its checker found violations in is never written."""
    if schedule.violations:
        raise ValueError("a schedule that failed its checker is not written")
    path.write_text(schedule.model_dump_json(indent=1), encoding="utf-8")
    return path


# What streetcrew writes into a plan folder: a re-plan removes what an earlier run left
# there (a roster of the earlier plan, its sheets, a day's plan of a longer roster), and
# nothing else.
PLAN_OUTPUTS = ("schedule.json", "schedule-*.json", "routes.csv", "steps.csv", "routes.xlsx",
                "routes.geojson", "patrol.geojson", "routes.gpkg", "summary.md", "unassigned.csv",
                "report.html", "map.png", "gantt.png", "coverage.png", "roster.json",
                "roster.csv", "roster.xlsx", "uncovered.csv", "roster.png")
PLAN_FOLDERS = ("sheets", "sheets-*", "crew-sheets")


def remove_earlier_outputs(out: Path) -> list[Path]:
    """Delete the files an earlier plan wrote in ``out``; returns what was removed."""
    gone: list[Path] = []
    for pattern in PLAN_OUTPUTS:
        for path in out.glob(pattern):
            if path.is_file():
                path.unlink()
                gone.append(path)
    for pattern in PLAN_FOLDERS:
        for folder in out.glob(pattern):
            if folder.is_dir():
                for path in [*folder.glob("*.md"), *folder.glob("*.html")]:
                    path.unlink()
                    gone.append(path)
                if not any(folder.iterdir()):
                    folder.rmdir()
    return gone


def writable(out: Path) -> None:
    """Refuse an output folder that cannot be written, before any planning time is spent."""
    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".streetcrew-probe-"):
            pass
        if created:  # made again when there is something to write
            out.rmdir()
    except OSError as exc:
        raise InputError(None, "--out", "out", f"cannot write to {out}: "
                         f"{exc.strerror or exc}") from None


@contextlib.contextmanager
def staged(out: Path) -> Iterator[Path]:
    """A hidden folder in ``out`` to write a plan's files into; when the block ends, the
    earlier plan's files are removed and the new ones moved into place (``schedule.json``
    last), so a reader finds the earlier plan or the whole new one, never half a file. If
    the block fails, ``out`` is left as it was."""
    writable(out)
    out.mkdir(parents=True, exist_ok=True)
    for left in out.glob(".streetcrew-writing-*"):  # a write killed by a second Ctrl-C
        shutil.rmtree(left, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=".streetcrew-writing-", dir=out))
    try:
        yield tmp
        remove_earlier_outputs(out)
        entries = sorted(tmp.iterdir(), key=lambda p: p.name == "schedule.json")
        for entry in entries:
            target = out / entry.name
            if entry.is_dir():
                target.mkdir(exist_ok=True)
                for f in entry.iterdir():
                    os.replace(f, target / f.name)
            else:
                os.replace(entry, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def moved(files: Sequence[Path], tmp: Path, out: Path) -> list[Path]:
    """Where files written under ``tmp`` are once :func:`staged` has moved them to ``out``."""
    return [out / f.relative_to(tmp) for f in files]
