"""Frozen dataclasses for the traced graph and the notation graph."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar, Union

from netviz.ir.kinds import Kind

if TYPE_CHECKING:
    from netviz.ir.changes import Change

T = TypeVar("T")

Shape = tuple[int, ...]
"""A tensor shape without the batch dimension, e.g. ``(32, 16, 16)``."""

AttrValue = Union[int, float, str, bool, None, tuple]
Attr = tuple[str, AttrValue]
"""One ``(name, value)`` attribute of a node, e.g. ``("stride", (1, 1))``."""


def feature_width(shape: Shape | None, axis: int | None) -> int | None:
    """``shape[axis]``: the feature width of a tensor of ``shape`` whose feature axis is
    ``axis``; ``None`` when either is unknown or the axis is out of range."""
    if shape is None or axis is None or not -len(shape) <= axis < len(shape):
        return None
    return shape[axis]


@dataclass(frozen=True)
class Node:
    """One operation (or data node) of the graph.

    Attributes:
        id: Deterministic, unique id (torch.fx node name or module path).
        kind: What the node does, from the shared vocabulary.
        type_name: The framework's name for the op: ``"Conv2d"``, ``"add"``, ``"view"``.
        scope: Module path the op lives in (``"block1.layer.0.conv1"``); ``""`` for the root.
        attrs: Op hyper-parameters as sorted ``(name, value)`` pairs. Conventional
            names: ``kernel_size``, ``stride``, ``padding``, ``dilation``, ``groups``,
            ``in_channels``, ``out_channels``, ``in_features``, ``out_features``,
            ``output_size``, ``scale_factor``, ``weight_shape``.
        shape: Output shape without the batch dimension, if known.
        params: Number of parameters owned by this call (shared weights counted once).
        macs: Multiply-accumulates of this call for one sample, in the convention of
            published model tables (see [`netviz.ops.macs`][netviz.ops.macs]).
        feature_axis: Which dimension of ``shape`` holds the feature width the ops act
            on (channels of ``NCHW`` images: 0; tokens ``(N, D)`` and channels-last
            tensors: the last); ``None`` when unknown.
        label: Diagram text, set by the labelling transform (``"3x3 32C 1S 1P"``).
        code: Pseudocode text, set by the labelling transform.
        change: In a diff figure, how the node differs from the other model; else ``None``.
    """

    id: str
    kind: Kind
    type_name: str
    scope: str = ""
    attrs: tuple[Attr, ...] = ()
    shape: Shape | None = None
    params: int = 0
    macs: int = 0
    feature_axis: int | None = None
    label: str = ""
    code: str = ""
    change: Change | None = None

    def attr(self, name: str, default: AttrValue = None) -> AttrValue:
        """Return attribute ``name`` or ``default`` when absent."""
        for key, value in self.attrs:
            if key == name:
                return value
        return default

    @property
    def width(self) -> int | None:
        """The feature width of the output (``shape[feature_axis]``), if known."""
        return feature_width(self.shape, self.feature_axis)


@dataclass(frozen=True)
class Mark:
    """Norm/activation ops fused onto an edge: the seed's ``---o`` circle.

    Edges that share one computation (e.g. ``X = ReLU(BN(x))`` feeding both the
    conv branch and the projection) carry equal marks: same ``node_ids``.

    Attributes:
        type_names: The fused ops in order, e.g. ``("BatchNorm2d", "ReLU")``.
        kinds: Their kinds, e.g. ``(Kind.NORM, Kind.ACT)``.
        node_ids: Ids of the fused nodes; identifies the computation.
        scope: Deepest module path containing every fused op.
        params: Parameters of the fused ops.
        label: Diagram text (``"BN → ReLU"``), set by the labelling transform.
        code: Pseudocode text (``"BN -> ReLU"``), set by the labelling transform.
        names: Readable name of each op (``("BatchNorm", "ReLU")``), set by the
            labelling transform for legends.
        node_params: Parameters of each fused op, in order (``params`` is their sum):
            two marks may share ops (a norm feeding two activations), which count once.
    """

    type_names: tuple[str, ...]
    kinds: tuple[Kind, ...]
    node_ids: tuple[str, ...]
    scope: str = ""
    params: int = 0
    label: str = ""
    code: str = ""
    names: tuple[str, ...] = ()
    node_params: tuple[int, ...] = ()


@dataclass(frozen=True)
class Edge:
    """A tensor flowing from node ``src`` to node ``dst``, optionally through a mark.

    ``change``: in a diff figure, how the edge differs from the other model; else ``None``.
    ``shape`` and ``feature_axis``: the tensor's own, when it is not the one its source
    node stands for (a region drawn as one box with several outputs: T5's position
    bias leaving an attention box); ``None``: the source node's.
    """

    src: str
    dst: str
    mark: Mark | None = None
    change: Change | None = None
    shape: Shape | None = None
    feature_axis: int | None = None


@dataclass(frozen=True)
class Cluster:
    """A block, or a run of identical (or near-identical) blocks folded into one.

    Attributes:
        id: Module path of the first block it stands for.
        group: Index of the group (stage) the block belongs to, from 0.
        index: Index of the first block within its group, from 0.
        blocks: Module paths of every block this cluster stands for.
        node_ids: Ids of the nodes drawn inside the cluster, in graph order.
        title: Cluster title, e.g. ``"Group 0 Projection"``, ``"Group 0 x (N - 1) = 3"``.
        repeat: How many blocks the drawn nodes stand for (``len(blocks)``).
        kind: What the block is, from its module's class (``"Dense layer"``), if known.
        widths: For blocks that differ only in their channel counts, the feature width
            entering each of them and the width leaving the last (``(64, 96, ..., 256)``);
            empty when the drawn nodes are every block's exactly.
        totals: ``(params, macs)`` of every block together when they differ (the drawn
            nodes are the first block's); ``None`` when nodes times ``repeat`` is exact.
        period: For blocks that repeat in a cycle (plain, shifted, plain, shifted), the
            cycle's length: the cluster stands for every ``period``-th block from ``index``.
        span: How many consecutive groups (stages) from ``group`` the cluster's blocks
            come from: more than one when whole stages alike but for their widths fold
            into one.
        places: For a cluster whose blocks come from several groups (``span`` over 1):
            ``(group, index of its first block there, how many blocks)`` for each of
            those groups, in order; empty otherwise. Its title says which blocks of
            each group it stands for.
        ops: How many ops of each kind (``(kind value, count)``, sorted) every block
            together holds, when the blocks differ in their ops (a stage's first block
            with a shortcut conv, its followers with none); empty when the drawn nodes
            times ``repeat`` are exact.
        change: In a diff figure, how the block differs from the other model; else ``None``.
    """

    id: str
    group: int
    index: int
    blocks: tuple[str, ...]
    node_ids: tuple[str, ...]
    title: str = ""
    repeat: int = 1
    kind: str = ""
    widths: tuple[int, ...] = ()
    totals: tuple[int, int] | None = None
    period: int = 1
    span: int = 1
    places: tuple[tuple[int, int, int], ...] = ()
    ops: tuple[tuple[str, int], ...] = ()
    change: Change | None = None


@dataclass(frozen=True)
class Repeat:
    """A chain of alike blocks in a raw trace, as the tracer knows it: each block's ops
    are the first block's, renamed, and each block's output is the next one's only input
    from the chain. Beside it, every block after the first may read ``shared``: nodes
    before the chain, the same ones for every block (a decoder layer's position
    embeddings, its attention mask).

    Attributes:
        blocks: Module paths of the blocks, in order.
        start: Index in the graph's ``nodes`` of the first block's first node; each
            block's nodes follow the previous block's.
        size: Nodes per block.
        edge_start: Index in the graph's ``edges`` of the first block's first incoming
            edge; each block's incoming edges follow the previous block's.
        edge_size: Incoming edges per block.
        shared: Ids of the nodes outside the chain that every block after the first
            reads, beside the previous block's output (``()``: none).
    """

    blocks: tuple[str, ...]
    start: int
    size: int
    edge_start: int
    edge_size: int
    shared: tuple[str, ...] = ()


@dataclass(frozen=True)
class Graph:
    """A traced model: nodes in execution order, edges, and block clusters.

    Attributes:
        name: The model's name.
        nodes: Ops (and data nodes) in execution order.
        edges: Tensors flowing between them.
        clusters: Blocks, set by the grouping transform.
        meta: Facts about the trace: ``input_shapes``, ``input_dtypes``, ``mode``.
        modules: ``(path, class name)`` of every module the ops run in and of its
            ancestors, e.g. ``("features.denseblock1.denselayer1", "DenseLayer")``:
            the structure the model's author named.
        caption: A line drawn under the figure (the model's totals, set by the
            annotation transform); empty for none.
        repeats: Chains of alike blocks the tracer found (see
            [`Repeat`][netviz.ir.Repeat]), which the notation transforms draw without
            walking every block; not part of the graph's value (never compared nor
            shown), valid for the raw trace only.
    """

    name: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    clusters: tuple[Cluster, ...] = ()
    meta: tuple[Attr, ...] = field(default=())
    modules: tuple[tuple[str, str], ...] = ()
    caption: str = ""
    repeats: tuple[Repeat, ...] = field(default=(), repr=False, compare=False)

    @cached_property
    def module_types(self) -> dict[str, str]:
        """Class name of each module path in ``modules``."""
        return dict(self.modules)

    @cached_property
    def _by_id(self) -> dict[str, Node]:
        return {node.id: node for node in self.nodes}

    def node(self, node_id: str) -> Node:
        """Return the node with id ``node_id`` (``KeyError`` if absent)."""
        return self._by_id[node_id]

    def has_node(self, node_id: str) -> bool:
        """Whether a node with id ``node_id`` exists."""
        return node_id in self._by_id

    @cached_property
    def _edges_by_end(self) -> tuple[dict[str, tuple[Edge, ...]], dict[str, tuple[Edge, ...]]]:
        incoming: dict[str, list[Edge]] = {}
        outgoing: dict[str, list[Edge]] = {}
        for edge in self.edges:
            incoming.setdefault(edge.dst, []).append(edge)
            outgoing.setdefault(edge.src, []).append(edge)
        return ({k: tuple(v) for k, v in incoming.items()},
                {k: tuple(v) for k, v in outgoing.items()})

    @cached_property
    def _cluster_by_node(self) -> dict[str, Cluster]:
        return {node_id: c for c in self.clusters for node_id in c.node_ids}

    @cached_property
    def _first_cluster_of_block(self) -> dict[str, int]:
        first: dict[str, int] = {}
        for index, cluster in enumerate(self.clusters):
            for block in cluster.blocks:
                first.setdefault(block, index)
        return first

    def cluster_holding(self, scope: str) -> Cluster | None:
        """The first cluster with a block that is module path ``scope`` or one of its
        ancestors (``None``: no block holds it)."""
        first = self._first_cluster_of_block
        found = first.get(scope)
        path = scope
        while path:
            path = path.rpartition(".")[0]
            index = first.get(path) if path else None
            if index is not None and (found is None or index < found):
                found = index
        return None if found is None else self.clusters[found]

    def in_edges(self, node_id: str) -> tuple[Edge, ...]:
        """Edges ending at ``node_id``, in edge order."""
        return self._edges_by_end[0].get(node_id, ())

    def out_edges(self, node_id: str) -> tuple[Edge, ...]:
        """Edges leaving ``node_id``, in edge order."""
        return self._edges_by_end[1].get(node_id, ())

    def cluster_of(self, node_id: str) -> Cluster | None:
        """The cluster drawing ``node_id``, or ``None``."""
        return self._cluster_by_node.get(node_id)

    def multiplicity(self, node_id: str) -> int:
        """How many real ops node ``node_id`` stands for (its cluster's repeat)."""
        cluster = self.cluster_of(node_id)
        return cluster.repeat if cluster else 1


def evolve(item: T, **changes: Any) -> T:
    """A copy of IR value ``item`` (a ``Node``, ``Mark``, ``Edge`` or ``Cluster``) with
    ``changes``: ``dataclasses.replace`` without re-running ``__init__``, several times
    faster where transforms copy thousands of nodes. The IR classes have no
    ``__post_init__`` and keep their fields in ``__dict__``, which makes this safe."""
    copy = object.__new__(type(item))
    copy.__dict__.update(item.__dict__)
    copy.__dict__.update(changes)
    return copy
