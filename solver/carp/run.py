"""The CARP workflow: read a CARPLIB instance, solve, check, write the solution as JSON."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from streetcrew.models.base import InputError
from streetcrew.models.carp import CarpProblem
from streetcrew.models.io.carp import read_carp
from streetcrew.models.io.common import read_text
from streetcrew.models.schedule import Violation
from streetcrew.models.solution import CarpSolution, solution_from_dict
from streetcrew.solver.carp.check import check
from streetcrew.solver.carp.params import SolveParams
from streetcrew.solver.carp.solve import solve


@dataclass
class SolveRun:
    problem: CarpProblem
    solution: CarpSolution
    violations: list[Violation]
    wall_s: float
    written: Path | None = None


def run(path: Path, params: SolveParams | None = None, json_out: Path | None = None
        ) -> SolveRun:
    """Solve and check; the JSON is written only when the checker finds nothing.

    Raises :class:`~streetcrew.solver.carp.solve.NoSolutionError` when no engine found
    a solution in time.
    """
    problem = read_carp(path)
    start = time.perf_counter()
    solution = solve(problem, params or SolveParams())
    wall = time.perf_counter() - start
    result = SolveRun(problem, solution, check(problem, solution), wall)
    if json_out is not None and not result.violations:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(solution.to_dict(problem), indent=1) + "\n",
                            encoding="utf-8")
        result.written = json_out
    return result


def recheck(dat: Path, solution_json: Path) -> tuple[CarpProblem, CarpSolution, list[Violation]]:
    """A solution file (``solve --json``) read and checked against its instance."""
    problem = read_carp(dat)
    file, text = read_text(solution_json)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(file, f"line {exc.lineno}", None, f"not valid JSON: {exc.msg}") from None
    solution = solution_from_dict(problem, data, file=file)
    return problem, solution, check(problem, solution)
