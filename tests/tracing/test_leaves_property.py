"""Later calls of a repeated block traced as one node give the graph tracing every call gives.

Generated meta models chain blocks (random repeats, widths, strides, flags, padding modes,
drop rates), nested pairs, pooling steps (the same blocks at another size), a block called
twice, a block whose layer the parent calls directly first, blocks returning two tensors
and blocks reading a second input. The trace (later alike calls one node each, their IR
nodes copied) must equal the plain trace (``NETVIZ_PLAIN_TRACE``) node for node: ids,
scopes, attributes, shapes, parameters, MACs, edges, modules. The tests below pin that
leaves are made, that each case that cannot be copied is traced again (and right), and
that the comparison catches a copy that forgets to rename.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from netviz.tracing import leaves as leaves_module
from netviz.tracing.fx import stamped_graph
from tests.properties import steady
from tests.tracing.test_stamps_property import MODES, Block, Pair, Steps, assert_same

SETTINGS = steady(40)


class Split(nn.Module):
    """A block returning two tensors (never one node: its template returns a tuple)."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(width, width, 1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.conv(x), x * 2


class Mixer(nn.Module):
    """A block reading the running tensor and the stem's output (resized to match)."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(width, width, 1)
        self.gate = nn.Conv2d(4, width, 1, bias=False)

    def forward(self, x: torch.Tensor, stem: torch.Tensor) -> torch.Tensor:
        return self.conv(x) + self.gate(F.adaptive_avg_pool2d(stem, x.shape[-2:]))


STEP = st.one_of(
    st.tuples(st.just("block"), st.integers(1, 4), st.sampled_from((4, 8)), st.booleans(),
              st.sampled_from(MODES), st.sampled_from((0.0, 0.5))),
    st.tuples(st.just("pair"), st.integers(1, 3), st.booleans()),
    st.tuples(st.just("pool")),
    st.tuples(st.just("twice")),
    st.tuples(st.just("direct"), st.integers(2, 3)),
    st.tuples(st.just("split"), st.integers(2, 3)),
    st.tuples(st.just("mixer"), st.integers(2, 4)),
)


class Chained(Steps):
    """A stem, the generated steps in a row (each a list of modules and how to call
    them), then a head."""

    def __init__(self, steps: list[tuple]) -> None:
        super().__init__()
        width = 4
        for step in steps:
            kind = step[0]
            if kind == "block":
                _, repeats, out, flag, mode, drop = step
                for _ in range(repeats):
                    self._add("block", Block(width, out, flag, mode, drop))
                    width = out
            elif kind == "pair":
                for _ in range(step[1]):
                    self._add("block", Pair(width, step[2]))
            elif kind == "pool":
                self._add("block", nn.MaxPool2d(2))
            elif kind in ("twice", "direct"):
                for _ in range(1 if kind == "twice" else step[1]):
                    self._add(kind, Block(width, width, False, "zeros", 0.0))
            elif kind == "split":
                for _ in range(step[1]):
                    self._add("split", Split(width))
            else:
                for _ in range(step[1]):
                    self._add("mixer", Mixer(width))
        self.head = nn.Linear(width, 5)

    def step(self, kind: str, module: nn.Module, x: torch.Tensor,
             stem: torch.Tensor) -> torch.Tensor:
        if kind == "twice":
            return module(module(x))
        if kind == "direct":  # the block's own layer, called before the block
            return module(x + module.conv(F.pad(x, (1, 1, 1, 1))))
        if kind == "split":
            x, y = module(x)
            return x + y
        if kind == "mixer":
            return module(x, stem)
        return module(x)


@SETTINGS
@given(steps=st.lists(STEP, min_size=1, max_size=6))
def test_trace_with_leaves_equals_plain_trace(steps: list[tuple]) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        with torch.device("meta"):
            model = Chained(steps)
        assert_same(model, monkeypatch)


def _chain(*blocks: nn.Module) -> nn.Module:
    return nn.Sequential(nn.Conv2d(3, 4, 1), *blocks)


def _blocks(n: int) -> list[nn.Module]:
    return [Block(4, 4, False, "zeros", 0.0) for _ in range(n)]


def _leaves(model: nn.Module) -> int:
    """How many calls a trace of ``model`` (all leaves allowed) makes leaves."""
    return sum(runs_of(model))


def runs_of(model: nn.Module) -> list[int]:
    """The leaves of each fx node standing for a run of them (one: a lone leaf)."""
    _, stamps = stamped_graph(model, 1, (), set())
    return [len(head.chain) for head in stamps.made.values()]


def _failures(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Collect why leaves could not be copied (each makes the tracer trace again)."""
    why: list[str] = []
    original = leaves_module.Unstampable.__init__

    def noted(self: leaves_module.Unstampable, key: object, reason: str) -> None:
        why.append(reason)
        original(self, key, reason)

    monkeypatch.setattr(leaves_module.Unstampable, "__init__", noted)
    return why


def test_later_alike_calls_are_one_node_each(monkeypatch: pytest.MonkeyPatch) -> None:
    """Five alike blocks: the first is traced (its nodes are the template), the four
    others are one node each; the graph is the plain one."""
    with torch.device("meta"):
        model = _chain(*_blocks(5))
    assert _leaves(model) == 4
    assert runs_of(model) == [4]  # each reads the one before: one node
    why = _failures(monkeypatch)
    assert_same(model, monkeypatch)
    assert why == []


def test_a_model_on_the_cpu_makes_no_leaves(monkeypatch: pytest.MonkeyPatch) -> None:
    """Values are only reused on the meta device: a CPU model's calls are stamped."""
    model = _chain(*_blocks(4))
    why = _failures(monkeypatch)
    assert_same(model, monkeypatch)
    assert why == []


@pytest.mark.parametrize("layout", ["pooled", "twice", "direct"])
def test_calls_that_cannot_be_copied_are_traced_again(
    layout: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A leaf with no alike call before it (the same blocks after a pooling step) and a
    block whose layer the parent called first (its parameters counted there) are traced
    again; a block called twice (its second call stamped, counting no parameters) needs
    not. Each graph is the plain one."""
    with torch.device("meta"):
        if layout == "pooled":
            model = _chain(*_blocks(3), nn.MaxPool2d(2), *_blocks(3))
        else:
            model = Chained([(layout, 3)] if layout == "direct" else [("twice",)] * 4)
    why = _failures(monkeypatch)
    assert_same(model, monkeypatch)
    if layout == "pooled":
        assert why == ["no alike call stamped node by node before"]
    elif layout == "direct":
        assert why and all("counted before" in w for w in why)


def test_the_comparison_catches_a_copy_without_renamed_scopes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With copied nodes left in the first block's module path, the graph differs: the
    property above can fail."""
    with torch.device("meta"):
        model = _chain(*_blocks(4))
    monkeypatch.setattr(leaves_module, "renamed_scope", lambda scope, *_: scope)
    with pytest.raises(AssertionError):
        assert_same(model, monkeypatch)
