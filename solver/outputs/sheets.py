"""Route sheets a driver (or a patrol volunteer) can follow, as Markdown and printable HTML.

A schedule lists one step per street segment, as the network cuts streets at every
junction. A sheet reads the way a driver does: one row per run along one street and kerb
(consecutive segments merged), from which cross street to which, the heading, the clock
times and the kilometres; the drive there as turn-by-turn lines ("right onto 汉中路,
350 m"); the stops (dump, water, break) with the facility's name. The kerb is the one on
the driver's hand (a step's ``side`` refers to the direction the street was drawn in), and
a street without a name is described by the named streets it leaves from and leads to.
The words are English unless a :class:`~streetcrew.solver.outputs.lang.Lang` says otherwise
(``write_sheets(..., lang="zh")``; the :class:`Map` carries it to every line).

Pure functions of the schedule and the streets: no engine, no network search.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from streetcrew.models.base import hhmm
from streetcrew.models.network import StreetNetwork, build_network
from streetcrew.models.schedule import Route, Schedule
from streetcrew.models.streets import Street, haversine_m
from streetcrew.solver.outputs.lang import EN, Lang, lang_of

HEADINGS = ("north", "north-east", "east", "south-east", "south", "south-west", "west",
            "north-west")


def bearing(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Compass bearing in degrees (0 north, 90 east) from ``a`` to ``b`` ((lon, lat))."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    y = math.sin(lon2 - lon1) * math.cos(lat2)
    x = math.cos(lat1) * math.sin(lat2) - math.sin(lat1) * math.cos(lat2) * math.cos(lon2 - lon1)
    return math.degrees(math.atan2(y, x)) % 360


def heading(deg: float) -> str:
    return HEADINGS[int((deg + 22.5) // 45) % 8]


def turn_word(before: float, after: float) -> str:
    """The turn from one bearing to the next as a driver says it."""
    delta = (after - before + 540) % 360 - 180  # -180..180, positive = clockwise = right
    if abs(delta) < 25:
        return "straight on"
    if abs(delta) > 155:
        return "turn round"
    if delta > 0:
        return "bear right" if delta < 60 else "right"
    return "bear left" if delta > -60 else "left"


class Map:
    """What a sheet needs of the streets: names, geometry by travel direction, who meets where,
    and the language they are told in."""

    def __init__(self, streets: Sequence[Street], network: StreetNetwork | None = None,
                 lang: Lang | str = EN) -> None:
        self.lang = lang_of(lang)
        self.streets = list(streets)
        self.network = network or build_network(self.streets)
        self.index = {s.id: k for k, s in enumerate(self.streets)}
        self.at_node: dict[int, list[int]] = {}
        self.between: dict[tuple[int, int], int] = {}
        for k, lk in enumerate(self.network.links):
            self.at_node.setdefault(lk.u, []).append(k)
            self.at_node.setdefault(lk.v, []).append(k)
            for a, b in ((lk.u, lk.v), (lk.v, lk.u)):
                old = self.between.get((a, b))
                if old is None or lk.length_m < self.network.links[old].length_m:
                    self.between[(a, b)] = k

    def coords(self, k: int, start: int | None) -> list[tuple[float, float]]:
        """Street ``k``'s points in the order driven when entered at node ``start``."""
        pts = list(self.streets[k].coords)
        if start is not None and self.drawn_backwards(k, start):
            pts.reverse()
        return pts

    def drawn_backwards(self, k: int, start: int) -> bool:
        pts = self.streets[k].coords
        here = self.network.nodes[start]
        return haversine_m(here, pts[-1]) < haversine_m(here, pts[0])

    def names_at(self, node: int, besides: str) -> list[str]:
        """Named streets meeting at ``node`` other than ``besides``, the longest first."""
        found: dict[str, float] = {}
        for k in self.at_node.get(node, []):
            s = self.streets[k]
            if s.name and s.name != besides:
                found[s.name] = max(found.get(s.name, 0.0), self.network.links[k].length_m)
        return sorted(found, key=lambda n: -found[n])

    def nearest_name(self, node: int, besides: str, hops: int = 4) -> str | None:
        """The closest named street (by junctions passed) other than ``besides``."""
        seen, frontier = {node}, [node]
        for _ in range(hops):
            names = [n for x in frontier for n in self.names_at(x, besides)]
            if names:
                return names[0]
            nxt = []
            for x in frontier:
                for k in self.at_node.get(x, []):
                    lk = self.network.links[k]
                    for y in (lk.u, lk.v):
                        if y not in seen:
                            seen.add(y)
                            nxt.append(y)
            frontier = nxt
        return None

    def corner(self, node: int) -> str:
        """A junction as people name it: "the corner of 华侨路 and 中山路"."""
        names = self.names_at(node, "")
        if len(names) >= 2:
            return self.lang("the corner of {a} and {b}", a=names[0], b=names[1])
        if names:
            return names[0]
        near = self.nearest_name(node, "")
        return (self.lang("a side street off {near}", near=near) if near
                else self.lang("the meeting point"))

    def describe(self, k: int, start: int | None = None, end: int | None = None) -> str:
        """A street's name, or where an unnamed one is ("unnamed road off 上海路 near 华侨路")."""
        s = self.streets[k]
        if s.name:
            return s.name
        lk = self.network.links[k]
        a = self.nearest_name(start if start is not None else lk.u, "")
        b = self.nearest_name(end if end is not None else lk.v, a or "")
        if a and b:
            return self.lang("unnamed road off {a} near {b}", a=a, b=b)
        if a or b:
            return self.lang("unnamed road off {a}", a=a or b)
        lon, lat = s.coords[len(s.coords) // 2]
        return self.lang("unnamed {road_class} road at {lat}, {lon}",
                         road_class=self.lang(s.road_class), lat=f"{lat:.5f}", lon=f"{lon:.5f}")


# ------------------------------------------------------------------ the rows of a sheet


@dataclass
class Run:
    """Consecutive serve steps along one street name and kerb (short drives along the same
    street in between, where another vehicle sweeps, included as ``gap_m``)."""

    name: str
    kerb: str
    start: int
    end: int
    metres: float
    nodes: list[int]  # first node, then each segment's end
    turn: str = ""  # how it is entered from the street before, within a stretch
    gap_m: float = 0.0


@dataclass
class Row:
    """One numbered row: a stretch of sweeping without an empty drive, or a stop."""

    kind: str  # sweep, start, stop, end
    start: int
    end: int
    what: str
    runs: list[Run] = field(default_factory=list)
    drive: list[str] = field(default_factory=list)  # turn-by-turn lines to get here
    drive_m: float = 0.0

    @property
    def metres(self) -> float:
        return sum(r.metres for r in self.runs)


def _kerb(side: str | None, backwards: bool, walking: bool) -> str:
    if side == "centre" or side is None:
        return "" if walking else "centre line"
    if backwards:
        side = "left" if side == "right" else "right"
    return f"{side}-hand {'side' if walking else 'kerb'}"


def _path_names(m: Map, path: Sequence[int]) -> set[str]:
    return {m.describe(k) for a, b in zip(path, path[1:])
            if (k := m.between.get((a, b))) is not None}


def drive_lines(m: Map, path: Sequence[int], arriving: float | None, walking: bool = False
                ) -> tuple[list[str], float]:
    """Turn-by-turn lines along a node path and its length: one line per street name."""
    legs: list[tuple[str, float, float, float]] = []  # name, metres, first and last bearing
    for a, b in zip(path, path[1:]):
        k = m.between.get((a, b))
        if k is None:
            continue
        pts = m.coords(k, a)
        first, last = bearing(pts[0], pts[1]), bearing(pts[-2], pts[-1])
        name = m.describe(k, a, b)
        metres = m.network.links[k].length_m
        if legs and legs[-1][0] == name:
            legs[-1] = (name, legs[-1][1] + metres, legs[-1][2], last)
        else:
            legs.append((name, metres, first, last))
    lines = []
    before = arriving
    say = m.lang
    for name, metres, first, last in legs:
        dist = _dist(metres, say)
        if before is None:
            lines.append(say("walk {heading} on {name}, {dist}" if walking
                             else "drive {heading} on {name}, {dist}",
                             heading=say(heading(first)), name=name, dist=dist))
        elif (word := turn_word(before, first)) == "straight on":
            lines.append(say("continue on {name}, {dist}", name=name, dist=dist))
        else:
            lines.append(say("{turn} onto {name}, {dist}", turn=say(word), name=name, dist=dist))
        before = last
    return lines, sum(leg[1] for leg in legs)


def _dist(metres: float, say: Lang = EN) -> str:
    if metres >= 1000:
        return say("{km} km", km=f"{metres / 1000:.1f}")
    return say("{m} m", m=f"{max(10, round(metres, -1)):.0f}")


def sheet_rows(route: Route, m: Map, walking: bool = False) -> list[Row]:
    """The route as rows: stretches of sweeping (a run per street and kerb, the turns
    between them) each with the empty drive that leads to it, and the stops."""
    rows: list[Row] = []
    pending: list[int] = []  # nodes driven empty since the last run or stop
    arriving: float | None = None  # bearing at the end of the last street swept or driven
    for st in route.steps:
        if st.type == "deadhead":
            if st.distance_m > 0 and len(st.path) > 1:
                pending.extend(st.path if not pending else st.path[1:])
            continue
        if st.type != "serve":
            lines, metres = drive_lines(m, pending, arriving, walking)
            pending = []
            what = {"start": "leave", "end": "back at", "dump": "empty the hopper at",
                    "refill": "fill water at", "break": "break, {min} min",
                    "breakdown": "broke down here: wait for the tow"}[st.type]
            where = st.facility or ""
            if not where and st.type in ("start", "end") and st.from_node is not None:
                what = "meet at" if st.type == "start" else "back at"
                where = m.corner(st.from_node)
            text = m.lang(what + " {where}" if where else what, where=where,
                          min=round((st.end - st.start) / 60))
            rows.append(Row("stop" if st.type not in ("start", "end") else st.type, st.start,
                            st.end, text, drive=lines, drive_m=metres))
            if st.type == "start":
                arriving = None
            continue
        k = m.index.get(st.street or "")
        if k is None or st.from_node is None:
            continue
        to = st.to_node if st.to_node is not None else st.from_node
        name = m.describe(k, st.from_node, to)
        kerb = _kerb(st.side, m.drawn_backwards(k, st.from_node), walking)
        pts = m.coords(k, st.from_node)
        last = rows[-1] if rows and rows[-1].kind == "sweep" else None
        run = last.runs[-1] if last else None
        along = not pending or _path_names(m, pending) == {name}
        if run and run.name == name and run.kerb == kerb and along \
                and (run.nodes[-1] == st.from_node or pending):
            gap = sum(m.network.links[k2].length_m for a, b in zip(pending, pending[1:])
                      if (k2 := m.between.get((a, b))) is not None)
            run.end, run.metres, run.gap_m = st.end, run.metres + st.distance_m, run.gap_m + gap
            run.nodes.append(to)
            last.end = st.end  # type: ignore[union-attr]
        elif last and not pending:
            turn = turn_word(arriving, bearing(pts[0], pts[1])) if arriving is not None else ""
            last.runs.append(Run(name, kerb, st.start, st.end, st.distance_m,
                                 [st.from_node, to], turn))
            last.end = st.end
        else:
            lines, metres = drive_lines(m, pending, arriving, walking)
            rows.append(Row("sweep", st.start, st.end, "patrol" if walking else "sweep",
                            [Run(name, kerb, st.start, st.end, st.distance_m,
                                 [st.from_node, to])], lines, metres))
        pending = []
        arriving = bearing(pts[-2], pts[-1])
    return rows


def run_text(m: Map, run: Run, prev: str | None = None, walking: bool = False) -> str:
    """One run as a line: the turn into it, street, kerb, cross streets, heading, length."""
    first, last = run.nodes[0], run.nodes[-1]
    a = m.names_at(first, run.name)
    b = m.names_at(last, run.name)
    start, stop = m.network.nodes[first], m.network.nodes[last]
    say = m.lang
    if run.turn == "straight on":
        text = say("continue on {name}" if run.name == prev else "straight on into {name}",
                   name=run.name)
    else:
        text = say("{turn} onto {name}", turn=say(run.turn), name=run.name) if run.turn \
            else run.name
    if run.kerb:
        text += say(", {kerb}", kerb=say(run.kerb))
    if a or b:
        text += say(", from {a} to {b}", a=a[0] if a else say("its end"),
                    b=b[0] if b else say("its end"))
    if haversine_m(start, stop) > 20:
        text += say(", heading {heading}", heading=say(heading(bearing(start, stop))))
    text += say(", {dist}", dist=_dist(run.metres, say))
    if run.gap_m >= 10:
        text += say(" ({gap} of it only passed along)" if walking
                    else " (drive {gap} of it without sweeping)", gap=_dist(run.gap_m, say))
    return text


# ------------------------------------------------------------------ Markdown and HTML


@dataclass
class SheetInfo:
    """What the header says besides the route: the date and the people."""

    date: dt.date | None = None
    names: dict[str, str] = field(default_factory=dict)  # person id -> name
    notes: list[str] = field(default_factory=list)  # e.g. cases to look at on a walk


def _people(route: Route, info: SheetInfo, say: Lang = EN) -> list[tuple[str, str]]:
    """(role, who) pairs; the role is an English key (see :func:`_field`)."""

    def who(ident: str | None) -> str:
        if not ident:
            return "________________"
        name = info.names.get(ident)
        return say("{name} ({ident})", name=name, ident=ident) if name and name != ident \
            else ident

    if route.team is not None:
        return [("volunteers", say(", ").join(who(p) for p in route.team.split("+")))]
    out = [("driver", who(route.driver))]
    if route.helper or route.vehicle_type:
        out.append(("helper", who(route.helper)))
    return out


def _base(route: Route, m: Map) -> str:
    if route.depot:
        return route.depot
    first = route.steps[0].from_node if route.steps else None
    return m.corner(first) if first is not None else "-"


def _title(route: Route, say: Lang = EN) -> str:
    if route.team is not None:
        return say("Walk sheet: {label} ({mode})", label=route.label,
                   mode=say(route.mode or "walk"))
    return say("Route sheet: {label} ({type})", label=route.label, type=route.vehicle_type)


def _field(say: Lang, key: str, value: str) -> str:
    """A header line: ``date: 2026-11-27``, ``日期：2026-11-27``."""
    return say("{key}: {value}", key=say(key), value=value)


def _totals(route: Route, walking: bool, say: Lang = EN) -> str:
    first, last = route.steps[0], route.steps[-1]
    times = {"start": hhmm(first.start), "end": hhmm(last.end),
             "km": f"{route.served_m / 1000:.1f}", "empty": f"{route.deadhead_m / 1000:.1f}"}
    if walking:
        return say("{start}-{end}: patrol {km} km of streets, ride {empty} km between them"
                   if route.mode == "bike" else
                   "{start}-{end}: patrol {km} km of streets, walk {empty} km between them",
                   **times)
    stops = Counter(st.type for st in route.steps)
    text = say("{start}-{end}: sweep {km} km, drive {empty} km empty, {all} km in all; "
               "{dumps} dump and {water} water stop(s)", **times,
               all=f"{(route.served_m + route.deadhead_m) / 1000:.1f}", dumps=stops["dump"],
               water=stops["refill"])
    if route.overtime_s:
        text += say("; **{min} min past the shift end**", min=f"{route.overtime_s / 60:.0f}")
    return text


def markdown_sheet(route: Route, m: Map, info: SheetInfo | None = None) -> str:
    info = info or SheetInfo()
    walking = route.team is not None
    rows = sheet_rows(route, m, walking)
    say = m.lang
    lines = [f"# {_title(route, say)}", ""]
    lines.append(f"- {_field(say, 'date', _date(info))}")
    lines.append(f"- {_field(say, 'meeting point' if walking else 'depot', _base(route, m))}")
    lines += [f"- {_field(say, role, who)}" for role, who in _people(route, info, say)]
    lines.append(f"- {_totals(route, walking, say)}")
    lines += [f"- {note}" for note in info.notes]
    lines += ["", f"| # | {' | '.join(_heads(say))} |", "|---|---|---|---|---|"]
    for i, r in enumerate(rows, 1):
        get = say("; ").join(r.drive)
        do = say("; then ").join(_runs(m, r)) if r.runs else r.what
        km = f"{r.metres / 1000:.2f}" if r.runs else ""
        lines.append(f"| {i} | {_when(r)} | {_cell(get)} | {_cell(do)} | {km} |")
    return "\n".join(lines) + "\n"


def _runs(m: Map, r: Row) -> list[str]:
    walking = r.what != "sweep"
    return [run_text(m, run, r.runs[i - 1].name if i else None, walking)
            for i, run in enumerate(r.runs)]


def _date(info: SheetInfo) -> str:
    return info.date.isoformat() if info.date else "____-__-__"


def _heads(say: Lang) -> list[str]:
    return [say("time"), say("get there"), say("do"), say("km")]


def _when(r: Row) -> str:
    return hhmm(r.start) + (f"-{hhmm(r.end)}" if hhmm(r.end) != hhmm(r.start) else "")


def _cell(text: str) -> str:
    return text.replace("|", "/")


CSS = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
       "Microsoft YaHei", "PingFang SC", "DejaVu Sans", sans-serif; margin: 1.5em; }
h1 { font-size: 1.3em; margin: 0 0 .3em; }
ul.head { list-style: none; padding: 0; margin: 0 0 .8em; }
table { border-collapse: collapse; width: 100%; font-size: .9em; }
th, td { border: 1px solid #999; padding: .25em .4em; vertical-align: top; text-align: left; }
th { background: #eee; }
td.n, td.km, td.t { white-space: nowrap; }
td.get { color: #333; font-size: .92em; }
tr.stop td { background: #f6f1e7; }
.sheet { page-break-after: always; break-after: page; }
.sheet:last-child { page-break-after: auto; break-after: auto; }
@media print { body { margin: 0; font-size: 10pt; } a { color: inherit; text-decoration: none; } }
"""


def html_sheet_body(route: Route, m: Map, info: SheetInfo | None = None) -> str:
    info = info or SheetInfo()
    walking = route.team is not None
    e = html.escape
    say = m.lang
    out = [f'<section class="sheet"><h1>{e(_title(route, say))}</h1><ul class="head">',
           f"<li>{e(_field(say, 'date', _date(info)))}</li>",
           f"<li>{e(_field(say, 'meeting point' if walking else 'depot', _base(route, m)))}"
           "</li>"]
    out += [f"<li>{e(_field(say, role, who))}</li>" for role, who in _people(route, info, say)]
    out.append(f"<li>{e(_totals(route, walking, say).replace('**', ''))}</li>")
    out += [f"<li>{e(n)}</li>" for n in info.notes]
    out.append("</ul><table><tr><th>#</th>" + "".join(f"<th>{e(h)}</th>" for h in _heads(say))
               + "</tr>")
    for i, r in enumerate(sheet_rows(route, m, walking), 1):
        get = "<br>".join(e(x) for x in r.drive)
        do = "<br>".join(e(x) for x in _runs(m, r)) if r.runs else e(r.what)
        km = f"{r.metres / 1000:.2f}" if r.runs else ""
        out.append(f'<tr class="{"run" if r.runs else "stop"}"><td class="n">{i}</td>'
                   f'<td class="t">{_when(r)}</td><td class="get">{get}</td><td>{do}</td>'
                   f'<td class="km">{km}</td></tr>')
    out.append("</table></section>")
    return "\n".join(out)


def html_page(title: str, bodies: Sequence[str]) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>\n"
            + "\n".join(bodies) + "\n</body></html>\n")


def sheet_name(route: Route, shifts: Counter[str]) -> str:
    return route.who + (f"-shift{route.shift + 1}" if shifts[route.who] > 1 else "")


def write_sheets(schedule: Schedule, streets: Sequence[Street], folder: Path,
                 shifts: Counter[str] | None = None, info: SheetInfo | None = None,
                 notes_by_route: dict[str, list[str]] | None = None,
                 lang: Lang | str = "en") -> list[Path]:
    """A Markdown and an HTML sheet per route (``<vehicle>.md``/``.html``,
    ``<vehicle>-shift<n>`` when the vehicle has several shifts in the fleet, ``<team>`` for
    a walk) and ``all.html``, every sheet on its own printed page, in ``lang`` (``en``,
    ``zh``). An earlier plan's sheets in ``folder`` are removed first."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in [*folder.glob("*.md"), *folder.glob("*.html")]:
        old.unlink()
    info = info or SheetInfo(date=schedule.date)
    if info.date is None:
        info = SheetInfo(schedule.date, info.names, info.notes)
    shifts = shifts or Counter(r.who for r in schedule.routes)
    m = Map(streets, lang=lang)
    out: list[Path] = []
    bodies = []
    for route in schedule.routes:
        name = sheet_name(route, shifts)
        mine = SheetInfo(info.date, info.names,
                         info.notes + (notes_by_route or {}).get(route.who, []))
        md = folder / f"{name}.md"
        md.write_text(markdown_sheet(route, m, mine), encoding="utf-8")
        body = html_sheet_body(route, m, mine)
        bodies.append(body)
        page = folder / f"{name}.html"
        page.write_text(html_page(_title(route, m.lang), [body]), encoding="utf-8")
        out += [md, page]
    if schedule.routes:
        every = folder / "all.html"
        every.write_text(html_page(m.lang("All sheets"), bodies), encoding="utf-8")
        out.append(every)
    return out
