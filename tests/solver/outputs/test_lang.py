"""solver/outputs/lang.py: route sheets and summary.md in Chinese (issue 17). Every word the
writers say has its Chinese; a Chinese sheet has no English word left but the data (ids,
vehicle types); English stays the default, word for word (tests/solver/outputs/test_sheets.py)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from streetcrew.models.patrol import SERVICE_KINDS
from streetcrew.models.schedule import Schedule
from streetcrew.models.streets import ROAD_CLASSES, Street, street_with_defaults
from streetcrew.solver.outputs import lang as lang_module
from streetcrew.solver.outputs.lang import EN, ZH, lang_of
from streetcrew.solver.outputs.sheets import (
    HEADINGS,
    Map,
    SheetInfo,
    html_sheet_body,
    markdown_sheet,
    write_sheets,
)
from streetcrew.solver.outputs.summary import summary_md
from streetcrew.solver.sweep.params import PlanParams
from streetcrew.solver.sweep.plan import plan_sweeping
from tests.helpers import ROOT, grid, grid_fleet, walk_route

FLEET = grid_fleet()
DATA_WORDS = re.compile(r"(?<![A-Za-z0-9])(?:D1|DUMP1|W1|L1|S1|V01|V02|large|small)"
                        r"(?![A-Za-z0-9])")  # ids and vehicle types: data
ENGLISH = re.compile(r"[A-Za-z]{2,}")


def _named_grid() -> list[Street]:
    """The test grid with Chinese names; the easternmost north-south line unnamed."""
    out = []
    for s in grid():
        line = s.id[:3]
        name = "" if line == "ns3" else (f"南北{line[2]}路" if line[0] == "n" else f"东西{line[2]}街")
        out.append(s.model_copy(update={"name": name}))
    return out


@pytest.fixture(scope="module")
def planned() -> tuple[list[Street], Schedule]:
    streets = _named_grid()
    return streets, plan_sweeping(streets, FLEET, PlanParams(time_limit=3))


def _english_left(text: str) -> list[str]:
    return ENGLISH.findall(DATA_WORDS.sub("", text))


def test_chinese_route_sheets(planned, tmp_path: Path) -> None:
    streets, schedule = planned
    files = write_sheets(schedule, streets, tmp_path / "sheets", lang="zh",
                         info=SheetInfo(names={"L1": "王建国"}))
    route = schedule.routes[0]
    text = (tmp_path / "sheets" / f"{route.vehicle}.md").read_text(encoding="utf-8")
    assert text.startswith(f"# 路线单：车辆 {route.vehicle}（{route.vehicle_type}）\n")
    for line in ("- 日期：", "- 车场：D1", "- 司机：", "- 合计：", "| # | 时间 | 前往 | 作业 | 公里 |"):
        assert line in text, line
    assert "清扫右侧路沿" in text or "清扫左侧路沿" in text
    assert "倒垃圾" in text and re.search(r"\d+ 米", text)
    assert not _english_left(text), _english_left(text)  # no leave, back at, right, north, m...
    for path in files:
        if path.suffix == ".md":
            body = path.read_text(encoding="utf-8")
            assert not _english_left(body), (path.name, _english_left(body))
    page = (tmp_path / "sheets" / f"{route.vehicle}.html").read_text(encoding="utf-8")
    assert "<th>时间</th><th>前往</th><th>作业</th><th>公里</th>" in page
    assert "<title>路线单" in page
    assert "<title>全部路线单</title>" in (tmp_path / "sheets" / "all.html").read_text("utf-8")


def test_english_is_the_default_and_unchanged(planned) -> None:
    streets, schedule = planned
    route = schedule.routes[0]
    english = markdown_sheet(route, Map(streets))
    assert english == markdown_sheet(route, Map(streets, lang="en"))
    assert "| # | time | get there | do | km |" in english and "- date: " in english
    assert html_sheet_body(route, Map(streets)) == html_sheet_body(route, Map(streets, lang=EN))


A, B, C = (118.770, 32.040), (118.775, 32.040), (118.775, 32.044)


def test_chinese_walk_sheet() -> None:
    streets = [street_with_defaults({"id": "w1", "name": "汉中路", "road_class": "residential",
                                     "coords": (A, B)}),
               street_with_defaults({"id": "w2", "name": "", "road_class": "residential",
                                     "coords": (B, C)})]
    m = Map(streets, lang="zh")
    node = {p: i for i, p in enumerate(m.network.nodes)}
    a, b, c = node[A], node[B], node[C]
    walk = walk_route((a, b, c), "bike", 64800)
    text = markdown_sheet(walk, m, SheetInfo(names={"V01": "李娜"}))
    assert text.startswith("# 巡查单：V01+V02（骑行）")
    assert "- 集合地点：汉中路" in text and "- 志愿者：李娜（V01）、V02" in text
    assert "- 合计：18:00-18:10，巡查街道 0.5 公里，其间骑行 0.4 公里\n" in text
    assert "| 在汉中路集合 |" in text and "| 汉中路，朝东，470 米 |" in text
    assert "| 左转进入汉中路旁的无名路，440 米 | 返回汉中路旁的小路 |" in text
    assert not _english_left(text), _english_left(text)


def test_chinese_summary(planned) -> None:
    streets, schedule = planned
    text = summary_md(schedule, streets, FLEET, lang="zh")
    assert text.startswith("# 清扫计划摘要") and "| 指标 | 数值 |" in text
    assert "## 车辆" in text and "## 未完成的作业" in text and "| 使用车辆 |" in text
    reasons = {u.reason for u in schedule.unassigned}  # the planners' words, not translated
    left = _english_left("\n".join(t for t in text.splitlines()
                                   if not any(r in t for r in reasons)))
    assert not left or set(left) <= {"unassigned", "csv"}, left  # the file's name
    assert summary_md(schedule, streets, FLEET) == summary_md(schedule, streets, FLEET, "en")


# ------------------------------------------------------------------ the table is complete


def _said(path: Path) -> set[str]:
    """Every string literal given as the English text to a Lang (``say(...)``, ``lang(...)``,
    ``self.lang(...)``, ``m.lang(...)``): the keys a writer may look up."""
    keys = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        f = node.func
        name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
        arg = node.args[0]
        if name in ("say", "lang"):
            keys |= {n.value for n in ([arg.body, arg.orelse] if isinstance(arg, ast.IfExp)
                                       else [arg])
                     if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    return keys


WRITERS = ["solver/outputs/sheets.py", "solver/outputs/summary.py", "solver/patrol/run.py"]


def test_every_english_text_has_its_chinese() -> None:
    said = set().union(*(_said(ROOT / f) for f in WRITERS))
    assert len(said) > 60
    dynamic = {*HEADINGS, "left", "right", "bear left", "bear right", "turn round",
               "right-hand kerb", "left-hand kerb", "centre line", "right-hand side",
               "left-hand side", *ROAD_CLASSES, "solved", "partial", "infeasible", "no-work",
               "walk", "bike", *(k.replace("-", " ") for k in SERVICE_KINDS),
               *(w + " {where}" for w in ("leave", "back at", "meet at", "empty the hopper at",
                                          "fill water at", "break, {min} min")),
               "leave", "back at", "empty the hopper at", "fill water at", "break, {min} min",
               "date", "depot", "meeting point", "driver", "helper", "volunteers"}
    missing = sorted((said | dynamic) - set(ZH))
    assert not missing, missing
    for english, chinese in ZH.items():  # the same blanks to fill in
        assert set(re.findall(r"{(\w+)}", english)) == set(re.findall(r"{(\w+)}", chinese)), \
            english


def test_lang_of() -> None:
    assert lang_of("en") is EN and lang_of("zh").words is ZH and lang_of(EN) is EN
    assert EN("{turn} onto {name}, {dist}", turn="right", name="汉中路", dist="350 m") \
        == "right onto 汉中路, 350 m"
    zh = lang_of("zh")
    assert zh("{turn} onto {name}, {dist}", turn=zh("right"), name="汉中路",
              dist=zh("{m} m", m=350)) == "右转进入汉中路，350 米"
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        lang_of("fr")
    assert lang_module.LANGS.keys() == {"en", "zh"}
