"""The case register: each urgent report from the hotline or the app, from filing to closing.

A report is filed with where and when it came in and by when it must be fixed; it is
dispatched into a vehicle's running plan (or found impossible, with the reason), done when
that vehicle sweeps it, inspected by the next patrol walk that passes the street, and
closed. The register is a CSV (UTF-8 with BOM, so Excel opens it) that every step rewrites
whole; no row is ever dropped.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import Field

from streetcrew.models.base import Input, InputError, format_clock, parse_clock

Status = Literal["filed", "dispatched", "impossible", "inspection planned", "closed"]
COLUMNS = ("case", "kind", "lon", "lat", "date", "filed", "deadline", "status", "street",
           "vehicle", "planned", "inspector", "inspected_on", "inspection", "reason")


class Report(Input):
    """One case: ``filed``, ``deadline``, ``planned`` and ``inspection`` are clock seconds."""

    case: str = Field(min_length=1)
    kind: str = Field(min_length=1)
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    date: dt.date | None = None  # the day it was filed (the plan's day)
    filed: int = Field(ge=0)
    deadline: int = Field(ge=0)
    status: Status = "filed"
    street: str | None = None  # the street it was snapped to
    vehicle: str | None = None  # dispatched to
    planned: int | None = None  # when that vehicle sweeps it
    inspector: str | None = None  # the patrol team that passes the street next
    inspected_on: dt.date | None = None  # the patrol's day
    inspection: int | None = None
    reason: str | None = None  # why it is impossible


def _clock(value: int | None) -> str:
    return "" if value is None else format_clock(value)


def _day(value: dt.date | None) -> str:
    return "" if value is None else value.isoformat()


def read_register(path: Path) -> list[Report]:
    """The register's rows (none when the file does not exist yet)."""
    if not path.exists():
        return []
    out = []
    with path.open(encoding="utf-8-sig", newline="") as f:
        for n, row in enumerate(csv.DictReader(f), start=2):
            try:
                values = {k: (v or None) for k, v in row.items() if k in COLUMNS}
                for k in ("filed", "deadline", "planned", "inspection"):
                    if values.get(k):
                        values[k] = parse_clock(str(values[k]))  # type: ignore[assignment]
                out.append(Report.model_validate(values))
            except ValueError as exc:
                raise InputError(str(path), f"line {n}", None, str(exc)) from None
    return out


def write_register(path: Path, reports: list[Report]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".csv.tmp")
    with tmp.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for r in reports:
            w.writerow([r.case, r.kind, f"{r.lon:.6f}", f"{r.lat:.6f}", _day(r.date),
                        _clock(r.filed), _clock(r.deadline), r.status, r.street or "",
                        r.vehicle or "", _clock(r.planned), r.inspector or "",
                        _day(r.inspected_on), _clock(r.inspection), r.reason or ""])
    tmp.replace(path)  # the register is never left half written
    return path


def close_cases(path: Path, cases: list[str]) -> list[Report]:
    """Close the ``cases`` (each must have had its inspection planned) and give every row;
    a case not in the register, or not inspected, is an error naming it."""
    rows = read_register(path)
    by_case = {r.case: i for i, r in enumerate(rows)}
    for case in cases:
        if case not in by_case:
            raise InputError(str(path), None, "--close", f"{case}: no such case in the register")
        row = rows[by_case[case]]
        if row.status != "inspection planned":
            raise InputError(str(path), f"case {case}", "status", f"is {row.status}: a case is "
                             "closed after a walk has inspected it")
        rows[by_case[case]] = row.model_copy(update={"status": "closed"})
    if cases:
        write_register(path, rows)
    return rows


def record_cases(path: Path, cases: list[Report]) -> Path:
    """The register with ``cases`` in it: a case already there is replaced, a new one added
    at the end, every other row kept as it was."""
    new = {c.case for c in cases}
    return write_register(path, [r for r in read_register(path) if r.case not in new] + cases)
