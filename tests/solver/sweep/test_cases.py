"""Urgent reports: dispatched into the running plan within their deadline or found impossible,
kept in the case register, inspected by the next day's walk and closed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from streetcrew.cli import app
from streetcrew.models.base import InputError
from streetcrew.models.cases import close_cases, read_register
from streetcrew.models.io.write_streets import write_geojson
from streetcrew.models.schedule import Schedule
from streetcrew.solver.patrol import run as patrol
from streetcrew.solver.patrol.plan import PatrolParams
from streetcrew.solver.sweep import run as sweep
from streetcrew.solver.sweep.events import parse_report
from streetcrew.solver.sweep.params import PlanParams
from tests.helpers import DATA, grid

DAY = dt.date(2026, 12, 1)
STREETS = grid(4)


@pytest.fixture(scope="module")
def planned(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("day")
    streets = write_geojson(STREETS, tmp / "streets.geojson")
    fleet = tmp / "fleet.yaml"
    data = yaml.safe_load((DATA / "fleet" / "good.yaml").read_text())
    data["facilities"][0]["at"] = [118.770, 32.052]
    data["facilities"][1]["at"] = [118.782, 32.040]
    fleet.write_text(yaml.safe_dump(data))
    result = sweep.run(streets, fleet, DAY, PlanParams(time_limit=20, iterations=300,
                                                       deterministic=True), tmp / "plan")
    assert result.passed
    return tmp / "plan" / "schedule.json"


def _mid(street_id: str) -> str:
    s = next(s for s in STREETS if s.id == street_id)
    (x0, y0), (x1, y1) = s.coords[0], s.coords[-1]
    return f"{(x0 + x1) / 2:.6f},{(y0 + y1) / 2:.6f}"


def test_a_report_is_swept_within_its_deadline_and_registered(planned, tmp_path) -> None:
    register = tmp_path / "cases.csv"
    plan = Schedule.model_validate_json(planned.read_text())
    at = plan.routes[0].steps[0].start + 3600
    clock = f"{at // 3600:02d}:{at % 3600 // 60:02d}"
    due = at + 3 * 3600
    report = parse_report(f"C-1:spill@{_mid('ew21')}-{due // 3600:02d}:00", at)
    result = sweep.replan_run(planned, at, [], PlanParams(time_limit=10), tmp_path / "now",
                              reports=[report], register=register)
    assert result.passed, result.schedule.violations
    (row,) = read_register(register)
    assert row.status == "dispatched" and row.street == "ew21" and row.date == DAY
    assert row.planned is not None and at <= row.planned <= row.deadline
    swept = [s for r in result.schedule.routes if r.label == row.vehicle for s in r.steps
             if s.type == "serve" and s.street == "ew21" and s.start >= at]
    assert swept and swept[0].end <= row.deadline
    checked = CliRunner().invoke(app, ["check", str(tmp_path / "now" / "schedule.json")])
    assert checked.exit_code == 0, checked.output
    assert clock  # the command line form is tested below

    # the next day's walk passes the street, the register says who and when; then closed
    volunteers = tmp_path / "volunteers.csv"
    volunteers.write_text("id,lon,lat,free_from,free_to,max_minutes\n"
                          "V1,118.770,32.040,09:00,11:00,90\nV2,118.786,32.048,09:00,11:00,90\n",
                          encoding="utf-8")
    streets = Path(Schedule.model_validate_json(planned.read_text()).inputs["streets"].path)
    inputs = patrol.load(streets, volunteers, DAY + dt.timedelta(days=1), register=register)
    assert inputs.inspect == {"C-1": "ew21"}
    walked = patrol.run(inputs, PatrolParams(time_limit=5, workers=1), DAY + dt.timedelta(days=1),
                        tmp_path / "walk")
    assert walked.passed and walked.schedule.patrol.inspect == ("ew21",)
    (row,) = read_register(register)
    assert row.status == "inspection planned" and row.inspector and row.inspection
    assert row.inspected_on == DAY + dt.timedelta(days=1)
    res = CliRunner().invoke(app, ["check", str(tmp_path / "walk" / "schedule.json")])
    assert res.exit_code == 0, res.output
    (row,) = close_cases(register, ["C-1"])
    assert row.status == "closed"


def test_reports_that_cannot_be_done_say_why(planned, tmp_path) -> None:
    register = tmp_path / "cases.csv"
    plan = Schedule.model_validate_json(planned.read_text())
    at = plan.routes[0].steps[0].start + 3600
    far = parse_report(f"C-2:spill@118.900,32.100-{(at + 7200) // 3600:02d}:00", at)
    soon = parse_report(f"C-3:spill@{_mid('ns31')}-23:00", 0)
    soon = soon.model_copy(update={"filed": at, "deadline": at + 60})  # a minute: too soon
    result = sweep.replan_run(planned, at, [], PlanParams(time_limit=10), tmp_path / "now",
                              reports=[far, soon], register=register)
    assert result.passed
    rows = {r.case: r for r in read_register(register)}
    assert rows["C-2"].status == "impossible" and "no street within 100 m" in rows["C-2"].reason
    assert rows["C-3"].status == "impossible" and "shorter than the sweep" in rows["C-3"].reason
    with pytest.raises(InputError, match="is impossible: a case is closed after a walk"):
        close_cases(register, ["C-2"])


@pytest.mark.parametrize("text, words", [
    ("C-1@118.78,32.04-11:00", "a part is missing"),
    ("C-1:spill@118.78-11:00", "a part is missing"),
    ("C-1:spill@118.78,32.04-9:99", "HH:MM"),
    ("C-1:spill@118.78,32.04-07:00", "the deadline has passed"),
])
def test_a_report_badly_written_is_a_clear_error(text: str, words: str) -> None:
    with pytest.raises(InputError, match=words):
        parse_report(text, 8 * 3600)


def test_replan_report_and_cases_on_the_command_line(planned, tmp_path) -> None:
    register = tmp_path / "cases.csv"
    runner = CliRunner()
    res = runner.invoke(app, ["replan", str(planned), "--at", "07:00", "--report",
                              f"C-9:spill@{_mid('ew21')}-10:00", "--register", str(register),
                              "--out", str(tmp_path / "now")])
    assert res.exit_code == 0, res.output
    assert "C-9 dispatched (" in res.output
    res = runner.invoke(app, ["cases", str(register)])
    assert res.exit_code == 0 and "C-9" in res.output and "dispatched" in res.output
    res = runner.invoke(app, ["cases", str(register), "--close", "C-9"])
    assert res.exit_code == 2 and "closed after a walk has inspected it" in res.output


def test_an_inspection_goes_into_todays_walks(tmp_path) -> None:
    streets = write_geojson(STREETS, tmp_path / "streets.geojson")
    volunteers = tmp_path / "volunteers.csv"
    volunteers.write_text("id,lon,lat,free_from,free_to,max_minutes\n"
                          "V1,118.770,32.040,09:00,14:00,240\n"
                          "V2,118.786,32.056,09:00,14:00,240\n", encoding="utf-8")
    inputs = patrol.load(streets, volunteers, DAY)
    walked = patrol.run(inputs, PatrolParams(time_limit=5, workers=1), DAY, tmp_path / "walks")
    assert walked.passed
    plan = tmp_path / "walks" / "schedule.json"
    first = walked.schedule.routes[0]
    at = first.steps[0].start + 600
    # a street the walks do not pass after 09:10: put into one of them
    later = {s.street for r in walked.schedule.routes for s in r.steps
             if s.type == "serve" and s.start >= at}
    street = next(s.id for s in STREETS if s.id not in later)
    register = tmp_path / "cases.csv"
    report = parse_report(f"C-5:graffiti@{_mid(street)}-13:45", at)
    result = patrol.replan_walks(plan, at, [report], register, tmp_path / "now")
    assert result.passed, result.schedule.violations
    (row,) = read_register(register)
    assert row.status == "inspection planned" and row.street == street
    assert row.inspection is not None and at <= row.inspection <= row.deadline
    taken = [r for r in result.schedule.routes if r.changed]
    assert len(taken) == 1 and any(s.street == street for s in taken[0].steps)
    res = CliRunner().invoke(app, ["check", str(tmp_path / "now" / "schedule.json")])
    assert res.exit_code == 0, res.output
    # too soon for any walk: impossible, said why, nothing changed
    soon = report.model_copy(update={"case": "C-6", "deadline": at + 30})
    again = patrol.replan_walks(plan, at, [soon], register, tmp_path / "now2")
    assert again.passed and not [r for r in again.schedule.routes if r.changed]
    rows = {r.case: r for r in read_register(register)}
    assert rows["C-6"].status == "impossible" and "before the deadline" in rows["C-6"].reason
