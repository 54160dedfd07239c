"""summary.md and unassigned.csv: what a supervisor reads."""

from __future__ import annotations

import csv
from pathlib import Path

from streetcrew.models.fleet import Depot, Point
from streetcrew.solver.outputs.summary import summary_md, write_summary
from streetcrew.solver.sweep.params import PlanParams
from streetcrew.solver.sweep.plan import plan_sweeping
from tests.helpers import grid, grid_fleet

FLEET = grid_fleet()


def test_summary_reports_each_district_of_the_bureau_and_every_pass_left_undone(
    tmp_path: Path,
) -> None:
    east = Depot(id="E", at=Point(lon=118.782, lat=32.052), district="east")
    west = Depot(id="W", at=Point(lon=118.770, lat=32.040), district="west")
    streets = [s.model_copy(update={"district": "east" if s.coords[0][0] < 118.776 else "west"})
               for s in grid()]
    streets.append(streets[0].model_copy(update={  # a motorway nobody may sweep, in the east
        "id": "m1", "road_class": "motorway", "name": "绕城高速",
        "coords": ((118.770, 32.030), (118.774, 32.030))}))
    vehicles = [v.model_copy(update={"id": f"{v.id}-{d}", "depot": d})
                for d in ("E", "W") for v in FLEET.vehicles]
    fleet = FLEET.model_copy(update={"depots": (east, west), "vehicles": tuple(vehicles)})
    schedule = plan_sweeping(streets, fleet, PlanParams(time_limit=4, workers=1))
    text = summary_md(schedule, streets, fleet)
    assert "## By district" in text
    rows = {line.split("|")[1].strip(): line for line in text.splitlines()
            if line.startswith("| east") or line.startswith("| west")}
    assert set(rows) == {"east", "west"}
    undone_east = sum(1 for u in schedule.unassigned
                      if next(s.district for s in streets if s.id == u.street) == "east")
    assert rows["east"].split("|")[5].strip() == str(undone_east) and undone_east >= 2
    assert "绕城高速" in text  # work left undone by its street's name
    write_summary(schedule, streets, fleet, tmp_path)
    with open(tmp_path / "unassigned.csv", encoding="utf-8-sig") as fh:  # a BOM, for Excel
        listed = list(csv.DictReader(fh))
    assert len(listed) == len(schedule.unassigned)
    assert {r["street"] for r in listed} >= {"m1"} and all(r["reason"] for r in listed)
