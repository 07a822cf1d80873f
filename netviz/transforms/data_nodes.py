"""Insert a data node (double circle, channel count) where each block begins."""

from __future__ import annotations

from dataclasses import replace

from netviz.ir import Edge, Graph, Kind, Node
from netviz.transforms.scopes import within


def insert_data_nodes(graph: Graph) -> Graph:
    """Route the tensors entering each cluster through one data node per source.

    A mark computed inside the block (pre-activation ``X = ReLU(BN(x))``) stays
    on the edges leaving the data node; a mark computed outside it (the ReLU
    after the previous block's add) moves onto the edge into the data node.
    Idempotent: clusters that already start with a data node are skipped.
    """
    cluster_of = {nid: c for c in graph.clusters for nid in c.node_ids}
    entering: dict[str, list[int]] = {}  # cluster id -> indices of edges entering it
    for i, edge in enumerate(graph.edges):
        target = cluster_of.get(edge.dst)
        if target is not None and cluster_of.get(edge.src) is not target:
            entering.setdefault(target.id, []).append(i)

    replacements: dict[int, list[Edge]] = {}
    data_before: dict[str, list[Node]] = {}  # first member id -> data nodes to insert
    clusters = []
    for cluster in graph.clusters:
        first = graph.node(cluster.node_ids[0]) if cluster.node_ids else None
        if first is None or first.kind is Kind.DATA or cluster.id not in entering:
            clusters.append(cluster)
            continue
        indices = entering[cluster.id]
        sources = list(dict.fromkeys(graph.edges[i].src for i in indices))
        data_ids = []
        for k, source in enumerate(sources):
            data = Node(
                id=f"{cluster.id}:in" + (str(k) if len(sources) > 1 else ""),
                kind=Kind.DATA,
                type_name="data",
                scope=cluster.id,
                shape=graph.node(source).shape,
                feature_axis=graph.node(source).feature_axis,
            )
            data_before.setdefault(first.id, []).append(data)
            data_ids.append(data.id)
            into = [i for i in indices if graph.edges[i].src == source]
            replacements.update(_reroute(graph, into, data.id, cluster.id))
        clusters.append(replace(cluster, node_ids=(*data_ids, *cluster.node_ids)))

    if not replacements:
        return graph
    nodes = [d for n in graph.nodes for d in (*data_before.get(n.id, ()), n)]
    edges = [e for i, old in enumerate(graph.edges) for e in replacements.get(i, (old,))]
    order = {n.id: i for i, n in enumerate(nodes)}
    edges.sort(key=lambda e: order[e.dst])  # stable: keeps each node's input order
    return replace(graph, nodes=tuple(nodes), edges=tuple(edges), clusters=tuple(clusters))


def _reroute(graph: Graph, into: list[int], data_id: str, block: str) -> dict[int, list[Edge]]:
    """Replacements turning each ``source → member`` edge into ``source → data → member``."""
    first = graph.edges[into[0]]
    marks = [graph.edges[i].mark for i in into]
    outside = [mark for mark in marks if mark is not None and not within(mark.scope, block)]
    shared = outside[0] if outside else None
    plan: dict[int, list[Edge]] = {}
    for i in into:
        edge = graph.edges[i]
        inner = None if edge.mark == shared else edge.mark
        plan[i] = [Edge(data_id, edge.dst, inner)]
    plan[into[0]].insert(0, Edge(first.src, data_id, shared))
    return plan
