"""`streetcrew plan` on bad input: refused with the file, record and field, or planned with reasons.

Each test writes a tiny street grid (GeoJSON) and fleet (YAML) into ``tmp_path``, spoils one
thing and runs the command line. Input that is wrong (an unknown id, a depot off the map, a
shift that makes no sense) must stop the plan with exit code 2 and a message naming the file,
the record and the field, as the README promises. Work that is merely impossible (a street cut
off from the depots, a road class no sweeper fits, a window too short) must not stop the plan:
it is listed in ``schedule.json`` under ``unassigned`` with the reason, and the plan passes
``streetcrew check``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result

from streetcrew.cli import app

runner = CliRunner()

X0, Y0, STEP = 118.770, 32.040, 0.004  # a 2 x 2 block grid, blocks of about 445 x 380 m


def _features() -> list[dict[str, Any]]:
    """Twelve two-way residential segments: 3 north-south and 3 east-west lines of 2 blocks."""
    out = []
    for i in range(3):
        for j in range(2):
            ns = [[X0 + i * STEP, Y0 + j * STEP], [X0 + i * STEP, Y0 + (j + 1) * STEP]]
            ew = [[X0 + j * STEP, Y0 + i * STEP], [X0 + (j + 1) * STEP, Y0 + i * STEP]]
            for ident, coords in ((f"ns{i}{j}", ns), (f"ew{i}{j}", ew)):
                out.append({"type": "Feature",
                            "properties": {"id": ident, "road_class": "residential"},
                            "geometry": {"type": "LineString", "coordinates": coords}})
    return out


def _feature(ident: str, coords: list[list[float]], **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"id": ident, **props},
            "geometry": {"type": "LineString", "coordinates": coords}}


def _fleet() -> dict[str, Any]:
    """One yard beside the grid, a dump and a water point on its corners, a large and a small
    sweeper (as tests/data/fleet/good.yaml)."""
    return {
        "depots": [{"id": "D1", "at": [X0 + 2.5 * STEP, Y0 + 1.2 * STEP]}],
        "facilities": [
            {"id": "DUMP1", "kind": "dump", "at": [X0, Y0 + 2 * STEP],
             "opens": "05:00", "closes": "23:00"},
            {"id": "W1", "kind": "water", "at": [X0 + 2 * STEP, Y0], "service_min": 15},
        ],
        "vehicle_types": [
            {"id": "large", "hopper_m3": 6, "debris_m3_per_km": {"primary": 0.4, "default": 0.25},
             "water_l": 4000, "water_l_per_km": 300, "sweep_kmh": 8, "travel_kmh": 30,
             "road_classes": ["trunk", "primary", "secondary", "tertiary", "residential"],
             "cost_per_km": 2.5, "cost_per_hour": 60},
            {"id": "small", "hopper_m3": 1.5, "debris_m3_per_km": {"default": 0.15},
             "water_l": 800, "water_l_per_km": 120, "sweep_kmh": 6, "travel_kmh": 20,
             "road_classes": ["residential", "service", "alley"]},
        ],
        "vehicles": [
            {"id": "L1", "type": "large", "depot": "D1", "shift_start": "04:00",
             "shift_end": "12:00",
             "breaks": [{"earliest": "07:30", "latest": "08:30", "minutes": 30}]},
            {"id": "S1", "type": "small", "depot": "D1", "shift_start": "06:00",
             "shift_end": "14:00"},
        ],
    }


def _files(tmp_path: Path, features: list[dict[str, Any]] | None = None,
           fleet: dict[str, Any] | None = None) -> tuple[Path, Path]:
    streets_file = tmp_path / "streets.geojson"
    streets_file.write_text(json.dumps(
        {"type": "FeatureCollection", "features": _features() if features is None else features}))
    fleet_file = tmp_path / "fleet.yaml"
    fleet_file.write_text(yaml.safe_dump(_fleet() if fleet is None else fleet, sort_keys=False))
    return streets_file, fleet_file


def _plan(streets_file: Path, fleet_file: Path, out: Path) -> Result:
    return runner.invoke(app, ["plan", "--streets", str(streets_file), "--fleet", str(fleet_file),
                               "--time-limit", "1", "--out", str(out)])


def _refused(tmp_path: Path, features: list[dict[str, Any]] | None = None,
             fleet: dict[str, Any] | None = None) -> tuple[Result, Path, Path]:
    """Run plan on input that must be refused; returns the result and the two file paths."""
    streets_file, fleet_file = _files(tmp_path, features, fleet)
    out = tmp_path / "plan"
    res = _plan(streets_file, fleet_file, out)
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output  # no crash
    assert res.exit_code == 2, (f"plan should refuse the input with exit code 2, got "
                                f"{res.exit_code}: {res.output}")
    assert "Traceback" not in res.stderr
    assert not (out / "schedule.json").exists()
    return res, streets_file, fleet_file


def _planned(tmp_path: Path, features: list[dict[str, Any]] | None = None,
             fleet: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run plan on input that is plannable, check the plan, return schedule.json as data."""
    streets_file, fleet_file = _files(tmp_path, features, fleet)
    out = tmp_path / "plan"
    res = _plan(streets_file, fleet_file, out)
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["check", str(out / "schedule.json")])
    assert res.exit_code == 0 and res.output.startswith("feasible"), res.output
    schedule: dict[str, Any] = json.loads((out / "schedule.json").read_text())
    served = {st["street"] for r in schedule["routes"] for st in r["steps"]
              if st["type"] == "serve"}
    assert "ns00" in served  # the rest of the grid is still swept
    return schedule


def _unassigned(schedule: dict[str, Any], street: str) -> list[str]:
    """The reasons given for the street's unassigned work; the street must not be swept."""
    served = [st for r in schedule["routes"] for st in r["steps"]
              if st["type"] == "serve" and st["street"] == street]
    assert served == []
    reasons = [u["reason"] for u in schedule["unassigned"] if u["street"] == street]
    assert reasons, f"{street} is neither swept nor listed unassigned"
    assert schedule["status"] == "partial"
    assert schedule["summary"]["unassigned"] == len(schedule["unassigned"])
    return reasons


def _names(res: Result, file: Path, record: str, field: str) -> None:
    """The one-line error names the file, the record and the field (README, exit code 2)."""
    msg = res.stderr
    assert msg.startswith("error: ") and msg.count("\n") == 1, msg
    assert str(file) in msg, f"the message does not name the file {file}: {msg}"
    assert record in msg, f"the message does not name the record {record}: {msg}"
    assert re.search(rf"field '{re.escape(field)}(\.\d+)?'", msg) is not None, (
        f"the message does not name the field {field!r}: {msg}")


# ------------------------------------------------------------ 1. unknown ids


@pytest.mark.parametrize(("field", "value"), [("type", "tiny"), ("depot", "D9")])
def test_vehicle_with_unknown_type_or_depot_is_refused(
    tmp_path: Path, field: str, value: str
) -> None:
    fleet = _fleet()
    fleet["vehicles"][1][field] = value
    res, _, fleet_file = _refused(tmp_path, fleet=fleet)
    assert f"{value!r}" in res.stderr and "'S1'" in res.stderr
    _names(res, fleet_file, "vehicles[1] (id 'S1')", field)


@pytest.mark.parametrize("allowed", [["ghost"], ["large", "ghost"]],
                         ids=["only-unknown", "one-unknown"])
def test_street_allowing_an_unknown_vehicle_type_is_refused(
    tmp_path: Path, allowed: list[str]
) -> None:
    # A type name that is not in the fleet is a typo or a stale file, not a reason to leave the
    # street unswept: the dispatcher must hear about it before the trucks leave.
    features = _features()
    features[4]["properties"]["allowed_types"] = allowed  # feature 5 is ns10
    res, streets_file, _ = _refused(tmp_path, features)
    assert "ghost" in res.stderr
    _names(res, streets_file, "'ns10'", "allowed_types")


# ------------------------------------------------------------ 2.-4. plannable, work unassigned


@pytest.mark.parametrize("spur", ["disconnected", "one-way-dead-end"])
def test_street_unreachable_from_the_depots_is_unassigned(tmp_path: Path, spur: str) -> None:
    if spur == "disconnected":  # 300 m east of the grid, touching nothing
        extra = _feature("far", [[X0 + 3 * STEP, Y0], [X0 + 3 * STEP, Y0 + STEP]],
                         road_class="residential")
    else:  # one-way out of the grid's north-east corner into nowhere
        corner = [X0 + 2 * STEP, Y0 + 2 * STEP]
        extra = _feature("far", [corner, [corner[0] + STEP, corner[1] + STEP]],
                         road_class="residential", oneway="forward")
    schedule = _planned(tmp_path, [*_features(), extra])
    reasons = _unassigned(schedule, "far")
    assert len(reasons) == 2  # right and left curb
    assert all("cannot be driven to and back from the depots" in r for r in reasons), reasons
    assert all(u["street"] == "far" for u in schedule["unassigned"])


def test_street_no_vehicle_type_fits_is_unassigned(tmp_path: Path) -> None:
    features = _features()
    features[4]["properties"].update(road_class="motorway", sides="both")
    schedule = _planned(tmp_path, features)
    reasons = _unassigned(schedule, "ns10")
    assert len(reasons) == 2
    assert all("no vehicle type may sweep a motorway street" in r for r in reasons), reasons


def test_street_only_a_type_without_vehicles_fits_is_unassigned_with_that_reason(
    tmp_path: Path,
) -> None:
    features = _features()
    features[4]["properties"].update(road_class="alley")  # only "small" fits alleys
    fleet = _fleet()
    del fleet["vehicles"][1]  # S1, the only small sweeper
    schedule = _planned(tmp_path, features, fleet)
    reasons = _unassigned(schedule, "ns10")
    assert len(reasons) == 1  # the centre line
    assert "small" in reasons[0] and "time limit" not in reasons[0], (
        f"the reason should say no vehicle of type small is in the fleet: {reasons}")


def test_window_shorter_than_the_sweep_is_unassigned(tmp_path: Path) -> None:
    features = _features()
    # ns10 is about 445 m: 200 s at the large type's 8 km/h, more than the 2-minute window
    features[4]["properties"]["windows"] = [["06:00", "06:02"]]
    schedule = _planned(tmp_path, features)
    reasons = _unassigned(schedule, "ns10")
    assert len(reasons) == 2
    assert all("shorter than the sweep" in r for r in reasons), reasons


# ------------------------------------------------------------ 5. off the map


@pytest.mark.parametrize(("section", "index", "ident"),
                         [("facilities", 1, "W1"), ("depots", 0, "D1")])
def test_depot_or_facility_far_outside_the_network_is_refused(
    tmp_path: Path, section: str, index: int, ident: str
) -> None:
    fleet = _fleet()
    fleet[section][index]["at"] = [X0 + 0.06, Y0 + 0.05]  # about 8 km away
    res, _, fleet_file = _refused(tmp_path, fleet=fleet)
    _names(res, fleet_file, f"{section}[{index}] (id {ident!r})", "at")


# ------------------------------------------------------------ 6. overlapping shifts


def test_overlapping_shifts_of_one_vehicle_are_refused(tmp_path: Path) -> None:
    fleet = _fleet()
    fleet["vehicles"].append({"id": "L1", "type": "large", "depot": "D1",
                              "shift_start": "11:00", "shift_end": "18:00"})
    res, _, fleet_file = _refused(tmp_path, fleet=fleet)
    assert "'L1'" in res.stderr and "overlap" in res.stderr
    _names(res, fleet_file, "vehicles[2] (id 'L1')", "shift_start")


def test_two_shifts_of_one_vehicle_that_do_not_overlap_are_both_planned(tmp_path: Path) -> None:
    # The fleet check refuses only overlapping shifts, so a morning and an afternoon shift of
    # the same truck is valid input (the complement of the test above).
    fleet = _fleet()
    fleet["vehicles"] = [
        {"id": "L1", "type": "large", "depot": "D1", "shift_start": "04:00", "shift_end": "06:00"},
        {"id": "L1", "type": "large", "depot": "D1", "shift_start": "13:00", "shift_end": "15:00"},
    ]
    streets_file, fleet_file = _files(tmp_path, fleet=fleet)
    out = tmp_path / "plan"
    res = _plan(streets_file, fleet_file, out)
    assert res.exit_code == 0, res.output
    schedule = json.loads((out / "schedule.json").read_text())
    served = [st["task"] for r in schedule["routes"] for st in r["steps"] if st["type"] == "serve"]
    assert len(served) == len(set(served)), "a curb pass is swept by both shifts"
    res = runner.invoke(app, ["check", str(out / "schedule.json")])
    assert res.exit_code == 0, f"check refuses the plan: {res.output}"


# ------------------------------------------------------------ 7. duplicates and bad shifts


def test_duplicate_street_id_is_refused(tmp_path: Path) -> None:
    features = _features()
    features[5]["properties"]["id"] = "ns00"  # feature 6, ew10
    res, streets_file, _ = _refused(tmp_path, features)
    assert "duplicate id 'ns00' (first in feature 1" in res.stderr
    _names(res, streets_file, "feature 6 (id 'ns00')", "id")


@pytest.mark.parametrize(("earliest", "latest", "minutes"), [
    ("03:00", "08:30", 30),  # may start before the shift (04:00)
    ("07:30", "12:30", 30),  # may start after the shift (12:00)
    ("11:50", "11:55", 30),  # starts inside but cannot end by 12:00
], ids=["before", "after", "runs-past-end"])
def test_break_outside_the_shift_is_refused(
    tmp_path: Path, earliest: str, latest: str, minutes: int
) -> None:
    fleet = _fleet()
    fleet["vehicles"][0]["breaks"] = [{"earliest": earliest, "latest": latest,
                                       "minutes": minutes}]
    res, _, fleet_file = _refused(tmp_path, fleet=fleet)
    _names(res, fleet_file, "vehicles[0] (id 'L1')", "breaks")


@pytest.mark.parametrize("shift_end", ["03:00", "04:00"], ids=["before", "equal"])
def test_shift_ending_before_it_starts_is_refused(tmp_path: Path, shift_end: str) -> None:
    fleet = _fleet()
    fleet["vehicles"][0]["shift_end"] = shift_end
    del fleet["vehicles"][0]["breaks"]
    res, _, fleet_file = _refused(tmp_path, fleet=fleet)
    _names(res, fleet_file, "vehicles[0] (id 'L1')", "shift_end")


# ------------------------------------------------------------ 8. a fleet the plan cannot fully use


def test_dump_closed_in_every_shift_leaves_the_rest_with_that_reason(tmp_path: Path) -> None:
    fleet = _fleet()
    fleet["facilities"][0].update(opens="23:00", closes="23:30")  # after every shift
    for vt in fleet["vehicle_types"]:
        vt["hopper_m3"] = 0.3  # about 1.2 km of residential curb for the large type
    streets_file, fleet_file = _files(tmp_path, None, fleet)
    res = _plan(streets_file, fleet_file, tmp_path / "plan")
    assert res.exit_code == 0, res.output
    assert "no dump site is open during any shift (DUMP1 23:00-23:30)" in res.stderr
    schedule = json.loads((tmp_path / "plan" / "schedule.json").read_text())
    assert runner.invoke(app, ["check", str(tmp_path / "plan" / "schedule.json")]).exit_code == 0
    assert not any(st["type"] == "dump" for r in schedule["routes"] for st in r["steps"])
    swept = [st for r in schedule["routes"] for st in r["steps"] if st["type"] == "serve"]
    assert swept, "each vehicle still sweeps its first hopperful"
    reasons = {u["reason"] for u in schedule["unassigned"]}
    assert reasons and all("DUMP1 (dump) is closed when" in r and "open 23:00-23:30" in r
                           for r in reasons), reasons


def test_vehicle_type_that_fits_no_street_is_named(tmp_path: Path) -> None:
    fleet = _fleet()
    fleet["vehicle_types"][1]["road_classes"] = ["alley"]  # the grid is residential
    streets_file, fleet_file = _files(tmp_path, None, fleet)
    res = _plan(streets_file, fleet_file, tmp_path / "plan")
    assert res.exit_code == 0, res.output
    assert ("vehicle type small may sweep none of these streets (its road classes: alley): "
            "S1 stays in the yard") in res.stderr


# ------------------------------------------------------------ 9. implausible or empty input
# (issue 15): refused with exit code 2 and the file, record and field, nothing written


def _says(res: Result, file: Path, field: str | None, words: str) -> None:
    """A one-line error naming the file (and the field) of an input with no record at fault."""
    msg = res.stderr
    assert msg.startswith("error: ") and msg.count("\n") == 1, msg
    assert str(file) in msg and words in msg, msg
    if field is not None:
        assert f"field {field!r}" in msg, msg


@pytest.mark.parametrize(("section", "index", "field", "value", "words"), [
    ("vehicle_types", 0, "cost_per_km", 1e308, "expected 0 to 10,000 per km, got 1e+308"),
    ("vehicle_types", 0, "cost_per_hour", -1, "expected 0 to 10,000 per hour, got -1"),
    ("vehicle_types", 0, "overtime_cost_per_hour", float("nan"), "finite"),
    ("vehicle_types", 0, "sweep_kmh", 0, "more than 0 and at most 60 km/h, got 0"),
    ("vehicle_types", 0, "travel_kmh", 300, "at most 130 km/h, got 300"),
    ("vehicle_types", 1, "hopper_m3", 80, "at most 50 m³, got 80"),
    ("vehicle_types", 1, "water_l", float("inf"), "finite"),
    ("vehicle_types", 1, "water_l_per_km", 50_000, "0 to 20,000 l/km, got 50,000"),
    ("vehicle_types", 0, "debris_m3_per_km", {"primary": 40.0}, "0 to 10 m³/km, got 40"),
    ("facilities", 1, "service_min", 600, "0 to 480 min, got 600"),
    ("vehicles", 0, "breaks", [{"earliest": "07:30", "latest": "08:30", "minutes": 300}],
     "at most 240 min, got 300"),
    ("vehicles", 1, "overtime_min", 2000, "0 to 1,440 min, got 2,000"),
    ("vehicles", 1, "shift_end", "33:00", "27 h is longer than a day"),
    ("depots", 0, "at", {"lon": float("nan"), "lat": Y0}, "finite"),
], ids=lambda v: v if isinstance(v, str) and v.isidentifier() else None)
def test_implausible_number_in_the_fleet_is_refused(
    tmp_path: Path, section: str, index: int, field: str, value: Any, words: str
) -> None:
    fleet = _fleet()
    fleet[section][index][field] = value
    res, _, fleet_file = _refused(tmp_path, fleet=fleet)
    assert words in res.stderr, res.stderr
    record = f"{section}[{index}] (id {fleet[section][index]['id']!r})"
    shown = {"debris_m3_per_km": "debris_m3_per_km.primary", "breaks": "breaks.0.minutes",
             "at": "at.lon"}.get(field, field)
    _names(res, fleet_file, record, shown)


def test_depot_with_longitude_and_latitude_swapped_is_refused(tmp_path: Path) -> None:
    fleet = _fleet()
    fleet["depots"][0]["at"] = [Y0, X0]
    res, _, fleet_file = _refused(tmp_path, fleet=fleet)
    assert "latitude 118.77 is outside -90..90: longitude and latitude swapped?" in res.stderr
    _names(res, fleet_file, "depots[0] (id 'D1')", "at.lat")


@pytest.mark.parametrize("section", ["vehicles", "depots", "vehicle_types"])
def test_fleet_without_vehicles_depots_or_types_is_refused(tmp_path: Path, section: str) -> None:
    fleet = _fleet()
    fleet[section] = []
    res, _, fleet_file = _refused(tmp_path, fleet=fleet)
    _says(res, fleet_file, section, f"no {section.replace('_', ' ')}")


@pytest.mark.parametrize("kind", ["geojson", "csv", "no-geometry"])
def test_street_file_without_streets_is_refused(tmp_path: Path, kind: str) -> None:
    fleet_file = _files(tmp_path)[1]
    if kind == "csv":
        streets_file = tmp_path / "streets.csv"
        streets_file.write_text("id,road_class,geometry\n")
    else:
        streets_file = tmp_path / "streets.geojson"
        features = [] if kind == "geojson" else [_feature("a", [])]
        streets_file.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    out = tmp_path / "plan"
    res = _plan(streets_file, fleet_file, out)
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.stderr
    assert not out.exists() or not any(out.iterdir()), "files were written"
    _says(res, streets_file, {"csv": None, "geojson": "features"}.get(kind, "geometry"),
          "no streets in the file")


def test_street_file_with_nothing_to_sweep_is_an_empty_plan_that_says_so(tmp_path: Path) -> None:
    # Not an error: a dated schedule (San Francisco's) has days when no curb is swept, and a
    # file of motorways (sides none by default) is valid; but the dispatcher must be told.
    features = _features()
    for f in features:
        f["properties"]["sides"] = "none"
    streets_file, fleet_file = _files(tmp_path, features)
    out = tmp_path / "plan"
    res = _plan(streets_file, fleet_file, out)
    assert res.exit_code == 0, res.output
    assert ("note: nothing to sweep: none of the 12 streets has a curb to sweep on this day "
            "(sides none or sweeps_per_day 0); every vehicle stays in the yard") in res.stderr
    schedule = json.loads((out / "schedule.json").read_text())
    assert schedule["status"] == "no-work" and schedule["routes"] == []


@pytest.mark.parametrize(("coords", "words"), [
    # lon/lat swapped in Nanjing: the latitude 118.78 is out of range
    ([[32.040, 118.770], [32.044, 118.770]], "longitude and latitude swapped?"),
    # a digit lost (18.77 for 118.77): both in range, 9,000 km west
    ([[18.770, 32.040], [18.774, 32.040]],
     "street 'w1' lies 9,005 km from the other streets (the median of their points is "
     "118.7740, 32.0440; a city spans less than 200 km): a typo in its coordinates?"),
], ids=["swapped", "typo"])
def test_street_far_from_the_others_is_refused(
    tmp_path: Path, coords: list[list[float]], words: str
) -> None:
    res, streets_file, _ = _refused(tmp_path, [*_features(),
                                               _feature("w1", coords, road_class="residential")])
    assert words in res.stderr, res.stderr
    _names(res, streets_file, "feature 13 (id 'w1')", "geometry")
