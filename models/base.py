"""Input errors that name the file, the record and the field at fault."""

from __future__ import annotations


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
