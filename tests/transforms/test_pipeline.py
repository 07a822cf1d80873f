"""The whole transform pipeline on hand-built raw graphs (no torch)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netviz.ir import Graph, Kind
from netviz.ir.accounting import count_ops, count_params
from netviz.transforms import NotationOptions, to_notation
from tests.transforms.raw import residual_net


def titles(graph: Graph) -> list[str]:
    return [c.title for c in graph.clusters]


def test_wrn28_2_folds_into_the_seed_groups() -> None:
    graph = to_notation(residual_net())
    assert titles(graph) == [
        "Group 0 Projection", "Group 0 x (N - 1) = 3",
        "Group 1 Projection", "Group 1 x (N - 1) = 3",
        "Group 2 Projection", "Group 2 x (N - 1) = 3",
    ]
    data = [n.label for n in graph.nodes if n.kind is Kind.DATA]
    assert data == ["16C", "32C", "32C", "64C", "64C", "128C"]


def test_no_fold_draws_every_block() -> None:
    graph = to_notation(residual_net(), NotationOptions(fold=False))
    assert len(graph.clusters) == 12
    assert titles(graph)[:2] == ["Group 0 Projection", "Group 0 Block 1"]


def test_pre_activation_mark_is_shared_by_conv_projection_and_skip() -> None:
    graph = to_notation(residual_net())
    first = graph.clusters[0]
    data = first.node_ids[0]
    marks = {e.mark for e in graph.out_edges(data)}
    assert len(marks) == 1 and next(iter(marks)).label == "BN → ReLU"
    assert len(graph.out_edges(data)) == 2  # conv branch and projection


def test_post_activation_relu_sits_before_the_next_data_node() -> None:
    graph = to_notation(residual_net(((64, 1, 2), (128, 2, 2)), pre_activation=False))
    second = graph.clusters[1]
    (into,) = graph.in_edges(second.node_ids[0])
    assert into.mark is not None and into.mark.label == "ReLU"
    assert all(e.mark is None for e in graph.out_edges(second.node_ids[0]) if e.dst != "")


def test_head_drops_the_view_but_keeps_bn_relu() -> None:
    graph = to_notation(residual_net())
    labels = [n.label for n in graph.nodes]
    assert labels[-3:] == ["AvgPool 8x8 1S 0P", "Linear 10C", "Output"]
    (into_pool,) = graph.in_edges("avgpool")
    assert into_pool.mark is not None and into_pool.mark.label == "BN → ReLU"


def test_all_identical_blocks_fold_into_x_n() -> None:
    graph = to_notation(residual_net(((16, 1, 3),), stem=16))
    assert titles(graph) == ["Group 0 x N = 3"]


groups_strategy = st.lists(
    st.tuples(st.sampled_from([8, 16, 32]), st.sampled_from([1, 2]), st.integers(1, 5)),
    min_size=1,
    max_size=4,
).map(tuple)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(groups=groups_strategy, pre=st.booleans(), fold=st.booleans())
def test_transforms_preserve_counts_and_are_idempotent(
    groups: tuple[tuple[int, int, int], ...], pre: bool, fold: bool
) -> None:
    raw = residual_net(groups, pre_activation=pre, hw=64)
    options = NotationOptions(fold=fold)
    graph = to_notation(raw, options)
    assert to_notation(graph, options) == graph  # idempotent
    assert to_notation(raw, options) == graph  # deterministic
    assert count_params(graph) == count_params(raw) == sum(n.params for n in raw.nodes)
    for kind in (Kind.CONV, Kind.NORM, Kind.ACT, Kind.ADD, Kind.LINEAR):
        assert count_ops(graph, kind) == count_ops(raw, kind)
    ids = [n.id for n in graph.nodes]
    assert len(ids) == len(set(ids))
    assert {e.src for e in graph.edges} | {e.dst for e in graph.edges} <= set(ids)
    assert sum(c.repeat for c in graph.clusters) == sum(b for _, _, b in groups)
    if fold:
        assert len(graph.clusters) <= 2 * len(groups)


@pytest.mark.parametrize("depth", [10, 100, 1000])
def test_folded_size_does_not_grow_with_depth(depth: int) -> None:
    n = (depth - 4) // 6
    graph = to_notation(residual_net(((32, 1, n), (64, 2, n), (128, 2, n))))
    shallow = to_notation(residual_net(((32, 1, 4), (64, 2, 4), (128, 2, 4))))
    assert len(graph.nodes) <= len(shallow.nodes)
    assert count_ops(graph, Kind.CONV) == 1 + 3 * (2 * n + 1) + 0 * depth


def test_identity_modules_are_not_drawn_but_listed() -> None:
    from tests.transforms.raw import RawBuilder

    b = RawBuilder("ident")
    x = b.add("x", "input", "", (), (4, 8, 8))
    y = b.conv("block.conv", x, 4, 4, 3, 1, 1, 8)
    skip = b.add("block_shortcut", "Identity", "block.shortcut", (x,), (4, 8, 8))
    out = b.add("add", "add", "block", (y, skip), (4, 8, 8))
    b.add("output", "output", "", (out,), None)
    drawn = to_notation(b.graph())
    assert "Identity" not in [n.label for n in drawn.nodes]
    assert count_ops(drawn, Kind.ADD) == 1
    listed = to_notation(b.graph(), NotationOptions.listing())
    assert "Identity" in [n.label for n in listed.nodes]


def _blocks(padding_modes: list[str], widths: list[int] | None = None) -> Graph:
    """Blocks of conv → conv → add on one parent, each with the given padding mode and
    width (a block that widens takes a 1x1 projection shortcut; the input has 4 channels
    when widths are given, so every block widens)."""
    from tests.transforms.raw import RawBuilder

    b = RawBuilder("modes")
    c = 4 if widths else 8
    x = b.add("x", "input", "", (), (c, 8, 8))
    for i, mode in enumerate(padding_modes):
        w = (widths or [8] * len(padding_modes))[i]
        scope = f"stage.{i}"
        h = b.add(f"c{i}a", "Conv2d", f"{scope}.a", (x,), (w, 8, 8), w * c * 9,
                  kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), in_channels=c,
                  out_channels=w, padding_mode=mode)
        h = b.add(f"c{i}b", "Conv2d", f"{scope}.b", (h,), (w, 8, 8), w * w * 9,
                  kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), in_channels=w,
                  out_channels=w, padding_mode=mode)
        skip = x if w == c else b.add(f"p{i}", "Conv2d", f"{scope}.p", (x,), (w, 8, 8), w * c,
                                      kernel_size=(1, 1), in_channels=c, out_channels=w)
        x = b.add(f"add{i}", "add", scope, (h, skip), (w, 8, 8))
        c = w
    b.add("output", "output", "", (x,), None)
    return b.graph()


def test_blocks_differing_in_a_computation_attribute_never_fold() -> None:
    assert titles(to_notation(_blocks(["zeros", "zeros", "zeros"]))) == ["Group 0 x N = 3"]
    mixed = titles(to_notation(_blocks(["zeros", "reflect", "zeros"])))
    assert len(mixed) == 3  # the reflect-padded block stands apart


def test_blocks_differing_only_in_width_fold_with_the_range() -> None:
    graph = to_notation(_blocks(["zeros"] * 4, widths=[8, 16, 24, 32]))
    assert len(graph.clusters) == 1
    (cluster,) = graph.clusters
    assert cluster.repeat == 4 and cluster.widths == (4, 8, 16, 24, 32)
    assert count_params(graph) == count_params(to_notation(_blocks(["zeros"] * 4, [8, 16, 24, 32]),
                                                           NotationOptions(fold=False)))
    reflect = to_notation(_blocks(["zeros", "reflect", "zeros", "zeros"], [8, 16, 24, 32]))
    assert len(reflect.clusters) == 3


def test_blocks_repeating_in_a_cycle_fold_by_their_period() -> None:
    # plain, reflect, plain, reflect, plain, reflect: two clusters, three blocks each
    graph = to_notation(_blocks(["zeros", "reflect"] * 3))
    assert titles(graph) == ["Group 0 Blocks 0, 2, 4 x 3", "Group 0 Blocks 1, 3, 5 x 3"]
    assert [c.period for c in graph.clusters] == [2, 2]
    whole = to_notation(_blocks(["zeros", "reflect"] * 3), NotationOptions(fold=False))
    assert count_params(graph) == count_params(whole)
    assert count_ops(graph, Kind.CONV) == count_ops(whole, Kind.CONV)
    assert to_notation(graph) == graph
