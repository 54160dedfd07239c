"""Volunteer patrols: priorities from cases, must-cover streets, buddies, and the checker."""

from __future__ import annotations

from streetcrew.models.fleet import Point
from streetcrew.models.patrol import Case, Volunteer
from streetcrew.solver.patrol.check import check_patrol
from streetcrew.solver.patrol.plan import PatrolParams, plan_patrol, street_priorities, walk_streets
from tests.helpers import grid as _grid

CORNER = Point(lon=118.770, lat=32.040)  # a node of the grid


def _volunteer(ident: str, minutes: float = 60, **kw: object) -> Volunteer:
    data: dict[str, object] = {"id": ident, "at": CORNER, "free_from": 9 * 3600,
                               "free_to": 12 * 3600, "max_minutes": minutes} | kw
    return Volunteer.model_validate(data)


def _plan(vols, cases=(), must=(), seconds: float = 3):
    streets = _grid()
    schedule, kpis = plan_patrol(streets, vols, cases, must,
                                 PatrolParams(time_limit=seconds, workers=1))
    assert check_patrol(streets, vols, must, schedule) == []
    return streets, schedule, kpis


def test_a_fresh_case_raises_its_street_and_an_old_one_less() -> None:
    streets = walk_streets(_grid())
    mid = streets[4].coords[0]
    at = Point(lon=(mid[0] + streets[4].coords[1][0]) / 2 + 0.0001, lat=mid[1] + 0.002)
    fresh = Case(id="c1", at=at, kind="dirty-street", age_days=0)
    old = Case(id="c2", at=at, kind="dirty-street", age_days=14)
    far = Case(id="c3", at=Point(lon=118.9, lat=32.2), kind="graffiti", age_days=1)
    base, _, _ = street_priorities(streets, [])
    prio, used, too_far = street_priorities(streets, [fresh, old, far])
    raised = [k for k in range(len(streets)) if prio[k] > base[k]]
    assert len(raised) == 1 and used == 2 and too_far == ["c3"]
    assert prio[raised[0]] - base[raised[0]] == 10 + 10 * 0.25  # two half-lives for the old one


def test_patrol_covers_must_streets_within_free_time_and_minutes() -> None:
    streets, schedule, kpis = _plan([_volunteer("a", 75), _volunteer("b", 75)],
                                    must=["ew22", "ns31"])
    walked = {st.street for r in schedule.routes for st in r.steps if st.type == "serve"}
    assert {"ew22", "ns31"} <= walked and kpis.must_cover_met == 2
    assert all((r.steps[-1].end - r.steps[0].start) <= 75 * 60 for r in schedule.routes)
    assert 0 < kpis.priority_covered <= kpis.priority_upper_bound <= kpis.priority_total
    assert kpis.streets_patrolled == len(walked)


def test_buddies_walk_one_route_at_the_slower_pace() -> None:
    vols = [_volunteer("a", 60, buddy="b"), _volunteer("b", 30, mode="bike", buddy="a")]
    _, schedule, kpis = _plan(vols)
    assert [r.team for r in schedule.routes] == ["a+b"]
    assert schedule.routes[0].mode == "walk"
    assert schedule.routes[0].steps[-1].end - schedule.routes[0].steps[0].start <= 30 * 60
    assert kpis.volunteers_used == 2


def test_a_must_cover_street_out_of_reach_is_unassigned_with_the_reason() -> None:
    _, schedule, kpis = _plan([_volunteer("a", 4)], must=["ew32"])
    [u] = [u for u in schedule.unassigned if u.street == "ew32"]
    assert "no volunteer can reach it" in u.reason and kpis.must_cover_met == 0


def test_a_meeting_point_off_the_network_is_reported() -> None:
    far = _volunteer("x", 60, at=Point(lon=118.9, lat=32.2))
    _, schedule, _ = _plan([_volunteer("a", 30), far])
    assert any(u.task == "volunteer:x" for u in schedule.unassigned)


def test_checker_catches_a_walk_too_long_and_too_fast() -> None:
    vols = [_volunteer("a", 40)]
    streets, schedule, _ = _plan(vols)
    short = [v.model_copy(update={"max_minutes": 5}) for v in vols]
    assert any("at most 5 min" in str(p) for p in check_patrol(streets, short, [], schedule))
    route = schedule.routes[0]
    i = next(i for i, st in enumerate(route.steps) if st.type == "serve")
    fast = route.steps[i].model_copy(update={"end": route.steps[i].start + 1})
    bad = schedule.model_copy(update={"routes": (route.model_copy(update={
        "steps": route.steps[:i] + (fast,) + route.steps[i + 1:]}),)})
    assert any("faster than" in str(p) for p in check_patrol(streets, vols, [], bad))


def test_patrol_command_plans_the_demo_and_check_verifies_it(tmp_path) -> None:
    import json

    from typer.testing import CliRunner

    from streetcrew.cli import app

    runner = CliRunner()
    out = tmp_path / "patrol"
    result = runner.invoke(app, ["patrol", "--time-limit", "5", "--out", str(out)])
    assert result.exit_code == 0, result.output
    for name in ("schedule.json", "patrol.geojson", "coverage.png", "routes.csv", "steps.csv"):
        assert (out / name).stat().st_size > 0
    data = json.loads((out / "schedule.json").read_text(encoding="utf-8"))
    assert data["patrol"]["must_cover"] == 8
    assert set(data["inputs"]) == {"streets", "volunteers", "cases", "must_cover"}
    sheets = list((out / "sheets").glob("*.md"))
    assert len(sheets) == len(data["routes"]) > 0
    checked = runner.invoke(app, ["check", str(out / "schedule.json")])
    assert checked.exit_code == 0, checked.output
    # a tampered route fails the check with exit code 1
    route = data["routes"][0]
    route["steps"][-1]["end"] = route["steps"][-1]["end"] + 10 * 3600
    (out / "schedule.json").write_text(json.dumps(data), encoding="utf-8")
    assert runner.invoke(app, ["check", str(out / "schedule.json")]).exit_code == 1


def test_a_volunteer_with_too_little_time_for_any_street_is_reported() -> None:
    _, schedule, _ = _plan([_volunteer("a", 40), _volunteer("quick", 2)])
    [u] = [u for u in schedule.unassigned if u.task == "volunteer:quick"]
    assert "shorter than a walk" in u.reason
    assert all(r.team != "quick" for r in schedule.routes)


def test_a_street_with_reported_cases_goes_to_volunteers_of_those_kinds() -> None:
    streets = walk_streets(_grid())
    near = {}
    for k in (1, 4, 7):  # a case in the middle of three streets near the meeting point
        (x0, y0), (x1, y1) = streets[k].coords[0], streets[k].coords[-1]
        near[streets[k].id] = Point(lon=(x0 + x1) / 2, lat=(y0 + y1) / 2)
    cases = [Case(id=f"c{i}", at=at, kind="graffiti", age_days=0)
             for i, at in enumerate(near.values())]
    vols = [_volunteer("g", 60, kinds=("graffiti",)), _volunteer("d", 60, kinds=("dirty-street",))]
    _, schedule, _ = _plan(vols, cases)
    by = {st.street: r.team for r in schedule.routes for st in r.steps if st.type == "serve"}
    assert any(by.get(sid) == "g" for sid in near)
    assert all(by.get(sid) != "d" for sid in near)


def test_the_upper_bound_counts_the_volunteers_time() -> None:
    streets, schedule, kpis = _plan([_volunteer("a", 20)])
    walk = walk_streets(streets)
    base, _, _ = street_priorities(walk, [])
    # 20 min at 4.5 km/h walks 1.5 km: at most three or four 440 m streets, not all 24
    assert kpis.priority_covered <= kpis.priority_upper_bound < base.sum() / 3


def test_streets_walked_recently_rest_unless_they_must_be_covered(tmp_path) -> None:
    import datetime as dt

    from streetcrew.models.io.patrol import read_history

    path = tmp_path / "history.csv"
    path.write_text("street_id,date\nns00,2026-11-26T18:00\nns01,2026-11-26\n"
                    "ew00,2026-11-20\nns01,2026-11-25\n", encoding="utf-8")
    days = read_history(path, dt.date(2026, 11, 27))
    assert days == {"ns00": 0.25, "ns01": 1.0, "ew00": 7.0}
    streets = _grid()
    vols = [_volunteer("a", 90)]
    schedule, kpis = plan_patrol(streets, vols, [], ["ns01"],
                                 PatrolParams(time_limit=3, workers=1, rest_days=2), None,
                                 None, days)
    assert check_patrol(streets, vols, ["ns01"], schedule) == []
    walked = {st.street for r in schedule.routes for st in r.steps if st.type == "serve"}
    assert "ns01" in walked and kpis.streets_resting == 1  # ns00 rests, ns01 must be walked
    path.write_text("street_id,date\nns00,2026-11-28\n", encoding="utf-8")
    import pytest

    from streetcrew.models.base import InputError

    with pytest.raises(InputError) as err:
        read_history(path, dt.date(2026, 11, 27))
    assert err.value.field == "date" and "row 1" in str(err.value)


def test_pyvrp_walks_pass_the_checker_and_collect_no_less_than_the_greedy_start() -> None:
    """The prize-collecting PyVRP engine: must-cover streets walked, times kept, checked."""
    streets = _grid()
    vols = [_volunteer("a", 75), _volunteer("b", 40, mode="bike")]
    must = ["ew22", "ns31"]
    got = {}
    for engine in ("ortools", "pyvrp"):
        schedule, kpis = plan_patrol(streets, vols, (), must,
                                     PatrolParams(time_limit=4, workers=1, engine=engine,
                                                  solutions=20))
        assert check_patrol(streets, vols, must, schedule) == []
        assert kpis.must_cover_met == 2
        got[engine] = kpis.priority_covered
    assert got["pyvrp"] >= 0.9 * got["ortools"], got
