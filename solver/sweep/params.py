"""What a sweeping plan is asked for: time, engine, districts, determinism."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

CHANGE_COST = 2.0  # a large sweeper's 670 m at the demo's 3 CNY/km


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
    # the same plan on every run: PyVRP bounded by iterations (``iterations``, else
    # ITERATIONS_PER_S per second of the time limit), OR-Tools by ``solutions`` (else
    # SOLUTIONS), no step cut by the clock; the time limit stays a safety cap
    deterministic: bool = False
    # a Dask scheduler ("tcp://host:port") to plan a city's districts on; None: local processes
    scheduler: str | None = None
    # the plan before (``plan --previous``): each vehicle shift's passes in order with the
    # direction swept (``vehicle#shift`` -> (task id, forward)), and what moving a pass to
    # another vehicle costs, in the fleet's currency: a pass keeps its vehicle unless moving
    # it saves more
    previous: dict[str, tuple[tuple[str, bool], ...]] | None = None
    change_cost: float = Field(default=CHANGE_COST, ge=0)
    # streets outside every district polygon of the bureau (``--districts``): not planned
    outside: frozenset[str] = frozenset()

    @property
    def bounded(self) -> bool:
        """The search is bounded by work, not by the clock: the same plan on every run."""
        return self.deterministic or self.solutions is not None or self.iterations is not None

    @property
    def work_limit(self) -> int | None:
        """PyVRP's iteration budget when the plan must not depend on the clock: ``iterations``,
        else ITERATIONS_PER_SOLUTION per solution asked of OR-Tools, else ITERATIONS_PER_S
        per second of the time limit."""
        if self.iterations is not None:
            return self.iterations
        if self.solutions is not None:
            return self.solutions * ITERATIONS_PER_SOLUTION
        return round(ITERATIONS_PER_S * self.time_limit) if self.deterministic else None

    @property
    def solution_limit(self) -> int | None:
        """OR-Tools' solution budget when the plan must not depend on the clock."""
        return self.solutions or (SOLUTIONS if self.bounded else None)


SOLUTIONS = 60  # OR-Tools solutions per search in a deterministic plan (as compare uses)
# Measured on the relaxed demo (1,068 passes) on this 2-core machine type: about 550 PyVRP
# iterations a second (450 on the bundled demo); half that leaves the time limit as a cap
# with room on a loaded machine.
ITERATIONS_PER_S = 250
ITERATIONS_PER_SOLUTION = 250  # --solutions 60 (compare, size): 15,000 PyVRP iterations


DISTRICT_TASKS = {"ortools": 500, "pyvrp": 3000}


def engine_of(params: PlanParams) -> str:
    """The engine a plan runs: a weight on the longest route needs OR-Tools' span cost."""
    return "ortools" if params.balance_weight else params.engine


def district_size(params: PlanParams) -> int:
    return params.district_tasks or DISTRICT_TASKS[engine_of(params)]

