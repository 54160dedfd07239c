"""models/read_carp.py: every bundled file parses; one malformed file per reader error."""

from __future__ import annotations

from pathlib import Path

import pytest

from streetcrew import instances
from streetcrew.models.base import InputError
from streetcrew.models.io.bks import read_bks
from streetcrew.models.io.carp import parse_carp, read_carp
from tests.helpers import DATA

BKS = read_bks(instances.bks_path())
ALL_FILES = [f for s in instances.CARP_SETS for f in instances.carp_set_files(s)]


def test_bundled_sets_are_complete() -> None:
    counts = {s: len(instances.carp_set_files(s)) for s in instances.CARP_SETS}
    assert counts == {"gdb": 23, "val": 34, "egl": 24}
    assert sorted(f.stem for f in ALL_FILES) == sorted(BKS)


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.stem)
def test_bundled_file_matches_bks_row(path: Path) -> None:
    problem = read_carp(path)
    row = BKS[path.stem]
    assert problem.name == path.stem  # the file name, not NOMBRE
    assert problem.num_nodes == row.vertices
    assert len(problem.tasks) == row.required_edges
    assert len(problem.links) == row.edges
    assert problem.capacity == row.capacity
    assert problem.vehicles_min == row.vehicles_min
    assert problem.depot == 0  # DEPOSITO 1 in every bundled file, 0-based inside
    assert problem.node_ids == tuple(range(1, row.vertices + 1))
    assert sum(t.demand for t in problem.tasks) <= row.vehicles_min * row.capacity


def test_tiny_instance_is_read_zero_based(tiny) -> None:
    assert tiny.name == "tiny"
    assert tiny.node_ids == (1, 2, 3, 4)
    assert [(k.u, k.v, k.cost) for k in tiny.links] == [
        (0, 1, 3), (1, 2, 2), (2, 3, 4), (3, 0, 5), (0, 2, 10)
    ]
    assert [(t.link, t.demand, t.service_cost) for t in tiny.tasks] == [
        (0, 1, 3), (1, 1, 2), (2, 2, 4), (3, 1, 5)
    ]
    assert tiny.capacity == 3
    assert tiny.depot == 0
    assert tiny.vehicles_min == 2


def test_parse_carp_matches_read_carp() -> None:
    text = (DATA / "tiny.dat").read_text()
    assert parse_carp(text, "x", name="tiny").links == read_carp(DATA / "tiny.dat").links


# file, line (None: the error has no line), field, part of the message
BAD = [
    ("missing_header", None, "CAPACIDAD", "missing header"),
    ("non_integer", "line 12", "coste", "expected an integer, got '2x'"),
    ("non_integer_header", "line 7", "CAPACIDAD", "expected an integer, got 'tres'"),
    ("unknown_vertex", "line 12", "vertex", "unknown vertex 5"),
    ("negative_cost", "line 12", "coste", "negative cost -2"),
    ("negative_demand", "line 12", "demanda", "negative demand -1"),
    ("demand_over_capacity", "line 13", "demanda", "demand 4 exceeds vehicle capacity 3"),
    ("count_mismatch", "line 4", "ARISTAS_REQ", "header says 5 edges, the list has 4"),
    ("duplicate_edge", "line 14", "vertex", "edge (2, 1) repeats line 11"),
    ("loop", "line 14", "vertex", "loop (4, 4)"),
    ("unreachable", "line 14", "vertex", "unreachable from depot 1"),
    ("garbage_line", "line 13", None, "got 'hello world'"),
    ("missing_demand", "line 12", "demanda", "required edge needs 'demanda <int>'"),
    ("depot_out_of_range", "line 17", "DEPOSITO", "vertex 9 not in 1..4"),
    ("duplicate_key", "line 4", "VERTICES", "given twice"),
    ("edge_before_list", "line 2", None, "edge before LISTA_ARISTAS_REQ"),
    ("zero_capacity", "line 7", "CAPACIDAD", "must be > 0"),
]


def test_every_bad_file_has_a_case() -> None:
    assert sorted(p.stem for p in (DATA / "bad").glob("*.dat")) == sorted(b[0] for b in BAD)


@pytest.mark.parametrize(("name", "line", "field", "message"), BAD, ids=[b[0] for b in BAD])
def test_malformed_file_names_file_line_field(
    name: str, line: str | None, field: str | None, message: str
) -> None:
    path = DATA / "bad" / f"{name}.dat"
    with pytest.raises(InputError) as info:
        read_carp(path)
    err = info.value
    assert err.file == str(path)
    assert err.record == line
    assert err.field == field
    assert message in err.message
    text = str(err)
    assert str(path) in text and message in text
    if line:
        assert line in text
    if field:
        assert repr(field) in text


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read file"):
        read_carp(tmp_path / "nope.dat")
