"""Property: a random crew and week of duties -> roster -> the independent checker passes,
and every duty role is either staffed or listed uncovered with a reason."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streetcrew.models.crew import WEEKDAYS, CrewMember, CrewRules, Duty
from streetcrew.solver.crews.check import check_roster
from streetcrew.solver.crews.engine_pulp import solve_roster

MON = dt.date(2026, 11, 30)
TYPES = ("large", "small")
DEPOTS = ("D1", "D2")


@st.composite
def members(draw: st.DrawFn, ident: str) -> CrewMember:
    role = draw(st.sampled_from(["driver", "helper", "both"]))
    licences = tuple(draw(st.lists(st.sampled_from(TYPES), min_size=1, max_size=2,
                                   unique=True))) if role != "helper" else ()
    days = tuple(d for d in WEEKDAYS if draw(st.booleans())) or ("mon",)
    start = draw(st.integers(0, 8)) * 3600
    return CrewMember(id=ident, role=role, licences=licences, depot=draw(st.sampled_from(DEPOTS)),
                      days=days, available_from=start,
                      available_to=start + draw(st.integers(6, 16)) * 3600)


@st.composite
def duty_lists(draw: st.DrawFn) -> list[Duty]:
    out = []
    for d in range(draw(st.integers(1, 4))):
        for r in range(draw(st.integers(1, 3))):
            begin = draw(st.integers(3, 14)) * 3600
            vtype = draw(st.sampled_from(TYPES))
            out.append(Duty(day=MON + dt.timedelta(days=d), route=f"R{r}", vehicle=f"R{r}",
                            vehicle_type=vtype, depot=draw(st.sampled_from(DEPOTS)),
                            start=begin, end=begin + draw(st.integers(2, 9)) * 3600,
                            helper=vtype == "large"))
    return out


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 6).flatmap(
    lambda n: st.tuples(*(members(f"P{k}") for k in range(n)))), duty_lists())
def test_random_roster_passes_the_checker(crew: tuple[CrewMember, ...],
                                          duties: list[Duty]) -> None:
    rules = CrewRules(time_limit=10)
    roster = solve_roster(duties, list(crew), rules)
    assert check_roster(roster, list(crew), rules) == []
    uncovered = {(u.day, u.route, u.role) for u in roster.uncovered}
    assert all(u.reason for u in roster.uncovered)
    for a in roster.assignments:
        assert a.driver is not None or (a.day, a.route, "driver") in uncovered
        if a.helper_needed:
            assert a.helper is not None or (a.day, a.route, "helper") in uncovered
