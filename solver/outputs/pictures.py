"""Pictures of a plan: ``map.png`` (routes over the streets), ``gantt.png`` (each day),
``coverage.png`` (patrols), ``roster.png`` (who works when) and scenario comparisons.

Chinese street and person names need a CJK font. :func:`cjk_font` looks for font files
itself (``fc-list :lang=zh`` where fontconfig is installed, then the usual font folders of
Linux, macOS and Windows) and registers the one it picks with matplotlib, so a font installed
after matplotlib built its font cache is used at once. When the machine has none, the
subset of WenQuanYi Micro Hei shipped in ``assets/`` (GB2312, see ``assets/README.md``) is
used. A character no font has is drawn as the font's box, without a warning;
:func:`font_notes` names the names concerned for the run's notes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import math
import os
import shutil
import subprocess
import textwrap
import unicodedata
import warnings
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.patheffects as pe  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from fontTools.ttLib import TTFont  # noqa: E402 (a dependency of matplotlib)
from matplotlib import font_manager  # noqa: E402
from matplotlib.artist import Artist  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch, Rectangle  # noqa: E402
from matplotlib.ticker import FuncFormatter, MultipleLocator  # noqa: E402
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar  # noqa: E402

from streetcrew.models.base import hhmm  # noqa: E402
from streetcrew.models.crew import CrewMember, Roster  # noqa: E402
from streetcrew.models.fleet import Fleet  # noqa: E402
from streetcrew.models.network import build_network  # noqa: E402
from streetcrew.models.schedule import Schedule  # noqa: E402
from streetcrew.models.streets import Street  # noqa: E402
from streetcrew.solver.outputs.palette import UNASSIGNED_COLOUR, route_colour  # noqa: E402

BUNDLED_FONT = Path(__file__).resolve().parent / "assets" / "wqy-microhei-gb2312.ttf"
# families in the order they are preferred when a font file holds several (a .ttc)
CJK_FONTS = ("WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Noto Sans SC",
             "Source Han Sans SC", "Source Han Sans CN", "Microsoft YaHei", "SimHei",
             "PingFang SC", "Hiragino Sans GB", "Heiti SC", "STHeiti", "Droid Sans Fallback",
             "AR PL UMing CN", "Noto Sans CJK JP", "Source Han Sans")
# file names (lower case, without spaces) of CJK fonts, most wanted first: how a font folder
# is searched without opening every file in it
CJK_FILES = ("wqy-microhei", "wqy-zenhei", "notosanscjksc", "notosanssc", "notosanscjk",
             "sourcehansanssc", "sourcehansanscn", "sourcehansans", "msyh", "simhei",
             "pingfang", "hiraginosansgb", "stheiti", "droidsansfallback", "uming", "ukai",
             "simsun")
FONT_SUFFIXES = (".ttf", ".ttc", ".otf", ".otc")
PROBE = "路街道巷桥"  # a font for street names has all of these
INSTALL_HINT = "install a CJK font for Chinese names in pictures: apt-get install fonts-wqy-microhei"
GLYPH_WARNING = r"Glyph \d+ .* missing from font"  # matplotlib's, once per character drawn
STEP_COLOURS = {"serve": None, "deadhead": "#bbbbbb", "dump": "#8c564b", "refill": "#1f77b4",
                "break": "#2ca02c"}
FACILITY_STYLE = {"dump": ("^", "#8c564b", "dump site"), "water": ("o", "#1f77b4", "water point"),
                  "both": ("D", "#6a3d9a", "dump + water")}
ROAD_RANK = {"trunk": 0, "primary": 1, "secondary": 2, "tertiary": 3, "residential": 4}
M_PER_DEG_LAT = 111_320.0


# ------------------------------------------------------------------------------ fonts
def font_dirs() -> list[Path]:
    """Folders where fonts are installed on Linux, macOS and Windows (those that exist are
    searched, with their subfolders)."""
    home = Path.home()
    dirs = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"),
            home / ".local" / "share" / "fonts", home / ".fonts",
            Path("/System/Library/Fonts"), Path("/Library/Fonts"), home / "Library" / "Fonts"]
    if os.environ.get("WINDIR"):
        dirs.append(Path(os.environ["WINDIR"]) / "Fonts")
    if os.environ.get("LOCALAPPDATA"):
        dirs.append(Path(os.environ["LOCALAPPDATA"]) / "Microsoft" / "Windows" / "Fonts")
    return dirs


def _fc_list_zh() -> list[Path]:
    """The font files fontconfig says cover Chinese (none when fc-list is missing)."""
    exe = shutil.which("fc-list")
    if exe is None:
        return []
    try:
        out = subprocess.run([exe, ":lang=zh", "file"], capture_output=True, text=True,
                             timeout=20, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    files = (Path(line.strip().removesuffix(":")) for line in out.splitlines())
    return [f for f in files if f.suffix.lower() in FONT_SUFFIXES]


def _rank(path: Path) -> int:
    name = path.name.lower().replace(" ", "").replace("_", "")
    return next((k for k, hint in enumerate(CJK_FILES) if hint in name), len(CJK_FILES))


def _font_files(dirs: Sequence[Path], use_fc_list: bool = True) -> Iterator[Path]:
    """Candidate CJK font files, most wanted first: fontconfig's, then (only if none of
    those is taken) the files in ``dirs`` whose names are those of known CJK fonts."""
    if use_fc_list:
        yield from sorted(dict.fromkeys(_fc_list_zh()), key=_rank)
    for folder in dirs:
        if not folder.is_dir():
            continue
        with contextlib.suppress(OSError):
            yield from sorted((f for f in folder.rglob("*") if f.suffix.lower() in FONT_SUFFIXES
                               and _rank(f) < len(CJK_FILES)), key=lambda f: (_rank(f), f))


@functools.cache
def _cmap(path: Path) -> frozenset[int]:
    """The code points a font file (its first face) has glyphs for; empty when unreadable."""
    try:
        with TTFont(path, fontNumber=0, lazy=True) as font:
            return frozenset(font.getBestCmap() or {})
    except Exception:  # any broken or foreign file is simply not a candidate
        return frozenset()


def _register(path: Path) -> str | None:
    """Register ``path`` with matplotlib (unless its font cache has it) and return the
    family to ask for: of a collection's faces, the first of :data:`CJK_FONTS`."""
    fm = font_manager.fontManager
    key = str(path)
    if not any(e.fname == key for e in fm.ttflist):
        try:
            fm.addfont(key)
        except (OSError, RuntimeError, ValueError):
            return None
    faces = [e.name for e in fm.ttflist if e.fname == key]
    preferred = [n for n in CJK_FONTS if n in faces]
    if preferred:
        return preferred[0]
    try:
        return FontProperties(fname=key).get_name()
    except (OSError, RuntimeError, ValueError):
        return faces[0] if faces else None


def find_cjk_font(dirs: Sequence[Path] | None = None, use_fc_list: bool = True,
                  bundled: Path | None = BUNDLED_FONT) -> tuple[str, Path] | None:
    """The family and file of the CJK font the pictures use: the first installed font file
    with every character of :data:`PROBE`, else ``bundled``; None when neither is there."""
    for path in _font_files(font_dirs() if dirs is None else dirs, use_fc_list):
        if set(map(ord, PROBE)) <= _cmap(path):
            family = _register(path)
            if family is not None:
                return family, path
    if bundled is not None and bundled.is_file():
        family = _register(bundled)
        if family is not None:
            return family, bundled
    return None


@functools.cache
def _picture_font() -> tuple[str, Path] | None:
    return find_cjk_font()


def forget_font() -> None:
    """Look for the CJK font again at the next picture (after installing one in a running
    Python, or in tests)."""
    _picture_font.cache_clear()
    _drawable.cache_clear()


def cjk_font() -> str | None:
    """The family name of the CJK font the pictures use (a system font, else the bundled
    subset); None only when the package lost its bundled font and the machine has none."""
    found = _picture_font()
    return None if found is None else found[0]


def cjk_font_file() -> Path | None:
    found = _picture_font()
    return None if found is None else found[1]


@functools.cache
def _drawable() -> frozenset[int]:
    """Code points the pictures can draw: the CJK font's and DejaVu Sans's (the fallback)."""
    files = [Path(font_manager.findfont(FontProperties(family="DejaVu Sans")))]
    found = _picture_font()
    if found is not None:
        files.append(found[1])
    return frozenset().union(*(_cmap(f) for f in files))


def missing_chars(text: str) -> str:
    """The characters of ``text`` no picture font has (drawn as a box), each once."""
    have = _drawable()
    return "".join(dict.fromkeys(c for c in text if ord(c) not in have and c.isprintable()
                                 and not c.isspace()))


def font_notes(names: Iterable[str]) -> list[str]:
    """What a run's notes say about the pictures' font: how to get one when there is none,
    and which names have characters no font has (they show a box for each)."""
    names = sorted({n for n in names if n})
    font = cjk_font()
    if font is None:
        return [INSTALL_HINT] if any(not n.isascii() for n in names) else []
    bad = [n for n in names if missing_chars(n)]
    if not bad:
        return []
    chars = "".join(dict.fromkeys("".join(missing_chars(n) for n in bad)))
    shown = ", ".join(bad[:10]) + (f" and {len(bad) - 10} more" if len(bad) > 10 else "")
    hint = ("; a system CJK font has more (apt-get install fonts-wqy-microhei)"
            if cjk_font_file() == BUNDLED_FONT else "")
    return [f"pictures: {len(bad)} name(s) have characters the font {font} lacks ({chars}), "
            f"shown as a box: {shown}{hint}"]


@contextlib.contextmanager
def _style() -> Iterator[None]:
    """The CJK font first (DejaVu Sans for what it lacks), no offset on axes, and no glyph
    warnings: :func:`font_notes` says which names lost characters."""
    font = cjk_font()
    fonts = [font, "DejaVu Sans"] if font is not None else plt.rcParams["font.sans-serif"]
    with plt.rc_context({"axes.formatter.useoffset": False, "font.family": "sans-serif",
                         "font.sans-serif": fonts}), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=GLYPH_WARNING, category=UserWarning)
        yield


def _text_inches(text: str, points: float) -> float:
    """About how wide ``text`` is set in ``points``: CJK characters are square."""
    ems = sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6 for c in text)
    return ems * points / 72


# -------------------------------------------------------------------------------- maps
def _lon_scale(lats: Iterable[float]) -> float:
    """Metres in a degree of longitude over metres in a degree of latitude, at mid-latitude."""
    lats = list(lats)
    return math.cos(math.radians((min(lats) + max(lats)) / 2)) if lats else 1.0


def _map_axes(points: Sequence[tuple[float, float]], legend_in: float, title: str
              ) -> tuple[Figure, Any, float]:
    """A figure with a map axes shaped like the area (equal metres both ways) and room for
    the legend on its right; returns the figure, the axes and :func:`_lon_scale`."""
    lons = [p[0] for p in points] or [0.0]
    lats = [p[1] for p in points] or [0.0]
    kx = _lon_scale(lats)
    wide = max((max(lons) - min(lons)) * kx, 1e-6)
    tall = max(max(lats) - min(lats), 1e-6)
    side = 8.5
    map_w, map_h = (side, max(3.5, side * tall / wide)) if wide >= tall else (
        max(3.5, side * wide / tall), side)
    left, bottom, top, right = 0.85, 0.55, 0.5, legend_in + 0.3
    fig = plt.figure(figsize=(left + map_w + right, bottom + map_h + top))
    width, height = fig.get_size_inches()
    ax = fig.add_axes((left / width, bottom / height, map_w / width, map_h / height))
    ax.set_aspect(1 / kx, adjustable="datalim")
    ax.tick_params(labelsize=7)
    ax.set_xlabel("longitude", fontsize=8)
    ax.set_ylabel("latitude", fontsize=8)
    ax.set_title(title, fontsize=11, loc="left")
    return fig, ax, kx


def _scale_bar(ax: Any, kx: float) -> None:
    """A bar of a round length (50 m .. 50 km, about a fifth of the map) at the lower left."""
    ax.apply_aspect()
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    metres_per_deg = M_PER_DEG_LAT * kx
    target = (x1 - x0) * metres_per_deg / 5
    nice = max((v for v in (50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000, 20_000,
                            50_000) if v <= target), default=50)
    label = f"{nice / 1000:g} km" if nice >= 1000 else f"{nice} m"
    ax.add_artist(AnchoredSizeBar(
        ax.transData, nice / metres_per_deg, label, loc="lower left", pad=0.4, borderpad=0.8,
        sep=3, frameon=True, size_vertical=(y1 - y0) * 0.005, color="black",
        label_top=True, fontproperties=FontProperties(size=8)))


def _midpoint(coords: Sequence[tuple[float, float]], kx: float) -> tuple[float, float, float]:
    """The point halfway along a polyline and the direction there (degrees from east, in
    metres, turned to read left to right)."""
    parts = [math.hypot((b[0] - a[0]) * kx, b[1] - a[1]) for a, b in zip(coords, coords[1:])]
    half = sum(parts) / 2
    x, y, angle = (coords[0][0] + coords[-1][0]) / 2, (coords[0][1] + coords[-1][1]) / 2, 0.0
    for (a, b), part in zip(zip(coords, coords[1:]), parts):
        if half <= part and part > 0:
            t = half / part
            x, y = a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])
            angle = math.degrees(math.atan2(b[1] - a[1], (b[0] - a[0]) * kx))
            break
        half -= part
    return x, y, (angle + 90) % 180 - 90


def _label_streets(fig: Figure, ax: Any, streets: Sequence[Street], kx: float,
                   taken: list[Any]) -> int:
    """Street names along their streets, main roads first, each name once and none over
    another label or a marker (``taken``: display boxes already used); returns how many."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    frame = ax.get_window_extent(renderer)
    by_name: dict[str, list[Street]] = {}
    for s in streets:
        if s.name and s.road_class in ROAD_RANK:
            by_name.setdefault(s.name, []).append(s)

    def order(name: str) -> tuple[int, float]:
        segs = by_name[name]
        return min(ROAD_RANK[s.road_class] for s in segs), -sum(s.length_m for s in segs)

    halo = [pe.withStroke(linewidth=2.4, foreground="white")]
    placed = 0
    for name in sorted(by_name, key=order):
        main = order(name)[0] <= ROAD_RANK["secondary"]
        size = 8 if main else 7
        for s in sorted(by_name[name], key=lambda s: -s.length_m)[:3]:
            x, y, degrees = _midpoint(s.coords, kx)
            text = ax.text(x, y, name, fontsize=size, color="#222222" if main else "#555555",
                           rotation=degrees, rotation_mode="anchor", ha="center",
                           va="center", zorder=5, path_effects=halo)
            box = text.get_window_extent(renderer)
            street_px = s.length_m / M_PER_DEG_LAT * abs(
                ax.transData.transform((0, 1))[1] - ax.transData.transform((0, 0))[1])
            fits = street_px >= 0.5 * max(box.width, box.height)
            clear = frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
            if fits and clear and not any(box.overlaps(t) for t in taken):
                taken.append(box.expanded(1.08, 1.3))
                placed += 1
                break
            text.remove()
    return placed


def _draw_fleet(ax: Any, fleet: Fleet, halo: list[Any]) -> list[Any]:
    """Depots as black squares, dump sites as triangles, water points as circles, each with
    its id; returns the legend entries."""
    entries: dict[str, Any] = {}
    for d in fleet.depots:
        ax.plot(d.at.lon, d.at.lat, marker="s", markersize=10, color="black",
                markeredgecolor="white", markeredgewidth=1.2, linestyle="none", zorder=7)
        ax.annotate(d.id, (d.at.lon, d.at.lat), xytext=(7, 5), textcoords="offset points",
                    fontsize=8.5, zorder=7, path_effects=halo)
        entries["depot"] = Line2D([], [], marker="s", markersize=8, color="black",
                                  linestyle="none", label="depot")
    for f in fleet.facilities:
        marker, colour, label = FACILITY_STYLE[f.kind]
        ax.plot(f.at.lon, f.at.lat, marker=marker, markersize=10, color=colour,
                markeredgecolor="white", markeredgewidth=1.2, linestyle="none", zorder=7)
        ax.annotate(f.id, (f.at.lon, f.at.lat), xytext=(7, 5), textcoords="offset points",
                    fontsize=8.5, color=colour, zorder=7, path_effects=halo)
        entries[label] = Line2D([], [], marker=marker, markersize=8, color=colour,
                                linestyle="none", label=label)
    return list(entries.values())


def map_figure(schedule: Schedule, streets: Sequence[Street], fleet: Fleet | None = None,
               title: str = "") -> Figure:
    """The figure :func:`draw_map` saves (close it with ``plt.close(fig)``)."""
    with _style():
        return _map_figure(schedule, streets, fleet, title)


def _map_figure(schedule: Schedule, streets: Sequence[Street], fleet: Fleet | None,
                title: str) -> Figure:
    """Streets grey, then drives, swept streets, unassigned streets and the fleet's places
    in that order upwards; names last, where they cover no marker, label or the scale."""
    network = build_network(streets)
    by_id = {s.id: s for s in streets}
    points = [p for s in streets for p in s.coords]
    if fleet is not None:
        points += [(d.at.lon, d.at.lat) for d in fleet.depots]
        points += [(f.at.lon, f.at.lat) for f in fleet.facilities]
    s = schedule.summary
    title = title or (f"Sweeping plan {schedule.date or ''}".rstrip()
                      + f": {s.served_km:.1f} km swept ({s.coverage_pct:.1f} %), "
                        f"{s.routes_used} routes")
    fig, ax, kx = _map_axes(points, 2.4, title)
    # one collection per kind and route: a plot call per segment took seconds on a district
    ax.add_collection(LineCollection([s.coords for s in streets], colors="#c8c8c8",
                                     linewidths=0.9, zorder=1, capstyle="round"))
    handles: list[Any] = []
    for k, route in enumerate(schedule.routes):
        colour = route_colour(k)
        swept = [by_id[st.street].coords for st in route.steps
                 if st.type == "serve" and st.street in by_id]
        empty = [[network.nodes[n] for n in st.path] for st in route.steps
                 if st.type == "deadhead" and len(st.path) > 1]
        ax.add_collection(LineCollection(empty, colors=colour, linewidths=0.9,
                                         linestyles=[(0, (4, 2))], zorder=2))
        ax.add_collection(LineCollection(swept, colors=colour, linewidths=2.2, zorder=3,
                                         capstyle="round"))
        handles.append(Line2D([], [], color=colour, linewidth=2.2,
                              label=f"{route.label} ({route.served_m / 1000:.1f} km)"))
    if schedule.routes:
        handles.append(Line2D([], [], color="#777777", linewidth=0.9, linestyle=(0, (4, 2)),
                              label="driving empty"))
    missed = {u.street for u in schedule.unassigned}
    ax.add_collection(LineCollection([by_id[sid].coords for sid in sorted(missed & set(by_id))],
                                     colors=UNASSIGNED_COLOUR, linewidths=1.8,
                                     linestyles=[(0, (1, 1.2))], zorder=4))
    if schedule.unassigned:
        n = len(schedule.unassigned)
        handles.append(Line2D([], [], color=UNASSIGNED_COLOUR, linewidth=1.8,
                              linestyle=(0, (1, 1.2)),
                              label=f"unassigned ({n} pass{'es' if n != 1 else ''})"))
    handles.append(Line2D([], [], color="#c8c8c8", linewidth=0.9, label="other streets"))
    halo = [pe.withStroke(linewidth=2.4, foreground="white")]
    if fleet is not None:
        handles += _draw_fleet(ax, fleet, halo)
    ax.margins(0.03)
    _scale_bar(ax, kx)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    marks = [a for a in (*ax.texts, *ax.lines) if a.get_zorder() >= 7]  # fleet, its ids
    taken = [a.get_window_extent(renderer).expanded(1.1, 1.1) for a in (*marks, *ax.artists)]
    _label_streets(fig, ax, streets, kx, taken)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0,
              fontsize=8, frameon=False)
    return fig


def draw_map(schedule: Schedule, streets: Sequence[Street], path: Path, title: str = "",
             *, fleet: Fleet | None = None) -> Path:
    """The routes over the streets: each vehicle's swept streets in its colour, its drives
    dashed, unassigned streets red dotted, depots and facilities (with ``fleet``) marked,
    main street names where they fit, and a scale bar."""
    with _style():
        fig = _map_figure(schedule, streets, fleet, title)
        fig.savefig(path, dpi=140)  # small hanzi need the pixels
    plt.close(fig)
    return path


def draw_gantt(schedule: Schedule, path: Path) -> Path:
    """One bar per route (a second shift of L1 is "L1 (2)"): sweeping, driving empty, dump,
    refill and break in colours."""
    with _style():
        fig, ax = plt.subplots(figsize=(11, 1.3 + 0.5 * max(1, len(schedule.routes))))
        for row, route in enumerate(schedule.routes):
            for kind, fill in STEP_COLOURS.items():  # one call per kind: a bar per step is slow
                spans = [(st.start / 3600, (st.end - st.start) / 3600) for st in route.steps
                         if st.type == kind and st.end > st.start]
                if spans:
                    ax.broken_barh(spans, (row - 0.3, 0.6), facecolors=fill or "#ff7f0e",
                                   linewidth=0)
        ax.set_yticks(range(len(schedule.routes)), [r.label for r in schedule.routes])
        handles: list[Artist] = [Patch(color=fill or "#ff7f0e", label=kind)
                                 for kind, fill in STEP_COLOURS.items()]
        stops = [(st.start / 3600, row) for row, r in enumerate(schedule.routes)
                 for st in r.steps if st.type == "breakdown"]
        if stops:
            xs, ys = zip(*stops)
            ax.scatter(xs, ys, marker="X", s=90, color=UNASSIGNED_COLOUR, zorder=4)
            handles.append(Line2D([], [], marker="X", color=UNASSIGNED_COLOUR, linestyle="",
                                  label="breakdown"))
        if schedule.replan is not None:  # what lies before the line was driven as planned
            ax.axvline(schedule.replan.at / 3600, color="#333333", linewidth=1.2,
                       linestyle="--", zorder=4)
            handles.append(Line2D([], [], color="#333333", linestyle="--",
                                  label=f"re-planned at {hhmm(schedule.replan.at)}"))
        lo, hi = ax.get_xlim()
        ax.xaxis.set_major_locator(MultipleLocator(1 if hi - lo <= 16 else 2))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{int(v):02d}:00"))
        ax.tick_params(axis="x", labelsize=8)
        ax.grid(axis="x", color="#eeeeee", zorder=0)
        ax.set_axisbelow(True)
        ax.set_xlabel("time of day (past 24:00: the next morning)")
        ax.legend(handles=handles, loc="lower right", bbox_to_anchor=(1.0, 1.0), fontsize=8,
                  ncol=len(handles), frameon=False)
        ax.invert_yaxis()
        ax.set_title("Vehicle days", loc="left")
        fig.tight_layout()
        fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def draw_coverage(schedule: Schedule, streets: Sequence[Street], priority: Sequence[float],
                  path: Path, title: str = "") -> Path:
    """Walkable streets coloured by priority; patrolled ones drawn thick, the rest thin."""
    with _style():
        walked = {st.street for r in schedule.routes for st in r.steps if st.type == "serve"}
        top = max(priority, default=1.0) or 1.0
        cmap = plt.get_cmap("YlOrRd")
        kpi = schedule.patrol
        covered = f" - {kpi.priority_covered_pct:.1f} % of the priority covered" if kpi else ""
        fig, ax, kx = _map_axes([p for s in streets for p in s.coords], 2.6,
                                title or f"Patrol coverage {schedule.date or ''}{covered}"
                                .strip())
        for s, p in zip(streets, priority):
            xs, ys = zip(*s.coords)
            done = s.id in walked
            ax.plot(xs, ys, color=cmap(0.25 + 0.75 * p / top), linewidth=2.6 if done else 0.7,
                    alpha=1.0 if done else 0.6, zorder=3 if done else 1)
        handles = [Line2D([], [], color=cmap(1.0), linewidth=2.6,
                          label="patrolled (colour: priority)"),
                   Line2D([], [], color=cmap(1.0), linewidth=0.7, label="not patrolled")]
        ax.margins(0.03)
        _scale_bar(ax, kx)
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0),
                  borderaxespad=0, fontsize=8, frameon=False)
        fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# ------------------------------------------------------------------------------ roster
ROSTER_FILL = {  # (role, night) -> cell colour, hatch colour, text colour
    ("driver", False): ("#5dade2", None, "white"),
    ("driver", True): ("#2c3e50", None, "white"),
    ("helper", False): ("#d6eaf8", "#a9d3f0", "#1b4f72"),
    ("helper", True): ("#c3cad3", "#a3afbd", "#1c2833"),
}


def draw_roster(roster: Roster, crew: Sequence[CrewMember], path: Path) -> Path:
    """The roster as a wall chart: a row per person (id and name), a column per day, each
    duty a cell with its route and hours (helpers light and hatched, nights dark), the hours
    each person works on the right and the uncovered duties below. Columns and rows keep
    their size, so a week is as readable as a day: the figure grows instead."""
    with _style():
        fig = _roster_figure(roster, crew)
        fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def roster_figure(roster: Roster, crew: Sequence[CrewMember]) -> Figure:
    """The figure :func:`draw_roster` saves (close it with ``plt.close(fig)``)."""
    with _style():
        return _roster_figure(roster, crew)


def _roster_figure(roster: Roster, crew: Sequence[CrewMember]) -> Figure:

    days, rows = list(roster.days), list(crew)
    cells: dict[tuple[str, dt.date], list[tuple[str, str, bool]]] = {}
    for a in roster.assignments:
        night = roster.rules.night_hours(a.start, a.end) >= max(roster.rules.night_min_hours,
                                                                 1e-9)
        for who, role in ((a.driver, "driver"), (a.helper, "helper")):
            if who is not None:
                route = a.route if role == "driver" else f"{a.route} helper"
                cells.setdefault((who, a.day), []).append(
                    (f"{route}\n{hhmm(a.start)}-{hhmm(a.end)}", role, night))
    hours = {p.id: p.hours for p in roster.load}
    n = len(days)
    cell_pt = 9 if n <= 7 else 7.5 if n <= 14 else 6
    col_w = 1.55 if n <= 7 else 1.15 if n <= 14 else 0.85
    row_h = 0.44 if n <= 14 else 0.38
    labels = [f"{m.id}  {m.name}".strip() for m in rows]
    name_w = 0.3 + max((_text_inches(t, 9.5) for t in labels), default=0.5)
    hours_w, top = 0.75, 1.05
    width = max(6.5, name_w + n * col_w + hours_w + 0.2)
    col_w = (width - name_w - hours_w - 0.2) / n  # one day: a wide column, not empty paper
    chars = int((width - 0.3) / _text_inches("x", 8))
    notes = [line for u in roster.uncovered[:12] for line in textwrap.wrap(
        f"{u.day} {u.route} {u.role}: {u.reason}", chars, subsequent_indent="    ")]
    if len(roster.uncovered) > 12:
        notes.append(f"... and {len(roster.uncovered) - 12} more (uncovered.csv)")
    bottom = 0.55 + 0.14 * len(notes)
    height = top + row_h * max(1, len(rows)) + bottom
    fig = plt.figure(figsize=(width, height))
    ax = fig.add_axes((name_w / width, bottom / height, n * col_w / width,
                       row_h * max(1, len(rows)) / height))
    for c, day in enumerate(days):
        if day.weekday() >= 5:
            ax.add_patch(Rectangle((c, 0), 1, len(rows), facecolor="#f4f1ea", linewidth=0,
                                   zorder=0))
    for r, m in enumerate(rows):
        if r % 2:
            ax.add_patch(Rectangle((0, r), n, 1, facecolor="#000000", alpha=0.035,
                                   linewidth=0, zorder=0))
        for c, day in enumerate(days):
            duties = cells.get((m.id, day), [])
            for k, (text, role, night) in enumerate(duties):
                share = 1 / len(duties)
                fill, hatch, ink = ROSTER_FILL[(role, night)]
                box = (c + 0.04 + k * share, r + 0.08)
                ax.add_patch(Rectangle(box, 0.92 * share, 0.84, facecolor=fill,
                                       edgecolor=hatch or fill, hatch="///" if hatch else None,
                                       linewidth=0, zorder=1))
                ax.text(c + 0.04 + (k + 0.5) * 0.92 * share, r + 0.5, text, ha="center",
                        va="center", fontsize=cell_pt, color=ink, linespacing=1.15, zorder=2)
        worked = hours.get(m.id, 0.0)
        ax.text(n + 0.06 / col_w * 1.5, r + 0.5, f"{worked:.1f} h" if worked else "-",
                ha="left", va="center", fontsize=8.5, color="#333333", clip_on=False)
    ax.text(n + 0.06 / col_w * 1.5, -0.15, "hours", ha="left", va="bottom", fontsize=8.5,
            color="#333333", clip_on=False)
    ax.set_xlim(0, n)
    ax.set_ylim(max(1, len(rows)), 0)
    ax.xaxis.tick_top()
    ax.set_xticks([c + 0.5 for c in range(n)],
                  [f"{d:%a}\n{d:%m-%d}" for d in days], fontsize=9)
    ax.set_yticks([r + 0.5 for r in range(len(rows))], labels, fontsize=9.5)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    span = f"{days[0]}" if n == 1 else f"{days[0]} .. {days[-1]}"
    fig.text(0.15 / width, 1 - 0.12 / height,
             f"Roster {span}: {roster.status}, {len(roster.uncovered)} uncovered",
             fontsize=11.5, va="top")
    handles = [Patch(color=ROSTER_FILL[("driver", False)][0], label="driver, day"),
               Patch(color=ROSTER_FILL[("driver", True)][0], label="driver, night"),
               Patch(facecolor=ROSTER_FILL[("helper", False)][0],
                     edgecolor=ROSTER_FILL[("helper", False)][1], hatch="///",
                     label="helper, day"),
               Patch(facecolor=ROSTER_FILL[("helper", True)][0],
                     edgecolor=ROSTER_FILL[("helper", True)][1], hatch="///",
                     label="helper, night")]
    if any(d.weekday() >= 5 for d in days):
        handles.append(Patch(color="#f4f1ea", label="weekend"))
    fig.legend(handles=handles, loc="lower left",
               bbox_to_anchor=(0.1 / width, (0.14 + 0.14 * len(notes)) / height),
               fontsize=8.5, ncol=len(handles), frameon=False, handlelength=1.6,
               columnspacing=1.2)
    if notes:
        fig.text(0.15 / width, 0.1 / height, "\n".join(notes), fontsize=8, va="bottom",
                 color="#922b21")
    return fig


def draw_comparison(rows: list[dict[str, Any]], columns: Sequence[tuple[str, str, str]],
                    path: Path) -> Path:
    """Bar charts per KPI (``columns``: key, label, format), one bar per scenario (spread
    over seeds as an error bar)."""
    with _style():
        return _draw_comparison(rows, columns, path)


def _draw_comparison(rows: list[dict[str, Any]], columns: Sequence[tuple[str, str, str]],
                     path: Path) -> Path:
    kpis = [(key, label) for key, label, _ in columns
            if any(r.get(key) is not None for r in rows)]
    if not kpis:  # every plan failed: say so rather than draw empty axes
        fig, ax = plt.subplots(figsize=(6, 2))
        ax.axis("off")
        ax.text(0.5, 0.5, "no plan to compare: every run failed (comparison.md says why)",
                ha="center", va="center")
        fig.savefig(path, dpi=100)
        plt.close(fig)
        return path
    fig, axes = plt.subplots(2, (len(kpis) + 1) // 2, figsize=(3.2 * ((len(kpis) + 1) // 2), 6))
    names = [r["scenario"] for r in rows]
    colours = ["#7f8c8d" if n == "base" else "#2e86c1" for n in names]
    for ax, (key, label) in zip(axes.flat, kpis):
        # a scenario whose plans all failed has no value: no bar (not a bar at 0)
        values = [math.nan if r.get(key) is None else r[key] for r in rows]
        spread = [(r.get(f"{key}_spread") or 0) / 2 for r in rows]
        ax.bar(range(len(rows)), values, yerr=spread, color=colours, capsize=3)
        ax.set_title(label, fontsize=9)
        ax.set_xticks(range(len(rows)), names, rotation=30, ha="right", fontsize=7)
    for ax in list(axes.flat)[len(kpis):]:
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
