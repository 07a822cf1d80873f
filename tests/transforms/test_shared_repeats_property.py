"""Chains of alike blocks that also read nodes from before the chain (a decoder's layers
reading the rotary tables and a mask) are folded without walking every block, to the
plain notation graph.

Generated meta models, traced under module hooks (alike blocks recorded once and
repeated, see [`netviz.tracing.repeats`][netviz.tracing.repeats]): a stem, a layer
giving two tables (one node holding a tuple), a functional mask, then runs of alike
decoder-like blocks, each reading the running tensor and any of the tables, the mask and
the model's input, once or twice; a run of blocks of another kind after it; a middle
block's output read again after the chain. The chains the trace records
([`Repeat`][netviz.ir.Repeat] with ``shared`` nodes) must give, under every notation
option, the notation graph, DOT, Mermaid and pseudocode the transforms give walking the
whole graph; the short path must be taken for a chain; and nothing after a chain may
read a block of it but the last.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from netviz.ir import Graph, evolve
from netviz.tracing.chained import SHORTEST
from netviz.tracing.hooks import record_forward
from netviz.transforms import NotationOptions
from netviz.transforms import pipeline as pipeline_module
from netviz.transforms import repeats as repeats_module
from netviz.transforms.pipeline import pipeline
from tests.properties import steady
from tests.transforms.test_repeats_property import assert_same_notation

SETTINGS = steady(25)

WIDTH = 8

READS = ("tables", "mask", "input")
"""What a block may read beside the running tensor."""


class Tables(nn.Module):
    """A layer of its own (a buffer, no children): one node giving two tensors."""

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("freq", torch.ones(WIDTH))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        angles = x * self.freq
        return angles.cos(), angles.sin()


class Layer(nn.Module):
    """A decoder-like block: ``reads`` says which shared tensors it reads, ``twice``
    whether it reads them twice, ``norm`` whether it starts with a norm (another kind)."""

    def __init__(self, reads: tuple[str, ...], twice: bool, norm: bool, residual: bool) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(WIDTH) if norm else None
        self.fc1 = nn.Linear(WIDTH, WIDTH)
        self.fc2 = nn.Linear(WIDTH, WIDTH)
        self.reads, self.twice, self.residual = reads, twice, residual

    def forward(self, x: torch.Tensor, tables: tuple[torch.Tensor, torch.Tensor],
                mask: torch.Tensor, raw: torch.Tensor) -> torch.Tensor:
        y = self.fc1(self.norm(x) if self.norm is not None else x)
        if "tables" in self.reads:
            cos, sin = tables
            y = y * cos + y.flip(-1) * sin
            if self.twice:
                y = y * cos
        if "mask" in self.reads:
            y = y + mask
            if self.twice:
                y = y * mask
        if "input" in self.reads:
            y = y - raw
        out = self.fc2(torch.relu(y))
        return x + out if self.residual else out


class Decoder(nn.Module):
    """A stem, the tables and a mask, runs of alike layers, a norm; ``again``: the output
    of that layer is added to the output (read after the chain)."""

    def __init__(self, runs: list[tuple[int, tuple[str, ...], bool, bool, bool]],
                 again: int | None) -> None:
        super().__init__()
        self.stem = nn.Linear(WIDTH, WIDTH)
        self.tables = Tables()
        self.layers = nn.ModuleList(
            Layer(reads, twice, norm, residual)
            for count, reads, twice, norm, residual in runs for _ in range(count))
        self.norm = nn.LayerNorm(WIDTH)
        self.again = again

    def forward(self, raw: torch.Tensor) -> torch.Tensor:
        x = self.stem(raw)
        tables = self.tables(x)
        mask = torch.sigmoid(x)
        kept = None
        for i, layer in enumerate(self.layers):
            x = layer(x, tables, mask, raw)
            if i == self.again:
                kept = x
        x = self.norm(x)
        return x if kept is None else x + kept


RUN = st.tuples(st.integers(1, 8), st.lists(st.sampled_from(READS), unique=True, max_size=3)
                .map(tuple), st.booleans(), st.booleans(), st.booleans())
RUNS = st.lists(RUN, min_size=1, max_size=3)


def _trace(model: nn.Module) -> Graph:
    return record_forward(model, [(4, WIDTH)], "decoder", "test", None, None, False,
                          on_meta=True)


def _build(runs: list[tuple], again: int | None) -> Decoder:
    with torch.device("meta"):
        return Decoder(runs, again)


def assert_chains_hold(graph: Graph) -> None:
    """Each chain's blocks are where it says, and nothing after it reads a block of it but
    the last (checked on the graph, not through the tracer's bookkeeping)."""
    for chain in graph.repeats:
        for k, block in enumerate(chain.blocks):
            ids = [n.id for n in graph.nodes[chain.start + k * chain.size:
                                             chain.start + (k + 1) * chain.size]]
            assert all(i.startswith(block + ".") for i in ids), (block, ids)
        position = {n.id: i for i, n in enumerate(graph.nodes)}
        end = chain.start + (len(chain.blocks) - 1) * chain.size
        chain_edges = set(range(chain.edge_start,
                                chain.edge_start + len(chain.blocks) * chain.edge_size))
        for i, edge in enumerate(graph.edges):
            if i not in chain_edges:
                assert not chain.start <= position[edge.src] < end, edge
        for shared in chain.shared:
            assert position[shared] < chain.start


@SETTINGS
@given(runs=RUNS, again=st.one_of(st.none(), st.integers(0, 12)))
def test_notation_through_shared_chains_equals_plain_notation(
        runs: list[tuple], again: int | None) -> None:
    graph = _trace(_build(runs, again))
    assert_chains_hold(graph)
    assert_same_notation(graph)
    # a long run of one kind, read after it by nothing but the model's norm: one chain
    # (its first block may be recorded for itself: fed by the stem), the short path taken
    merged: list[list] = []  # runs of one kind next to each other are one run
    for count, *kind in runs:
        if merged and merged[-1][1] == kind:
            merged[-1][0] += count
        else:
            merged.append([count, kind])
    start = 0
    for i, (count, kind) in enumerate(merged):
        if count >= SHORTEST + 1 and kind not in [k for _, k in merged[:i]] and (
                again is None or not start <= again < start + count - 1):
            assert any(chain.blocks[-1] == f"layers.{start + count - 1}"
                       and len(chain.blocks) >= count - 1 for chain in graph.repeats), (
                runs, graph.repeats)
            assert repeats_module.folded_without_walking(graph, pipeline()) is not None
        start += count


def _decoder(count: int = 8, again: int | None = None) -> Decoder:
    return _build([(count, ("tables", "mask", "input"), True, True, True)], again)


def test_a_decoder_chain_records_what_its_blocks_share() -> None:
    graph = _trace(_decoder())
    [chain] = graph.repeats
    assert chain.blocks == tuple(f"layers.{i}" for i in range(8))
    assert chain.shared == ("tables", "sigmoid()", "raw")


def test_a_block_read_after_the_chain_ends_it() -> None:
    """Layer 3's output is read again at the end: the chain stops at layer 3 (too short)
    and the layers after it are a chain of their own."""
    graph = _trace(_decoder(10, again=3))
    assert [chain.blocks for chain in graph.repeats] == [
        tuple(f"layers.{i}" for i in range(4, 10))]
    assert_chains_hold(graph)
    assert_same_notation(graph)


def test_the_comparison_catches_a_cut_that_drops_the_shared_edges_of_kept_blocks(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A cut that leaves the kept middle blocks without their edges from the shared nodes
    gives another figure: the property above would see it."""
    graph = _trace(_decoder())
    cut = repeats_module.cut

    def dropping(whole: Graph, middle: int) -> Graph | None:
        small = cut(whole, middle)
        assert small is not None
        shared, last = set(whole.repeats[0].shared), whole.repeats[0].blocks[-1]
        return replace(small, edges=tuple(
            e for e in small.edges if e.src not in shared or not e.dst.startswith("layers.")
            or e.dst.startswith(("layers.0.", last + "."))))

    monkeypatch.setattr(repeats_module, "cut", dropping)
    with pytest.raises(AssertionError):
        assert_same_notation(graph)


def _with_step_before_folding(monkeypatch: pytest.MonkeyPatch,
                              step: Callable[[Graph], Graph]) -> None:
    """Make the pipeline run ``step`` right before ``fold_repeats`` (a transform whose
    output depends on how many alike blocks a chain has)."""
    plain = pipeline_module.pipeline

    def with_step(options: NotationOptions = NotationOptions()) -> list:
        steps = plain(options)
        names = [name for name, _ in steps]
        at = names.index("fold_repeats") if "fold_repeats" in names else len(steps)
        return [*steps[:at], ("counting", step), *steps[at:]]

    monkeypatch.setattr(pipeline_module, "pipeline", with_step)


def test_a_transform_counting_a_shared_nodes_readers_is_caught(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The cut keeps four of a chain's blocks: a transform writing how many ops read each
    node (a shared table's readers: four in the cut, every block in the whole graph)
    gives another figure through the chain than walking it, and the property above says
    so (no second cut hides it by falling back)."""
    graph = _trace(_decoder(count=7))
    assert graph.repeats and graph.repeats[0].shared

    def readers(g: Graph) -> Graph:
        return replace(g, nodes=tuple(
            evolve(n, attrs=(*n.attrs, ("readers", len({e.dst for e in g.out_edges(n.id)}))))
            for n in g.nodes))

    _with_step_before_folding(monkeypatch, readers)
    with pytest.raises(AssertionError):
        assert_same_notation(graph)


def test_a_transform_counting_a_chains_blocks_is_caught(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A transform writing how many modules the model has (fewer in the cut graph than in
    the whole one: the blocks cut away are gone) gives another figure through the chain
    than walking it, and the property above says so."""
    graph = _trace(_decoder(count=7))
    assert graph.repeats

    def modules(g: Graph) -> Graph:
        return replace(g, caption=f"{len(g.modules)} modules")

    _with_step_before_folding(monkeypatch, modules)
    with pytest.raises(AssertionError):
        assert_same_notation(graph)
