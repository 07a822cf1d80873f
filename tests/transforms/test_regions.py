"""Regions drawn as one box: the tensors leaving a box keep their own shapes."""

from __future__ import annotations

from netviz.ir import Edge, Graph, Kind, Node
from netviz.transforms.regions import merge_regions


def node(node_id: str, shape: tuple[int, ...], axis: int | None = None) -> Node:
    return Node(id=node_id, kind=Kind.OTHER, type_name="op", scope="m", shape=shape,
                feature_axis=axis)


def test_a_second_output_of_a_box_keeps_its_tensor_s_shape() -> None:
    """x -> [a -> b] with a side tensor s inside: the box stands for b (its last node);
    the edge carrying s out of it keeps s's shape and axis, the box's own output none."""
    x, a, s, b = node("x", (16, 64), 1), node("a", (16, 64), 1), node("s", (4, 16, 16), 0), node(
        "b", (16, 64), 1)
    after, other = node("after", (16, 64), 1), node("other", (4, 16, 16), 0)
    graph = Graph(name="g", nodes=(x, a, s, b, after, other), edges=(
        Edge("x", "a"), Edge("a", "s"), Edge("a", "b"), Edge("b", "after"), Edge("s", "other")))
    box = node("box", (16, 64), 1)
    merged = merge_regions(graph, dict.fromkeys(("a", "s", "b"), "box"), {"a": box})
    out = {e.dst: e for e in merged.edges if e.src == "box"}
    assert out["after"].shape is None and out["after"].feature_axis is None
    assert (out["other"].shape, out["other"].feature_axis) == ((4, 16, 16), 0)
    assert [(e.src, e.dst) for e in merged.edges] == [("x", "box"), ("box", "after"),
                                                      ("box", "other")]
