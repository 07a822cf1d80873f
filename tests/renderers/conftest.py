"""Shared renderer fixtures: hand-built notation graphs and their renders."""

from __future__ import annotations

import pytest

from netviz.ir import Graph
from tests.renderers.graphs import MARKS, chain, wrn28_2


@pytest.fixture(scope="session")
def wrn() -> Graph:
    return wrn28_2()


@pytest.fixture(scope="session")
def all_marks() -> Graph:
    """Input → 4 convs → Output, one edge per glyph (bn-relu, norm-act, norm, act, chain)."""
    return chain("all_marks", list(MARKS.values()))
