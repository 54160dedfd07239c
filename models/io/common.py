"""Helpers every reader shares: reading text, CSV rows, JSON/YAML mappings, record names,
and turning a model's validation error into an :class:`InputError` naming the column.

Records are named 1-based as a person counts them (``row 7 (id 'V07')``, ``feature 3``);
indices inside the package are 0-based.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from streetcrew.models.base import InputError

_M = TypeVar("_M", bound=BaseModel)


def read_text(path: str | Path) -> tuple[str, str]:
    """(file as given, its UTF-8 text, a byte-order mark dropped); errors name the file."""
    path = Path(path)
    file = str(path)
    try:
        return file, path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise InputError(file, None, None, f"cannot read file: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise InputError(file, None, None, f"not UTF-8 text: {exc.reason}") from None


def record_name(kind: str, number: int, ident: object = None) -> str:
    return f"{kind} {number}" + (f" (id {ident!r})" if ident not in (None, "") else "")


def csv_rows(text: str, file: str) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    reader = csv.reader(text.splitlines(keepends=True))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise InputError(file, None, None, "empty file: expected a header row") from None
    except csv.Error as exc:
        raise InputError(file, "header", None, f"not valid CSV: {exc}") from None
    dup = {h for h in header if header.count(h) > 1}
    if dup:
        raise InputError(file, "header", sorted(dup)[0], "column appears more than once")

    def gen() -> Iterator[tuple[int, dict[str, str]]]:
        n = 0
        try:
            for cells in reader:
                if not any(c.strip() for c in cells):
                    continue
                n += 1
                if len(cells) != len(header):
                    raise InputError(
                        file, f"row {n}", None,
                        f"expected {len(header)} fields (as in the header), got {len(cells)}",
                    )
                yield n, dict(zip(header, cells))
        except csv.Error as exc:
            raise InputError(file, f"row {n + 1}", None, f"not valid CSV: {exc}") from None

    return header, gen()


def open_csv(
    path: str | Path, required: Sequence[str]
) -> tuple[str, Iterator[tuple[int, dict[str, str]]]]:
    """(file as given, data rows numbered from 1); every column of ``required`` is present."""
    file, text = read_text(path)
    header, rows = csv_rows(text, file)
    for column in required:
        if column not in header:
            raise InputError(file, "header", column, "required column is missing")
    return file, rows


def unique_id(file: str, n: int, row: dict[str, str], column: str,
            first: dict[str, str]) -> tuple[str, str]:
    """The row's id in ``column`` and its record name; refuses a missing or repeated id."""
    ident = row[column].strip()
    record = record_name("row", n, ident)
    if not ident:
        raise InputError(file, record, column, "missing")
    if ident in first:
        what = "street id" if column == "street_id" else "id"
        raise InputError(file, record, column, f"duplicate {what} {ident!r} (first in "
                                               f"{first[ident]})")
    first[ident] = record
    return ident, record


def validate_row(
    file: str, record: str, model: type[_M], raw: dict[str, Any], checks: dict[str, str]
) -> _M:
    """``model`` from ``raw``; an error names the column.

    A field error names its field (``at.lon`` is column ``lon``); an error of the model's own
    check has no field, so ``checks`` maps a word of its message to the column.
    """
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [str(x) for x in err["loc"]]
        msg = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "missing":
            msg = "missing"
        elif isinstance(err.get("input"), str) and "got " not in msg:  # bounds say what
            msg += f", got {err['input']!r}"
        if loc and loc[0] == "at":
            field: str | None = loc[-1] if len(loc) > 1 else "lon"
            if err["type"] in ("greater_than_equal", "less_than_equal"):
                msg += "; expected WGS-84 lon/lat in degrees (projected coordinates?)"
        elif loc:
            field = loc[0]
        else:
            field = next((col for word, col in checks.items() if word in msg), None)
        raise InputError(file, record, field, msg) from None


def load_mapping(file: str, text: str, suffix: str) -> Any:
    if suffix == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(file, f"line {exc.lineno}", None, f"not valid JSON: {exc.msg}") from None
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        rec = f"line {mark.line + 1}" if mark is not None else None
        raise InputError(file, rec, None, f"not valid YAML: {exc}") from None


def load_json_model(path: str | Path, model: type[_M]) -> _M:
    """A JSON file this package wrote (a schedule, a roster), validated as ``model``."""
    file, text = read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(file, f"line {exc.lineno}", None, f"not valid JSON: {exc.msg}") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError.from_validation(exc, file) from None


def input_file(path: Path, ref: Any, name: str) -> Path:
    """The input a plan or roster names, refused when missing or changed since."""
    if ref is None:
        raise InputError(str(path), "inputs", name, "missing: the file does not say its input")
    source = Path(ref.path)
    if not source.is_file():
        raise InputError(str(path), f"inputs.{name}", "path", f"{source} does not exist")
    if hashlib.sha256(source.read_bytes()).hexdigest() != ref.sha256:
        raise InputError(str(path), f"inputs.{name}", "sha256",
                         f"{source} has changed since the file was made")
    return source
