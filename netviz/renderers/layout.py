"""Shared reading order for renderers: which cluster owns each node, in what order, and
which paths are the figure's straight columns (the spine, each block's main branch)."""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterator

from netviz.ir import Cluster, Graph, Kind, Node


def node_text(node: Node) -> str:
    """What a node shows: its label, ``+`` for an unlabelled add, else its op name."""
    if node.label:
        return node.label
    return "+" if node.kind is Kind.ADD else node.type_name


def is_box(node: Node) -> bool:
    """Whether ``node`` is a module drawn as one box (``--depth``)."""
    return node.attr("box") is not None


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


def residual_adds(graph: Graph, cluster: Cluster) -> list[str]:
    """The block's residual sums (adds of two different tensors), in execution order."""
    return [
        i
        for i in cluster.node_ids
        if graph.node(i).kind is Kind.ADD and len({e.src for e in graph.in_edges(i)}) >= 2
    ]


def longest_path(
    graph: Graph, members: Collection[str] | None = None, end: str | None = None
) -> list[str]:
    """The longest path (by node count) through ``members`` (default: every node),
    ending at ``end`` if given; on a tie the earlier in-edge, and the later end.

    Through a residual block it takes the block's main branch: its longest branch
    into the sum (the one the pseudocode lists first, ending in ``= Z``).
    """
    allowed = set(members) if members is not None else None
    best: dict[str, tuple[int, str | None]] = {}
    for node_id in _topological(graph):
        if allowed is not None and node_id not in allowed:
            continue
        length, prev = 1, None
        for edge in graph.in_edges(node_id):
            if edge.src in best and best[edge.src][0] + 1 > length:
                length, prev = best[edge.src][0] + 1, edge.src
        best[node_id] = (length, prev)
    if end is None:
        longest = max((length for length, _ in best.values()), default=0)
        ends = [n.id for n in graph.nodes if n.id in best and best[n.id][0] == longest]
        end = ends[-1] if ends else None
    path: list[str] = []
    current = end if end in best else None
    while current is not None:
        path.append(current)
        current = best[current][1]
    return path[::-1]


def spine(graph: Graph) -> list[str]:
    """The figure's spine: the longest path through the whole graph, input → … → output
    through each block's data node, main branch and sum."""
    return longest_path(graph)


def columns(graph: Graph) -> list[list[str]]:
    """Paths to draw as straight columns: the spine first, then, for every residual block
    not on the spine, its longest path from its data node to its last sum."""
    paths = [spine(graph)]
    placed = set(paths[0])
    for cluster in graph.clusters:
        adds = residual_adds(graph, cluster)
        if not adds or adds[-1] in placed:
            continue
        path = [n for n in longest_path(graph, cluster.node_ids, adds[-1]) if n not in placed]
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
