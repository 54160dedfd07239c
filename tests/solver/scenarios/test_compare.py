"""Fleet scenarios: reading and applying changes, comparing plans locally and on Dask, sizing."""

from __future__ import annotations

import csv
import time

import pytest
import yaml
from typer.testing import CliRunner

from streetcrew.cli import app
from streetcrew.models.base import InputError
from streetcrew.models.io.fleet import read_fleet
from streetcrew.models.io.scenario import read_scenarios
from streetcrew.models.io.write_streets import write_geojson
from streetcrew.models.scenario import apply_changes
from tests.helpers import DATA
from tests.helpers import grid as _grid


def _base(tmp_path, scenarios: list[dict]) -> tuple[object, list]:
    """A scenario file over the test grid and the small fleet (D1; large L1, small S1)."""
    streets = _grid()
    write_geojson(streets, tmp_path / "streets.geojson")
    data = yaml.safe_load((DATA / "fleet" / "good.yaml").read_text())
    data["facilities"][0]["at"] = [118.770, 32.052]
    data["facilities"][1]["at"] = [118.782, 32.040]
    (tmp_path / "fleet.yaml").write_text(yaml.safe_dump(data))
    doc = {"base": {"streets": "streets.geojson", "fleet": "fleet.yaml"},
           "scenarios": scenarios}
    path = tmp_path / "scenarios.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path, streets


def _add_to_base(path, **fields: str) -> None:
    """Add fields (crew, volunteers, ...) to the base of a scenario file made by ``_base``."""
    doc = yaml.safe_load(path.read_text())
    doc["base"] |= fields
    path.write_text(yaml.safe_dump(doc))


def test_changes_are_applied_in_order(tmp_path) -> None:
    path, streets = _base(tmp_path, [
        {"name": "bigger", "changes": [
            {"add_vehicles": {"type": "small", "count": 2}},
            {"remove_vehicles": {"ids": ["L1"]}},
            {"change_shifts": {"type": "small", "shift_start": "22:00", "shift_end": "30:00"}},
            {"move_facility": {"id": "W1", "at": [118.775, 32.041]}},
            {"close_facility": {"id": "DUMP1"}},
            {"change_streets": {"road_class": "residential", "sweeps_per_day": 2,
                                "windows": "00:00-06:00"}},
        ]}])
    sset = read_scenarios(path)
    assert [s.name for s in sset.scenarios] == ["base", "bigger"]
    fleet = read_fleet(tmp_path / "fleet.yaml")
    fleet2, streets2 = apply_changes(fleet, streets, sset.scenarios[1], sset.file)
    assert [v.id for v in fleet2.vehicles] == ["S1", "small-new-1", "small-new-2"]
    assert {(v.shift_start, v.shift_end) for v in fleet2.vehicles} == {(22 * 3600, 30 * 3600)}
    assert [f.id for f in fleet2.facilities] == ["W1"]
    assert (fleet2.facilities[0].at.lon, fleet2.facilities[0].at.lat) == (118.775, 32.041)
    assert {s.sweeps_per_day for s in streets2} == {2}
    assert {(w.start, w.end) for s in streets2 for w in s.windows} == {(0, 6 * 3600)}
    assert fleet.vehicles[0].id == "L1" and streets[0].sweeps_per_day == 1  # base untouched


@pytest.mark.parametrize("change, field, words", [
    ({"add_vehicles": {"type": "tank"}}, "type", "unknown vehicle type 'tank'"),
    ({"remove_vehicles": {"ids": ["X9"]}}, "ids", "unknown vehicle 'X9'"),
    ({"remove_vehicles": {"type": "small", "count": 3}}, "count", "only 1"),
    ({"close_facility": {"id": "DUMP9"}}, "id", "unknown facility 'DUMP9'"),
    ({"change_streets": {"road_class": "boulevard", "priority": 1}}, "road_class",
     "unknown road class"),
    ({"change_streets": {"ids": ["zz"], "priority": 1}}, "ids", "no street segment has id"),
    ({"add_vehicles": {"type": "small", "depot": "D7"}}, "depot", "unknown depot 'D7'"),
])
def test_a_change_naming_what_is_not_there_is_an_error(tmp_path, change, field, words) -> None:
    path, streets = _base(tmp_path, [{"name": "odd", "changes": [change]}])
    sset = read_scenarios(path)
    with pytest.raises(InputError) as info:
        apply_changes(read_fleet(tmp_path / "fleet.yaml"), streets, sset.scenarios[1], sset.file)
    err = info.value
    kind = next(iter(change))
    assert (err.file, err.record, err.field) == (str(path), f"scenario 'odd' change 1 ({kind})",
                                                 field)
    assert words in str(err)


def test_scenario_file_errors_name_the_place(tmp_path) -> None:
    path, _ = _base(tmp_path, [{"name": "a", "changes": [{"buy_trucks": {"count": 2}}]}])
    with pytest.raises(InputError, match="unknown change") as info:
        read_scenarios(path)
    assert info.value.record == "scenario 'a' change 1" and info.value.field == "buy_trucks"
    path, _ = _base(tmp_path, [{"name": "a"}, {"name": "a"}])
    with pytest.raises(InputError, match="the same name twice"):
        read_scenarios(path)
    path.write_text("base: {fleet: nowhere.yaml}\n")
    with pytest.raises(InputError, match="does not exist") as info:
        read_scenarios(path)
    assert info.value.field == "fleet"


def test_compare_writes_every_scenario_with_its_difference_to_the_base(tmp_path) -> None:
    path, _ = _base(tmp_path, [
        {"name": "+1 small", "changes": [{"add_vehicles": {"type": "small"}}]},
        {"name": "no large", "changes": [  # and half an hour left for the small one
            {"remove_vehicles": {"type": "large"}},
            {"change_shifts": {"ids": ["S1"], "shift_start": "06:00", "shift_end": "06:30"}}]},
    ])
    fleet = yaml.safe_load((tmp_path / "fleet.yaml").read_text())
    fleet["vehicle_types"][1] |= {"cost_per_km": 1.5, "cost_per_hour": 40}  # not free
    (tmp_path / "fleet.yaml").write_text(yaml.safe_dump(fleet))
    out = tmp_path / "cmp"
    res = CliRunner().invoke(app, ["compare", str(path), "-t", "2", "--workers", "1",
                                   "--seeds", "2", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert (out / "comparison.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # for Excel
    with open(out / "comparison.csv", encoding="utf-8-sig") as f:
        rows = {r["scenario"]: r for r in csv.DictReader(f)}
    assert set(rows) == {"base", "+1 small", "no large"}
    # ranked: leaving work undone never ranks a scenario above one that does the work
    assert list(rows)[-1] == "no large" and rows["no large"]["rank"] == "3"
    assert float(rows["no large"]["cost"]) < float(rows["base"]["cost"])  # cheaper, yet last
    assert rows["base"]["seeds"] == "2" and rows["base"]["feasible"] == "True"
    # without its large sweeper the plan is still made: its work is unassigned, with a reason
    assert int(float(rows["no large"]["unassigned"])) > int(float(rows["base"]["unassigned"]))
    assert float(rows["no large"]["unassigned_vs_base"]) > 0
    assert rows["no large"]["top_reason"]
    assert (out / "comparison.png").stat().st_size > 0
    md = (out / "comparison.md").read_text(encoding="utf-8")
    assert "| 3 | no large |" in md and " of 2 " in md  # vehicles used of available
    assert "**no large**: " in md and rows["no large"]["top_reason"] in md  # reasons whole
    # progress: one line per finished plan
    assert "[1/6] base (seed 0): cost" in res.output and "[6/6] no large (seed 1)" in res.output


def test_compare_on_a_dask_cluster_matches_the_local_run(tmp_path) -> None:
    from dask.distributed import LocalCluster

    from streetcrew.models.io.scenario import read_scenarios
    from streetcrew.solver.scenarios.compare import compare, tasks_of

    path, _ = _base(tmp_path, [
        {"name": "no large", "changes": [{"remove_vehicles": {"type": "large"}}]}])
    # a limit on solutions, not on time: the same plans wherever they run
    jobs = tasks_of([read_scenarios(path)], 1, 30.0, "", "", solutions=30)
    local = compare(jobs, workers=1)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster:
        remote = compare(jobs, scheduler=cluster.scheduler_address)
    assert [r.scenario for r in remote] == [r.scenario for r in local] == ["base", "no large"]
    for a, b in zip(local, remote):
        assert a.feasible and b.feasible
        assert (a.cost, a.unassigned, a.km_swept) == (b.cost, b.unassigned, b.km_swept)


def test_a_task_whose_worker_dies_is_run_again_with_the_same_result(tmp_path) -> None:
    from streetcrew.models.io.scenario import read_scenarios
    from streetcrew.solver.scenarios.compare import compare, tasks_of
    from tests.helpers import run_and_kill_a_worker

    path, _ = _base(tmp_path, [
        {"name": "no large", "changes": [{"remove_vehicles": {"type": "large"}}]}])
    jobs = tasks_of([read_scenarios(path)], 1, 60.0, "", "", solutions=200)
    local = compare(jobs, workers=1)
    remote = run_and_kill_a_worker(lambda address: compare(jobs, scheduler=address))
    assert [r.scenario for r in remote] == ["base", "no large"]  # type: ignore[attr-defined]
    for a, b in zip(local, remote):  # type: ignore[call-overload]
        assert b.feasible and (a.cost, a.unassigned) == (b.cost, b.unassigned)


def test_a_scheduler_that_does_not_answer_is_a_clear_error_within_ten_seconds(tmp_path) -> None:
    path, _ = _base(tmp_path, [])
    began = time.perf_counter()
    res = CliRunner().invoke(app, ["compare", str(path), "-t", "1", "--scheduler",
                                   "tcp://127.0.0.1:9", "--out", str(tmp_path / "x")])
    assert time.perf_counter() - began < 15
    assert res.exit_code == 2
    assert "tcp://127.0.0.1:9 did not answer within 10 s" in res.output


def test_size_finds_the_fewest_vehicles_that_sweep_everything(tmp_path) -> None:
    from streetcrew.solver.scenarios.compare import load_base, size_fleet

    _base(tmp_path, [])
    from streetcrew.models.scenario import ChangeShifts, RemoveVehicles, Scenario

    streets, fleet = load_base(str(tmp_path / "streets.geojson"), str(tmp_path / "fleet.yaml"),
                               None)
    # large sweepers only, on 90-minute shifts: one cannot sweep the grid
    short = Scenario(name="short", changes=(
        RemoveVehicles(ids=("S1",)),
        ChangeShifts(ids=("L1",), shift_start=6 * 3600, shift_end=7 * 3600 + 1800)))
    fleet, streets = apply_changes(fleet, streets, short, "test")
    best, points = size_fleet(streets, fleet, "large", 2.0, workers=1, most=8)
    assert best is not None and best >= 2
    by = {p.vehicles: p for p in points}
    assert by[best].left_for_fleet == 0 and all(p.feasible for p in points)
    assert best + 1 in by
    if best > 0:
        assert by[best - 1].left_for_fleet > 0


def test_size_command_names_an_unknown_type(tmp_path) -> None:
    res = CliRunner().invoke(app, ["size", "--vehicle-type", "tank"])
    assert res.exit_code == 2
    assert "fleet.yaml" in res.output and "unknown vehicle type 'tank'" in res.output


def test_a_change_that_breaks_the_fleet_is_an_error(tmp_path) -> None:
    path, streets = _base(tmp_path, [{"name": "clash", "changes": [
        {"add_vehicles": {"type": "small", "id_prefix": "S", "count": 1}},
        {"change_shifts": {"ids": ["S1"], "shift_start": "06:00", "shift_end": "05:00"}}]}])
    sset = read_scenarios(path)
    with pytest.raises(InputError, match="must be after shift_start"):
        apply_changes(read_fleet(tmp_path / "fleet.yaml"), streets, sset.scenarios[1], sset.file)


def test_a_base_with_a_crew_counts_the_drivers(tmp_path) -> None:
    from streetcrew.solver.scenarios.compare import compare, tasks_of

    path, _ = _base(tmp_path, [])
    (tmp_path / "crew.csv").write_text("id,licences,depot\nA,large;small,D1\nB,small,D1\n")
    _add_to_base(path, crew="crew.csv")
    jobs = tasks_of([read_scenarios(path)], 1, 2.0, "", "")
    assert jobs[0][0].crew is not None and jobs[0][0].crew[0].id == "A"  # read on the client
    (run,) = compare(jobs, workers=1)
    assert run.feasible and run.drivers_used == run.vehicles_used and run.uncovered_duties == 0


def test_a_base_with_volunteers_plans_and_checks_the_patrol_in_every_scenario(tmp_path) -> None:
    from streetcrew.solver.scenarios.compare import compare, table, tasks_of

    path, streets = _base(tmp_path, [
        {"name": "alleys first", "changes": [
            {"change_streets": {"ids": ["ns00", "ns01"], "priority": 50}}]},
        {"name": "+1 small", "changes": [{"add_vehicles": {"type": "small"}}]}])
    # two walkers with 25 minutes each cannot walk the whole grid (about 10 km of street)
    (tmp_path / "volunteers.csv").write_text(
        "id,name,lon,lat,free_from,free_to,mode,max_minutes\n"
        "V1,a,118.774,32.044,18:00,20:00,walk,25\nV2,b,118.778,32.048,18:00,20:00,walk,25\n")
    (tmp_path / "must.csv").write_text("street_id,chief\new11,c\n")
    _add_to_base(path, volunteers="volunteers.csv", must_cover="must.csv", date="2026-11-27")
    jobs = tasks_of([read_scenarios(path)], 2, 3.0, "", "", solutions=50)
    assert jobs[0][0].patrol is not None and len(jobs[0][0].patrol.volunteers) == 2
    # the walks are planned once per street set: the base's and the changed streets', seed 0
    assert [(t.scenario.name, t.seed) for t, _, _ in jobs if t.patrol is not None] == [
        ("base", 0), ("alleys first", 0)]
    runs = compare(jobs, workers=1)
    base, alleys = runs[0], runs[2]
    for run in runs:
        assert run.feasible and run.patrol_must_missed == 0
        assert 0 < run.patrol_priority_pct < 100
    # the other runs carry the figures of the plan made on their streets
    assert runs[1].patrol_priority_pct == runs[4].patrol_priority_pct == runs[5].patrol_priority_pct \
        == base.patrol_priority_pct
    assert runs[3].patrol_priority_pct == alleys.patrol_priority_pct
    rows = {r["scenario"]: r for r in table(runs)}
    assert rows["alleys first"]["patrol_priority_pct_vs_base"] == pytest.approx(
        alleys.patrol_priority_pct - base.patrol_priority_pct)
    # the md table gets the patrol columns only when some scenario has volunteers
    res = CliRunner().invoke(app, ["compare", str(path), "-t", "3", "--solutions", "50",
                                   "--workers", "1", "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    md = (tmp_path / "out" / "comparison.md").read_text()
    assert "patrol priority %" in md and "must-cover missed" in md


def test_cases_without_volunteers_are_an_error(tmp_path) -> None:
    from streetcrew.solver.scenarios.compare import tasks_of

    path, _ = _base(tmp_path, [])
    (tmp_path / "must.csv").write_text("street_id,chief\new11,c\n")
    _add_to_base(path, must_cover="must.csv")
    with pytest.raises(InputError, match="name the volunteers too"):
        tasks_of([read_scenarios(path)], 1, 3.0, "", "")


def test_a_plan_that_raises_gets_a_failed_row_and_the_others_still_run(tmp_path) -> None:
    from streetcrew.models.scenario import RemoveVehicles, Scenario
    from streetcrew.solver.scenarios.compare import compare, table, tasks_of

    path, _ = _base(tmp_path, [])
    (job,) = tasks_of([read_scenarios(path)], 1, 2.0, "", "")
    broken = job[0].model_copy(update={"scenario": Scenario(
        name="typo", changes=(RemoveVehicles(ids=("L9",)),))})
    runs = compare([job, (broken, job[1], job[2])], workers=2)
    assert [r.status for r in runs][1] == "failed" and runs[0].feasible
    assert "unknown vehicle 'L9'" in next(iter(runs[1].reasons))
    rows = {r["scenario"]: r for r in table(runs)}
    assert rows["typo"]["failed"] == 1 and rows["typo"]["cost"] is None
    assert rows["base"]["failed"] == 0 and rows["base"]["km_swept"] > 0


def test_a_plan_on_a_worker_runs_without_the_nannys_malloc_setting(monkeypatch) -> None:
    import subprocess

    from streetcrew.solver.scenarios import compare as cmp

    seen: dict[str, object] = {}

    def fake_run(args, **kw):  # the child is not started: only what it would be given
        seen.update(kw)
        return subprocess.CompletedProcess(args, 1, "", "boom")

    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")
    monkeypatch.setattr(subprocess, "run", fake_run)
    task = cmp.Task(file="f", scenario=cmp.Scenario(name="base"), seed=0, time_limit=1,
                    date=None, crew=None, rules=None)
    with pytest.raises(cmp.PlanFailed, match="^boom$"):
        cmp.run_apart(task, [], read_fleet(DATA / "fleet" / "good.yaml"))
    env = seen["env"]
    assert isinstance(env, dict) and "MALLOC_TRIM_THRESHOLD_" not in env and "PATH" in env


def test_when_every_plan_failed_the_table_and_chart_still_say_so(tmp_path) -> None:
    from streetcrew.solver.outputs.pictures import draw_comparison
    from streetcrew.solver.scenarios import compare as cmp
    from streetcrew.solver.scenarios.run import comparison_md as _comparison_md

    task = cmp.Task(file="f", scenario=cmp.Scenario(name="base"), seed=0, time_limit=1,
                    date=None, crew=None, rules=None)
    rows = cmp.table([cmp.failed(task, ValueError("first line\nbad | value"))])
    assert rows[0]["failed"] == 1 and rows[0]["top_reason"] == "plan failed: ValueError: bad | value"
    md = _comparison_md(rows, 1, 10, 1.0)
    table_lines = [ln for ln in md.splitlines() if ln.startswith("|")]
    assert len({ln.count("|") for ln in table_lines}) == 1  # header, rule and row agree
    assert "FAILED (1 of 1)" in md and "plan failed: ValueError: bad | value" in md
    png = draw_comparison(rows, cmp.KPI_COLUMNS, tmp_path / "c.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_size_under_a_scenario_sizes_the_changed_work(tmp_path) -> None:
    # large sweepers only on 90-minute shifts; the scenario sweeps every street twice
    short = [{"remove_vehicles": {"ids": ["S1"]}},
             {"change_shifts": {"ids": ["L1"], "shift_start": "06:00", "shift_end": "07:30"}}]
    path, _ = _base(tmp_path, [{"name": "short", "changes": short},
                               {"name": "twice", "changes": [*short, {"change_streets": {
                                   "sweeps_per_day": 2, "min_hours_between": 0}}]}])
    fewest = {}
    for name in ("short", "twice"):
        res = CliRunner().invoke(app, ["size", "--vehicle-type", "large", "--scenarios",
                                       str(path), "--scenario", name, "-t", "20", "--most", "16",
                                       "--solutions", "20",
                                       "--workers", "1", "--out", str(tmp_path / name)])
        assert res.exit_code == 0, res.output
        fewest[name] = int(res.output.strip().splitlines()[-1].split(": ")[1])
        assert (tmp_path / name / "size.csv").is_file()
    assert fewest["short"] >= 2 and fewest["twice"] > fewest["short"]
    res = CliRunner().invoke(app, ["size", "--vehicle-type", "large", "--scenarios", str(path),
                                   "--scenario", "thrice"])
    assert res.exit_code == 2
    assert str(path) in res.output and "no scenario named 'thrice'" in res.output


def test_size_stops_when_more_vehicles_do_not_leave_less_work(tmp_path) -> None:
    from streetcrew.models.scenario import ChangeStreets, RemoveVehicles, Scenario
    from streetcrew.solver.scenarios.compare import load_base, size_fleet

    _base(tmp_path, [])
    streets, fleet = load_base(str(tmp_path / "streets.geojson"), str(tmp_path / "fleet.yaml"),
                               None)
    # a street to sweep 20:00-20:30 only, while the large sweeper works 04:00-12:00
    late = Scenario(name="late", changes=(RemoveVehicles(ids=("S1",)), ChangeStreets(
        ids=("ns00",), windows=((20 * 3600, 20 * 3600 + 1800),))))
    fleet, streets = apply_changes(fleet, streets, late, "test")
    best, points = size_fleet(streets, fleet, "large", 2.0, workers=1, most=64)
    assert best is None
    assert [p.vehicles for p in points] == [1, 2]  # not 4, 8, ... 64
    assert all(p.left_for_fleet > 0 for p in points)
