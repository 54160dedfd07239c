"""Both plan engines on the same small district: checked, complete, PyVRP repeatable."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from streetcrew.cli import app
from streetcrew.solver.sweep import run
from streetcrew.solver.sweep.params import PlanParams
from tests.helpers import grid, grid_fleet


@pytest.mark.parametrize("engine", ["pyvrp", "ortools"])
def test_each_engine_sweeps_the_grid_and_passes_the_checker(engine: str) -> None:
    streets, fleet = grid(), grid_fleet()
    schedule = run.plan(streets, fleet, PlanParams(time_limit=5, engine=engine, workers=1))
    assert schedule.checked and schedule.violations == ()
    assert schedule.status == "solved" and not schedule.unassigned
    s = schedule.summary
    assert s.driven_km_lower_bound is not None
    assert s.served_km <= s.driven_km_lower_bound <= s.served_km + s.deadhead_km + 1e-6


def test_a_bounded_pyvrp_plan_is_the_same_on_every_run() -> None:
    streets, fleet = grid(), grid_fleet()
    params = PlanParams(time_limit=30, iterations=300, seed=4, workers=1)
    first, second = (run.plan(streets, fleet, params) for _ in range(2))
    assert first.routes == second.routes and first.unassigned == second.unassigned


def test_pyvrp_finds_plans_no_longer_than_ortools_on_the_grid() -> None:
    """Side by side at the same work bound: the dumps inside PyVRP's search pay."""
    streets, base = grid(), grid_fleet()
    types = tuple(t.model_copy(update={"hopper_m3": 0.5}) for t in base.vehicle_types)
    fleet = base.model_copy(update={"vehicle_types": types})
    km = {}
    for engine in ("pyvrp", "ortools"):
        s = run.plan(streets, fleet, PlanParams(time_limit=20, engine=engine, workers=1,
                                                solutions=30)).summary
        assert s.unassigned == 0
        km[engine] = s.served_km + s.deadhead_km
    assert km["pyvrp"] <= km["ortools"] * 1.02, km


def test_an_unknown_engine_is_an_input_error() -> None:
    res = CliRunner().invoke(app, ["plan", "--engine", "hgs", "-t", "1"])
    assert res.exit_code == 2 and "field 'engine'" in res.output and "pyvrp" in res.output
