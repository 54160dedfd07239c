"""Shared fixtures: a tiny hand-checkable instance."""

from __future__ import annotations

import pytest

from streetcrew.models.carp import CarpProblem
from streetcrew.models.io.carp import read_carp
from tests.helpers import TINY


@pytest.fixture
def tiny() -> CarpProblem:
    """4 nodes, depot 1, required cycle 1-2-3-4-1 (costs 3, 2, 4, 5; demands 1, 1, 2, 1),
    non-required chord (1, 3) of cost 10, capacity 3."""
    return read_carp(TINY)
