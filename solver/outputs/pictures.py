"""Pictures of a plan: ``map.png`` (routes over the streets) and ``gantt.png`` (each day).

Chinese (and other CJK) street names need a CJK font: the first of
:data:`CJK_FONTS` that matplotlib finds is used; without one, labels with
such characters would show as boxes, so :func:`cjk_font` returns ``None`` and
the caller says how to install one (Debian/Ubuntu: ``apt-get install
fonts-wqy-microhei``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.patches import Patch, Rectangle  # noqa: E402

from streetcrew.models.crew import CrewMember, Roster  # noqa: E402
from streetcrew.models.network import build_network  # noqa: E402
from streetcrew.models.schedule import Schedule  # noqa: E402
from streetcrew.models.streets import Street  # noqa: E402

CJK_FONTS = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC")
INSTALL_HINT = "install a CJK font for Chinese names in pictures: apt-get install fonts-wqy-microhei"
STEP_COLOURS = {"serve": None, "deadhead": "#bbbbbb", "dump": "#8c564b", "refill": "#1f77b4",
                "break": "#2ca02c"}


def cjk_font() -> str | None:
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in CJK_FONTS if n in names), None)


def _setup() -> None:
    font = cjk_font()
    if font is not None:
        plt.rcParams["font.sans-serif"] = [font, "DejaVu Sans"]
        plt.rcParams["font.family"] = "sans-serif"


def draw_map(schedule: Schedule, streets: Sequence[Street], path: Path, title: str = "") -> Path:
    """Streets in grey, each vehicle's swept streets in its colour, deadheads dashed."""
    _setup()
    network = build_network(streets)
    by_id = {s.id: s for s in streets}
    fig, ax = plt.subplots(figsize=(10, 10))
    for s in streets:
        xs, ys = zip(*s.coords)
        ax.plot(xs, ys, color="#dddddd", linewidth=0.8, zorder=1)
    labelled: set[str] = set()
    for s in streets:  # one label per named main road, at its first segment's middle
        if s.name and s.name not in labelled and s.road_class in ("trunk", "primary", "secondary"):
            labelled.add(s.name)
            x, y = s.coords[len(s.coords) // 2]
            ax.text(x, y, s.name, fontsize=7, color="#555555", zorder=4)
    cmap = plt.get_cmap("tab10")
    for k, route in enumerate(schedule.routes):
        colour = cmap(k % 10)
        for st in route.steps:
            if st.type == "serve" and st.street in by_id:
                xs, ys = zip(*by_id[st.street].coords)
                ax.plot(xs, ys, color=colour, linewidth=2.2, zorder=3)
            elif st.type == "deadhead" and len(st.path) > 1:
                xs, ys = zip(*(network.nodes[n] for n in st.path))
                ax.plot(xs, ys, color=colour, linewidth=0.8, linestyle="--", zorder=2)
        ax.plot([], [], color=colour, linewidth=2.2,
                label=f"{route.label} ({route.served_m / 1000:.1f} km)")
    ax.set_aspect(1 / 0.85)  # roughly equal metres at mid latitudes
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.legend(loc="upper right", fontsize=8)
    ax.set_title(title or f"Sweeping plan {schedule.date or ''}".strip())
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def draw_gantt(schedule: Schedule, path: Path) -> Path:
    """One bar per route (a second shift of L1 is "L1 (2)"): sweeping, driving empty, dump,
    refill and break in colours."""
    _setup()
    fig, ax = plt.subplots(figsize=(11, 1.0 + 0.5 * max(1, len(schedule.routes))))
    for row, route in enumerate(schedule.routes):
        for st in route.steps:
            if st.type not in STEP_COLOURS or st.end <= st.start:
                continue
            ax.barh(row, (st.end - st.start) / 3600, left=st.start / 3600, height=0.6,
                    color=STEP_COLOURS[st.type] or "#ff7f0e", linewidth=0)
    ax.set_yticks(range(len(schedule.routes)), [r.label for r in schedule.routes])
    ax.set_xlabel("hour of the day")
    handles = [Patch(color=fill or "#ff7f0e", label=kind) for kind, fill in STEP_COLOURS.items()]
    ax.legend(handles=handles, loc="upper right", fontsize=8, ncol=5)
    ax.invert_yaxis()
    ax.set_title("Vehicle days")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def draw_coverage(schedule: Schedule, streets: Sequence[Street], priority: Sequence[float],
                  path: Path, title: str = "") -> Path:
    """Walkable streets coloured by priority; patrolled ones drawn thick, the rest thin."""
    _setup()
    walked = {st.street for r in schedule.routes for st in r.steps if st.type == "serve"}
    top = max(priority, default=1.0) or 1.0
    cmap = plt.get_cmap("YlOrRd")
    fig, ax = plt.subplots(figsize=(10, 10))
    for s, p in zip(streets, priority):
        xs, ys = zip(*s.coords)
        done = s.id in walked
        ax.plot(xs, ys, color=cmap(0.25 + 0.75 * p / top), linewidth=2.6 if done else 0.7,
                alpha=1.0 if done else 0.6, zorder=3 if done else 1)
    ax.plot([], [], color=cmap(1.0), linewidth=2.6, label="patrolled (colour: priority)")
    ax.plot([], [], color=cmap(1.0), linewidth=0.7, label="not patrolled")
    kpi = schedule.patrol
    ax.set_aspect(1 / 0.85)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.legend(loc="upper right", fontsize=8)
    covered = f" - {kpi.priority_covered_pct:.1f} % of the priority covered" if kpi else ""
    ax.set_title(title or f"Patrol coverage {schedule.date or ''}{covered}".strip())
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def draw_roster(roster: Roster, crew: Sequence[CrewMember], path: Path) -> Path:
    """The week as a wall chart: a row per person, a column per day, each duty a coloured
    cell with its route and hours (helpers hatched, nights dark); uncovered duties below."""
    from streetcrew.models.base import hhmm

    _setup()
    rows = [m for m in crew]
    mine: dict[tuple[str, dt.date], tuple[str, str, bool]] = {}
    for a in roster.assignments:
        night = roster.rules.night_hours(a.start, a.end) >= max(roster.rules.night_min_hours,
                                                                 1e-9)
        for who, role in ((a.driver, "driver"), (a.helper, "helper")):
            if who is not None:
                text = f"{a.route}\n{hhmm(a.start)}-{hhmm(a.end)}"
                mine[(who, a.day)] = (text, role, night)
    width = 2.0 + 1.3 * len(roster.days)
    height = 1.5 + 0.32 * len(rows) + 0.25 * min(len(roster.uncovered), 12)
    fig, ax = plt.subplots(figsize=(width, height))
    for r, m in enumerate(rows):
        for c, day in enumerate(roster.days):
            got = mine.get((m.id, day))
            if got is None:
                continue
            text, role, night = got
            ax.add_patch(Rectangle((c + 0.04, r + 0.06), 0.92, 0.88,
                                   facecolor="#34495e" if night else "#5dade2",
                                   hatch="//" if role == "helper" else None,
                                   edgecolor="white", linewidth=0.5))
            ax.text(c + 0.5, r + 0.5, text, ha="center", va="center", fontsize=6,
                    color="white")
    ax.set_xlim(0, len(roster.days))
    ax.set_ylim(len(rows), 0)
    ax.set_xticks([c + 0.5 for c in range(len(roster.days))],
                  [f"{d:%m-%d}" for d in roster.days], fontsize=8)
    ax.set_yticks([r + 0.5 for r in range(len(rows))],
                  [f"{m.id} {m.name}".strip() for m in rows], fontsize=7)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    title = (f"Roster {roster.days[0]} .. {roster.days[-1]}: {roster.status}, "
             f"{len(roster.uncovered)} uncovered")
    ax.set_title(title, fontsize=10)
    if roster.uncovered:
        shown = [f"{u.day} {u.route} {u.role}: {u.reason}"[:110] for u in roster.uncovered[:12]]
        more = len(roster.uncovered) - len(shown)
        fig.text(0.01, 0.01, "\n".join(shown + ([f"... and {more} more"] if more else [])),
                 fontsize=6, va="bottom")
    handles = [Patch(color="#5dade2", label="day duty"), Patch(color="#34495e", label="night"),
               Patch(facecolor="white", edgecolor="black", hatch="//", label="helper")]
    ax.legend(handles=handles, loc="upper right", bbox_to_anchor=(1.0, 1.12), fontsize=7,
              ncol=3, frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def draw_comparison(rows: list[dict[str, Any]], columns: Sequence[tuple[str, str, str]],
                    path: Path) -> Path:
    """Bar charts per KPI (``columns``: key, label, format), one bar per scenario (spread
    over seeds as an error bar)."""
    _setup()
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
