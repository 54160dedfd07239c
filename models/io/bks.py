"""Reader for ``bks.csv``: lower bounds and best known values per benchmark instance.

Columns (see ``instances/carp/README.md``): ``set, instance, vertices, required_edges, edges,
capacity, vehicles_min, lower_bound, best_known, best_known_optimal, source``. Values are total
route costs (service plus deadheading), in the cost unit of the instance files.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from streetcrew.models.base import InputError
from streetcrew.models.carp import CarpProblem

COLUMNS = (
    "set",
    "instance",
    "vertices",
    "required_edges",
    "edges",
    "capacity",
    "vehicles_min",
    "lower_bound",
    "best_known",
    "best_known_optimal",
    "source",
)


class BestKnown(BaseModel):
    """One row of ``bks.csv``; ``lower_bound`` is ``None`` where no valid bound is known."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    set: str = Field(min_length=1)
    instance: str = Field(min_length=1)
    vertices: int = Field(gt=0)
    required_edges: int = Field(ge=0)
    edges: int = Field(ge=0)
    capacity: int = Field(gt=0)
    vehicles_min: int = Field(ge=0)
    lower_bound: int | None = Field(default=None, ge=0)
    best_known: int = Field(ge=0)
    best_known_optimal: Literal["yes", "no"]
    source: str = ""

    @field_validator("lower_bound", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    def matches(self, problem: CarpProblem) -> bool:
        """True if ``problem`` has this row's size and capacity (guards against a user's file
        that merely shares a bundled instance's name)."""
        return (
            problem.num_nodes == self.vertices
            and len(problem.tasks) == self.required_edges
            and len(problem.links) == self.edges
            and problem.capacity == self.capacity
        )


def read_bks(path: str | Path) -> dict[str, BestKnown]:
    """Rows of ``bks.csv`` keyed by instance name (the ``.dat`` file's stem)."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(file, None, None, f"cannot read file: {exc.strerror}") from exc
    reader = csv.DictReader(text.splitlines())
    header = reader.fieldnames or []
    for column in COLUMNS:
        if column not in header:
            raise InputError(file, "line 1", column, "missing column")
    out: dict[str, BestKnown] = {}
    for row_no, row in enumerate(reader, start=1):
        record = f"row {row_no} (line {reader.line_num})"
        if None in row:
            raise InputError(file, record, None, f"more values than the {len(header)} columns")
        values = {k: (v.strip() if isinstance(v, str) else v) for k, v in row.items()}
        missing = [k for k in COLUMNS if values.get(k) is None]
        if missing:
            raise InputError(file, record, missing[0], "missing value")
        try:
            entry = BestKnown.model_validate({k: values[k] for k in COLUMNS})
        except ValidationError as exc:
            err = exc.errors()[0]
            field = str(err["loc"][0]) if err["loc"] else None
            raise InputError(
                file, record, field, f"{err['msg']}, got {err.get('input')!r}"
            ) from None
        if entry.instance in out:
            raise InputError(file, record, "instance", f"{entry.instance!r} listed twice")
        out[entry.instance] = entry
    return out


def best_known_values(path: str | Path) -> dict[str, int]:
    """Instance name -> best known value."""
    return {name: row.best_known for name, row in read_bks(path).items()}
