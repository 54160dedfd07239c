"""The CSV and Excel files a supervisor opens (issue 17): read back as Excel on Chinese Windows
reads a CSV (UTF-8 when it starts with a byte-order mark, else GBK), names such as 王建国 and
中山路 survive; routes.csv and steps.csv carry street names and HH:MM beside the old columns;
routes.xlsx and roster.xlsx where openpyxl is installed."""

from __future__ import annotations

import codecs
import csv
import io
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from streetcrew import instances
from streetcrew.cli import app
from streetcrew.models.base import hhmm
from streetcrew.models.schedule import Schedule
from streetcrew.models.streets import Street
from streetcrew.solver.outputs.schedule_files import write_tables
from streetcrew.solver.outputs.tables import XLSX_NOTE, write_xlsx, xlsx_notes
from streetcrew.solver.sweep.params import PlanParams
from streetcrew.solver.sweep.plan import plan_sweeping
from tests.helpers import grid, grid_fleet

try:
    import openpyxl
except ImportError:  # a dependency, but a broken install may lack it
    openpyxl = None
needs_openpyxl = pytest.mark.skipif(
    openpyxl is None, reason="openpyxl is not installed (pip install openpyxl): "
                             "routes.xlsx and roster.xlsx are not written without it")

OLD_ROUTE_COLUMNS = ["vehicle", "shift", "vehicle_type", "depot", "start_s", "end_s", "served_m",
                     "deadhead_m", "cost", "overtime_s"]
OLD_STEP_COLUMNS = ["vehicle", "shift", "seq", "type", "start_s", "end_s", "distance_m", "task",
                    "street", "side", "from_node", "to_node", "facility", "load_l", "water_l"]


def excel_rows(path: Path) -> list[dict[str, str]]:
    """The rows as Excel on Chinese Windows sees them: UTF-8 after a byte-order mark, else
    GBK (where UTF-8 without the mark turns 王建国 into 鐜嬪缓鍥)."""
    data = path.read_bytes()
    bom = data.startswith(codecs.BOM_UTF8)
    text = data[len(codecs.BOM_UTF8):].decode("utf-8") if bom else data.decode("gbk", "replace")
    return list(csv.DictReader(io.StringIO(text)))


def _named_grid() -> list[Street]:
    return [s.model_copy(update={"name": f"中山{s.id[2]}路" if s.id[0] == "n" else f"汉中{s.id[2]}路"})
            for s in grid()]


@pytest.fixture(scope="module")
def planned() -> tuple[list[Street], Schedule]:
    streets = _named_grid()
    return streets, plan_sweeping(streets, grid_fleet(), PlanParams(time_limit=2))


def test_route_and_step_tables(planned, tmp_path: Path) -> None:
    streets, schedule = planned
    files = write_tables(schedule, tmp_path, streets)
    routes = excel_rows(tmp_path / "routes.csv")
    steps = excel_rows(tmp_path / "steps.csv")
    assert list(routes[0])[:10] == OLD_ROUTE_COLUMNS  # what read them before still does
    assert list(steps[0])[:15] == OLD_STEP_COLUMNS
    assert list(steps[0])[15:] == ["street_name", "start_hhmm", "end_hhmm"]
    names = {s.id: s.name for s in streets}
    for row in steps:
        assert row["street_name"] == names.get(row["street"], "")
        assert row["start_hhmm"] == hhmm(int(row["start_s"]))
        assert row["end_hhmm"] == hhmm(int(row["end_s"]))
    assert any(r["type"] == "serve" and r["street_name"].startswith("中山") for r in steps)
    for r, route in zip(routes, schedule.routes):
        assert (r["start_hhmm"], r["end_hhmm"]) == (hhmm(route.steps[0].start),
                                                    hhmm(route.steps[-1].end))
        swept = {names[st.street or ""] for st in route.steps if st.type == "serve"}
        assert set(r["streets"].split("; ")) == swept
    assert (tmp_path / "routes.xlsx" in files) == (openpyxl is not None)


def test_without_openpyxl_no_workbook_and_a_note(planned, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl fails
    assert xlsx_notes("routes.xlsx") == [XLSX_NOTE.format(name="routes.xlsx")]
    assert "pip install openpyxl" in XLSX_NOTE
    assert write_xlsx(tmp_path / "x.xlsx", {"a": (["x"], [[1]])}) is None
    streets, schedule = planned
    assert [f.name for f in write_tables(schedule, tmp_path, streets)] == ["routes.csv",
                                                                            "steps.csv"]
    assert not (tmp_path / "routes.xlsx").exists()


@needs_openpyxl
def test_workbook(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "r.xlsx", {"roster": (["id", "name", "hours"],
                                                       [["D01", "王建国", 7.5], ["D02", None, 0]])})
    assert path is not None
    sheet = openpyxl.load_workbook(path)["roster"]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["id", "name", "hours"], ["D01", "王建国", 7.5], ["D02", None, 0]]
    assert sheet.freeze_panes == "A2"


# ------------------------------------------------------------------ the commands


@pytest.fixture(scope="module")
def planned_with_crew(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`streetcrew plan --crew crew.csv --encoding gbk --lang zh` on the demo: the crew file
    as Excel on Chinese Windows saves it (GBK)."""
    tmp = tmp_path_factory.mktemp("plan")
    crew = tmp / "crew.csv"
    crew.write_bytes(instances.demo_crew().read_text(encoding="utf-8").encode("gbk"))
    out = tmp / "out"
    res = CliRunner().invoke(app, ["plan", "-t", "3", "--crew", str(crew),
                                   "--encoding", "gbk", "--lang", "zh", "--out", str(out)])
    assert res.exit_code == 0, res.output
    return out


def test_plan_outputs_read_back_as_excel_does(planned_with_crew: Path) -> None:
    out = planned_with_crew
    for name in ("routes.csv", "steps.csv", "unassigned.csv", "roster.csv", "uncovered.csv"):
        assert (out / name).read_bytes().startswith(codecs.BOM_UTF8), name
    roster = excel_rows(out / "roster.csv")
    assert roster[0]["id"] == "D01" and roster[0]["name"] == "王建国"
    assert "中山路" in {r["street_name"] for r in excel_rows(out / "steps.csv")}
    assert "中山路" in excel_rows(out / "routes.csv")[0]["streets"]
    assert all(r["name"] for r in excel_rows(out / "unassigned.csv"))
    crew = json.loads((out / "roster.json").read_text(encoding="utf-8"))["inputs"]["crew"]
    assert crew["encoding"] == "gbk"  # so `check` reads the crew file as the plan did
    res = CliRunner().invoke(app, ["check", str(out / "roster.json")])
    assert res.exit_code == 0, res.output


def test_plan_sheets_in_chinese(planned_with_crew: Path) -> None:
    sheets = planned_with_crew / "sheets"
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(sheets.glob("*.md")))
    assert "# 路线单：车辆 L1" in text and "| # | 时间 | 前往 | 作业 | 公里 |" in text
    assert "- 司机：王建国（D01）" in text  # the roster's drivers, named from the GBK file
    for english in ("leave", "back at", "hopper", "kerb", "right onto", "heading", "date:"):
        assert english not in text, english
    summary = (planned_with_crew / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("# 清扫计划摘要")


@needs_openpyxl
def test_plan_workbooks(planned_with_crew: Path) -> None:
    routes = openpyxl.load_workbook(planned_with_crew / "routes.xlsx")["routes"]
    header = [c.value for c in next(routes.iter_rows())]
    assert header[:10] == OLD_ROUTE_COLUMNS and "streets" in header
    roster = openpyxl.load_workbook(planned_with_crew / "roster.xlsx")
    assert roster.sheetnames == ["roster", "uncovered"]
    assert roster["roster"]["B2"].value == "王建国"


def test_patrol_with_gb18030_volunteers(tmp_path: Path) -> None:
    """A volunteers CSV in GB18030 (detected), walk sheets in Chinese, checked again."""
    vols = tmp_path / "volunteers.csv"
    text = instances.demo_volunteers().read_text(encoding="utf-8")
    vols.write_bytes(text.encode("gb18030"))
    known = {f"{row['name']}（{row['id']}）" for row in csv.DictReader(io.StringIO(text))}
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["patrol", "--volunteers", str(vols), "-t", "3",
                                   "--lang", "zh", "--out", str(out)])
    assert res.exit_code == 0, res.output
    sheets = "\n".join(p.read_text(encoding="utf-8") for p in (out / "sheets").glob("*.md"))
    assert "# 巡查单：" in sheets and "- 集合地点：" in sheets and "查看案件" in sheets
    teams = [line.split("：", 1)[1] for line in sheets.splitlines() if line.startswith("- 志愿者：")]
    assert teams and {who for team in teams for who in team.split("、")} <= known  # 张霞（V01）
    assert {r["vehicle"] for r in excel_rows(out / "routes.csv")} <= {
        "+".join(sorted(k.split("（")[1][:-1] for k in t.split("、"))) for t in teams} | {
        t.split("（")[1][:-1] for t in teams}
    res = CliRunner().invoke(app, ["check", str(out / "schedule.json")])
    assert res.exit_code == 0, res.output
