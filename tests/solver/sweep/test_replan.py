"""The rest of the day planned again: each event kind, what is kept, and the checker."""

from __future__ import annotations

import pytest
import yaml
from typer.testing import CliRunner

from streetcrew.cli import app
from streetcrew.models.io.write_streets import write_geojson
from streetcrew.models.schedule import Event, Schedule
from streetcrew.solver.graph.kept import check_replan, kept_steps
from streetcrew.solver.sweep.check import check_schedule
from streetcrew.solver.sweep.events import apply_to_fleet, apply_to_streets
from streetcrew.solver.sweep.params import PlanParams
from streetcrew.solver.sweep.plan import plan_sweeping
from streetcrew.solver.sweep.replan import replan
from tests.helpers import DATA, grid, grid_fleet

FLEET = grid_fleet()
PARAMS = PlanParams(time_limit=30, iterations=400, deterministic=True)
STREETS = grid(4)


def _fleet_of(n: int):
    vehicles = [v.model_copy(update={"id": f"{v.id}-{i}"})
                for i in range(n) for v in FLEET.vehicles]
    return FLEET.model_copy(update={"vehicles": tuple(vehicles)})


@pytest.fixture(scope="module")
def day() -> tuple[Schedule, object]:
    fleet = _fleet_of(2)
    return plan_sweeping(STREETS, fleet, PARAMS), fleet


def _busiest(plan: Schedule):
    return max(plan.routes, key=lambda r: sum(s.type == "serve" for s in r.steps))


def _again(plan: Schedule, fleet, at: int, events: list[Event]) -> Schedule:
    after = replan(plan, STREETS, fleet, at, events, PlanParams(time_limit=10))
    streets, day_fleet = apply_to_streets(STREETS, events), apply_to_fleet(fleet, events)
    assert check_schedule(streets, day_fleet, after) == []
    assert check_replan(after, plan) == []
    # every pass is swept once or listed with its reason
    swept = [s.task for r in after.routes for s in r.steps if s.type == "serve"]
    assert len(swept) == len(set(swept)) and not set(swept) & {u.task for u in after.unassigned}
    return after


def _middle(route) -> int:
    serves = [s for s in route.steps if s.type == "serve"]
    return serves[len(serves) // 2].start + 1


def test_a_breakdown_hands_the_rest_on_and_keeps_what_was_done(day) -> None:
    plan, fleet = day
    gone = _busiest(plan)
    at = _middle(gone)
    after = _again(plan, fleet, at, [Event(kind="breakdown", vehicle=gone.vehicle, at=at)])
    mine = next(r for r in after.routes if r.vehicle == gone.vehicle)
    assert mine.steps[-1].type == "breakdown" and mine.steps[-1].start == at
    assert mine.steps[:-1] == kept_steps(gone, at, broken=True)  # done before stays
    assert mine.changed and "broke down" in mine.changed
    rest = {s.task for s in gone.steps if s.type == "serve" and s.end > at}
    taken = {s.task for r in after.routes if r.vehicle != gone.vehicle for s in r.steps
             if s.type == "serve" and s.start >= at}
    left = {u.task: u.reason for u in after.unassigned if u.task in rest}
    assert rest <= taken | set(left) and rest & taken  # others took it, or it says why
    assert all("broke down" in why for why in left.values())
    assert [r for r in after.routes if r.changed and r.vehicle != gone.vehicle]


def test_a_closed_street_is_not_swept_or_driven_after_the_replan(day) -> None:
    plan, fleet = day
    route = _busiest(plan)
    at = _middle(route)
    later = [s for s in route.steps if s.type == "serve" and s.start > at]
    street = later[-1].street
    assert street is not None
    after = _again(plan, fleet, at, [Event(kind="close", street=street)])
    index = {s.id: k for k, s in enumerate(STREETS)}
    from streetcrew.models.network import build_network

    link = build_network(STREETS).links[index[street]]
    for r in after.routes:
        for s in r.steps:
            if s.start >= at and s.type in ("serve", "deadhead"):
                assert s.street != street
                assert (link.u, link.v) not in zip(s.path, s.path[1:])
                assert (link.v, link.u) not in zip(s.path, s.path[1:])
    closed = [u for u in after.unassigned if u.street == street]
    assert closed and all("closed" in u.reason for u in closed)


def test_a_shift_cut_short_ends_the_route_by_then(day) -> None:
    plan, fleet = day
    route = _busiest(plan)
    end = _middle(route) + 1800
    after = _again(plan, fleet, end - 1800, [Event(kind="cut", vehicle=route.vehicle, at=end)])
    mine = next(r for r in after.routes if r.vehicle == route.vehicle)
    assert mine.steps[-1].type == "end" and mine.steps[-1].end <= end


def test_added_work_is_swept_in_its_window(day) -> None:
    plan, fleet = day
    route = _busiest(plan)
    at = _middle(route)
    street = STREETS[0].id
    after = _again(plan, fleet, at, [Event(kind="add", street=street, at=at, until=at + 7200)])
    extra = [s for r in after.routes for s in r.steps if s.type == "serve"
             and s.street == street and s.start >= at]
    assert extra and all(at <= s.start and s.end <= at + 7200 for s in extra)


def test_the_checker_finds_a_change_to_what_was_done(day) -> None:
    plan, fleet = day
    route = _busiest(plan)
    at = _middle(route)
    after = _again(plan, fleet, at, [Event(kind="breakdown", vehicle=route.vehicle, at=at)])
    planned = {r.vehicle for r in plan.routes} - {route.vehicle}
    other = next(r for r in after.routes if r.vehicle in planned and r.steps[1].end < at)
    steps = list(other.steps)
    steps[1] = steps[1].model_copy(update={"start": steps[1].start + 60})
    bent = after.model_copy(update={"routes": tuple(
        r.model_copy(update={"steps": tuple(steps)}) if r is other else r
        for r in after.routes)})
    found = " ".join(v.message for v in check_replan(bent, plan))
    assert "changed what was done before the re-plan: step 2" in found


def test_replan_on_the_command_line(tmp_path) -> None:
    streets_file = tmp_path / "streets.geojson"
    write_geojson(STREETS, streets_file)
    fleet_file = tmp_path / "fleet.yaml"
    data = yaml.safe_load((DATA / "fleet" / "good.yaml").read_text())
    data["facilities"][0]["at"] = [118.770, 32.052]
    data["facilities"][1]["at"] = [118.782, 32.040]
    fleet_file.write_text(yaml.safe_dump(data))
    runner = CliRunner()
    res = runner.invoke(app, ["plan", "--streets", str(streets_file), "--fleet", str(fleet_file),
                              "--seed", "1", "-t", "20", "--out", str(tmp_path / "day")])
    assert res.exit_code == 0, res.output
    plan = Schedule.model_validate_json((tmp_path / "day" / "schedule.json").read_text())
    route = _busiest(plan)
    at = _middle(route) // 60 * 60 + 60
    clock = f"{at // 3600:02d}:{at % 3600 // 60:02d}"
    base = ["replan", str(tmp_path / "day" / "schedule.json"), "--at", clock]
    res = runner.invoke(app, [*base, "--breakdown", f"{route.vehicle}@{clock}",
                              "--out", str(tmp_path / "now")])
    assert res.exit_code == 0, res.output
    assert f"{route.vehicle}: broke down at {clock}" in res.output
    sheet = (tmp_path / "now" / "sheets" / f"{route.vehicle}.md").read_text()
    assert "broke down here" in sheet and "broke down at" in sheet
    res = runner.invoke(app, ["check", str(tmp_path / "now" / "schedule.json")])
    assert res.exit_code == 0 and "feasible" in res.output, res.output
    for bad, words in ((["--breakdown", "L1"], "--breakdown"), (["--breakdown", "X9@07:00"],
                       "no such vehicle"), (["--close", "nowhere"], "no such street"),
                       (["--add", "ns00@09:00"], "HH:MM-HH:MM")):
        res = runner.invoke(app, [*base, *bad, "--out", str(tmp_path / "bad")])
        assert res.exit_code == 2 and words in res.output and "Traceback" not in res.output


def test_the_page_says_when_and_why_the_day_was_planned_again(day, tmp_path) -> None:
    from streetcrew.solver.outputs.report import write_plan_report

    plan, fleet = day
    gone = _busiest(plan)
    at = _middle(gone)
    after = _again(plan, fleet, at, [Event(kind="breakdown", vehicle=gone.vehicle, at=at)])
    page = write_plan_report(after, STREETS, fleet, tmp_path / "report.html").read_text("utf-8")
    clock = f"{(at + 30) // 60 // 60:02d}:{(at + 30) // 60 % 60:02d}"
    assert f"re-planned at {clock} after breakdown {gone.vehicle} at" in page
