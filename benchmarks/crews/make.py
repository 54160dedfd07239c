"""Generate the crew benchmark: 80 routes a day at 4 depots, 200 drivers (seeded, reproducible).

Run from the repository root: ``python benchmarks/crews/make.py``. Writes ``schedule.json``
(one day's routes: only their vehicles, types, depots and hours matter to the roster) and
``crew.csv`` next to this file.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from streetcrew.models.schedule import Route, Schedule, Step, Summary

HERE = Path(__file__).resolve().parent
DEPOTS = ("east", "west", "north", "south")
SHIFTS = ((3, 8.0), (6, 8.0), (13, 8.0), (22, 7.5))  # start hour, hours (22:00: night)


def main(seed: int = 2026) -> None:
    rng = random.Random(seed)
    routes = []
    for depot in DEPOTS:
        for k in range(20):
            kind = "large-sweeper" if k < 10 else "small-sweeper"
            start_h, hours = SHIFTS[k % 4]
            start = int(start_h * 3600 + rng.choice((0, 15, 30)) * 60)
            end = start + int((hours - rng.choice((0, 0.5, 1.0, 1.5))) * 3600)
            steps = (Step(type="start", start=start, end=start),
                     Step(type="end", start=end, end=end))
            routes.append(Route(vehicle=f"{depot[0].upper()}{k + 1:02d}", vehicle_type=kind,
                                depot=depot, steps=steps, served_m=0.0, deadhead_m=0.0,
                                cost=0.0))
    summary = Summary(routes_used=len(routes), served_km=0, deadhead_km=0, deadhead_pct=0,
                      coverage_pct=0, overtime_s=0, unassigned=0, cost=0, solve_s=0)
    schedule = Schedule(status="solved", date="2026-11-30", summary=summary,
                        routes=tuple(routes), unassigned=(), inputs={})
    (HERE / "schedule.json").write_text(schedule.model_dump_json(indent=1) + "\n",
                                        encoding="utf-8")
    vehicles = [r.vehicle for r in routes]
    with open(HERE / "crew.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "role", "licences", "depot", "days", "available_from",
                    "available_to", "contract_hours", "prefer_vehicle", "prefer_route",
                    "not_with"])
        for n in range(200):
            depot = DEPOTS[n % 4]
            lic = rng.choices(["large-sweeper", "small-sweeper",
                               "large-sweeper;small-sweeper"], (3, 3, 4))[0]
            days = rng.choices(["all", "mon-fri", "wed-sun", "sat-thu"], (6, 2, 1, 1))[0]
            window = rng.choices([("00:00", "24:00"), ("05:00", "16:00"),
                                  ("12:00", "32:00")], (6, 2, 2))[0]
            contract = rng.choices([40, 32, 24], (8, 1, 1))[0]
            own = [v for v, r in zip(vehicles, routes) if r.depot == depot]
            prefer = rng.choice(own) if rng.random() < 0.2 else ""
            w.writerow([f"B{n + 1:03d}", "", "driver", lic, depot, days, *window, contract,
                        prefer, "", ""])


if __name__ == "__main__":
    main()
