"""schedule.json: the current schema reads back whole; other versions are refused clearly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from streetcrew.cli import app
from streetcrew.models.base import InputError
from streetcrew.models.io.schedule import read_schedule
from streetcrew.models.schedule import SCHEMA_VERSION, Route, Schedule, Step, Summary

SUMMARY = Summary(routes_used=1, served_km=1.2, deadhead_km=0.3, deadhead_pct=20.0,
                  coverage_pct=100.0, overtime_s=0, unassigned=0, cost=12.5, solve_s=0.1)
ROUTE = Route(vehicle="L1", vehicle_type="large", depot="D1", served_m=1200.0,
              deadhead_m=300.0, cost=12.5,
              steps=(Step(type="start", start=21600, end=21600, from_node=0, to_node=0),
                     Step(type="end", start=23000, end=23000, from_node=0, to_node=0)))


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "schedule.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_schedule_reads_back_equal(tmp_path: Path) -> None:
    import datetime as dt

    s = Schedule(status="solved", date=dt.date(2026, 11, 27), summary=SUMMARY, routes=(ROUTE,),
                 unassigned=(), inputs={}).with_check([])
    path = tmp_path / "schedule.json"
    path.write_text(s.model_dump_json(indent=1), encoding="utf-8")
    back = read_schedule(path)
    assert back == s and back.schema_version == SCHEMA_VERSION and back.date.year == 2026
    assert json.loads(path.read_text())["date"] == "2026-11-27"  # ISO in the file


def test_a_file_of_the_first_schema_is_refused_with_what_to_do(tmp_path: Path) -> None:
    old = {"status": "solved", "date": None, "routes": [], "unassigned": [], "inputs": {},
           "summary": {"vehicles_used": 0, "swept_km": 0, "deadhead_km": 0, "deadhead_pct": 0,
                       "sweeping_rate_pct": 100, "overtime_s": 0, "unassigned": 0, "cost": 0,
                       "solve_s": 0}}
    path = _write(tmp_path, old)
    with pytest.raises(InputError) as err:
        read_schedule(path)
    assert err.value.field == "schema_version" and "plan again" in str(err.value)
    res = CliRunner().invoke(app, ["check", str(path)])
    assert res.exit_code == 2 and "schema 1" in res.output


def test_a_newer_schema_and_broken_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="newer streetcrew"):
        read_schedule(_write(tmp_path, {"schema_version": SCHEMA_VERSION + 1}))
    with pytest.raises(InputError, match="expected a schedule"):
        read_schedule(_write(tmp_path, [1, 2]))
    bad = tmp_path / "bad.json"
    bad.write_text('{"status": ', encoding="utf-8")
    with pytest.raises(InputError, match="not valid JSON") as err:
        read_schedule(bad)
    assert err.value.record == "line 1"


def test_routes_and_kinds_say_who_works(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="either a vehicle or a team"):
        Route(vehicle="L1", team="V1+V2", steps=(), served_m=0, deadhead_m=0, cost=0)
    walk = Route(team="V1+V2", mode="walk", steps=(), served_m=0, deadhead_m=0, cost=0)
    assert walk.who == "V1+V2" and walk.label == "V1+V2"
    with pytest.raises(ValueError, match="patrol block"):
        Schedule(kind="patrol", status="solved", date=None, summary=SUMMARY, routes=(walk,),
                 unassigned=(), inputs={})
