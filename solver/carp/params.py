"""Solver parameters: a validated model that can also be loaded from a file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Engine = Literal["auto", "ortools", "pyvrp"]


class SolveParams(BaseModel):
    """How long, how, and with what randomness to solve.

    ``time_limit`` is wall seconds for the whole solve (model building
    included). ``workers`` is the number of processes (default: all cores).
    ``fleet_slack`` routes are allowed above the file's vehicle count when the
    problem sets no hard fleet limit: best known CARP solutions sometimes use
    one more route than ceil(demand / capacity).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    time_limit: float = Field(default=10.0, gt=0)
    seed: int = Field(default=0, ge=0)
    engine: Engine = "auto"
    workers: int = Field(default_factory=lambda: max(1, os.cpu_count() or 1), ge=1)
    fleet_slack: int = Field(default=1, ge=0)

    @classmethod
    def from_file(cls, path: str | Path) -> SolveParams:
        return cls.model_validate(json.loads(Path(path).read_text()))
