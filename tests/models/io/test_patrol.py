"""models/read_patrol.py: the demo patrol files, what the readers make of a row, and one
malformed file per reader error (each naming file, record and column)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from streetcrew import instances
from streetcrew.models.base import InputError
from streetcrew.models.io.patrol import (
    check_must_cover,
    read_cases,
    read_must_cover,
    read_volunteers,
)
from streetcrew.models.io.streets import read_streets
from streetcrew.models.network import build_network
from streetcrew.models.patrol import SERVICE_KINDS

ON = instances.DEMO_DATE  # 2026-11-27

VOLUNTEERS = """\
id,name,lon,lat,free_from,free_to,mode,max_minutes,kinds,buddy
V1,王芳,118.77,32.04,08:00,11:00,walk,90,dirty-street;overflowing-bin,V2
V2,李强,118.77,32.04,08:00,11:00,walk,90,,
V3,张伟,118.78,32.05,18:30,20:30,bike,60,illegal-stall,
"""
CASES = """\
id,lon,lat,kind,time
C1,118.771,32.041,dirty-street,2026-11-20
C2,118.772,32.042,overflowing-bin,2026-11-26T18:00
C3,118.773,32.043,illegal-stall,2026-11-27T09:30
"""
MUST_COVER = """\
street_id,chief
w1-1,张建国
w2-1,李秀英
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------- demo files


def test_demo_files_load() -> None:
    vols = read_volunteers(instances.demo_volunteers())
    cases = read_cases(instances.demo_cases(), ON)
    must = read_must_cover(instances.demo_must_cover())
    streets = read_streets(instances.demo_streets())
    assert len(vols) == 40 and len(cases) == 120 and len(must) == 8
    assert set(must) <= {s.id for s in streets}
    check_must_cover(must, streets, str(instances.demo_must_cover()))
    assert all(s.name for s in streets if s.id in must)  # named streets
    # four meeting points, each exactly on a node of the demo network
    nodes = set(build_network(streets).nodes)
    meeting = {(v.at.lon, v.at.lat) for v in vols}
    assert len(meeting) == 4 and meeting <= nodes
    # three buddy pairs that name each other
    pairs = {frozenset((v.id, v.buddy)) for v in vols if v.buddy}
    assert len(pairs) == 3
    by_id = {v.id: v for v in vols}
    assert all(by_id[v.buddy].buddy == v.id for v in vols if v.buddy)
    assert {v.mode for v in vols} == {"walk", "bike"}
    # cases: the 14 days before the plan date, within 30 m of a demo street
    assert all(0 < c.age_days <= 14 for c in cases)
    assert {c.kind for c in cases} <= set(SERVICE_KINDS)
    for c in cases:
        assert min(_distance_m((c.at.lon, c.at.lat), s.coords) for s in streets) <= 30, c.id


def _distance_m(p: tuple[float, float], line: tuple[tuple[float, float], ...]) -> float:
    """Point to polyline, on a local flat projection (fine at city scale)."""
    kx = 111_320.0 * math.cos(math.radians(p[1]))
    ky = 110_574.0
    best = math.inf
    for (ax, ay), (bx, by) in zip(line, line[1:]):
        x0, y0 = (ax - p[0]) * kx, (ay - p[1]) * ky
        x1, y1 = (bx - p[0]) * kx, (by - p[1]) * ky
        dx, dy = x1 - x0, y1 - y0
        norm = dx * dx + dy * dy
        t = 0.0 if norm == 0 else max(0.0, min(1.0, -(x0 * dx + y0 * dy) / norm))
        best = min(best, math.hypot(x0 + t * dx, y0 + t * dy))
    return best


# ---------------------------------------------------------------------------- what a row becomes


def test_volunteer_rows(tmp_path: Path) -> None:
    # a byte-order mark (Excel) and an extra column are fine
    text = "\ufeff" + VOLUNTEERS.replace("\n", ",\n").replace("buddy,\n", "buddy,phone\n")
    v1, v2, v3 = read_volunteers(_write(tmp_path, "volunteers.csv", text))
    assert (v1.id, v1.name, v1.at.lon, v1.at.lat) == ("V1", "王芳", 118.77, 32.04)
    assert (v1.free_from, v1.free_to, v1.mode, v1.max_minutes) == (8 * 3600, 11 * 3600, "walk", 90)
    assert v1.kinds == ("dirty-street", "overflowing-bin")
    assert v2.kinds == ()  # every kind
    assert (v1.buddy, v2.buddy, v3.buddy) == ("V2", "V1", None)  # V2's side is filled in
    assert v3.mode == "bike" and v3.free_to == 20 * 3600 + 1800
    minimal = "id,lon,lat,free_from,free_to,max_minutes\nA,118.77,32.04,22:00,26:00,45\n"
    (a,) = read_volunteers(_write(tmp_path, "minimal.csv", minimal))
    assert (a.name, a.mode, a.kinds, a.buddy) == ("", "walk", (), None)
    assert (a.free_from, a.free_to) == (22 * 3600, 26 * 3600)


def test_case_ages(tmp_path: Path) -> None:
    c1, c2, c3 = read_cases(_write(tmp_path, "cases.csv", CASES), ON)
    assert c1.age_days == 7  # a date counts from its midnight
    assert c2.age_days == pytest.approx(0.25)
    assert c3.age_days == 0  # reported on the plan date itself
    assert (c1.at.lon, c1.at.lat, c1.kind) == (118.771, 32.041, "dirty-street")


def test_must_cover_rows(tmp_path: Path) -> None:
    path = _write(tmp_path, "must_cover.csv", MUST_COVER)
    assert read_must_cover(path) == ["w1-1", "w2-1"]
    assert read_must_cover(_write(tmp_path, "bare.csv", "street_id\nw9\n")) == ["w9"]


# ---------------------------------------------------------------------------- errors


def _bad(tmp_path: Path, name: str, good: str, old: str, new: str) -> InputError:
    assert old in good
    path = _write(tmp_path, name, good.replace(old, new, 1))
    with pytest.raises(InputError) as info:
        if name.startswith("volunteers"):
            read_volunteers(path)
        elif name.startswith("cases"):
            read_cases(path, ON)
        else:
            read_must_cover(path)
    assert info.value.file == str(path)
    assert str(path) in str(info.value)
    return info.value


@pytest.mark.parametrize(
    ("old", "new", "record", "field", "words"),
    [
        ("V1,王芳,118.77,32.04,08:00", "V1,王芳,118.77,32.04,8h00", "row 1 (id 'V1')",
         "free_from", "expected HH:MM"),
        ("V3,张伟,118.78,32.05,18:30,20:30", "V3,张伟,118.78,32.05,18:30,49:00",
         "row 3 (id 'V3')", "free_to", "expected HH:MM"),
        ("18:30,20:30", "18:30,07:00", "row 3 (id 'V3')", "free_to", "not after free_from"),
        ("18:30,20:30", "18:30,18:30", "row 3 (id 'V3')", "free_to", "not after free_from"),
        ("walk,90,dirty", "run,90,dirty", "row 1 (id 'V1')", "mode", "'walk' or 'bike'"),
        ("illegal-stall", "illegal-stall;street-art", "row 3 (id 'V3')", "kinds",
         "unknown kind 'street-art'"),
        ("V3,张伟", "V1,张伟", "row 3 (id 'V1')", "id", "duplicate id 'V1' (first in row 1"),
        ("overflowing-bin,V2", "overflowing-bin,V9", "row 1 (id 'V1')", "buddy",
         "unknown volunteer 'V9'"),
        ("overflowing-bin,V2", "overflowing-bin,V1", "row 1 (id 'V1')", "buddy", "own buddy"),
        ("illegal-stall,\n", "illegal-stall,V2\n", "row 3 (id 'V3')", "buddy",
         "'V2' (row 2 (id 'V2')) is already paired with 'V1'"),
        ("118.78,32.05", "218.78,32.05", "row 3 (id 'V3')", "lon", "less than or equal to 180"),
        ("118.78,32.05", "118.78,95", "row 3 (id 'V3')", "lat", "projected coordinates"),
        ("118.78,32.05", "118.78,north", "row 3 (id 'V3')", "lat", "valid number"),
        ("118.78,32.05", ",32.05", "row 3 (id 'V3')", "lon", "missing"),
        ("bike,60", "bike,0", "row 3 (id 'V3')", "max_minutes", "more than 0"),
        ("\nV2,李强", "\n,李强", "row 2", "id", "missing"),
        ("free_to,", "until,", "header", "free_to", "required column is missing"),
        ("id,name,lon,lat", "id,name,x,lat", "header", "lon", "required column is missing"),
        ("V2,李强,118.77,32.04,08:00", "V2,李强,118.77,32.04", "row 2", None,
         "expected 10 fields"),
    ],
)
def test_volunteer_errors(
    tmp_path: Path, old: str, new: str, record: str, field: str | None, words: str
) -> None:
    err = _bad(tmp_path, "volunteers.csv", VOLUNTEERS, old, new)
    assert (err.record, err.field) == (record, field)
    assert words in err.message


@pytest.mark.parametrize(
    ("old", "new", "record", "field", "words"),
    [
        ("2026-11-27T09:30", "2026-11-28T09:30", "row 3 (id 'C3')", "time",
         "after the plan date 2026-11-27"),
        ("2026-11-20", "2026-12-01", "row 1 (id 'C1')", "time", "after the plan date"),
        ("2026-11-20", "20/11/2026", "row 1 (id 'C1')", "time", "expected an ISO date"),
        ("2026-11-20", "", "row 1 (id 'C1')", "time", "missing"),
        ("dirty-street", "litter", "row 1 (id 'C1')", "kind", "unknown kind 'litter'"),
        ("dirty-street", "", "row 1 (id 'C1')", "kind", "missing"),
        ("C2,", "C1,", "row 2 (id 'C1')", "id", "duplicate id 'C1'"),
        ("118.771,32.041", "-200,32.041", "row 1 (id 'C1')", "lon", "projected coordinates"),
        ("118.771,32.041", "118.771,abc", "row 1 (id 'C1')", "lat", "valid number"),
        ("kind,time", "type,time", "header", "kind", "required column is missing"),
    ],
)
def test_case_errors(
    tmp_path: Path, old: str, new: str, record: str, field: str | None, words: str
) -> None:
    err = _bad(tmp_path, "cases.csv", CASES, old, new)
    assert (err.record, err.field) == (record, field)
    assert words in err.message


@pytest.mark.parametrize(
    ("old", "new", "record", "field", "words"),
    [
        ("w2-1", "w1-1", "row 2 (id 'w1-1')", "street_id", "duplicate street id 'w1-1'"),
        ("w2-1", "", "row 2", "street_id", "missing"),
        ("street_id,", "street,", "header", "street_id", "required column is missing"),
    ],
)
def test_must_cover_errors(
    tmp_path: Path, old: str, new: str, record: str, field: str | None, words: str
) -> None:
    err = _bad(tmp_path, "must_cover.csv", MUST_COVER, old, new)
    assert (err.record, err.field) == (record, field)
    assert words in err.message


def test_must_cover_ids_must_be_streets(tmp_path: Path) -> None:
    streets = read_streets(instances.demo_streets())
    path = _write(tmp_path, "must_cover.csv", f"street_id\n{streets[0].id}\nw-nowhere\n")
    with pytest.raises(InputError) as info:
        check_must_cover(read_must_cover(path), streets, str(path))
    err = info.value
    assert (err.file, err.record, err.field) == (str(path), "row 2 (id 'w-nowhere')", "street_id")


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read file"):
        read_volunteers(tmp_path / "absent.csv")
    latin = tmp_path / "volunteers.csv"  # neither UTF-8 nor GBK (tests/models/io/test_common.py)
    latin.write_bytes("id,name\nV1,José,118.77\n".encode("latin-1"))
    with pytest.raises(InputError, match="neither UTF-8 nor GB18030"):
        read_volunteers(latin)
    with pytest.raises(InputError, match="empty file"):
        read_cases(_write(tmp_path, "cases.csv", ""), ON)


# ---------------------------------------------------------------------------- command line
# (issue 15): refused with exit code 2, the file, record and field named, nothing written


def _patrol_refuses(tmp_path: Path, *options: str) -> str:
    """Run `streetcrew patrol` on the demo with ``options``; the one-line error it prints."""
    from typer.testing import CliRunner

    from streetcrew.cli import app

    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["patrol", "--time-limit", "1", "--out", str(out), *options])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.stderr
    assert res.stderr.startswith("error: ") and res.stderr.count("\n") == 1, res.stderr
    assert not out.exists() or not any(out.iterdir()), "files were written"
    return res.stderr


def test_patrol_without_volunteers_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "volunteers.csv", VOLUNTEERS.splitlines()[0] + "\n")
    msg = _patrol_refuses(tmp_path, "--volunteers", str(path))
    assert msg == f"error: {path}: no volunteers in the file: a header and no rows\n"


def test_history_naming_an_unknown_street_is_refused(tmp_path: Path) -> None:
    streets = read_streets(instances.demo_streets())
    path = _write(tmp_path, "history.csv",
                  f"street_id,date\n{streets[0].id},2026-11-20\nw-nowhere,2026-11-21\n")
    msg = _patrol_refuses(tmp_path, "--history", str(path))
    assert msg == (f"error: {path}, row 2 (id 'w-nowhere'): field 'street_id': no street "
                   "segment has id 'w-nowhere'\n")


@pytest.mark.parametrize(("old", "new", "field", "words"), [
    ("bike,60", "bike,6000", "max_minutes", "expected more than 0 and at most 720 min, got 6,000"),
    ("bike,60", "bike,nan", "max_minutes", "finite"),
    ("118.78,32.05", "inf,32.05", "lon", "finite"),
])
def test_patrol_with_an_implausible_volunteer_number_is_refused(
    tmp_path: Path, old: str, new: str, field: str, words: str
) -> None:
    path = _write(tmp_path, "volunteers.csv", VOLUNTEERS.replace(old, new, 1))
    msg = _patrol_refuses(tmp_path, "--volunteers", str(path))
    assert msg.startswith(f"error: {path}, row 3 (id 'V3'): field {field!r}: "), msg
    assert words in msg, msg
