"""A plan as one offline HTML page (``report.html``): its figures, an interactive map, the
day as a Gantt chart and the table of routes; the same for a patrol's walks; and a scenario
comparison page.

A dispatcher opens the page from a folder or an e-mail, often with no network: Leaflet 1.9.4
(BSD-2-Clause, vendored in ``assets/``), the styles and the data are inlined, and only a
``tiles`` URL template (a basemap) makes the page fetch anything. Leaflet's stylesheet
points at marker and layer-control PNGs; those rules are rewritten on the way in (markers
here are drawn, not pictures). Text from the inputs goes in escaped: ``html.escape`` into
the markup, and into the page's JSON block with ``</`` written ``<\\/``; the map's script
builds popups and labels with ``textContent``, never from markup.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from streetcrew.models.base import format_clock, hhmm
from streetcrew.models.coords import LABEL, WHO_USES, from_wgs84
from streetcrew.models.fleet import Fleet, Point
from streetcrew.models.patrol import Case
from streetcrew.models.schedule import Route, Schedule
from streetcrew.models.streets import Street
from streetcrew.solver.outputs.palette import UNASSIGNED_COLOUR, route_colour
from streetcrew.solver.outputs.schedule_files import route_features

# Distinct route colours; red is kept for unassigned work.
# Gantt: serve steps take the route's colour; the rest these (start/end: time at the depot)
STEP_STYLE = {"deadhead": ("#c7c7c7", "drive empty"), "dump": ("#3e2723", "dump"),
              "refill": ("#0d47a1", "fill water"), "break": ("#66bb6a", "break"),
              "start": ("#555555", "at the depot"), "end": ("#555555", "at the depot"),
              "breakdown": ("#e41a1c", "broke down")}
PATROL_WORDS = {"serve": "patrol", "deadhead": "walk between", "start": "at the meeting point",
                "end": "at the meeting point"}
FACILITY_COLOUR = {"dump": "#6d4c41", "water": "#1e88e5", "both": "#8e24aa"}
SIDES = {"right": "right curb", "left": "left curb", "centre": "centre", "both": "both curbs"}
FONTS = ('system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", '
         '"WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", sans-serif')
DIGITS = 6  # decimals of a coordinate: about 0.1 m

# Replaces the layer control's PNG icon (three stacked sheets).
_LAYERS_ICON = ("data:image/svg+xml,%3Csvg xmlns='http%3A%2F%2Fwww.w3.org%2F2000%2Fsvg' "
                "viewBox='0 0 26 26'%3E%3Cg fill='%23fff' stroke='%23555' stroke-width='1.5'%3E"
                "%3Cpath d='M13 15 3 10l10-5 10 5z' transform='translate(0 6)'/%3E"
                "%3Cpath d='M13 15 3 10l10-5 10 5z' transform='translate(0 3)'/%3E"
                "%3Cpath d='M13 15 3 10l10-5 10 5z'/%3E%3C/g%3E%3C/svg%3E")


def write_plan_report(schedule: Schedule, streets: Sequence[Street], fleet: Fleet, path: Path,
                      *, sheets: Sequence[Path] = (), tiles: str | None = None,
                      attribution: str | None = None, coords: str = "wgs84") -> Path:
    """``report.html`` of a sweeping plan: figures, map (a layer per route, depots,
    facilities, unassigned streets with their reasons), the day's Gantt chart and the routes.
    The map's points are in the coordinate system ``coords`` (that of the basemap ``tiles``:
    ``gcj02`` for Amap's), and the page says so.

    ``sheets``: the route sheets (as ``write_sheets`` names them), linked from each route's
    row relative to the page. ``tiles``: a URL template such as
    ``https://tile.openstreetmap.org/{z}/{x}/{y}.png`` for a basemap (the only thing the page
    would fetch); ``attribution`` (the ODbL line of OSM data) stays on the map.
    """
    if schedule.kind != "sweep":
        raise ValueError("write_plan_report takes a sweeping plan; a patrol's page is "
                         "write_patrol_report")
    s = schedule.summary
    by_id = {st.id: st for st in streets}
    colours = [route_colour(k) for k in range(len(schedule.routes))]
    points = [_point("depots", "Depots", d.at, [f"depot {d.id}"], d.id, "depot")
              for d in fleet.depots]
    points += [_point("facilities", "Facilities", f.at,
                      [f"{f.kind} {f.id}", f"open {format_clock(f.opens)}-"
                                           f"{format_clock(f.closes)}"],
                      f.id, FACILITY_COLOUR[f.kind]) for f in fleet.facilities]
    data = _map_data(schedule, streets, colours, points, tiles, attribution,
                     background=_background(streets, None), coords=coords)
    bound = s.driven_km_lower_bound
    driven = s.served_km + s.deadhead_km
    kpis = [
        ("routes used", f"{s.routes_used} of {len(fleet.vehicles)}"),
        ("km swept", f"{s.served_km:.1f}"),
        ("km driven empty", f"{s.deadhead_km:.1f} ({s.deadhead_pct:.1f} %)"),
        ("coverage", f"{s.coverage_pct:.1f} %"),
        ("unassigned", str(s.unassigned)),
        ("overtime", f"{s.overtime_s / 60:.0f} min"),
        ("cost", f"{s.cost:.2f}"),
        ("km driven", f"{driven:.1f}" + (f" (lower bound {bound:.1f})" if bound is not None
                                        else "")),
    ]
    shift_end = _shift_ends(schedule, fleet)
    title = f"Sweeping plan {schedule.date or '(no date)'}"
    roles = any(r.driver or r.helper for r in schedule.routes)
    head = ["route", "type", "depot", "start", "end", "km swept", "km empty", "cost",
            "overtime", *(("driver", "helper") if roles else ()), *(("sheet",) if sheets else ())]
    links, more = _sheet_links(schedule.routes, sheets, path)
    rows = []
    for k, r in enumerate(schedule.routes):
        cells = [_swatch(colours[k]) + _e(r.label), _e(r.vehicle_type or ""), _e(r.depot or ""),
                 hhmm(r.steps[0].start), hhmm(r.steps[-1].end),
                 f"{r.served_m / 1000:.1f}", f"{r.deadhead_m / 1000:.1f}", f"{r.cost:.2f}",
                 f"{r.overtime_s / 60:.0f} min" if r.overtime_s else ""]
        if roles:
            cells += [_e(r.driver or ""), _e(r.helper or "")]
        if sheets:
            cells.append(links[k])
        rows.append(cells)
    body = [
        _kpi_html(kpis),
        _map_html(attribution, coords),
        "<section><h2>The day</h2>" + _gantt(schedule.routes, colours, shift_end) + "</section>",
        "<section><h2>Routes</h2>" + _table(head, rows, range(5, 9)) + more + "</section>",
        _unassigned_html(schedule, by_id),
    ]
    return _write_page(path, title, _subtitle(schedule), body, data)


def write_patrol_report(schedule: Schedule, streets: Sequence[Street], path: Path, *,
                        priority: Mapping[str, float] | None = None,
                        cases: Sequence[Case] | None = None,
                        meeting_points: Mapping[str, Point] | None = None,
                        sheets: Sequence[Path] = (), tiles: str | None = None,
                        attribution: str | None = None, coords: str = "wgs84") -> Path:
    """``report.html`` of a patrol plan: the coverage map (walked streets thick, a layer per
    team; the other streets thin, coloured by ``priority`` when given), meeting points and
    cases, the patrol figures, the walks in time and a table of teams.

    ``streets``: the streets the walks were planned on (the walkable ones: the walks' node
    paths index their network). ``priority``: street id -> priority; ``meeting_points``:
    label (a volunteer id) -> place, volunteers meeting at one place share a marker.
    ``sheets``, ``tiles``, ``attribution`` and ``coords`` as for :func:`write_plan_report`.
    """
    if schedule.kind != "patrol" or schedule.patrol is None:
        raise ValueError("write_patrol_report takes a patrol schedule; a sweeping plan's page "
                         "is write_plan_report")
    k, s = schedule.patrol, schedule.summary
    colours = [route_colour(i) for i in range(len(schedule.routes))]
    points: list[dict[str, Any]] = []
    at_place: dict[tuple[float, float], list[str]] = {}
    for who, at in (meeting_points or {}).items():
        at_place.setdefault((at.lon, at.lat), []).append(who)
    for (lon, lat), names in at_place.items():
        points.append(_point("meeting", "Meeting points", Point(lon=lon, lat=lat),
                             ["meeting point", ", ".join(names)], None, "#ffffff"))
    for c in cases or ():
        points.append(_point("cases", "Cases", c.at,
                             [f"case {c.id}", c.kind, f"{c.age_days:g} day(s) old"], None,
                             "#ff9800", radius=4))
    data = _map_data(schedule, streets, colours, points, tiles, attribution,
                     background=_background(streets, priority), serve_weight=6,
                     coords=coords)
    kpis = [
        ("priority covered", f"{k.priority_covered_pct:.1f} % ({k.priority_covered:.0f} of "
                             f"{k.priority_total:.0f})"),
        ("of what is reachable", f"{k.covered_of_bound_pct:.1f} % of "
                                 f"{k.priority_upper_bound:.0f}"),
        ("must-cover met", f"{k.must_cover_met} of {k.must_cover}"),
        ("streets patrolled", f"{k.streets_patrolled} ({k.km_patrolled:.1f} km)"),
        ("coverage", f"{s.coverage_pct:.1f} % of the length to walk"),
        ("walked between", f"{s.deadhead_km:.1f} km ({s.deadhead_pct:.1f} %)"),
        ("volunteers used", f"{k.volunteers_used} of {k.volunteers}"),
        ("walk time", f"mean {k.mean_route_min:.0f} min, max {k.max_route_min:.0f} min"),
        ("cases", f"{k.cases_used} used, {len(k.cases_far)} too far from a street"),
        ("resting streets", str(k.streets_resting)),
        ("unassigned", str(s.unassigned)),
    ]
    head = ["team", "mode", "start", "end", "km patrolled", "km between",
            *(("sheet",) if sheets else ())]
    links, more = _sheet_links(schedule.routes, sheets, path)
    rows = []
    for i, r in enumerate(schedule.routes):
        cells = [_swatch(colours[i]) + _e(r.label), _e(r.mode or ""),
                 hhmm(r.steps[0].start), hhmm(r.steps[-1].end),
                 f"{r.served_m / 1000:.1f}", f"{r.deadhead_m / 1000:.1f}"]
        if sheets:
            cells.append(links[i])
        rows.append(cells)
    body = [
        _kpi_html(kpis),
        _map_html(attribution, coords),
        "<section><h2>The walks</h2>" + _gantt(schedule.routes, colours, {}) + "</section>",
        "<section><h2>Teams</h2>" + _table(head, rows, (4, 5)) + more + "</section>",
        _unassigned_html(schedule, {st.id: st for st in streets}),
    ]
    title = f"Patrol plan {schedule.date or '(no date)'}"
    return _write_page(path, title, _subtitle(schedule), body, data)


def write_compare_report(rows: Sequence[Mapping[str, Any]],
                         columns: Sequence[tuple[str, str, str]], path: Path, *,
                         seeds: int = 1, note: str = "",
                         title: str = "Scenario comparison") -> Path:
    """``comparison.html``: the comparison table (each KPI's mean over seeds, ± its spread,
    the change from base) and bar charts of cost and unassigned work per scenario.

    ``rows``: as ``solver.scenarios.compare.table`` makes them (a ``rank`` and the
    ``reasons`` work was left undone for, when they have them); ``columns``: (key, label,
    number format) per KPI, as ``KPI_COLUMNS``; ``note``: a line on the run.
    """
    cols = [c for c in columns if any(r.get(c[0]) is not None for r in rows)]
    ranked = any("rank" in r for r in rows)
    listed = any("reasons" in r for r in rows)  # every reason, below; else the main one here
    head = [*(("rank",) if ranked else ()), "scenario", *(label for _, label, _ in cols),
            "checked", *(() if listed else ("main reason left",))]
    body_rows = []
    for row in rows:
        cells = [*((str(row.get("rank", "")),) if ranked else ()), _e(str(row["scenario"]))]
        for key, _, spec in cols:
            v = row.get(key)
            if v is None:
                cells.append("-")
                continue
            text = format(v, spec)
            if seeds > 1 and row.get(key + "_spread") is not None:
                text += f" ± {format(row[key + '_spread'], spec)}"
            text = f'<span class="nw">{text}</span>'
            delta = row.get(key + "_vs_base")
            if row["scenario"] != "base" and delta is not None:
                text += (f' <span class="delta nw">({"+" if delta >= 0 else ""}'
                         f"{format(delta, spec)})</span>")
            cells.append(text)
        failed = row.get("failed", 0)
        cells.append(f'<span class="bad">FAILED ({failed} of {row.get("seeds", "?")})</span>'
                     if failed else "feasible" if row.get("feasible")
                     else '<span class="bad">VIOLATIONS</span>')
        if not listed:
            cells.append(_e(str(row.get("top_reason") or "-")))
        body_rows.append(cells)
    charts = "".join(_bar_chart(rows, key, label, spec) for key, label, spec in columns
                     if key in ("cost", "unassigned"))
    undone = "".join(
        f"<li><b>{_e(str(row['scenario']))}</b>: "
        + "; ".join(f"{n} x {_e(str(why))}" for why, n in row["reasons"].items()) + "</li>"
        for row in rows if row.get("reasons"))
    first = 2 if ranked else 1
    body = [
        "<section><h2>Scenarios</h2>"
        + _table(head, body_rows, [*range(first, first + len(cols)), *range(int(ranked))])
        + "</section>",
        f'<section><h2>Cost and unassigned work</h2><div class="charts">{charts}</div>'
        "</section>",
        f"<section><h2>Work left undone, by scenario (summed over seeds)</h2><ul>{undone}"
        "</ul></section>" if undone else "",
    ]
    return _write_page(path, title, note or f"{len(rows)} scenario(s), {seeds} seed(s) each",
                       body, None, source="the scenario runs")


# --- the map's data --------------------------------------------------------------------------


def _map_data(schedule: Schedule, streets: Sequence[Street], colours: Sequence[str],
              points: list[dict[str, Any]], tiles: str | None, attribution: str | None,
              background: dict[str, Any], serve_weight: float = 4, coords: str = "wgs84"
              ) -> dict[str, Any]:
    """Everything the map's script draws, as JSON: routes (their step lines with popup text),
    unassigned streets, points, the background streets, basemap and attribution; every point
    in the coordinate system ``coords``."""
    by_id = {st.id: st for st in streets}
    patrol = schedule.kind == "patrol"
    routes = []
    for k, (route, features) in enumerate(zip(schedule.routes,
                                              route_features(schedule, streets))):
        lines = []
        for f in features:
            p = f["properties"]
            lines.append(_feature(f["geometry"]["coordinates"], {
                "step": p["step"],
                "lines": _step_text(route, p, by_id.get(p["street"] or ""), patrol)}))
        km = route.served_m / 1000
        routes.append({
            "colour": colours[k],
            "name_html": f'<span class="swatch lc-route" style="background:{colours[k]}">'
                         f"</span>{_e(route.label)} <small>{km:.1f} km</small>",
            "features": lines,
        })
    unassigned: dict[str, list[str]] = {}
    for u in schedule.unassigned:
        unassigned.setdefault(u.street, []).append(
            f"{SIDES.get(u.side, u.side)}: {u.reason}" if u.side else u.reason)
    red = [_feature(by_id[sid].coords, {"lines": [_name(by_id[sid]), *why]})
           for sid, why in unassigned.items() if sid in by_id]
    return _in_system({
        "routes": routes,
        "serve_weight": serve_weight,
        "unassigned": red,
        "unassigned_name": f'<span class="swatch" style="background:{UNASSIGNED_COLOUR}">'
                           f"</span>unassigned ({len(schedule.unassigned)})",
        "unassigned_colour": UNASSIGNED_COLOUR,
        "points": points,
        "background": background,
        "labels": _labels(streets),
        "tiles": tiles,
        "attribution_html": _e(attribution) if attribution else None,
    }, coords)


def _in_system(data: dict[str, Any], coords: str) -> dict[str, Any]:
    """The map's data with every line and point moved from WGS-84 to ``coords``."""
    if coords == "wgs84":
        return data
    lines = [f for r in data["routes"] for f in r["features"]]
    for f in [*lines, *data["unassigned"], *data["background"]["features"]]:
        f["geometry"]["coordinates"] = [
            [round(v, DIGITS) for v in from_wgs84(c[0], c[1], coords)]
            for c in f["geometry"]["coordinates"]]
    for p in [*data["points"], *data["labels"]]:
        p["lon"], p["lat"] = (round(v, DIGITS) for v in from_wgs84(p["lon"], p["lat"], coords))
    return data


def _background(streets: Sequence[Street], priority: Mapping[str, float] | None
                ) -> dict[str, Any]:
    """Every street, thin: grey, or by priority (light to dark) with a popup when given."""
    if priority is None:
        return {"name": "all streets", "interactive": False,
                "features": [_feature(s.coords, {}) for s in streets]}
    top = max(priority.values(), default=1.0) or 1.0
    return {"name": "streets by priority", "interactive": True, "features": [
        _feature(s.coords, {"colour": _ramp(priority.get(s.id, 0.0) / top),
                            "lines": [_name(s), f"priority {priority.get(s.id, 0.0):.1f}"]})
        for s in streets]}


def _labels(streets: Sequence[Street]) -> list[dict[str, Any]]:
    """One name per named main road (its first segment's middle), so the map reads without a
    basemap."""
    seen: set[str] = set()
    out = []
    for s in streets:
        if s.name and s.name not in seen and s.road_class in ("trunk", "primary", "secondary"):
            seen.add(s.name)
            lon, lat = s.coords[len(s.coords) // 2]
            out.append({"text": s.name, "lon": round(lon, DIGITS), "lat": round(lat, DIGITS)})
    return out


def _ramp(x: float) -> str:
    """0..1 to a yellow-orange-red colour (light yellow at 0)."""
    stops = ((255, 237, 160), (254, 178, 76), (240, 59, 32), (128, 0, 38))
    x = min(1.0, max(0.0, x)) * (len(stops) - 1)
    i = min(int(x), len(stops) - 2)
    t = x - i
    r, g, b = (round(a + (c - a) * t) for a, c in zip(stops[i], stops[i + 1]))
    return f"#{r:02x}{g:02x}{b:02x}"


def _feature(coords: Sequence[Sequence[float]], props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "properties": props, "geometry": {
        "type": "LineString",
        "coordinates": [[round(c[0], DIGITS), round(c[1], DIGITS)] for c in coords]}}


def _point(group: str, group_name: str, at: Point, lines: list[str], label: str | None,
           colour: str, radius: float = 7) -> dict[str, Any]:
    """A marker: ``colour`` "depot" draws a square; ``label`` stays shown beside it."""
    return {"group": group, "group_name": group_name, "lon": round(at.lon, DIGITS),
            "lat": round(at.lat, DIGITS), "lines": lines, "label": label, "colour": colour,
            "radius": radius}


def _step_text(route: Route, p: Mapping[str, Any], street: Street | None,
               patrol: bool) -> list[str]:
    what = {"serve": "patrol" if patrol else "sweep",
            "deadhead": "walk between" if patrol else "drive empty"}[p["step"]]
    out = [f"{route.label}: {what}"]
    if p["step"] == "serve":
        where = _name(street) if street else str(p["street"])
        side = SIDES.get(p["side"] or "", "")
        out.append(where + (f", {side}" if side and not patrol else ""))
    out.append(f"{p['start']}-{p['end']}, {p['distance_m'] / 1000:.2f} km")
    return out


def _name(street: Street) -> str:
    """The street's name with its id (the id alone when it has no name)."""
    return f"{street.name} ({street.id})" if street.name else street.id


def _shift_ends(schedule: Schedule, fleet: Fleet) -> dict[int, int]:
    """Route index -> its vehicle shift's end (shifts of a vehicle id in fleet file order)."""
    shifts: dict[str, list[int]] = {}
    for v in fleet.vehicles:
        shifts.setdefault(v.id, []).append(v.shift_end)
    return {k: shifts[r.vehicle][r.shift] for k, r in enumerate(schedule.routes)
            if r.vehicle in shifts and r.shift < len(shifts[r.vehicle])}


def _sheet_links(routes: Sequence[Route], sheets: Sequence[Path], page: Path
                 ) -> tuple[list[str], str]:
    """A link per route to its sheet, relative to the page, and a line linking the sheets
    that belong to no one route (``all.html``).

    Sheets are named as ``write_sheets`` names them: ``<vehicle>`` (or ``<team>``), or
    ``<vehicle>-shift<n>`` for a vehicle with several shifts; of a route's ``.html`` and
    ``.md`` sheet, the HTML one is linked (a browser shows it as it prints).
    """
    by_stem: dict[str, list[Path]] = {}
    for sheet in sheets:
        by_stem.setdefault(Path(sheet).stem, []).append(Path(sheet))
    used: set[str] = set()
    links = []
    for r in routes:
        names = [f"{r.who}-shift{r.shift + 1}", *([r.who] if r.shift == 0 else [])]
        stem = next((n for n in names if n in by_stem), None)
        if stem is None:
            links.append("")
            continue
        used.add(stem)
        found = sorted(by_stem[stem], key=lambda f: f.suffix.lower() not in (".html", ".htm"))
        links.append(_link(found[0], page))
    rest = [_link(f, page) for stem, fs in by_stem.items() if stem not in used for f in fs]
    return links, (f'<p class="note">Sheets: {", ".join(rest)}</p>' if rest else "")


def _link(target: Path, page: Path) -> str:
    rel = Path(os.path.relpath(target.absolute(), page.absolute().parent)).as_posix()
    return f'<a href="{_e(quote(rel))}">{_e(target.name)}</a>'


# --- the page's markup -----------------------------------------------------------------------


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _swatch(colour: str) -> str:
    return f'<span class="swatch" style="background:{colour}"></span>'


def _subtitle(schedule: Schedule) -> str:
    checked = ("checked: feasible" if schedule.checked and not schedule.violations
               else f"{len(schedule.violations)} violation(s)" if schedule.violations
               else "not checked")
    again = schedule.replan
    told = (f"; re-planned at {hhmm(again.at)}"
            + (f" after {', '.join(map(str, again.events))}" if again.events else "")
            + ": the steps before are as planned") if again is not None else ""
    return (f"status {schedule.status}, {checked}, planned in {schedule.summary.solve_s:.0f} s"
            + told)


def _kpi_html(kpis: Sequence[tuple[str, str]]) -> str:
    cards = "".join(f'<div class="kpi"><div class="v">{_e(v)}</div><div class="k">{_e(k)}'
                    "</div></div>" for k, v in kpis)
    return f'<section class="kpis">{cards}</section>'


def _map_html(attribution: str | None, coords: str = "wgs84") -> str:
    credit = f'<p class="credit">Map data: {_e(attribution)}</p>' if attribution else ""
    if coords != "wgs84":
        credit += (f'<p class="note">Coordinates on this map: {LABEL[coords]} '
                   f"({WHO_USES[coords]}), to lie on a basemap in that system; schedule.json "
                   "stays WGS-84.</p>")
    return ('<section><h2>Map</h2><div id="map"></div><p class="hint">Solid: swept or '
            "patrolled; dashed: driven or walked without serving; red: unassigned. Click a "
            f"line for its street and times; the box on the right turns layers on and off."
            f"</p>{credit}</section>")


def _table(head: Sequence[str], rows: Sequence[Sequence[str]],
           numeric: Sequence[int] = ()) -> str:
    """Cells are markup already (escaped by the caller); the ``numeric`` columns (indices)
    are right-aligned."""
    def cls(i: int) -> str:
        return ' class="num"' if i in numeric else ""

    th = "".join(f"<th{cls(i)}>{_e(h)}</th>" for i, h in enumerate(head))
    body = "".join("<tr>" + "".join(f"<td{cls(i)}>{c}</td>" for i, c in enumerate(r)) + "</tr>"
                   for r in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _unassigned_html(schedule: Schedule, by_id: Mapping[str, Street]) -> str:
    if not schedule.unassigned:
        return "<section><h2>Unassigned</h2><p>None: all the work is in the routes.</p></section>"
    reasons: dict[str, int] = {}
    for u in schedule.unassigned:
        reasons[u.reason] = reasons.get(u.reason, 0) + 1
    summary = _table(["reason", "count"], [[_e(r), str(n)] for r, n in
                                           sorted(reasons.items(), key=lambda x: -x[1])], (1,))
    rows = [[_e(by_id[u.street].name if u.street in by_id and by_id[u.street].name else ""),
             _e(u.street), _e(SIDES.get(u.side, u.side)), _e(u.reason)]
            for u in schedule.unassigned]
    return (f"<section><h2>Unassigned ({len(schedule.unassigned)})</h2>{summary}"
            f"<details{' open' if len(rows) <= 25 else ''}><summary>every unassigned piece of "
            "work</summary>"
            f"{_table(['street', 'id', 'side', 'reason'], rows)}</details></section>")


def _gantt(routes: Sequence[Route], colours: Sequence[str], shift_end: Mapping[int, int]
           ) -> str:
    """The day as inline SVG: a row per route, a bar per step (hover: what, where, when),
    the shift's end as a red tick when known."""
    if not routes:
        return "<p>No routes.</p>"
    words = PATROL_WORDS if routes[0].vehicle is None else {}
    t0 = min(r.steps[0].start for r in routes) // 3600 * 3600
    t1 = max([r.steps[-1].end for r in routes] + list(shift_end.values()))
    t1 = max(t0 + 3600, math.ceil(t1 / 3600) * 3600)
    left, width, row_h, top = 110, 880, 22, 24
    height = top + row_h * len(routes) + 8

    def x(t: float) -> float:
        return round(left + (t - t0) / (t1 - t0) * width, 1)

    parts = [f'<svg class="gantt" viewBox="0 0 {left + width + 24} {height}" '
             f'role="img" aria-label="routes over the day">']
    hours = (t1 - t0) // 3600
    every = 1 if hours <= 14 else 2 if hours <= 28 else 4
    for h in range(0, hours + 1, every):
        t = t0 + h * 3600
        parts.append(f'<line x1="{x(t)}" y1="{top - 4}" x2="{x(t)}" y2="{height - 8}" '
                     'class="grid"/>'
                     f'<text x="{x(t)}" y="{top - 8}" class="tick">{format_clock(t)}</text>')
    for k, r in enumerate(routes):
        y = top + k * row_h
        parts.append(f'<g class="row"><text x="{left - 6}" y="{y + row_h * 0.68}" '
                     f'class="label">{_e(r.label)}</text>')
        for st in r.steps:
            if st.end <= st.start:
                continue
            fill, what = ((colours[k], "sweep") if st.type == "serve"
                          else STEP_STYLE[st.type])
            what = words.get(st.type, what)
            where = st.facility or st.street or ""
            tip = f"{r.label}: {what} {where} {format_clock(st.start)}-{format_clock(st.end)}"
            inset = 2 if st.type in ("serve", "deadhead") else 5
            parts.append(f'<rect x="{x(st.start)}" y="{y + inset}" '
                         f'width="{max(0.5, round(x(st.end) - x(st.start), 1))}" '
                         f'height="{row_h - 2 * inset}" fill="{fill}"><title>{_e(tip)}</title>'
                         "</rect>")
        if k in shift_end:
            parts.append(f'<line x1="{x(shift_end[k])}" y1="{y}" x2="{x(shift_end[k])}" '
                         f'y2="{y + row_h}" class="shift-end"><title>shift ends '
                         f"{format_clock(shift_end[k])}</title></line>")
        parts.append("</g>")
    parts.append("</svg>")
    used = {st.type for r in routes for st in r.steps if st.end > st.start}
    legend = [(colours[0], f"{words.get('serve', 'sweep')} (the route's colour)")]
    legend += [(c, words.get(kind, w)) for kind, (c, w) in STEP_STYLE.items()
               if kind in used and not (kind == "end" and "start" in used)]
    keys = "".join(f"<span>{_swatch(c)}{_e(w)}</span>" for c, w in legend)
    if shift_end:
        keys += '<span><span class="swatch tick-red"></span>shift end</span>'
    return "".join(parts) + f'<div class="legend">{keys}</div>'


def _bar_chart(rows: Sequence[Mapping[str, Any]], key: str, label: str, spec: str) -> str:
    """One bar per scenario (base grey), the spread over seeds as a whisker; a scenario with
    no value (every plan failed) gets "no plan" instead of a bar."""
    values = [r.get(key) for r in rows]
    top = max([v + (r.get(f"{key}_spread") or 0) / 2 for v, r in zip(values, rows)
               if v is not None] + [0.0]) or 1.0
    bar, gap, h, base_y = 44, 16, 160, 190
    width = 50 + len(rows) * (bar + gap) + 90  # room for the last slanted name
    parts = [f'<figure class="chart"><figcaption>{_e(label)}</figcaption>'
             f'<svg viewBox="0 0 {width} {base_y + 70}" width="{width}" role="img" '
             f'aria-label="{_e(label)} per scenario">'
             f'<line x1="40" y1="{base_y}" x2="{width - 80}" y2="{base_y}" class="axis"/>']
    for i, (row, v) in enumerate(zip(rows, values)):
        x0 = 50 + i * (bar + gap)
        name = str(row["scenario"])
        if v is None:
            parts.append(f'<text x="{x0 + bar / 2}" y="{base_y - 6}" class="val">no plan</text>')
        else:
            bh = round(v / top * h, 1)
            fill = "#7f8c8d" if name == "base" else "#2e86c1"
            parts.append(f'<rect x="{x0}" y="{base_y - bh}" width="{bar}" height="{bh}" '
                         f'fill="{fill}"><title>{_e(name)}: {format(v, spec)}</title></rect>')
            spread = row.get(f"{key}_spread") or 0
            if spread:
                y_hi = round(base_y - (v + spread / 2) / top * h, 1)
                y_lo = round(base_y - max(0.0, v - spread / 2) / top * h, 1)
                parts.append(f'<line x1="{x0 + bar / 2}" y1="{y_hi}" x2="{x0 + bar / 2}" '
                             f'y2="{y_lo}" class="whisker"/>')
            parts.append(f'<text x="{x0 + bar / 2}" y="{base_y - bh - 4}" class="val">'
                         f"{format(v, spec)}</text>")
        parts.append(f'<text x="{x0 + bar / 2}" y="{base_y + 12}" class="name" '
                     f'transform="rotate(30 {x0 + bar / 2} {base_y + 12})">'
                     f"{_e(name if len(name) <= 16 else name[:15] + '…')}<title>{_e(name)}"
                     "</title></text>")
    return "".join(parts) + "</svg></figure>"


# --- the page --------------------------------------------------------------------------------


def _asset(name: str) -> str:
    return (files("streetcrew.solver.outputs") / "assets" / name).read_text(encoding="utf-8")


def _leaflet_css() -> str:
    """Leaflet's stylesheet with its image references rewritten: the layer control's icon
    as inline SVG, the default marker's path (only read when a default marker is made, and
    none is) dropped, so the page asks for no file; comments (one cites a URL) dropped."""
    css = re.sub(r"/\*.*?\*/", "", _asset("leaflet.css"), flags=re.S)
    css = css.replace("url(images/layers.png)", f'url("{_LAYERS_ICON}")')
    css = css.replace("url(images/layers-2x.png)", f'url("{_LAYERS_ICON}")')
    return css.replace("background-image: url(images/marker-icon.png);", "")


def _script_json(data: Any) -> str:
    """JSON for a ``<script type="application/json">`` block: ``</`` and ``<!--`` cannot end
    or confuse the block (both escapes are valid JSON)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "\\u003c!--")


def _inline(text: str, tag: str) -> str:
    if f"</{tag}" in text.lower():
        raise ValueError(f"an inlined {tag} may not contain </{tag}")
    return f"<{tag}>\n{text}\n</{tag}>"


def _policy(data: dict[str, Any] | None) -> str:
    """The page's Content-Security-Policy: inline styles and scripts and ``data:`` images
    only, plus the basemap's host when there is one. The browser then refuses any other load
    (and says so on the console), whatever a library or an input tries."""
    images = "data:"
    tiles = data.get("tiles") if data else None
    if tiles:
        url = urlsplit(tiles)
        host = re.sub(r"^\{[^}]*\}\.", "*.", url.netloc)  # {s}.tile... -> *.tile...
        images += f" {url.scheme}:" if "{" in host else f" {url.scheme}://{host}"
    return ("default-src 'none'; style-src 'unsafe-inline'; "
            + ("script-src 'unsafe-inline'; " if data is not None else "")
            + f"img-src {images}")


def _write_page(path: Path, title: str, subtitle: str, body: Sequence[str],
                data: dict[str, Any] | None, source: str = "the plan's schedule.json") -> Path:
    """One file: markup, styles, and (with ``data``) Leaflet, the data and the map script."""
    scripts = ""
    styles = _inline(PAGE_CSS, "style")
    if data is not None:
        styles = _inline(_leaflet_css(), "style") + "\n" + styles
        scripts = ("<!-- Leaflet 1.9.4 (leafletjs.com), under this licence:\n"
                   + _asset("leaflet-LICENSE").replace("--", "- -") + "-->\n"
                   + f'<script type="application/json" id="report-data">{_script_json(data)}'
                   "</script>\n" + _inline(_asset("leaflet.js"), "script") + "\n"
                   + _inline(MAP_JS, "script"))
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_e(_policy(data))}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n{styles}\n</head>\n<body>\n"
        f"<header><h1>{_e(title)}</h1><p class=\"sub\">{_e(subtitle)}</p></header>\n"
        + "\n".join(b for b in body if b)
        + f"\n<footer>Made by streetcrew from {_e(source)}"
        + (" (map: Leaflet 1.9.4, BSD-2-Clause)" if data is not None else "")
        + ".</footer>\n" + scripts + "\n</body>\n</html>\n")
    path.write_text(page, encoding="utf-8")
    return path


PAGE_CSS = ":root { --fonts: " + FONTS + "; }" + """
body { font-family: var(--fonts); margin: 0 auto; max-width: 1200px; padding: 0 16px 24px;
  color: #222; }
.leaflet-container { font-family: var(--fonts); }
h1 { margin: 16px 0 2px; font-size: 1.6em; }
h2 { font-size: 1.2em; margin: 22px 0 8px; border-bottom: 1px solid #ddd; }
.sub, .hint, .credit, .note, footer { color: #555; font-size: 0.9em; }
.kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 8px;
  margin-top: 14px; }
.kpi { border: 1px solid #ddd; border-radius: 6px; padding: 8px 10px; }
.kpi .v { font-size: 1.25em; font-weight: 600; }
.kpi .k { color: #666; font-size: 0.85em; }
#map { height: 70vh; min-height: 420px; max-height: 820px; border: 1px solid #ccc;
  background: #fafafa; }
.street-name { color: #444; font-size: 11px; white-space: nowrap;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff; pointer-events: none; }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 5px;
  vertical-align: -1px; border-radius: 2px; }
.tick-red { background: #e41a1c; width: 3px; }
table { border-collapse: collapse; font-size: 0.9em; margin: 4px 0 10px; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 3px 8px; text-align: left;
  vertical-align: top; }
th { background: #f4f4f4; }
td.num, th.num { text-align: right; }
.nw { white-space: nowrap; }
.delta { color: #666; }
.bad { color: #c0392b; font-weight: 600; }
svg.gantt { width: 100%; height: auto; font-size: 11px; }
svg.gantt .grid { stroke: #e6e6e6; }
svg.gantt .tick { text-anchor: middle; fill: #666; }
svg.gantt .label { text-anchor: end; fill: #222; }
svg.gantt .shift-end { stroke: #e41a1c; stroke-width: 2; }
.legend { font-size: 0.85em; color: #444; }
.legend > span { margin-right: 14px; white-space: nowrap; }
.charts { display: flex; flex-wrap: wrap; gap: 24px; }
.chart figcaption { font-weight: 600; }
.chart svg { font-size: 11px; max-width: 100%; height: auto; }
.chart .axis { stroke: #888; }
.chart .whisker { stroke: #222; stroke-width: 1.5; }
.chart .val { text-anchor: middle; fill: #222; }
.chart .name { fill: #222; }
.pt-depot { background: #212121; border: 2px solid #fff; box-shadow: 0 0 2px #000; }
.leaflet-tooltip.pt-label { font-weight: 600; padding: 1px 5px; }
@media print {
  body { max-width: none; padding: 0; }
  #map { height: 16cm; min-height: 0; page-break-inside: avoid; }
  .leaflet-control-layers, .leaflet-control-zoom, .hint { display: none; }
  .leaflet-control-attribution { display: block !important; }
  section { page-break-inside: avoid; }
  table { page-break-inside: auto; }
  tr { page-break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""

# The map: reads the JSON block, draws every layer, and marks the page ready (the browser
# test reads that mark: a script that throws never sets it). Text goes in by textContent.
MAP_JS = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  function text(lines) {
    var box = document.createElement("div");
    lines.forEach(function (line, i) {
      if (i) { box.appendChild(document.createElement("br")); }
      box.appendChild(document.createTextNode(line));
    });
    return box;
  }
  function popup(layer) { return text(layer.feature.properties.lines); }
  var map = L.map("map", {attributionControl: false, zoomSnap: 0.25, zoomDelta: 0.5});
  var credit = L.control.attribution({prefix: "Leaflet"}).addTo(map);
  if (data.attribution_html) { credit.addAttribution(data.attribution_html); }
  var bases = {}, overlays = {}, bounds = L.latLngBounds([]);
  if (data.tiles) {
    bases["basemap"] = L.tileLayer(data.tiles, {maxZoom: 19}).addTo(map);
  }
  var bg = data.background;
  var streets = L.geoJSON(bg.features, {
    interactive: bg.interactive,
    style: function (f) {
      return {color: f.properties.colour || "#b5b5b5", weight: bg.interactive ? 2 : 1.2,
              opacity: 0.9};
    }
  });
  if (bg.interactive) { streets.bindPopup(popup); }
  streets.addTo(map);
  overlays[bg.name] = streets;
  bounds.extend(streets.getBounds());
  data.routes.forEach(function (route, k) {
    var layer = L.geoJSON(route.features, {
      style: function (f) {
        var serve = f.properties.step === "serve";
        return {color: route.colour, weight: serve ? data.serve_weight : 2,
                opacity: serve ? 0.9 : 0.8, dashArray: serve ? null : "6 5",
                className: "route route-" + k + (serve ? " serve" : " deadhead")};
      }
    });
    layer.bindPopup(popup).addTo(map);
    overlays[route.name_html] = layer;
    bounds.extend(layer.getBounds());
  });
  if (data.unassigned.length) {
    var red = L.geoJSON(data.unassigned, {
      style: function () {
        return {color: data.unassigned_colour, weight: 5, opacity: 0.85,
                className: "unassigned"};
      }
    });
    red.bindPopup(popup).addTo(map);
    overlays[data.unassigned_name] = red;
    bounds.extend(red.getBounds());
  }
  if (data.labels.length) {
    var names = L.layerGroup(data.labels.map(function (n) {
      var label = document.createElement("span");
      label.textContent = n.text;
      return L.marker([n.lat, n.lon], {interactive: false, keyboard: false,
        icon: L.divIcon({className: "street-name", html: label, iconSize: null})});
    })).addTo(map);
    overlays["street names"] = names;
  }
  var groups = {};
  data.points.forEach(function (p) {
    var at = [p.lat, p.lon], marker;
    if (p.colour === "depot") {
      marker = L.marker(at, {icon: L.divIcon({className: "pt-depot", iconSize: [14, 14]}),
                             keyboard: false});
    } else {
      marker = L.circleMarker(at, {radius: p.radius, color: "#222", weight: 1.5,
                                   fillColor: p.colour, fillOpacity: 1});
    }
    marker.bindPopup(text(p.lines));
    marker.bindTooltip(text(p.label ? [p.label] : p.lines),
                       {permanent: !!p.label, direction: "right", offset: [8, 0],
                        className: p.label ? "pt-label" : ""});
    if (!groups[p.group]) {
      groups[p.group] = L.layerGroup().addTo(map);
      overlays[p.group_name] = groups[p.group];
    }
    groups[p.group].addLayer(marker);
    bounds.extend(at);
  });
  L.control.layers(bases, overlays, {collapsed: false}).addTo(map);
  L.control.scale({imperial: false}).addTo(map);
  if (bounds.isValid()) {
    map.fitBounds(bounds, {padding: [16, 16]});
  } else {
    map.setView([0, 0], 2);
  }
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });
  document.body.setAttribute("data-map", "ready");
})();
"""
