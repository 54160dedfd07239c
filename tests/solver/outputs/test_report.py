"""report.html: one self-contained page per plan (and per comparison) that fetches nothing,
escapes every input text, and runs in a real browser without an error."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest

from streetcrew.models.fleet import Point
from streetcrew.models.patrol import Case, Volunteer
from streetcrew.models.schedule import Schedule
from streetcrew.models.streets import Street, street_with_defaults
from streetcrew.solver.outputs import report
from streetcrew.solver.outputs.report import (
    write_compare_report,
    write_patrol_report,
    write_plan_report,
)
from streetcrew.solver.sweep.params import PlanParams
from streetcrew.solver.sweep.run import plan
from tests.helpers import grid, grid_fleet

FLEET = grid_fleet()
ODD = '<b>&"'  # a street name that is markup
FAR = "中山路</script><script>alert(1)</script>"  # a name that tries to end the data block
LEAFLET_JS = report._asset("leaflet.js")
BROWSER = next((b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)),
               None)


@pytest.fixture(scope="module")
def planned() -> tuple[list[Street], Schedule]:
    """A 4 x 4 grid (two routes), one street named ``ODD``, and a street that no road reaches
    (named ``FAR``): its two curbs are unassigned, with the reason."""
    streets = grid(4)
    streets[0] = streets[0].model_copy(update={"name": ODD})
    streets.append(street_with_defaults({"id": "far", "name": FAR, "road_class": "residential",
                                         "coords": ((118.80, 32.06), (118.801, 32.0605))}))
    schedule = plan(streets, FLEET, PlanParams(time_limit=2))
    assert schedule.checked and not schedule.violations
    assert len(schedule.routes) == 2 and {u.street for u in schedule.unassigned} == {"far"}
    roster = tuple(r.model_copy(update={"driver": f"司机{k}"})
                   for k, r in enumerate(schedule.routes))
    return streets, schedule.model_copy(update={"routes": roster})


def _data(page: str) -> dict:
    found = re.findall(r'<script type="application/json" id="report-data">(.*?)</script>',
                       page, re.S)
    assert len(found) == 1
    return json.loads(found[0])


def _own(page: str) -> str:
    """The page without the vendored Leaflet (whose source names its home page)."""
    assert page.count(LEAFLET_JS) == 1
    return page.replace(LEAFLET_JS, "")


def _sheets(tmp_path: Path, schedule: Schedule) -> list[Path]:
    folder = tmp_path / "sheets"
    folder.mkdir()
    out = []
    for r in schedule.routes:
        for ext in (".md", ".html"):
            out.append(folder / f"{r.who}{ext}")
            out[-1].write_text("sheet", encoding="utf-8")
    out.append(folder / "all.html")
    out[-1].write_text("every sheet", encoding="utf-8")
    return out


def test_plan_page_is_one_file_that_fetches_nothing(tmp_path: Path, planned) -> None:
    streets, schedule = planned
    path = write_plan_report(schedule, streets, FLEET, tmp_path / "report.html",
                             sheets=_sheets(tmp_path, schedule))
    page = path.read_text(encoding="utf-8")
    own = _own(page)
    assert not re.search(r"https?:", own)  # no URL at all: no src, href, url() or import
    assert not re.search(r"\bsrc=|<link|@import", own)
    assert all(u == "#default#VML" or u.startswith('"data:')
               for u in re.findall(r"url\(([^)]*)\)", own))
    assert "images/" not in own  # Leaflet's PNGs are not asked for
    assert '<meta charset="utf-8">' in page and "Content-Security-Policy" in page
    assert "default-src &#x27;none&#x27;" in page and "img-src data:\"" in page
    for r in schedule.routes:
        assert f"{r.label}</td>" in page or f"{r.label} <small>" in page
        assert f'href="sheets/{r.who}.html"' in page  # the HTML sheet, relative to the page
        assert f"{r.driver}</td>" in page
    assert 'href="sheets/all.html"' in page
    for u in schedule.unassigned:
        assert report._e(u.reason) in page
    data = _data(page)
    marked = {(p["group"], p["label"]) for p in data["points"]}
    assert marked == {("depots", d.id) for d in FLEET.depots} | {
        ("facilities", f.id) for f in FLEET.facilities}
    assert len(data["routes"]) == len(schedule.routes)
    assert all(f["properties"]["step"] in ("serve", "deadhead")
               for r in data["routes"] for f in r["features"])
    coords = [c for r in data["routes"] for f in r["features"]
              for c in f["geometry"]["coordinates"]]
    assert coords and all(len(repr(x).split(".")[-1]) <= 6 for c in coords for x in c)
    red = data["unassigned"]
    assert [f["properties"]["lines"][0] for f in red] == [f"{FAR} (far)"]
    assert schedule.unassigned[0].reason in red[0]["properties"]["lines"][1]
    assert data["tiles"] is None and data["attribution_html"] is None


def test_text_from_the_inputs_is_escaped(tmp_path: Path, planned) -> None:
    streets, schedule = planned
    page = write_plan_report(schedule, streets, FLEET, tmp_path / "report.html").read_text(
        encoding="utf-8")
    data_block = re.search(r'<script type="application/json".*?</script>', page, re.S)
    assert data_block is not None
    markup = page.replace(data_block.group(0), "")
    assert ODD not in markup and "<script>alert" not in markup
    assert "中山路&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in markup  # table
    assert "</script><script>alert" not in data_block.group(0)  # written <\/script>
    assert page.count("</script>") == 3  # the data, Leaflet and the map's script
    names = [line for r in _data(page)["routes"] for f in r["features"]
             for line in f["properties"].get("lines", ())]
    assert any(line.startswith(f"{ODD} (ns00)") for line in names)  # shown as text, as is


def test_basemap_and_attribution_when_asked(tmp_path: Path, planned) -> None:
    streets, schedule = planned
    tiles = "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"
    path = write_plan_report(schedule, streets, FLEET, tmp_path / "report.html", tiles=tiles,
                             attribution="© OpenStreetMap contributors <ODbL>")
    page = path.read_text(encoding="utf-8")
    data = _data(page)
    assert data["tiles"] == tiles
    assert data["attribution_html"] == "© OpenStreetMap contributors &lt;ODbL&gt;"
    assert "Map data: © OpenStreetMap contributors &lt;ODbL&gt;" in page
    assert "img-src data: https://*.tile.openstreetmap.org" in page


def test_patrol_run_writes_its_page(tmp_path: Path) -> None:
    from streetcrew.solver.patrol import run as patrol
    from streetcrew.solver.patrol.plan import PatrolParams

    corner = Point(lon=118.770, lat=32.040)
    vols = [Volunteer(id=v, name="志愿者", at=corner, free_from=9 * 3600, free_to=12 * 3600,
                      max_minutes=45) for v in ("v1", "v2")]
    case = Case(id="c<1>", at=Point(lon=118.772, lat=32.0401), kind="graffiti", age_days=1)
    done = patrol.run(patrol.PatrolInputs(grid(), vols, [case]),
                      PatrolParams(time_limit=2, workers=1), out=tmp_path,
                      attribution="© OpenStreetMap contributors")
    assert done.passed and tmp_path / "report.html" in done.written
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"https?:", _own(page))
    data = _data(page)
    assert len(data["routes"]) == len(done.schedule.routes) >= 1
    assert data["background"]["name"] == "streets by priority"
    groups = {p["group"] for p in data["points"]}
    assert groups == {"meeting", "cases"}
    assert ["case c<1>", "graffiti", "1 day(s) old"] in [p["lines"] for p in data["points"]]
    for r in done.schedule.routes:  # each walk links its sheet (whichever form it has)
        assert f'href="sheets/{quote(r.who)}.' in page
    k = done.schedule.patrol
    assert k is not None and f"{k.priority_covered_pct:.1f} %" in page


def test_patrol_page_refuses_a_sweeping_plan(tmp_path: Path, planned) -> None:
    streets, schedule = planned
    with pytest.raises(ValueError, match="patrol schedule"):
        write_patrol_report(schedule, streets, tmp_path / "report.html")


def test_compare_page_has_the_table_and_the_bars(tmp_path: Path) -> None:
    from streetcrew.solver.scenarios.compare import KPI_COLUMNS, Run, table

    def run(name: str, seed: int, cost: float, left: int, status: str = "solved") -> Run:
        return Run(scenario=name, seed=seed, status=status, feasible=status != "failed",
                   violations=0, cost=cost, km_swept=10.0, deadhead_pct=20.0,
                   sweeping_rate_pct=90.0, vehicles=2, vehicles_used=2, drivers_used=None,
                   uncovered_duties=None, overtime_s=0, unassigned=left,
                   reasons={"no road <here>": left} if left else {}, solve_s=1.0)

    rows = table([run("base", 0, 100.0, 4), run("base", 1, 110.0, 6),
                  run("more & bigger", 0, 150.0, 0), run("more & bigger", 1, 150.0, 0),
                  run("<i>broken</i>", 0, 0.0, 0, "failed")])
    path = write_compare_report(rows, KPI_COLUMNS, tmp_path / "comparison.html", seeds=2,
                                note="Scenarios: 3, seeds: 2")
    page = path.read_text(encoding="utf-8")
    assert not re.search(r"https?:", page) and "<script" not in page
    assert "more &amp; bigger" in page and "&lt;i&gt;broken&lt;/i&gt;" in page
    assert "<i>" not in page and "no road &lt;here&gt;" in page
    assert "105 ± 10" in page and "(+45)" in page  # mean ± spread (change from base)
    assert page.count("<rect") == 4  # cost and unassigned: a bar each but the failed one
    assert page.count(">no plan</text>") == 2
    assert "drivers" not in page  # a KPI no scenario has gets no column
    if "reasons" in rows[0]:  # every reason, summed over seeds, in a list under the charts
        assert "<li><b>base</b>: 10 x no road &lt;here&gt;</li>" in page
    old = [{k: v for k, v in r.items() if k not in ("rank", "reasons")} for r in rows]
    page = write_compare_report(old, KPI_COLUMNS, tmp_path / "old.html").read_text("utf-8")
    assert "main reason left" in page and "no road &lt;here&gt;</td>" in page


# --- in a real browser -----------------------------------------------------------------------


def _open(page: Path, tmp_path: Path) -> tuple[str, list[str]]:
    """The DOM after the page's scripts ran, and every line the page wrote to the console
    (Chromium logs console messages, uncaught exceptions and refused loads alike as
    ``...:CONSOLE...] "message", source: ...``)."""
    assert BROWSER is not None
    done = subprocess.run(
        [BROWSER, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
         f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr",
         "--virtual-time-budget=3000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=180, check=False)
    console = [line for line in done.stderr.splitlines()
               if ":CONSOLE" in line or "Uncaught" in line]
    assert "</body>" in done.stdout, done.stderr[-2000:]
    return done.stdout, console


needs_browser = pytest.mark.skipif(
    BROWSER is None, reason="no chromium, chromium-browser or google-chrome on PATH "
                            "(apt-get install chromium) to open the page in")


@needs_browser
def test_the_page_runs_in_a_browser_without_an_error(tmp_path: Path, planned) -> None:
    streets, schedule = planned
    path = write_plan_report(schedule, streets, FLEET, tmp_path / "report.html",
                             sheets=_sheets(tmp_path, schedule),
                             attribution="© OpenStreetMap contributors")
    dom, console = _open(path, tmp_path)
    assert console == []  # no exception, no refused load, nothing logged
    assert 'data-map="ready"' in dom  # the map's script ran to its end
    start = dom.index("leaflet-control-layers-overlays")
    control = dom[start:dom.index("</div>", start)]
    assert control.count("swatch lc-route") == len(schedule.routes)  # a layer per vehicle
    for k, r in enumerate(schedule.routes):
        assert re.search(rf'<path class="[^"]*\broute-{k}\b[^"]*"', dom)
        assert f"{r.label} <small>" in control
    assert len(re.findall(r'<path class="[^"]*\bunassigned\b', dom)) == 1
    assert len(re.findall(r'class="[^"]*\bpt-depot\b', dom)) == len(FLEET.depots)
    assert "© OpenStreetMap contributors" in dom[dom.index("leaflet-control-attribution"):]


@needs_browser
def test_the_browser_check_sees_a_page_that_throws(tmp_path: Path, planned) -> None:
    streets, schedule = planned
    path = write_plan_report(schedule, streets, FLEET, tmp_path / "report.html")
    page = path.read_text(encoding="utf-8")
    ready = 'document.body.setAttribute("data-map", "ready");'
    assert page.count(ready) == 1
    path.write_text(page.replace(ready, "null.ready();" + ready), encoding="utf-8")
    dom, console = _open(path, tmp_path)
    assert any("Uncaught TypeError" in line for line in console), console
    assert 'data-map="ready"' not in dom


def test_a_route_has_the_same_colour_on_the_map_picture_and_the_page(tmp_path: Path,
                                                                       planned) -> None:
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_hex

    from streetcrew.solver.outputs import pictures

    streets, schedule = planned
    # more routes than the palette has colours: both wrap round it the same way
    many = schedule.model_copy(update={"routes": schedule.routes * 12})
    page = write_plan_report(many, streets, FLEET, tmp_path / "report.html").read_text("utf-8")
    on_page = [r["colour"] for r in _data(page)["routes"]]
    fig = pictures.map_figure(many, streets, fleet=FLEET)
    try:
        swept = [c for c in fig.axes[0].collections
                 if len(c.get_segments()) and c.get_linewidths()[0] == 2.2]
        on_map = [to_hex(c.get_colors()[0]) for c in swept]
    finally:
        plt.close(fig)
    assert len(on_page) == len(on_map) == 24 and on_page == on_map
    assert len(set(on_page)) > 8  # not eight colours over again
