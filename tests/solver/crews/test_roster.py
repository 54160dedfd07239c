"""Crew assignment and the roster: the rules hold, gaps are explained, the checker catches."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from streetcrew.cli import app
from streetcrew.instances import demo_fleet
from streetcrew.models.base import InputError
from streetcrew.models.crew import Assignment, CrewMember, CrewRules, Duty
from streetcrew.models.io.crew import parse_days, read_crew, read_rules
from streetcrew.models.schedule import Route, Schedule, Step, Summary
from streetcrew.solver.crews.check import check_roster
from streetcrew.solver.crews.duties import duties, plan_days
from streetcrew.solver.crews.engine_pulp import solve_roster

MON = dt.date(2026, 11, 30)  # a Monday
RULES = CrewRules(time_limit=20)


def _member(ident: str, **kw: object) -> CrewMember:
    data: dict[str, object] = {"id": ident, "licences": ("large",), "depot": "D1"} | kw
    return CrewMember.model_validate(data)


def _duty(route: str, day: dt.date = MON, start: str = "06:00", hours: float = 8,
          vtype: str = "large", depot: str = "D1", helper: bool = False) -> Duty:
    h, m = (int(x) for x in start.split(":"))
    begin = h * 3600 + m * 60
    return Duty(day=day, route=route, vehicle=route, vehicle_type=vtype, depot=depot,
                start=begin, end=begin + int(hours * 3600), helper=helper)


def _week(n: int = 7) -> list[str]:
    return plan_days(MON, n)


def _solve(duty_list, crew, rules=RULES, **kw):
    roster = solve_roster(duty_list, crew, rules, **kw)
    assert check_roster(roster, crew, rules) == []  # every roster passes the checker
    return roster


def test_each_duty_gets_one_licensed_driver_from_its_depot_and_a_helper_where_needed() -> None:
    crew = [_member("A"), _member("B", licences=("small",)), _member("C", depot="D2"),
            _member("H", role="helper", licences=())]
    roster = _solve([_duty("L1", helper=True), _duty("S1", vtype="small")], crew)
    got = {a.route: (a.driver, a.helper) for a in roster.assignments}
    assert got == {"L1": ("A", "H"), "S1": ("B", None)}
    assert roster.uncovered == () and roster.status == "optimal"


def test_a_type_nobody_may_drive_is_uncovered_with_the_reason_and_the_rest_is_made() -> None:
    roster = _solve([_duty("L1"), _duty("W1", vtype="washer")], [_member("A")])
    assert [a.driver for a in roster.assignments] == ["A", None]
    (u,) = roster.uncovered
    assert (u.route, u.role) == ("W1", "driver")
    assert "no one in the crew holds a licence for washer" in u.reason
    assert roster.status == "partial"


def test_rest_between_duties_is_kept_and_the_gap_is_explained() -> None:
    day1, day2 = _week(2)
    late = _duty("L4", day=day1, start="14:00")  # ends 22:00
    early = _duty("L1", day=day2, start="03:00")  # 5 h later
    roster = _solve([late, early], [_member("A")])
    assert sum(a.driver == "A" for a in roster.assignments) == 1
    (u,) = roster.uncovered
    assert "resting" in u.reason and "A" in u.reason


def test_consecutive_days_and_weekly_hours_are_limits() -> None:
    week = _week(7)
    rules = RULES.model_copy(update={"max_consecutive_days": 5, "max_hours_week": 100})
    roster = _solve([_duty("L1", day=d) for d in week], [_member("A")], rules)
    assert len(roster.uncovered) == 1  # a day off after five, then the seventh again
    assert all("in a row" in u.reason for u in roster.uncovered)
    rules = RULES.model_copy(update={"max_hours_week": 30})
    roster = _solve([_duty("L1", day=d) for d in week], [_member("A")], rules)
    assert sum(a.driver == "A" for a in roster.assignments) == 3  # 3 x 8 h <= 30 h
    assert all("weekly hours" in u.reason for u in roster.uncovered)


def test_people_who_must_not_pair_never_share_a_vehicle() -> None:
    crew = [_member("A", not_with=("H1",)), _member("H1", role="helper", licences=()),
            _member("H2", role="helper", licences=(), days=("tue",))]
    roster = _solve([_duty("L1", helper=True)], crew)  # Monday: only H1 could help
    (a,) = roster.assignments
    assert a.driver == "A" and a.helper is None
    (u,) = roster.uncovered
    assert u.role == "helper" and "H1" in u.reason


def test_unavailable_people_are_named_in_the_reason() -> None:
    crew = [_member("A", days=("sat", "sun")), _member("B", available_from=8 * 3600)]
    roster = _solve([_duty("L1")], crew)
    (u,) = roster.uncovered
    assert "not available on mon" in u.reason and "available 08:00-24:00 only" in u.reason


def test_work_is_shared_evenly_and_night_duties_too() -> None:
    week = _week(4)
    duty_list = [_duty("N1", day=d, start="22:00", hours=7) for d in week]
    duty_list += [_duty("D1", day=d, start="12:00", hours=8) for d in week]
    crew = [_member(p, available_to=30 * 3600) for p in "ABCD"]  # nights end at 05:00
    rules = RULES.model_copy(update={"min_rest_hours": 0})
    roster = _solve(duty_list, crew, rules)
    assert sorted(pl.duties for pl in roster.load) == [2, 2, 2, 2]
    assert sorted(pl.nights for pl in roster.load) == [1, 1, 1, 1]
    assert roster.nights_spread == 0


def test_yesterdays_driver_keeps_the_route() -> None:
    crew = [_member("A"), _member("B")]
    for before in ("A", "B"):
        roster = _solve([_duty("L1")], crew, previous={"L1": before})
        assert roster.assignments[0].driver == before


def test_preferences_are_followed_when_they_cost_nothing() -> None:
    crew = [_member("A", prefer_vehicle="S1", licences=("large", "small")),
            _member("B", licences=("large", "small"))]
    roster = _solve([_duty("L1"), _duty("S1", vtype="small")], crew)
    assert {a.route: a.driver for a in roster.assignments} == {"L1": "B", "S1": "A"}


def test_the_checker_catches_broken_rules() -> None:
    day1, day2 = _week(2)
    crew = [_member("A"), _member("B", licences=("small",)), _member("H", role="helper",
                                                                     licences=())]
    roster = _solve([_duty("L4", day=day1, start="14:00"), _duty("L1", day=day2, start="10:00")],
                    crew)
    bad = [a.model_copy(update={"driver": "B"}) if a.route == "L4" else
           a.model_copy(update={"driver": "A", "start": 3 * 3600}) for a in roster.assignments]
    broken = roster.model_copy(update={"assignments": tuple(bad)})
    problems = check_roster(broken, crew, RULES)
    assert any("has no licence for large" in str(p) for p in problems)
    assert any("load table" in str(p) for p in problems)
    twice = roster.model_copy(update={"assignments": tuple(
        a.model_copy(update={"driver": "A", "day": day1}) for a in roster.assignments)})
    assert any("2 duties on" in str(p) for p in check_roster(twice, crew, RULES))
    hole = roster.model_copy(update={"assignments": tuple(
        a.model_copy(update={"driver": None}) for a in roster.assignments)})
    assert any("not listed as uncovered" in str(p) for p in check_roster(hole, crew, RULES))
    resting = roster.model_copy(update={"assignments": (
        roster.assignments[0].model_copy(update={"driver": "A"}),
        Assignment(**(roster.assignments[1].model_dump() | {"driver": "A", "start": 4 * 3600})),
    )})
    assert any("h rest between" in str(p) for p in check_roster(resting, crew, RULES))


def test_read_crew_refuses_bad_records_naming_file_row_and_column(tmp_path) -> None:
    head = ("id,name,role,licences,depot,days,available_from,available_to,contract_hours,"
            "not_with\n")
    cases = {
        "D1,,driver,large;tank,D1,all,06:00,18:00,40,\n":
            ("row 1 (id 'D1')", "licences", "unknown vehicle type 'tank'"),
        "D1,,driver,large,D1,all,18:00,06:00,40,\n":
            ("row 1 (id 'D1')", "available_to", "after available_from"),
        "D1,,driver,large,D1,all,,,40,\nD1,,driver,large,D1,all,,,40,\n":
            ("row 2 (id 'D1')", "id", "duplicate id 'D1'"),
        "D1,,driver,large,D9,all,,,40,\n": ("row 1 (id 'D1')", "depot", "unknown depot 'D9'"),
        "D1,,driver,large,D1,mon-fry,,,40,\n": ("row 1 (id 'D1')", "days", "unknown weekday"),
        "D1,,driver,large,D1,all,,,40,X9\n": ("row 1 (id 'D1')", "not_with", "unknown person"),
        "D1,,driver,,D1,all,,,40,\n": ("row 1 (id 'D1')", "licences", "needs at least one"),
        "D1,,boss,large,D1,all,,,40,\n": ("row 1 (id 'D1')", "role", "driver"),
    }
    for body, (record, column, words) in cases.items():
        path = tmp_path / "crew.csv"
        path.write_text(head + body, encoding="utf-8")
        with pytest.raises(InputError) as info:
            read_crew(path, ["large", "small"], ["D1", "D2"])
        err = info.value
        assert (err.file, err.record, err.field) == (str(path), record, column), body
        assert words in str(err), (body, str(err))


def test_read_rules_and_days(tmp_path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("max_hours_week: 40\nnight_from: '21:00'\nnight_to: '29:00'\n")
    rules = read_rules(path)
    assert (rules.max_hours_week, rules.night_from, rules.night_to) == (40, 21 * 3600, 29 * 3600)
    path.write_text("max_hours_wek: 40\n")
    with pytest.raises(InputError, match="unknown rule") as info:
        read_rules(path)
    assert info.value.field == "max_hours_wek"
    assert parse_days("sat-mon") == ("mon", "sat", "sun")
    assert parse_days("") == parse_days("all") and len(parse_days("all")) == 7


def _schedule(tmp_path) -> tuple[str, list[Route]]:
    routes = []
    for vid, vtype, start, end in (("L1", "large-sweeper", "03:00", "10:30"),
                                   ("S1", "small-sweeper", "06:00", "13:00")):
        a, b = (int(t[:2]) * 3600 + int(t[3:]) * 60 for t in (start, end))
        routes.append(Route(vehicle=vid, vehicle_type=vtype, depot="north-yard",
                            steps=(Step(type="start", start=a, end=a),
                                   Step(type="end", start=b, end=b)),
                            served_m=0, deadhead_m=0, cost=0))
    summary = Summary(routes_used=2, served_km=0, deadhead_km=0, deadhead_pct=0,
                      coverage_pct=0, overtime_s=0, unassigned=0, cost=0, solve_s=0)
    plan = Schedule(status="solved", date=MON, summary=summary, routes=tuple(routes),
                    unassigned=(), inputs={})
    path = tmp_path / "schedule.json"
    path.write_text(plan.model_dump_json())
    return str(path), routes


def test_crews_command_writes_the_roster_and_check_verifies_it(tmp_path) -> None:
    schedule, routes = _schedule(tmp_path)
    out = tmp_path / "crews"
    runner = CliRunner()
    res = runner.invoke(app, ["crews", "--schedule", schedule, "--days", "7", "--out", str(out),
                              "--mip", "cbc", "-t", "20", "--fleet", str(demo_fleet())])
    assert res.exit_code == 0, res.output
    assert "uncovered      0" in res.output and "checked        feasible" in res.output
    with open(out / "roster.csv", encoding="utf-8-sig") as f:  # a BOM, for Excel
        rows = list(csv.DictReader(f))
    days = [d.isoformat() for d in _week(7)]
    assert list(rows[0])[4:11] == days
    cells = [c for r in rows for d in days if (c := r[d])]
    assert len(cells) == 7 * 3  # two routes a day; the large sweeper has a helper too
    assert (out / "roster.png").stat().st_size > 0
    assert (out / "crew-sheets" / "D01.md").read_text(encoding="utf-8").startswith("# D01")
    staffed = Schedule.model_validate_json((out / f"schedule-{MON}.json").read_text())
    assert all(r.driver for r in staffed.routes)
    res = runner.invoke(app, ["check", str(out / "roster.json")])
    assert res.exit_code == 0 and res.output.startswith("feasible"), res.output
    roster = json.loads((out / "roster.json").read_text())
    roster["assignments"][0]["driver"] = "H01"  # a helper cannot drive
    (out / "roster.json").write_text(json.dumps(roster))
    res = runner.invoke(app, ["check", str(out / "roster.json")])
    assert res.exit_code == 1 and "is not a driver" in res.output


def test_crews_command_names_a_bad_crew_record(tmp_path) -> None:
    schedule, _ = _schedule(tmp_path)
    crew = tmp_path / "crew.csv"
    crew.write_text("id,licences,depot\nD1,rocket,north-yard\n")
    res = CliRunner().invoke(app, ["crews", "--schedule", schedule, "--crew", str(crew),
                                   "--fleet", str(demo_fleet())])
    assert res.exit_code == 2
    assert "crew.csv" in res.output and "row 1 (id 'D1')" in res.output
    assert "licences" in res.output and "rocket" in res.output


def test_duties_from_a_schedule_label_second_shifts() -> None:
    steps = (Step(type="start", start=0, end=0), Step(type="end", start=3600, end=3600))
    routes = tuple(Route(vehicle="L1", shift=k, vehicle_type="large", depot="D1", steps=steps,
                         served_m=0, deadhead_m=0, cost=0) for k in (0, 1))
    summary = Summary(routes_used=1, served_km=0, deadhead_km=0, deadhead_pct=0,
                      coverage_pct=0, overtime_s=0, unassigned=0, cost=0, solve_s=0)
    plan = Schedule(status="solved", date=None, summary=summary, routes=routes, unassigned=(),
                    inputs={})
    got = duties([(MON, plan)], {"large"})
    assert [d.route for d in got] == ["L1-shift1", "L1-shift2"] and all(d.helper for d in got)


def test_plan_with_crew_staffs_the_routes_it_plans(tmp_path) -> None:
    import yaml

    from streetcrew.models.io.write_streets import write_geojson
    from tests.helpers import DATA
    from tests.helpers import grid as _grid

    streets_file = tmp_path / "streets.geojson"
    write_geojson(_grid(), streets_file)
    data = yaml.safe_load((DATA / "fleet" / "good.yaml").read_text())
    data["facilities"][0]["at"] = [118.770, 32.052]
    data["facilities"][1]["at"] = [118.782, 32.040]
    data["vehicle_types"][0]["needs_helper"] = True
    fleet_file = tmp_path / "fleet.yaml"
    fleet_file.write_text(yaml.safe_dump(data))
    crew = tmp_path / "crew.csv"
    crew.write_text("id,role,licences,depot\nA,driver,large,D1\nB,driver,small,D1\n"
                    "C,helper,,D1\n")
    out = tmp_path / "plan"
    res = CliRunner().invoke(app, ["plan", "--streets", str(streets_file), "--fleet",
                                   str(fleet_file), "-t", "3", "--out", str(out),
                                   "--crew", str(crew)])
    assert res.exit_code == 0, res.output
    staffed = Schedule.model_validate_json((out / "schedule.json").read_text())
    assert staffed.routes
    for r in staffed.routes:
        assert r.driver == ("A" if r.vehicle_type == "large" else "B")
        assert r.helper == ("C" if r.vehicle_type == "large" else None)
        sheet = (out / "sheets" / f"{r.vehicle}.md").read_text(encoding="utf-8")
        assert f"- driver: {r.driver}" in sheet  # the vehicle sheets name the people
    assert "checked        feasible" in res.output
    # the roster names the staffed plan that replaced the one it was made from
    res = CliRunner().invoke(app, ["check", str(out / "roster.json")])
    assert res.exit_code == 0 and res.output.startswith("feasible"), res.output


def test_the_demo_rules_file_states_the_defaults() -> None:
    from pathlib import Path

    from streetcrew import instances

    demo = Path(instances.__file__).parent / "demo" / "rules.yaml"
    assert read_rules(demo) == CrewRules()
    members = read_crew(instances.demo_crew(), ["large-sweeper", "small-sweeper"],
                        ["north-yard", "south-yard"])
    assert {m.depot for m in members} == {"north-yard", "south-yard"}


def test_a_day_without_duties_still_parts_two_days() -> None:
    mon, _, wed = _week(3)
    rules = RULES.model_copy(update={"max_consecutive_days": 1})
    roster = _solve([_duty("L1", day=mon), _duty("L1", day=wed)], [_member("A")], rules)
    assert [a.driver for a in roster.assignments] == ["A", "A"]
    assert roster.days == tuple(_week(3))


def test_ids_pulp_would_mangle_alike_are_kept_apart() -> None:
    crew = [_member("D-1"), _member("D_1")]
    roster = _solve([_duty("L1", day=d) for d in _week(2)], crew)
    assert sorted(a.driver for a in roster.assignments) == ["D-1", "D_1"]


def test_a_helper_without_a_driver_is_explained_and_caught() -> None:
    crew = [_member("H", role="helper", licences=())]
    roster = _solve([_duty("L1", helper=True)], crew)
    reasons = {u.role: u.reason for u in roster.uncovered}
    assert reasons["helper"].startswith("no driver: the vehicle stays in")
    odd = roster.model_copy(update={"assignments": tuple(
        a.model_copy(update={"helper": "H"}) for a in roster.assignments)})
    assert any("without a driver" in str(p) for p in check_roster(odd, crew, RULES))


def test_check_reads_the_rules_file_the_roster_names(tmp_path) -> None:
    schedule, _ = _schedule(tmp_path)
    rules = tmp_path / "rules.yaml"
    rules.write_text("max_hours_day: 9\n")
    out = tmp_path / "crews"
    runner = CliRunner()
    res = runner.invoke(app, ["crews", "--schedule", schedule, "--rules", str(rules), "--out",
                              str(out), "--mip", "cbc", "--fleet", str(demo_fleet())])
    assert res.exit_code == 0, res.output
    assert runner.invoke(app, ["check", str(out / "roster.json")]).exit_code == 0
    rules.write_text("max_hours_day: 5\n")
    res = runner.invoke(app, ["check", str(out / "roster.json")])
    assert res.exit_code == 2 and "rules.yaml has changed since the file was made" in res.output


# ------------------------------------------------------------ bad input (issue 15): exit 2,
# the file, record and field named, nothing written

CREW_HEAD = "id,role,licences,depot,contract_hours,prefer_vehicle\n"


@pytest.mark.parametrize(("crew_rows", "rules_text", "says"), [
    ("", None, "{crew}: no crew members in the file"),
    ("D1,driver,large-sweeper,north-yard,40,L9\n", None,
     "{crew}, row 1 (id 'D1'): field 'prefer_vehicle': unknown vehicle 'L9'; the fleet has "
     "L1, L2, L3, L4, S1, S2"),
    ("D1,driver,large-sweeper,north-yard,400,\n", None,
     "{crew}, row 1 (id 'D1'): field 'contract_hours': expected more than 0 and at most 84 h a "
     "week, got 400"),
    ("D1,driver,large-sweeper,north-yard,40,\n", "max_hours_day: 30\n",
     "{rules}, max_hours_day: field 'max_hours_day': expected more than 0 and at most 24 h, "
     "got 30"),
    ("D1,driver,large-sweeper,north-yard,40,\n", "min_rest_hours: .nan\n",
     "{rules}, min_rest_hours: field 'min_rest_hours': "),
], ids=["no-people", "unknown-vehicle", "contract-hours", "hours-a-day", "rest-nan"])
def test_crews_command_refuses_implausible_or_empty_input(
    tmp_path, crew_rows: str, rules_text: str | None, says: str
) -> None:
    schedule, _ = _schedule(tmp_path)
    crew = tmp_path / "crew.csv"
    crew.write_text(CREW_HEAD + crew_rows)
    rules = tmp_path / "rules.yaml"
    options = ["--rules", str(rules)] if rules_text is not None else []
    if rules_text is not None:
        rules.write_text(rules_text)
    out = tmp_path / "crews"
    res = CliRunner().invoke(app, ["crews", "--schedule", schedule, "--crew", str(crew),
                                   "--fleet", str(demo_fleet()), "--out", str(out), *options])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.stderr
    assert res.stderr.startswith("error: " + says.format(crew=crew, rules=rules)), res.stderr
    assert res.stderr.count("\n") == 1
    assert not out.exists() or not any(out.iterdir()), "files were written"
