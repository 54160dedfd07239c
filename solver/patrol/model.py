"""The patrol model's data: parameters, teams, one meeting point's job, and the constants
that weigh coverage against walking time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from streetcrew.models.network import StreetNetwork
from streetcrew.models.streets import Street
from streetcrew.solver.graph.paths import ShortestPaths

CASE_SNAP_M = 100.0  # a case farther than this from every walkable street is not used


CASE_WEIGHT = 10.0  # priority a fresh case adds to its street


HALF_LIFE_DAYS = 7.0


PRIZE_S = 3600  # walking seconds one point of priority is worth: coverage comes first


MUST_COST = 10**8


class PatrolParams(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    time_limit: float = Field(default=60.0, gt=0)
    max_snap_m: float = Field(default=300.0, gt=0)
    balance: int = Field(default=1, ge=0)
    workers: int = Field(default=0, ge=0)
    rest_days: float = Field(default=0.0, ge=0)  # a street walked less than this ago rests
    # stop each OR-Tools search after this many solutions and try every greedy variant:
    # the plan depends on the inputs only (time_limit stays a safety cap)
    solutions: int | None = Field(default=None, ge=1)
    # ortools: the routing model with a weight on the longest walk (default); pyvrp: PyVRP's
    # prize-collecting search from the same greedy start
    engine: Literal["ortools", "pyvrp"] = "ortools"


@dataclass(frozen=True)
class Team:
    """Who walks one route: a volunteer or a buddy pair."""

    id: str
    node: int
    start: int
    end: int
    max_s: int
    mps: float
    mode: str
    kinds: frozenset[str] = frozenset()  # the services the team takes part in; empty: all


@dataclass
class Job:
    streets: list[Street]
    network: StreetNetwork
    paths: ShortestPaths
    teams: list[Team]
    links: list[int]
    prio: np.ndarray
    must: set[str]
    index: dict[str, int]
    params: PatrolParams
    reported: dict[int, set[str]]  # street -> kinds of the cases on it
    first: list[list[tuple[int, bool]]]  # per team: a first route, (street, forward)
