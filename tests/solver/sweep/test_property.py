"""Property: a random small street grid and fleet -> plan -> the independent checker passes,
and every curb pass is either swept or listed unassigned with a reason."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streetcrew.models.fleet import Fleet
from streetcrew.models.network import build_network
from streetcrew.models.streets import Street
from streetcrew.solver.sweep import run
from streetcrew.solver.sweep.params import PlanParams
from streetcrew.solver.sweep.tasks import build_tasks
from tests.helpers import grid, grid_fleet


@st.composite
def districts(draw: st.DrawFn) -> tuple[list[Street], Fleet]:
    size = draw(st.integers(2, 3))  # smaller grids leave the depot off the network
    cells = [(i, j) for i in range(size + 1) for j in range(size)]
    oneway = tuple(draw(st.lists(st.sampled_from(cells), max_size=3, unique=True)))
    streets = grid(size, oneway)
    classes = st.sampled_from(["residential", "service", "tertiary"])
    streets = [s.model_copy(update={"road_class": draw(classes),
                                    "sweeps_per_day": draw(st.integers(0, 2))})
               for s in streets]
    fleet = grid_fleet()
    keep = draw(st.integers(1, len(fleet.vehicles)))
    shift = draw(st.integers(2, 8)) * 3600  # short shifts leave work undone: still checked
    vehicles = tuple(v.model_copy(update={"shift_end": v.shift_start + shift, "breaks": ()})
                     for v in fleet.vehicles[:keep])
    return streets, fleet.model_copy(update={"vehicles": vehicles})


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(districts(), st.integers(0, 3))
def test_random_district_plan_passes_the_checker(case: tuple[list[Street], Fleet],
                                                 seed: int) -> None:
    streets, fleet = case
    schedule = run.plan(streets, fleet, PlanParams(time_limit=5, seed=seed, solutions=20,
                                                   workers=1))
    assert schedule.checked and list(schedule.violations) == []
    served = {st.task for r in schedule.routes for st in r.steps if st.type == "serve"}
    left = {u.task for u in schedule.unassigned}
    assert all(u.reason for u in schedule.unassigned)
    tasks, _ = build_tasks(streets, build_network(streets), fleet)
    assert {t.id for t in tasks} <= served | left  # nothing silently dropped
    assert not served & left
