"""Match two notation graphs along their folded structure: stage to stage, block to block,
then op to op inside a block.

The top level of a graph is its nodes outside every block (stem, head) and its stages
(runs of block clusters of one group), in the order they are drawn. Each level is
aligned with [`align`][netviz.transforms.diff.align.align], from the strictest likeness
to the loosest:

- a block cluster: identical and folded as often (its block signature and repeat count),
  identical but folded another number of times, alike but for channel counts, of the
  same module class, any block;
- a stage: the same, for all its clusters at once; then any stage;
- an op: the same label and parameters, the same label but for its widths (``64C``,
  ``768D``), the same op type, the same kind (these two fed by ops of the same kinds).

So ResNet-50's ``Group 2 x (N - 1) = 5`` pairs with ResNet-101's ``= 22`` (one cluster,
one changed count), and WRN-28-2's convolutions with WRN-28-10's (widths only).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass

from netviz.ir import Cluster, Graph, Node
from netviz.transforms.diff.align import Pair, align
from netviz.transforms.fold import block_signature, similar_signature

_WIDTH = re.compile(r"(?<![\w.])\d+[CD](?!\w)")
"""A feature width in a label: ``64C`` (channels), ``768D`` (token width)."""


@dataclass(frozen=True)
class Matching:
    """Which parts of graphs A and B are the same part.

    Attributes:
        nodes: Each paired A node id and the B node id it pairs with.
        clusters: Every A and B cluster index once, in drawing order: ``(i, j)``
            paired, ``(i, None)`` only in A, ``(None, j)`` only in B.
    """

    nodes: Mapping[str, str]
    clusters: tuple[Pair, ...]


@dataclass(frozen=True)
class _Stage:
    """Consecutive clusters of one group (indices into ``Graph.clusters``)."""

    clusters: tuple[int, ...]


def top_level(graph: Graph) -> list[Node | _Stage]:
    """The nodes outside every cluster and the stages, in the order they are drawn (each
    cluster where its first node is)."""
    owner: dict[str, int] = {}
    for index, cluster in enumerate(graph.clusters):
        for node_id in cluster.node_ids:
            owner.setdefault(node_id, index)
    items: list[Node | _Stage] = []
    seen: set[int] = set()
    for node in graph.nodes:
        found = owner.get(node.id)
        if found is None:
            items.append(node)
        elif found not in seen:
            seen.add(found)
            last = items[-1] if items else None
            if (isinstance(last, _Stage)
                    and graph.clusters[last.clusters[-1]].group == graph.clusters[found].group):
                items[-1] = _Stage((*last.clusters, found))
            else:
                items.append(_Stage((found,)))
    return items


def title_rest(cluster: Cluster) -> str:
    """A cluster's title without its leading ``Group g`` (a stage inserted before it
    renumbers the groups; that alone changes nothing in the block)."""
    return cluster.title.removeprefix(f"Group {cluster.group}").strip()


def node_keys(graph: Graph, node: Node) -> tuple[Hashable, ...]:
    """An op's keys, strictest first: label and parameters; label but for its widths; op
    type, then kind, each with the kinds of the ops feeding it (a block's shortcut conv,
    fed by the block's entry, never pairs with a conv of its main path)."""
    feeding = tuple(sorted(graph.node(e.src).kind.value for e in graph.in_edges(node.id)))
    return (
        (node.kind, node.type_name, node.label, node.params),
        (node.kind, node.type_name, _WIDTH.sub("#", node.label)),
        (node.kind, node.type_name, feeding),
        (node.kind, feeding),
    )


def cluster_keys(graph: Graph, cluster: Cluster) -> tuple[Hashable, ...]:
    """A block cluster's keys, strictest first (see the module's docs)."""
    signature = block_signature(graph, cluster)
    return (
        (signature, cluster.repeat, title_rest(cluster)),
        signature,
        similar_signature(graph, cluster),
        cluster.kind,
        (),
    )


def _item_keys(graph: Graph, item: Node | _Stage) -> tuple[Hashable, ...]:
    if isinstance(item, Node):
        keys = node_keys(graph, item)
        return tuple(("node", key) for key in (*keys, keys[-1]))
    per_cluster = [cluster_keys(graph, graph.clusters[i]) for i in item.clusters]
    levels = len(per_cluster[0]) - 1  # the last cluster level (any block) is the stage's
    return (*(("stage", tuple(k[level] for k in per_cluster)) for level in range(levels)),
            ("stage",))


def match(a: Graph, b: Graph) -> Matching:
    """Pair the stages, blocks and ops of notation graphs ``a`` and ``b``."""
    a_items, b_items = top_level(a), top_level(b)
    nodes: dict[str, str] = {}
    clusters: list[Pair] = []
    for i, j in align([_item_keys(a, x) for x in a_items], [_item_keys(b, y) for y in b_items]):
        x = a_items[i] if i is not None else None
        y = b_items[j] if j is not None else None
        if isinstance(x, Node) and isinstance(y, Node):
            nodes[x.id] = y.id
        elif isinstance(x, _Stage) and isinstance(y, _Stage):
            for pair in _stage_pairs(a, b, x, y):
                clusters.append(pair)
                if pair[0] is not None and pair[1] is not None:
                    nodes.update(_node_pairs(a, b, a.clusters[pair[0]].node_ids,
                                             b.clusters[pair[1]].node_ids))
        elif isinstance(x, _Stage):
            clusters.extend((c, None) for c in x.clusters)
        elif isinstance(y, _Stage):
            clusters.extend((None, c) for c in y.clusters)
    return Matching(nodes, tuple(clusters))


def _stage_pairs(a: Graph, b: Graph, x: _Stage, y: _Stage) -> Iterator[Pair]:
    a_keys = [cluster_keys(a, a.clusters[c]) for c in x.clusters]
    b_keys = [cluster_keys(b, b.clusters[c]) for c in y.clusters]
    for i, j in align(a_keys, b_keys):
        yield (x.clusters[i] if i is not None else None,
               y.clusters[j] if j is not None else None)


def _node_pairs(
    a: Graph, b: Graph, a_ids: tuple[str, ...], b_ids: tuple[str, ...]
) -> dict[str, str]:
    pairs = align([node_keys(a, a.node(i)) for i in a_ids], [node_keys(b, b.node(j)) for j in b_ids])
    return {a_ids[i]: b_ids[j] for i, j in pairs if i is not None and j is not None}
