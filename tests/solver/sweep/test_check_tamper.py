"""The sweeping checker proves, it does not trust (issue 15): a valid plan of a small grid
passes, and each kind of tampering with it is refused with a violation of its kind."""

from __future__ import annotations

import functools
import math
from collections import deque

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streetcrew.models.fleet import Fleet
from streetcrew.models.network import StreetNetwork, build_network
from streetcrew.models.schedule import Schedule, Step, Unassigned
from streetcrew.models.streets import Street, street_with_defaults
from streetcrew.solver.sweep.check import check_schedule
from streetcrew.solver.sweep.params import PlanParams
from streetcrew.solver.sweep.plan import plan_sweeping
from streetcrew.solver.sweep.timing import LATE
from tests.helpers import grid, grid_fleet

UNREACHABLE = ("cannot be driven to and back from the depots (one-way dead end or a part of "
               "the network not connected to the rest)")


@functools.cache
def _valid() -> tuple[list[Street], Fleet, Schedule]:
    """The grid with a motorway no type may sweep and a one-way dead end off its corner,
    swept by a fleet whose hoppers and tanks are small enough to need dumps and refills."""
    base = grid_fleet()
    fleet = base.model_copy(update={"vehicle_types": tuple(
        t.model_copy(update={"hopper_m3": 1.0, "water_l": 1500, "cost_per_km": 1.5,
                             "cost_per_hour": 40.0}) for t in base.vehicle_types)})
    streets = grid()
    streets[0] = streets[0].model_copy(update={"road_class": "motorway", "sides": "right"})
    streets.append(street_with_defaults({
        "id": "spur", "road_class": "residential", "oneway": "forward",
        "coords": ((118.770, 32.052), (118.767, 32.055))}))
    return streets, fleet, plan_sweeping(streets, fleet,
                                         PlanParams(time_limit=3, deterministic=True))


def _kinds(schedule: Schedule, fleet: Fleet | None = None) -> set[str]:
    streets, valid_fleet, _ = _valid()
    return {v.kind for v in check_schedule(streets, fleet or valid_fleet, schedule)}


def _steps(kind: str) -> list[tuple[int, int, Step]]:
    """(route, step index, step) of every step of a kind in the valid plan."""
    return [(r, i, s) for r, route in enumerate(_valid()[2].routes)
            for i, s in enumerate(route.steps) if s.type == kind]


def _with_step(r: int, i: int, **update: object) -> Schedule:
    """The valid plan with one step of one route changed."""
    schedule = _valid()[2]
    route = schedule.routes[r]
    steps = list(route.steps)
    steps[i] = steps[i].model_copy(update=update)
    routes = list(schedule.routes)
    routes[r] = route.model_copy(update={"steps": tuple(steps)})
    return schedule.model_copy(update={"routes": tuple(routes)})


def _with(part: str, **update: object) -> Schedule:
    """The valid plan with a summary figure or one of its first route's figures changed."""
    schedule = _valid()[2]
    if part == "summary":
        return schedule.model_copy(update={"summary": schedule.summary.model_copy(update=update)})
    first = schedule.routes[0].model_copy(update=update)
    return schedule.model_copy(update={"routes": (first, *schedule.routes[1:])})


def _drive(network: StreetNetwork, a: int, b: int) -> list[int]:
    """A node path from ``a`` to ``b`` along links in their allowed directions (BFS)."""
    nxt: dict[int, list[int]] = {}
    for lk in network.links:
        nxt.setdefault(lk.u, []).append(lk.v)
        if not lk.oneway:
            nxt.setdefault(lk.v, []).append(lk.u)
    back = {a: a}
    todo = deque([a])
    while todo:
        x = todo.popleft()
        for y in nxt.get(x, []):
            if y not in back:
                back[y] = x
                todo.append(y)
    path = [b]
    while path[-1] != a:
        path.append(back[path[-1]])
    return path[::-1]


def test_the_valid_plan_is_clean_and_has_what_the_tampers_need() -> None:
    streets, fleet, schedule = _valid()
    assert check_schedule(streets, fleet, schedule) == []
    reasons = {u.street: u.reason for u in schedule.unassigned}
    assert reasons["spur"] == UNREACHABLE
    assert reasons["ns00"].startswith("no vehicle type may sweep a motorway street")
    assert _steps("dump") and _steps("refill") and schedule.summary.cost > 0
    assert any(len(s.path) >= 3 for _, _, s in _steps("deadhead"))


@pytest.mark.parametrize("how", ["skip a node", "against a one-way street", "misstate metres"])
def test_1_a_deadhead_drives_real_links_in_their_direction_and_their_metres(how: str) -> None:
    streets, _, _ = _valid()
    network = build_network(streets)
    r, i, dead = next((r, i, s) for r, i, s in _steps("deadhead") if len(s.path) >= 3)
    if how == "skip a node":  # the tamper of the corpus: a jump the turn lookup priced at 0
        bad = _with_step(r, i, path=(dead.path[0], *dead.path[2:]))
        assert "path" in _kinds(bad)
        return
    if how == "misstate metres":
        assert "deadhead" in _kinds(_with_step(r, i, distance_m=dead.distance_m + 40))
        return
    one_way = next(lk for k, lk in enumerate(network.links) if streets[k].id == "ew11")
    path = (*_drive(network, dead.from_node or 0, one_way.v),
            *_drive(network, one_way.u, dead.to_node or 0))  # v -> u against the traffic
    metres = sum(next(lk.length_m for lk in network.links if {lk.u, lk.v} == {x, y})
                 for x, y in zip(path, path[1:]))
    bad = _with_step(r, i, path=path, distance_m=metres,
                     end=dead.start + math.ceil(metres / (30 / 3.6)) + 600)
    problems = check_schedule(streets, _valid()[1], bad)
    assert any(p.kind == "path" and "no street runs that way" in p.message for p in problems)


def test_2_a_served_pass_moved_to_unassigned_with_a_false_reason() -> None:
    schedule = _valid()[2]
    route = schedule.routes[0]
    moved = tuple(Unassigned(task=s.task or "", street=s.street or "", side=s.side or "",
                             reason=UNREACHABLE) for s in route.steps if s.type == "serve")
    bad = schedule.model_copy(update={"routes": schedule.routes[1:],
                                      "unassigned": schedule.unassigned + moved})
    problems = check_schedule(*_valid()[:2], bad)
    assert any(p.kind == "reason" and "lies in the part of the network" in p.message
               for p in problems)


@pytest.mark.parametrize("kind", ["serve", "deadhead", "dump", "refill"])
def test_3_no_step_is_faster_than_its_vehicle_or_facility(kind: str) -> None:
    r, i, step = max(_steps(kind), key=lambda x: x[2].end - x[2].start)
    assert "timing" in _kinds(_with_step(r, i, end=step.start + 1))


@pytest.mark.parametrize(("part", "field", "value", "kind"), [
    ("summary", "served_km", lambda s: s.served_km + 1, "summary"),
    ("summary", "coverage_pct", lambda s: 100.0, "summary"),
    ("summary", "deadhead_km", lambda s: s.deadhead_km / 2, "summary"),
    ("summary", "deadhead_pct", lambda s: s.deadhead_pct - 5, "summary"),
    ("summary", "routes_used", lambda s: s.routes_used + 1, "summary"),
    ("summary", "unassigned", lambda s: s.unassigned - 1, "summary"),
    ("summary", "cost", lambda s: s.cost * 0.9, "summary"),
    ("summary", "overtime_s", lambda s: s.overtime_s + 600, "summary"),
    ("summary", "driven_km_lower_bound", lambda s: s.served_km + s.deadhead_km + 5, "summary"),
    ("route", "served_m", lambda r: r.served_m + 100, "route"),
    ("route", "deadhead_m", lambda r: r.deadhead_m - 100, "route"),
    ("route", "cost", lambda r: r.cost - 10, "cost"),
    ("route", "overtime_s", lambda r: r.overtime_s + 600, "overtime"),
])
def test_4_every_summary_and_route_figure_is_recomputed(part, field, value, kind) -> None:
    schedule = _valid()[2]
    now = schedule.summary if part == "summary" else schedule.routes[0]
    assert kind in _kinds(_with(part, **{field: value(now)}))


@pytest.mark.parametrize(("step", "field", "change"), [
    ("serve", "load", 50.0),  # more debris than its streets leave
    ("deadhead", "water", 40.0),
    ("dump", "load", None),  # a dump that does not empty the hopper
    ("refill", "water", None),  # a refill that does not reset the water used
])
def test_6_stated_loads_are_recomputed(step: str, field: str, change: float | None) -> None:
    r, i, s = _steps(step)[0]
    before = _valid()[2].routes[r].steps[i - 1]
    value = getattr(before, field) if change is None else max(0.0, getattr(s, field) + change)
    assert value != getattr(s, field)
    assert "load" in _kinds(_with_step(r, i, **{field: value}))


@pytest.mark.parametrize(("fields", "says"), [
    (("task",), "but names task"),  # the label swapped with its neighbour's
    (("task", "street", "side"), "its link runs"),  # the whole claim: not the link it drove
])
def test_7_a_serve_step_names_the_task_street_and_link_it_sweeps(fields, says) -> None:
    r, i, a = next((r, i, s) for r, i, s in _steps("serve")
                   if (n := _valid()[2].routes[r].steps[i + 1]).type == "serve"
                   and n.street != s.street)
    b = _valid()[2].routes[r].steps[i + 1]
    bad = _with_step(r, i, **{f: getattr(b, f) for f in fields})
    assert any(says in p.message for p in check_schedule(*_valid()[:2], bad))


def _relisted(street: str, **update: object) -> Schedule:
    schedule = _valid()[2]
    return schedule.model_copy(update={"unassigned": tuple(
        u.model_copy(update=update) if u.street == street else u for u in schedule.unassigned)})


@pytest.mark.parametrize("how", ["unreachable", "no type", "also served", "left out"])
def test_8_unassigned_work_and_its_reasons_are_verified(how: str) -> None:
    schedule = _valid()[2]
    if how == "unreachable":  # the motorway lies inside the grid
        assert "reason" in _kinds(_relisted("ns00", reason=UNREACHABLE))
    elif how == "no type":  # the large type may sweep the residential dead end
        bad = _relisted("spur", reason="no vehicle type may sweep a residential street")
        assert "reason" in _kinds(bad)
    elif how == "also served":
        served = next(s for _, _, s in _steps("serve"))
        extra = Unassigned(task=served.task or "", street=served.street or "",
                           side=served.side or "", reason=LATE)
        assert "unassigned" in _kinds(schedule.model_copy(update={
            "unassigned": (*schedule.unassigned, extra),
            "summary": schedule.summary.model_copy(update={"unassigned": len(
                schedule.unassigned) + 1})}))
    else:
        assert "coverage" in _kinds(schedule.model_copy(update={
            "unassigned": schedule.unassigned[1:],
            "summary": schedule.summary.model_copy(update={"unassigned": len(
                schedule.unassigned) - 1})}))


@pytest.mark.parametrize("tamper", ["route cost inf", "load nan", "served_km inf",
                                    "negative metres"])
def test_numbers_are_finite_and_not_negative(tamper: str) -> None:
    r, i, _ = _steps("deadhead")[0]
    bad = {
        "route cost inf": lambda: _with("route", cost=math.inf),
        "load nan": lambda: _with_step(*_steps("serve")[0][:2], load=math.nan),
        "served_km inf": lambda: _with("summary", served_km=math.inf),
        "negative metres": lambda: _with_step(r, i, distance_m=-5.0),
    }[tamper]()
    assert "number" in _kinds(bad)


def test_rates_that_overflow_are_refused() -> None:
    """A fleet rate of 1e308 made every cost inf, and inf - inf compares as no difference."""
    _, fleet, schedule = _valid()
    absurd = fleet.model_copy(update={"vehicle_types": tuple(
        t.model_copy(update={"cost_per_km": 1e308}) for t in fleet.vehicle_types)})
    assert "cost" in _kinds(schedule, absurd)


@pytest.mark.parametrize("facility", ["W1", "nowhere"])
def test_a_dump_is_at_a_dump_site(facility: str) -> None:
    r, i, _ = _steps("dump")[0]
    bad = _with_step(r, i, facility=facility)
    assert any("not a dump site" in p.message for p in check_schedule(*_valid()[:2], bad))


SUMMARY = {"served_km": 0.01, "deadhead_km": 0.01, "deadhead_pct": 0.1, "coverage_pct": 0.1,
           "cost": 1.0, "overtime_s": 60, "routes_used": 1, "unassigned": 1}


@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(what=st.sampled_from(["step time", "distance", "summary", "load"]), pick=st.integers(0, 10**6),
       scale=st.floats(1.0, 50.0), sign=st.sampled_from([1, -1]))
def test_a_random_change_of_a_number_is_caught(what: str, pick: int, scale: float,
                                               sign: int) -> None:
    """Whatever number is changed beyond the rounding tolerances, the checker objects."""
    schedule = _valid()[2]
    if what == "summary":
        field = sorted(SUMMARY)[pick % len(SUMMARY)]
        now = getattr(schedule.summary, field)
        delta = SUMMARY[field] * (1 if isinstance(now, int) and field != "cost" else scale)
        value = now + sign * delta
        bad = _with("summary", **{field: round(value) if isinstance(now, int) else value})
    else:
        kinds = {"step time": ("serve", "deadhead", "dump", "refill"),
                 "distance": ("serve", "deadhead"), "load": ("serve", "deadhead", "dump",
                                                              "refill", "end")}[what]
        steps = [x for k in kinds for x in _steps(k)]
        r, i, step = steps[pick % len(steps)]
        if what == "step time":  # the step starts later and so takes less than it needs
            bad = _with_step(r, i, start=step.start + round(5 * scale))
        elif what == "distance":
            bad = _with_step(r, i, distance_m=step.distance_m + sign * 5 * scale)
        else:
            field = "load" if pick % 2 else "water"
            bad = _with_step(r, i, **{field: getattr(step, field) + sign * 5 * scale})
    assert check_schedule(*_valid()[:2], bad), what
