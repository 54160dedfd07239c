"""streetcrew data models and readers (pure data: no solver imports)."""

from models.carp import CarpProblem, Link, Task
from models.errors import InputError
from models.read_carp import parse_carp, read_carp
from models.solution import CarpSolution, Service, Violation, solution_from_dict

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
