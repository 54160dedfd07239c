"""Route sheets a driver follows: runs merged per street and kerb, cross streets, turns, the
kerb on the driver's hand, stops, and no file ids; walk sheets in walking words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from streetcrew.models.schedule import Route, Schedule, Step
from streetcrew.models.streets import Street, street_with_defaults
from streetcrew.solver.outputs.sheets import (
    Map,
    SheetInfo,
    bearing,
    markdown_sheet,
    sheet_rows,
    turn_word,
    write_sheets,
)
from streetcrew.solver.sweep.params import PlanParams
from streetcrew.solver.sweep.plan import plan_sweeping
from tests.helpers import grid, grid_fleet, walk_route

FLEET = grid_fleet()


def _named_grid() -> list[Street]:
    """The test grid with Chinese names on its lines; the easternmost north-south line unnamed."""
    out = []
    for s in grid():
        line = s.id[:3]  # ns0.. ew3
        name = "" if line == "ns3" else (f"南北{line[2]}路" if line[0] == "n" else f"东西{line[2]}街")
        out.append(s.model_copy(update={"name": name}))
    return out


@pytest.fixture(scope="module")
def planned() -> tuple[list[Street], Schedule]:
    streets = _named_grid()
    return streets, plan_sweeping(streets, FLEET, PlanParams(time_limit=3))


def test_sheet_rows_cover_the_route_and_merge_segments(planned) -> None:
    streets, schedule = planned
    m = Map(streets)
    for route in schedule.routes:
        rows = sheet_rows(route, m)
        serves = [st for st in route.steps if st.type == "serve"]
        runs = [run for r in rows for run in r.runs]
        # every metre swept is on the sheet, once
        assert sum(r.metres for r in rows) == pytest.approx(route.served_m, abs=0.5)
        assert len(runs) <= len(serves) and len(rows) < len(route.steps)
        kinds = [r.kind for r in rows]
        assert kinds[0] == "start" and kinds[-1] == "end"
        stops = [st for st in route.steps if st.type in ("dump", "refill", "break")]
        assert kinds.count("stop") == len(stops)
        # rows follow the clock
        assert all(a.start <= b.start for a, b in zip(rows, rows[1:]))


def test_sheet_names_streets_not_file_ids(planned, tmp_path: Path) -> None:
    streets, schedule = planned
    files = write_sheets(schedule, streets, tmp_path / "sheets")
    ids = {s.id for s in streets}
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not ids & set(re.findall(r"[a-z]{2}\d\d", text)), path
    route = schedule.routes[0]
    text = (tmp_path / "sheets" / f"{route.vehicle}.md").read_text(encoding="utf-8")
    assert "南北" in text or "东西" in text
    assert "None" not in text
    html = (tmp_path / "sheets" / f"{route.vehicle}.html").read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in html and "@media print" in html
    assert (tmp_path / "sheets" / "all.html").read_text(encoding="utf-8").count(
        '<section class="sheet">') == len(schedule.routes)


def test_stale_sheets_are_removed(planned, tmp_path: Path) -> None:
    streets, schedule = planned
    folder = tmp_path / "sheets"
    folder.mkdir()
    (folder / "OLD9.md").write_text("an earlier plan")
    (folder / "OLD9.html").write_text("an earlier plan")
    write_sheets(schedule, streets, folder)
    assert not (folder / "OLD9.md").exists() and not (folder / "OLD9.html").exists()


def test_driver_and_helper_are_named(planned) -> None:
    streets, schedule = planned
    route = schedule.routes[0].model_copy(update={"driver": "C01", "helper": "C07"})
    text = markdown_sheet(route, Map(streets), SheetInfo(names={"C01": "王建国"}))
    assert "- driver: 王建国 (C01)" in text and "- helper: C07" in text


# ------------------------------------------------------------------ hand-made routes


def _street(ident: str, name: str, a: tuple[float, float], b: tuple[float, float],
            **kw: object) -> Street:
    return street_with_defaults({"id": ident, "name": name, "road_class": "residential",
                                 "coords": (a, b), **kw})


A, B, C, D = (118.770, 32.040), (118.775, 32.040), (118.775, 32.044), (118.775, 32.036)
STREETS = [_street("w1", "汉中路", A, B),  # drawn west to east
           _street("w2", "中山路", B, C),  # north from B
           _street("w3", "", B, D),  # unnamed, south from B
           _street("w4", "华侨路", D, (118.780, 32.036))]


def _route(*steps: Step) -> Route:
    return Route(vehicle="L1", vehicle_type="large", depot="D1", steps=steps,
                 served_m=sum(s.distance_m for s in steps if s.type == "serve"), deadhead_m=0,
                 cost=0)


def _serve(street: str, side: str, frm: int, to: int, t: int) -> Step:
    return Step(type="serve", start=t, end=t + 60, distance_m=470, street=street, side=side,
                task=f"{street}/{side}/p1/s1", from_node=frm, to_node=to)


def test_kerb_is_on_the_drivers_hand_and_turns_are_named() -> None:
    m = Map(STREETS)
    node = {p: i for i, p in enumerate(m.network.nodes)}
    a, b, c = node[A], node[B], node[C]
    # the "left" kerb of a street drawn west to east, swept east to west: the driver's right
    back = _route(Step(type="start", start=0, end=0, from_node=b, to_node=b, facility="D1"),
                  _serve("w1", "left", b, a, 0))
    assert "汉中路, right-hand kerb" in markdown_sheet(back, m)
    # west to east along 汉中路, then north into 中山路: a left turn, without an empty drive
    route = _route(Step(type="start", start=0, end=0, from_node=a, to_node=a, facility="D1"),
                   _serve("w1", "right", a, b, 0), _serve("w2", "right", b, c, 60))
    rows = sheet_rows(route, m)
    assert [r.kind for r in rows] == ["start", "sweep"]  # one stretch, two runs
    text = markdown_sheet(route, m)
    assert "汉中路, right-hand kerb, from its end to 中山路, heading east" in text
    assert "then left onto 中山路" in text


def test_unnamed_street_is_described_by_its_neighbours() -> None:
    m = Map(STREETS)
    assert m.describe(2) == "unnamed road off 汉中路 near 华侨路"


def test_turn_words() -> None:
    east, north = bearing(A, B), bearing(B, C)
    assert round(east) == 90 and round(north) == 0
    assert turn_word(east, north) == "left"
    assert turn_word(north, east) == "right"
    assert turn_word(east, east + 5) == "straight on"
    assert turn_word(east, east + 180) == "turn round"


def test_walk_sheet_speaks_of_walking(tmp_path: Path) -> None:
    m = Map(STREETS)
    node = {p: i for i, p in enumerate(m.network.nodes)}
    a, b, c = node[A], node[B], node[C]
    walk = walk_route((a, b, c), "walk", 0)
    text = markdown_sheet(walk, m, SheetInfo(names={"V01": "李娜"}, notes=["look at case C1"]))
    assert "None" not in text
    for word in ("sweep", "kerb", "drive", "hopper"):
        assert word not in text, word
    assert "volunteers: 李娜 (V01), V02" in text and "look at case C1" in text
    assert "meet at 汉中路" in text  # the meeting point named by its street

