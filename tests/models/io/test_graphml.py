"""osmnx GraphML graphs as street segments: a two-way street (two directed edges) comes out
once, a one-way street with its flag, names, classes and lanes from the edge tags."""

from __future__ import annotations

from pathlib import Path

import pytest

from streetcrew.models.base import InputError
from streetcrew.models.io.graphml import read_graphml

HEAD = """<?xml version='1.0' encoding='utf-8'?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
<key id="d3" for="node" attr.name="y" attr.type="string"/>
<key id="d4" for="node" attr.name="x" attr.type="string"/>
<key id="d9" for="edge" attr.name="osmid" attr.type="string"/>
<key id="d10" for="edge" attr.name="oneway" attr.type="string"/>
<key id="d11" for="edge" attr.name="lanes" attr.type="string"/>
<key id="d12" for="edge" attr.name="name" attr.type="string"/>
<key id="d13" for="edge" attr.name="highway" attr.type="string"/>
<key id="d14" for="edge" attr.name="reversed" attr.type="string"/>
<key id="d15" for="edge" attr.name="length" attr.type="string"/>
<key id="d16" for="edge" attr.name="geometry" attr.type="string"/>
<graph edgedefault="directed">
<node id="1"><data key="d3">32.040</data><data key="d4">118.780</data></node>
<node id="2"><data key="d3">32.040</data><data key="d4">118.785</data></node>
<node id="3"><data key="d3">32.044</data><data key="d4">118.785</data></node>
"""


def _edge(u: int, v: int, **tags: str) -> str:
    keys = {"osmid": "d9", "oneway": "d10", "lanes": "d11", "name": "d12", "highway": "d13",
            "reversed": "d14", "length": "d15", "geometry": "d16"}
    data = "".join(f'<data key="{keys[k]}">{v_}</data>' for k, v_ in tags.items())
    return f'<edge source="{u}" target="{v}" id="0">{data}</edge>\n'


def _file(tmp_path: Path, edges: str) -> Path:
    path = tmp_path / "g.graphml"
    path.write_text(HEAD + edges + "</graph></graphml>\n", encoding="utf-8")
    return path


def test_two_way_street_once_one_way_with_its_flag_and_tags(tmp_path: Path) -> None:
    bent = "LINESTRING (118.785 32.04, 118.786 32.042, 118.785 32.044)"
    path = _file(tmp_path, (
        _edge(1, 2, osmid="10", oneway="False", lanes="2", name="汉中路", highway="primary",
              reversed="False", length="472.1")
        + _edge(2, 1, osmid="10", oneway="False", lanes="2", name="汉中路", highway="primary",
                reversed="True", length="472.1")
        + _edge(2, 3, osmid="11", oneway="True", name="['管家桥', '管家桥北']",
                highway="['residential', 'tertiary']", length="460.0", geometry=bent)))
    streets = read_graphml(path).streets
    assert len(streets) == 2
    two, one = sorted(streets, key=lambda s: s.name != "汉中路")
    assert (two.name, two.road_class, two.oneway, two.lanes) == ("汉中路", "primary", "no", 2)
    assert (one.name, one.road_class, one.oneway) == ("管家桥", "residential", "forward")
    assert len(one.coords) == 3 and one.coords[1] == (118.786, 32.042)  # the edge's shape


def test_an_edge_to_a_missing_node_and_entities_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_graphml(_file(tmp_path, _edge(1, 9, osmid="1", highway="residential")))
    assert "node 9 is not in the graph" in str(info.value)
    bad = tmp_path / "x.graphml"
    bad.write_text('<?xml version="1.0"?><!DOCTYPE g [<!ENTITY a "b">]><graphml/>')
    with pytest.raises(InputError, match="DOCTYPE and ENTITY"):
        read_graphml(bad)


def test_import_osmnx_command_writes_streets_that_plan(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from streetcrew.cli import app
    from streetcrew.models.io.streets import read_streets

    path = _file(tmp_path, _edge(1, 2, osmid="10", oneway="False", name="汉中路",
                                 highway="residential", length="472.1"))
    out = tmp_path / "streets.geojson"
    res = CliRunner().invoke(app, ["import-osmnx", str(path), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert [s.name for s in read_streets(out)] == ["汉中路"]
