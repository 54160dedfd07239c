"""The plan benchmark runner: cases file, checked plans, records and the target column."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner, Result

from streetcrew.cli import app
from streetcrew.models.io.write_streets import write_geojson
from tests.helpers import grid as _grid
from tests.helpers import grid_fleet

FLEET = grid_fleet()

runner = CliRunner()


def _cases(tmp_path, target_s: float) -> str:
    write_geojson(_grid(), tmp_path / "streets.geojson")
    (tmp_path / "fleet.json").write_text(FLEET.model_dump_json(), encoding="utf-8")
    cases = {"cases": [{"name": "grid", "streets": "streets.geojson", "fleet": "fleet.json",
                        "time_limit": 2, "target_s": target_s}]}
    path = tmp_path / "plans.json"
    path.write_text(json.dumps(cases), encoding="utf-8")
    return str(path)


def _bench(tmp_path, cases: dict) -> tuple[Result, list[dict]]:  # type: ignore[type-arg]
    """Write ``cases`` as plans.json, run bench-plan on it (it must succeed), return the
    output and the records."""
    path = tmp_path / "plans.json"
    path.write_text(json.dumps(cases), encoding="utf-8")
    out = tmp_path / "records.json"
    result = runner.invoke(app, ["bench-plan", str(path), "--json", str(out)])
    assert result.exit_code == 0, result.output
    return result, json.loads(out.read_text(encoding="utf-8"))


def test_bench_plan_records_checked_kpis(tmp_path) -> None:
    out = tmp_path / "records.json"
    result = runner.invoke(app, ["bench-plan", _cases(tmp_path, 60), "--json", str(out),
                                 "--keep", str(tmp_path / "keep")])
    assert result.exit_code == 0, result.output
    [record] = json.loads(out.read_text(encoding="utf-8"))
    assert record["name"] == "grid" and record["feasible"] and record["within_target"]
    assert record["segments"] == len(_grid())
    assert record["driven_km_lower_bound"] <= record["served_km"] + record["deadhead_km"]
    assert "| grid | pyvrp | 24 |" in result.output
    kept = json.loads((tmp_path / "keep" / "grid.schedule.json").read_text(encoding="utf-8"))
    assert round(kept["summary"]["served_km"], 3) == round(record["served_km"], 3)


def test_bench_plan_says_when_the_target_time_is_missed(tmp_path) -> None:
    result = runner.invoke(app, ["bench-plan", _cases(tmp_path, 0.001)])
    assert result.exit_code == 0, result.output
    assert "MISSED" in result.output


def test_bench_plan_names_a_bad_case(tmp_path) -> None:
    path = tmp_path / "plans.json"
    path.write_text(json.dumps({"cases": [{"name": "x", "streets": "s", "fleet": "f"}]}),
                    encoding="utf-8")
    result = runner.invoke(app, ["bench-plan", str(path)])
    assert result.exit_code == 2
    assert "cases[0]" in result.output and str(path) in result.output


def test_bench_plan_runs_a_patrol_case(tmp_path) -> None:
    write_geojson(_grid(), tmp_path / "streets.geojson")
    (tmp_path / "volunteers.csv").write_text(
        "id,name,lon,lat,free_from,free_to,mode,max_minutes\n"
        "a,,118.770,32.040,09:00,12:00,walk,60\n"
        "b,,118.782,32.052,09:00,12:00,bike,45\n", encoding="utf-8")
    cases = {"cases": [{"name": "walk", "kind": "patrol", "streets": "streets.geojson",
                        "volunteers": "volunteers.csv", "date": "2026-11-27",
                        "time_limit": 3, "target_s": 60}]}
    result, [record] = _bench(tmp_path, cases)
    assert record["feasible"] and record["vehicles"] == 2
    assert 0 < record["coverage_pct"] <= 100
    assert 0 < record["covered_of_bound_pct"] <= 100


def test_bench_plan_runs_a_compare_case_locally_and_on_a_local_cluster(tmp_path) -> None:
    write_geojson(_grid(), tmp_path / "streets.geojson")
    (tmp_path / "fleet.json").write_text(FLEET.model_dump_json(), encoding="utf-8")
    (tmp_path / "ten.yaml").write_text(
        "scenarios:\n  - name: no small\n    changes:\n      - remove_vehicles: {ids: [S1]}\n",
        encoding="utf-8")
    cases = {"cases": [{"name": "two", "kind": "compare", "scenarios": "ten.yaml",
                        "streets": "streets.geojson", "fleet": "fleet.json", "solutions": 30,
                        "time_limit": 60, "target_s": 60}]}
    result, [r] = _bench(tmp_path, cases)
    assert r["runs"] == 2 and r["feasible"] and r["deterministic"]
    assert r["same_plans"] == 2  # a solution limit: the cluster makes the same plans
    # of rounded values: walls to 0.01 s, solve times to 0.01 s
    assert r["ratio"] == pytest.approx(r["wall_local_s"] / r["slowest_s"], rel=0.1)
    assert r["slowest_s"] <= r["sum_s"]
    assert "| two | 2 |" in result.output


def test_bench_plan_follows_a_plan_with_a_replan_and_a_second_plan(tmp_path) -> None:
    write_geojson(_grid(4), tmp_path / "streets.geojson")
    (tmp_path / "fleet.json").write_text(FLEET.model_dump_json(), encoding="utf-8")
    base = {"streets": "streets.geojson", "fleet": "fleet.json", "time_limit": 5,
            "target_s": 30}
    result, records = _bench(tmp_path, {"cases": [
        {"name": "again", **base, "then": "previous"},
        {"name": "down", **base, "then": "replan", "at": "07:00",
         "events": ["breakdown L1@07:00"]}]})
    again, down = records
    assert again["then_feasible"] and again["kept_pct"] is not None
    assert down["then_feasible"] and down["then"] == "replan breakdown L1@07:00"
    assert 0 < down["then_s"] <= down["then_target_s"]
    assert result.output.count("| case | then |") == 1  # one table of what followed
