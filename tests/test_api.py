"""The public Python API and the one installed name: ``import streetcrew``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import streetcrew
from streetcrew.cli import app
from streetcrew.models.schedule import Violation
from streetcrew.solver.sweep import run as sweep
from streetcrew.solver.sweep.params import PlanParams
from tests.helpers import TINY, grid, grid_fleet


def test_import_works_beside_a_project_with_its_own_models_and_solver(tmp_path: Path) -> None:
    (tmp_path / "models.py").write_text("raise ImportError('the wrong models')\n")
    (tmp_path / "solver").mkdir()
    (tmp_path / "solver" / "__init__.py").write_text("raise ImportError('the wrong solver')\n")
    code = ("import streetcrew, streetcrew.cli, streetcrew.solver.sweep.run; "
            "print(streetcrew.plan.__module__)")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "streetcrew"
    helped = subprocess.run([sys.executable, "-m", "streetcrew.cli", "--help"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert helped.returncode == 0 and "plan" in helped.stdout, helped.stderr


def test_plan_and_check_through_the_api() -> None:
    streets, fleet = grid(), grid_fleet()
    schedule = streetcrew.plan(streets, fleet, time_limit=10, solutions=20, workers=1)
    assert schedule.checked and schedule.violations == ()
    assert streetcrew.check(streets, fleet, schedule) == []
    assert schedule.summary.served_km > 0 and schedule.summary.coverage_pct == 100.0
    tampered = schedule.model_copy(update={"routes": schedule.routes[1:]})
    assert all(isinstance(v, Violation) for v in streetcrew.check(streets, fleet, tampered))
    assert streetcrew.check(streets, fleet, tampered)


def test_the_day_through_the_api_the_plan_before_and_a_breakdown() -> None:
    streets, fleet = grid(), grid_fleet()
    monday = streetcrew.plan(streets, fleet, time_limit=10, solutions=20, workers=1)
    tuesday = streetcrew.plan(streets, fleet, time_limit=10, solutions=20, workers=1, seed=3,
                              previous=monday)
    assert tuesday.checked and tuesday.violations == ()
    assert tuesday.summary.passes_kept is not None and tuesday.summary.passes_changed == 0
    route = max(monday.routes, key=lambda r: len(r.steps))
    serves = [s for s in route.steps if s.type == "serve"]
    at = serves[len(serves) // 2].start // 60 * 60 + 60
    clock = f"{at // 3600:02d}:{at % 3600 // 60:02d}"
    again = streetcrew.replan(monday, streets, fleet, clock,
                              breakdown=(f"{route.vehicle}@{clock}",))
    assert again.checked and again.violations == ()
    mine = next(r for r in again.routes if r.vehicle == route.vehicle)
    assert mine.steps[-1].type == "breakdown" and again.replan is not None


def test_solve_and_check_a_carp_instance() -> None:
    problem = streetcrew.read_carp(TINY)
    solution = streetcrew.solve(problem, time_limit=1, engine="pyvrp", workers=1)
    assert streetcrew.check_carp(problem, solution) == []


def test_a_plan_that_fails_its_checker_is_not_written(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Every plan written has passed its checker: a failing one leaves the folder empty."""
    lie = Violation(kind="test", where="vehicle L1", message="made to fail")
    monkeypatch.setattr(sweep, "check_schedule", lambda *a: [lie])
    streets = tmp_path / "streets.geojson"
    from streetcrew.models.io.write_streets import write_geojson

    write_geojson(grid(), streets)
    fleet = tmp_path / "fleet.json"
    fleet.write_text(grid_fleet().model_dump_json(), encoding="utf-8")
    result = sweep.run(streets, fleet, None, PlanParams(time_limit=3, solutions=10),
                       tmp_path / "out")
    assert not result.passed and list(result.schedule.violations) == [lie]
    assert not (tmp_path / "out").exists()
    res = CliRunner().invoke(app, ["plan", "--streets", str(streets), "--fleet", str(fleet),
                                   "-t", "3", "--out", str(tmp_path / "cli")])
    assert res.exit_code == 1 and "nothing written" in res.output
    assert "[test] vehicle L1: made to fail" in res.output
    assert not (tmp_path / "cli").exists()
