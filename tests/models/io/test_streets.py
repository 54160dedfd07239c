"""models/read_streets.py and write_streets.py: our schema, the Cambridge and San Francisco
dialects, one malformed file per reader error, round trips, and the `streets` command."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from streetcrew.cli import app
from streetcrew.models.base import InputError
from streetcrew.models.io.streets import load_streets, parse_windows, read_streets
from streetcrew.models.io.write_streets import window_pair, write_geojson
from streetcrew.models.streets import (
    CLASS_DEFAULTS,
    ROAD_CLASSES,
    Street,
    TimeWindow,
    street_with_defaults,
)
from tests.helpers import DATA, REAL

STREETS = DATA / "streets"
BAD = STREETS / "bad"
CAMBRIDGE = REAL / "cambridge_street_centerlines.geojson"
SF = REAL / "sf_street_sweeping_schedule_subset.csv"
H = 3600

real = pytest.mark.skipif(not REAL.is_dir(), reason=f"real data folder {REAL} is absent")


# ---------------------------------------------------------------------------- our schema


@pytest.mark.parametrize("name", ["tiny.geojson", "tiny.csv"])
def test_tiny_files_read_the_same(name: str) -> None:
    got = load_streets(STREETS / name)
    assert got.dialect == "streetcrew"
    assert got.records == 4
    assert got.no_geometry == 1  # "gap" has no geometry: skipped and counted
    assert [s.id for s in got.streets] == ["main-1", "lane-7", "ring#1", "ring#2"]
    main, lane, ring1, ring2 = got.streets
    assert main.name == "Main St" and main.road_class == "primary"
    assert main.oneway == "forward"  # "yes" in the GeoJSON, "forward" in the CSV
    assert (main.lanes, main.width_m, main.passes_per_side, main.sweeps_per_day) == (3, 12.5, 2, 2)
    assert main.min_hours_between == 6
    assert main.windows == (TimeWindow(start=6 * H, end=8 * H), TimeWindow(start=22 * H, end=26 * H))
    assert main.allowed_types == ("mechanical", "vacuum")
    assert main.coords == ((10.0, 50.0), (10.001, 50.0), (10.002, 50.0005))
    # lane-7 says only id and class: everything else is the alley default
    d = CLASS_DEFAULTS["alley"]
    assert (lane.name, lane.oneway, lane.windows, lane.allowed_types) == ("", "no", (), None)
    assert (lane.lanes, lane.sides, lane.passes_per_side, lane.sweeps_per_day, lane.priority) == (
        d.lanes, d.sides, d.passes_per_side, d.sweeps_per_day, d.priority)
    # a MultiLineString is one segment per part
    assert ring1.oneway == ring2.oneway == "backward"  # -1
    assert ring1.coords[-1] == ring2.coords[0]
    assert ring1.windows == (TimeWindow(start=9 * H, end=11 * H),)
    assert ring2.allowed_types == ("mechanical",)


def test_tiny_geojson_and_csv_are_equal() -> None:
    assert read_streets(STREETS / "tiny.geojson") == read_streets(STREETS / "tiny.csv")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("06:00-08:00", [(6 * H, 8 * H)]),
        ("22:00-02:00; 09:30-10:00", [(22 * H, 26 * H), (9.5 * H, 10 * H)]),
        ([["23:00", "01:00"]], [(23 * H, 25 * H)]),
        ('[["00:00", "24:00"]]', [(0, 24 * H)]),
        ("", []),
    ],
)
def test_parse_windows(text: object, expected: list[tuple[float, float]]) -> None:
    assert [(w.start, w.end) for w in parse_windows(text)] == expected


@pytest.mark.parametrize("text", ["8-10", "08:00", "08:00-08:00", "08:00-09:00-10:00", [["8"]]])
def test_parse_windows_rejects(text: object) -> None:
    with pytest.raises(ValueError):
        parse_windows(text)


# (file, record, field): every error names all three, the record 1-based with the id
BAD_CASES = [
    ("not_json.geojson", "line 2", None),
    ("not_collection.geojson", None, "type"),
    ("bad_crs.geojson", None, "crs"),
    ("missing_id.geojson", "feature 1", "id"),
    ("unknown_class.geojson", "feature 2 (id 'b')", "road_class"),
    ("missing_class.geojson", "feature 1 (id 'a')", "road_class"),
    ("bad_window.geojson", "feature 1 (id 'a')", "windows"),
    ("empty_window.geojson", "feature 1 (id 'a')", "windows"),
    ("point_geometry.geojson", "feature 1 (id 'a')", "geometry"),
    ("projected.geojson", "feature 1 (id 'a')", "geometry"),
    ("short_line.geojson", "feature 1 (id 'a')", "geometry"),
    ("bad_position.geojson", "feature 1 (id 'a')", "geometry"),
    ("duplicate_id.geojson", "feature 2 (id 'a')", "id"),
    ("duplicate_part_id.geojson", "feature 2 (id 'a')", "id"),
    ("bad_lanes.geojson", "feature 1 (id 'a')", "lanes"),
    ("zero_passes.geojson", "feature 1 (id 'a')", "passes_per_side"),
    ("negative_width.geojson", "feature 1 (id 'a')", "width_m"),
    ("bad_sides.geojson", "feature 1 (id 'a')", "sides"),
    ("bad_oneway.geojson", "feature 1 (id 'a')", "oneway"),
    ("bad_types.geojson", "feature 1 (id 'a')", "allowed_types"),
    ("cambridge_bad_direction.geojson", "feature 1 (id 'X_St_1')", "Direction"),
    ("cambridge_bad_major.geojson", "feature 1 (id 'X_St_1')", "MajorRoad"),
    ("point_wkt.csv", "row 1 (id 'a')", "geometry"),
    ("bad_wkt.csv", "row 1 (id 'a')", "geometry"),
    ("projected.csv", "row 1 (id 'a')", "geometry"),
    ("no_geometry_column.csv", "header", "geometry"),
    ("field_count.csv", "row 2", None),
    ("bad_window.csv", "row 1 (id 'a')", "windows"),
    ("unknown_class.csv", "row 1 (id 'a')", "road_class"),
    ("duplicate_id.csv", "row 2 (id 'a')", "id"),
    ("bad_priority.csv", "row 1 (id 'a')", "priority"),
    ("sf_bad_side.csv", "row 1 (cnn 100)", "cnnrightle"),
    ("sf_bad_weekday.csv", "row 1 (cnn 100)", "weekday"),
    ("sf_bad_hour.csv", "row 1 (cnn 100)", "fromhour"),
    ("sf_empty_window.csv", "row 1 (cnn 100)", "tohour"),
    ("sf_bad_week.csv", "row 1 (cnn 100)", "week3ofmon"),
    ("sf_missing_cnn.csv", "row 1", "cnn"),
    ("sf_geometry_mismatch.csv", "row 2 (cnn 100)", "geometry"),
]


@pytest.mark.parametrize(("name", "record", "field"), BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_malformed_file(name: str, record: str | None, field: str | None) -> None:
    with pytest.raises(InputError) as info:
        read_streets(BAD / name, dt.date(2024, 1, 1))
    err = info.value
    assert (err.file, err.record, err.field) == (str(BAD / name), record, field)
    assert err.message
    assert str(BAD / name) in str(err)


def test_every_bad_streets_file_has_a_case() -> None:
    on_disk = {p.name for p in BAD.iterdir() if p.suffix in (".geojson", ".csv")}
    assert on_disk == {c[0] for c in BAD_CASES}


def test_unknown_suffix_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="import-osm"):
        read_streets(tmp_path / "streets.osm")
    with pytest.raises(InputError, match="cannot read"):
        read_streets(tmp_path / "absent.geojson")


def test_feature_id_member_is_the_fallback_id(tmp_path: Path) -> None:
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": 7, "properties": {"road_class": "service"},
         "geometry": {"type": "LineString", "coordinates": [[0, 0], [0, 0.001]]}}]}
    path = tmp_path / "f.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    (street,) = read_streets(path)
    assert street.id == "7" and street.sides == "centre"


# ---------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("name", ["tiny.geojson", "tiny.csv", "sf_tiny.csv"])
def test_round_trip(name: str, tmp_path: Path) -> None:
    streets = read_streets(STREETS / name, dt.date(2024, 1, 1))
    out = write_geojson(streets, tmp_path / "out.geojson")
    assert read_streets(out) == streets
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert "attribution" not in doc
    props = doc["features"][0]["properties"]
    assert list(props) == ["id", "name", "road_class", "oneway", "lanes", "width_m", "sides",
                           "passes_per_side", "sweeps_per_day", "min_hours_between", "windows",
                           "allowed_types", "priority", "district"]


def test_window_pairs_read_back() -> None:
    for start, end in [(0, 7200), (79200, 93600), (90000, 97200), (3600, 90000), (61, 7322)]:
        w = TimeWindow(start=start, end=end)
        assert parse_windows([window_pair(w)]) == (w,)
    assert window_pair(TimeWindow(start=22 * H, end=26 * H)) == ["22:00", "02:00"]


# ---------------------------------------------------------------------------- San Francisco


def test_sf_tiny_by_date() -> None:
    def day(d: dt.date | None) -> dict[str, tuple[int, str, list[tuple[int, int]]]]:
        got = load_streets(STREETS / "sf_tiny.csv", d)
        assert got.dialect == "sf-sweeping" and got.records == 6
        return {s.id: (s.sweeps_per_day, s.sides, [(w.start, w.end) for w in s.windows])
                for s in got.streets}

    monday = day(dt.date(2024, 1, 1))
    assert monday == {
        "100-R": (1, "right", [(0, 2 * H)]),
        "100-L": (0, "left", []),  # kept for the network, not swept today
        "200-R": (2, "right", [(8 * H, 10 * H), (12 * H, 14 * H)]),
    }
    assert day(dt.date(2024, 1, 2))["100-R"] == (1, "right", [(2 * H, 6 * H)])  # 1st Tuesday
    assert day(dt.date(2024, 1, 9))["100-R"] == (0, "right", [])  # 2nd Tuesday: week 2 is N
    assert day(dt.date(2024, 1, 3))["100-L"] == (1, "left", [(22 * H, 26 * H)])  # past midnight
    undated = day(None)
    assert undated["100-R"][2] == [(0, 2 * H), (2 * H, 6 * H)]
    assert undated["200-R"][2] == [(8 * H, 10 * H), (12 * H, 14 * H)]  # Holiday row folded in


@real
def test_sf_real_monday() -> None:
    got = load_streets(SF, dt.date(2024, 1, 1))
    assert got.records == 1840
    assert len(got.streets) == 892  # README: 892 distinct (cnn, side) block sides
    swept = [s for s in got.streets if s.sweeps_per_day]
    assert len(swept) == 399 and sum(len(s.windows) for s in swept) == 400  # 400 Mon rows
    assert all(len(s.windows) == s.sweeps_per_day for s in got.streets)
    assert {(w.start, w.end) for s in swept for w in s.windows} >= {(0, 2 * H), (2 * H, 6 * H)}
    assert all(2 * H <= w.end - w.start <= 6 * H for s in swept for w in s.windows)
    assert {s.sides for s in got.streets} == {"right", "left"}
    tues = {s.id: s for s in read_streets(SF, dt.date(2024, 1, 2))}
    assert tues["19992000-R"].windows == (TimeWindow(start=2 * H, end=6 * H),)
    assert read_streets(SF, dt.date(2024, 1, 9))[0].id  # 2nd Tuesday reads too
    assert not {s.id: s for s in read_streets(SF, dt.date(2024, 1, 9))}["19992000-R"].windows


# ---------------------------------------------------------------------------- Cambridge


@real
def test_cambridge_centerlines_load_directly() -> None:
    got = load_streets(CAMBRIDGE)
    assert got.dialect == "cambridge"
    assert got.records == 2643 and got.no_geometry == 0
    assert len(got.streets) == 2644  # 2,642 LineStrings + a MultiLineString of 2 parts
    ids = {s.id for s in got.streets}
    assert {"Chauncy_St_2#1", "Chauncy_St_2#2", "Cambrid_St_29"} <= ids
    oneway = Counter(s.oneway for s in got.streets)
    assert oneway["forward"] == 435 and oneway["backward"] == 502  # README: Direction 1 / -1
    assert got.direction_missing == 51  # README: 51 features have no value: two-way
    assert Counter(s.road_class for s in got.streets) == {
        "residential": 1723, "secondary": 634, "primary": 284, "alley": 3}
    km = sum(s.length_m for s in got.streets) / 1000
    assert km == pytest.approx(251.4, abs=0.1)  # README: 251.4 km
    by_id = {s.id: s for s in got.streets}
    assert by_id["Eastern_Con_1"].name == "Eastern Connector"  # no Street: Street_Name


# ---------------------------------------------------------------------------- command line


def test_streets_command() -> None:
    res = CliRunner().invoke(app, ["streets", str(STREETS / "sf_tiny.csv"), "--date",
                                   "2024-01-01"])
    assert res.exit_code == 0, res.output
    assert "sf-sweeping" in res.output
    assert "3 on 2 segments" in res.output  # windows
    assert "residential" in res.output


def test_streets_command_bad_file_exits_2() -> None:
    res = CliRunner().invoke(app, ["streets", str(BAD / "unknown_class.csv")])
    assert res.exit_code == 2
    assert "row 1 (id 'a')" in res.output and "road_class" in res.output


@st.composite
def street_sets(draw: st.DrawFn) -> list[Street]:
    """Streets with every field the schema has: names in any script, one-way, windows
    (past midnight too), allowed types, class defaults overridden; in one city anywhere (the
    reader refuses a street far from the others)."""
    out = []
    lon0, lat0 = draw(st.floats(-178.0, 178.0)), draw(st.floats(-79.0, 79.0))
    for k in range(draw(st.integers(1, 6))):
        n = draw(st.integers(2, 4))
        lon = lon0 + draw(st.floats(-0.5, 0.5))
        lat = lat0 + draw(st.floats(-0.5, 0.5))
        coords = tuple((round(lon + 0.001 * i, 7), round(lat + 0.0007 * i, 7)) for i in range(n))
        windows = []
        for _ in range(draw(st.integers(0, 2))):
            start = draw(st.integers(0, 47 * 60)) * 60  # whole minutes, as files hold them
            end = min(48 * 3600, start + draw(st.integers(1, 600)) * 60)
            windows.append(TimeWindow(start=start, end=end))
        raw: dict[str, object] = {
            "id": f"s{k}-{draw(st.text('abc_', max_size=3))}",
            "name": draw(st.sampled_from(["", "中山路", "Main St", "Rue d'Été", "北京东路 2"])),
            "road_class": draw(st.sampled_from(ROAD_CLASSES)), "coords": coords,
            "oneway": draw(st.sampled_from(["no", "forward"])),
            "windows": tuple(windows),
            "allowed_types": draw(st.one_of(st.none(), st.just(("small",)))),
        }
        street = street_with_defaults(raw)
        out.append(street.model_copy(update={
            "sweeps_per_day": draw(st.integers(0, 3)),
            "min_hours_between": draw(st.sampled_from([0.0, 2.5, 12.0])),
            "width_m": draw(st.one_of(st.none(), st.sampled_from([3.5, 12.0])))}))
    return out


@settings(max_examples=40, deadline=None)
@given(street_sets())
def test_any_streets_written_read_back_the_same(streets: list[Street]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = write_geojson(streets, Path(tmp) / "streets.geojson")
        assert read_streets(path) == streets


def test_streets_command_refuses_a_street_with_longitude_and_latitude_swapped(
    tmp_path: Path,
) -> None:
    # In Cambridge, MA both orders are in range: (42.37, -71.1) is a point in Antarctica.
    lines = [[[-71.10 + 0.002 * i, 42.37], [-71.10 + 0.002 * i, 42.372]] for i in range(5)]
    lines[3] = [[lat, lon] for lon, lat in lines[3]]
    path = tmp_path / "streets.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": f"s{i}", "road_class": "residential"},
         "geometry": {"type": "LineString", "coordinates": c}} for i, c in enumerate(lines)]}))
    res = CliRunner().invoke(app, ["streets", str(path)])
    assert res.exit_code == 2 and "Traceback" not in res.stderr, res.output
    assert res.stderr == (
        f"error: {path}, feature 4 (id 's3'): field 'geometry': street 's3' lies 15,248 km from "
        "the other streets (the median of their points is -71.0960, 42.3700; a city spans less "
        "than 200 km): longitude and latitude swapped?\n")
