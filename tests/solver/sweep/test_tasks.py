"""Sweeping tasks: sides, directions, passes, sweeps and unplannable work."""

from __future__ import annotations

from typing import Any

from streetcrew.models.io.fleet import read_fleet
from streetcrew.models.network import build_network
from streetcrew.models.streets import TimeWindow, street_with_defaults
from streetcrew.solver.sweep.tasks import build_tasks
from tests.helpers import DATA

FLEET = read_fleet(DATA / "fleet" / "good.yaml")  # large: trunk..residential; small: residential..alley


def _street(i: str, x: float, **kw: Any):
    raw = {"id": i, "road_class": "residential", "coords": ((x, 32.0), (x + 0.001, 32.0))}
    return street_with_defaults(raw | kw)


def _plan(*streets):
    return build_tasks(streets, build_network(streets), FLEET)


def test_two_way_curbs_follow_traffic_one_way_curbs_follow_the_street() -> None:
    tasks, bad = _plan(_street("two", 0.0), _street("one", 0.01, oneway="backward"))
    assert bad == []
    by_id = {t.id: t for t in tasks}
    assert (by_id["two/right/p1/s1"].forward_ok, by_id["two/right/p1/s1"].backward_ok) == (True, False)
    assert (by_id["two/left/p1/s1"].forward_ok, by_id["two/left/p1/s1"].backward_ok) == (False, True)
    for side in ("right", "left"):  # one-way: both curbs in the travel direction
        t = by_id[f"one/{side}/p1/s1"]
        assert (t.forward_ok, t.backward_ok) == (True, False)
    assert by_id["two/right/p1/s1"].types == {"large", "small"}
    assert 90 < by_id["two/right/p1/s1"].length_m < 96


def test_centre_passes_sweeps_and_none() -> None:
    tasks, _ = _plan(
        _street("alley", 0.0, road_class="alley"),
        _street("wide", 0.01, road_class="primary", sides="right", passes_per_side=2,
                sweeps_per_day=2),
        _street("skip", 0.02, sides="none"),
    )
    ids = sorted(t.id for t in tasks)
    assert ids == ["alley/centre/p1/s1", "wide/right/p1/s1", "wide/right/p1/s2",
                   "wide/right/p2/s1", "wide/right/p2/s2"]
    alley = next(t for t in tasks if t.street == 0)
    assert alley.forward_ok and alley.backward_ok and alley.types == {"small"}


def test_unplannable_work_has_a_reason() -> None:
    tasks, bad = _plan(
        _street("mway", 0.0, road_class="motorway", sides="right"),
        _street("only-x", 0.01, allowed_types=("x",), sides="right"),
        _street("rush", 0.02, sides="right", windows=(TimeWindow(start=3600, end=3610),)),
    )
    assert tasks == []
    reasons = {b.street_id: b.reason for b in bad}
    assert "no vehicle type may sweep a motorway" in reasons["mway"]
    assert "allowed: x" in reasons["only-x"]
    assert "shorter than the sweep" in reasons["rush"]
