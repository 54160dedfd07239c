"""Shared fixtures: a tiny hand-checkable CARP instance and a small street grid with its
fleet (builders in ``tests/helpers.py``)."""

from __future__ import annotations

import pytest

from streetcrew.models.carp import CarpProblem
from streetcrew.models.fleet import Fleet
from streetcrew.models.io.carp import read_carp
from streetcrew.models.streets import Street
from tests.helpers import TINY, grid, grid_fleet


@pytest.fixture
def tiny() -> CarpProblem:
    """4 nodes, depot 1, required cycle 1-2-3-4-1 (costs 3, 2, 4, 5; demands 1, 1, 2, 1),
    non-required chord (1, 3) of cost 10, capacity 3."""
    return read_carp(TINY)


@pytest.fixture
def grid_streets() -> list[Street]:
    """A 3 x 3 block grid of residential streets, one segment one-way."""
    return grid()


@pytest.fixture
def fleet() -> Fleet:
    """A large and a small sweeper type at depot D1 beside the grid, dump and water on it."""
    return grid_fleet()
