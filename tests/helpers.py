"""Paths and small builders shared by the tests."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
TINY = DATA / "tiny.dat"
CARP = ROOT / "instances" / "carp"


def best_known(name: str) -> int:
    """The best known cost of a bundled CARP instance (instances/carp/bks.csv)."""
    from streetcrew.models.io.bks import read_bks

    return read_bks(CARP / "bks.csv")[name].best_known
