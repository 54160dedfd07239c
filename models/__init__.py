"""streetcrew's data: validated, immutable models and their readers and writers (``io``).

Nothing here imports a solver.
"""

from streetcrew.models.base import InputError
from streetcrew.models.carp import CarpProblem, Link, Task
from streetcrew.models.io.carp import parse_carp, read_carp
from streetcrew.models.schedule import Schedule, Violation
from streetcrew.models.solution import CarpSolution, Service, solution_from_dict

__all__ = [
    "CarpProblem",
    "CarpSolution",
    "InputError",
    "Link",
    "Schedule",
    "Service",
    "Task",
    "Violation",
    "parse_carp",
    "read_carp",
    "solution_from_dict",
]
