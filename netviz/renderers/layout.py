"""Shared reading order for renderers: which cluster owns each node, in what order."""

from __future__ import annotations

from collections.abc import Iterator

from netviz.ir import Cluster, Graph, Kind, Node


def node_text(node: Node) -> str:
    """What a node shows: its label, ``+`` for an unlabelled add, else its op name."""
    if node.label:
        return node.label
    return "+" if node.kind is Kind.ADD else node.type_name


def cluster_owner(graph: Graph) -> dict[str, int]:
    """Index of the cluster drawing each clustered node (the first that lists it)."""
    owner: dict[str, int] = {}
    for index, cluster in enumerate(graph.clusters):
        for node_id in cluster.node_ids:
            owner.setdefault(node_id, index)
    return owner


def check_edges(graph: Graph) -> None:
    """Raise ``ValueError`` if an edge names a node the graph does not have (a bug)."""
    for edge in graph.edges:
        for end in (edge.src, edge.dst):
            if not graph.has_node(end):
                raise ValueError(f"edge {edge.src!r} -> {edge.dst!r} names unknown node {end!r}")


def layout(graph: Graph) -> Iterator[Node | tuple[int, Cluster, list[Node]]]:
    """Top-level nodes and whole clusters (index, cluster, member nodes in graph order),
    each at the position of its first node."""
    owner = cluster_owner(graph)
    members: dict[int, list[Node]] = {}
    for node in graph.nodes:
        if node.id in owner:
            members.setdefault(owner[node.id], []).append(node)
    emitted: set[int] = set()
    for node in graph.nodes:
        index = owner.get(node.id)
        if index is None:
            yield node
        elif index not in emitted:
            emitted.add(index)
            yield index, graph.clusters[index], members[index]
