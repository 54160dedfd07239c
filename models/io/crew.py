"""Readers for crews: the crew CSV and the working-time rules file.

Crew (:func:`read_crew`)
------------------------
A CSV in UTF-8 or GBK/GB18030 (detected, or ``encoding``) with a header row (columns in any order; unknown columns ignored; blank lines
skipped) and at least one data row. Every error is an :class:`~models.errors.InputError` naming the file, the record
(``row 4 (id 'D04')``) and the column.

============== ================================================================ ============
column         value                                                            default
============== ================================================================ ============
id             text, unique in the file                                         (required)
name           text                                                             ``""``
role           ``driver``, ``helper`` or ``both``                               ``driver``
licences       ``"large-sweeper;small-sweeper"``: vehicle types the person may  none
               drive (a driver needs one); checked against the fleet's types
depot          the home depot id; a person works only routes from that depot    (required)
               (no travel between depots within a shift)
days           weekdays available: ``mon;tue;fri``, a range ``mon-fri``, or     every day
               ``all``
available_from ``HH:MM``, daily                                                 ``00:00``
available_to   ``HH:MM``, after ``available_from``; past midnight the hours go  ``24:00``
               on (``30:00`` is 06:00 the next morning)
contract_hours hours per week in the contract (fairness compares hours with it) ``40``
               (more than 0, at most 84)
prefer_vehicle a vehicle id the person prefers; checked against the fleet's     none
prefer_route   a route label (the vehicle id; ``L1-shift2`` for its second shift)  none
not_with       ``"D07;H02"``: ids of people this one must not share a vehicle   none
               with (either way round); they must be in the file
============== ================================================================ ============

Rules (:func:`read_rules`)
--------------------------
A YAML (or JSON) mapping of :class:`models.crew.CrewRules` fields; every field is optional and
has the default shown there (10 h a day, 48 h a week, 11 h rest, 6 days in a row, nights
22:00-06:00 counting from 2 h, 60 s for the solver, 1 % gap). ``night_from``/``night_to``
take ``HH:MM``. An unknown field is an error naming it, and so is a value outside its plausible
range (:data:`models.bounds.BOUNDS`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from streetcrew.models.base import InputError, parse_clock
from streetcrew.models.crew import WEEKDAYS, CrewMember, CrewRules
from streetcrew.models.io.common import load_mapping, open_csv, read_text, unique_id, validate_row

CREW_REQUIRED = ("id", "depot")


def read_crew(path: str | Path, vehicle_types: Iterable[str] | None = None,
              depots: Iterable[str] | None = None,
              vehicles: Iterable[str] | None = None,
              encoding: str | None = None) -> list[CrewMember]:
    """Read a crew CSV; licences, depots and preferred vehicles are checked against the fleet
    when given. ``encoding`` None detects UTF-8 or GBK."""
    file, rows = open_csv(path, CREW_REQUIRED, encoding)
    known_types = None if vehicle_types is None else set(vehicle_types)
    known_depots = None if depots is None else set(depots)
    known_vehicles = None if vehicles is None else list(dict.fromkeys(vehicles))
    out: list[CrewMember] = []
    where: list[str] = []
    first: dict[str, str] = {}
    for n, row in rows:
        ident, record = unique_id(file, n, row, "id", first)
        raw: dict[str, Any] = {"id": ident, "depot": row["depot"].strip()}
        for key in ("name", "contract_hours", "prefer_vehicle", "prefer_route"):
            if row.get(key, "").strip():
                raw[key] = row[key].strip()
        if row.get("role", "").strip():
            raw["role"] = row["role"].strip().lower()
        raw["licences"] = _items(row.get("licences", ""))
        raw["not_with"] = _items(row.get("not_with", ""))
        try:
            raw["days"] = parse_days(row.get("days", ""))
        except ValueError as exc:
            raise InputError(file, record, "days", str(exc)) from None
        for key in ("available_from", "available_to"):
            if row.get(key, "").strip():
                try:
                    raw[key] = parse_clock(row[key])
                except ValueError as exc:
                    raise InputError(file, record, key, str(exc)) from None
        checks = {"available_to": "available_to", "licence": "licences", "weekday": "days"}
        member = validate_row(file, record, CrewMember, raw, checks)
        if known_types is not None:
            for t in member.licences:
                if t not in known_types:
                    raise InputError(file, record, "licences",
                                     f"unknown vehicle type {t!r}; the fleet has "
                                     f"{', '.join(sorted(known_types))}")
        if known_depots is not None and member.depot not in known_depots:
            raise InputError(file, record, "depot", f"unknown depot {member.depot!r}; the "
                                                    f"fleet has {', '.join(sorted(known_depots))}")
        wants = member.prefer_vehicle
        if known_vehicles is not None and wants is not None and wants not in known_vehicles:
            raise InputError(file, record, "prefer_vehicle", f"unknown vehicle {wants!r}; the "
                                                             f"fleet has {', '.join(known_vehicles)}")
        out.append(member)
        where.append(record)
    ids = {m.id: where[i] for i, m in enumerate(out)}
    for i, m in enumerate(out):
        for other in m.not_with:
            if other == m.id:
                raise InputError(file, where[i], "not_with", "a person cannot avoid themselves")
            if other not in ids:
                raise InputError(file, where[i], "not_with",
                                 f"unknown person {other!r}: no row of the file has that id")
    if not out:
        raise InputError(file, None, None, "no crew members in the file")
    return out


def parse_days(text: str) -> tuple[str, ...]:
    """``mon;wed``, ``mon-fri``, ``sat-mon`` (wraps), ``all`` or empty (every day)."""
    words = [w.strip().lower() for w in text.replace(",", ";").split(";") if w.strip()]
    if not words or words == ["all"]:
        return WEEKDAYS
    out: list[str] = []
    for w in words:
        ends = [x.strip()[:3] for x in w.split("-")]
        for e in ends:
            if e not in WEEKDAYS:
                raise ValueError(f"unknown weekday {e!r}; use {', '.join(WEEKDAYS)}, a range "
                                 "like mon-fri, or all")
        if len(ends) == 1:
            out.append(ends[0])
        elif len(ends) == 2:
            a, b = WEEKDAYS.index(ends[0]), WEEKDAYS.index(ends[1])
            out += [WEEKDAYS[(a + k) % 7] for k in range((b - a) % 7 + 1)]
        else:
            raise ValueError(f"expected a weekday or a range like mon-fri, got {w!r}")
    return tuple(d for d in WEEKDAYS if d in out)


def read_rules(path: str | Path) -> CrewRules:
    """Read a rules file (YAML or JSON mapping; see the module docstring)."""

    file, text = read_text(path)
    data = load_mapping(file, text, Path(path).suffix.lower())
    if data is None:
        return CrewRules()
    if not isinstance(data, dict):
        raise InputError(file, None, None, "expected a mapping of rule: value")
    raw = dict(data)
    for key in ("night_from", "night_to"):
        if isinstance(raw.get(key), str):
            try:
                raw[key] = parse_clock(raw[key])
            except ValueError as exc:
                raise InputError(file, key, key, str(exc)) from None
    try:
        return CrewRules.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(x) for x in err["loc"]) or None
        if err["type"] == "extra_forbidden":
            msg = "unknown rule; known: " + ", ".join(CrewRules.model_fields)
        else:
            msg = str(err["msg"]).removeprefix("Value error, ")
        raise InputError(file, field, field, msg) from None


def _items(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(x.strip() for x in text.split(";") if x.strip()))
