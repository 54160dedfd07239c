"""The deadhead lower bound on hand-checkable streets."""

from __future__ import annotations

from typing import Any

import pytest

from streetcrew.models.io.fleet import read_fleet
from streetcrew.models.network import build_network
from streetcrew.models.streets import street_with_defaults
from streetcrew.solver.sweep.bound import deadhead_lower_bound_m
from streetcrew.solver.sweep.tasks import build_tasks
from tests.helpers import DATA

FLEET = read_fleet(DATA / "fleet" / "good.yaml")


def _bound(**kw: Any) -> tuple[float, float]:
    street = street_with_defaults(
        {"id": "s", "road_class": "residential", "coords": ((118.78, 32.04), (118.781, 32.04))}
        | kw
    )
    network = build_network([street])
    tasks, _ = build_tasks([street], network, FLEET)
    return deadhead_lower_bound_m(network, tasks), network.links[0].length_m


def test_one_curb_needs_the_drive_back() -> None:
    bound, length = _bound(sides="right")
    assert bound == pytest.approx(length, abs=1.0)  # whole metres, rounded down
    assert bound <= length


def test_both_curbs_balance_and_centre_runs_either_way() -> None:
    assert _bound(sides="both")[0] == 0.0
    assert _bound(sides="centre")[0] == 0.0  # the relaxation may orient it freely


def test_one_way_street_has_no_way_back() -> None:
    # both curbs of a one-way street run forward, and nothing leads back: no finite bound
    assert _bound(sides="both", oneway="forward")[0] == 0.0
