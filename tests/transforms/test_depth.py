"""Levels of detail on hand-built raw graphs (no torch): each module of one level of the
module tree drawn as one box, identical boxes in a row folded, every count kept."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netviz.errors import UsageError
from netviz.ir import Graph, Kind
from netviz.ir.accounting import count_macs, count_ops, count_params
from netviz.transforms import NotationOptions, to_notation
from netviz.transforms.depth import (
    ancestor_at,
    check_depth,
    collapse_depth,
    deepest_level,
    detail_levels,
    level,
    parse_depth,
)
from tests.transforms.raw import residual_net


def _with_modules(graph: Graph) -> Graph:
    """The raw graph with the module tree the tracer records (classes by path shape), its
    channels the feature axis of every image tensor (as the tracer says)."""
    paths: set[str] = set()
    for node in graph.nodes:
        parts = node.scope.split(".") if node.scope else []
        paths.update(".".join(parts[:n]) for n in range(len(parts) + 1))

    def cls(path: str) -> str:
        parts = path.split(".")
        if not path:
            return "Net"
        if len(parts) == 1:
            return "Sequential" if parts[0].startswith("layer") else parts[0].capitalize()
        if len(parts) == 2:
            return "BasicBlock"
        return {"conv1": "Conv2d", "conv2": "Conv2d", "shortcut": "Conv2d"}.get(parts[2], "Op")

    nodes = tuple(replace(n, feature_axis=0) if n.shape else n for n in graph.nodes)
    return replace(graph, nodes=nodes, modules=tuple(sorted((p, cls(p)) for p in paths)))


WRN = _with_modules(residual_net())  # WRN-28-2: 3 stages of 4 blocks


def labels(graph: Graph) -> list[str]:
    return [n.label for n in graph.nodes]


def test_levels_of_the_module_tree() -> None:
    assert [level(p) for p in ("", "layer1", "layer1.0", "layer1.0.conv1")] == [0, 1, 2, 3]
    assert ancestor_at("layer1.0.conv1", 2) == "layer1.0"
    assert ancestor_at("layer1.0.conv1", 0) == ""
    assert ancestor_at("fc", 2) is None  # shallower: stays as it is
    assert deepest_level(WRN) == 3


def test_depth_1_draws_each_stage_as_one_box_named_by_its_blocks() -> None:
    graph = to_notation(WRN, NotationOptions(depth=1))
    assert labels(graph) == [
        "Input", "3x3 16C 1S 1P",
        "BasicBlock x 4, 16C → 32C", "BasicBlock x 4, 32C → 64C", "BasicBlock x 4, 64C → 128C",
        "AvgPool 8x8 1S 0P", "Linear 10C", "Output",
    ]
    assert graph.clusters == ()


def test_depth_2_folds_identical_blocks_into_one_box() -> None:
    graph = to_notation(WRN, NotationOptions(depth=2))
    boxes = [n.label for n in graph.nodes if n.attr("box")]
    assert boxes == [
        "BasicBlock 16C → 32C", "BasicBlock x 3, 32C → 32C",
        "BasicBlock 32C → 64C", "BasicBlock x 3, 64C → 64C",
        "BasicBlock 64C → 128C", "BasicBlock x 3, 128C → 128C",
    ]
    unfolded = to_notation(WRN, NotationOptions(depth=2, fold=False))
    assert sum(1 for n in unfolded.nodes if n.attr("box")) == 12


def test_depth_0_is_the_model_as_one_box() -> None:
    graph = to_notation(WRN, NotationOptions(depth=0))
    assert labels(graph) == ["Input", "Net 3C → 10C", "Output"]


def test_a_depth_past_the_deepest_level_changes_nothing() -> None:
    assert to_notation(WRN, NotationOptions(depth=7)) == to_notation(WRN)
    assert to_notation(WRN, NotationOptions(depth=3)) == to_notation(WRN)  # one op each


@pytest.mark.parametrize("depth", [0, 1, 2])
def test_boxes_keep_every_count(depth: int) -> None:
    graph = to_notation(WRN, NotationOptions(depth=depth))
    whole = to_notation(WRN)
    assert count_params(graph) == count_params(whole) == sum(n.params for n in WRN.nodes)
    assert count_macs(graph) == count_macs(whole)
    for kind in (Kind.CONV, Kind.NORM, Kind.ACT, Kind.ADD, Kind.LINEAR):
        assert count_ops(graph, kind) == count_ops(WRN, kind), kind


def test_a_box_holds_its_modules_params_and_ops() -> None:
    graph = to_notation(WRN, NotationOptions(depth=1))
    (stage1,) = [n for n in graph.nodes if n.scope == "layer1"]
    inside = [n for n in WRN.nodes if n.scope.startswith("layer1.")]
    assert stage1.params == sum(n.params for n in inside)
    assert dict(stage1.attr("ops"))["conv"] == sum(n.kind is Kind.CONV for n in inside) == 9


settings_ = settings(max_examples=60, derandomize=True, deadline=None)


@settings_
@given(depth=st.integers(0, 4), fold=st.booleans(), pre=st.booleans())
def test_depth_is_pure_idempotent_and_counts_stay(depth: int, fold: bool, pre: bool) -> None:
    raw = _with_modules(residual_net(((8, 1, 2), (16, 2, 3)), pre_activation=pre, hw=16))
    before = raw
    once = collapse_depth(raw, depth, fold=fold)
    assert raw == before  # pure
    assert collapse_depth(once, depth, fold=fold) == once  # idempotent
    options = NotationOptions(fold=fold, depth=depth)
    graph = to_notation(raw, options)
    assert to_notation(graph, options) == graph
    assert count_params(graph) == sum(n.params for n in raw.nodes)
    assert count_ops(graph, Kind.CONV) == count_ops(raw, Kind.CONV)
    ids = [n.id for n in graph.nodes]
    assert len(ids) == len(set(ids))


def test_detail_levels_fold_first_then_go_up_the_tree() -> None:
    names = [name for name, _ in detail_levels(WRN, NotationOptions(fold=False))]
    assert names[:2] == ["", "folded"]
    assert [o.depth for _, o in detail_levels(WRN, NotationOptions())] == [None, 2, 1]
    assert [o.depth for _, o in detail_levels(WRN, NotationOptions(depth=2))] == [2]


@pytest.mark.parametrize("bad", [-1, 1.5, "2", True, None])
def test_bad_depths_are_refused(bad: object) -> None:
    if bad is None:
        assert check_depth(None) is None
        return
    with pytest.raises(UsageError, match="depth must be"):
        check_depth(bad)


@pytest.mark.parametrize("text", ["-1", "x", "1.5", ""])
def test_bad_depth_words_are_refused(text: str) -> None:
    with pytest.raises(UsageError, match="depth must be"):
        parse_depth(text)
    assert parse_depth(" 3 ") == 3
