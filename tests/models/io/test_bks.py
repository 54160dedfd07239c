"""models/bks.py and the instances package helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

from streetcrew import instances
from streetcrew.models.base import InputError
from streetcrew.models.io.bks import COLUMNS, best_known_values, read_bks

HEADER = ",".join(COLUMNS)
GOOD = "gdb,gdb1,12,22,22,5,5,316,316,yes,somewhere"


def test_bundled_table() -> None:
    table = read_bks(instances.bks_path())
    assert len(table) == 81
    assert table["gdb1"].best_known == 316 and table["gdb1"].lower_bound == 316
    assert table["val5D"].lower_bound is None and table["val5D"].best_known == 575
    assert {r.set for r in table.values()} == set(instances.CARP_SETS)
    assert best_known_values(instances.bks_path())["egl-e1-A"] == 3548


def test_instances_helpers() -> None:
    assert instances.default_instance().is_file()
    assert instances.default_instance().stem == instances.DEFAULT_INSTANCE
    assert [p.stem for p in instances.carp_set_files("gdb")][:3] == ["gdb1", "gdb2", "gdb3"]
    assert (instances.carp_dir() / "README.md").is_file()
    with pytest.raises(KeyError):
        instances.carp_set_dir("kshs")


@pytest.mark.parametrize(
    ("lines", "record", "field", "message"),
    [
        (["set,instance", GOOD], "line 1", "vertices", "missing column"),
        ([HEADER, GOOD.replace(",12,", ",twelve,")], "row 1 (line 2)", "vertices",
         "valid integer"),
        ([HEADER, GOOD, GOOD.replace("316,316", "316,-1")], "row 2 (line 3)", "best_known",
         "greater than or equal to 0"),
        ([HEADER, GOOD.replace(",yes,", ",maybe,")], "row 1 (line 2)", "best_known_optimal",
         "'yes' or 'no'"),
        ([HEADER, GOOD, GOOD], "row 2 (line 3)", "instance", "listed twice"),
        ([HEADER, "gdb,gdb1,12"], "row 1 (line 2)", "required_edges", "missing value"),
        ([HEADER, GOOD + ",extra"], "row 1 (line 2)", None, "more values"),
    ],
)
def test_malformed_bks(tmp_path: Path, lines: list[str], record: str, field: str | None,
                       message: str) -> None:
    path = tmp_path / "bks.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as info:
        read_bks(path)
    err = info.value
    assert (err.file, err.record, err.field) == (str(path), record, field)
    assert message in err.message
