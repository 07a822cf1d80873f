"""Folding the long tail's structures keeps what the figure stands for (issue 21 item 5).

Hand-built raw graphs (no torch) shaped like three ways families write a stage's
blocks: a block module holding its residual sum (ResNet), a ``Sequential`` holding a
``Residual`` wrapper and more ops (ConvMixer), and a layer holding two modules that
each hold a residual sum (BERT's ``BertSelfOutput`` and ``BertOutput``). Stages differ
in width and resolution; a strided stage starts with a downsampling conv outside its
blocks. Whatever the stack: the notation graph stands for the same parameters, MACs
and ops as the trace, the transforms are idempotent and deterministic, a deeper stack
folds to no more nodes, and each stage folds to at most two clusters.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from hypothesis import given, settings
from hypothesis import strategies as st

from netviz.ir import Edge, Graph, Kind, Node
from netviz.ops import kind_of
from netviz.ir.accounting import count_macs, count_ops, count_params
from netviz.transforms import NotationOptions, to_notation


@dataclass
class _Stack:
    """Appends ops in execution order, with their modules."""

    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    modules: dict[str, str] = field(default_factory=dict)

    def module(self, path: str, cls: str) -> None:
        self.modules.setdefault(path, cls)

    def op(self, type_name: str, scope: str, inputs: tuple[str, ...], shape: tuple[int, ...],
           params: int = 0, macs: int = 0, **attrs: object) -> str:
        node_id = f"{type_name.lower()}_{len(self.nodes)}"
        self.nodes.append(Node(node_id, kind_of(type_name), type_name, scope,
                               tuple(sorted(attrs.items())), shape, params, macs, 0))
        self.edges.extend(Edge(src, node_id) for src in inputs)
        return node_id

    def conv(self, scope: str, x: str, cin: int, cout: int, k: int, hw: int, stride: int = 1,
             groups: int = 1) -> str:
        weights = cout * cin // groups * k * k
        return self.op("Conv2d", scope, (x,), (cout, hw, hw), weights, weights * hw * hw,
                       kernel_size=(k, k), stride=(stride, stride), padding=(k // 2, k // 2),
                       in_channels=cin, out_channels=cout, groups=groups)

    def norm(self, scope: str, x: str, c: int, hw: int) -> str:
        return self.op("BatchNorm2d", scope, (x,), (c, hw, hw), 2 * c, num_features=c)

    def linear(self, scope: str, x: str, cin: int, cout: int, hw: int) -> str:
        return self.op("Linear", scope, (x,), (cout, hw, hw), cin * cout, cin * cout * hw * hw,
                       in_features=cin, out_features=cout)

    def graph(self) -> Graph:
        paths = set()
        for path in self.modules:
            parts = path.split(".")
            paths.update(".".join(parts[:n]) for n in range(1, len(parts) + 1))
        modules = tuple(sorted((p, self.modules.get(p, "Sequential")) for p in paths))
        return Graph("stack", tuple(self.nodes), tuple(self.edges), modules=modules)


def _block(s: _Stack, style: str, path: str, x: str, cin: int, c: int, hw: int) -> str:
    """One block of ``style`` at ``path``: ``cin`` channels in, ``c`` out."""
    if style == "plain":  # ResNet: the block module holds its sum, a 1x1 shortcut if widening
        s.module(path, "BasicBlock")
        h = s.norm(f"{path}.bn1", s.conv(f"{path}.conv1", x, cin, c, 3, hw), c, hw)
        h = s.op("ReLU", f"{path}.relu", (h,), (c, hw, hw))
        h = s.norm(f"{path}.bn2", s.conv(f"{path}.conv2", h, c, c, 3, hw), c, hw)
        skip = x if cin == c else s.conv(f"{path}.downsample", x, cin, c, 1, hw)
        return s.op("add", path, (h, skip), (c, hw, hw))
    if style == "wrapper":  # ConvMixer: Sequential(Residual(Sequential(dw, norm)), 1x1, norm)
        s.module(path, "Sequential")
        s.module(f"{path}.0", "Residual")
        h = s.conv(f"{path}.0.fn.0", x, cin, cin, 5, hw, groups=cin)
        h = s.norm(f"{path}.0.fn.1", h, cin, hw)
        h = s.op("add", f"{path}.0", (h, x), (cin, hw, hw))
        return s.norm(f"{path}.2", s.conv(f"{path}.1", h, cin, c, 1, hw), c, hw)
    # a transformer layer: two modules, each holding its own residual sum
    s.module(path, "Layer")
    s.module(f"{path}.attention", "SelfOutput")
    s.module(f"{path}.output", "Output")
    h = s.linear(f"{path}.attention.dense", x, cin, cin, hw)
    h = s.op("add", f"{path}.attention", (h, x), (cin, hw, hw))
    h2 = s.linear(f"{path}.intermediate", h, cin, 2 * cin, hw)
    h2 = s.linear(f"{path}.output.dense", h2, 2 * cin, c, hw)
    skip = h if cin == c else s.linear(f"{path}.output.proj", h, cin, c, hw)
    return s.op("add", f"{path}.output", (h2, skip), (c, hw, hw))


def build(stages: tuple[tuple[int, bool, int, str], ...]) -> Graph:
    """A stack of ``(width, strided, depth, style)`` stages after a conv stem."""
    s = _Stack()
    hw, c = 32, 8
    x = s.op("input", "", (), (3, hw, hw))
    x = s.conv("stem", x, 3, c, 3, hw)
    for i, (width, strided, depth, style) in enumerate(stages):
        s.module(f"stages.{i}", "Stage")
        if strided and hw > 2:
            hw //= 2
            x = s.conv(f"stages.{i}.downsample", x, c, c, 2, hw, stride=2)
        for j in range(depth):
            x = _block(s, style, f"stages.{i}.blocks.{j}", x, c if j == 0 else width, width, hw)
        c = width
    x = s.op("AdaptiveAvgPool2d", "pool", (x,), (c, 1, 1))
    x = s.linear("fc", x, c, 10, 1)
    s.op("output", "", (x,), None)
    return s.graph()


stages_strategy = st.lists(
    st.tuples(st.sampled_from([8, 16, 24]), st.booleans(), st.integers(1, 6),
              st.sampled_from(["plain", "wrapper", "layer"])),
    min_size=1, max_size=5,
).map(tuple)

KINDS = (Kind.CONV, Kind.LINEAR, Kind.NORM, Kind.ACT, Kind.ADD)


@settings(max_examples=120, derandomize=True, deadline=None)
@given(stages=stages_strategy, fold=st.booleans())
def test_folding_any_stack_keeps_its_totals_and_is_idempotent(
    stages: tuple[tuple[int, bool, int, str], ...], fold: bool
) -> None:
    raw = build(stages)
    options = NotationOptions(fold=fold)
    graph = to_notation(raw, options)
    assert to_notation(graph, options) == graph  # idempotent
    assert to_notation(raw, options) == graph  # deterministic
    assert count_params(graph) == sum(n.params for n in raw.nodes)
    assert count_macs(graph) == sum(n.macs for n in raw.nodes)
    for kind in KINDS:
        assert count_ops(graph, kind) == sum(n.kind is kind for n in raw.nodes), kind
    blocks = sum(depth for _, _, depth, _ in stages)
    # a layer is one block where layers repeat; a lone layer is its two residual modules
    lone = sum(depth for _, _, depth, style in stages if style == "layer") == 1
    assert sum(c.repeat for c in graph.clusters) == blocks + lone
    ids = [n.id for n in graph.nodes]
    assert len(ids) == len(set(ids))


@settings(max_examples=80, derandomize=True, deadline=None)
@given(stages=stages_strategy)
def test_a_deeper_stack_folds_to_no_more_nodes(
    stages: tuple[tuple[int, bool, int, str], ...]
) -> None:
    deeper = tuple((w, s, 2 * d + 3, style) for w, s, d, style in stages)
    deep, shallow = to_notation(build(deeper)), to_notation(build(stages))
    assert len(deep.nodes) <= len(to_notation(build(tuple((w, s, max(d, 3), style)
                                                          for w, s, d, style in stages))).nodes)
    assert count_params(deep) == sum(n.params for n in build(deeper).nodes)
    # every stage folds to at most its first block and one cluster for the rest
    assert len(deep.clusters) <= 2 * len(stages)
    assert len(shallow.clusters) <= 2 * len(stages)


def test_each_style_folds_a_stage_into_its_first_block_and_the_rest() -> None:
    for style in ("plain", "layer"):  # the first block widens through a projection
        graph = to_notation(build(((16, True, 5, style), (24, True, 4, style))))
        assert [c.repeat for c in graph.clusters] == [1, 4, 1, 3], style
        assert [c.blocks[0].count(".") for c in graph.clusters] == [3] * 4, style  # the unit
        assert all(" x (N - 1) = " in c.title for c in graph.clusters[1::2]), style
    # the wrapper's first block differs from the rest in its widths only: one cluster each
    graph = to_notation(build(((16, True, 5, "wrapper"), (24, True, 4, "wrapper"))))
    assert [c.title for c in graph.clusters] == [
        "Group 0 Block x 5, 8C → 16C", "Group 1 Block x 4, 16C → 24C"]


def test_a_layer_of_two_residual_modules_is_one_block() -> None:
    graph = to_notation(build(((8, False, 12, "layer"),)))
    assert [c.title for c in graph.clusters] == ["Group 0 x N = 12"]
    (cluster,) = graph.clusters
    adds = [i for i in cluster.node_ids if graph.node(i).kind is Kind.ADD]
    assert len(adds) == 2  # both residual sums inside the one cluster


def test_stripping_modules_keeps_the_residual_blocks() -> None:
    """Without the module hierarchy, each residual sum's module is still a block."""
    raw = replace(build(((8, False, 4, "plain"),)), modules=())
    assert [c.title for c in to_notation(raw).clusters] == ["Group 0 x N = 4"]
