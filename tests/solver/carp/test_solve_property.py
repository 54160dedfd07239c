"""Property: random small connected instances -> solve (pyvrp) -> the checker passes."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from streetcrew.models.carp import CarpProblem, Link, Task
from streetcrew.solver.carp.check import check
from streetcrew.solver.carp.params import SolveParams
from streetcrew.solver.carp.solve import solve


@st.composite
def carp_instances(draw: st.DrawFn) -> CarpProblem:
    n = draw(st.integers(4, 8))
    # a random spanning tree keeps the graph connected, extra edges add cycles
    pairs = {tuple(sorted((v, draw(st.integers(0, v - 1))))) for v in range(1, n)}
    all_pairs = [(u, v) for u in range(n) for v in range(u + 1, n)]
    extra = draw(st.lists(st.sampled_from(all_pairs), max_size=n))
    pairs |= set(extra)
    links = [Link(u=u, v=v, cost=draw(st.integers(1, 20))) for u, v in sorted(pairs)]
    required = draw(
        st.lists(st.booleans(), min_size=len(links), max_size=len(links)).filter(any)
    )
    demands = [draw(st.integers(1, 10)) for _ in links]
    max_demand = max(d for d, r in zip(demands, required) if r)
    capacity = draw(st.integers(max_demand, max_demand * 4))
    tasks = [
        Task(link=i, demand=demands[i], service_cost=links[i].cost)
        for i, r in enumerate(required) if r
    ]
    return CarpProblem(
        name="random",
        node_ids=tuple(range(1, n + 1)),
        links=tuple(links),
        tasks=tuple(tasks),
        capacity=capacity,
        depot=draw(st.integers(0, n - 1)),
    )


# Five demands of 6, capacity 10: needs 5 routes, more than ceil(30 / 10) + 1.
STAR = CarpProblem(
    name="star",
    node_ids=tuple(range(1, 7)),
    links=tuple(Link(u=0, v=i, cost=3) for i in range(1, 6)),
    tasks=tuple(Task(link=i, demand=6, service_cost=3) for i in range(5)),
    capacity=10,
    depot=0,
)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=carp_instances(), seed=st.integers(0, 1000))
@example(problem=STAR, seed=0)
def test_solution_of_random_instance_passes_checker(problem: CarpProblem, seed: int) -> None:
    solution = solve(problem, SolveParams(engine="pyvrp", time_limit=0.3, seed=seed, workers=1))
    assert check(problem, solution) == []
    served = sorted(s.task for route in solution.routes for s in route)
    assert served == list(range(len(problem.tasks)))
    assert all(
        sum(problem.tasks[s.task].demand for s in route) <= problem.capacity
        for route in solution.routes
    )
    assert solution.cost >= sum(t.service_cost for t in problem.tasks)
