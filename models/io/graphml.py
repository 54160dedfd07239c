"""Streets from an osmnx graph saved as GraphML (``ox.save_graphml``).

osmnx stores each street between two intersections as a directed edge, a two-way street as
two (one each way, the second with ``reversed`` set); its tags (``highway``, ``name``,
``oneway``, ``lanes``, ...) and its shape (``geometry``, WKT) ride on the edge. Each street
comes out once, as an OSM way through the same builder as ``import-osm``
(:mod:`models.io.osm`): the same road classes, one-way rules, defaults and errors. No osmnx
import is needed: GraphML is XML, parsed here with DOCTYPE and entities refused.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any
from xml.parsers import expat

from streetcrew.models.base import InputError
from streetcrew.models.io.osm import OsmImport, _build, _Parsed, _Way

NS = "{http://graphml.graphdrawing.org/xmlns}"


def read_graphml(path: str | Path) -> OsmImport:
    path = Path(path)
    file = str(path)
    _, nodes, edges = _parse(path, file)
    index = {ident: k + 1 for k, ident in enumerate(nodes)}  # ids may be any text
    parsed = _Parsed()
    fake = -1  # node ids for the inner points of an edge's shape
    seen: set[tuple[Any, ...]] = set()
    for n, (u, v, data) in enumerate(edges, 1):
        parsed.ways_read += 1
        tags: dict[str, str] = {k: _first(data[k]) for k in ("highway", "name", "lanes", "width", "access",
                                              "ref", "service", "junction") if k in data}
        if "highway" not in tags:
            continue
        oneway = _true(data.get("oneway"))
        if not oneway:  # a two-way street is two edges: keep the one drawn forwards
            key = (min(u, v), max(u, v), data.get("osmid"), data.get("length"))
            if key in seen:
                continue
            seen.add(key)
        tags["oneway"] = "yes" if oneway else "no"
        for end in (u, v):
            if end not in nodes:
                raise InputError(file, f"edge {n}", "source/target", f"node {end} is not in "
                                 "the graph")
        way = _Way(n, n)
        way.tags = tags
        inner = _shape(data.get("geometry"), file, n)[1:-1]
        refs = [index[u]]
        for point in inner:
            parsed.nodes[fake] = point
            refs.append(fake)
            fake -= 1
        refs.append(index[v])
        way.refs = refs
        parsed.ways.append(way)
    parsed.nodes.update({index[k]: xy for k, xy in nodes.items()})
    return _build(parsed, file)


def _first(value: str) -> str:
    """osmnx writes a merged street's several values as a Python list: take the first."""
    if value.startswith("["):
        try:
            items = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return value
        return str(items[0]) if items else ""
    return value


def _true(value: str | None) -> bool:
    return value is not None and value.strip().lower() in ("true", "1", "yes")


def _shape(wkt: str | None, file: str, n: int) -> list[tuple[float, float]]:
    if not wkt:
        return []
    text = wkt.strip()
    if not text.upper().startswith("LINESTRING"):
        raise InputError(file, f"edge {n}", "geometry", f"expected a WKT LINESTRING, got "
                         f"{text[:30]!r}")
    try:
        inside = text[text.index("(") + 1:text.rindex(")")]
        return [(float(p.split()[0]), float(p.split()[1])) for p in inside.split(",")]
    except (ValueError, IndexError):
        raise InputError(file, f"edge {n}", "geometry", "not a readable WKT LINESTRING") from None


def _parse(path: Path, file: str
           ) -> tuple[dict[str, str], dict[str, tuple[float, float]],
                      list[tuple[str, str, dict[str, str]]]]:
    keys: dict[str, str] = {}  # key id -> attribute name
    nodes: dict[str, tuple[float, float]] = {}
    edges: list[tuple[str, str, dict[str, str]]] = []
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    state: dict[str, Any] = {"node": None, "edge": None, "key": None, "text": []}

    def refuse(*_: Any) -> None:
        raise InputError(file, f"line {parser.CurrentLineNumber}", None,
                         "DOCTYPE and ENTITY declarations are refused (GraphML never needs "
                         "them; entity expansion is unsafe)")

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == "key" and "attr.name" in attrs:
            keys[attrs["id"]] = attrs["attr.name"]
        elif name == "node":
            state["node"] = (attrs.get("id", ""), {})
        elif name == "edge":
            state["edge"] = (attrs.get("source", ""), attrs.get("target", ""), {})
        elif name == "data":
            state["key"], state["text"] = attrs.get("key", ""), []

    def chars(data: str) -> None:
        if state["key"] is not None:
            state["text"].append(data)

    def end(name: str) -> None:
        if name == "data" and state["key"] is not None:
            attr = keys.get(state["key"], state["key"])
            target = state["edge"] or state["node"]
            if target is not None:
                target[-1][attr] = "".join(state["text"])
            state["key"] = None
        elif name == "node" and state["node"] is not None:
            ident, data = state["node"]
            try:
                nodes[ident] = (float(data["x"]), float(data["y"]))
            except (KeyError, ValueError):
                raise InputError(file, f"node {ident}", "x/y", "a node needs numeric x "
                                 "(longitude) and y (latitude)") from None
            state["node"] = None
        elif name == "edge" and state["edge"] is not None:
            edges.append(state["edge"])
            state["edge"] = None

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        with path.open("rb") as fh:
            parser.ParseFile(fh)
    except expat.ExpatError as exc:
        raise InputError(file, f"line {exc.lineno}", None,
                         f"not well-formed XML: {expat.ErrorString(exc.code)}") from None
    if not nodes:
        raise InputError(file, None, None, "no nodes in the file: an osmnx GraphML graph "
                         "(ox.save_graphml) has nodes with x and y")
    return keys, nodes, edges
