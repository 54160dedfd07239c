"""Fleet reader: units, clock parsing, and errors that name record and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from streetcrew.models.base import InputError
from streetcrew.models.io.fleet import read_fleet
from tests.helpers import DATA

GOOD = DATA / "fleet" / "good.yaml"


def test_reads_yaml_with_clock_times() -> None:
    fleet = read_fleet(GOOD)
    assert [v.id for v in fleet.vehicles] == ["L1", "S1"]
    l1 = fleet.vehicles[0]
    assert (l1.shift_start, l1.shift_end) == (4 * 3600, 12 * 3600)
    assert l1.breaks[0].earliest == 7 * 3600 + 1800 and l1.breaks[0].minutes == 30
    assert fleet.facilities[0].opens == 5 * 3600
    assert fleet.facilities[1].at.lon == 118.79
    large = fleet.vehicle_type("large")
    assert large.debris_per_km("primary") == 0.4
    assert large.debris_per_km("tertiary") == 0.25  # falls back to "default"


def _bad(tmp_path: Path, old: str, new: str) -> InputError:
    path = tmp_path / "fleet.yaml"
    text = GOOD.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(InputError) as info:
        read_fleet(path)
    assert info.value.file == str(path)
    return info.value


@pytest.mark.parametrize(
    ("old", "new", "record", "field"),
    [
        ('shift_end: "12:00"', 'shift_end: "03:00"', "vehicles[0] (id 'L1')", None),
        ('shift_start: "06:00"', 'shift_start: "6h"', "vehicles[1] (id 'S1')", "shift_start"),
        ("hopper_m3: 6", "hopper_m3: -6", "vehicle_types[0] (id 'large')", "hopper_m3"),
        ("road_classes: [residential, service, alley]", "road_classes: [lane]",
         "vehicle_types[1] (id 'small')", None),
        ("kind: dump", "kind: landfill", "facilities[0] (id 'DUMP1')", "kind"),
        ("at: [118.78, 32.045]", "at: [218.78, 32.045]", "depots[0] (id 'D1')", "at.lon"),
        ('latest: "08:30"', 'latest: "07:00"', "vehicles[0] (id 'L1')", "breaks.0"),
    ],
)
def test_record_errors_name_record_and_field(
    tmp_path: Path, old: str, new: str, record: str, field: str | None
) -> None:
    err = _bad(tmp_path, old, new)
    assert err.record == record
    if field is not None:
        assert err.field == field


def test_unknown_references_and_overlapping_shifts(tmp_path: Path) -> None:
    assert "unknown type 'tiny'" in str(_bad(tmp_path, "type: small", "type: tiny"))
    assert "unknown depot 'D9'" in str(_bad(tmp_path, "type: small, depot: D1", "type: small, depot: D9"))
    err = _bad(tmp_path, "{id: S1, type: small", "{id: L1, type: small")
    assert "overlapping shifts" in str(err)


def test_json_and_syntax_errors(tmp_path: Path) -> None:
    path = tmp_path / "fleet.json"
    path.write_text('{"depots": [}')
    with pytest.raises(InputError) as info:
        read_fleet(path)
    assert info.value.record == "line 1" and "not valid JSON" in str(info.value)
