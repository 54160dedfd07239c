"""Files derived from a schedule: GeoJSON of the routes and printable route sheets.

Both are made from ``schedule.json`` plus the streets it was planned on; the
schedule stays the one source of truth.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from streetcrew.models.network import build_network
from streetcrew.models.schedule import Route, Schedule
from streetcrew.models.streets import Street, haversine_m
from streetcrew.models.io.write_streets import format_clock


def write_routes_geojson(
    schedule: Schedule, streets: Sequence[Street], path: Path, attribution: str | None = None
) -> Path:
    """One LineString per serve and per deadhead step, with vehicle, shift, type, times, street."""
    network = build_network(streets)
    by_id = {s.id: s for s in streets}
    features: list[dict[str, Any]] = []
    for route in schedule.routes:
        for seq, st in enumerate(route.steps):
            coords: list[tuple[float, float]] = []
            if st.type == "serve" and st.street in by_id:
                street = by_id[st.street]
                coords = list(street.coords)
                if st.from_node is not None:  # draw it in the direction it is swept
                    here = network.nodes[st.from_node]
                    if haversine_m(here, coords[-1]) < haversine_m(here, coords[0]):
                        coords.reverse()
            elif st.type == "deadhead" and len(st.path) >= 2:
                coords = [network.nodes[n] for n in st.path]
            if len(coords) < 2:
                continue
            features.append({
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [list(c) for c in coords]},
                "properties": {
                    "vehicle": route.vehicle, "shift": route.shift,
                    "vehicle_type": route.vehicle_type, "seq": seq,
                    "step": st.type, "street": st.street, "side": st.side,
                    "start": format_clock(st.start), "end": format_clock(st.end),
                    "distance_m": round(st.distance_m, 1),
                },
            })
    doc: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if attribution:
        doc["attribution"] = attribution
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def route_sheet(route: Route, streets: Sequence[Street]) -> str:
    """A printable Markdown sheet for the driver: ordered streets, sides, times, stops."""
    by_id = {s.id: s for s in streets}
    lines = [
        f"# Route sheet: {route.label} ({route.vehicle_type}), depot {route.depot}",
        "",
        f"Sweep {route.swept_m / 1000:.1f} km, drive empty {route.deadhead_m / 1000:.1f} km."
        + (f" **Overtime: {route.overtime_s / 60:.0f} min past the shift end.**"
           if route.overtime_s else ""),
        "",
        "| # | from | to | what | street | side |",
        "|---|---|---|---|---|---|",
    ]
    n = 0
    for st in route.steps:
        if st.type == "deadhead":
            continue
        n += 1
        street = by_id.get(st.street or "")
        name = (street.name or street.id) if street else ""
        what = {"serve": "sweep", "dump": f"dump at {st.facility}",
                "refill": f"fill water at {st.facility}", "break": "break",
                "start": f"leave {st.facility}", "end": f"back at {st.facility}"}[st.type]
        side = {"right": "right curb", "left": "left curb", "centre": "centre"}.get(
            st.side or "", "")
        lines.append(f"| {n} | {format_clock(st.start)} | {format_clock(st.end)} | {what} | "
                     f"{name} | {side} |")
    return "\n".join(lines) + "\n"
