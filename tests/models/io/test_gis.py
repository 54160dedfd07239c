"""GeoPackage and Shapefile streets (optional extra ``gis``) and OSM PBF extracts read like
the GeoJSON and OSM XML they were made from."""

from __future__ import annotations

from pathlib import Path

import pytest

from streetcrew import instances
from streetcrew.models.base import InputError
from streetcrew.models.io.gis import line_wkb
from streetcrew.models.io.osm import read_osm
from streetcrew.models.io.streets import read_street_source, read_streets
from streetcrew.models.io.write_streets import street_feature
from tests.helpers import DATA

raw = pytest.importorskip("pyogrio.raw", reason="pyogrio (pip install \"streetcrew[gis]\") "
                          "is needed for GeoPackage and Shapefile streets")


def _write(path: Path, crs: str = "EPSG:4326") -> list:
    import numpy as np

    streets = read_streets(instances.demo_streets())
    rows = []
    for s in streets:
        props = street_feature(s)["properties"]
        props["windows"] = ";".join(f"{a}-{b}" for a, b in props["windows"]) or None
        props["allowed_types"] = ";".join(props["allowed_types"] or []) or None
        rows.append(props)
    names = list(rows[0])
    fields = [np.array([r[n] for r in rows], dtype=object) for n in names]
    geometry = np.array([line_wkb(list(s.coords)) for s in streets], dtype=object)
    raw.write(path, geometry, fields, fields=names, geometry_type="LineString", crs=crs,
              **({"encoding": "UTF-8"} if path.suffix == ".shp" else {}))
    return streets


@pytest.mark.parametrize("suffix", [".gpkg", ".shp"])
def test_a_gis_layer_of_the_demo_reads_as_its_geojson(tmp_path: Path, suffix: str) -> None:
    streets = _write(tmp_path / f"demo{suffix}")
    back = read_street_source(tmp_path / f"demo{suffix}")
    assert back == streets  # every field (the shapefile's cut names restored): the same plan


def test_a_projected_layer_is_refused_with_the_command_that_converts_it(tmp_path) -> None:
    _write(tmp_path / "utm.gpkg", crs="EPSG:32650")
    with pytest.raises(InputError) as info:
        read_street_source(tmp_path / "utm.gpkg")
    assert info.value.field == "crs" and "ogr2ogr -t_srs EPSG:4326" in str(info.value)


def test_an_osm_pbf_extract_reads_as_its_xml(tmp_path: Path) -> None:
    osmium = pytest.importorskip("osmium", reason="pyosmium is needed for .osm.pbf")
    pbf = tmp_path / "tiny.osm.pbf"
    writer = osmium.SimpleWriter(str(pbf))
    for obj in osmium.FileProcessor(str(DATA / "streets" / "tiny.osm")):
        writer.add(obj)
    writer.close()
    assert read_osm(pbf).streets == read_osm(DATA / "streets" / "tiny.osm").streets
    assert read_street_source(pbf) == list(read_osm(pbf).streets)


def test_a_plan_writes_its_routes_as_a_geopackage_too(tmp_path: Path) -> None:
    import json

    from streetcrew.solver.sweep import run as sweep
    from streetcrew.solver.sweep.params import PlanParams

    result = sweep.run(instances.demo_streets(), instances.demo_fleet(), None,
                       PlanParams(time_limit=3), tmp_path / "plan")
    assert result.passed
    meta, _, geometry, fields = raw.read(tmp_path / "plan" / "routes.gpkg")
    lines = json.loads((tmp_path / "plan" / "routes.geojson").read_text())["features"]
    assert meta["crs"] == "EPSG:4326" and len(geometry) == len(lines)
    names = list(meta["fields"])
    assert set(fields[names.index("vehicle")]) == {r.vehicle for r in result.schedule.routes}
