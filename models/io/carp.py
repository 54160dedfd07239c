"""Reader for the CARPLIB ``.dat`` format (gdb, val, egl sets).

Each error names the file, the line and what was expected there. The instance
name is the file's stem: ``NOMBRE`` is wrong in some files (gdb13, egl-e2-A),
and ``COSTE_TOTAL_REQ`` is not trusted (it disagrees with the edge list in all
val files); both are read but not used.
"""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path

from streetcrew.models.base import InputError
from streetcrew.models.carp import CarpProblem, Link, Task

_HEADER = re.compile(r"^\s*([A-Z_]+)\s*:\s*(.*?)\s*$")
_EDGE = re.compile(
    r"^\s*\(\s*(?P<u>-?\d+)\s*,\s*(?P<v>-?\d+)\s*\)"
    r"\s*coste\s+(?P<cost>\S+)"
    r"(?:\s+demanda\s+(?P<demand>\S+))?\s*$"
)
_INT_KEYS = ("VERTICES", "ARISTAS_REQ", "ARISTAS_NOREQ", "VEHICULOS", "CAPACIDAD")
_REQUIRED_KEYS = ("VERTICES", "ARISTAS_REQ", "CAPACIDAD", "DEPOSITO")


def read_carp(path: str | Path) -> CarpProblem:
    """Read a CARPLIB file into a :class:`CarpProblem` (0-based inside)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="latin-1")
    except OSError as exc:
        raise InputError(str(path), None, None, f"cannot read file: {exc.strerror}") from exc
    return parse_carp(text, str(path), name=path.stem)


def _int(file: str, lineno: int, field: str, raw: str) -> int:
    try:
        return int(raw.rstrip("."))
    except ValueError:
        raise InputError(
            file, f"line {lineno}", field, f"expected an integer, got {raw!r}"
        ) from None


def parse_carp(text: str, file: str = "<string>", name: str = "instance") -> CarpProblem:
    header: dict[str, tuple[int, str]] = {}
    edges: list[tuple[int, int, int, int, int | None, bool]] = []  # line,u,v,cost,demand,req
    section: str | None = None
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        m = _EDGE.match(line)
        if m:
            if section is None:
                raise InputError(
                    file, f"line {lineno}", None,
                    "edge before LISTA_ARISTAS_REQ or LISTA_ARISTAS_NOREQ",
                )
            required = section == "LISTA_ARISTAS_REQ"
            u = _int(file, lineno, "vertex", m["u"])
            v = _int(file, lineno, "vertex", m["v"])
            cost = _int(file, lineno, "coste", m["cost"])
            if required and m["demand"] is None:
                raise InputError(
                    file, f"line {lineno}", "demanda",
                    "required edge needs 'demanda <int>'",
                )
            demand = _int(file, lineno, "demanda", m["demand"]) if m["demand"] else None
            edges.append((lineno, u, v, cost, demand, required))
            continue
        h = _HEADER.match(line)
        if h is None:
            raise InputError(
                file, f"line {lineno}", None,
                f"expected 'KEY : value' or '( i, j) coste c [demanda d]', got {line.strip()!r}",
            )
        key, value = h[1], h[2]
        if key in ("LISTA_ARISTAS_REQ", "LISTA_ARISTAS_NOREQ"):
            section = key
            continue
        if key in header:
            raise InputError(file, f"line {lineno}", key, "given twice")
        header[key] = (lineno, value)
        section = None if key == "DEPOSITO" else section

    for key in _REQUIRED_KEYS:
        if key not in header:
            raise InputError(file, None, key, f"missing header '{key} : <int>'")
    ints = {
        k: _int(file, header[k][0], k, header[k][1]) for k in _INT_KEYS if k in header
    }
    n = ints["VERTICES"]
    if n <= 0:
        raise InputError(file, f"line {header['VERTICES'][0]}", "VERTICES", "must be > 0")
    capacity = ints["CAPACIDAD"]
    if capacity <= 0:
        raise InputError(file, f"line {header['CAPACIDAD'][0]}", "CAPACIDAD", "must be > 0")
    dline, draw = header["DEPOSITO"]
    depot = _int(file, dline, "DEPOSITO", draw)
    if not 1 <= depot <= n:
        raise InputError(file, f"line {dline}", "DEPOSITO", f"vertex {depot} not in 1..{n}")

    links: list[Link] = []
    tasks: list[Task] = []
    task_lines: list[int] = []
    seen: dict[tuple[int, int], int] = {}
    for lineno, u, v, cost, demand, required in edges:
        for fld, x in (("vertex", u), ("vertex", v)):
            if not 1 <= x <= n:
                raise InputError(
                    file, f"line {lineno}", fld, f"unknown vertex {x}: expected 1..{n}"
                )
        if u == v:
            raise InputError(file, f"line {lineno}", "vertex", f"loop ({u}, {v}) not allowed")
        if cost < 0:
            raise InputError(file, f"line {lineno}", "coste", f"negative cost {cost}")
        key = (min(u, v), max(u, v))
        if key in seen:
            raise InputError(
                file, f"line {lineno}", "vertex",
                f"edge ({u}, {v}) repeats line {seen[key]}",
            )
        seen[key] = lineno
        if required:
            assert demand is not None
            if demand < 0:
                raise InputError(file, f"line {lineno}", "demanda", f"negative demand {demand}")
            if demand > capacity:
                raise InputError(
                    file, f"line {lineno}", "demanda",
                    f"demand {demand} exceeds vehicle capacity {capacity}",
                )
            tasks.append(Task(link=len(links), demand=demand, service_cost=cost))
            task_lines.append(lineno)
        links.append(Link(u=u - 1, v=v - 1, cost=cost))

    for key, is_req in (("ARISTAS_REQ", True), ("ARISTAS_NOREQ", False)):
        if key in ints:
            found = sum(1 for e in edges if e[5] == is_req)
            if found != ints[key]:
                raise InputError(
                    file, f"line {header[key][0]}", key,
                    f"header says {ints[key]} edges, the list has {found}",
                )

    reach = _reachable(n, links, depot - 1)
    for task, lineno in zip(tasks, task_lines):
        link = links[task.link]
        if link.u not in reach:
            raise InputError(
                file, f"line {lineno}", "vertex",
                f"required edge ({link.u + 1}, {link.v + 1}) is unreachable from depot {depot}",
            )

    return CarpProblem(
        name=name,
        source=file,
        node_ids=tuple(range(1, n + 1)),
        links=tuple(links),
        tasks=tuple(tasks),
        capacity=capacity,
        depot=depot - 1,
        vehicles_min=ints.get("VEHICULOS"),
    )


def _reachable(n: int, links: list[Link], start: int) -> set[int]:
    adj: list[list[int]] = [[] for _ in range(n)]
    for link in links:
        adj[link.u].append(link.v)
        if not link.oneway:
            adj[link.v].append(link.u)
    seen = {start}
    queue = deque([start])
    while queue:
        x = queue.popleft()
        for y in adj[x]:
            if y not in seen:
                seen.add(y)
                queue.append(y)
    return seen
