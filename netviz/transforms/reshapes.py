"""Hide shape-only ops (view, flatten, ...) from the diagram."""

from __future__ import annotations

from dataclasses import replace

from netviz.ir import Edge, Graph, Kind
from netviz.transforms.fuse import chain_marks


def hide_reshapes(graph: Graph) -> Graph:
    """Bypass every single-input reshape node; its marks join the bypassing edge.

    The seed's diagram draws ``AvgPool → Linear`` with no ``View`` between them;
    the pseudocode listing keeps it. Idempotent.
    """
    hidden = {
        n.id
        for n in graph.nodes
        if n.kind is Kind.RESHAPE and len(graph.in_edges(n.id)) == 1 and graph.out_edges(n.id)
    }
    if not hidden:
        return graph
    edges: list[Edge] = []
    for edge in graph.edges:
        if edge.dst in hidden:
            continue
        src, mark = edge.src, edge.mark
        while src in hidden:
            (before,) = graph.in_edges(src)
            src, mark = before.src, chain_marks(before.mark, mark)
        edges.append(Edge(src, edge.dst, mark))
    nodes = tuple(n for n in graph.nodes if n.id not in hidden)
    clusters = tuple(
        replace(c, node_ids=tuple(i for i in c.node_ids if i not in hidden)) for c in graph.clusters
    )
    return replace(graph, nodes=nodes, edges=tuple(edges), clusters=clusters)
