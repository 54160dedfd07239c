"""Helpers every reader shares: reading text, CSV rows, JSON/YAML mappings, record names,
and turning a model's validation error into an :class:`InputError` naming the column.

Records are named 1-based as a person counts them (``row 7 (id 'V07')``, ``feature 3``);
indices inside the package are 0-based.

Text is UTF-8 (a byte-order mark dropped) or, when it is not, GB18030: the superset of GBK and
GB2312 that Excel on Chinese Windows saves a "CSV (逗号分隔)" in. UTF-8 is tried first, so bytes
that read both ways are UTF-8 (a UTF-8 file is never read as GBK mojibake); a reader's
``encoding`` argument (``--encoding``) names the encoding instead of detecting it.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from streetcrew.models.base import InputError

_M = TypeVar("_M", bound=BaseModel)


DETECTED = ("utf-8-sig", "gb18030")  # tried in this order when no encoding is given


def read_text(path: str | Path, encoding: str | None = None, table: bool = False
              ) -> tuple[str, str]:
    """(file as given, its text); errors name the file.

    ``encoding`` None detects UTF-8 or GB18030 (see the module docstring). Bytes that are
    not text in it are an error naming the line (with ``table``, the CSV row) and the byte
    offset of the first unreadable byte.
    """
    path = Path(path)
    file = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(file, None, None, f"cannot read file: {exc.strerror}") from exc
    return file, decode(data, file, encoding, table)


def decode(data: bytes, file: str, encoding: str | None = None, table: bool = False) -> str:
    """``data`` as text, as :func:`read_text` says."""
    codecs_ = DETECTED if encoding is None else (_codec(file, encoding),)
    failed: list[tuple[str, UnicodeDecodeError]] = []
    for codec in codecs_:
        try:
            return data.decode(codec)
        except UnicodeDecodeError as exc:
            failed.append((codec, exc))
        except LookupError:  # a codec that is not bytes -> text (base64, rot13)
            raise InputError(file, None, "encoding",
                             f"{encoding!r} is not a text encoding (--encoding)") from None
    codec, at = max(((c, e.start) for c, e in failed), key=lambda f: f[1])  # read furthest
    what = ("neither UTF-8 nor GB18030 (GBK) text" if encoding is None
            else f"not {encoding} text")
    hint = ("save it as \"CSV UTF-8\" or name its encoding with --encoding" if table
            else "save it as UTF-8")
    raise InputError(file, _place(data, at, codec, table), None,
                     f"byte 0x{data[at]:02X} at byte offset {at} is {what}; {hint}")


def _codec(file: str, encoding: str) -> str:
    """The codec for a declared encoding; UTF-8 drops a byte-order mark."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise InputError(file, None, "encoding", f"unknown encoding {encoding!r} (--encoding); "
                                                 "e.g. utf-8, gbk, gb18030") from None
    return "utf-8-sig" if name == "utf-8" else name


def _place(data: bytes, at: int, codec: str, table: bool) -> str:
    """Where byte ``at`` is: ``line 4``, in a table ``row 3 (line 4)`` (``header`` for line 1)
    counting data rows as :func:`csv_rows` does."""
    start = data.rfind(b"\n", 0, at) + 1  # no byte of a UTF-8 or GB18030 character is \n
    line = data.count(b"\n", 0, start) + 1
    if not table:
        return f"line {line}"
    try:
        before = data[:start].decode(codec)
        records = sum(1 for cells in csv.reader(before.splitlines(keepends=True))
                      if any(c.strip() for c in cells))
    except (UnicodeDecodeError, csv.Error):
        return f"line {line}"
    return f"header (line {line})" if records == 0 else f"row {records} (line {line})"


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
    path: str | Path, required: Sequence[str], encoding: str | None = None
) -> tuple[str, Iterator[tuple[int, dict[str, str]]]]:
    """(file as given, data rows numbered from 1); every column of ``required`` is present.

    ``encoding`` None detects UTF-8 or GB18030 (GBK), as :func:`read_text` says."""
    file, text = read_text(path, encoding, table=True)
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
