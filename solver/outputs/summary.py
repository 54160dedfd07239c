"""What a supervisor reads of a plan: ``summary.md`` and ``unassigned.csv``.

The summary gives the day's figures, the vehicles that stay in the yard or are barely used,
and the work left undone grouped by reason with the streets' names; the CSV lists every
pass left undone with its street, kerb, length and reason, for a spreadsheet.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from streetcrew.models.base import hhmm
from streetcrew.models.fleet import Fleet, Vehicle
from streetcrew.models.network import build_network
from streetcrew.models.schedule import Schedule, Unassigned
from streetcrew.models.streets import Street

NEARLY_IDLE = 0.25  # a route working less than this share of its shift is "nearly idle"


@dataclass(frozen=True)
class Undone:
    """One pass left undone, with what a reader needs to find the street."""

    item: Unassigned
    name: str
    road_class: str
    length_m: float


def undone(schedule: Schedule, streets: Sequence[Street]) -> list[Undone]:
    index = {s.id: k for k, s in enumerate(streets)}
    network = build_network(streets) if schedule.unassigned else None
    out = []
    for u in schedule.unassigned:
        k = index.get(u.street)
        street = streets[k] if k is not None else None
        length = network.links[k].length_m if network is not None and k is not None else 0.0
        out.append(Undone(u, street.name if street and street.name else "(unnamed)",
                          street.road_class if street else "", length))
    return out


def write_unassigned_csv(schedule: Schedule, streets: Sequence[Street], path: Path) -> Path:
    """One row per pass left undone (a header only when everything is done)."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["street", "name", "side", "road_class", "length_m", "task", "reason"])
        for x in undone(schedule, streets):
            w.writerow([x.item.street, x.name, x.item.side, x.road_class, round(x.length_m, 1),
                        x.item.task, x.item.reason])
    return path


def summary_md(schedule: Schedule, streets: Sequence[Street], fleet: Fleet | None = None) -> str:
    s = schedule.summary
    lines = [f"# Plan summary{' for ' + schedule.date.isoformat() if schedule.date else ''}",
             "", "| figure | value |", "|---|---|"]
    available = len(fleet.vehicles) if fleet is not None else None
    driven = s.served_km + s.deadhead_km
    rows = [
        ("status", schedule.status),
        ("checked", "feasible (independent checker)" if schedule.checked and
         not schedule.violations else "NOT checked feasible"),
        ("vehicles used", f"{s.routes_used}" + (f" of {available}" if available else "")),
        ("km swept", f"{s.served_km:.1f}"),
        ("km driven empty", f"{s.deadhead_km:.1f} ({s.deadhead_pct:.1f} % of all driving)"),
        ("km driven", f"{driven:.1f}" + (f" (at least {s.driven_km_lower_bound:.1f} needed)"
                                         if s.driven_km_lower_bound else "")),
        ("sweeping rate", f"{s.coverage_pct:.1f} % of the length to sweep"),
        ("passes left undone", str(s.unassigned)),
        ("overtime", f"{s.overtime_s / 60:.0f} min"),
        ("cost", f"{s.cost:.2f}"),
    ]
    lines += [f"| {a} | {b} |" for a, b in rows]
    lines += ["", "## Vehicles", "", "| vehicle | type | depot | out | back | km swept | "
              "km empty | share of shift working |", "|---|---|---|---|---|---|---|---|"]
    used = {(r.who, r.shift) for r in schedule.routes}
    for r in schedule.routes:
        vehicle = _vehicle(fleet, r.who, r.shift)
        shift = (vehicle.shift_end - vehicle.shift_start) if vehicle else 0
        work = r.steps[-1].end - r.steps[0].start
        share = f"{100 * work / shift:.0f} %" if shift else "-"
        flag = " (nearly idle)" if shift and work < NEARLY_IDLE * shift else ""
        lines.append(f"| {r.label} | {r.vehicle_type or r.mode or ''} | {r.depot or ''} | "
                     f"{hhmm(r.steps[0].start)} | {hhmm(r.steps[-1].end)} | "
                     f"{r.served_m / 1000:.1f} | {r.deadhead_m / 1000:.1f} | {share}{flag} |")
    if fleet is not None:
        seen: dict[str, int] = {}
        for v in fleet.vehicles:
            shift_no = seen.get(v.id, 0)
            seen[v.id] = shift_no + 1
            if (v.id, shift_no) not in used:
                lines.append(f"| {v.id} | {v.type} | {v.depot} | - | - | 0 | 0 | stays in the "
                             "yard |")
    lines += by_district(schedule, streets, fleet)
    groups: dict[str, list[Undone]] = {}
    for x in undone(schedule, streets):
        groups.setdefault(x.item.reason, []).append(x)
    lines += ["", "## Work left undone", ""]
    if not groups:
        lines.append("None: every pass is in a route.")
    for reason, items in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        km = sum(x.length_m for x in items) / 1000
        names: dict[str, int] = {}
        for x in items:
            names[x.name] = names.get(x.name, 0) + 1
        shown = sorted(names, key=lambda n: -names[n])
        listed = ", ".join(f"{n} ({names[n]})" for n in shown[:12])
        more = f" and {len(shown) - 12} more" if len(shown) > 12 else ""
        lines += [f"- **{reason}**: {len(items)} passes, {km:.1f} km: {listed}{more}"]
    lines += ["", "Every pass left undone is in `unassigned.csv` with its street and reason."]
    return "\n".join(lines) + "\n"


def by_district(schedule: Schedule, streets: Sequence[Street], fleet: Fleet | None
                ) -> list[str]:
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
    what = "district" if bureau else "depot"
    out = ["", f"## By {what}", "", f"| {what} | routes | km swept | km empty | "
           + ("passes left undone | " if bureau else "") + "cost |",
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
                  out: Path) -> list[Path]:
    """``summary.md`` and ``unassigned.csv`` in ``out``."""
    (out / "summary.md").write_text(summary_md(schedule, streets, fleet), encoding="utf-8")
    return [out / "summary.md", write_unassigned_csv(schedule, streets, out / "unassigned.csv")]
