"""The house rules, read from the source: one package, rooms per domain, imports one way.

cli and the public API (the package's ``__init__``) -> solver -> models. Inside
``solver/``: graph and outputs below the domains (carp, sweep, patrol, crews); domains
meet only in scenarios and bench. OR-Tools, PyVRP and pulp stay in their engine
modules; a checker reaches no engine, even through other modules; no import cycles.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKG = "streetcrew"
ENGINES = {  # third-party solver -> the only modules that may import it
    "ortools": {"solver.carp.engine_ortools", "solver.sweep.engine_ortools",
                "solver.sweep.bound", "solver.patrol.engine_ortools"},
    "pyvrp": {"solver.carp.engine_pyvrp", "solver.sweep.engine_pyvrp",
              "solver.patrol.engine_pyvrp"},
    "pulp": {"solver.carp.setpart", "solver.crews.engine_pulp"},
}
DOMAINS = {"carp", "sweep", "patrol", "crews"}
BELOW = {"graph", "outputs"}  # shared rooms every domain may use
MEETING = {"scenarios", "bench"}  # rooms where domains meet


def _modules() -> dict[str, Path]:
    """Module name (without the package prefix) -> file, for everything installed."""
    out = {"__init__": ROOT / "__init__.py", "cli": ROOT / "cli.py"}
    for top in ("models", "solver", "instances"):
        for f in sorted((ROOT / top).rglob("*.py")):
            rel = f.relative_to(ROOT).with_suffix("")
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            out[".".join(parts)] = f
    return out


MODULES = _modules()


def _imports(path: Path) -> set[str]:
    """Every module imported anywhere in the file (function-level imports too)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
            out |= {f"{node.module}.{a.name}" for a in node.names}
    return out


def _project_imports(name: str) -> set[str]:
    """The project's modules that ``name`` imports (names without the package prefix)."""
    out = set()
    for m in _imports(MODULES[name]):
        if m.startswith(PKG + "."):
            inner = m[len(PKG) + 1:]
            if inner in MODULES:
                out.add(inner)
    return out - {name}


def _libraries(name: str) -> set[str]:
    return {m.split(".")[0] for m in _imports(MODULES[name])}


def _room(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if parts[0] == "solver" and len(parts) >= 2 else None


def test_one_package_and_nothing_else_is_installed() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'package-dir = {"streetcrew" = "."}' in text
    assert 'streetcrew = "streetcrew.cli:main"' in text
    assert "py-modules" not in text
    for f in [*MODULES.values(), *(ROOT / "tests").rglob("*.py"),
              *(ROOT / "benchmarks").rglob("*.py")]:
        top = {m.split(".")[0] for m in _imports(f)}
        assert not top & {"models", "solver", "cli", "instances"}, f"{f} imports a bare name"


def test_solver_has_a_room_per_domain() -> None:
    rooms = {p.name for p in (ROOT / "solver").iterdir() if (p / "__init__.py").is_file()}
    assert rooms >= DOMAINS | BELOW | MEETING
    assert not [f.name for f in (ROOT / "solver").glob("*.py") if f.name != "__init__.py"]
    for room in DOMAINS:
        assert (ROOT / "solver" / room / "check.py").is_file(), f"{room} has no checker"
        assert (ROOT / "solver" / room / "run.py").is_file(), f"{room} has no workflow"


def test_models_import_no_solver_cli_or_engine() -> None:
    for name in MODULES:
        if name.startswith("models"):
            bad = {m for m in _project_imports(name) if not m.startswith("models")}
            bad |= _libraries(name) & {*ENGINES, "pandas", "typer", "matplotlib"}
            assert not bad, f"{name} imports {bad}"


def test_solver_libraries_stay_in_their_engine_modules() -> None:
    for name in MODULES:
        for lib in _libraries(name) & set(ENGINES):
            assert name in ENGINES[lib], f"{name} imports {lib}"


def test_rooms_import_only_below_them() -> None:
    for name in MODULES:
        room = _room(name)
        if room is None or room in MEETING:
            continue
        allowed = {room} | (BELOW if room in DOMAINS else set())
        if room == "outputs":
            allowed = {room}  # pictures and files of any schedule: models only
        for m in _project_imports(name):
            assert m.split(".")[0] != "cli" and m != "__init__", f"{name} imports {m}"
            if m.startswith("solver."):
                assert _room(m) in allowed, f"{name} ({room}) imports {m}"


def _reach(name: str) -> set[str]:
    seen: set[str] = set()
    todo = [name]
    while todo:
        for m in _project_imports(todo.pop()):
            if m not in seen:
                seen.add(m)
                todo.append(m)
    return seen


def test_checkers_reach_no_engine() -> None:
    engine_modules = set().union(*ENGINES.values())
    checkers = [n for n in MODULES if n.startswith("solver.") and n.endswith(".check")]
    assert len(checkers) >= 4
    for name in checkers:
        reached = _reach(name) | {name}
        assert not reached & engine_modules, f"{name} reaches {reached & engine_modules}"
        libs = set().union(*(_libraries(m) for m in reached))
        assert not libs & set(ENGINES), f"{name} reaches {libs & set(ENGINES)}"


def test_no_import_cycle() -> None:
    graph = {n: _project_imports(n) - {"__init__"} for n in MODULES}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    assert not cycles, f"import cycles: {cycles}"


def test_cli_is_thin() -> None:
    # 1,335 lines with workflows in it before issue 12; options, not workflows, grow it now
    # (about 3 lines an option): a workflow belongs in a domain's run.py
    assert len((ROOT / "cli.py").read_text(encoding="utf-8").splitlines()) <= 800
