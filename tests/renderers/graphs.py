"""Hand-built notation graphs for renderer tests (no torch, no transforms).

``wrn28_2()`` is the seed's WRN-28-2 diagram as the transforms should produce it:
stem conv, per group a projection cluster and a folded ``x (N - 1) = 3`` cluster,
BN → ReLU marks on the edges leaving data nodes, and the head.
"""

from __future__ import annotations

from netviz.ir import Cluster, Edge, Graph, Kind, Mark, Node


class Builder:
    """Accumulates nodes, edges and clusters with short, readable calls."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.nodes: list[Node] = []
        self.edges: list[Edge] = []
        self.clusters: list[Cluster] = []
        self._open: list[str] | None = None

    def node(self, node_id: str, kind: Kind, label: str, type_name: str = "") -> str:
        self.nodes.append(Node(node_id, kind, type_name or kind.value, label=label))
        if self._open is not None:
            self._open.append(node_id)
        return node_id

    def edge(self, src: str, dst: str, mark: Mark | None = None) -> None:
        self.edges.append(Edge(src, dst, mark))

    def begin(self) -> None:
        self._open = []

    def end(self, cluster_id: str, group: int, index: int, title: str, repeat: int = 1) -> None:
        assert self._open is not None
        blocks = tuple(f"{cluster_id}.{i}" for i in range(repeat))
        self.clusters.append(
            Cluster(cluster_id, group, index, blocks, tuple(self._open), title, repeat)
        )
        self._open = None

    def graph(self) -> Graph:
        return Graph(self.name, tuple(self.nodes), tuple(self.edges), tuple(self.clusters))


def bn_relu(scope: str, norm: str = "BatchNorm2d", act: str = "ReLU") -> Mark:
    """A fused norm → act mark living in module ``scope``."""
    return Mark(
        (norm, act),
        (Kind.NORM, Kind.ACT),
        (f"{scope}.bn", f"{scope}.relu"),
        scope=scope,
        params=0,
        label=f"{'BN' if norm.startswith('BatchNorm') else norm} → {act}",
        code=f"{'BN' if norm.startswith('BatchNorm') else norm} -> {act}",
    )


def wrn28_2() -> Graph:
    """The seed's WRN-28-2 notation graph, folded (3 groups x 2 clusters)."""
    b = Builder("wrn28_2")
    b.node("x", Kind.INPUT, "Input", "input")
    prev = b.node("conv", Kind.CONV, "3x3 16C 1S 1P", "Conv2d")
    b.edge("x", prev)
    in_ch = 16
    for g, (width, stride) in enumerate([(32, 1), (64, 2), (128, 2)]):
        for part in ("proj", "rep"):
            scope = f"block{g + 1}.layer.{0 if part == 'proj' else 1}"
            channels = in_ch if part == "proj" else width
            s = stride if part == "proj" else 1
            b.begin()
            data = b.node(f"{scope}.data", Kind.DATA, f"{channels}C", "data")
            b.edge(prev, data)
            x = bn_relu(scope)
            c1 = b.node(f"{scope}.conv1", Kind.CONV, f"3x3 {width}C {s}S 1P", "Conv2d")
            b.edge(data, c1, x)
            c2 = b.node(f"{scope}.conv2", Kind.CONV, f"3x3 {width}C 1S 1P", "Conv2d")
            b.edge(c1, c2, bn_relu(f"{scope}.mid"))
            add = b.node(f"{scope}.add", Kind.ADD, "+", "add")
            b.edge(c2, add)
            if part == "proj":
                sc = b.node(f"{scope}.shortcut", Kind.CONV, f"1x1 {width}C {s}S 0P", "Conv2d")
                b.edge(data, sc, x)
                b.edge(sc, add)
                b.end(scope, g, 0, f"Group {g} Projection")
            else:
                b.edge(data, add, x)
                b.end(scope, g, 1, f"Group {g} x (N - 1) = 3", repeat=3)
            prev = add
        in_ch = width
    pool = b.node("avgpool", Kind.POOL, "AvgPool 8x8 1S 0P", "AvgPool2d")
    b.edge(prev, pool, bn_relu("head"))
    fc = b.node("fc", Kind.LINEAR, "Linear 10C", "Linear")
    b.edge(pool, fc)
    out = b.node("output", Kind.OUTPUT, "Output", "output")
    b.edge(fc, out)
    return b.graph()


def single_mark(kinds: tuple[Kind, ...], type_names: tuple[str, ...], label: str) -> Mark:
    return Mark(type_names, kinds, tuple(f"m.{n}" for n in type_names), label=label)


MARKS: dict[str, Mark] = {
    "bn-relu": bn_relu("m"),
    "norm-act": single_mark((Kind.NORM, Kind.ACT), ("InstanceNorm2d", "PReLU"), "IN → PReLU"),
    "norm": single_mark((Kind.NORM,), ("BatchNorm2d",), "BN"),
    "act": single_mark((Kind.ACT,), ("ReLU",), "ReLU"),
    "chain": single_mark(
        (Kind.NORM, Kind.ACT, Kind.DROPOUT), ("BatchNorm2d", "ReLU", "Dropout"), "BN → ReLU → Dropout"
    ),
}
"""One mark per glyph, keyed by glyph name."""


def chain(name: str, marks: list[Mark | None], labels: list[str] | None = None) -> Graph:
    """Input → conv → conv … → Output, edge ``i`` carrying ``marks[i]``."""
    b = Builder(name)
    ids = [b.node("in", Kind.INPUT, "Input", "input")]
    for i in range(len(marks) - 1):
        label = labels[i] if labels else f"3x3 {i}C 1S 1P"
        ids.append(b.node(f"c{i}", Kind.CONV, label, "Conv2d"))
    ids.append(b.node("out", Kind.OUTPUT, "Output", "output"))
    for (src, dst), mark in zip(zip(ids, ids[1:]), marks):
        b.edge(src, dst, mark)
    return b.graph()


def _norm(scope: str) -> Mark:
    return Mark(("BatchNorm2d",), (Kind.NORM,), (f"{scope}.bn",), scope=scope, label="BN",
                code="BN")


def _relu(scope: str) -> Mark:
    return Mark(("ReLU",), (Kind.ACT,), (f"{scope}.relu",), scope=scope, label="ReLU",
                code="ReLU")


def bottleneck_resnet(name: str, stages: list[int]) -> Graph:
    """A ResNet-50-style notation graph: per stage a projection bottleneck (1x1 shortcut
    conv, ``BN`` on both edges into the add, ``ReLU`` after it) and, when the stage has
    more than one block, a folded ``x (N - 1)`` bottleneck with an identity shortcut."""
    b = Builder(name)
    b.node("x", Kind.INPUT, "Input", "input")
    stem = b.node("stem", Kind.CONV, "7x7 64C 2S 3P", "Conv2d")
    b.edge("x", stem)
    prev = b.node("pool", Kind.POOL, "MaxPool 3x3 2S 1P", "MaxPool2d")
    b.edge(stem, prev, bn_relu("stem"))
    into, after = None, None
    channels = 64
    for g, blocks in enumerate(stages):
        width, out = 64 * 2**g, 256 * 2**g
        stride = 1 if g == 0 else 2
        for part in ("proj", "rep")[: 1 + (blocks > 1)]:
            scope = f"layer{g + 1}.{0 if part == 'proj' else 1}"
            s = stride if part == "proj" else 1
            b.begin()
            data = b.node(f"{scope}.data", Kind.DATA, f"{channels}C", "data")
            b.edge(prev, data, after)
            c1 = b.node(f"{scope}.conv1", Kind.CONV, f"1x1 {width}C 1S 0P", "Conv2d")
            b.edge(data, c1)
            c2 = b.node(f"{scope}.conv2", Kind.CONV, f"3x3 {width}C {s}S 1P", "Conv2d")
            b.edge(c1, c2, bn_relu(f"{scope}.1"))
            c3 = b.node(f"{scope}.conv3", Kind.CONV, f"1x1 {out}C 1S 0P", "Conv2d")
            b.edge(c2, c3, bn_relu(f"{scope}.2"))
            if part == "proj":
                sc = b.node(f"{scope}.downsample", Kind.CONV, f"1x1 {out}C {s}S 0P", "Conv2d")
                b.edge(data, sc)
            add = b.node(f"{scope}.add", Kind.ADD, "+", "add")
            b.edge(c3, add, _norm(f"{scope}.3"))
            if part == "proj":
                b.edge(sc, add, _norm(f"{scope}.downsample"))
                b.end(scope, g, 0, f"Group {g} Projection")
            else:
                b.edge(data, add)
                b.end(scope, g, 1, f"Group {g} x (N - 1) = {blocks - 1}", repeat=blocks - 1)
            prev, after, channels = add, _relu(f"{scope}.out"), out
        into = prev
    assert into is not None
    pool = b.node("avgpool", Kind.POOL, "AdaptiveAvgPool 1x1", "AdaptiveAvgPool2d")
    b.edge(into, pool, after)
    fc = b.node("fc", Kind.LINEAR, "Linear 1000C", "Linear")
    b.edge(pool, fc)
    b.edge(fc, b.node("output", Kind.OUTPUT, "Output", "output"))
    return b.graph()


def parallel_with_block() -> Graph:
    """Two parallel branches joined by a concat: six convs, and a residual block (data
    node, conv, add) that is therefore off the spine."""
    b = Builder("parallel")
    long = [b.node("in", Kind.INPUT, "Input", "input")]
    long += [b.node(f"long{i}", Kind.CONV, f"3x3 {i + 1}C 1S 1P", "Conv2d") for i in range(6)]
    b.begin()
    data = b.node("d", Kind.DATA, "8C", "data")
    conv = b.node("c", Kind.CONV, "3x3 8C 1S 1P", "Conv2d")
    add = b.node("a", Kind.ADD, "+", "add")
    b.end("blk", 0, 0, "Group 0 Block")
    long += [b.node("cat", Kind.CAT, "Cat", "cat"), b.node("out", Kind.OUTPUT, "Output", "output")]
    for src, dst in zip(long, long[1:]):
        b.edge(src, dst)
    for src, dst in (("in", data), (data, conv), (conv, add), (data, add), (add, "cat")):
        b.edge(src, dst, bn_relu(f"{src}.{dst}") if src == data else None)
    return b.graph()
