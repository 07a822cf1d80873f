"""Fold runs of identical blocks into one cluster and title every cluster."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import replace
from itertools import groupby

from netviz.ir import Cluster, Edge, Graph
from netviz.transforms.scopes import within


def block_signature(graph: Graph, cluster: Cluster) -> Hashable:
    """What makes two blocks identical: ops, labels, shapes and wiring, never names.

    Requires labelled nodes (run the labelling transform first).
    """
    position = {node_id: i for i, node_id in enumerate(cluster.node_ids)}
    ops = tuple(
        (n.kind, n.label, n.code, n.shape, n.params)
        for n in (graph.node(i) for i in cluster.node_ids)
    )
    wiring = tuple(
        (position.get(e.src), position.get(e.dst), _own_mark(e, cluster))
        for node_id in cluster.node_ids
        for e in (*graph.in_edges(node_id), *graph.out_edges(node_id))
    )
    return ops, wiring


def _own_mark(edge: Edge, cluster: Cluster) -> str | None:
    """The mark's label when the block computes it (not the head's or the previous block's)."""
    if edge.mark is None or not any(within(edge.mark.scope, b) for b in cluster.blocks):
        return None
    return edge.mark.label


def fold_repeats(graph: Graph) -> Graph:
    """Draw each run of identical consecutive blocks of a group once, with a repeat count.

    The first block of the run stands for all of them; edges leaving the run's
    last block leave the kept block instead. Idempotent.
    """
    signatures = {c.id: block_signature(graph, c) for c in graph.clusters}
    runs: list[list[Cluster]] = []
    for _, group in groupby(graph.clusters, key=lambda c: c.group):
        for _, same in groupby(group, key=lambda c: signatures[c.id]):
            runs.append(list(same))
    if all(len(run) == 1 for run in runs):
        return graph

    drop: set[str] = set()
    rename: dict[str, str] = {}
    inner: dict[str, str] = {}  # node id -> id of the run's kept cluster
    clusters = []
    for run in runs:
        kept = run[0]
        for node_id in (i for c in run for i in c.node_ids):
            inner[node_id] = kept.id
        for other in run[1:]:
            drop.update(other.node_ids)
            rename.update(zip(other.node_ids, kept.node_ids))
        clusters.append(
            replace(
                kept,
                blocks=tuple(b for c in run for b in c.blocks),
                repeat=sum(c.repeat for c in run),
            )
        )

    edges: list[Edge] = []
    seen: set[Edge] = set()
    for edge in graph.edges:
        src_run, dst_run = inner.get(edge.src), inner.get(edge.dst)
        if src_run is not None and src_run == dst_run:
            if edge.src in drop or edge.dst in drop:
                continue
        elif edge.dst in drop:
            continue
        new = Edge(rename.get(edge.src, edge.src), edge.dst, edge.mark)
        if new not in seen:
            seen.add(new)
            edges.append(new)
    nodes = tuple(n for n in graph.nodes if n.id not in drop)
    return replace(graph, nodes=nodes, edges=tuple(edges), clusters=tuple(clusters))


def title_clusters(graph: Graph, *, folded: bool = True) -> Graph:
    """Title clusters in the seed's words.

    ``Group g Projection`` for a first block that differs from the next,
    ``Group g x (N - 1) = r`` for the identical blocks after it (in a folded
    graph, even when only one block follows), ``Group g x N = r`` when every
    block of the group is identical, ``Group g Block i`` for any other single
    block. Idempotent.
    """
    sizes: dict[int, int] = {}
    for cluster in graph.clusters:
        sizes[cluster.group] = sizes.get(cluster.group, 0) + cluster.repeat
    clusters = []
    for position, cluster in enumerate(graph.clusters):
        following = graph.clusters[position + 1 : position + 2]
        g, n = cluster.group, sizes[cluster.group]
        rest = cluster.index == 1 and cluster.index + cluster.repeat == n
        if cluster.repeat > 1 or (folded and rest):
            if cluster.repeat == n:
                title = f"Group {g} x N = {n}"
            elif rest:
                title = f"Group {g} x (N - 1) = {cluster.repeat}"
            else:
                last = cluster.index + cluster.repeat - 1
                title = f"Group {g} Blocks {cluster.index}-{last} x {cluster.repeat}"
        elif n == 1:
            title = f"Group {g}"
        elif cluster.index == 0 and not (
            following
            and following[0].group == g
            and block_signature(graph, following[0]) == block_signature(graph, cluster)
        ):
            title = f"Group {g} Projection"
        else:
            title = f"Group {g} Block {cluster.index}"
        clusters.append(replace(cluster, title=title))
    return replace(graph, clusters=tuple(clusters))
