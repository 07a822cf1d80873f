"""Chains of alike blocks folded without walking every block give the plain notation graph.

Generated meta models hold long chains of alike blocks (the tracer records them as
[`Repeat`][netviz.ir.Repeat]s) among pooling steps, nested pairs, blocks called twice,
blocks returning two tensors and blocks reading a second input. Under every notation
option, the notation graph made through the chains must equal the one the transforms
make walking the whole graph (the trace with its chains dropped), and so must the DOT
text, the Mermaid text and the pseudocode. The tests below pin that the short path is
taken, that it is not for a stale record or a depth, and that the comparison catches a
fold that forgets the blocks cut away.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from netviz.ir import Graph, Repeat
from netviz.renderers import render_dot, render_mermaid, render_pseudocode
from netviz.tracing import trace_model
from netviz.transforms import NotationOptions, to_notation
from netviz.transforms import repeats as repeats_module
from netviz.transforms.pipeline import pipeline
from tests.properties import steady
from tests.tracing.test_leaves_property import STEP, Chained
from tests.tracing.test_stamps_property import MODES, Block

SETTINGS = steady(25)

LONG = st.tuples(st.just("block"), st.integers(5, 9), st.sampled_from((4, 8)), st.booleans(),
                 st.sampled_from(MODES), st.sampled_from((0.0, 0.5)))

STEPS = st.tuples(st.lists(STEP, max_size=2), LONG, st.lists(st.one_of(LONG, STEP), max_size=3)) \
    .map(lambda parts: [*parts[0], parts[1], *parts[2]])
"""Generated steps with at least one long chain."""

OPTIONS = (NotationOptions(), NotationOptions(shapes=True),
           NotationOptions(hide_reshapes=False), NotationOptions(depth=1),
           NotationOptions(fold=False), NotationOptions.listing())


def _trace(model: nn.Module) -> Graph:
    return trace_model(model, [(3, 16, 16)], name="chained")


def assert_same_notation(graph: Graph) -> None:
    whole = replace(graph, repeats=())
    for options in OPTIONS:
        fast, plain = to_notation(graph, options), to_notation(whole, options)
        assert fast == plain, options
        assert repr(fast) == repr(plain), options
        assert render_dot(fast) == render_dot(plain), options
        assert render_mermaid(fast) == render_mermaid(plain), options
        assert render_pseudocode(fast) == render_pseudocode(plain), options


@SETTINGS
@given(steps=STEPS)
def test_notation_through_chains_equals_plain_notation(steps: list[tuple]) -> None:
    with torch.device("meta"):
        model = Chained(steps)
    assert_same_notation(_trace(model))


def _chain(n: int) -> nn.Module:
    with torch.device("meta"):
        return nn.Sequential(nn.Conv2d(3, 4, 1), Block(4, 8, False, "zeros", 0.0),
                             *(Block(8, 8, False, "zeros", 0.0) for _ in range(n)),
                             nn.Conv2d(8, 2, 1))


def test_a_long_chain_is_recorded_and_folded_without_walking_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Eight alike blocks: one chain; the transforms before folding see the chain cut
    to four blocks (not eight), once per notation, and the figure is the plain one."""
    graph = _trace(_chain(8))
    assert [r.blocks for r in graph.repeats] == [tuple(str(i) for i in range(2, 10))]
    seen: list[int] = []
    cut = repeats_module.cut

    def counted(whole: Graph, middle: int) -> Graph | None:
        small = cut(whole, middle)
        seen.append(len(small.nodes) if small is not None else -1)
        return small

    monkeypatch.setattr(repeats_module, "cut", counted)
    assert_same_notation(graph)
    size = graph.repeats[0].size
    # the three options that fold without a depth, each cut once (two middle blocks)
    assert seen == [len(graph.nodes) - 4 * size] * 3


def test_short_chains_are_not_recorded() -> None:
    assert _trace(_chain(4)).repeats == ()


def test_a_stale_record_is_ignored() -> None:
    """A record that does not fit the graph (moved, or on a transformed graph) makes the
    transforms walk the whole graph."""
    graph = _trace(_chain(8))
    moved = replace(graph, repeats=(replace(graph.repeats[0], start=graph.repeats[0].start + 1),))
    assert repeats_module.folded_without_walking(moved, pipeline()) is None
    assert to_notation(moved) == to_notation(replace(graph, repeats=()))
    odd = replace(graph, repeats=(Repeat(("x",), 0, 1, 0, 1),))
    assert to_notation(odd) == to_notation(replace(graph, repeats=()))


def test_the_comparison_catches_a_patch_that_miscounts_the_blocks_cut_away(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A patch counting one block too few (for both cuts alike) gives another figure."""
    graph = _trace(_chain(8))
    patch = repeats_module.patch

    def miscounted(*args: object) -> Graph | None:
        patched = patch(*args)  # type: ignore[arg-type]
        assert patched is not None
        clusters = tuple(replace(c, repeat=c.repeat - 1) if len(c.blocks) > 2 else c
                         for c in patched.clusters)
        return replace(patched, clusters=clusters)

    monkeypatch.setattr(repeats_module, "patch", miscounted)
    with pytest.raises(AssertionError):
        assert_same_notation(graph)


def test_a_cached_trace_keeps_its_chains() -> None:
    """A raw trace written to netviz's cache and read back records the same chains (a
    warm trace with a new notation option folds them without walking them too)."""
    from netviz.ir.serialize import dumps, loads

    graph = _trace(_chain(6))
    again = loads(dumps(graph))
    assert again == graph and again.repeats == graph.repeats != ()
    assert to_notation(again) == to_notation(replace(graph, repeats=()))


@pytest.mark.parametrize("sizes", [(3, 2), (3, 3), (6, 5)])
def test_a_chain_never_runs_across_two_stages(sizes: tuple[int, int]) -> None:
    """Alike blocks of two stages in a row (same widths, stride 1) are two groups in the
    figure: a chain recorded across them would cut that boundary away."""
    def stage(n: int) -> nn.Module:
        return nn.Sequential(*(Block(8, 8, False, "zeros", 0.0) for _ in range(n)))

    with torch.device("meta"):
        model = nn.Sequential(nn.Conv2d(3, 8, 1), stage(sizes[0]), stage(sizes[1]))
    graph = _trace(model)
    for chain in graph.repeats:
        assert len({block.rpartition(".")[0] for block in chain.blocks}) == 1, chain.blocks
    assert_same_notation(graph)
