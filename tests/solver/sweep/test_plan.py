"""Sweeping plans on a small hand-made district: coverage, direction, loads, shifts."""

from __future__ import annotations

from streetcrew.models.network import build_network
from streetcrew.models.schedule import Schedule
from streetcrew.models.streets import Street, street_with_defaults
from streetcrew.solver.sweep.check import check_schedule
from streetcrew.solver.sweep.params import PlanParams
from streetcrew.solver.sweep.plan import plan_sweeping
from streetcrew.solver.sweep.tasks import build_tasks
from tests.helpers import DATA, grid, grid_fleet

FLEET = grid_fleet()
_grid = grid


def _plan(streets: list[Street], fleet=FLEET, seconds: float = 3) -> Schedule:
    schedule = plan_sweeping(streets, fleet, PlanParams(time_limit=seconds))
    assert check_schedule(streets, fleet, schedule) == []  # every plan passes the checker
    s = schedule.summary
    assert s.driven_km_lower_bound is not None
    assert s.served_km <= s.driven_km_lower_bound <= s.served_km + s.deadhead_km + 1e-6
    return schedule


def test_every_curb_is_swept_once_in_the_direction_of_traffic() -> None:
    streets = _grid()
    schedule = _plan(streets)
    network = build_network(streets)
    tasks, _ = build_tasks(streets, network, FLEET)
    served = [st for r in schedule.routes for st in r.steps if st.type == "serve"]
    assert schedule.status == "solved" and not schedule.unassigned
    assert sorted(st.task for st in served) == sorted(t.id for t in tasks)  # once each
    by_id = {t.id: t for t in tasks}
    for st in served:
        task, link = by_id[st.task], network.links[by_id[st.task].street]
        forward = (st.from_node, st.to_node) == (link.u, link.v)
        assert (st.from_node, st.to_node) in ((link.u, link.v), (link.v, link.u))
        assert (forward and task.forward_ok) or (not forward and task.backward_ok)


def test_routes_respect_shifts_capacities_and_chain_in_space_and_time() -> None:
    schedule = _plan(_grid())
    for route in schedule.routes:
        veh = next(v for v in FLEET.vehicles if v.id == route.vehicle)
        vt = FLEET.vehicle_type(veh.type)
        steps = route.steps
        moving = [s for s in steps if s.type != "break"]
        assert moving[0].type == "start" and moving[-1].type == "end"
        assert veh.shift_start <= steps[0].start and steps[-1].end <= veh.shift_end
        for st in steps:
            assert st.load <= vt.hopper_m3 * 1000 + 1e-6
            assert st.water <= vt.water_l + 1e-6
        for a, b in zip(moving, moving[1:]):
            assert a.end <= b.start  # one thing at a time
            assert a.to_node == b.from_node  # no jumps: deadheads fill the gaps
        assert sum(s.distance_m for s in steps if s.type == "serve") == route.served_m


def test_work_no_vehicle_may_do_is_unassigned_with_the_reason() -> None:
    streets = _grid()
    streets[0] = streets[0].model_copy(update={"road_class": "motorway", "sides": "right"})
    schedule = _plan(streets)
    reasons = {u.street: u.reason for u in schedule.unassigned}
    assert "no vehicle type may sweep a motorway" in reasons["ns00"]
    served = {st.street for r in schedule.routes for st in r.steps if st.type == "serve"}
    assert "ns00" not in served and "ew00" in served


def test_a_tiny_hopper_forces_dump_trips() -> None:
    types = tuple(t.model_copy(update={"hopper_m3": 0.3}) for t in FLEET.vehicle_types)
    fleet = FLEET.model_copy(update={"vehicle_types": types})
    schedule = _plan(_grid(), fleet, seconds=5)
    steps = [st for r in schedule.routes for st in r.steps]
    assert any(st.type == "dump" for st in steps)
    assert all(st.load <= 300 + 1e-6 for st in steps)
    assert not schedule.unassigned


def test_checker_accepts_plans_and_catches_tampering() -> None:
    streets = _grid()
    schedule = _plan(streets)
    route = schedule.routes[0]
    serve = next(i for i, s in enumerate(route.steps) if s.type == "serve")
    flipped = route.steps[serve].model_copy(
        update={"from_node": route.steps[serve].to_node, "to_node": route.steps[serve].from_node})
    bad_steps = route.steps[:serve] + (flipped,) + route.steps[serve + 1 :]
    bad = schedule.model_copy(update={"routes": (route.model_copy(update={"steps": bad_steps}),)
                                      + schedule.routes[1:]})
    problems = check_schedule(streets, FLEET, bad)
    assert any("against traffic" in str(p) for p in problems)
    assert any("jumps" in str(p) for p in problems)
    dropped = schedule.model_copy(update={"routes": schedule.routes[1:]})
    assert any("pass(es) required" in str(p) for p in check_schedule(streets, FLEET, dropped))


def test_plan_and_check_commands(tmp_path) -> None:
    import yaml
    from typer.testing import CliRunner

    from streetcrew.cli import app
    from streetcrew.models.io.write_streets import write_geojson

    streets_file = tmp_path / "streets.geojson"
    write_geojson(_grid(), streets_file)
    fleet_file = tmp_path / "fleet.yaml"
    data = yaml.safe_load((DATA / "fleet" / "good.yaml").read_text())
    data["facilities"][0]["at"] = [118.770, 32.052]
    data["facilities"][1]["at"] = [118.782, 32.040]
    fleet_file.write_text(yaml.safe_dump(data))
    out = tmp_path / "plan"
    runner = CliRunner()
    res = runner.invoke(app, ["plan", "--streets", str(streets_file), "--fleet", str(fleet_file),
                              "-t", "3", "--out", str(out)])
    assert res.exit_code == 0, res.output
    for name in ("schedule.json", "routes.csv", "steps.csv", "routes.geojson", "map.png",
                 "gantt.png", "summary.md", "unassigned.csv", "sheets/all.html"):
        assert (out / name).stat().st_size > 0
    import json

    from streetcrew.models.schedule import Schedule

    schedule = Schedule.model_validate_json((out / "schedule.json").read_text())
    features = json.loads((out / "routes.geojson").read_text())["features"]
    serves = [st for r in schedule.routes for st in r.steps if st.type == "serve"]
    assert len([f for f in features if f["properties"]["step"] == "serve"]) == len(serves)
    for route in schedule.routes:  # the sheets themselves: tests/solver/outputs/test_sheets.py
        for ext in ("md", "html"):
            assert f"Route sheet: {route.label}" in (out / "sheets" / f"{route.vehicle}.{ext}"
                                                      ).read_text()
    res = runner.invoke(app, ["check", str(out / "schedule.json")])
    assert res.exit_code == 0 and res.output.startswith("feasible"), res.output
    streets_file.write_text(streets_file.read_text().replace("ns00", "nsXX"))
    res = runner.invoke(app, ["check", str(out / "schedule.json")])
    assert res.exit_code == 2 and "has changed since the file was made" in res.output


def test_pictures_are_png_files(tmp_path) -> None:
    from streetcrew.solver.outputs.pictures import draw_gantt, draw_map

    streets = _grid()
    schedule = _plan(streets)
    for path in (draw_map(schedule, streets, tmp_path / "map.png"),
                 draw_gantt(schedule, tmp_path / "gantt.png")):
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert path.stat().st_size > 5_000


def test_repeat_sweeps_keep_their_gap_and_the_checker_enforces_it() -> None:
    streets = _grid()
    for k in (0, 3):
        streets[k] = streets[k].model_copy(update={"sweeps_per_day": 2, "min_hours_between": 2.5})
    schedule = _plan(streets, seconds=4)
    assert not schedule.unassigned
    spans: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for r in schedule.routes:
        for st in r.steps:
            if st.type == "serve" and st.street in (streets[0].id, streets[3].id):
                spans.setdefault((st.street, st.side or ""), []).append((st.start, st.end))
    assert len(spans) == 4 and all(len(v) == 2 for v in spans.values())
    for first, second in (sorted(v) for v in spans.values()):
        assert second[0] >= first[1] + 2.5 * 3600
    # the checker refuses the same plan when the street asks for a longer gap
    longer = [s.model_copy(update={"min_hours_between": 12.0}) if s.id == streets[0].id else s
              for s in streets]
    problems = check_schedule(longer, FLEET, schedule)
    assert problems and all("12 h required" in str(p) for p in problems)


def test_balance_weight_shortens_the_longest_route() -> None:
    streets = _grid()
    vehicles = tuple(v.model_copy(update={"id": f"{v.id}-{i}"})
                     for i in range(2) for v in FLEET.vehicles)
    fleet = FLEET.model_copy(update={"vehicles": vehicles})

    def longest(weight: int) -> int:
        schedule = plan_sweeping(streets, fleet, PlanParams(time_limit=3, balance_weight=weight))
        assert check_schedule(streets, fleet, schedule) == []
        assert not schedule.unassigned
        return max(r.steps[-1].end - r.steps[0].start for r in schedule.routes)

    assert longest(50) < longest(0)


def test_a_loop_street_is_swept_on_both_curbs_and_its_direction_checked() -> None:
    streets = _grid()
    x, y = 118.770, 32.040  # a cul-de-sac loop from the grid's south-west corner
    loop = ((x, y), (x - 0.001, y - 0.0005), (x - 0.001, y - 0.0015), (x, y))
    streets.append(street_with_defaults({"id": "loop", "road_class": "residential",
                                         "coords": loop}))
    schedule = _plan(streets)
    sweeps = [(r, i, st) for r in schedule.routes for i, st in enumerate(r.steps)
              if st.type == "serve" and st.street == "loop"]
    assert sorted(st.forward for _, _, st in sweeps) == [False, True]  # right along, left against
    r, i, st = sweeps[0]
    flipped = st.model_copy(update={"forward": not st.forward})
    bad_route = r.model_copy(update={"steps": r.steps[:i] + (flipped,) + r.steps[i + 1:]})
    bad = schedule.model_copy(update={"routes": tuple(
        bad_route if x is r else x for x in schedule.routes)})
    assert any("swept against traffic" in str(p) for p in check_schedule(streets, FLEET, bad))


def test_snap_distances_are_reported() -> None:
    schedule = plan_sweeping(_grid(), FLEET, PlanParams(time_limit=1))
    assert set(schedule.snap_m) == {f"depot:{d.id}" for d in FLEET.depots} | {
        f"facility:{f.id}" for f in FLEET.facilities}
    assert all(0 <= m <= 500 for m in schedule.snap_m.values())
    assert schedule.snap_m["depot:D1"] > 0  # (118.78, 32.045) is not on a grid corner


def test_a_break_is_taken_only_when_due_before_the_vehicle_is_back() -> None:
    streets = _grid()
    late = [v.model_copy(update={"breaks": (v.breaks[0].model_copy(update={
        "earliest": v.shift_end - 3600, "latest": v.shift_end - 1800}),)})
        for v in FLEET.vehicles if v.breaks]  # L1 alone, its break in its last hour
    fleet = FLEET.model_copy(update={"vehicles": tuple(late)})
    schedule = _plan(streets, fleet)
    by_id = {v.id: v for v in late}
    checked = 0
    for r in schedule.routes:
        if not by_id[r.vehicle].breaks:
            continue
        back = [st for st in r.steps if st.type != "break"][-2].end
        took = [st for st in r.steps if st.type == "break"]
        assert len(took) == (1 if back > by_id[r.vehicle].breaks[0].earliest else 0)
        checked += back < by_id[r.vehicle].breaks[0].earliest
    assert checked  # some vehicle was back before its break was due, and took none
