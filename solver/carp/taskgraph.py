"""The task graph every engine shares: each direction of a task is a node.

Node 0 is the depot; task ``t`` served forward is node ``1 + 2t`` and backward
``2 + 2t`` (a one-way task has only its forward node; its backward node is
marked unusable). ``cost[i, j]`` = deadhead from the end of ``i`` to the start
of ``j`` plus the service cost of ``j``: a route's cost is the sum of its
consecutive ``cost`` entries, depot to depot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from streetcrew.models.carp import CarpProblem
from streetcrew.models.solution import Service
from streetcrew.solver.graph.paths import UNREACHABLE, ShortestPaths, shortest_paths

BIG = 10**9  # cost of an unusable move; larger than any real route


@dataclass
class TaskGraph:
    problem: CarpProblem
    paths: ShortestPaths
    start: np.ndarray  # node where each task node's service starts
    end: np.ndarray  # node where it ends
    service: np.ndarray  # service cost per task node (0 for the depot)
    demand: np.ndarray  # demand per task node
    usable: np.ndarray  # False for the missing direction of one-way tasks

    @classmethod
    def build(cls, problem: CarpProblem) -> TaskGraph:
        m = len(problem.tasks)
        size = 1 + 2 * m
        start = np.full(size, problem.depot, dtype=np.int64)
        end = start.copy()
        service = np.zeros(size, dtype=np.int64)
        demand = np.zeros(size, dtype=np.int64)
        usable = np.ones(size, dtype=bool)
        for t, task in enumerate(problem.tasks):
            link = problem.links[task.link]
            for k, (a, b) in enumerate(((link.u, link.v), (link.v, link.u))):
                i = 1 + 2 * t + k
                start[i], end[i] = a, b
                service[i] = task.service_cost
                demand[i] = task.demand
            if task.oneway:
                usable[2 + 2 * t] = False
        sources = np.unique(np.concatenate([end, [problem.depot]]))
        paths = shortest_paths(problem.num_nodes, problem.links, sources)
        return cls(problem, paths, start, end, service, demand, usable)

    @property
    def size(self) -> int:
        return len(self.start)

    @cached_property
    def cost(self) -> np.ndarray:
        """Full (size x size) int64 matrix; unusable nodes cost ``BIG``."""
        rows = np.array([self.paths.row[int(e)] for e in self.end])
        dead = self.paths.dist[rows][:, self.start]
        c = np.where(dead >= UNREACHABLE, BIG, dead + self.service[None, :])
        c[:, ~self.usable] = BIG
        c[~self.usable, :] = BIG
        np.fill_diagonal(c, 0)
        return c.astype(np.int64)

    @staticmethod
    def node(service: Service) -> int:
        return 1 + 2 * service.task + (0 if service.forward else 1)

    @staticmethod
    def service_of(node: int) -> Service:
        return Service(task=(node - 1) // 2, forward=(node - 1) % 2 == 0)

    def route_cost(self, nodes: Sequence[int]) -> int:
        c = self.cost
        total, prev = 0, 0
        for x in nodes:
            total += int(c[prev, x])
            prev = x
        return total + int(c[prev, 0])
