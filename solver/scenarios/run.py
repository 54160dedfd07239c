"""The scenario workflows: ``compare`` (every scenario and seed planned, checked, compared
with the base) and ``size`` (the fewest vehicles of a type), with their files.

The command line and the Python API call these; the plans themselves run in
:mod:`streetcrew.solver.scenarios.compare` on local processes or a Dask cluster.
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from streetcrew.models.base import InputError
from streetcrew.models.io.scenario import read_scenarios
from streetcrew.models.scenario import apply_changes
from streetcrew.solver.outputs.pictures import draw_comparison
from streetcrew.solver.outputs.report import write_compare_report
from streetcrew.solver.outputs.tables import CSV_ENCODING, markdown_table
from streetcrew.solver.scenarios.compare import (
    KPI_COLUMNS,
    Progress,
    Run,
    SizePoint,
    compare,
    load_base,
    size_fleet,
    table,
    tasks_of,
)


@dataclass
class CompareRun:
    runs: list[Run]
    rows: list[dict[str, Any]]
    markdown: str
    wall_s: float
    written: list[Path] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(r.feasible for r in self.runs)


def run_compare(files: Sequence[Path], default_streets: Path, default_fleet: Path,
                seeds: int = 1, time_limit: float = 60.0, solutions: int | None = None,
                workers: int = 0, scheduler: str | None = None, out: Path | None = None,
                progress: Progress | None = None) -> CompareRun:
    """Plan every scenario of ``files`` (and seed), check each plan, compare with the base;
    with ``out``: runs.json, comparison.csv, comparison.md and comparison.png."""
    sets = [read_scenarios(f) for f in files]
    jobs = tasks_of(sets, seeds, time_limit, str(default_streets), str(default_fleet),
                    solutions)
    bases: dict[tuple[str, str, str | None], Any] = {}
    for task, streets, fleet in jobs:  # refuse a change naming what is not there, up front
        key = (streets, fleet, task.date)
        if key not in bases:
            bases[key] = load_base(streets, fleet, task.date)
        if task.seed == 0:
            apply_changes(bases[key][1], bases[key][0], task.scenario, task.file)
    started = time.perf_counter()
    try:
        runs = compare(jobs, workers, scheduler, progress)
    except ConnectionError as exc:
        raise InputError(None, "--scheduler", "scheduler", str(exc)) from None
    wall = time.perf_counter() - started
    rows = table(runs)
    result = CompareRun(runs, rows, comparison_md(rows, seeds, time_limit, wall), wall)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "runs.json").write_text(json.dumps([r.model_dump() for r in runs], indent=1)
                                       + "\n", encoding="utf-8")
        with open(out / "comparison.csv", "w", newline="", encoding=CSV_ENCODING) as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows({**r, "reasons": json.dumps(r["reasons"], ensure_ascii=False)}
                        for r in rows)
        (out / "comparison.md").write_text(result.markdown, encoding="utf-8")
        draw_comparison(rows, KPI_COLUMNS, out / "comparison.png")
        write_compare_report(rows, KPI_COLUMNS, out / "comparison.html", seeds=seeds,
                             note=result.markdown.splitlines()[0])
        result.written = [out / n for n in ("runs.json", "comparison.csv", "comparison.md",
                                            "comparison.png", "comparison.html")]
    return result


def comparison_md(rows: list[dict[str, Any]], seeds: int, time_limit: float,
                  wall: float) -> str:
    """The comparison as Markdown: a line on the run, then a row per scenario."""
    # a KPI no scenario has (no crew, no volunteers) gets no column
    cols = [c for c in KPI_COLUMNS if any(r[c[0]] is not None for r in rows)]
    names = ["rank", "scenario", *(c[1] for c in cols), "checked"]
    patrol = any(r.get("patrol_priority_pct") is not None for r in rows)
    body = []
    for row in rows:
        cells = []
        for key, _, spec in cols:
            v = row[key]
            if v is None:
                cells.append("-")
                continue
            text = format(v, spec)
            if key == "vehicles_used" and row.get("vehicles"):
                text += f" of {row['vehicles']}"
            if seeds > 1:
                text += f" ± {format(row[key + '_spread'], spec)}"
            delta = row.get(key + "_vs_base")
            if row["scenario"] != "base" and delta is not None:
                text += f" ({'+' if delta >= 0 else ''}{format(delta, spec)})"
            cells.append(text)
        checked = (f"FAILED ({row['failed']} of {row['seeds']})" if row["failed"]
                   else "feasible" if row["feasible"] else "VIOLATIONS")
        body.append([str(row.get("rank", "")), row["scenario"], *cells, checked])
    head = (f"Scenarios: {len(rows)}, seeds: {seeds}, {time_limit:g} s per plan"
            + (" (and as much per patrol plan)" if patrol else "")
            + f", {wall:.0f} s in all. Each cell: mean over seeds (± spread), change from base. "
            "Ranked: plans that pass their check first, then the least work left undone "
            "(unassigned), then the lowest cost.")
    why = []
    for row in rows:
        reasons = row.get("reasons") or {}
        if reasons:
            why.append(f"- **{row['scenario']}**: " + "; ".join(
                f"{n} x {reason}" for reason, n in reasons.items()))
    tail = ("\n## Work left undone, by scenario (summed over seeds)\n\n" + "\n".join(why) + "\n"
            if why else "")
    return head + "\n\n" + markdown_table(names, body) + "\n" + tail


@dataclass
class SizeRun:
    vehicle_type: str
    best: int | None
    points: list[SizePoint]
    most: int
    written: list[Path] = field(default_factory=list)


def run_size(vehicle_type: str, streets: Path | None, fleet: Path | None,
             default_streets: Path, default_fleet: Path, date: str | None = None,
             time_limit: float = 30.0, most: int = 200, workers: int = 0,
             solutions: int | None = None, out: Path | None = None,
             scenarios: Path | None = None, scenario: str | None = None) -> SizeRun:
    """The fewest vehicles of a type that sweep everything a fleet can, with the cost curve;
    a scenario file's base gives the streets, fleet and date unless given."""
    sset = read_scenarios(scenarios) if scenarios else None
    base = sset.base if sset else None
    if scenario is not None and scenarios is None:
        raise InputError(None, "--scenario", "scenario", "name the scenario file (--scenarios)")
    fleet_path = str(fleet or (base and base.fleet) or default_fleet)
    street_list, fleet_data = load_base(
        str(streets or (base and base.streets) or default_streets), fleet_path,
        date or (base.date if base else None))
    types = [t.id for t in fleet_data.vehicle_types]
    if vehicle_type not in types:
        raise InputError(fleet_path, "vehicle_types", "--vehicle-type",
                         f"unknown vehicle type {vehicle_type!r}; the fleet has "
                         f"{', '.join(types)}")
    if sset is not None and scenario is not None:
        chosen = next((s for s in sset.scenarios if s.name == scenario), None)
        if chosen is None:
            raise InputError(sset.file, "scenarios", "--scenario",
                             f"no scenario named {scenario!r}; the file has "
                             f"{', '.join(repr(s.name) for s in sset.scenarios)}")
        fleet_data, street_list = apply_changes(fleet_data, street_list, chosen, sset.file)
    best, points = size_fleet(street_list, fleet_data, vehicle_type, time_limit, workers, most,
                              solutions=solutions)
    result = SizeRun(vehicle_type, best, points, most)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        with open(out / "size.csv", "w", newline="", encoding=CSV_ENCODING) as f:
            w = csv.DictWriter(f, fieldnames=list(points[0].model_dump()))
            w.writeheader()
            w.writerows(p.model_dump() for p in points)
        result.written = [out / "size.csv"]
    return result


def size_report(r: SizeRun) -> str:
    """The cost curve as a Markdown table and the answer (or why there is none)."""
    rows = [[f"{p.vehicles}{' <- fewest' if p.vehicles == r.best else ''}", f"{p.cost:.2f}",
             f"{p.km_driven:.1f}", p.unassigned, p.left_for_fleet,
             "feasible" if p.feasible else "VIOLATIONS", f"{p.solve_s:.0f}"] for p in r.points]
    text = markdown_table(["vehicles", "cost", "km driven", "unassigned",
                           "of it a bigger fleet could take", "checked", "s"], rows)
    if r.best is not None:
        return text + f"\nfewest {r.vehicle_type}: {r.best}"
    tried = max(p.vehicles for p in r.points)
    return (text + f"\n{tried} x {r.vehicle_type} still leave work unswept"
            + (" (and twice as many did not leave less)" if tried < r.most else "")
            + ": the limit is not the number of this type (windows, gaps between repeat "
              "sweeps, streets only other types may sweep: see the reasons in a plan)")
