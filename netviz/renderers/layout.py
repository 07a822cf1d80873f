"""Shared reading order for renderers: which cluster owns each node, in what order, and
which paths are the figure's straight columns (the spine, each block's main branch)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from netviz.ir import Cluster, Edge, Graph, Kind, Node


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


def residual_add(graph: Graph, cluster: Cluster) -> str | None:
    """The block's residual sum: its last add with two or more inputs (``None``: none)."""
    adds = [
        i
        for i in cluster.node_ids
        if graph.node(i).kind is Kind.ADD and len(graph.in_edges(i)) >= 2
    ]
    return adds[-1] if adds else None


def branch_to(graph: Graph, edge: Edge, members: set[str]) -> list[str]:
    """Nodes of the branch ending in ``edge``, back to (not including) the data node:
    follow each node's first input while it stays inside ``members``."""
    path: list[str] = []
    current = edge.src
    while current in members and graph.node(current).kind is not Kind.DATA:
        path.insert(0, current)
        incoming = graph.in_edges(current)
        if not incoming:
            break
        current = incoming[0].src
    return path


def residual_branches(graph: Graph, add: str, members: set[str]) -> list[tuple[list[str], Edge]]:
    """The branches into ``add`` with the edge each ends in, main branch (the longest;
    the first in-edge on a tie) first, then the shortcuts."""
    branches = [(branch_to(graph, edge, members), edge) for edge in graph.in_edges(add)]
    return sorted(branches, key=lambda item: -len(item[0]))


def spine(graph: Graph) -> list[str]:
    """The longest path through the graph (by node count; on a tie, the earlier in-edge
    and the later end): input → … → output through each block's main branch."""
    best: dict[str, tuple[int, str | None]] = {}
    for node_id in _topological(graph):
        length, prev = 1, None
        for edge in graph.in_edges(node_id):
            if edge.src in best and best[edge.src][0] + 1 > length:
                length, prev = best[edge.src][0] + 1, edge.src
        best[node_id] = (length, prev)
    if not best:
        return []
    longest = max(length for length, _ in best.values())
    current: str | None = [n.id for n in graph.nodes if best.get(n.id, (0,))[0] == longest][-1]
    path: list[str] = []
    while current is not None:
        path.append(current)
        current = best[current][1]
    return path[::-1]


def columns(graph: Graph) -> list[list[str]]:
    """Paths to draw as straight columns: the spine first, then the main path (data
    node, main branch, add) of every residual block that is not on the spine."""
    paths = [spine(graph)]
    placed = set(paths[0])
    for cluster in graph.clusters:
        add = residual_add(graph, cluster)
        if add is None or add in placed:
            continue
        main, _ = residual_branches(graph, add, set(cluster.node_ids))[0]
        first = main[0] if main else add
        data = [e.src for e in graph.in_edges(first) if graph.node(e.src).kind is Kind.DATA]
        path = [n for n in [*data[:1], *main, add] if n not in placed]
        placed.update(path)
        paths.append(path)
    return [path for path in paths if len(path) > 1]


def _topological(graph: Graph) -> list[str]:
    """Node ids in an order where every edge points forward (graph order among equals)."""
    pending = {node.id: len(graph.in_edges(node.id)) for node in graph.nodes}
    ready = deque(node.id for node in graph.nodes if pending[node.id] == 0)
    order: list[str] = []
    while ready:
        node_id = ready.popleft()
        order.append(node_id)
        for edge in graph.out_edges(node_id):
            pending[edge.dst] -= 1
            if pending[edge.dst] == 0:
                ready.append(edge.dst)
    return order
