"""Hide ops that change no values from the diagram: views, selections, no-ops."""

from __future__ import annotations

from dataclasses import replace

from netviz.ir import Edge, Graph, Kind, Node
from netviz.transforms.fuse import chain_marks

_SHAPE_ONLY = (Kind.RESHAPE,)
_NOOP_KINDS = (Kind.RESHAPE, Kind.DROPOUT, Kind.OTHER)


def training(graph: Graph) -> bool:
    """Whether ``graph`` was traced in training mode (its ``mode`` meta is ``"train"``)."""
    return dict(graph.meta).get("mode") == "train"


def _hidden(graph: Graph, node: Node, train: bool) -> bool:
    sources = {e.src for e in graph.in_edges(node.id)}
    if len(sources) != 1 or not graph.out_edges(node.id):
        return False
    if node.kind is Kind.RESHAPE:
        return True
    if node.kind is Kind.DROPOUT:
        return not train
    if node.kind is Kind.SPLIT:  # drawn only where its parts go separate ways
        return len({e.dst for e in graph.out_edges(node.id)}) == 1
    return node.kind in _NOOP_KINDS and bool(node.attr("passthrough"))


def hide_reshapes(graph: Graph) -> Graph:
    """Bypass every single-input op that changes no values; its marks join the bypassing edge.

    Hidden: shape-only ops (view, flatten, permute, getitem, expand, contiguous,
    ``nn.Identity``...), dropout in eval mode, ops that returned their input
    untouched (stochastic depth in eval mode), and splits (``unbind``, ``chunk``)
    whose parts all go to one op. A split whose parts go separate ways stays, as
    a ``Split`` box. The seed's diagram draws ``AvgPool → Linear`` with no
    ``View`` between them; the pseudocode listing keeps every op. Idempotent.
    """
    train = training(graph)
    hidden = {n.id for n in graph.nodes if _hidden(graph, n, train)}
    if not hidden:
        return graph
    edges: list[Edge] = []
    seen: set[tuple[str, str]] = set()
    for edge in graph.edges:
        if edge.dst in hidden:
            continue
        src, mark = edge.src, edge.mark
        while src in hidden:
            before = graph.in_edges(src)[0]
            src, mark = before.src, chain_marks(before.mark, mark)
        if (src, edge.dst) in seen and mark is None:
            continue  # parts of one split meeting again at one op
        seen.add((src, edge.dst))
        edges.append(Edge(src, edge.dst, mark))
    nodes = tuple(n for n in graph.nodes if n.id not in hidden)
    clusters = tuple(
        replace(c, node_ids=tuple(i for i in c.node_ids if i not in hidden)) for c in graph.clusters
    )
    return replace(graph, nodes=nodes, edges=tuple(edges), clusters=clusters)
