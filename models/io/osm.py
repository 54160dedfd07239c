"""OpenStreetMap XML (``.osm``, ``.osm.xml``, ``.osm.gz``, ``.osm.bz2``) to street segments.

Safety: the file is streamed through expat (the parser under ``xml.etree``) in 1 MiB chunks,
and any ``<!DOCTYPE>`` or ``<!ENTITY>`` declaration is refused with an
:class:`~models.errors.InputError` naming the file and the line, before a single entity could
be expanded (no billion laughs, no external entities). OSM files never need a DTD.

What becomes a segment
----------------------
A way is *drivable* when its ``highway`` tag is a key of :data:`HIGHWAY_CLASS`, it is not
``area=yes``, and it is not closed to motor vehicles: the most specific of ``motor_vehicle``,
``vehicle``, ``access`` that is present decides, and ``no`` or ``private`` skips the way
(sweepers do not work private roads). ``highway=construction``/``proposed``, footways, paths,
tracks, steps, cycleways and pedestrian areas are not drivable.

=========================== ==============================================
highway                     road class
=========================== ==============================================
motorway, motorway_link     motorway
trunk, trunk_link           trunk
primary, primary_link       primary
secondary, secondary_link   secondary
tertiary, tertiary_link     tertiary
unclassified, residential,  residential
living_street, road
service                     service; with ``service=alley``/``driveway``: alley
=========================== ==============================================

Drivable ways are split into segments at their ends, at every node used by two or more
drivable ways, and at a node a way passes twice. A node the way references but the file
lacks (a way clipped at the extract's edge) splits the way there too; pieces with fewer than
two points are dropped and the missing nodes are counted (:attr:`OsmImport.missing_nodes`).
Segment ids are ``w<way id>-<k>``, ``k = 1, 2, ...`` along the way.

Attributes: ``name`` is kept as written (in the local language and script, e.g. Chinese);
``oneway=yes/true/1`` is ``forward``, ``-1``/``reverse`` is ``backward``, ``no/false/0`` is
``no``; without one of those values, ``junction=roundabout``/``circular`` and
``highway=motorway``/``motorway_link`` are ``forward`` (OSM's implied one-way) and other ways
are two-way (unrecognised values such as ``reversible`` or ``yes; no`` are counted in
:attr:`OsmImport.oneway_unrecognised`). ``lanes``: the first integer in the tag (``2;3`` is 2);
``width``: metres (``7``, ``7.5 m``, ``3,5``), other units ignored; a value outside its
plausible range (:data:`models.bounds.BOUNDS`: 1-16 lanes, up to 150 m) is ignored too. Everything else comes from
the class defaults (:data:`models.streets.CLASS_DEFAULTS`). Unusable tag values never stop an
import; a malformed file (XML, node ids or coordinates) does, and so does a file that gives no
segment at all (no highway, none drivable, or every drivable way's nodes missing): importing
it would write an empty street file.

Data from OpenStreetMap is © OpenStreetMap contributors under the ODbL 1.0; files written from
it must carry :data:`ATTRIBUTION`.
"""

from __future__ import annotations

import bz2
import gzip
import io
import re
import zlib
from collections import Counter
from pathlib import Path
from typing import Any
from xml.parsers import expat

from pydantic import BaseModel, ConfigDict, ValidationError

from streetcrew.models.base import InputError
from streetcrew.models.bounds import BOUNDS
from streetcrew.models.streets import Street, street_with_defaults

ATTRIBUTION = "© OpenStreetMap contributors, ODbL 1.0"

HIGHWAY_CLASS: dict[str, str] = {
    "motorway": "motorway",
    "motorway_link": "motorway",
    "trunk": "trunk",
    "trunk_link": "trunk",
    "primary": "primary",
    "primary_link": "primary",
    "secondary": "secondary",
    "secondary_link": "secondary",
    "tertiary": "tertiary",
    "tertiary_link": "tertiary",
    "unclassified": "residential",
    "residential": "residential",
    "living_street": "residential",
    "road": "residential",
    "service": "service",
}
SERVICE_ALLEY = frozenset({"alley", "driveway"})  # service=<these> -> alley

_ONEWAY = {"yes": "forward", "true": "forward", "1": "forward", "-1": "backward",
           "reverse": "backward", "no": "no", "false": "no", "0": "no"}
_IMPLIED_ONEWAY_HIGHWAY = frozenset({"motorway", "motorway_link"})
_IMPLIED_ONEWAY_JUNCTION = frozenset({"roundabout", "circular"})
_NO_ACCESS = frozenset({"no", "private"})
_INT = re.compile(r"\d+")
_WIDTH = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(?:m|metres?|meters?)?\s*$", re.IGNORECASE)
_CHUNK = 1 << 20


class OsmImport(BaseModel):
    """The segments of one OSM file and the counts the CLI reports."""

    model_config = ConfigDict(frozen=True)

    file: str
    streets: tuple[Street, ...]
    ways_read: int  # every <way> in the file
    highway_ways: int  # ways with a highway tag
    drivable_ways: int  # drivable and kept
    skipped_ways: int  # drivable highway value, but area=yes or no access
    clipped_ways: int  # drivable ways referencing nodes missing from the file
    missing_nodes: int  # distinct node ids referenced by drivable ways but not in the file
    oneway_unrecognised: int = 0  # drivable ways whose oneway value was not understood

    @property
    def segments(self) -> int:
        return len(self.streets)

    @property
    def oneway_segments(self) -> int:
        return sum(1 for s in self.streets if s.oneway != "no")

    @property
    def named_segments(self) -> int:
        return sum(1 for s in self.streets if s.name)

    @property
    def km(self) -> float:
        return sum(s.length_m for s in self.streets) / 1000


def import_osm(path: str | Path) -> list[Street]:
    """The street segments of an OSM XML file (see the module docstring for the rules)."""
    return list(read_osm(path).streets)


def read_osm(path: str | Path) -> OsmImport:
    """Like :func:`import_osm`, with the counts of what was read, kept and missing."""
    path = Path(path)
    file = str(path)
    parsed = _parse_pbf(path, file) if path.suffix.lower() == ".pbf" else _parse(path, file)
    return _build(parsed, file)


def _parse_pbf(path: Path, file: str) -> _Parsed:
    """An ``.osm.pbf`` extract through pyosmium (the optional extra ``streetcrew[gis]``):
    the ways with a ``highway`` tag and the nodes they use, as the XML parser gives them."""
    try:
        import osmium
    except ImportError:
        raise InputError(file, None, None, "reading .osm.pbf needs pyosmium: pip install "
                         "\"streetcrew[gis]\" (or convert with `osmium cat FILE.pbf -o "
                         "FILE.osm`)") from None
    out = _Parsed()
    wanted: set[int] = set()
    try:
        for obj in osmium.FileProcessor(str(path), osmium.osm.WAY):
            assert isinstance(obj, osmium.osm.Way)
            out.ways_read += 1
            if "highway" not in obj.tags:
                continue
            way = _Way(obj.id, 0)
            way.refs = [n.ref for n in obj.nodes]
            way.tags = {t.k: t.v for t in obj.tags}
            out.ways.append(way)
            wanted.update(way.refs)
        for obj in osmium.FileProcessor(str(path), osmium.osm.NODE):
            assert isinstance(obj, osmium.osm.Node)
            if obj.id in wanted and obj.location.valid():
                out.nodes[obj.id] = (obj.location.lon, obj.location.lat)
    except RuntimeError as exc:  # pyosmium's error for a file it cannot read
        raise InputError(file, None, None, f"not a readable OSM PBF file: {exc}") from None
    return out


# ---------------------------------------------------------------------------- parsing


class _Way:
    __slots__ = ("id", "line", "refs", "tags")

    def __init__(self, ident: int, line: int) -> None:
        self.id = ident
        self.line = line
        self.refs: list[int] = []
        self.tags: dict[str, str] = {}


class _Parsed:
    def __init__(self) -> None:
        self.nodes: dict[int, tuple[float, float]] = {}
        self.ways: list[_Way] = []
        self.ways_read = 0


def _open(path: Path, file: str) -> io.BufferedIOBase:
    suffix = path.suffix.lower()
    try:
        if suffix == ".gz":
            return gzip.open(path, "rb")
        if suffix == ".bz2":
            return bz2.open(path, "rb")
        if suffix in (".osm", ".xml"):
            return path.open("rb")
    except OSError as exc:
        raise InputError(file, None, None, f"cannot read file: {exc.strerror}") from exc
    hint = " (convert PBF with `osmium cat FILE.pbf -o FILE.osm`)" if suffix == ".pbf" else ""
    raise InputError(
        file, None, None,
        f"unknown OSM file type {suffix or '(none)'!r}: expected .osm, .osm.xml, .osm.gz or "
        f".osm.bz2{hint}",
    )


def _parse(path: Path, file: str) -> _Parsed:
    out = _Parsed()
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    way: _Way | None = None
    depth = 0
    seen_ways: set[int] = set()

    def line() -> str:
        return f"line {parser.CurrentLineNumber}"

    def refuse(*_: Any) -> None:
        raise InputError(
            file, line(), None,
            "DOCTYPE and ENTITY declarations are refused (OSM XML never needs them; "
            "entity expansion is unsafe)",
        )

    def ident(attrs: dict[str, str], key: str, what: str) -> int:
        try:
            return int(attrs[key])
        except (KeyError, ValueError):
            raise InputError(
                file, line(), key, f"{what} needs an integer {key}, got {attrs.get(key)!r}"
            ) from None

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal way, depth
        depth += 1
        if depth == 1:
            if name != "osm":
                raise InputError(file, line(), None, f"not OSM XML: the root is <{name}>")
            return
        if name == "node":
            if attrs.get("visible") == "false":
                return
            nid = ident(attrs, "id", "<node>")
            try:
                lon, lat = float(attrs["lon"]), float(attrs["lat"])
            except (KeyError, ValueError):
                field = "lon" if "lat" in attrs and "lon" not in attrs else "lat"
                raise InputError(
                    file, f"{line()} (node {nid})", field, "needs numeric lat and lon"
                ) from None
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise InputError(
                    file, f"{line()} (node {nid})", "lat" if abs(lat) > 90 else "lon",
                    f"({lon}, {lat}) is outside lon -180..180 / lat -90..90",
                )
            out.nodes[nid] = (lon, lat)
        elif name == "way":
            out.ways_read += 1
            if attrs.get("visible") == "false":
                return
            wid = ident(attrs, "id", "<way>")
            if wid in seen_ways:
                raise InputError(file, f"{line()} (way {wid})", "id", "duplicate way id")
            seen_ways.add(wid)
            way = _Way(wid, parser.CurrentLineNumber)
        elif way is not None and name == "nd":
            way.refs.append(ident(attrs, "ref", "<nd>"))
        elif way is not None and name == "tag":
            way.tags[attrs.get("k", "")] = attrs.get("v", "")

    def end(name: str) -> None:
        nonlocal way, depth
        depth -= 1
        if name == "way" and way is not None:
            if "highway" in way.tags:
                out.ways.append(way)
            way = None

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    with _open(path, file) as fh:
        try:
            while chunk := fh.read(_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise InputError(
                file, f"line {exc.lineno}", None,
                f"not well-formed XML: {expat.ErrorString(exc.code)}",
            ) from None
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(file, None, None, f"cannot decompress: {exc}") from None
    return out


# ---------------------------------------------------------------------------- building


def _no_access(tags: dict[str, str]) -> bool:
    for key in ("motor_vehicle", "vehicle", "access"):  # the most specific present decides
        value = tags.get(key)
        if value is not None:
            return value.strip().lower() in _NO_ACCESS
    return False


def road_class(tags: dict[str, str]) -> str | None:
    """Our road class for a way's tags, or None when the way is not drivable."""
    cls = HIGHWAY_CLASS.get(tags.get("highway", "").strip())
    if cls is None or tags.get("area", "").strip().lower() == "yes" or _no_access(tags):
        return None
    if cls == "service" and tags.get("service", "").strip().lower() in SERVICE_ALLEY:
        return "alley"
    return cls


def oneway(tags: dict[str, str]) -> tuple[str, bool]:
    """(``no``/``forward``/``backward``, whether the oneway value was understood)."""
    value = tags.get("oneway", "").strip().lower()
    if value in _ONEWAY:
        return _ONEWAY[value], True
    implied = (
        tags.get("junction", "").strip().lower() in _IMPLIED_ONEWAY_JUNCTION
        or tags.get("highway", "").strip() in _IMPLIED_ONEWAY_HIGHWAY
    )
    return ("forward" if implied else "no"), value == ""


def _lanes(tags: dict[str, str]) -> int | None:
    m = _INT.search(tags.get("lanes", ""))
    return int(m.group()) if m and _plausible("lanes", int(m.group())) else None


def _width(tags: dict[str, str]) -> float | None:
    m = _WIDTH.match(tags.get("width", ""))
    if not m:
        return None
    width = float(m.group(1).replace(",", "."))
    return width if _plausible("width_m", width) else None


def _plausible(name: str, value: float) -> bool:
    """Within :data:`models.bounds.BOUNDS` (an implausible tag is ignored, like an unusable one)."""
    try:
        BOUNDS[name].check(value)
    except ValueError:
        return False
    return True


def _pieces(
    refs: list[int], nodes: dict[int, tuple[float, float]], split: set[int], missing: set[int]
) -> list[list[int]]:
    """The way's node runs between split nodes, broken where a node is missing."""
    pieces: list[list[int]] = []
    piece: list[int] = []
    for ref in refs:
        if ref not in nodes:
            missing.add(ref)
            if len(piece) >= 2:
                pieces.append(piece)
            piece = []
            continue
        if piece and piece[-1] == ref:
            continue  # a node repeated in a row adds nothing
        piece.append(ref)
        if ref in split and len(piece) >= 2:
            pieces.append(piece)
            piece = [ref]
    if len(piece) >= 2:
        pieces.append(piece)
    return pieces


def _build(parsed: _Parsed, file: str) -> OsmImport:
    drivable: list[tuple[_Way, str]] = []
    skipped = 0
    for way in parsed.ways:
        cls = road_class(way.tags)
        if cls is not None:
            drivable.append((way, cls))
        elif way.tags.get("highway", "").strip() in HIGHWAY_CLASS:
            skipped += 1
    use: Counter[int] = Counter()
    split: set[int] = set()
    for way, _ in drivable:
        counts = Counter(way.refs)
        use.update(counts.keys())
        split.update(n for n, c in counts.items() if c > 1)  # loops and closed ways
    split.update(n for n, c in use.items() if c >= 2)
    streets: list[Street] = []
    missing: set[int] = set()
    clipped = unrecognised = 0
    for way, cls in drivable:
        had_missing = any(r not in parsed.nodes for r in way.refs)
        pieces = _pieces(way.refs, parsed.nodes, split, missing)
        clipped += had_missing
        direction, understood = oneway(way.tags)
        unrecognised += not understood
        base: dict[str, Any] = {
            "name": way.tags.get("name", ""),
            "road_class": cls,
            "oneway": direction,
            "lanes": _lanes(way.tags),
            "width_m": _width(way.tags),
        }
        for k, piece in enumerate(pieces, start=1):
            raw = dict(base, id=f"w{way.id}-{k}", coords=tuple(parsed.nodes[n] for n in piece))
            try:
                streets.append(street_with_defaults(raw))
            except ValidationError as exc:  # pragma: no cover - inputs are checked above
                e = exc.errors()[0]
                raise InputError(
                    file, f"line {way.line} (way {way.id})", str(e["loc"][0]), e["msg"]
                ) from None
    if not streets:
        raise InputError(file, None, None, _nothing_drivable(parsed, len(drivable), len(missing)))
    return OsmImport(
        file=file,
        streets=tuple(streets),
        ways_read=parsed.ways_read,
        highway_ways=len(parsed.ways),
        drivable_ways=len(drivable),
        skipped_ways=skipped,
        clipped_ways=clipped,
        missing_nodes=len(missing),
        oneway_unrecognised=unrecognised,
    )


def _nothing_drivable(parsed: _Parsed, drivable: int, missing: int) -> str:
    """Why an OSM file gave no street segment: an import would write an empty file."""
    if not parsed.ways:
        return (f"no highways in the file: none of its {parsed.ways_read} ways has a highway tag "
                "(an extract of the wrong area, or of buildings only?)")
    if not drivable:
        return (f"no drivable highways in the file: its {len(parsed.ways)} highway ways are "
                "footways, paths, cycleways or closed to motor vehicles")
    return (f"no street segments in the file: its {drivable} drivable ways reference {missing} "
            "nodes the file lacks (clipped at the extract's edge?)")
