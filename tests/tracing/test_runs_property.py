"""A run of alike leaves, each reading the one before, as one fx node gives the plain graph.

Generated meta models call runs of alike blocks of random lengths, a differing block in
the middle of a run, pooling steps inside a run (the blocks after it at another size),
blocks whose names collide with others' once fx writes them (``a.1.conv`` and
``a_1.conv`` are both ``a_1_conv``), an op made between two blocks of a run, and a
block output read again after the next block. The trace (runs joined into one node)
must equal the plain trace (``NETVIZ_PLAIN_TRACE``) node for node, and record the same
chains (``Graph.repeats``) as the trace with one node per leaf. The tests below pin that
runs are joined, and that the property fails on versions that join where they must not.
"""

from __future__ import annotations

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from netviz.ir import Graph
from netviz.tracing import runs as runs_module
from netviz.tracing import stamps as stamps_module
from netviz.tracing import tracer as tracer_module
from tests.properties import steady
from tests.tracing.test_leaves_property import runs_of
from tests.tracing.test_stamps_property import Block, Steps, assert_same, traced

SETTINGS = steady(30)


def _alike(width: int) -> Block:
    return Block(width, width, False, "zeros", 0.0)


class Collide(nn.Module):
    """Alike blocks whose fx names collide: ``a.1.conv`` and ``a_1.conv`` both ask for
    ``a_1_conv`` (fx gives the second ``a_1_conv_1``); the run goes on from ``a`` into
    the blocks beside it."""

    def __init__(self, width: int, first: int, second: int) -> None:
        super().__init__()
        self.a = nn.Sequential(*(_alike(width) for _ in range(first)))
        self.second = second
        for i in range(1, second + 1):
            setattr(self, f"a_{i}", _alike(width))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.a(x)
        for i in range(1, self.second + 1):
            x = getattr(self, f"a_{i}")(x)
        return x


STEP = st.one_of(
    st.tuples(st.just("run"), st.integers(1, 7), st.sampled_from((4, 8))),
    st.tuples(st.just("odd"), st.integers(1, 3), st.integers(1, 3)),
    st.tuples(st.just("pool"), st.integers(1, 3), st.integers(1, 3)),
    st.tuples(st.just("collide"), st.integers(1, 4), st.integers(1, 4)),
    st.tuples(st.just("between"), st.integers(1, 3), st.integers(1, 3)),
    st.tuples(st.just("again"), st.integers(1, 3), st.integers(1, 3)),
)


class Runs(Steps):
    """A stem, the generated steps (each a list of modules and how to call them), a head.

    - ``run``: blocks of a width (the first changes it when it differs);
    - ``odd``: alike blocks, one differing in a flag its forward reads, alike blocks;
    - ``pool``: alike blocks, a pooling step, alike blocks (another size);
    - ``collide``: see ``Collide``;
    - ``between``: alike blocks, an op on the stem's output, alike blocks, both added;
    - ``again``: alike blocks, then alike blocks whose output is added to the first ones'.
    """

    def __init__(self, steps: list[tuple]) -> None:
        super().__init__()
        width = 4
        for step in steps:
            kind = step[0]
            if kind == "run":
                _, count, out = step
                for _ in range(count):
                    self._add("block", Block(width, out, False, "zeros", 0.0))
                    width = out
                continue
            _, before, after = step
            if kind == "collide":
                self._add("block", Collide(width, before, after))
                continue
            self._add("block", nn.Sequential(*(_alike(width) for _ in range(before))))
            if kind == "odd":
                self._add("block", Block(width, width, True, "zeros", 0.0))
            elif kind == "pool":
                self._add("block", nn.MaxPool2d(2))
            self._add(kind if kind in ("between", "again") else "block",
                      nn.Sequential(*(_alike(width) for _ in range(after))))
        self.head = nn.Linear(width, 5)

    def step(self, kind: str, module: nn.Module, x: torch.Tensor,
             stem: torch.Tensor) -> torch.Tensor:
        if kind == "between":  # an op made between the two runs, read after
            side = stem.mean()
            return module(x) + side
        if kind == "again":  # the output of the run before, read after this one
            return module(x) + x
        return module(x)


def _leaf_per_call(model: nn.Module, monkeypatch: pytest.MonkeyPatch) -> Graph:
    """The trace with one fx node per leaf (no runs joined)."""
    with monkeypatch.context() as patch:
        patch.setattr(stamps_module, "joined_onto", lambda *_: None)
        return traced(model, False, patch)


def assert_runs_right(model: nn.Module, monkeypatch: pytest.MonkeyPatch) -> None:
    """The trace equals the plain one, and records the chains one node per leaf records."""
    assert_same(model, monkeypatch)
    assert traced(model, False, monkeypatch).repeats == _leaf_per_call(model, monkeypatch).repeats


@SETTINGS
@given(steps=st.lists(STEP, min_size=1, max_size=5))
def test_trace_with_runs_equals_plain_trace(steps: list[tuple]) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        with torch.device("meta"):
            model = Runs(steps)
        assert_runs_right(model, monkeypatch)


def _model(*steps: tuple) -> nn.Module:
    with torch.device("meta"):
        return Runs(list(steps))


def test_runs_are_one_node(monkeypatch: pytest.MonkeyPatch) -> None:
    """Seven alike blocks: the first traced, the six others one node; a block differing
    in the middle splits the run; the chain recorded is the same."""
    model = _model(("run", 7, 4))
    assert runs_of(model) == [6]
    assert_runs_right(model, monkeypatch)
    assert len(traced(model, False, monkeypatch).repeats) == 1
    split = _model(("odd", 3, 4))  # (two runs of equal length would be alike as a whole)
    assert runs_of(split) == [2, 4]  # the block after the odd one reads its output: a node
    assert_runs_right(split, monkeypatch)


def test_colliding_names_are_the_plain_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    model = _model(("collide", 3, 3))
    assert runs_of(model) == [5]  # a.1, a.2, then a_1, a_2, a_3
    plain = traced(model, True, monkeypatch)
    assert "body_0_a_1_conv_1" in {node.id for node in plain.nodes}
    assert_runs_right(model, monkeypatch)


@pytest.mark.parametrize("kind", ["between", "again"])
def test_the_property_fails_when_runs_join_wrongly(
    kind: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Joining a leaf onto a node made before another op, or onto one whose output is
    read again, gives another graph (or fails): the property above can fail."""
    model = _model((kind, 2, 3))
    assert_runs_right(model, monkeypatch)  # right as it is
    with monkeypatch.context() as patch:
        if kind == "between":  # a version that does not check that no node came between
            original = runs_module.joined_onto

            def careless(tracer: object, runs: runs_module.Runs, *rest: object) -> object:
                if runs.last is not None:
                    leaf, proxy, _ = runs.last
                    runs.last = (leaf, proxy, len(tracer.graph.nodes))  # type: ignore[attr-defined]
                return original(tracer, runs, *rest)

            patch.setattr(stamps_module, "joined_onto", careless)
        else:  # a version that does not check that the spent proxies stay unread
            patch.setattr(tracer_module, "check_runs", lambda stamps: None)
        with pytest.raises(Exception):
            assert_same(model, patch)
