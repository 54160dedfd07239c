"""Meeting points and cases from Amap (GCJ-02): read with ``coords``, planned in WGS-84, the
walks written in GCJ-02 with ``coords_out``, and checked again as they were read."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from typer.testing import CliRunner

from streetcrew.cli import app
from streetcrew.models.coords import gcj02_to_wgs84, wgs84_to_gcj02
from streetcrew.models.io.write_streets import write_geojson
from streetcrew.models.streets import haversine_m
from streetcrew.solver.patrol import run as patrol
from streetcrew.solver.patrol.plan import PatrolParams
from tests.helpers import grid

CORNER = (118.770, 32.040)  # a node of the grid
ON = dt.date(2026, 11, 27)


def test_patrol_reads_gcj02_and_writes_it(tmp_path: Path) -> None:
    streets = write_geojson(grid(), tmp_path / "streets.geojson")  # names WGS-84
    lon, lat = wgs84_to_gcj02(*CORNER)
    volunteers = tmp_path / "volunteers.csv"
    volunteers.write_text("id,lon,lat,free_from,free_to,max_minutes\n"
                          f"V1,{lon:.10f},{lat:.10f},09:00,11:00,60\n"
                          f"V2,{lon:.10f},{lat:.10f},09:00,11:00,60\n", encoding="utf-8")
    cases = tmp_path / "cases.csv"
    cases.write_text(f"id,lon,lat,kind,time\nC1,{lon:.10f},{lat:.10f},graffiti,2026-11-26\n",
                     encoding="utf-8")
    inputs = patrol.load(streets, volunteers, ON, cases, coords="gcj02")
    assert all(haversine_m((v.at.lon, v.at.lat), CORNER) < 0.01 for v in inputs.volunteers)
    assert haversine_m((inputs.cases[0].at.lon, inputs.cases[0].at.lat), CORNER) < 0.01
    assert inputs.refs["volunteers"].coords == "gcj02"
    out = tmp_path / "patrol"
    result = patrol.run(inputs, PatrolParams(time_limit=2, workers=1), ON, out,
                        coords_out="gcj02")
    assert result.passed
    doc = json.loads((out / "patrol.geojson").read_text("utf-8"))
    assert doc["coords"] == "gcj02" and doc["features"]
    first = doc["features"][0]["geometry"]["coordinates"][0]
    back = gcj02_to_wgs84(*first)  # a grid node, written 500-600 m off as Amap shows it
    assert min(haversine_m(back, p) for s in grid() for p in s.coords) < 0.01
    assert 500 < haversine_m(first, back) < 600
    assert "Coordinates on this map: GCJ-02" in (out / "report.html").read_text("utf-8")
    checked = CliRunner().invoke(app, ["check", str(out / "schedule.json")])
    assert checked.exit_code == 0, checked.output
