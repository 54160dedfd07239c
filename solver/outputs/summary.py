"""What a supervisor reads of a plan: ``summary.md`` and ``unassigned.csv``.

The summary gives the day's figures, the vehicles that stay in the yard or are barely used,
and the work left undone grouped by reason with the streets' names; the CSV lists every
pass left undone with its street, kerb, length and reason, for a spreadsheet. The summary is
in English or, with ``lang="zh"``, in Chinese (:mod:`~streetcrew.solver.outputs.lang`); the
reasons are the planners' words, in English.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from streetcrew.models.base import hhmm
from streetcrew.models.fleet import Fleet, Vehicle
from streetcrew.models.network import build_network
from streetcrew.models.schedule import Schedule, Unassigned
from streetcrew.models.streets import Street
from streetcrew.solver.outputs.lang import EN, Lang, lang_of
from streetcrew.solver.outputs.tables import write_csv

NEARLY_IDLE = 0.25  # a route working less than this share of its shift is "nearly idle"


@dataclass(frozen=True)
class Undone:
    """One pass left undone, with what a reader needs to find the street."""

    item: Unassigned
    name: str
    road_class: str
    length_m: float


def undone(schedule: Schedule, streets: Sequence[Street], unnamed: str = "(unnamed)"
           ) -> list[Undone]:
    index = {s.id: k for k, s in enumerate(streets)}
    network = build_network(streets) if schedule.unassigned else None
    out = []
    for u in schedule.unassigned:
        k = index.get(u.street)
        street = streets[k] if k is not None else None
        length = network.links[k].length_m if network is not None and k is not None else 0.0
        out.append(Undone(u, street.name if street and street.name else unnamed,
                          street.road_class if street else "", length))
    return out


def write_unassigned_csv(schedule: Schedule, streets: Sequence[Street], path: Path) -> Path:
    """One row per pass left undone (a header only when everything is done)."""
    return write_csv(path, ["street", "name", "side", "road_class", "length_m", "task", "reason"],
                     [[x.item.street, x.name, x.item.side, x.road_class, round(x.length_m, 1),
                       x.item.task, x.item.reason] for x in undone(schedule, streets)])


def summary_md(schedule: Schedule, streets: Sequence[Street], fleet: Fleet | None = None,
               lang: Lang | str = "en") -> str:
    """The day's figures, the vehicles, the districts and the work left undone, in ``lang``."""
    say = lang_of(lang)
    s = schedule.summary
    lines = [say("# Plan summary for {date}", date=schedule.date.isoformat()) if schedule.date
             else say("# Plan summary"), "", f"| {say('figure')} | {say('value')} |", "|---|---|"]
    available = len(fleet.vehicles) if fleet is not None else None
    driven = s.served_km + s.deadhead_km
    rows = [
        ("status", say(schedule.status)),
        ("checked", say("feasible (independent checker)") if schedule.checked and
         not schedule.violations else say("NOT checked feasible")),
        ("vehicles used", say("{n} of {m}", n=s.routes_used, m=available) if available
         else f"{s.routes_used}"),
        ("km swept", f"{s.served_km:.1f}"),
        ("km driven empty", say("{km} ({pct} % of all driving)", km=f"{s.deadhead_km:.1f}",
                                pct=f"{s.deadhead_pct:.1f}")),
        ("km driven", say("{km} (at least {bound} needed)", km=f"{driven:.1f}",
                          bound=f"{s.driven_km_lower_bound:.1f}")
         if s.driven_km_lower_bound else f"{driven:.1f}"),
        ("sweeping rate", say("{pct} % of the length to sweep", pct=f"{s.coverage_pct:.1f}")),
        ("passes left undone", str(s.unassigned)),
        ("overtime", say("{min} min", min=f"{s.overtime_s / 60:.0f}")),
        ("cost", f"{s.cost:.2f}"),
    ]
    lines += [f"| {say(a)} | {b} |" for a, b in rows]
    heads = [say(h) for h in ("vehicle", "type", "depot", "out", "back", "km swept", "km empty",
                              "share of shift working")]
    lines += ["", say("## Vehicles"), "", f"| {' | '.join(heads)} |",
              "|---|---|---|---|---|---|---|---|"]
    used = {(r.who, r.shift) for r in schedule.routes}
    for r in schedule.routes:
        vehicle = _vehicle(fleet, r.who, r.shift)
        shift = (vehicle.shift_end - vehicle.shift_start) if vehicle else 0
        work = r.steps[-1].end - r.steps[0].start
        share = f"{100 * work / shift:.0f} %" if shift else "-"
        flag = say(" (nearly idle)") if shift and work < NEARLY_IDLE * shift else ""
        lines.append(f"| {r.label} | {r.vehicle_type or r.mode or ''} | {r.depot or ''} | "
                     f"{hhmm(r.steps[0].start)} | {hhmm(r.steps[-1].end)} | "
                     f"{r.served_m / 1000:.1f} | {r.deadhead_m / 1000:.1f} | {share}{flag} |")
    if fleet is not None:
        seen: dict[str, int] = {}
        for v in fleet.vehicles:
            shift_no = seen.get(v.id, 0)
            seen[v.id] = shift_no + 1
            if (v.id, shift_no) not in used:
                lines.append(f"| {v.id} | {v.type} | {v.depot} | - | - | 0 | 0 | "
                             f"{say('stays in the yard')} |")
    lines += by_district(schedule, streets, fleet, say)
    groups: dict[str, list[Undone]] = {}
    for x in undone(schedule, streets, say("(unnamed)")):
        groups.setdefault(x.item.reason, []).append(x)
    lines += ["", say("## Work left undone"), ""]
    if not groups:
        lines.append(say("None: every pass is in a route."))
    for reason, items in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        km = sum(x.length_m for x in items) / 1000
        names: dict[str, int] = {}
        for x in items:
            names[x.name] = names.get(x.name, 0) + 1
        shown = sorted(names, key=lambda n: -names[n])
        listed = say(", ").join(say("{name} ({n})", name=n, n=names[n]) for n in shown[:12])
        more = say(" and {n} more", n=len(shown) - 12) if len(shown) > 12 else ""
        lines += [say("- **{reason}**: {n} passes, {km} km: {listed}{more}", reason=reason,
                      n=len(items), km=f"{km:.1f}", listed=listed, more=more)]
    lines += ["", say("Every pass left undone is in `unassigned.csv` with its street and reason.")]
    return "\n".join(lines) + "\n"


def by_district(schedule: Schedule, streets: Sequence[Street], fleet: Fleet | None,
                say: Lang = EN) -> list[str]:
    """A row per district (the bureau's, from the streets' and depots' ``district``), else
    per depot: routes, km swept and driven empty, passes left undone, cost."""
    depot_district = {d.id: d.district for d in fleet.depots} if fleet is not None else {}
    street_district = {s.id: s.district for s in streets}
    bureau = any(depot_district.values()) and any(street_district.values())
    rows: dict[str, list[float]] = {}  # routes, km swept, km empty, undone, cost
    for r in schedule.routes:
        key = (depot_district.get(r.depot or "") if bureau else r.depot) or "-"
        row = rows.setdefault(key, [0, 0.0, 0.0, 0, 0.0])
        row[0] += 1
        row[1] += r.served_m / 1000
        row[2] += r.deadhead_m / 1000
        row[4] += r.cost
    if bureau:
        for u in schedule.unassigned:
            rows.setdefault(street_district.get(u.street) or "-", [0, 0.0, 0.0, 0, 0.0])[3] += 1
    if len(rows) < 2:
        return []
    what = say("district" if bureau else "depot")
    heads = [what] + [say(h) for h in ("routes", "km swept", "km empty")] + (
        [say("passes left undone")] if bureau else []) + [say("cost")]
    out = ["", say("## By {what}", what=what), "", f"| {' | '.join(heads)} |",
           "|---|---|---|---|" + ("---|" if bureau else "") + "---|"]
    for key in sorted(rows):
        n, swept, empty, undone, cost = rows[key]
        out.append(f"| {key} | {n:.0f} | {swept:.1f} | {empty:.1f} | "
                   + (f"{undone:.0f} | " if bureau else "") + f"{cost:.2f} |")
    return out


def _vehicle(fleet: Fleet | None, ident: str, shift: int) -> Vehicle | None:
    if fleet is None:
        return None
    records = [v for v in fleet.vehicles if v.id == ident]
    return records[shift] if shift < len(records) else None


def write_summary(schedule: Schedule, streets: Sequence[Street], fleet: Fleet | None,
                  out: Path, lang: Lang | str = "en") -> list[Path]:
    """``summary.md`` (in ``lang``) and ``unassigned.csv`` in ``out``."""
    (out / "summary.md").write_text(summary_md(schedule, streets, fleet, lang),
                                    encoding="utf-8")
    return [out / "summary.md", write_unassigned_csv(schedule, streets, out / "unassigned.csv")]
