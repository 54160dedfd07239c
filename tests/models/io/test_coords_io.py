"""Points given in GCJ-02 or BD-09: every reader converts them to WGS-84 on read, from the
file's own ``coords`` (field, member or column) or else the reader's ``coords`` argument
(``--coords-in``); a file the package wrote names WGS-84 and is left as it is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from streetcrew import instances
from streetcrew.models.base import InputError
from streetcrew.models.coords import from_wgs84
from streetcrew.models.io.fleet import read_fleet
from streetcrew.models.io.patrol import read_cases, read_volunteers
from streetcrew.models.io.streets import read_streets
from streetcrew.models.io.write_streets import write_geojson
from streetcrew.models.streets import haversine_m

CLOSE_M = 0.01  # a round trip through GCJ-02 or BD-09 comes back within millimetres


def _fleet_in(path: Path, name: str, declare: str | None) -> Path:
    """The demo fleet with its depots and facilities given in ``name``, the file's ``coords``
    set to ``declare`` (left out when None)."""
    doc = yaml.safe_load(instances.demo_fleet().read_text(encoding="utf-8"))
    doc.pop("coords", None)
    for section in ("depots", "facilities"):
        for rec in doc[section]:
            rec["at"] = list(from_wgs84(*rec["at"], name))
    if declare is not None:
        doc["coords"] = declare
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def _points(fleet_path: Path, coords: str = "wgs84") -> list[tuple[float, float]]:
    fleet = read_fleet(fleet_path, coords)
    return [(x.at.lon, x.at.lat) for x in (*fleet.depots, *fleet.facilities)]


WGS = _points(instances.demo_fleet())


def _same(points: list[tuple[float, float]]) -> bool:
    return all(haversine_m(p, q) < CLOSE_M for p, q in zip(points, WGS, strict=True))


@pytest.mark.parametrize("name", ["gcj02", "bd09"])
def test_fleet_field_converts_depots_and_facilities(tmp_path: Path, name: str) -> None:
    assert _same(_points(_fleet_in(tmp_path / "fleet.yaml", name, name)))


def test_fleet_option_applies_when_the_file_names_no_system(tmp_path: Path) -> None:
    silent = _fleet_in(tmp_path / "fleet.yaml", "gcj02", None)
    assert _same(_points(silent, "gcj02"))
    assert not _same(_points(silent))  # read as WGS-84: ~540 m off
    # the file's own field wins over the option
    assert _same(_points(_fleet_in(tmp_path / "bd.yaml", "bd09", "bd09"), "gcj02"))
    assert _same(_points(instances.demo_fleet(), "gcj02"))  # the demo says coords: wgs84


def test_fleet_unknown_system(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        read_fleet(_fleet_in(tmp_path / "fleet.yaml", "gcj02", "mars"))
    assert exc.value.field == "coords" and "expected wgs84" in exc.value.message


def _streets_geojson(path: Path, name: str, member: str | None) -> Path:
    """The demo streets with every point in ``name``; ``member``: the top-level coords."""
    doc = json.loads(instances.demo_streets().read_text(encoding="utf-8"))
    doc.pop("coords", None)
    if member is not None:
        doc["coords"] = member
    for f in doc["features"]:
        f["geometry"]["coordinates"] = [list(from_wgs84(*p, name))
                                        for p in f["geometry"]["coordinates"]]
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def _close(a: list, b: list) -> bool:
    return len(a) == len(b) and all(
        s.id == t.id and s.length_m == pytest.approx(t.length_m, abs=0.01)
        and all(haversine_m(p, q) < CLOSE_M for p, q in zip(s.coords, t.coords, strict=True))
        for s, t in zip(a, b))


def test_streets_geojson_member_and_option(tmp_path: Path) -> None:
    wgs = read_streets(instances.demo_streets())
    assert _close(read_streets(_streets_geojson(tmp_path / "a.geojson", "gcj02", "gcj02")), wgs)
    silent = _streets_geojson(tmp_path / "b.geojson", "bd09", None)
    assert _close(read_streets(silent, coords="bd09"), wgs)
    assert not _close(read_streets(silent), wgs)
    # the bundled demo and what write_geojson writes name WGS-84: the option leaves them
    assert _close(read_streets(instances.demo_streets(), coords="gcj02"), wgs)
    written = write_geojson(wgs[:20], tmp_path / "w.geojson")
    assert json.loads(written.read_text(encoding="utf-8"))["coords"] == "wgs84"
    assert _close(read_streets(written, coords="gcj02"), wgs[:20])


def test_streets_csv_option(tmp_path: Path) -> None:
    wgs = read_streets(instances.demo_streets())[:30]
    rows = ["id,road_class,geometry"] + [
        f'{s.id},{s.road_class},"LINESTRING ('
        + ", ".join("{:.10f} {:.10f}".format(*from_wgs84(*p, "gcj02")) for p in s.coords)
        + ')"'
        for s in wgs]
    path = tmp_path / "streets.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert _close(read_streets(path, coords="gcj02"), wgs)


def test_streets_unknown_member(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        read_streets(_streets_geojson(tmp_path / "a.geojson", "gcj02", "baidu"))
    assert exc.value.field == "coords"


def _csv(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_volunteers_column_and_option(tmp_path: Path) -> None:
    at = (118.7674555, 32.0487710)  # a demo meeting point
    gcj, bd = from_wgs84(*at, "gcj02"), from_wgs84(*at, "bd09")
    head = "id,lon,lat,free_from,free_to,max_minutes,coords"
    path = _csv(tmp_path / "v.csv", [
        head, f"V1,{gcj[0]:.10f},{gcj[1]:.10f},18:00,20:00,60,gcj02",
        f"V2,{bd[0]:.10f},{bd[1]:.10f},18:00,20:00,60,BD-09",
        f"V3,{at[0]},{at[1]},18:00,20:00,60,wgs84",
        f"V4,{gcj[0]:.10f},{gcj[1]:.10f},18:00,20:00,60,"])  # blank: the option
    for v in read_volunteers(path, "gcj02"):
        assert haversine_m((v.at.lon, v.at.lat), at) < CLOSE_M, v.id
    v4 = read_volunteers(path)[-1]  # without the option V4 is taken as WGS-84
    assert 500 < haversine_m((v4.at.lon, v4.at.lat), at) < 600


def test_volunteers_unknown_system_names_row(tmp_path: Path) -> None:
    path = _csv(tmp_path / "v.csv", ["id,lon,lat,free_from,free_to,max_minutes,coords",
                                     "V1,118.77,32.04,18:00,20:00,60,mars"])
    with pytest.raises(InputError) as exc:
        read_volunteers(path)
    assert (exc.value.record, exc.value.field) == ("row 1 (id 'V1')", "coords")


def test_cases_option(tmp_path: Path) -> None:
    at = (118.7938083, 32.0498722)  # demo case C001
    gcj = from_wgs84(*at, "gcj02")
    path = _csv(tmp_path / "c.csv", ["id,lon,lat,kind,time",
                                     f"C1,{gcj[0]:.10f},{gcj[1]:.10f},other,2026-11-13"])
    (case,) = read_cases(path, instances.DEMO_DATE, "gcj02")
    assert haversine_m((case.at.lon, case.at.lat), at) < CLOSE_M
