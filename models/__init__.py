"""streetcrew data models and readers (pure data: no solver imports)."""

from streetcrew.models.carp import CarpProblem, Link, Task
from streetcrew.models.base import InputError
from streetcrew.models.io.carp import parse_carp, read_carp
from streetcrew.models.solution import CarpSolution, Service, Violation, solution_from_dict

__all__ = [
    "CarpProblem",
    "CarpSolution",
    "InputError",
    "Link",
    "Service",
    "Task",
    "Violation",
    "parse_carp",
    "read_carp",
    "solution_from_dict",
]
