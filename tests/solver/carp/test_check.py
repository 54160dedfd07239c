"""solver/check.py: accepts the certificates with their stated costs, rejects broken solutions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from streetcrew import instances
from streetcrew.models.carp import CarpProblem, Link, Task
from streetcrew.models.io.carp import read_carp
from streetcrew.models.solution import CarpSolution, Service, solution_from_dict
from streetcrew.solver.carp.check import check, recompute_cost

_ROUTE = re.compile(r"^route load=(\d+) cost=(\d+):\s*(.*)$")
_TOTAL = re.compile(r"^total (\d+)$")

CERTIFICATES = sorted(instances.certificates_dir().glob("*.txt"))


def read_certificate(path: Path) -> tuple[list[tuple[int, int, list[list[int]]]], int]:
    """Routes as (load, cost, [[i, j], ...]) in file vertex ids, and the stated total."""
    routes, total = [], None
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if m := _ROUTE.match(line):
            pairs = [[int(x) for x in p.split()] for p in m[3].split(",")]
            routes.append((int(m[1]), int(m[2]), pairs))
        elif m := _TOTAL.match(line):
            total = int(m[1])
        else:
            raise AssertionError(f"{path}: unexpected line {line!r}")
    assert routes and total is not None
    return routes, total


def certificate_solution(path: Path) -> tuple[CarpProblem, CarpSolution, list[tuple[int, int]]]:
    instance = path.stem.split("-")[0]
    problem = read_carp(instances.carp_set_dir("val") / f"{instance}.dat")
    routes, total = read_certificate(path)
    data = {"instance": instance, "cost": total, "routes": [r[2] for r in routes]}
    return problem, solution_from_dict(problem, data), [(r[0], r[1]) for r in routes]


def with_routes(problem: CarpProblem, routes: list[list[Service]]) -> CarpSolution:
    """A solution claiming its true cost, so only the defect under test is reported."""
    draft = CarpSolution(instance=problem.name, routes=tuple(map(tuple, routes)), cost=0)
    cost, _ = recompute_cost(problem, draft)
    return draft.model_copy(update={"cost": cost})


def kinds(problem: CarpProblem, solution: CarpSolution) -> set[str]:
    return {v.kind for v in check(problem, solution)}


def test_certificates_are_bundled() -> None:
    assert [p.name for p in CERTIFICATES] == ["val5D-575.txt", "val9D-390.txt"]


@pytest.mark.parametrize("path", CERTIFICATES, ids=lambda p: p.stem)
def test_certificate_is_feasible_at_its_stated_cost(path: Path) -> None:
    problem, solution, stated = certificate_solution(path)
    assert check(problem, solution) == []
    assert solution.cost == int(path.stem.split("-")[1])
    for route, (load, cost) in zip(solution.routes, stated, strict=True):
        assert sum(problem.tasks[s.task].demand for s in route) == load
        one = CarpSolution(instance=problem.name, routes=(route,), cost=cost)
        assert recompute_cost(problem, one) == (cost, [])


def test_hand_computed_solution_on_tiny(tiny: CarpProblem) -> None:
    # route 1: serve 1->2 (3), 2->3 (2), deadhead 3->2->1 (5) = 10, load 2
    # route 2: serve 1->4 (5), 4->3 (4), deadhead 3->2->1 (5) = 14, load 3
    data = {"routes": [[[1, 2], [2, 3]], [[1, 4], [4, 3]]], "cost": 24}
    solution = solution_from_dict(tiny, data)
    assert check(tiny, solution) == []
    assert check(tiny, solution.model_copy(update={"cost": 23}))[0].kind == "cost"


@pytest.fixture
def val5d() -> tuple[CarpProblem, CarpSolution]:
    problem, solution, _ = certificate_solution(instances.certificates_dir() / "val5D-575.txt")
    return problem, solution


def test_rejects_missing_edge(val5d) -> None:
    problem, solution = val5d
    routes = [list(r) for r in solution.routes]
    dropped = routes[0].pop(1)
    violations = check(problem, with_routes(problem, routes))
    assert [v.kind for v in violations] == ["coverage"]
    link = problem.links[problem.tasks[dropped.task].link]
    assert f"({link.u + 1}, {link.v + 1}) served 0 times" in violations[0].message


def test_rejects_edge_served_twice(val5d) -> None:
    problem, solution = val5d
    routes = [list(r) for r in solution.routes]
    routes.append([routes[0][0]])
    violations = check(problem, with_routes(problem, routes))
    assert [v.kind for v in violations] == ["coverage"]
    assert "served 2 times" in violations[0].message


def test_rejects_overloaded_route(val5d) -> None:
    problem, solution = val5d
    routes = [list(r) for r in solution.routes]
    merged = routes[0] + routes[1]  # loads 26 + 75 > capacity 75
    violations = check(problem, with_routes(problem, [merged, *routes[2:]]))
    assert [v.kind for v in violations] == ["capacity"]
    assert violations[0].where == "route 1"
    assert "load 101 exceeds capacity 75" in violations[0].message


def test_rejects_wrong_claimed_cost(val5d) -> None:
    problem, solution = val5d
    for claimed in (solution.cost - 1, solution.cost + 1, 0):
        violations = check(problem, solution.model_copy(update={"cost": claimed}))
        assert [v.kind for v in violations] == ["cost"]
        assert f"recomputed {solution.cost}" in violations[0].message


def test_rejects_unknown_task(tiny: CarpProblem) -> None:
    solution = CarpSolution(
        instance="tiny", routes=((Service(task=7, forward=True),),), cost=0
    )
    assert kinds(tiny, solution) == {"unknown-task"}


def test_rejects_one_way_task_served_backwards() -> None:
    problem = CarpProblem(
        name="oneway",
        node_ids=(1, 2),
        links=(Link(u=0, v=1, cost=4, oneway=True), Link(u=1, v=0, cost=6, oneway=True)),
        tasks=(Task(link=0, demand=1, service_cost=4, oneway=True),),
        capacity=5,
        depot=0,
    )
    good = with_routes(problem, [[Service(task=0, forward=True)]])
    assert good.cost == 10 and check(problem, good) == []
    bad = with_routes(problem, [[Service(task=0, forward=False)]])
    assert "direction" in kinds(problem, bad)


def test_fleet_limit(tiny: CarpProblem) -> None:
    problem = tiny.model_copy(update={"max_vehicles": 1})
    solution = solution_from_dict(problem, {"routes": [[[1, 2], [2, 3]], [[1, 4], [4, 3]]],
                                            "cost": 24})
    assert kinds(problem, solution) == {"fleet"}
