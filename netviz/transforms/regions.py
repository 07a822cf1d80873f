"""Replace groups of nodes by one node each: the step attention and module collapsing share."""

from __future__ import annotations

from dataclasses import replace

from netviz.ir import Edge, Graph, Node, evolve


def merge_regions(graph: Graph, owner: dict[str, str], boxes: dict[str, Node]) -> Graph:
    """Draw each region as one box.

    Args:
        graph: The graph.
        owner: For every node of a region, the id of the box that replaces it.
        boxes: The boxes, keyed by the id of their region's first node (in execution
            order): each takes that node's place.

    Returns:
        The graph with every edge into or out of a region rewired to its box (edges
        inside a region, and repeated ones, dropped; two edges between the same ends with
        different marks both kept; an edge leaving the box with a tensor other than the
        box's own keeps that tensor's shape) and clusters listing
        the box in place of its region's nodes.
    """
    nodes = [boxes.get(n.id, n) for n in graph.nodes if n.id in boxes or n.id not in owner]
    box_of = {box.id: box for box in boxes.values()}  # the ids ``owner`` gives
    edges: list[Edge] = []
    seen: set[Edge] = set()
    for edge in graph.edges:
        src, dst = owner.get(edge.src, edge.src), owner.get(edge.dst, edge.dst)
        if src == dst:
            continue
        # evolve: no __init__ per edge; an edge no region touches is kept as it is
        new = edge if (src is edge.src and dst is edge.dst and edge.change is None) else evolve(
            edge, src=src, dst=dst, change=None)
        if src != edge.src and edge.shape is None:  # a tensor leaving a box: is it the box's?
            inner, box = graph.node(edge.src), box_of.get(src)
            if box is not None and (inner.shape, inner.feature_axis) != (box.shape, box.feature_axis):
                new = evolve(new, shape=inner.shape, feature_axis=inner.feature_axis)
        if new in seen:
            continue
        seen.add(new)
        edges.append(new)
    clusters = tuple(
        evolve(c, node_ids=tuple(dict.fromkeys(owner.get(i, i) for i in c.node_ids)))
        for c in graph.clusters
    )
    return replace(graph, nodes=tuple(nodes), edges=tuple(edges), clusters=clusters)
