"""models/bounds.py: every plausible range is used and says why, and a street file's numbers
outside theirs are refused by `streetcrew streets` (exit 2, file, record and field named).

The fleet's, volunteers' and crew's bounds are tested where those files are read on the
command line: tests/solver/sweep/test_bad_input.py, tests/models/io/test_patrol.py and
tests/solver/crews/test_roster.py.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from streetcrew.cli import app
from streetcrew.models.bounds import BOUNDS

MODELS = Path(__file__).resolve().parents[2] / "models"


def test_every_bound_is_used_and_says_why() -> None:
    used = {m for f in MODELS.rglob("*.py")
            for m in re.findall(r'within\("(\w+)"\)', f.read_text(encoding="utf-8"))}
    assert used == set(BOUNDS)
    for name, b in BOUNDS.items():
        assert b.low < b.high and b.why, name
        with pytest.raises(ValueError, match="finite"):
            b.check(math.nan)
        assert b.check(b.high) == b.high
        if not b.low_open:
            assert b.check(b.low) == b.low


@pytest.mark.parametrize(("field", "value", "words"), [
    ("lanes", 40, "expected 1 to 16 lanes, got 40"),
    ("width_m", 500, "expected more than 0 and at most 150 m, got 500"),
    ("passes_per_side", 0, "expected 1 to 10 passes, got 0"),
    ("sweeps_per_day", 48, "expected 0 to 24 sweeps, got 48"),
    ("min_hours_between", 30, "expected 0 to 24 h, got 30"),
    ("priority", 1000, "expected 0 to 100, got 1,000"),
])
def test_street_number_outside_its_bound_is_refused(
    tmp_path: Path, field: str, value: Any, words: str
) -> None:
    features = [{"type": "Feature", "properties": {"id": f"s{i}", "road_class": "residential"},
                 "geometry": {"type": "LineString",
                              "coordinates": [[118.77 + 0.004 * i, 32.04], [118.77 + 0.004 * i,
                                                                            32.044]]}}
                for i in range(3)]
    features[1]["properties"][field] = value
    path = tmp_path / "streets.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    res = CliRunner().invoke(app, ["streets", str(path)])
    assert res.exit_code == 2 and "Traceback" not in res.stderr, res.output
    assert res.stderr.startswith(f"error: {path}, feature 2 (id 's1'): field {field!r}: {words}")
    assert res.stderr.count("\n") == 1
