"""Overtime: a vehicle may work past its shift end by ``overtime_min``, paid extra."""

from __future__ import annotations

import pytest

from streetcrew.models.base import InputError
from streetcrew.models.fleet import Fleet
from streetcrew.models.scenario import ChangeShifts, Scenario, apply_changes
from streetcrew.solver.sweep.check import check_schedule
from streetcrew.solver.sweep.params import PlanParams
from streetcrew.solver.sweep.plan import plan_sweeping
from tests.helpers import grid as _grid
from tests.helpers import grid_fleet

FLEET = grid_fleet()

# one large sweeper, 04:00-06:00: about three hours of work on the grid do not fit
SHORT = FLEET.model_copy(update={"vehicles": (FLEET.vehicles[0].model_copy(update={
    "shift_start": 4 * 3600, "shift_end": 6 * 3600, "breaks": ()}),)})


def _with_overtime(fleet: Fleet, minutes: float, premium: float) -> Fleet:
    vt = fleet.vehicle_types[0].model_copy(update={"overtime_cost_per_hour": premium})
    return fleet.model_copy(update={
        "vehicle_types": (vt, *fleet.vehicle_types[1:]),
        "vehicles": tuple(v.model_copy(update={"overtime_min": minutes})
                          for v in fleet.vehicles)})


def test_overtime_lets_a_short_shift_finish_and_is_counted_and_paid() -> None:
    streets = _grid()
    hard = plan_sweeping(streets, SHORT, PlanParams(time_limit=3))
    assert check_schedule(streets, SHORT, hard) == []
    assert hard.unassigned and hard.summary.overtime_s == 0

    fleet = _with_overtime(SHORT, 180, premium=30.0)
    plan = plan_sweeping(streets, fleet, PlanParams(time_limit=5))
    assert check_schedule(streets, fleet, plan) == []
    assert not plan.unassigned
    veh = fleet.vehicles[0]
    vt = fleet.vehicle_types[0]
    total = 0
    for r in plan.routes:
        end = r.steps[-1].end
        assert end <= veh.shift_end + 180 * 60
        assert r.overtime_s == max(0, end - veh.shift_end)
        total += r.overtime_s
        hours = (end - r.steps[0].start) / 3600
        expected = (vt.cost_per_km * (r.served_m + r.deadhead_m) / 1000 + vt.cost_per_hour * hours
                    + 30.0 * r.overtime_s / 3600)
        assert r.cost == pytest.approx(expected, abs=0.01)
    assert plan.summary.overtime_s == total > 0

    # the same plan is refused against the fleet without overtime, and with a false claim
    assert any("outside its shift" in str(p) for p in check_schedule(streets, SHORT, plan))
    route = plan.routes[0]
    lied = plan.model_copy(update={"routes": (route.model_copy(update={"overtime_s": 0}),
                                              *plan.routes[1:])})
    assert any("overtime claimed" in str(p) for p in check_schedule(streets, fleet, lied))
    hidden = plan.model_copy(update={"summary": plan.summary.model_copy(update={
        "overtime_s": 0})})
    assert any("summary overtime" in str(p) for p in check_schedule(streets, fleet, hidden))


def test_change_shifts_may_allow_overtime_alone_and_checks_the_shift() -> None:
    sc = Scenario(name="+1 h overtime", changes=(ChangeShifts(type="large", overtime_min=60),))
    fleet, _ = apply_changes(FLEET, [], sc, "s.yaml")
    assert [(v.shift_start, v.shift_end, v.overtime_min) for v in fleet.vehicles] == [
        (FLEET.vehicles[0].shift_start, FLEET.vehicles[0].shift_end, 60),
        (FLEET.vehicles[1].shift_start, FLEET.vehicles[1].shift_end, 0)]
    assert fleet.vehicles[0].breaks == FLEET.vehicles[0].breaks
    with pytest.raises(InputError, match="shift_start, shift_end or overtime_min"):
        apply_changes(FLEET, [], Scenario(name="x", changes=(ChangeShifts(type="large"),)),
                      "s.yaml")
    with pytest.raises(InputError, match="must be after shift_start"):
        apply_changes(FLEET, [], Scenario(name="x", changes=(
            ChangeShifts(type="large", shift_end=3 * 3600),)), "s.yaml")


def test_overtime_counts_when_two_shifts_of_a_vehicle_would_overlap() -> None:
    first = SHORT.vehicles[0]
    second = first.model_copy(update={"shift_start": 7 * 3600, "shift_end": 9 * 3600})
    Fleet.model_validate({**SHORT.model_dump(), "vehicles": [first.model_dump(),
                                                             second.model_dump()]})
    late = first.model_copy(update={"overtime_min": 90}).model_dump()
    with pytest.raises(ValueError, match="overlapping shifts"):
        Fleet.model_validate({**SHORT.model_dump(), "vehicles": [late, second.model_dump()]})


@pytest.mark.parametrize("value, says", [
    (".inf", "Input should be a finite number"),
    ("-5", "expected 0 to 1,440 min, got -5"),
    ("1000", "goes past 48:00"),  # 40:00 + 16 h 40 min
])
def test_a_fleet_file_with_bad_overtime_names_the_vehicle_and_field(tmp_path, value, says) -> None:
    from streetcrew.models.io.fleet import read_fleet

    path = tmp_path / "fleet.yaml"
    path.write_text(
        "depots: [{id: D, at: [118.78, 32.04]}]\n"
        "vehicle_types: [{id: t, hopper_m3: 1, debris_m3_per_km: {default: 0.1}, water_l: 100,"
        " water_l_per_km: 1, sweep_kmh: 5, travel_kmh: 20, road_classes: [residential]}]\n"
        "vehicles:\n  - {id: V, type: t, depot: D, shift_start: '30:00', shift_end: '40:00',"
        f" overtime_min: {value}}}\n")
    with pytest.raises(InputError) as err:
        read_fleet(path)
    msg = str(err.value)
    assert str(path) in msg and "vehicles[0] (id 'V')" in msg and "overtime_min" in msg
    assert says in msg


def test_a_shift_that_overlaps_the_next_only_by_overtime_says_so(tmp_path) -> None:
    from streetcrew.models.io.fleet import read_fleet

    path = tmp_path / "fleet.yaml"
    path.write_text(
        "depots: [{id: D, at: [118.78, 32.04]}]\n"
        "vehicle_types: [{id: t, hopper_m3: 1, debris_m3_per_km: {default: 0.1}, water_l: 100,"
        " water_l_per_km: 1, sweep_kmh: 5, travel_kmh: 20, road_classes: [residential]}]\n"
        "vehicles:\n"
        "  - {id: V, type: t, depot: D, shift_start: '04:00', shift_end: '06:00',"
        " overtime_min: 90}\n"
        "  - {id: V, type: t, depot: D, shift_start: '07:00', shift_end: '09:00'}\n")
    with pytest.raises(InputError, match=r"field 'overtime_min'.*\+90 min overtime"):
        read_fleet(path)


def test_vehicles_a_scenario_adds_copy_the_overtime_of_their_type() -> None:
    from streetcrew.models.scenario import AddVehicles

    fleet = _with_overtime(SHORT, 45, premium=10.0)
    grown, _ = apply_changes(fleet, [], Scenario(name="+1", changes=(
        AddVehicles(type="large", count=1),)), "s.yaml")
    assert [v.overtime_min for v in grown.vehicles] == [45, 45]
