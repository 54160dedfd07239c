"""Readers for the volunteer-patrol inputs: volunteers, reported cases, must-cover streets.

All three are CSV files in UTF-8 (a byte-order mark is fine) or GBK/GB18030, as Excel on
Chinese Windows saves them (detected, or named by ``encoding``: ``--encoding``), with a header
row. Columns may come in any order; blank lines are skipped; columns the reader does not know
are ignored (a phone or notes column may stay in the file). Every error is an
:class:`~models.errors.InputError` naming the file, the record (``row 7 (id 'V07')``: 1-based
data rows after the header, plus the id when it is known; ``header`` for a missing column)
and the column at fault. Duplicate ids are errors in every file.

Volunteers (:func:`read_volunteers`)
------------------------------------
One row per volunteer, validated as a :class:`models.patrol.Volunteer`.

=========== ================================================ ======= =======================
column      value                                            unit    default
=========== ================================================ ======= =======================
id          text, unique in the file                                 -- (required)
name        text                                                     ``""``
lon, lat    meeting point, WGS-84                            deg     -- (required)
free_from   ``HH:MM`` (or ``HH:MM:SS``), hours up to 48      local   -- (required)
                                                             time
free_to     ``HH:MM``, after ``free_from``; past midnight    local   -- (required)
            the hours go on: ``26:00`` is 02:00              time
mode        ``walk`` or ``bike`` (speeds in                          ``walk``
            :data:`models.patrol.SPEED_KMH`)
max_minutes number > 0, at most 720: longest patrol the      min     -- (required)
            volunteer takes
kinds       ``"a;b"``: the kinds of service                          every kind
            (:data:`models.patrol.SERVICE_KINDS`) the
            volunteer takes part in; empty = every kind
buddy       id of another volunteer in the file who walks            none
            with this one
coords      the system of ``lon, lat``: ``wgs84``, ``gcj02``                ``--coords-in``,
            (Amap/Tencent) or ``bd09`` (Baidu)                       else ``wgs84``
=========== ================================================ ======= =======================

Columns ``name``, ``mode``, ``kinds``, ``buddy`` and ``coords`` may be left out of the header.
A point given in GCJ-02 or BD-09 is converted to WGS-84 on read (:mod:`models.coords`). A file
without data rows is an error (there is no one to plan for). Cells are
trimmed; ``mode`` and ``kinds`` are read in lower case, and a kind named twice counts once.

Buddies come in pairs. Naming the partner on one of the two rows is enough: the reader
fills in the other side, so every returned pair names each other. The named volunteer must
be in the file and must not be the volunteer itself; a volunteer in two pairs (``A`` names
``B`` while ``B`` names ``C``, or two volunteers name ``B``) is an error on the row that makes
the second pair. The reader does not check that a pair shares a meeting point, hours or mode:
that is the planner's business.

Cases (:func:`read_cases`)
--------------------------
One row per reported problem, validated as a :class:`models.patrol.Case`.

====== ========================================================= ====== ============
column value                                                     unit   default
====== ========================================================= ====== ============
id     text, unique in the file                                         -- (required)
lon,   where the problem was reported, WGS-84                    deg    -- (required)
lat
kind   one of :data:`models.patrol.SERVICE_KINDS`                       -- (required)
time   when it was reported: ISO date ``2026-11-20`` or          local  -- (required)
       date-time ``2026-11-20T14:05`` (a space for the ``T``     time
       and seconds are fine; a UTC offset is dropped: the
       wall-clock time is used)
coords the system of ``lon, lat``, as for volunteers (the               ``--coords-in``,
       column may be left out)                                          else ``wgs84``
====== ========================================================= ====== ============

``age_days`` is the age on the plan date ``on``: ``on`` minus ``time`` in days, counted from
the start (midnight) of ``on``. A plain date counts from its own midnight, so it gives whole
days (``2026-11-20`` is 7 days old on 2026-11-27); a date-time gives a fraction
(``2026-11-26T18:00`` is 0.25 days old). A case reported during ``on`` itself is 0 days old;
a case dated after ``on`` is an error on ``time``.

Must-cover streets (:func:`read_must_cover`)
--------------------------------------------
The street segments the patrols must walk (the road chiefs' streets).

========= ======================================================= ============
column    value                                                   default
========= ======================================================= ============
street_id id of a segment in the street file, unique in the file  -- (required)
chief     the road chief's name (路长), for people: not used        --
========= ======================================================= ============

The reader cannot see the street file; :func:`check_must_cover` refuses ids that are not in
it (the caller has both files). :func:`read_history` (``street_id,date`` of earlier walks)
refuses them itself when given the street file's ids.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any, TypeVar

from streetcrew.models.base import InputError, parse_clock
from streetcrew.models.coords import system, to_wgs84
from streetcrew.models.fleet import Point
from streetcrew.models.io.common import open_csv, record_name, unique_id, validate_row
from streetcrew.models.patrol import Case, Volunteer
from streetcrew.models.streets import Street

VOLUNTEER_COLUMNS = (
    "id", "name", "lon", "lat", "free_from", "free_to", "mode", "max_minutes", "kinds", "buddy",
)
VOLUNTEER_REQUIRED = ("id", "lon", "lat", "free_from", "free_to", "max_minutes")
CASE_COLUMNS = ("id", "lon", "lat", "kind", "time")
MUST_COVER_COLUMNS = ("street_id",)
_P = TypeVar("_P", Volunteer, Case)




def read_volunteers(path: str | Path, coords: str = "wgs84", encoding: str | None = None
                    ) -> list[Volunteer]:
    """Read a volunteers CSV (see the module docstring for the columns); ``coords``: the
    system of the points whose row does not name one; ``encoding`` None detects UTF-8 or
    GBK (:func:`~streetcrew.models.io.common.read_text`)."""
    file, rows = open_csv(path, VOLUNTEER_REQUIRED, encoding)
    source = system(coords, None, "--coords-in")
    out: list[Volunteer] = []
    where: list[str] = []
    first: dict[str, str] = {}
    for n, row in rows:
        ident, record = unique_id(file, n, row, "id", first)
        raw: dict[str, Any] = {"id": ident, "at": _point(row)}
        for key in ("free_from", "free_to"):
            text = row[key]
            if not text.strip():
                continue
            try:
                raw[key] = parse_clock(text)
            except ValueError as exc:
                raise InputError(file, record, key, str(exc)) from None
        if "free_from" in raw and "free_to" in raw and raw["free_to"] <= raw["free_from"]:
            raise InputError(
                file, record, "free_to",
                f"{row['free_to'].strip()} is not after free_from {row['free_from'].strip()} "
                "(past midnight, write 24:00 or later: 26:00 is 02:00 the next day)",
            )
        for key in ("name", "max_minutes"):
            if row.get(key, "").strip():
                raw[key] = row[key].strip()
        mode = row.get("mode", "").strip().lower()
        if mode:
            raw["mode"] = mode
        kinds = (k.strip().lower() for k in row.get("kinds", "").split(";"))
        raw["kinds"] = tuple(dict.fromkeys(k for k in kinds if k))
        buddy = row.get("buddy", "").strip()
        if buddy:
            raw["buddy"] = buddy
        checks = {"free_to": "free_to", "kind": "kinds"}  # the model's own checks -> column
        vol = validate_row(file, record, Volunteer, raw, checks)
        out.append(_in_wgs84(vol, file, record, row, source))
        where.append(record)
    if not out:
        raise InputError(file, None, None, "no volunteers in the file: a header and no rows")
    return _pair_buddies(file, out, where)


def _pair_buddies(file: str, vols: list[Volunteer], where: list[str]) -> list[Volunteer]:
    """Check the buddy references and make every pair name each other."""
    row_of = {v.id: where[i] for i, v in enumerate(vols)}
    partner: dict[str, str] = {}
    for i, v in enumerate(vols):
        b = v.buddy
        if b is None:
            continue
        if b == v.id:
            raise InputError(file, where[i], "buddy", "a volunteer cannot be their own buddy")
        if b not in row_of:
            raise InputError(file, where[i], "buddy",
                             f"unknown volunteer {b!r}: no row of the file has that id")
        for one, other in ((v.id, b), (b, v.id)):
            had = partner.get(one)
            if had is not None and had != other:
                who = "this volunteer" if one == v.id else f"{one!r} ({row_of[one]})"
                raise InputError(
                    file, where[i], "buddy",
                    f"{who} is already paired with {had!r}: a volunteer has at most one buddy",
                )
        partner[v.id], partner[b] = b, v.id
    return [
        v.model_copy(update={"buddy": partner[v.id]}) if v.id in partner and v.buddy is None else v
        for v in vols
    ]


def read_cases(path: str | Path, on: dt.date, coords: str = "wgs84",
               encoding: str | None = None) -> list[Case]:
    """Read a cases CSV; ``age_days`` is each case's age on the plan date ``on``; ``coords``
    and ``encoding`` as for :func:`read_volunteers`."""
    file, rows = open_csv(path, CASE_COLUMNS, encoding)
    source = system(coords, None, "--coords-in")
    start = dt.datetime.combine(on, dt.time())
    out: list[Case] = []
    first: dict[str, str] = {}
    for n, row in rows:
        ident, record = unique_id(file, n, row, "id", first)
        try:
            when = parse_case_time(row["time"])
        except ValueError as exc:
            raise InputError(file, record, "time", str(exc)) from None
        day = when.date() if isinstance(when, dt.datetime) else when
        if day > on:
            raise InputError(file, record, "time",
                             f"{row['time'].strip()} is after the plan date {on.isoformat()}")
        moment = when if isinstance(when, dt.datetime) else dt.datetime.combine(when, dt.time())
        age = max(0.0, (start - moment).total_seconds() / 86_400)
        raw: dict[str, Any] = {"id": ident, "at": _point(row), "age_days": age}
        if row["kind"].strip():
            raw["kind"] = row["kind"].strip().lower()
        case = validate_row(file, record, Case, raw, {"kind": "kind"})
        out.append(_in_wgs84(case, file, record, row, source))
    return out


def parse_case_time(text: str) -> dt.date | dt.datetime:
    """An ISO date (a :class:`~datetime.date`) or date-time (a naive wall-clock datetime)."""
    t = text.strip()
    if not t:
        raise ValueError("missing")
    try:
        if len(t) <= 10 and "T" not in t and " " not in t:
            return dt.date.fromisoformat(t)
        return dt.datetime.fromisoformat(t).replace(tzinfo=None)
    except ValueError:
        raise ValueError(
            f"expected an ISO date (2026-11-20) or date-time (2026-11-20T14:05), got {t!r}"
        ) from None


def read_must_cover(path: str | Path, encoding: str | None = None) -> list[str]:
    """Read a must-cover CSV: the street ids, in file order."""
    file, rows = open_csv(path, MUST_COVER_COLUMNS, encoding)
    out: list[str] = []
    first: dict[str, str] = {}
    for n, row in rows:
        ident, record = unique_id(file, n, row, "street_id", first)
        out.append(ident)
    return out


def read_history(path: str | Path, on: dt.date, street_ids: Collection[str] | None = None,
                 encoding: str | None = None) -> dict[str, float]:
    """Read a patrol history CSV (``street_id,date``): days since each street was last walked.

    ``date`` is an ISO date or date-time before the plan date ``on``; a street listed
    several times keeps its latest walk. With ``street_ids`` (the street file's), an id
    that is not among them is an error naming its row.
    """
    file, rows = open_csv(path, ("street_id", "date"), encoding)
    out: dict[str, float] = {}
    for n, row in rows:
        ident = row["street_id"].strip()
        record = record_name("row", n, ident)
        if not ident:
            raise InputError(file, record, "street_id", "missing")
        if street_ids is not None and ident not in street_ids:
            raise InputError(file, record, "street_id", _no_segment(ident, street_ids))
        try:
            when = parse_case_time(row["date"])
        except ValueError as exc:
            raise InputError(file, record, "date", str(exc)) from None
        moment = when if isinstance(when, dt.datetime) else dt.datetime.combine(when, dt.time())
        days = (dt.datetime.combine(on, dt.time()) - moment).total_seconds() / 86_400
        if days < 0:
            raise InputError(file, record, "date", f"after the plan date {on.isoformat()}")
        out[ident] = min(days, out.get(ident, days))
    return out


def check_must_cover(ids: Sequence[str], streets: Sequence[Street], file: str | None) -> None:
    """Refuse a must-cover id that is not a segment of ``streets``.

    ``ids`` as :func:`read_must_cover` returned them (so position ``k`` is data row ``k + 1``);
    ``file`` is the must-cover file, for the error.
    """
    known = {s.id for s in streets}
    for n, ident in enumerate(ids, start=1):
        if ident not in known:
            raise InputError(file, record_name("row", n, ident), "street_id",
                             _no_segment(ident, known))


def _no_segment(ident: str, known: Collection[str]) -> str:
    parts = sorted(s for s in known if s.startswith(f"{ident}#"))
    hint = f"; the street file splits it into {', '.join(parts)}" if parts else ""
    return f"no street segment has id {ident!r}{hint}"


# ---------------------------------------------------------------------------- shared



def _point(row: dict[str, str]) -> dict[str, str]:
    return {k: row[k].strip() for k in ("lon", "lat") if row[k].strip()}


def _in_wgs84(item: _P, file: str, record: str, row: dict[str, str], source: str) -> _P:
    """``item`` with its point as WGS-84: given in the system of the row's ``coords`` cell,
    else in ``source`` (the file's)."""
    cell = row.get("coords", "").strip()
    if cell:
        source = system(cell, file, record)
    if source == "wgs84":
        return item
    lon, lat = to_wgs84(item.at.lon, item.at.lat, source)
    return item.model_copy(update={"at": Point(lon=lon, lat=lat)})


