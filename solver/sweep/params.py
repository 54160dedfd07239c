"""What a sweeping plan is asked for: time, engine, districts, determinism."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class PlanParams(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    time_limit: float = Field(default=60.0, gt=0)
    max_snap_m: float = Field(default=500.0, gt=0)
    balance_weight: int = Field(default=0, ge=0)
    # above this many curb passes, plan by districts (None: the engine's own size, below)
    district_tasks: int | None = Field(default=None, ge=1)
    workers: int = Field(default=0, ge=0)  # processes for districts; 0: every core
    seed: int = Field(default=0, ge=0)  # > 0: the tasks reach the search in a shuffled order
    # stop each OR-Tools search after this many solutions (time_limit stays a safety cap):
    # the plan then depends on the inputs and seed only, not on the machine's speed
    solutions: int | None = Field(default=None, ge=1)
    # pyvrp: PyVRP's search with the dumps inside it (default); ortools: the OR-Tools model
    # with reload time spread over the tasks (the baseline)
    engine: Literal["pyvrp", "ortools"] = "pyvrp"
    iterations: int | None = Field(default=None, ge=1)  # pyvrp: a limit on work, not time


DISTRICT_TASKS = {"ortools": 500, "pyvrp": 3000}


def engine_of(params: PlanParams) -> str:
    """The engine a plan runs: a weight on the longest route needs OR-Tools' span cost."""
    return "ortools" if params.balance_weight else params.engine


def district_size(params: PlanParams) -> int:
    return params.district_tasks or DISTRICT_TASKS[engine_of(params)]

