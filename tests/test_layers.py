"""Imports run one way (cli -> solver -> models); engines stay in their own modules."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENGINES = {  # third-party solver -> the only modules that may import it
    "ortools": {"solver/engine_ortools.py", "solver/sweep_ortools.py", "solver/sweep_bound.py",
                "solver/patrol.py"},
    "pyvrp": {"solver/engine_pyvrp.py"},
    "pulp": {"solver/crews_pulp.py", "solver/setpart.py"},
}
ENGINE_MODULES = {f[:-3].replace("/", ".") for files in ENGINES.values() for f in files}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
    return out


def _files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).glob("*.py"))


def test_models_import_no_solver_and_no_cli() -> None:
    for f in _files("models"):
        bad = {m for m in _imports(f) if m.split(".")[0] in ("solver", "cli", *ENGINES)}
        assert not bad, f"{f.name} imports {bad}"


def test_solver_libraries_stay_in_their_engine_modules() -> None:
    for f in [*_files("solver"), ROOT / "cli.py"]:
        rel = str(f.relative_to(ROOT))
        for m in _imports(f):
            lib = m.split(".")[0]
            if lib in ENGINES:
                assert rel in ENGINES[lib], f"{rel} imports {lib}"


def test_checkers_import_no_engine() -> None:
    checkers = [f for f in _files("solver") if f.name.startswith("check")]
    assert {f.name for f in checkers} >= {"check.py", "check_schedule.py", "check_patrol.py",
                                          "check_roster.py"}
    for f in checkers:
        bad = {m for m in _imports(f) if m in ENGINE_MODULES or m.split(".")[0] in ENGINES}
        assert not bad, f"{f.name} imports {bad}"
