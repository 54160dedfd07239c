"""The patrol checker proves, it does not trust (issue 15): a valid patrol plan of a small
grid passes, and each kind of tampering with it is refused with a violation of its kind."""

from __future__ import annotations

import functools
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streetcrew.models.fleet import Point
from streetcrew.models.patrol import Case, Volunteer
from streetcrew.models.schedule import Schedule, Step, Unassigned
from streetcrew.models.streets import Street
from streetcrew.solver.patrol.check import check_patrol
from streetcrew.solver.patrol.plan import PatrolParams, plan_patrol
from tests.helpers import grid

CORNER = Point(lon=118.770, lat=32.040)  # a node of the grid
MUST = ("ew22", "nowhere")  # the second is no street: unassigned with its reason


def _volunteer(ident: str, minutes: float, **kw: object) -> Volunteer:
    return Volunteer.model_validate({"id": ident, "at": CORNER, "free_from": 9 * 3600,
                                     "free_to": 12 * 3600, "max_minutes": minutes} | kw)


@functools.cache
def _valid() -> tuple[list[Street], list[Volunteer], list[Case], Schedule]:
    """Two volunteers with too little time for the whole grid, a case on a street and one
    far from every street."""
    streets = grid()
    a, b = streets[4].coords
    cases = [Case(id="near", at=Point(lon=(a[0] + b[0]) / 2 + 0.0001, lat=a[1] + 0.002),
                  kind="dirty-street", age_days=3),
             Case(id="far", at=Point(lon=118.9, lat=32.2), kind="graffiti", age_days=1)]
    vols = [_volunteer("a", 45), _volunteer("b", 30, mode="bike")]
    schedule, _ = plan_patrol(streets, vols, cases, MUST,
                              PatrolParams(time_limit=3, workers=1, solutions=20))
    return streets, vols, cases, schedule


def _problems(schedule: Schedule) -> list:
    streets, vols, cases, _ = _valid()
    return check_patrol(streets, vols, MUST, schedule, cases=cases)


def _kinds(schedule: Schedule) -> set[str]:
    return {v.kind for v in _problems(schedule)}


def _with_step(r: int, i: int, **update: object) -> Schedule:
    schedule = _valid()[3]
    route = schedule.routes[r]
    steps = list(route.steps)
    steps[i] = steps[i].model_copy(update=update)
    routes = list(schedule.routes)
    routes[r] = route.model_copy(update={"steps": tuple(steps)})
    return schedule.model_copy(update={"routes": tuple(routes)})


def _walks() -> list[tuple[int, int, Step]]:
    return [(r, i, s) for r, route in enumerate(_valid()[3].routes)
            for i, s in enumerate(route.steps) if s.type == "deadhead"]


def test_the_valid_plan_is_clean_and_has_what_the_tampers_need() -> None:
    schedule = _valid()[3]
    assert _problems(schedule) == []
    k = schedule.patrol
    assert k is not None and k.cases_used == 1 and k.cases_far == ("far",)
    assert 0 < k.priority_covered < k.priority_total and schedule.summary.coverage_pct < 100
    assert any(len(s.path) >= 3 for _, _, s in _walks())
    assert [u.street for u in schedule.unassigned] == ["nowhere"]


@pytest.mark.parametrize("how", ["skip a node", "misstate metres"])
def test_1_a_walk_follows_real_streets_and_their_metres(how: str) -> None:
    r, i, walk = next((r, i, s) for r, i, s in _walks() if len(s.path) >= 3)
    if how == "skip a node":
        bad = _with_step(r, i, path=(walk.path[0], *walk.path[2:]))
        assert any("no walkable street joins them" in p.message for p in _problems(bad))
    else:
        assert "deadhead" in _kinds(_with_step(r, i, distance_m=walk.distance_m + 40))


KPIS = [("km_patrolled", 1.0), ("priority_covered", 5.0), ("priority_total", -5.0),
        ("priority_covered_pct", 3.0), ("covered_of_bound_pct", -3.0), ("must_cover", 1),
        ("must_cover_met", -1), ("streets_patrolled", 2), ("volunteers", 1),
        ("volunteers_used", 1), ("mean_route_min", 5.0), ("max_route_min", -5.0),
        ("cases_used", 1), ("priority_upper_bound", -50.0)]


@pytest.mark.parametrize(("field", "delta"), KPIS)
def test_5_every_patrol_kpi_is_recomputed(field: str, delta: float) -> None:
    schedule = _valid()[3]
    assert schedule.patrol is not None
    patrol = schedule.patrol.model_copy(update={field: getattr(schedule.patrol, field) + delta})
    assert "summary" in _kinds(schedule.model_copy(update={"patrol": patrol}))


def test_5_the_cases_too_far_away_are_recomputed() -> None:
    schedule = _valid()[3]
    assert schedule.patrol is not None
    patrol = schedule.patrol.model_copy(update={"cases_far": ()})
    assert "summary" in _kinds(schedule.model_copy(update={"patrol": patrol}))


def test_5_the_upper_bound_is_no_less_than_what_was_covered() -> None:
    """A bound below the priority covered, with its percentage restated to match."""
    schedule = _valid()[3]
    assert schedule.patrol is not None
    bound = schedule.patrol.priority_covered - 10
    patrol = schedule.patrol.model_copy(update={
        "priority_upper_bound": bound,
        "covered_of_bound_pct": round(100 * schedule.patrol.priority_covered / bound, 2)})
    assert "summary" in _kinds(schedule.model_copy(update={"patrol": patrol}))


@pytest.mark.parametrize(("field", "delta"), [
    ("served_km", 0.5), ("deadhead_km", -0.5), ("deadhead_pct", 5.0), ("coverage_pct", 10.0),
    ("routes_used", 1), ("unassigned", -1), ("cost", 10.0), ("overtime_s", 60)])
def test_4_every_summary_figure_is_recomputed(field: str, delta: float) -> None:
    schedule = _valid()[3]
    summary = schedule.summary.model_copy(update={field: getattr(schedule.summary, field) + delta})
    assert "summary" in _kinds(schedule.model_copy(update={"summary": summary}))


@pytest.mark.parametrize(("field", "delta"), [("served_m", 100.0), ("deadhead_m", -100.0),
                                              ("cost", 5.0)])
def test_4_every_route_figure_is_recomputed(field: str, delta: float) -> None:
    schedule = _valid()[3]
    route = schedule.routes[0]
    bad = route.model_copy(update={field: getattr(route, field) + delta})
    assert "route" in _kinds(schedule.model_copy(update={"routes": (bad, *schedule.routes[1:])}))


@pytest.mark.parametrize("how", ["also walked", "walkable after all"])
def test_8_unassigned_streets_and_reasons_are_verified(how: str) -> None:
    schedule = _valid()[3]
    walked = next(s.street for r in schedule.routes for s in r.steps if s.type == "serve")
    if how == "also walked":
        extra = Unassigned(task=walked or "", street=walked or "", side="centre",
                           reason="the volunteers who could reach it had no time left for it")
        bad = schedule.model_copy(update={
            "unassigned": (*schedule.unassigned, extra),
            "summary": schedule.summary.model_copy(update={"unassigned": 2})})
        assert "unassigned" in _kinds(bad)
    else:  # the reason given for "nowhere", moved to a street of the file
        moved = schedule.unassigned[0].model_copy(update={"task": "ns01", "street": "ns01"})
        assert "reason" in _kinds(schedule.model_copy(update={"unassigned": (moved,)}))


@pytest.mark.parametrize("value", [math.inf, math.nan, -1.0])
def test_numbers_are_finite_and_not_negative(value: float) -> None:
    schedule = _valid()[3]
    assert schedule.patrol is not None
    patrol = schedule.patrol.model_copy(update={"priority_total": value})
    assert "number" in _kinds(schedule.model_copy(update={"patrol": patrol}))


@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(field=st.sampled_from([f for f, _ in KPIS] + ["walk metres", "walk time"]),
       scale=st.floats(1.0, 20.0), sign=st.sampled_from([1, -1]))
def test_a_random_change_of_a_number_is_caught(field: str, scale: float, sign: int) -> None:
    schedule = _valid()[3]
    r, i, walk = max(_walks(), key=lambda x: x[2].end - x[2].start)
    if field == "walk metres":
        bad = _with_step(r, i, distance_m=walk.distance_m + sign * 5 * scale)
    elif field == "walk time":  # starts later, so it walks faster than its volunteers can
        bad = _with_step(r, i, start=walk.start + round(5 * scale))
    else:
        assert schedule.patrol is not None
        now = getattr(schedule.patrol, field)
        delta = sign * (1 if isinstance(now, int) else 0.1 * scale)
        patrol = schedule.patrol.model_copy(update={field: now + delta})
        bad = schedule.model_copy(update={"patrol": patrol})
    assert _problems(bad), field
