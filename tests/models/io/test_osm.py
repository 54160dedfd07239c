"""models/read_osm.py: a hand-checkable OSM file, safe XML, malformed files, the real
Nanjing and Campo Grande extracts, and the `import-osm` command."""

from __future__ import annotations

import bz2
import gzip
import json
import re
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from streetcrew.cli import app
from streetcrew.models.base import InputError
from streetcrew.models.io.osm import ATTRIBUTION, HIGHWAY_CLASS, import_osm, read_osm
from streetcrew.models.io.streets import read_streets
from streetcrew.models.io.write_streets import write_geojson
from streetcrew.models.streets import ROAD_CLASSES
from tests.helpers import DATA, REAL

STREETS = DATA / "streets"
TINY = STREETS / "tiny.osm"
BAD = STREETS / "bad"
CJK = re.compile(r"[\u4e00-\u9fff]")

real = pytest.mark.skipif(not REAL.is_dir(), reason=f"real data folder {REAL} is absent")


def test_tiny_osm_counts() -> None:
    got = read_osm(TINY)
    assert got.ways_read == 11 and got.highway_ways == 11
    assert got.drivable_ways == 7  # not the footway, the construction, the private way, the area
    assert got.skipped_ways == 2  # access=private, area=yes
    assert got.missing_nodes == 1 and got.clipped_ways == 1  # node 999 of way 106
    assert got.segments == 11
    assert got.oneway_segments == 3  # the east arm and both roundabout pieces
    assert got.named_segments == 4


def test_tiny_osm_segments() -> None:
    by_id = {s.id: s for s in import_osm(TINY)}
    assert sorted(by_id) == sorted([
        "w100-1", "w100-2",  # split at the crossing, not at the footway's node 12
        "w101-1", "w102-1",
        "w103-1", "w103-2",  # the closed roundabout, split at its two junctions
        "w104-1", "w104-2",  # split where the alley joins
        "w106-1", "w106-2",  # split at the missing node
        "w110-1",
    ])
    n = by_id["w100-1"]
    assert n.name == "Nordstraße" and n.road_class == "residential" and len(n.coords) == 3
    assert n.coords[-1] == (10.0, 50.0) == by_id["w100-2"].coords[0]
    assert by_id["w101-1"].oneway == "forward" and by_id["w101-1"].road_class == "tertiary"
    west = by_id["w102-1"]
    assert (west.oneway, west.road_class, west.lanes, west.width_m) == ("no", "tertiary", 2, 7.5)
    r1, r2 = by_id["w103-1"], by_id["w103-2"]
    assert r1.oneway == r2.oneway == "forward" and r1.road_class == "primary"
    assert r1.coords[0] == r2.coords[-1] == (10.001, 50.0) and r1.coords[-1] == r2.coords[0]
    assert by_id["w104-1"].name == "中山路"
    assert by_id["w106-1"].coords == ((10.0, 49.999), (10.0, 49.998))
    alley = by_id["w110-1"]
    assert alley.road_class == "alley" and alley.width_m is None  # "12 ft" is not metres


@pytest.mark.parametrize("opener", [gzip.open, bz2.open], ids=["gz", "bz2"])
def test_compressed_files_read_the_same(opener: object, tmp_path: Path) -> None:
    suffix = ".osm.gz" if opener is gzip.open else ".osm.bz2"
    path = tmp_path / f"tiny{suffix}"
    with opener(path, "wb") as fh:  # type: ignore[operator]
        fh.write(TINY.read_bytes())
    assert import_osm(path) == import_osm(TINY)


def test_highway_table_covers_the_drivable_set() -> None:
    base = ["motorway", "trunk", "primary", "secondary", "tertiary", "unclassified",
            "residential", "living_street", "service", "road"]
    links = [f"{h}_link" for h in base[:5]]
    assert set(HIGHWAY_CLASS) == set(base + links)
    assert set(HIGHWAY_CLASS.values()) <= set(ROAD_CLASSES)
    for link in links:
        assert HIGHWAY_CLASS[link] == HIGHWAY_CLASS[link.removesuffix("_link")]


OSM_BAD = [
    ("billion_laughs.osm", "line 2", None),
    ("external_entity.osm", "line 2", None),
    ("not_well_formed.osm", "line 5", None),
    ("not_osm.osm", "line 2", None),
    ("node_bad_lat.osm", "line 3 (node 1)", "lat"),
    ("node_out_of_range.osm", "line 3 (node 1)", "lat"),
    ("bad_nd_ref.osm", "line 5", "ref"),
    ("duplicate_way.osm", "line 6 (way 5)", "id"),
    ("corrupt.osm.gz", None, None),
]


@pytest.mark.parametrize(("name", "record", "field"), OSM_BAD, ids=[c[0] for c in OSM_BAD])
def test_malformed_osm(name: str, record: str | None, field: str | None) -> None:
    with pytest.raises(InputError) as info:
        import_osm(BAD / name)
    err = info.value
    assert (err.file, err.record, err.field) == (str(BAD / name), record, field)


@pytest.mark.parametrize("name", ["billion_laughs.osm", "external_entity.osm"])
def test_doctype_and_entities_are_refused_before_expansion(name: str) -> None:
    start = time.perf_counter()
    with pytest.raises(InputError, match="DOCTYPE and ENTITY declarations are refused"):
        import_osm(BAD / name)
    assert time.perf_counter() - start < 1.0


def test_every_bad_osm_file_has_a_case() -> None:
    on_disk = {p.name for p in BAD.iterdir() if ".osm" in p.name}
    assert on_disk == {c[0] for c in OSM_BAD}


def test_unknown_suffix_and_a_broken_pbf(tmp_path: Path) -> None:
    path = tmp_path / "map.o5m"
    path.write_bytes(b"\0")
    with pytest.raises(InputError, match="unknown OSM file type"):
        import_osm(path)
    broken = tmp_path / "map.osm.pbf"  # read through pyosmium (the gis extra)
    broken.write_bytes(b"\0")
    with pytest.raises(InputError, match="osmium|not a readable OSM PBF file"):
        import_osm(broken)


def test_round_trip_keeps_chinese_names(tmp_path: Path) -> None:
    streets = import_osm(TINY)
    out = write_geojson(streets, tmp_path / "tiny.geojson", ATTRIBUTION)
    assert read_streets(out) == streets
    raw = out.read_bytes()
    assert "中山路".encode() in raw  # UTF-8, not \\u escapes
    assert json.loads(raw)["attribution"] == "© OpenStreetMap contributors, ODbL 1.0"


# ---------------------------------------------------------------------------- real extracts


@real
def test_nanjing() -> None:
    got = read_osm(REAL / "nanjing_xuanwu_osm_bbox.osm.xml")
    assert got.ways_read == 1920 and got.highway_ways == 384  # README
    # README: 254 drivable ways; 3 of them are motor_vehicle=no/private and skipped here
    assert got.drivable_ways + got.skipped_ways == 254 and got.skipped_ways == 3
    # README: 531 undirected edges when no way is skipped. Dropping 3 short closed ways removes
    # their own edges and un-splits the ways they touched, so a little fewer, never more.
    assert 515 <= got.segments <= 531
    assert got.missing_nodes == 0
    names = {s.name for s in got.streets if s.name}
    assert {"太平北路", "进香河路"} <= names
    assert sum(1 for n in names if CJK.search(n)) >= 0.9 * len(names)
    assert got.oneway_segments > 0


@real
def test_campo_grande_within_time() -> None:
    start = time.perf_counter()
    got = read_osm(REAL / "campo_grande_brazil.osm.gz")
    wall = time.perf_counter() - start
    assert wall < 10.0  # 0.5 s measured on an idle core; generous for a loaded CI machine
    assert got.drivable_ways == 4007  # README, and no way there is closed to motor vehicles
    assert got.segments == 13_495  # README: 13,495 undirected edges, same splitting rule
    assert 150 <= got.clipped_ways <= 189  # README: 189 highway ways clipped, drivable or not
    assert got.missing_nodes > 0
    assert any(s.name.startswith("Rua ") for s in got.streets)


# ---------------------------------------------------------------------------- command line


def test_import_osm_command(tmp_path: Path) -> None:
    out = tmp_path / "streets.geojson"
    res = CliRunner().invoke(app, ["import-osm", str(TINY), "--out", str(out)])
    assert res.exit_code == 0, res.output
    lines = dict(line.split(None, 1) for line in res.output.splitlines() if " " in line)
    assert lines["segments"] == "11"
    assert res.output.count("ODbL") == 1
    for key in ("ways read", "drivable ways", "one-way", "named", "km", "missing nodes"):
        assert key in res.output
    assert len(read_streets(out)) == 11


def test_import_osm_command_refuses_doctype(tmp_path: Path) -> None:
    out = tmp_path / "x.geojson"
    res = CliRunner().invoke(app, ["import-osm", str(BAD / "billion_laughs.osm"), "--out",
                                   str(out)])
    assert res.exit_code == 2
    assert "line 2" in res.output and not out.exists()


@pytest.mark.parametrize(("ways", "says"), [
    ('<way id="5"><nd ref="1"/><nd ref="2"/><tag k="building" v="yes"/></way>',
     "no highways in the file: none of its 1 ways has a highway tag (an extract of the wrong "
     "area, or of buildings only?)"),
    ('<way id="5"><nd ref="1"/><nd ref="2"/><tag k="highway" v="footway"/></way>',
     "no drivable highways in the file: its 1 highway ways are footways, paths, cycleways "
     "or closed to motor vehicles"),
    ('<way id="5"><nd ref="1"/><nd ref="9"/><tag k="highway" v="residential"/></way>',
     "no street segments in the file: its 1 drivable ways reference 1 nodes the file lacks "
     "(clipped at the extract's edge?)"),
], ids=["no-highway", "footways-only", "nodes-missing"])
def test_import_osm_command_refuses_a_file_without_highways(
    tmp_path: Path, ways: str, says: str
) -> None:
    # issue 15: once an empty GeoJSON was written and the exit code was 0
    path = tmp_path / "map.osm"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n'
                    '<node id="1" lat="50.0" lon="10.0"/>\n<node id="2" lat="50.001" lon="10.0"/>\n'
                    f"{ways}\n</osm>\n", encoding="utf-8")
    out = tmp_path / "streets.geojson"
    res = CliRunner().invoke(app, ["import-osm", str(path), "--out", str(out)])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.stderr and not out.exists()
    assert res.stderr == f"error: {path}: {says}\n"
