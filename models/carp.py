"""The arc-routing problem as pure, validated data.

Indices are 0-based everywhere inside; the file's own vertex ids are kept in
``CarpProblem.node_ids`` for output and error messages. Costs and demands are
integers in the unit of the input (CARPLIB: abstract cost units).
"""

from __future__ import annotations

from pydantic import model_validator

from streetcrew.models.base import Frozen


class Link(Frozen):
    """A street link between two nodes that a vehicle may traverse.

    An undirected link (an *edge*) may be traversed both ways; a one-way link
    (an *arc*) only from ``u`` to ``v``.
    """

    u: int
    v: int
    cost: int
    oneway: bool = False

    @model_validator(mode="after")
    def _check(self) -> Link:
        if self.cost < 0:
            raise ValueError(f"cost must be >= 0, got {self.cost}")
        if self.u < 0 or self.v < 0:
            raise ValueError("node indices must be >= 0")
        return self


class Task(Frozen):
    """Required work on one link: served once, in one direction.

    ``link`` indexes ``CarpProblem.links``. A task on an undirected link may be
    served either way unless ``oneway`` is set, in which case only ``u -> v``.
    ``service_cost`` replaces the traversal cost while serving (CARP: equal).
    """

    link: int
    demand: int
    service_cost: int
    oneway: bool = False

    @model_validator(mode="after")
    def _check(self) -> Task:
        if self.demand < 0:
            raise ValueError(f"demand must be >= 0, got {self.demand}")
        if self.service_cost < 0:
            raise ValueError(f"service_cost must be >= 0, got {self.service_cost}")
        return self


class CarpProblem(Frozen):
    """A capacitated arc-routing problem: one depot, identical vehicles.

    ``vehicles_min`` is the file's vehicle count (in CARPLIB a lower bound on
    the number of routes, not a fleet limit); ``max_vehicles`` is a hard fleet
    limit when set, ``None`` meaning unlimited as in the literature.
    """

    name: str
    source: str | None = None
    node_ids: tuple[int, ...]
    links: tuple[Link, ...]
    tasks: tuple[Task, ...]
    capacity: int
    depot: int
    vehicles_min: int | None = None
    max_vehicles: int | None = None

    @property
    def num_nodes(self) -> int:
        return len(self.node_ids)

    @model_validator(mode="after")
    def _check(self) -> CarpProblem:
        n = len(self.node_ids)
        if self.capacity <= 0:
            raise ValueError(f"capacity must be > 0, got {self.capacity}")
        if not 0 <= self.depot < n:
            raise ValueError(f"depot index {self.depot} outside 0..{n - 1}")
        for i, link in enumerate(self.links):
            if link.u >= n or link.v >= n:
                raise ValueError(f"link {i} names a node outside 0..{n - 1}")
        seen: set[int] = set()
        for i, task in enumerate(self.tasks):
            if not 0 <= task.link < len(self.links):
                raise ValueError(f"task {i} names unknown link {task.link}")
            if task.link in seen:
                raise ValueError(f"task {i}: link {task.link} already has a task")
            seen.add(task.link)
            if task.demand > self.capacity:
                raise ValueError(
                    f"task {i}: demand {task.demand} exceeds capacity {self.capacity}"
                )
            if self.links[task.link].oneway and not task.oneway:
                raise ValueError(f"task {i}: link {task.link} is one-way, task is not")
        return self

    def task_ends(self, task: int, forward: bool) -> tuple[int, int]:
        """(start node, end node) of serving ``task`` in the given direction."""
        link = self.links[self.tasks[task].link]
        return (link.u, link.v) if forward else (link.v, link.u)

    def label(self, node: int) -> int:
        """The file's id of an internal node index."""
        return self.node_ids[node]
