"""What every model shares: the frozen base, input errors, clock times and dates.

Units in one place: clock times are whole seconds after midnight of the plan date
(hours may pass 24: a night shift ends at ``26:00``), dates are :class:`datetime.date`
inside and ``YYYY-MM-DD`` in files and on the command line.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

DAY_S = 24 * 3600


class Frozen(BaseModel):
    """Immutable, and unknown fields are errors: every data model in the package."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Input(Frozen):
    """A model read from an input file: as :class:`Frozen`, and ``nan`` or ``inf`` in any
    number is an error (plausible ranges: :mod:`models.bounds`)."""

    model_config = ConfigDict(allow_inf_nan=False)


class InputError(ValueError):
    """Raised by every reader when its input is malformed.

    ``file`` is the path as given, ``record`` says where in the file (``line 12``,
    ``feature 3``, ``row 7``) and ``field`` names the field that is wrong.
    """

    def __init__(
        self,
        file: str | None,
        record: str | None,
        field: str | None,
        message: str,
    ) -> None:
        self.file = file
        self.record = record
        self.field = field
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = [p for p in (self.file, self.record) if p]
        head = ", ".join(where) if where else "input"
        fld = f" field {self.field!r}:" if self.field else ""
        return f"{head}:{fld} {self.message}"

    @classmethod
    def from_validation(
        cls, exc: ValidationError, file: str | None, record: str | None = None,
        fields: dict[str, str] | None = None,
    ) -> InputError:
        """The first error pydantic found, as an input error naming its field.

        ``fields`` renames a model field to the name the file uses for it.
        """
        err = exc.errors()[0]
        loc = ".".join(str(x) for x in err["loc"]) or None
        if loc is not None and fields:
            loc = fields.get(loc, loc)
        msg = ("unknown field" if err["type"] == "extra_forbidden"
               else str(err["msg"]).removeprefix("Value error, "))
        return cls(file, record, loc, msg)


def parse_clock(text: str) -> int:
    """``"HH:MM"`` or ``"HH:MM:SS"`` (hours may reach 48) to seconds after midnight."""
    parts = text.strip().split(":")
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
        raise ValueError(f"expected HH:MM, got {text!r}")
    h, m, s = (int(p) for p in (parts + ["0"])[:3])
    if m >= 60 or s >= 60 or h > 48:
        raise ValueError(f"expected HH:MM, got {text!r}")
    return h * 3600 + m * 60 + s


def format_clock(seconds: int) -> str:
    """Seconds after midnight to ``"HH:MM"`` (``"HH:MM:SS"`` when needed; hours may pass 24)."""
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}" + (f":{s:02d}" if s else "")


def hhmm(seconds: int) -> str:
    """Clock time to the nearest minute, hours going on past midnight (``26:05``)."""
    minutes = (seconds + 30) // 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_date(text: str, file: str | None = None, record: str | None = None,
               field: str = "date") -> dt.date:
    """``YYYY-MM-DD`` to a date; anything else is an :class:`InputError` naming ``field``."""
    try:
        return dt.date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise InputError(file, record, field, f"expected YYYY-MM-DD, got {text!r}") from None


def days_from(first: dt.date, count: int) -> list[dt.date]:
    """``count`` consecutive days from ``first``."""
    return [first + dt.timedelta(days=k) for k in range(count)]


def as_json(value: Any) -> Any:
    """A date as ISO text (for JSON written by hand); anything else unchanged."""
    return value.isoformat() if isinstance(value, dt.date) else value
