"""Optimal service directions and cover-to-partition repair."""

from __future__ import annotations

import itertools
import random

import pytest

from streetcrew.models import read_carp
from streetcrew.solver.carp.improve import best_directions, drop_repeats
from streetcrew.solver.carp.taskgraph import TaskGraph
from tests.helpers import CARP


@pytest.fixture(scope="module")
def graph() -> TaskGraph:
    return TaskGraph.build(read_carp(CARP / "val" / "val1A.dat"))


def _brute(graph: TaskGraph, tasks: list[int]) -> int:
    best = None
    for dirs in itertools.product((0, 1), repeat=len(tasks)):
        nodes = [1 + 2 * t + d for t, d in zip(tasks, dirs)]
        c = graph.route_cost(nodes)
        best = c if best is None else min(best, c)
    assert best is not None
    return best


def test_directions_match_brute_force(graph: TaskGraph) -> None:
    rng = random.Random(7)
    m = len(graph.problem.tasks)
    for _ in range(30):
        tasks = rng.sample(range(m), rng.randint(1, 8))
        start = [1 + 2 * t + rng.randint(0, 1) for t in tasks]
        nodes, cost = best_directions(graph, start)
        assert [(x - 1) // 2 for x in nodes] == tasks  # order kept
        assert cost == graph.route_cost(nodes)
        assert cost == _brute(graph, tasks)
        assert cost <= graph.route_cost(start)


def test_empty_route_costs_nothing(graph: TaskGraph) -> None:
    assert best_directions(graph, []) == ([], 0)


def test_drop_repeats_keeps_each_task_once_and_never_costs_more(graph: TaskGraph) -> None:
    rng = random.Random(3)
    m = len(graph.problem.tasks)
    tasks = list(range(m))
    rng.shuffle(tasks)
    routes = [[1 + 2 * t for t in tasks[i : i + 8]] for i in range(0, m, 8)]
    # serve five tasks a second time in other routes
    for t in tasks[:5]:
        routes[rng.randrange(len(routes))].append(2 + 2 * t)
    routes[0].append(routes[0][0])  # and one twice in the same route
    before = sum(graph.route_cost(r) for r in routes)
    fixed = drop_repeats(graph, routes)
    served = sorted((x - 1) // 2 for r in fixed for x in r)
    assert served == list(range(m))
    assert sum(graph.route_cost(r) for r in fixed) <= before
