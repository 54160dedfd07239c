"""Pictures read right on a machine with no CJK font: the bundled font draws Chinese names
without a warning, the map marks the fleet and unassigned work and has a scale and no offset,
and the roster is readable for a day and for a week."""

from __future__ import annotations

import datetime as dt
import json
import logging
import struct
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from fontTools.ttLib import TTFont
from matplotlib import font_manager
from matplotlib.font_manager import FontProperties

from streetcrew.models.crew import CrewMember, CrewRules, Duty
from streetcrew.models.schedule import Schedule, Unassigned
from streetcrew.models.streets import Street
from streetcrew.solver.crews.engine_pulp import solve_roster
from streetcrew.solver.outputs import pictures
from streetcrew.solver.sweep.params import PlanParams
from streetcrew.solver.sweep.plan import plan_sweeping
from streetcrew.solver.sweep.run import PlanRun, write
from tests.helpers import ROOT, grid, grid_fleet

ASSETS = ROOT / "solver" / "outputs" / "assets"
NAMES = ("珠江路", "中山东路", "长江路", "碑亭巷", "汉府街", "太平北路", "进香河路", "北门桥")
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def bundled_only(monkeypatch):
    """A fresh machine: no font folders and no fontconfig, only the package's font."""
    monkeypatch.setattr(pictures, "font_dirs", lambda: [])
    monkeypatch.setattr(pictures, "_fc_list_zh", lambda: [])
    pictures.forget_font()
    yield
    pictures.forget_font()


@pytest.fixture(scope="module")
def plan() -> tuple[Schedule, list[Street]]:
    """A quick plan on the test grid, its streets named in Chinese (one name with a
    character beyond GB2312)."""
    streets = [s.model_copy(update={"name": NAMES[k % len(NAMES)]})
               for k, s in enumerate(grid())]
    streets[0] = streets[0].model_copy(update={"name": "堃园路"})
    return plan_sweeping(streets, grid_fleet(), PlanParams(time_limit=2)), streets


def _hanzi_level1(text: str) -> set[str]:
    """The characters of ``text`` in GB2312's level 1 (codes 0xB0A1-0xD7F9)."""
    out = set()
    for c in text:
        try:
            code = c.encode("gb2312")
        except UnicodeEncodeError:
            continue
        if len(code) == 2 and 0xB0A1 <= int.from_bytes(code, "big") <= 0xD7F9:
            out.add(c)
    return out


def _gb2312_hanzi() -> set[str]:
    """Every hanzi GB2312 encodes: the two-byte codes 0xB0A1-0xF7FE that decode."""
    out = set()
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                out.add(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return out


def _glyph_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if "Glyph" in str(w.message)]


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG
    return struct.unpack(">II", data[16:24])


def test_the_bundled_font_is_a_small_valid_font_with_the_demo_names_and_gb2312() -> None:
    font_file = pictures.BUNDLED_FONT
    assert font_file.parent == ASSETS and font_file.is_file()
    assert font_file.stat().st_size < 3_000_000
    assert (ASSETS / "LICENSE-wqy-microhei.txt").read_text(encoding="utf-8").count(
        "Apache License") >= 1
    assert "make_font.py" in (ASSETS / "README.md").read_text(encoding="utf-8")
    with TTFont(font_file) as font:
        cmap = set(font.getBestCmap())
    demo = json.loads((ROOT / "instances" / "demo" / "streets.geojson").read_text("utf-8"))
    names = "".join(f["properties"].get("name") or "" for f in demo["features"])
    used = _hanzi_level1(names)
    assert len(used) > 100  # the demo's names are Chinese
    assert {ord(c) for c in used} <= cmap
    hanzi = _gb2312_hanzi()
    assert len(hanzi) == 6763 and {ord(c) for c in hanzi} <= cmap
    assert {ord(c) for c in "０１ＡＢ，。、（）《》—"} | set(range(0x20, 0x7F)) <= cmap
    assert FontProperties(fname=font_file).get_name() == "WenQuanYi Micro Hei GB2312"


def test_with_no_system_font_the_bundled_one_is_used_and_no_install_hint(bundled_only
                                                                         ) -> None:
    assert pictures.cjk_font() == "WenQuanYi Micro Hei GB2312"
    assert pictures.cjk_font_file() == pictures.BUNDLED_FONT
    assert any(e.name == pictures.cjk_font() for e in font_manager.fontManager.ttflist)
    assert pictures.font_notes(NAMES) == []
    assert pictures.missing_chars("堃园路 São") == "堃"
    notes = pictures.font_notes(["珠江路", "堃园路"])
    assert len(notes) == 1 and "堃园路" in notes[0] and "珠江路" not in notes[0]
    assert pictures.INSTALL_HINT not in notes[0]


def test_a_font_installed_after_matplotlib_cached_its_fonts_is_found_in_its_folder(
        tmp_path) -> None:
    """Found by file (a folder scan, without fontconfig), registered with matplotlib; a
    broken file with a CJK font's name is passed over."""
    folder = tmp_path / "fonts"
    folder.mkdir()
    (folder / "wqy-zenhei.ttc").write_bytes(b"not a font")
    assert pictures.find_cjk_font([folder], use_fc_list=False, bundled=None) is None
    found = pictures.find_cjk_font([folder, ASSETS], use_fc_list=False, bundled=None)
    assert found == ("WenQuanYi Micro Hei GB2312", pictures.BUNDLED_FONT)
    assert any(e.fname == str(pictures.BUNDLED_FONT) for e in font_manager.fontManager.ttflist)


def test_a_plan_on_chinese_streets_draws_with_no_glyph_warning(plan, bundled_only, tmp_path,
                                                               capsys, caplog) -> None:
    schedule, streets = plan
    run = PlanRun(schedule, streets, grid_fleet())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with caplog.at_level(logging.WARNING):
            files = write(run, tmp_path)
    assert _glyph_warnings(caught) == []
    assert not [r for r in caplog.records if r.name.startswith("matplotlib")]
    out, err = capsys.readouterr()
    assert "Glyph" not in out + err and "findfont" not in out + err
    for name in ("map.png", "gantt.png"):
        assert tmp_path / name in files and (tmp_path / name).read_bytes()[:8] == PNG
    assert pictures.INSTALL_HINT not in run.notes  # the bundled font draws the names
    assert [n for n in run.notes if "堃园路" in n]  # the one it cannot draw is named


def test_the_map_marks_the_fleet_and_unassigned_work_with_a_scale_and_no_offset(
        plan, bundled_only, tmp_path) -> None:
    schedule, streets = plan
    missed = tuple(Unassigned(task=f"t{k}", street=streets[3].id, side=side, reason="shift")
                   for k, side in enumerate(("left", "right")))
    schedule = schedule.model_copy(update={"unassigned": missed})
    fig = pictures.map_figure(schedule, streets, fleet=grid_fleet())
    try:
        fig.canvas.draw()
        ax = fig.axes[0]
        assert ax.xaxis.get_offset_text().get_text() == ""
        assert ax.yaxis.get_offset_text().get_text() == ""
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert {"depot", "dump site", "water point", "unassigned (2 passes)"} <= set(legend)
        renderer = fig.canvas.get_renderer()
        assert ax.get_legend().get_window_extent(renderer).x0 >= ax.get_window_extent(
            renderer).x1  # beside the map, not over the routes
        texts = [t.get_text() for t in ax.texts]
        fleet = grid_fleet()
        assert {d.id for d in fleet.depots} | {f.id for f in fleet.facilities} <= set(texts)
        assert any(a.__class__.__name__ == "AnchoredSizeBar" for a in ax.artists)
        labels = [t for t in ax.texts if t.get_text() in NAMES]
        assert labels  # some street names fit
        boxes = [t.get_window_extent(renderer) for t in labels]
        assert not [(a, b) for k, a in enumerate(boxes) for b in boxes[k + 1:]
                    if a.overlaps(b)]
        from matplotlib.colors import to_rgba

        red = [c for c in ax.collections if len(c.get_segments())
               and tuple(c.get_colors()[0]) == to_rgba(pictures.UNASSIGNED_COLOUR)]
        assert len(red) == 1 and len(red[0].get_segments()) == 1  # the one unassigned street
        assert red[0].get_linestyle()[0][1] is not None  # dotted, not solid
    finally:
        plt.close(fig)
    path = pictures.draw_map(schedule, streets, tmp_path / "map.png", fleet=grid_fleet())
    assert path.stat().st_size > 20_000


def test_the_scale_bar_is_a_round_length() -> None:
    fig, ax = plt.subplots()
    try:
        ax.set_xlim(118.75, 118.80)  # 4.7 km at 32 degrees north: a 500 m bar
        ax.set_ylim(32.02, 32.06)
        pictures._scale_bar(ax, pictures._lon_scale([32.04]))
        bar = ax.artists[-1]
        assert bar.txt_label.get_text() == "500 m"
    finally:
        plt.close(fig)


def _roster(days: int):
    monday = dt.date(2026, 11, 30)
    names = ("王建国", "李明", "张伟", "刘洋", "陈静", "马超")
    crew = [CrewMember(id=f"D{k + 1:02d}", name=n, licences=("large",), depot="D1",
                       role="helper" if k >= 4 else "driver") for k, n in enumerate(names)]
    duty_list = [Duty(day=monday + dt.timedelta(days=d), route=route, vehicle=route,
                      vehicle_type="large", depot="D1", start=start, end=start + 6 * 3600,
                      helper=route == "L1")
                 for d in range(days) for route, start in (("L1", 3 * 3600), ("L2", 13 * 3600))]
    return solve_roster(duty_list, crew, CrewRules(time_limit=10)), crew


def test_the_roster_reads_for_a_day_and_for_a_week(bundled_only, tmp_path, capsys) -> None:
    sizes = {}
    for days in (1, 7):
        roster, crew = _roster(days)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            path = pictures.draw_roster(roster, crew, tmp_path / f"roster{days}.png")
            fig = pictures.roster_figure(roster, crew)
        try:
            assert _glyph_warnings(caught) == []
            ax = fig.axes[0]
            assert [t.get_text() for t in ax.get_yticklabels()][0] == "D01  王建国"
            cells = [t for t in ax.texts if ":" in t.get_text()]
            assert len(cells) == sum(1 + (a.helper is not None) for a in roster.assignments)
            assert min(t.get_fontsize() for t in cells) >= 8
            assert min(t.get_fontsize() for t in ax.get_xticklabels()) >= 8
            width, _ = fig.get_size_inches()
            assert width / days >= 1.4  # a column per day wide enough for "L1 helper"
        finally:
            plt.close(fig)
        sizes[days] = _png_size(path)
    assert "Glyph" not in "".join(capsys.readouterr())
    assert sizes[7][0] > sizes[1][0] >= 700  # the week is wider; one day is not a strip
    assert sizes[7][1] == sizes[1][1]  # the same people, the same rows
