"""The bureau's district polygons (``plan --districts``): each street swept from a yard of
its district, streets outside them listed, overlapping polygons refused."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from streetcrew.models.base import InputError
from streetcrew.models.fleet import Depot, Point
from streetcrew.models.io.districts import read_districts
from streetcrew.solver.sweep.check import check_schedule
from streetcrew.solver.sweep.districts import OUTSIDE, assign_districts, inside_rings
from streetcrew.solver.sweep.params import PlanParams
from streetcrew.solver.sweep.plan import plan_sweeping
from tests.helpers import grid, grid_fleet

REAL = Path(__file__).resolve().parents[3].parent / "shared" / "real"


def _box(x0: float, y0: float, x1: float, y1: float) -> list[list[float]]:
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]


def _write(tmp: Path, polygons: list[tuple[str, list[list[list[float]]]]]) -> Path:
    path = tmp / "districts.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"District": name},
         "geometry": {"type": "Polygon", "coordinates": rings}} for name, rings in polygons]}))
    return path


def test_points_in_polygons_with_a_hole() -> None:
    rings = [_box(0, 0, 10, 10), _box(4, 4, 6, 6)]
    pts = np.array([[1, 1], [5, 5], [11, 1], [9.9, 9.9]], dtype=float)
    assert inside_rings(pts, rings).tolist() == [True, False, False, True]


def test_streets_go_to_their_district_and_the_rest_is_listed(tmp_path) -> None:
    streets = grid(4)  # x 118.770-118.786, y 32.040-32.056
    fleet = grid_fleet()
    west = Depot(id="W", at=Point(lon=118.772, lat=32.045))
    fleet = fleet.model_copy(update={
        "depots": (*fleet.depots, west),
        "vehicles": (*fleet.vehicles, *(v.model_copy(update={"id": f"{v.id}w", "depot": "W"})
                                        for v in fleet.vehicles))})
    path = _write(tmp_path, [("east", [_box(118.7775, 32.0, 118.79, 32.0525)]),
                             ("west", [_box(118.76, 32.0, 118.7775, 32.0525)])])
    areas = read_districts(path)
    streets, fleet, outside = assign_districts(streets, fleet, areas, str(path))
    assert outside and all(s.district is None for s in streets if s.id in outside)
    assert {d.id: d.district for d in fleet.depots} == {"D1": "east", "W": "west"}
    schedule = plan_sweeping(streets, fleet, PlanParams(time_limit=20, outside=frozenset(outside)))
    assert check_schedule(streets, fleet, schedule) == []
    district = {s.id: s.district for s in streets}
    yard = {v.id: v.depot for v in fleet.vehicles}
    home = {"D1": "east", "W": "west"}
    served = [(r.vehicle, s.street) for r in schedule.routes for s in r.steps
              if s.type == "serve"]
    assert served and all(home[yard[v]] == district[k] for v, k in served)
    left = [u for u in schedule.unassigned if u.street in outside]
    assert left and all(u.reason == OUTSIDE for u in left)
    assert {u.street for u in left} == {k for k in outside}  # every pass of them, listed


def test_overlapping_districts_and_bad_features_are_named(tmp_path) -> None:
    streets, fleet = grid(), grid_fleet()
    path = _write(tmp_path, [("A", [_box(118.76, 32.03, 118.78, 32.06)]),
                             ("B", [_box(118.775, 32.03, 118.79, 32.06)])])
    with pytest.raises(InputError, match=r"features 0 and 1.*districts A and B overlap"):
        assign_districts(streets, fleet, read_districts(path), str(path))
    bad = tmp_path / "bad.geojson"
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "x"},
         "geometry": {"type": "Polygon", "coordinates": [_box(0, 0, 1, 1)]}}]}))
    with pytest.raises(InputError, match="feature 0.*no district name"):
        read_districts(bad)
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"district": "x"},
         "geometry": {"type": "Point", "coordinates": [0, 0]}}]}))
    with pytest.raises(InputError, match="feature 0.*Point is no"):
        read_districts(bad)


@pytest.mark.skipif(not (REAL / "cambridge_street_sweeping_districts.geojson").exists(),
                    reason="../shared/real (Cambridge, MA open data) is not beside the checkout")
def test_cambridge_streets_fall_in_its_sweeping_districts() -> None:
    from streetcrew.models.io.streets import read_street_source

    streets = read_street_source(REAL / "cambridge_street_centerlines.geojson")
    areas = read_districts(REAL / "cambridge_street_sweeping_districts.geojson")
    assert sorted({a.name for a in areas}) == list("ABCDEFGHJK")
    fleet = grid_fleet()
    named, _, outside = assign_districts(streets, fleet, areas, "cambridge")
    counts = {a.name: sum(s.district == a.name for s in named) for a in areas}
    assert all(n > 50 for n in counts.values()), counts  # every district has its streets
    assert len(outside) < 0.2 * len(streets)  # the city's edge and its parks


def test_a_street_along_a_border_goes_to_the_nearest_district(tmp_path) -> None:
    streets, fleet = grid(4), grid_fleet()
    # the ns2* streets run along x = 118.778, in the 19 m gap the two polygons leave
    path = _write(tmp_path, [("west", [_box(118.76, 32.03, 118.7779, 32.06)]),
                             ("east", [_box(118.7781, 32.03, 118.79, 32.06)])])
    named, _, outside = assign_districts(streets, fleet, read_districts(path), str(path))
    on_border = [s for s in named if s.id.startswith("ns2")]
    assert on_border and not outside and all(s.district for s in on_border)
    far = _write(tmp_path, [("west", [_box(118.76, 32.03, 118.7770, 32.06)]),
                            ("east", [_box(118.7790, 32.03, 118.79, 32.06)])])  # 85 m apart
    _, _, outside = assign_districts(streets, fleet, read_districts(far), str(far))
    assert {k for k in outside if k.startswith("ns2")} == {s.id for s in on_border}
