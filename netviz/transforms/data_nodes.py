"""Insert data nodes (double circle, channel count) where each block begins, and where
a norm/activation chain would otherwise run out of a block into the next op."""

from __future__ import annotations

from dataclasses import replace

from netviz import ops
from netviz.ir import Edge, Graph, Kind, Node, Shape, evolve
from netviz.transforms.scopes import common_scope, within


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
        tensors = {i: _tensor(graph, graph.edges[i]) for i in entering[cluster.id]}
        indices = [i for i, tensor in tensors.items()  # a tensor of no known shape says nothing
                   if tensor[1] is not None]
        sources = list(dict.fromkeys(tensors[i] for i in indices))
        if not sources:
            clusters.append(cluster)
            continue
        data_ids = []
        for k, source in enumerate(sources):
            into = [i for i in indices if tensors[i] == source]
            data = Node(
                id=f"{cluster.id}:in" + (str(k) if len(sources) > 1 else ""),
                kind=Kind.DATA,
                type_name="data",
                scope=cluster.id,
                shape=source[1],
                feature_axis=source[2],
            )
            data_before.setdefault(first.id, []).append(data)
            data_ids.append(data.id)
            replacements.update(_reroute(graph, into, data.id, cluster.id))
        clusters.append(evolve(cluster, node_ids=(*data_ids, *cluster.node_ids)))

    if not replacements:
        return graph
    nodes = [d for n in graph.nodes for d in (*data_before.get(n.id, ()), n)]
    edges = [e for i, old in enumerate(graph.edges) for e in replacements.get(i, (old,))]
    order = {n.id: i for i, n in enumerate(nodes)}
    edges.sort(key=lambda e: order[e.dst])  # stable: keeps each node's input order
    return replace(graph, nodes=tuple(nodes), edges=tuple(edges), clusters=tuple(clusters))


def _tensor(graph: Graph, edge: Edge) -> tuple[str, Shape | None, int | None]:
    """The tensor an edge carries: its source, shape and feature axis."""
    if edge.shape is not None:
        return edge.src, edge.shape, edge.feature_axis
    source = graph.node(edge.src)
    return edge.src, source.shape, source.feature_axis


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
    plan[into[0]].insert(0, replace(first, dst=data_id, mark=shared, change=None))
    return plan


_FUSIBLE = (Kind.NORM, Kind.ACT)


def insert_exit_nodes(graph: Graph) -> Graph:
    """Put a data node between a block's last norm/activation and one right after the block.

    Without it the two would fuse into one mark spanning the block's end (a
    post-activation ReLU and the head's BatchNorm); with it each stays a mark of
    its own, on its own side. The data node lies outside every block. Idempotent.
    """
    cluster_of = {nid: c.id for c in graph.clusters for nid in c.node_ids}
    exits = [
        i for i, e in enumerate(graph.edges)
        if e.src in cluster_of and cluster_of.get(e.dst) != cluster_of[e.src]
        and graph.node(e.src).kind in _FUSIBLE and graph.node(e.dst).kind in _FUSIBLE
        and len(graph.in_edges(e.dst)) == 1
    ]
    if not exits:
        return graph
    inserted: dict[str, Node] = {}  # source id -> its exit data node
    edges = list(graph.edges)
    for i in exits:
        edge = edges[i]
        source = graph.node(edge.src)
        scope = common_scope((source.scope, graph.node(edge.dst).scope))
        data = inserted.setdefault(source.id, Node(
            id=f"{source.id}:out", kind=Kind.DATA, type_name="data", scope=scope,
            shape=source.shape, feature_axis=source.feature_axis,
        ))
        edges[i] = Edge(data.id, edge.dst, edge.mark)
    nodes = [m for n in graph.nodes for m in ((n, inserted[n.id]) if n.id in inserted else (n,))]
    order = {n.id: i for i, n in enumerate(nodes)}
    extra = [Edge(src, data.id) for src, data in inserted.items()]
    new_edges = sorted([*edges, *extra], key=lambda e: order[e.dst])
    return replace(graph, nodes=tuple(nodes), edges=tuple(new_edges))


def mark_token_ids(graph: Graph) -> Graph:
    """Mark the inputs and data nodes that hold token ids (``("tokens", True)``): a tensor
    fed to an op that takes indices (an embedding, as the op table says). Idempotent."""
    nodes = []
    for node in graph.nodes:
        if node.kind in (Kind.INPUT, Kind.DATA) and not node.attr("tokens") and any(
            (op := ops.lookup(graph.node(e.dst).type_name)) is not None and op.indices
            for e in graph.out_edges(node.id)
        ):
            node = evolve(node, attrs=tuple(sorted((*node.attrs, ("tokens", True)))))
        nodes.append(node)
    return replace(graph, nodes=tuple(nodes))
