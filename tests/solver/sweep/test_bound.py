"""The deadhead lower bound on hand-checkable streets."""

from __future__ import annotations

import math
from typing import Any

import pytest

from streetcrew.models.io.fleet import read_fleet
from streetcrew.models.network import build_network
from streetcrew.models.streets import street_with_defaults
from streetcrew.solver.sweep.bound import Visits, deadhead_lower_bound_m, facility_visits
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


def test_required_visits_add_the_trips_there_and_back() -> None:
    street = street_with_defaults(
        {"id": "s", "road_class": "residential", "sides": "both",
         "coords": ((118.78, 32.04), (118.781, 32.04))}
    )
    network = build_network([street])
    tasks, _ = build_tasks([street], network, FLEET)
    link = network.links[0]
    assert deadhead_lower_bound_m(network, tasks) == 0.0  # the two curbs make a loop
    # the left curb enters u once; a second entry needs a drive from v and one back
    twice = deadhead_lower_bound_m(network, tasks, [Visits({link.u}, 2)])
    assert twice == pytest.approx(2 * math.floor(link.length_m), abs=0.01)
    assert deadhead_lower_bound_m(network, tasks, [Visits({link.u}, 1)]) == pytest.approx(0.0)


def test_facility_visits_count_hopperfuls_over_the_largest_hopper() -> None:
    # about 20.8 km of residential street, both curbs: 41.6 km at the small type's
    # 0.15 m3/km (the least of the two types) is 6.2 m3, over the large type's 6 m3 hopper
    street = street_with_defaults(
        {"id": "s", "road_class": "residential", "sides": "both",
         "coords": ((118.78, 32.04), (119.00, 32.04))}
    )
    network = build_network([street])
    tasks, _ = build_tasks([street], network, FLEET)
    assert 41.4 < sum(t.length_m for t in tasks) / 1000 < 41.8
    snapped = {"depot:D1": (0, 0.0), "facility:DUMP1": (1, 0.0), "facility:W1": (1, 0.0)}
    dumps, wells = facility_visits(FLEET, [street], tasks, snapped)
    assert dumps == Visits({0, 1}, 2)
    assert wells.nodes == {0, 1}


def test_out_of_time_the_flow_alone_is_the_bound() -> None:
    # with no time for the linear programme, the yard trips are left out, the flow stays
    street = street_with_defaults(
        {"id": "s", "road_class": "residential", "sides": "right",
         "coords": ((118.78, 32.04), (118.781, 32.04))}
    )
    network = build_network([street])
    tasks, _ = build_tasks([street], network, FLEET)
    metres = math.floor(network.links[0].length_m)
    rows = [Visits({network.links[0].u}, 3)]  # three entries into u: loops out and back
    assert deadhead_lower_bound_m(network, tasks) == metres  # the flow: one drive back
    assert deadhead_lower_bound_m(network, tasks, rows) >= 3 * metres
    assert deadhead_lower_bound_m(network, tasks, rows, seconds=0.0) == metres
