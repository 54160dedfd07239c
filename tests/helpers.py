"""Paths and small builders the tests share (a support module, not a test module).

Fixtures built on them are in ``conftest.py``.
"""

from __future__ import annotations

import functools
from pathlib import Path

from streetcrew.models.fleet import Fleet, Point
from streetcrew.models.io.fleet import read_fleet
from streetcrew.models.streets import Street, street_with_defaults

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
TINY = DATA / "tiny.dat"
CARP = ROOT / "instances" / "carp"
REAL = ROOT.parent / "shared" / "real"  # real city data beside the checkout (may be absent)


def best_known(name: str) -> int:
    """The best known cost of a bundled CARP instance (instances/carp/bks.csv)."""
    from streetcrew.models.io.bks import read_bks

    return read_bks(CARP / "bks.csv")[name].best_known


def grid(size: int = 3, oneway: tuple[tuple[int, int], ...] = ((1, 1),)) -> list[Street]:
    """A ``size`` x ``size`` block grid of two-way residential streets around the depot of
    ``grid_fleet()``; the east-west segments at ``oneway`` (row, column) run one way."""
    x0, y0, step = 118.770, 32.040, 0.004
    streets = []
    for i in range(size + 1):
        for j in range(size):
            a = (x0 + i * step, y0 + j * step)
            b = (x0 + i * step, y0 + (j + 1) * step)
            streets.append(street_with_defaults(
                {"id": f"ns{i}{j}", "road_class": "residential", "coords": (a, b)}))
            c = (x0 + j * step, y0 + i * step)
            d = (x0 + (j + 1) * step, y0 + i * step)
            streets.append(street_with_defaults(
                {"id": f"ew{i}{j}", "road_class": "residential", "coords": (c, d),
                 "oneway": "forward" if (i, j) in oneway else "no"}))
    return streets


@functools.cache
def grid_fleet() -> Fleet:
    """tests/data/fleet/good.yaml (depot D1 at 118.78, 32.045) with its dump site and water
    point moved onto corners of :func:`grid`."""
    base = read_fleet(DATA / "fleet" / "good.yaml")
    return base.model_copy(update={"facilities": (
        base.facilities[0].model_copy(update={"at": Point(lon=118.770, lat=32.052)}),
        base.facilities[1].model_copy(update={"at": Point(lon=118.782, lat=32.040)}),
    )})
