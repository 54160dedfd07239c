"""Bundled benchmark data: the CARP sets gdb, val and egl, best known values, certificates.

The files ship inside the installed package (package data), so these helpers work from any
directory and after a non-editable ``pip install``. Attribution: ``carp/README.md``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

CARP_SETS = ("gdb", "val", "egl")
DEFAULT_INSTANCE = "egl-e1-A"
# The plan date of the demo patrol: its cases were reported in the 14 days before.
DEMO_DATE = dt.date(2026, 11, 27)

_CARP = Path(__file__).resolve().parent / "carp"


def carp_dir() -> Path:
    """Folder holding the CARP sets, ``bks.csv``, ``README.md`` and ``certificates/``."""
    return _CARP


def carp_set_dir(name: str) -> Path:
    """Folder of one bundled set (``gdb``, ``val`` or ``egl``)."""
    if name not in CARP_SETS:
        raise KeyError(f"unknown CARP set {name!r}: expected one of {', '.join(CARP_SETS)}")
    return _CARP / name


def carp_set_files(name: str) -> list[Path]:
    """The ``.dat`` files of a bundled set, in natural order (gdb2 before gdb10)."""
    return sorted(carp_set_dir(name).glob("*.dat"), key=natural_key)


def bks_path() -> Path:
    """``bks.csv``: lower bounds and best known values of all bundled instances."""
    return _CARP / "bks.csv"


def certificates_dir() -> Path:
    return _CARP / "certificates"


def default_instance() -> Path:
    """The instance ``streetcrew solve`` runs when given no file (egl-e1-A)."""
    return _CARP / "egl" / f"{DEFAULT_INSTANCE}.dat"


def natural_key(path: Path) -> tuple[tuple[int, int | str], ...]:
    """Sort key that orders embedded numbers by value: gdb2 < gdb10, val1A < val10A."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part)
        for part in re.split(r"(\d+)", path.stem)
        if part
    )


def demo_streets() -> Path:
    """The bundled demo district's streets (Nanjing Xuanwu/Gulou, from OSM)."""
    return Path(__file__).resolve().parent / "demo" / "streets.geojson"


def demo_fleet() -> Path:
    """The bundled demo district's fleet."""
    return Path(__file__).resolve().parent / "demo" / "fleet.yaml"


def demo_volunteers() -> Path:
    """The bundled demo district's patrol volunteers (40, at four community centres)."""
    return Path(__file__).resolve().parent / "demo" / "volunteers.csv"


def demo_cases() -> Path:
    """The bundled demo district's reported cases (120, the 14 days before :data:`DEMO_DATE`)."""
    return Path(__file__).resolve().parent / "demo" / "cases.csv"


def demo_must_cover() -> Path:
    """The bundled demo district's must-cover streets (8 road chiefs' segments)."""
    return Path(__file__).resolve().parent / "demo" / "must_cover.csv"


def demo_crew() -> Path:
    """The bundled demo district's crew (11 drivers and 8 helpers at the two yards)."""
    return Path(__file__).resolve().parent / "demo" / "crew.csv"


def demo_scenarios() -> Path:
    """The bundled demo's fleet scenarios (base, +2 small sweepers, the dump site closed)."""
    return Path(__file__).resolve().parent / "demo" / "scenarios.yaml"
