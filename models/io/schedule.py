"""Read a ``schedule.json`` back: the current schema, or a clear refusal of another.

Files written before the schema had a version (``streetcrew`` 0.1: ``swept_km``,
``sweeping_rate_pct`` and routes whose ``vehicle`` was a patrol team) are refused with
the version they are and what to do; a newer version is refused the same way.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from streetcrew.models.base import InputError
from streetcrew.models.io.common import read_text
from streetcrew.models.schedule import SCHEMA_VERSION, Schedule


def read_schedule(path: str | Path) -> Schedule:
    file, text = read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(file, f"line {exc.lineno}", None, f"not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise InputError(file, None, None, "expected a schedule (a JSON object)")
    version = data.get("schema_version", 1)
    if version != SCHEMA_VERSION:
        raise InputError(file, None, "schema_version",
                         f"schema {version} (this streetcrew reads schema {SCHEMA_VERSION}): "
                         + ("made by an older streetcrew; plan again to get the current form"
                            if isinstance(version, int) and version < SCHEMA_VERSION else
                            "made by a newer streetcrew; update streetcrew to read it"))
    try:
        return Schedule.model_validate(data)
    except ValidationError as exc:
        raise InputError.from_validation(exc, file) from None
