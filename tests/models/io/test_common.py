"""models/io/common.py: the text of every input CSV (issue 17). UTF-8 with or without a BOM,
GBK and GB18030 as Excel on Chinese Windows saves them, detected or named with --encoding;
bytes that are neither are an error naming the file, the row and the byte offset."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from streetcrew import instances
from streetcrew.models.base import InputError
from streetcrew.models.io.common import decode, read_text
from streetcrew.models.io.crew import read_crew
from streetcrew.models.io.patrol import read_cases, read_history, read_must_cover, read_volunteers
from streetcrew.models.io.streets import read_streets

VOLUNTEERS = """\
id,name,lon,lat,free_from,free_to,mode,max_minutes,kinds,buddy
V1,王建国,118.77,32.04,08:00,11:00,walk,90,,V2
V2,李秀英,118.77,32.04,08:00,11:00,walk,90,,
V3,张伟,118.78,32.05,18:30,20:30,bike,60,illegal-stall,
"""
NAMES = ["王建国", "李秀英", "张伟"]


def _file(tmp_path: Path, data: bytes, name: str = "volunteers.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb2312", "gb18030"])
def test_volunteers_in_every_encoding_excel_saves_read_alike(tmp_path: Path, encoding: str
                                                             ) -> None:
    vols = read_volunteers(_file(tmp_path, VOLUNTEERS.encode(encoding)))
    assert [v.name for v in vols] == NAMES
    assert [v.id for v in vols] == ["V1", "V2", "V3"]  # no BOM left on the first column
    assert vols[0].buddy == "V2"


def test_a_byte_order_mark_changes_nothing(tmp_path: Path) -> None:
    plain = read_volunteers(_file(tmp_path, VOLUNTEERS.encode("utf-8"), "a.csv"))
    bom = read_volunteers(_file(tmp_path, VOLUNTEERS.encode("utf-8-sig"), "b.csv"))
    assert bom == plain


def test_gb18030_beyond_gbk(tmp_path: Path) -> None:
    """刘䶮: 䶮 (U+4DAE) is in GB18030 and not in GBK, as in some people's names."""
    text = VOLUNTEERS.replace("张伟", "刘䶮")
    with pytest.raises(UnicodeEncodeError):
        text.encode("gbk")
    vols = read_volunteers(_file(tmp_path, text.encode("gb18030")))
    assert vols[2].name == "刘䶮"


def test_bytes_that_read_both_ways_are_utf8(tmp_path: Path) -> None:
    """The mojibake guard: "José" in UTF-8 is also GB18030 ("Jos茅"); detection says UTF-8,
    and a declared encoding is obeyed."""
    data = VOLUNTEERS.replace("王建国", "José").replace("李秀英", "Zoë").encode("utf-8")
    assert data.decode("gb18030") != data.decode("utf-8")  # both decode
    path = _file(tmp_path, data)
    assert [v.name for v in read_volunteers(path)][:2] == ["José", "Zoë"]
    assert read_volunteers(path, encoding="gb18030")[0].name == "Jos茅"


def test_declared_encoding(tmp_path: Path) -> None:
    path = _file(tmp_path, VOLUNTEERS.encode("gbk"))
    assert [v.name for v in read_volunteers(path, encoding="gbk")] == NAMES
    assert [v.name for v in read_volunteers(path, encoding="GB18030")] == NAMES
    with pytest.raises(InputError) as info:
        read_volunteers(path, encoding="utf-8")
    err = info.value
    assert (err.file, err.record) == (str(path), "row 1 (line 2)")
    at = VOLUNTEERS.encode("gbk").index("王".encode("gbk"))  # the first byte not UTF-8
    assert err.message.startswith(f"byte 0xCD at byte offset {at} is not utf-8 text")


@pytest.mark.parametrize("name", ["gbkk", "base64"])
def test_an_encoding_that_is_no_text_encoding_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(InputError) as info:
        read_volunteers(_file(tmp_path, VOLUNTEERS.encode()), encoding=name)
    assert info.value.field == "encoding" and repr(name) in info.value.message


def test_an_unreadable_byte_names_file_row_and_offset(tmp_path: Path) -> None:
    data = VOLUNTEERS.encode("gbk")
    at = data.index("张伟".encode("gbk"))  # row 3: a byte neither UTF-8 nor GB18030 there
    bad = data[:at] + b"\xff" + data[at + 1:]
    path = _file(tmp_path, bad)
    with pytest.raises(InputError) as info:
        read_volunteers(path)
    err = info.value
    assert (err.file, err.record, err.field) == (str(path), "row 3 (line 4)", None)
    assert err.message.startswith(f"byte 0xFF at byte offset {at} is neither UTF-8 nor "
                                  "GB18030 (GBK) text; save it as \"CSV UTF-8\"")
    head = _file(tmp_path, b"id,n\xffame,lon\n", "head.csv")
    with pytest.raises(InputError, match="byte offset 4") as info:
        read_volunteers(head)
    assert info.value.record == "header (line 1)"


def test_rows_are_counted_as_the_reader_counts_them(tmp_path: Path) -> None:
    """Blank lines are no rows; a quoted cell may hold a line break."""
    text = VOLUNTEERS.replace("\nV2", '\n\nV2').replace("illegal-stall,", '"a\nb",')
    data = text.encode("utf-8")
    at = data.index("张伟".encode())
    path = _file(tmp_path, data[:at] + b"\xff" + data[at + 1:])
    with pytest.raises(InputError) as info:
        read_volunteers(path)
    assert info.value.record == "row 3 (line 5)"


def test_other_texts_name_the_line(tmp_path: Path) -> None:
    path = _file(tmp_path, b'{\n "a": 1,\n "b": "\xff"\n}\n', "x.json")
    with pytest.raises(InputError) as info:
        read_text(path)
    assert info.value.record == "line 3" and "save it as UTF-8" in info.value.message
    assert decode("中山路".encode("gb18030"), "x") == "中山路"


# ------------------------------------------------------------------ every CSV reader


def test_every_csv_reader_reads_gbk(tmp_path: Path) -> None:
    def gbk(name: str, text: str) -> Path:
        return _file(tmp_path, text.encode("gbk"), name)

    must = read_must_cover(gbk("must.csv", instances.demo_must_cover().read_text("utf-8")))
    assert len(must) == 8
    cases = gbk("cases.csv", "id,lon,lat,kind,time,备注\nC1,118.77,32.04,other,2026-11-20,井盖\n")
    assert read_cases(cases, dt.date(2026, 11, 27))[0].age_days == 7
    history = gbk("history.csv", "street_id,date,巡查人\nw1,2026-11-20,王建国\n")
    assert read_history(history, dt.date(2026, 11, 27)) == {"w1": 7.0}
    crew = gbk("crew.csv", instances.demo_crew().read_text("utf-8"))
    assert read_crew(crew, encoding="gbk")[0].name == "王建国" == read_crew(crew)[0].name
    streets = gbk("streets.csv", 'id,name,road_class,geometry\n'
                                 's1,中山路,primary,"LINESTRING (113.6 34.7, 113.601 34.7)"\n')
    assert read_streets(streets)[0].name == "中山路"
    assert read_streets(streets, encoding="gbk")[0].name == "中山路"
    with pytest.raises(InputError, match="not utf-8 text"):
        read_streets(streets, encoding="utf-8")


# ------------------------------------------------------------------ command line


def _refused(tmp_path: Path, *options: str) -> str:
    """`streetcrew patrol` on the demo with ``options``: exit 2, one line, nothing written."""
    from typer.testing import CliRunner

    from streetcrew.cli import app

    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["patrol", "-t", "1", "--out", str(out), *options])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.stderr and res.stderr.count("\n") == 1, res.stderr
    assert not out.exists() or not any(out.iterdir()), "files were written"
    return res.stderr


def test_the_command_names_the_unreadable_byte(tmp_path: Path) -> None:
    data = VOLUNTEERS.encode("gbk")
    at = data.index("李秀英".encode("gbk"))
    path = _file(tmp_path, data[:at] + b"\x80" + data[at + 1:])
    msg = _refused(tmp_path, "--volunteers", str(path))
    assert msg.startswith(f"error: {path}, row 2 (line 3): byte 0x80 at byte offset {at} is "
                          "neither UTF-8 nor GB18030 (GBK) text"), msg


def test_the_command_refuses_an_unknown_encoding(tmp_path: Path) -> None:
    path = _file(tmp_path, VOLUNTEERS.encode("gbk"))
    msg = _refused(tmp_path, "--volunteers", str(path), "--encoding", "gbkk")
    assert "field 'encoding': unknown encoding 'gbkk' (--encoding)" in msg, msg
    msg = _refused(tmp_path, "--volunteers", str(path), "--encoding", "utf-8")
    assert "row 1 (line 2): byte 0xCD" in msg and "is not utf-8 text" in msg, msg
