"""Depots and facilities given in GCJ-02 (Amap): declared, or with --coords-in, they snap and
plan exactly as the WGS-84 ones; undeclared, a note says they look shifted; --coords-out
writes the GeoJSON and the page's map in GCJ-02 and says so; schedule.json stays WGS-84."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from streetcrew import cli, instances
from streetcrew.models.base import InputError
from streetcrew.models.coords import from_wgs84, to_wgs84, wgs84_to_gcj02
from streetcrew.models.fleet import Fleet, Point
from streetcrew.models.io.fleet import read_fleet
from streetcrew.models.io.streets import read_street_source
from streetcrew.models.schedule import Schedule
from streetcrew.models.streets import haversine_m
from streetcrew.solver.graph.network import snap, street_ends
from streetcrew.solver.outputs.schedule_files import route_features
from streetcrew.solver.sweep import run as sweep
from streetcrew.solver.sweep.params import PlanParams
from streetcrew.solver.sweep.plan import plan_sweeping
from streetcrew.solver.sweep.tasks import coords_notes
from tests.helpers import grid, grid_fleet

# 500 iterations bound the search, so the plans are equal on any machine; the time limit is
# only a cap, set high enough never to cut the search on a loaded machine
PARAMS = PlanParams(time_limit=30, iterations=500, deterministic=True)
runner = CliRunner()


def _gcj_fleet(path: Path, declare: bool) -> Path:
    """The demo fleet with its depots and facilities as Amap shows them (GCJ-02)."""
    doc = yaml.safe_load(instances.demo_fleet().read_text(encoding="utf-8"))
    doc.pop("coords", None)
    for section in ("depots", "facilities"):
        for rec in doc[section]:
            rec["at"] = list(wgs84_to_gcj02(*rec["at"]))
    if declare:
        doc["coords"] = "gcj02"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def _routes(s: Schedule) -> list[Any]:
    return [(r.vehicle, r.shift, round(r.cost, 2), [
        (st.type, st.task, st.street, st.from_node, st.to_node, st.start, st.end)
        for st in r.steps]) for r in s.routes]


@pytest.fixture(scope="module")
def wgs_plan() -> sweep.PlanRun:
    return sweep.run(instances.demo_streets(), instances.demo_fleet(), None, PARAMS)


def test_declared_gcj02_plans_as_wgs84(wgs_plan: sweep.PlanRun, tmp_path: Path) -> None:
    gcj = sweep.run(instances.demo_streets(), _gcj_fleet(tmp_path / "fleet.yaml", True), None,
                    PARAMS)
    assert wgs_plan.passed and gcj.passed
    assert gcj.schedule.snap_m == wgs_plan.schedule.snap_m
    assert _routes(gcj.schedule) == _routes(wgs_plan.schedule)
    assert gcj.schedule.summary.cost == wgs_plan.schedule.summary.cost
    assert not gcj.notes and not wgs_plan.notes  # nothing looks shifted


def test_coords_in_and_out_on_the_command_line(wgs_plan: sweep.PlanRun, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    fleet = _gcj_fleet(tmp_path / "fleet.yaml", False)  # the file says nothing
    out = tmp_path / "plan"
    monkeypatch.setattr(cli, "STARTED", time.perf_counter())  # the run's clock starts now
    res = runner.invoke(cli.app, ["plan", "--fleet", str(fleet), "--coords-in", "gcj02",
                                  "--coords-out", "gcj02", "-t", "30", "--iterations", "500",
                                  "--out", str(out)])
    assert res.exit_code == 0, res.output
    # the same snaps and routes as the WGS-84 fleet, and schedule.json in WGS-84
    schedule = Schedule.model_validate_json((out / "schedule.json").read_text("utf-8"))
    assert schedule.snap_m == wgs_plan.schedule.snap_m
    assert _routes(schedule) == _routes(wgs_plan.schedule)
    assert schedule.inputs["fleet"].coords == "gcj02"  # so that check reads it the same way
    assert runner.invoke(cli.app, ["check", str(out / "schedule.json")]).exit_code == 0
    # routes.geojson in GCJ-02: the same lines, each point 500-600 m off the WGS-84 one
    doc = json.loads((out / "routes.geojson").read_text("utf-8"))
    assert doc["coords"] == "gcj02"
    wgs = [f for r in route_features(wgs_plan.schedule, wgs_plan.streets) for f in r]
    assert len(doc["features"]) == len(wgs) > 0
    offsets = [haversine_m(p, q) for f, g in zip(doc["features"], wgs)
               for p, q in zip(f["geometry"]["coordinates"], g["geometry"]["coordinates"])]
    assert 500 < min(offsets) and max(offsets) < 600
    page = (out / "report.html").read_text("utf-8")
    assert "Coordinates on this map: GCJ-02 (Amap/Tencent)" in page


def test_default_output_names_wgs84(wgs_plan: sweep.PlanRun, tmp_path: Path) -> None:
    from streetcrew.solver.outputs.schedule_files import write_routes_geojson

    path = write_routes_geojson(wgs_plan.schedule, wgs_plan.streets, tmp_path / "r.geojson")
    doc = json.loads(path.read_text("utf-8"))
    assert doc["coords"] == "wgs84"
    wgs = [f for r in route_features(wgs_plan.schedule, wgs_plan.streets) for f in r]
    assert doc["features"] == wgs


def _at_street_ends(k: int = 4) -> list[tuple[float, float]]:
    """``k`` street ends of the demo that GCJ-02 numbers, read as WGS-84, put > 150 m from
    any street end (a depot at a gate on a street, typed in from Amap)."""
    streets = read_street_source(instances.demo_streets())
    ends = street_ends(streets)
    found = []
    for p in sorted(ends.nodes):
        shifted = wgs84_to_gcj02(*p)
        if snap({"x": Point(lon=shifted[0], lat=shifted[1])}, ends)["x"][1] > 150:
            found.append(p)
            if len(found) == k:
                return found
    raise AssertionError("the demo has too few such street ends")


def _fleet_at(points: list[tuple[float, float]], given_in: str, read_as: str = "wgs84"
              ) -> Fleet:
    """The demo fleet at ``points``, their numbers given in ``given_in``, read as
    ``read_as``."""
    base = read_fleet(instances.demo_fleet())
    read = [to_wgs84(*from_wgs84(*p, given_in), read_as) for p in points]
    moved = [x.model_copy(update={"at": Point(lon=lon, lat=lat)})
             for x, (lon, lat) in zip((*base.depots, *base.facilities), read)]
    n = len(base.depots)
    return base.model_copy(update={"depots": tuple(moved[:n]),
                                   "facilities": tuple(moved[n:])})


def test_note_for_gcj02_points_read_as_wgs84() -> None:
    streets = read_street_source(instances.demo_streets())
    points = _at_street_ends()
    notes = coords_notes(streets, _fleet_at(points, "gcj02"))
    assert len(notes) == 4
    assert notes[0].startswith("depot north-yard looks like GCJ-02 (Amap/Tencent): ")
    assert notes[0].endswith(" m from the nearest street as WGS-84, 0 m if read as GCJ-02; "
                             "declare coords: gcj02")
    assert "facility transfer-station looks like GCJ-02" in notes[2]
    # read as what they are, nothing to say; nor about the bundled demo's off-street yards
    assert coords_notes(streets, _fleet_at(points, "wgs84")) == []
    assert coords_notes(streets, read_fleet(instances.demo_fleet())) == []
    # Baidu numbers read as Amap's: the note names BD-09
    bd = coords_notes(streets, _fleet_at(points, "bd09", "gcj02"), "gcj02")
    assert bd and all("looks like BD-09 (Baidu)" in n and "as GCJ-02" in n for n in bd)


def test_off_the_map_error_says_gcj02() -> None:
    """A corner depot typed in from Amap lands 541 m outside the grid: the error that refuses
    it says why."""
    fleet = grid_fleet()
    gcj = wgs84_to_gcj02(118.782, 32.040)  # the grid's south-east corner, as Amap shows it
    depot = fleet.depots[0].model_copy(update={"at": Point(lon=gcj[0], lat=gcj[1])})
    with pytest.raises(InputError) as exc:
        plan_sweeping(grid(), fleet.model_copy(update={"depots": (depot,)}), PARAMS)
    assert exc.value.field == "at"
    assert "(limit 500 m): depot D1 looks like GCJ-02 (Amap/Tencent): 541 m from the nearest " \
           "street as WGS-84, 0 m if read as GCJ-02; declare coords: gcj02" in exc.value.message
