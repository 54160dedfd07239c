"""Solutions of the arc-routing core and the violations a checker reports."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from streetcrew.models.carp import CarpProblem
from streetcrew.models.schedule import Violation

__all__ = ["CarpSolution", "Service", "Violation", "solution_from_dict"]


class Service(BaseModel):
    """One served task: the task index and whether it runs ``u -> v``."""

    model_config = ConfigDict(frozen=True)
    task: int
    forward: bool


class CarpSolution(BaseModel):
    """Routes, each the ordered services of one vehicle from and to the depot.

    Deadheads are the shortest paths between consecutive services. ``cost`` is
    what the producer claims; the checker recomputes it and never trusts it.
    """

    model_config = ConfigDict(frozen=True)
    instance: str
    routes: tuple[tuple[Service, ...], ...]
    cost: int

    @property
    def vehicles(self) -> int:
        return sum(1 for r in self.routes if r)

    def to_dict(self, problem: CarpProblem) -> dict[str, Any]:
        """The JSON form: routes of ``[from, to]`` in file vertex ids."""
        routes = []
        for route in self.routes:
            if not route:
                continue
            out = []
            for s in route:
                a, b = problem.task_ends(s.task, s.forward)
                out.append([problem.label(a), problem.label(b)])
            routes.append(out)
        return {
            "instance": self.instance,
            "cost": self.cost,
            "vehicles": self.vehicles,
            "routes": routes,
        }


def solution_from_dict(
    problem: CarpProblem, data: Any, file: str = "<solution>"
) -> CarpSolution:
    """Parse the JSON form back, mapping ``[from, to]`` file ids to services.

    A pair that is not a required link of the problem, or runs against a
    one-way task, is an :class:`~models.errors.InputError` naming the route
    and position. Coverage and capacity are the checker's business, not ours.
    """
    from streetcrew.models.base import InputError

    if not isinstance(data, dict):
        raise InputError(file, None, None, "expected a JSON object")
    for key in ("routes",):
        if key not in data:
            raise InputError(file, None, key, "missing")
    index = {vid: i for i, vid in enumerate(problem.node_ids)}
    by_ends: dict[tuple[int, int], tuple[int, bool]] = {}
    for t, task in enumerate(problem.tasks):
        link = problem.links[task.link]
        by_ends[(link.u, link.v)] = (t, True)
        if not task.oneway:
            by_ends[(link.v, link.u)] = (t, False)
    routes = []
    if not isinstance(data["routes"], list):
        raise InputError(file, None, "routes", "expected a list of routes")
    for r, raw_route in enumerate(data["routes"], start=1):
        if not isinstance(raw_route, list):
            raise InputError(file, f"route {r}", "routes", "expected a list of [from, to]")
        route = []
        for k, pair in enumerate(raw_route, start=1):
            rec = f"route {r}, service {k}"
            if (
                not isinstance(pair, list)
                or len(pair) != 2
                or not all(isinstance(x, int) for x in pair)
            ):
                raise InputError(file, rec, "routes", f"expected [from, to] integers, got {pair!r}")
            a, b = pair
            for x in (a, b):
                if x not in index:
                    raise InputError(file, rec, "routes", f"unknown vertex {x}")
            hit = by_ends.get((index[a], index[b]))
            if hit is None:
                raise InputError(
                    file, rec, "routes",
                    f"[{a}, {b}] is not a required edge (in that direction)",
                )
            route.append(Service(task=hit[0], forward=hit[1]))
        routes.append(tuple(route))
    cost = data.get("cost", 0)
    if not isinstance(cost, int):
        raise InputError(file, None, "cost", f"expected an integer, got {cost!r}")
    return CarpSolution(
        instance=str(data.get("instance", problem.name)), routes=tuple(routes), cost=cost
    )
