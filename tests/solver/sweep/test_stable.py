"""Plans made from the plan before (``plan --previous``): passes keep their vehicles."""

from __future__ import annotations

import yaml
from typer.testing import CliRunner

from streetcrew.cli import app
from streetcrew.models.io.write_streets import write_geojson
from streetcrew.models.schedule import Schedule
from streetcrew.solver.sweep.check import check_schedule
from streetcrew.solver.sweep.params import PlanParams
from streetcrew.solver.sweep.plan import plan_sweeping
from streetcrew.solver.sweep.stable import (
    changes,
    check_changes,
    held_by,
    orders_of,
    with_changes,
)
from tests.helpers import DATA, grid, grid_fleet

FLEET = grid_fleet()
PARAMS = PlanParams(time_limit=30, iterations=400, deterministic=True)


def _fleet_of(n: int):
    """FLEET with ``n`` copies of each of its vehicles (ids made unique)."""
    vehicles = [v.model_copy(update={"id": f"{v.id}-{i}"})
                for i in range(n) for v in FLEET.vehicles]
    return FLEET.model_copy(update={"vehicles": tuple(vehicles)})


def _again(streets, fleet, before: Schedule, **change) -> Schedule:
    params = PARAMS.model_copy(update={"previous": orders_of(before), "seed": 1, **change})
    after = with_changes(plan_sweeping(streets, fleet, params), before)
    assert check_schedule(streets, fleet, after) == []
    assert check_changes(after, before) == []
    return after


def test_the_same_inputs_keep_every_pass_on_its_vehicle_at_no_extra_cost() -> None:
    streets, fleet = grid(4), _fleet_of(3)
    before = plan_sweeping(streets, fleet, PARAMS)
    after = _again(streets, fleet, before)  # another seed: a fresh plan would differ
    s = after.summary
    assert s.passes_kept is not None and s.passes_changed is not None
    assert s.passes_kept >= 0.95 * (s.passes_kept + s.passes_changed) > 0
    assert s.cost <= 1.01 * before.summary.cost and s.previous_cost == before.summary.cost


def test_a_vehicle_gone_moves_only_its_own_passes_when_changes_are_dear() -> None:
    streets, fleet = grid(4), _fleet_of(3)
    before = plan_sweeping(streets, fleet, PARAMS)
    gone = before.routes[0].vehicle
    assert gone is not None and len(before.routes) > 1
    fewer = fleet.model_copy(update={"vehicles": tuple(v for v in fleet.vehicles
                                                       if v.id != gone)})
    after = _again(streets, fewer, before, change_cost=1000.0)
    was = {t: v for v, tasks in held_by(before).items() for t in tasks}
    for v, tasks in held_by(after).items():
        for t in tasks:  # a pass that changed vehicle was the gone vehicle's
            assert was.get(t, v) == v or was[t].startswith(f"{gone}#"), (t, was[t], v)
    assert after.summary.passes_changed == sum(
        1 for v, tasks in held_by(after).items() for t in tasks if t in was and was[t] != v)


def test_the_counts_of_changes_are_recounted_by_the_checker() -> None:
    streets = grid(3)
    before = plan_sweeping(streets, FLEET, PARAMS)
    after = _again(streets, FLEET, before)
    kept, changed = changes(after, before)
    lying = after.model_copy(update={"summary": after.summary.model_copy(update={
        "passes_kept": kept + 3, "previous_cost": before.summary.cost + 5})})
    found = " ".join(v.message for v in check_changes(lying, before))
    assert f"{kept} kept and {changed} changed" in found and "plan before's cost" in found


def test_plan_previous_on_the_command_line_and_check(tmp_path) -> None:
    streets_file = tmp_path / "streets.geojson"
    write_geojson(grid(), streets_file)
    fleet_file = tmp_path / "fleet.yaml"
    data = yaml.safe_load((DATA / "fleet" / "good.yaml").read_text())
    data["facilities"][0]["at"] = [118.770, 32.052]
    data["facilities"][1]["at"] = [118.782, 32.040]
    fleet_file.write_text(yaml.safe_dump(data))
    base = ["plan", "--streets", str(streets_file), "--fleet", str(fleet_file), "--seed", "1",
            "-t", "20"]
    runner = CliRunner()
    res = runner.invoke(app, [*base, "--out", str(tmp_path / "mon")])
    assert res.exit_code == 0, res.output
    monday = tmp_path / "mon" / "schedule.json"
    # the plan it would write over is refused, before any planning
    res = runner.invoke(app, [*base, "--out", str(tmp_path / "mon"), "--previous", str(monday)])
    assert res.exit_code == 2 and "plan into another --out" in res.output
    res = runner.invoke(app, [*base, "--out", str(tmp_path / "tue"), "--previous", str(monday)])
    assert res.exit_code == 0, res.output
    assert "kept vehicle" in res.output and "the plan before:" in res.output
    tuesday = tmp_path / "tue" / "schedule.json"
    res = runner.invoke(app, ["check", str(tuesday)])
    assert res.exit_code == 0 and "feasible" in res.output, res.output
    monday.write_text(monday.read_text().replace('"cost"', '"cost" ', 1))  # changed since
    res = runner.invoke(app, ["check", str(tuesday)])
    assert res.exit_code == 2 and "inputs.previous" in res.output, res.output


def test_a_city_planned_by_districts_keeps_its_passes_too() -> None:
    streets, fleet = grid(4), _fleet_of(3)
    params = PARAMS.model_copy(update={"district_tasks": 10, "workers": 2})
    before = plan_sweeping(streets, fleet, params)
    assert (before.summary.districts or 0) > 1
    after = with_changes(plan_sweeping(streets, fleet, params.model_copy(
        update={"previous": orders_of(before), "seed": 2})), before)
    assert check_schedule(streets, fleet, after) == [] and check_changes(after, before) == []
    assert after.summary.passes_changed == 0 and after.summary.cost == before.summary.cost
